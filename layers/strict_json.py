"""JSON in and out with limits: bounded nesting, bounded numbers, never NaN or Infinity.

Python's ``json`` module reads a 200,000-deep array by recursing until it raises
``RecursionError``, turns a 5,000-digit integer into a ``ValueError`` of its own, reads
``1e400`` as ``inf`` and writes it back as ``Infinity``, which is not JSON. Every JSON
the tool reads from a user (scenario files, GeoJSON uploads) goes through :func:`loads`
and every JSON it writes through :func:`dumps`:

* nesting is measured **before** parsing, in one pass over the bytes, and refused
  beyond :data:`MAX_DEPTH` levels;
* an integer may have at most :data:`MAX_INTEGER_DIGITS` digits;
* a number must be finite, and ``NaN``, ``Infinity`` and ``-Infinity`` are refused;
* :func:`dumps` writes strict JSON (``allow_nan=False``).

Every limit breach raises :class:`JsonLimitError`; malformed JSON raises the usual
:class:`json.JSONDecodeError` (with its line and column). Callers turn both into their
own user-facing error.

Examples
--------
>>> from layers.strict_json import JsonLimitError, loads
>>> loads('{"budget": 1250000.5}')
{'budget': 1250000.5}
>>> try:
...     loads("[" * 200_000 + "]" * 200_000)
... except JsonLimitError as err:
...     print(err)
it is nested 200,000 levels deep; at most 64 levels are allowed
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

import numpy as np

__all__ = ["MAX_DEPTH", "MAX_INTEGER_DIGITS", "JsonLimitError", "dumps", "loads", "nesting_depth"]

#: Deepest nesting of arrays and objects read (a GeoJSON MultiPolygon needs about 8).
MAX_DEPTH: Final = 64
#: Most digits in an integer (int64 has 19; 20 allows any unsigned 64-bit code).
MAX_INTEGER_DIGITS: Final = 20

# A JSON string: quote, then runs of ordinary characters or escapes, then quote. Written
# so that each repeat is one character class (no backtracking stack per character).
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
# Text that may hold a long integer or an overflowing number; other text takes the fast
# path (no Python call per number).
_SUSPECT_NUMBER: Final = re.compile(rb"[0-9]{21,}|[eE][+-]?[0-9]{3,}")


class JsonLimitError(ValueError):
    """JSON that is well formed but beyond the limits of :mod:`layers.strict_json`."""


def nesting_depth(text: str | bytes) -> int:
    """Deepest nesting of arrays and objects, counted without parsing.

    Brackets inside strings are ignored.

    Examples
    --------
    >>> nesting_depth('{"a": [[1], "]]]]"]}')
    3
    """
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps, dtype=np.int32).max(initial=0))


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise JsonLimitError(
            f"it holds an integer of {digits:,} digits; at most {MAX_INTEGER_DIGITS} are allowed"
        )
    return int(text)


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise JsonLimitError(f"it holds the number {shown}, too large to be a finite number")
    return value


def _constant(name: str) -> Any:
    raise JsonLimitError(f"it holds {name}, which is not a number JSON allows")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text within the limits of this module.

    Parameters
    ----------
    text : str or bytes
        The JSON text (bytes are decoded as UTF-8).
    max_depth : int, default :data:`MAX_DEPTH`
        Deepest nesting of arrays and objects allowed.

    Returns
    -------
    object
        The decoded value.

    Raises
    ------
    JsonLimitError
        If the nesting, an integer's digits or a number's size is beyond the limits, or
        the text holds ``NaN`` or ``Infinity``.
    json.JSONDecodeError
        If the text is not valid JSON.
    UnicodeDecodeError
        If ``text`` is bytes that are not UTF-8.

    Examples
    --------
    >>> loads('{"n": 1e400}')
    Traceback (most recent call last):
    ...
    layers.strict_json.JsonLimitError: it holds the number 1e400, too large to be a finite number
    """
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise JsonLimitError(
            f"it is nested {depth:,} levels deep; at most {max_depth} levels are allowed"
        )
    if _SUSPECT_NUMBER.search(raw) is None:
        return json.loads(text, parse_constant=_constant)
    return json.loads(text, parse_int=_integer, parse_float=_number, parse_constant=_constant)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that refuses NaN and infinities (strict JSON), never writes them.

    Raises
    ------
    ValueError
        If ``value`` holds a float that is NaN or infinite.

    Examples
    --------
    >>> dumps({"budget": 1.5})
    '{"budget": 1.5}'
    >>> dumps({"budget": float("inf")})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Out of range float values are not JSON compliant...
    """
    return json.dumps(value, allow_nan=False, **kwargs)
