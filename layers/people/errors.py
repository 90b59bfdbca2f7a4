"""The exceptions of :mod:`layers.people`, each with a message written for the user.

A command-line run or a page shows ``str(error)`` as it is; it never needs a
traceback. Programming errors (an argument of the wrong type) stay ``TypeError``.
"""

from __future__ import annotations

__all__ = ["DisclosureError", "ExtractError", "PeopleError"]


class PeopleError(ValueError):
    """Base class: a person-level extract or an aggregates file cannot be used.

    Examples
    --------
    >>> str(PeopleError("The extract is empty."))
    'The extract is empty.'
    """


class ExtractError(PeopleError):
    """The extract cannot be read, or nothing usable remains after the rejects.

    Examples
    --------
    >>> isinstance(ExtractError("no rows"), ValueError)
    True
    """


class DisclosureError(PeopleError):
    """An aggregates table failed output checking; nothing was written.

    Parameters
    ----------
    message : str
        What is wrong, for the user.
    problems : sequence of str, optional
        One line per problem found.

    Examples
    --------
    >>> err = DisclosureError("1 problem", ["value 3 is not suppressed"])
    >>> err.problems
    ('value 3 is not suppressed',)
    """

    def __init__(self, message: str, problems: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def __reduce__(self):  # keep the problems through pickling (Dask, multiprocessing)
        return (type(self), (self.args[0], self.problems))
