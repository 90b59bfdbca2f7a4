"""The store's specific errors: each carries a message the dashboard can show as it is.

Input problems are ``ValueError`` subclasses (a bad name, a bad document); a missing
scenario is a ``LookupError``; acting on someone else's scenario is a
``PermissionError``. Database faults are :class:`StoreUnavailable` (analysis goes on,
saving is off) and :class:`CorruptStore` (the file is kept as it is).
"""

from __future__ import annotations

from datetime import datetime

from layers import names

__all__ = [
    "ConflictError",
    "CorruptStore",
    "DocumentError",
    "DocumentVersionError",
    "InvalidNameError",
    "PermissionDeniedError",
    "ScenarioArchivedError",
    "ScenarioNotFoundError",
    "StoreError",
    "StoreUnavailable",
]


class StoreError(Exception):
    """Base of every error raised by :mod:`dashboard.store`."""


class InvalidNameError(StoreError, names.InvalidNameError):
    """A scenario name or description that cannot be used (see :mod:`layers.names`)."""


class DocumentError(StoreError, ValueError):
    """A scenario document (or JSON import) that is malformed or invalid."""


class DocumentVersionError(DocumentError):
    """A scenario document of another format, or from a newer version of the planner."""


class ScenarioNotFoundError(StoreError, LookupError):
    """No scenario (or version) with that id is visible to this user."""


class ScenarioArchivedError(StoreError):
    """The scenario is archived: restore it before saving a new version or renaming it."""


class PermissionDeniedError(StoreError, PermissionError):
    """The scenario belongs to someone else: only its author may change it."""


class ConflictError(StoreError):
    """Someone saved a newer version since the one this save started from.

    Attributes
    ----------
    scenario_id : str
    base_version : int
        The version the refused save started from.
    latest_version : int
        The newest version in the store.
    saved_by : str
        Who saved ``latest_version`` (their display name, or ``"anonymous"``).
    saved_at : datetime
        When (UTC).
    """

    def __init__(
        self,
        scenario_id: str,
        base_version: int,
        latest_version: int,
        saved_by: str,
        saved_at: datetime,
    ) -> None:
        self.scenario_id = scenario_id
        self.base_version = base_version
        self.latest_version = latest_version
        self.saved_by = saved_by
        self.saved_at = saved_at
        super().__init__(
            f"Not saved: {saved_by} saved version {latest_version} of this scenario at "
            f"{saved_at:%Y-%m-%d %H:%M} UTC, after the version {base_version} you started "
            "from. Your changes are still here: save them as a new scenario, or open the "
            "latest version."
        )


class StoreUnavailable(StoreError):  # noqa: N818 (the name the issue uses)
    """The database cannot be reached or written (down, read-only, no permission)."""


class CorruptStore(StoreError):  # noqa: N818 (the name the issue uses)
    """The SQLite file is damaged or is not a database; it is left exactly as it is.

    Attributes
    ----------
    path : str
        The file.
    """

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        super().__init__(
            f"The scenario library file {path} is damaged ({detail}). It has been left "
            "untouched: move it aside (or restore a backup) to start a new library."
        )
