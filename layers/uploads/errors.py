"""The one exception that upload validators raise for bad input.

Every problem with an uploaded file (its bytes, its columns, its rows, its
geometries) becomes an :class:`UploadError` whose message is written for the person
who uploaded it: what is wrong, where (row or feature numbers), and how to fix it.
A page shows ``str(error)`` as it is; it never needs a traceback.

Programming errors (passing a string instead of bytes, a malformed list of known
codes) are not bad input and raise :class:`TypeError` as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["UploadError"]


class UploadError(ValueError):
    """An uploaded file cannot be used; the message says why, for the user.

    Parameters
    ----------
    message : str
        The user-facing message (one or more lines).
    problems : sequence of (int, str), optional
        Row-level problems behind the message, as ``(row number, reason)`` pairs, for
        a page that wants to show them as a table. Empty for file-level problems.

    Examples
    --------
    >>> from layers.uploads.errors import UploadError
    >>> err = UploadError("The file is empty (0 bytes).")
    >>> str(err), err.problems
    ('The file is empty (0 bytes).', ())
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, message: str, problems: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple((int(row), str(reason)) for row, reason in problems)

    def __reduce__(self):  # keep (message, problems) through pickling
        return (type(self), (self.message, self.problems))
