r"""An immutable container for a session's uploaded data.

:class:`SessionData` holds at most one accepted upload of each kind (place groupings,
practice list, budgets, boundaries). :meth:`SessionData.apply` returns a *new*
container and never changes the one it is called on, so a page can keep the current
object in ``st.session_state`` and replace it only once an upload has been validated
and the user has accepted the report: a failed or abandoned upload leaves the session's
data exactly as it was.

Examples
--------
>>> from layers.uploads.csv_uploads import validate_place_groupings
>>> from layers.uploads.session import SessionData
>>> before = SessionData()
>>> raw = b"practice_code,place_name\nA81001,North\n"
>>> report = validate_place_groupings(raw, ["A81001"])
>>> after = before.apply(report)
>>> before.kinds, after.kinds
((), ('place_groupings',))
>>> after.get("place_groupings")["place_name"].tolist()
['North']
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from layers.uploads.report import UploadReport
from layers.uploads.schemas import KINDS

__all__ = ["SessionData"]


def _check_kind(kind: str) -> None:
    """Refuse an upload kind that is not one of :data:`~layers.uploads.schemas.KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}; expected one of {list(KINDS)}")


def _frame_digest(frame: pd.DataFrame) -> bytes:
    digest = hashlib.sha256()
    digest.update(repr(list(frame.columns)).encode())
    digest.update(repr([str(t) for t in frame.dtypes]).encode())
    plain = frame
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = frame.geometry.name
        digest.update(b"".join(g.wkb if g is not None else b"-" for g in frame.geometry))
        digest.update(str(frame.crs).encode())
        plain = pd.DataFrame(frame.drop(columns=geometry))
    digest.update(pd.util.hash_pandas_object(plain, index=True).to_numpy().tobytes())
    return digest.digest()


class SessionData:
    """Accepted uploads of one session; immutable, replaced whole by :meth:`apply`.

    Parameters
    ----------
    data : mapping of str to DataFrame, optional
        Initial data by kind (copied).
    history : tuple of str, optional
        Summaries of the uploads applied so far, oldest first.

    Examples
    --------
    >>> s = SessionData()
    >>> s.get("budgets") is None
    True
    >>> s.data = None
    Traceback (most recent call last):
    ...
    AttributeError: SessionData is immutable; use apply() or clear() for a new one
    """

    __slots__ = ("_data", "_history")

    def __init__(
        self, data: Mapping[str, pd.DataFrame] | None = None, history: tuple[str, ...] = ()
    ) -> None:
        data = dict(data or {})
        for kind, frame in data.items():
            _check_kind(kind)
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"data[{kind!r}] must be a DataFrame, got {type(frame).__name__}")
        copied = {kind: data[kind].copy(deep=True) for kind in KINDS if kind in data}
        object.__setattr__(self, "_data", MappingProxyType(copied))
        object.__setattr__(self, "_history", tuple(str(h) for h in history))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SessionData is immutable; use apply() or clear() for a new one")

    def __reduce__(self):  # pickle and copy.deepcopy rebuild through __init__
        return (type(self), (dict(self._data), self._history))

    def __repr__(self) -> str:
        held = ", ".join(f"{k}: {len(v)} rows" for k, v in self._data.items()) or "empty"
        return f"SessionData({held})"

    @property
    def kinds(self) -> tuple[str, ...]:
        """Kinds of upload held, in :data:`~layers.uploads.schemas.KINDS` order."""
        return tuple(self._data)

    @property
    def history(self) -> tuple[str, ...]:
        """Summaries of the uploads applied, oldest first."""
        return self._history

    def get(self, kind: str) -> pd.DataFrame | None:
        """A copy of the accepted data of one kind, or None if none was uploaded.

        Raises
        ------
        ValueError
            If ``kind`` is not a known kind.
        """
        _check_kind(kind)
        frame = self._data.get(kind)
        return None if frame is None else frame.copy(deep=True)

    def apply(self, report: UploadReport) -> SessionData:
        """Return a new container with the report's accepted rows as its kind's data.

        The previous data of that kind is replaced; other kinds are kept. ``self`` is
        not changed.

        Parameters
        ----------
        report : UploadReport
            A report from one of the validators, already shown to the user.

        Returns
        -------
        SessionData
            The new container.

        Raises
        ------
        TypeError
            If ``report`` is not an :class:`~layers.uploads.report.UploadReport`.
        ValueError
            If the report accepted nothing (validators never return such a report).
        """
        if not isinstance(report, UploadReport):
            raise TypeError(f"report must be an UploadReport, got {type(report).__name__}")
        if report.accepted.empty:
            raise ValueError("the report accepted no rows; there is nothing to apply")
        data = dict(self._data)
        data[report.kind] = report.accepted
        return SessionData(data, (*self._history, report.summary))

    def clear(self, kind: str) -> SessionData:
        """Return a new container without the data of one kind.

        Raises
        ------
        ValueError
            If ``kind`` is not a known kind.
        """
        _check_kind(kind)
        data = {k: v for k, v in self._data.items() if k != kind}
        return SessionData(data, (*self._history, f"Cleared {kind}."))

    def fingerprint(self) -> str:
        """A hex digest of every held frame: equal data, equal fingerprint.

        Hashable, so a page can use it as an ``st.cache_data`` key.
        """
        digest = hashlib.sha256()
        for kind, frame in self._data.items():
            digest.update(kind.encode())
            digest.update(_frame_digest(frame))
        return digest.hexdigest()
