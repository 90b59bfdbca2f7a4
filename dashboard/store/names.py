r"""Scenario names and descriptions: checked on the way in, stored as plain text.

A name is text a person typed. Control characters (line breaks, tabs, NUL, bidi
overrides that would reverse what is shown) are removed and runs of spaces collapsed;
what is left must be 1-:data:`MAX_NAME_LENGTH` characters. HTML or a spreadsheet
formula is kept as typed: the store only ever binds it as a parameter, the pages show it
as text and the exports neutralise formula prefixes.

Examples
--------
>>> clean_name("  Option\tB\n ")
'Option B'
>>> clean_name('=HYPERLINK("http://x")')
'=HYPERLINK("http://x")'
>>> clean_name("\x00\x07")
Traceback (most recent call last):
...
dashboard.store.errors.InvalidNameError: A scenario needs a name ...
"""

from __future__ import annotations

import re
import unicodedata

from dashboard.store.errors import InvalidNameError

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

    Parameters
    ----------
    name : str
        As typed.

    Returns
    -------
    str
        Without control characters, single-spaced, trimmed.

    Raises
    ------
    InvalidNameError
        Not text, empty once cleaned, or longer than :data:`MAX_NAME_LENGTH`.

    Examples
    --------
    >>> clean_name("<b>Option A</b>")
    '<b>Option A</b>'
    >>> clean_name("x" * 10_000)
    Traceback (most recent call last):
    ...
    dashboard.store.errors.InvalidNameError: ... at most 200 characters; this one has 10,000.
    """
    if not isinstance(name, str):
        raise InvalidNameError(f"A scenario name must be text, got {type(name).__name__}.")
    cleaned = _SPACES.sub(" ", _without_controls(name, keep_newlines=False)).strip()
    if not cleaned:
        raise InvalidNameError(
            "A scenario needs a name (letters or digits, not only spaces or control characters)."
        )
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"A scenario name can be at most {MAX_NAME_LENGTH} characters; "
            f"this one has {len(cleaned):,}."
        )
    return cleaned


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
