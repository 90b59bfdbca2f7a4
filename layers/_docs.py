r"""Shared numpydoc parameter descriptions, filled into docstrings (scipy's ``docfiller``).

Several public functions take the same parameters with the same meaning. Their
descriptions are written once, in a mapping of snippets, and a docstring names one
with ``%(name)s`` alone on a line; :func:`docfiller` puts the snippet there, indented
like the placeholder, when the module is imported. The filled docstring is what
``help()``, Sphinx and the doctests see.

Examples
--------
>>> @docfiller({"level": "level : str\n    Reporting level."})
... def f(level="place"):
...     "Do nothing.\n\n    %(level)s\n    "
>>> f.__doc__
'Do nothing.\n\n    level : str\n        Reporting level.\n    '
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["docfiller", "fill"]

_F = TypeVar("_F", bound=Callable[..., object])

# Only a placeholder alone on its line is filled, so the "%" of "(%)" or "{...}" in
# the prose of a docstring needs no escaping.
_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$", re.MULTILINE)


def fill(text: str, snippets: Mapping[str, str]) -> str:
    r"""Put each ``%(name)s`` line's snippet in its place, indented like the line.

    Parameters
    ----------
    text : str
        A docstring.
    snippets : mapping of str to str
        Snippets by name, written flush left (their continuation lines indented by
        four spaces, as in a numpydoc parameter).

    Returns
    -------
    str
        The text with every placeholder line filled.

    Raises
    ------
    KeyError
        If a placeholder names no snippet (a typo fails at import, not in the docs).

    Examples
    --------
    >>> fill("  %(a)s\n  end", {"a": "a : int\n    One."})
    '  a : int\n      One.\n  end'
    """

    def one(match: re.Match[str]) -> str:
        indent = match["indent"]
        return "\n".join(
            indent + line if line else line for line in snippets[match["name"]].split("\n")
        )

    return _PLACEHOLDER.sub(one, text)


def docfiller(snippets: Mapping[str, str]) -> Callable[[_F], _F]:
    """Decorator filling a function's docstring from ``snippets`` (see :func:`fill`).

    Parameters
    ----------
    snippets : mapping of str to str
        Snippets by name.

    Returns
    -------
    callable
        The decorator; it returns the function itself, its ``__doc__`` filled
        (left alone when Python runs with ``-OO`` and there is none).
    """

    def decorate(function: _F) -> _F:
        if function.__doc__:
            function.__doc__ = fill(function.__doc__, snippets)
        return function

    return decorate
