r"""One rule for every name a user gives: places, boundaries, practices, scenarios, services.

A name is stored in one canonical form, so two names that look the same are the same:

* Unicode NFC normalisation (``"e" + U+0301`` becomes ``"é"``);
* every space separator (no-break space, thin space, ideographic space...) becomes an
  ordinary space, runs of spaces become one, and spaces at either end are dropped.

A name is refused (:func:`name_problem` says why) when, once normalised, it is

* blank, or longer than ``max_length`` characters (:data:`MAX_NAME_LENGTH` by default);
* holding a character of a Unicode category that has no place in a name: control
  characters (Cc: tab, line feed, U+0085, U+007F...), format characters (Cf: zero-width
  space U+200B, right-to-left override U+202E, soft hyphen...), line and paragraph
  separators (Zl U+2028, Zp U+2029), private-use (Co), surrogates (Cs) or unassigned
  code points (Cn);
* holding another invisible character (:data:`INVISIBLE`: Hangul fillers, the Braille
  blank, variation selectors, the combining grapheme joiner), so ``North`` and
  ``North\u200b`` cannot become two places;
* starting with a character a spreadsheet reads as a formula (:data:`FORMULA_PREFIXES`:
  ``=``, ``+``, ``-``, ``@``, tab, carriage return), the OWASP rule for CSV injection.

Each caller raises its own error type with the reason (``UploadError`` for uploads,
``ScenarioError`` for scenarios, ``CatalogueError`` for catalogues).

Examples
--------
>>> from layers.names import clean_name, name_problem
>>> clean_name("  North\u00a0 East ", "place_name")
'North East'
>>> name_problem("North\u200b", "place_name")
"place_name 'North\\u200b' contains an invisible or control character (U+200B ZERO WIDTH SPACE at position 6)"
>>> name_problem("-2+3+cmd|' /C calc'!A0", "place_name")
'place_name "-2+3+cmd|\' /C calc\'!A0" starts with \'-\', which spreadsheets read as a formula'
"""  # noqa: E501

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "FORMULA_PREFIXES",
    "INVISIBLE",
    "MAX_NAME_LENGTH",
    "REFUSED_CATEGORIES",
    "InvalidNameError",
    "clean_name",
    "name_problem",
    "normalise_name",
]

#: Longest name accepted, in characters (after normalisation).
MAX_NAME_LENGTH: Final = 100

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")

#: Unicode general categories refused anywhere in a name.
REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})

#: Characters of other categories that draw nothing, refused like format characters.
INVISIBLE: Final = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)

_SPACES = re.compile(r"[^\S\r\n\t\x0b\x0c\x1c-\x1f\x85\u2028\u2029]+")


class InvalidNameError(ValueError):
    """A name breaks the rules of :mod:`layers.names`; the message says which and where."""


def normalise_name(text: str) -> str:
    """The canonical form of a name: NFC, one ordinary space between words, trimmed.

    Only space separators are folded: line breaks, tabs and other control characters
    are kept, so that :func:`name_problem` can refuse them.

    Examples
    --------
    >>> normalise_name("Cafe\u0301\u2003 Royal ")
    'Café Royal'
    """
    if not isinstance(text, str):
        raise TypeError(f"a name must be text, got {type(text).__name__}")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")


def _refused(char: str) -> bool:
    return unicodedata.category(char) in REFUSED_CATEGORIES or ord(char) in INVISIBLE


_CONTROL_NAMES: Final = {
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}


_CATEGORY_NAMES: Final = {
    "Cc": "control character",
    "Co": "private-use character",
    "Cs": "surrogate",
    "Cn": "unassigned character",
}


def _describe(char: str) -> str:
    name = _CONTROL_NAMES.get(char) or unicodedata.name(
        char, _CATEGORY_NAMES.get(unicodedata.category(char), "character")
    )
    return f"U+{ord(char):04X} {name}"


def name_problem(text: str, field: str, max_length: int = MAX_NAME_LENGTH) -> str | None:
    r"""Why a name cannot be used (checked in its normalised form), or None if it can.

    Parameters
    ----------
    text : str
        The name as given.
    field : str
        What the name is, for the message (``"place_name"``, ``"scenario name"``).
    max_length : int, default :data:`MAX_NAME_LENGTH`
        Most characters allowed.

    Returns
    -------
    str or None
        The reason, starting with ``field``; None for a good name.

    Examples
    --------
    >>> print(name_problem("a\nb\x01c", "name"))
    name 'a\nb\x01c' contains an invisible or control character (U+000A LINE FEED at position 2)
    >>> name_problem("x" * 101, "name")
    'name is longer than 100 characters (101)'
    >>> name_problem("Stockton-on-Tees", "name") is None
    True
    """
    name = normalise_name(text)
    if not name:
        return f"{field} is blank"
    if len(name) > max_length:
        return f"{field} is longer than {max_length:,} characters ({len(name):,})"
    for position, char in enumerate(name, start=1):
        if _refused(char):
            return (
                f"{field} {name!r} contains an invisible or control character "
                f"({_describe(char)} at position {position})"
            )
    if name.startswith(FORMULA_PREFIXES):
        return f"{field} {name!r} starts with {name[0]!r}, which spreadsheets read as a formula"
    return None


def clean_name(value: object, field: str, max_length: int = MAX_NAME_LENGTH) -> str:
    r"""Return a name in its normalised form, or raise :class:`InvalidNameError` saying why.

    Raises
    ------
    InvalidNameError
        If ``value`` is not text or :func:`name_problem` finds a problem.

    Examples
    --------
    >>> clean_name('=HYPERLINK("http://x")', "service")
    Traceback (most recent call last):
    ...
    layers.names.InvalidNameError: service '=HYPERLINK("http://x")' starts with '=', which spreadsheets read as a formula
    """  # noqa: E501
    if not isinstance(value, str):
        raise InvalidNameError(f"{field} must be text, got {value!r}"[:200])
    problem = name_problem(value, field, max_length)
    if problem:
        raise InvalidNameError(problem)
    return normalise_name(value)
