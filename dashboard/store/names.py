r"""Scenario names and descriptions: checked on the way in, stored as plain text.

Names follow the one rule for every name in the product (:mod:`layers.names`).
Descriptions are free text: control characters (other than line breaks) and bidi
overrides are removed, and exports neutralise formula prefixes.

Examples
--------
>>> clean_name("  Option  B ")
'Option B'
>>> clean_description("Two lines\r\nof text\x1b")
'Two lines \nof text'
"""

from __future__ import annotations

import re
import unicodedata

from dashboard.store.errors import InvalidNameError
from layers import names as layers_names

__all__ = ["MAX_DESCRIPTION_LENGTH", "MAX_NAME_LENGTH", "clean_description", "clean_name"]

#: Longest scenario name, in characters (after cleaning).
MAX_NAME_LENGTH = 200
#: Longest description, in characters (after cleaning).
MAX_DESCRIPTION_LENGTH = 5_000

# Bidirectional embedding/override/isolate controls: they can make a name read backwards.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"[ \u00a0]+")


def _without_controls(text: str, keep_newlines: bool) -> str:
    kept = []
    for ch in text.translate(_BIDI):
        if ch == "\n" and keep_newlines:
            kept.append(ch)
        elif unicodedata.category(ch) == "Cc":
            kept.append(" " if ch in "\t\r\n\v\f" else "")
        else:
            kept.append(ch)
    return "".join(kept)


def clean_name(name: object) -> str:
    """Return a scenario name ready to store, or raise :class:`InvalidNameError`.

    Scenario names follow the one rule for every name (:mod:`layers.names`): NFC,
    single-spaced, trimmed; no control, invisible or bidi characters, no leading formula
    character; at most :data:`MAX_NAME_LENGTH` characters. HTML is kept as typed: the
    store binds it as a parameter and the pages show it as text.

    Examples
    --------
    >>> clean_name("  <b>Option A</b> ")
    '<b>Option A</b>'
    >>> clean_name("x" * 10_000)
    Traceback (most recent call last):
    ...
    dashboard.store.errors.InvalidNameError: A scenario name is longer than 200 characters (10,000)
    """
    try:
        return layers_names.clean_name(name, "A scenario name", MAX_NAME_LENGTH)
    except layers_names.InvalidNameError as problem:
        raise InvalidNameError(str(problem)) from None


def clean_description(description: object) -> str:
    r"""Return a description ready to store (may be empty; line breaks kept).

    Raises
    ------
    InvalidNameError
        Not text (None is read as empty), or longer than :data:`MAX_DESCRIPTION_LENGTH`.

    Examples
    --------
    >>> clean_description("Two lines\r\nof text\x1b")
    'Two lines \nof text'
    >>> clean_description(None)
    ''
    """
    if description is None:
        return ""
    if not isinstance(description, str):
        raise InvalidNameError(f"A description must be text, got {type(description).__name__}.")
    cleaned = _without_controls(description, keep_newlines=True).strip()
    if len(cleaned) > MAX_DESCRIPTION_LENGTH:
        raise InvalidNameError(
            f"A description can be at most {MAX_DESCRIPTION_LENGTH:,} characters; "
            f"this one has {len(cleaned):,}."
        )
    return cleaned
