"""One validation path for the whole library: frame, column, choice and vector checks.

Every public function checks its inputs at the top with these helpers, so the same
mistake always gets the same specific error, in the geopandas style: a ``TypeError``
for the wrong kind of object, a ``ValueError`` (or a subclass that names the problem)
for the right kind with the wrong content.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MissingColumnsError",
    "as_float_vector",
    "check_same_length",
    "require_choice",
    "require_columns",
    "require_frame",
    "require_geoframe",
    "require_unique",
]

T = TypeVar("T")


class MissingColumnsError(ValueError):
    """A frame lacks columns that a function needs.

    Attributes
    ----------
    name : str
        What the frame is called in the caller's words (for example ``"lsoas"``).
    missing : list of str
        The columns that are absent.
    """

    def __init__(self, name: str, missing: list[str], needed: list[str]) -> None:
        self.name = name
        self.missing = missing
        super().__init__(f"{name} is missing column(s) {missing}; it needs {needed}.")


def require_frame(frame: object, columns: Iterable[str], name: str) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame holding every one of ``columns``.

    Parameters
    ----------
    frame : object
        The argument to check.
    columns : iterable of str
        Columns it must have.
    name : str
        The argument's name, for the message.

    Returns
    -------
    DataFrame
        ``frame`` itself (not a copy).

    Raises
    ------
    TypeError
        If ``frame`` is not a pandas DataFrame.
    MissingColumnsError
        If any column is absent (a ``ValueError``).

    Examples
    --------
    >>> require_frame(pd.DataFrame({"a": [1]}), ["a"], "table").columns.tolist()
    ['a']
    >>> require_frame(pd.DataFrame({"a": [1]}), ["a", "b"], "table")
    Traceback (most recent call last):
    ...
    layers._checks.MissingColumnsError: table is missing column(s) ['b']; it needs ['a', 'b'].
    >>> require_frame([1, 2], ["a"], "table")
    Traceback (most recent call last):
    ...
    TypeError: table must be a pandas DataFrame, got list
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    require_columns(frame, columns, name)
    return frame


def require_geoframe(
    frame: object, columns: Iterable[str], name: str, *, crs: bool = True
) -> gpd.GeoDataFrame:
    """Return ``frame`` if it is a GeoDataFrame with ``columns`` (and a CRS, by default).

    Raises
    ------
    TypeError
        If ``frame`` is not a GeoDataFrame.
    MissingColumnsError
        If any column is absent.
    ValueError
        If ``crs`` is true and the frame has no CRS.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> frame = gpd.GeoDataFrame({"code": ["a"]}, geometry=[Point(0, 0)])
    >>> require_geoframe(frame, ["code"], "sites")
    Traceback (most recent call last):
    ...
    ValueError: sites has no CRS; set one (e.g. .set_crs('EPSG:4326')).
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"{name} must be a GeoDataFrame, got {type(frame).__name__}.")
    require_columns(frame, columns, name)
    if crs and frame.crs is None:
        raise ValueError(f"{name} has no CRS; set one (e.g. .set_crs('EPSG:4326')).")
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise :class:`MissingColumnsError` if ``frame`` lacks any of ``columns``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "table")
    """
    needed = list(columns)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise MissingColumnsError(name, missing, needed)


def require_unique(values: pd.Series, name: str) -> None:
    """Raise ``ValueError`` if ``values`` has missing or repeated codes.

    Examples
    --------
    >>> require_unique(pd.Series(["A", "B"]), "practice codes")
    >>> require_unique(pd.Series(["A", "A"]), "practice codes")
    Traceback (most recent call last):
    ...
    ValueError: practice codes has duplicate codes, e.g. ['A']
    """
    if values.isna().any():
        raise ValueError(f"{name} has missing codes")
    if values.duplicated().any():
        repeated = values[values.duplicated()].iloc[:3].tolist()
        raise ValueError(f"{name} has duplicate codes, e.g. {repeated}")


def require_choice(value: T, allowed: Collection[T], name: str) -> T:
    """Return ``value`` if it is one of ``allowed``; else a ``ValueError`` listing them.

    Examples
    --------
    >>> require_choice("pcn", ("place", "pcn"), "level")
    'pcn'
    >>> require_choice("ward", ("place", "pcn"), "level")
    Traceback (most recent call last):
    ...
    ValueError: Unknown level 'ward'; choose one of place, pcn.
    """
    if value not in allowed:
        raise ValueError(f"Unknown {name} {value!r}; choose one of {', '.join(map(str, allowed))}.")
    return value


def as_float_vector(x: ArrayLike, name: str, *, allow_nan: bool = False) -> NDArray[np.float64]:
    """Return ``x`` as a 1-D float64 array, or raise a specific error.

    Parameters
    ----------
    x : array_like
        Numeric values.
    name : str
        Argument name used in error messages.
    allow_nan : bool, default False
        Whether missing values (NaN) are accepted.

    Returns
    -------
    numpy.ndarray
        1-D float64 copy of ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, booleans).
    ValueError
        If ``x`` is not 1-D, is empty, or holds NaN (unless allowed) or infinities.

    Examples
    --------
    >>> as_float_vector([1, 2], "population")
    array([1., 2.])
    """
    arr = np.asarray(x)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be numeric (int or float); got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    out = arr.astype(np.float64)
    if np.isinf(out).any():
        raise ValueError(f"{name} contains infinite values; expected finite numbers")
    if not allow_nan and np.isnan(out).any():
        idx = np.flatnonzero(np.isnan(out)).tolist()
        raise ValueError(f"{name} has missing values (NaN) at positions {idx}")
    return out


def check_same_length(**arrays: NDArray[np.float64] | None) -> int:
    """Check that every non-None array has the same length and return it.

    Examples
    --------
    >>> check_same_length(a=np.zeros(3), b=None, c=np.ones(3))
    3
    """
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"inputs must have the same length; got {lengths}")
    return next(iter(lengths.values()))
