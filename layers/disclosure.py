"""Statistical disclosure control for counts of people.

NHS Digital's rule for counts of people derived from individual-level records and
published below national level:

* ``0`` is shown as ``0`` (a true zero is not disclosive);
* ``1`` to ``7`` are suppressed and shown as ``"*"``;
* every larger count is rounded to the nearest multiple of 5.

Two derived-figure rules go with it, and this module has a helper for each:

* **totals are rounded after summing**: a total is the sum of the *unrounded*
  counts, to which the rule is then applied (:func:`total_then_suppress`, or the
  ``total=`` argument of :func:`suppress_counts`). Summing rounded figures would
  both accumulate rounding error and let a reader recover suppressed cells.
* **percentages are computed from the rounded figures** (:func:`shares_from_rounded`),
  so that a published percentage never reveals more than the published counts.

Rounding of halves. Counts are integers and the base is 5, so an integer is never
equidistant from two multiples of 5 (the remainder mod 5 is 0-4, never 2.5): no
tie-breaking rule is ever exercised. The implementation is "round half up",
``5 * ((n + 2) // 5)``: remainders 1-2 round down, 3-4 round up (12 -> 10,
13 -> 15, 8 -> 10). The smallest non-zero figure ever shown is therefore 10.

Every public function has two output flavours:

* display (default): ``object`` dtype holding Python ``int`` values and the string
  ``"*"`` (:data:`SUPPRESSED`), ready for a table;
* numeric (``numeric=True``): ``float64`` with ``NaN`` where suppressed, for charts.

Inputs are validated: counts must be non-negative whole numbers with no missing
values, else :class:`ValueError` (or :class:`TypeError` for non-numeric data).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Final, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "ROUNDING_BASE",
    "SUPPRESSED",
    "SUPPRESSION_MAX",
    "round_count",
    "shares_from_rounded",
    "suppress_counts",
    "total_then_suppress",
]

#: Marker shown in place of a suppressed count (and of a share built on one).
SUPPRESSED: Final = "*"
#: Largest count that is suppressed (counts 1..SUPPRESSION_MAX become ``"*"``).
SUPPRESSION_MAX: Final = 7
#: Counts above :data:`SUPPRESSION_MAX` are rounded to the nearest multiple of this.
ROUNDING_BASE: Final = 5


_Counts = TypeVar("_Counts", pd.Series, pd.DataFrame)

# --------------------------------------------------------------------------- helpers


def _as_count_array(values: object, name: str) -> np.ndarray:
    """Return ``values`` as an int64 array after checking they are valid counts."""
    arr = np.asarray(values)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        # pandas nullable integers arrive as object arrays holding ints / pd.NA
        if arr.dtype == object:
            try:
                arr = pd.to_numeric(pd.Series(arr.ravel()), errors="raise").to_numpy(
                    dtype="float64", na_value=np.nan
                )
                arr = arr.reshape(np.shape(values))
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{name} must hold numeric counts, got non-numeric values ({exc})"
                ) from None
        else:
            raise TypeError(
                f"{name} must hold numeric counts (int or float), got dtype {arr.dtype}"
            )
    if np.issubdtype(arr.dtype, np.floating):
        if np.isnan(arr).any():
            raise ValueError(f"{name} has missing values (NaN); every count must be known")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} has infinite values; counts must be finite")
        if not np.all(arr == np.floor(arr)):
            raise ValueError(f"{name} has non-integer values; counts must be whole numbers")
    arr = arr.astype(np.int64, copy=False)
    if (arr < 0).any():
        raise ValueError(f"{name} has negative values; counts must be >= 0")
    return arr


def _series_values(series: pd.Series, name: str) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype):
        raise TypeError(f"{name} must hold numeric counts, got a categorical column")
    if pd.api.types.is_bool_dtype(series.dtype):
        raise TypeError(f"{name} must hold numeric counts, got booleans")
    if series.isna().any():
        raise ValueError(f"{name} has missing values; every count must be known")
    if not pd.api.types.is_numeric_dtype(series.dtype):
        return _as_count_array(series.to_numpy(dtype=object), name)
    return _as_count_array(series.to_numpy(dtype="float64"), name)


def _apply_rule(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return rounded values and the suppression mask for validated int64 counts."""
    rounded = ROUNDING_BASE * ((counts + ROUNDING_BASE // 2) // ROUNDING_BASE)
    suppressed = (counts >= 1) & (counts <= SUPPRESSION_MAX)
    return rounded, suppressed


def _render(rounded: np.ndarray, suppressed: np.ndarray, numeric: bool) -> np.ndarray:
    if numeric:
        out = rounded.astype("float64")
        out[suppressed] = np.nan
        return out
    out = rounded.astype(object)  # Python ints
    out[suppressed] = SUPPRESSED
    return out


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")


def _count_columns(frame: pd.DataFrame, columns: Sequence[Hashable] | None) -> list[Hashable]:
    if columns is None:
        cols = [
            c
            for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
        if not cols:
            raise ValueError("counts has no numeric columns; pass columns=[...] explicitly")
        return cols
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise TypeError(f"columns must be a list of column names, got {columns!r}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame (has {list(frame.columns)})")
    if len(set(columns)) != len(columns):
        raise ValueError(f"columns has duplicates: {list(columns)}")
    return list(columns)


# --------------------------------------------------------------------------- public


def round_count(count: int, *, numeric: bool = False) -> int | str | float:
    """Apply the disclosure rule to a single count.

    Parameters
    ----------
    count : int
        A non-negative whole number of people.
    numeric : bool, default False
        If True return a float, ``nan`` when suppressed.

    Returns
    -------
    int or str or float
        ``0`` for 0, ``"*"`` for 1-7, else the nearest multiple of 5 (half up).

    Raises
    ------
    TypeError
        If ``count`` is not a real number.
    ValueError
        If ``count`` is negative, fractional or NaN.

    Examples
    --------
    >>> [round_count(n) for n in (0, 1, 7, 8, 12, 13, 17, 18)]
    [0, '*', '*', 10, 10, 15, 15, 20]
    >>> round_count(3, numeric=True)
    nan
    """
    _check_flag(numeric, "numeric")
    if isinstance(count, bool) or not isinstance(count, int | float | np.integer | np.floating):
        raise TypeError(f"count must be a number, got {type(count).__name__}")
    arr = _as_count_array(np.array([count]), "count")
    out = _render(*_apply_rule(arr), numeric)[0]
    return float(out) if numeric else out


def suppress_counts(
    counts: _Counts,
    columns: Sequence[Hashable] | None = None,
    *,
    numeric: bool = False,
    total: Hashable | None = None,
) -> _Counts:
    """Apply the disclosure rule to a Series or to columns of a DataFrame.

    Parameters
    ----------
    counts : pandas.Series or pandas.DataFrame
        Unrounded counts of people.
    columns : sequence of column labels, optional
        DataFrame only: the count columns to treat. Default: every numeric, non-boolean
        column. Other columns (codes, names) are returned unchanged.
    numeric : bool, default False
        False: display values (``object`` dtype, Python ints and ``"*"``).
        True: ``float64`` with ``NaN`` where suppressed, for charts.
    total : column label, optional
        DataFrame only: add a column with this name holding the row total of
        ``columns``, summed from the **unrounded** counts before the rule is applied.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Same type, index and column order as ``counts`` (plus ``total`` at the end).

    Raises
    ------
    TypeError
        If ``counts`` is neither a Series nor a DataFrame, or holds non-numeric counts.
    ValueError
        If counts are negative, fractional or missing, or ``columns``/``total`` clash
        with the frame.

    Examples
    --------
    >>> suppress_counts(pd.Series([0, 3, 8, 12, 13, 1234])).tolist()
    [0, '*', 10, 10, 15, 1235]
    >>> suppress_counts(pd.Series([0, 3, 13]), numeric=True).tolist()
    [0.0, nan, 15.0]
    >>> df = pd.DataFrame({"practice": ["A", "B"], "men": [3, 40], "women": [6, 42]})
    >>> suppress_counts(df, total="all")
      practice men women all
    0        A   *     *  10
    1        B  40    40  80

    The total of practice A is 3 + 6 = 9 -> 10, not the sum of two suppressed cells.
    """
    _check_flag(numeric, "numeric")
    if isinstance(counts, pd.Series):
        if columns is not None or total is not None:
            raise ValueError("columns and total apply to a DataFrame only, not a Series")
        values = _series_values(counts, "counts")
        out = _render(*_apply_rule(values), numeric)
        return pd.Series(out, index=counts.index, name=counts.name, dtype=out.dtype)
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"counts must be a pandas Series or DataFrame, got {type(counts).__name__}")
    cols = _count_columns(counts, columns)
    if total is not None and total in counts.columns:
        raise ValueError(f"total column {total!r} already exists in the frame")
    result = counts.copy()
    row_total = np.zeros(len(counts), dtype=np.int64)
    for col in cols:
        values = _series_values(counts[col], f"column {col!r}")
        row_total += values
        result[col] = pd.Series(
            _render(*_apply_rule(values), numeric), index=counts.index, name=col
        )
    if total is not None:
        result[total] = pd.Series(
            _render(*_apply_rule(row_total), numeric), index=counts.index, name=total
        )
    return result


def total_then_suppress(
    counts: pd.Series | pd.DataFrame,
    by: Hashable | Sequence[Hashable] | None = None,
    columns: Sequence[Hashable] | None = None,
    *,
    numeric: bool = False,
) -> int | str | float | pd.Series | pd.DataFrame:
    """Sum unrounded counts, then apply the disclosure rule to the totals.

    Parameters
    ----------
    counts : pandas.Series or pandas.DataFrame
        Unrounded counts of people.
    by : column label or list of labels, optional
        DataFrame only: group by these columns and total within each group.
    columns : sequence of column labels, optional
        DataFrame only: the count columns to total (default: every numeric column that
        is not in ``by``).
    numeric : bool, default False
        As in :func:`suppress_counts`.

    Returns
    -------
    int or str or float
        For a Series: the suppressed grand total.
    pandas.Series
        For a DataFrame without ``by``: one suppressed total per column.
    pandas.DataFrame
        For a DataFrame with ``by``: one row per group (``by`` as ordinary columns,
        sorted), one suppressed total per count column.

    Raises
    ------
    TypeError, ValueError
        As :func:`suppress_counts`; also if ``by`` names a missing column.

    Examples
    --------
    Seven practices each with 3 people: every cell is suppressed but the total, 21,
    is shown as 20 (not 7 x "*", and not 7 x 5 = 35):

    >>> total_then_suppress(pd.Series([3] * 7))
    20
    >>> df = pd.DataFrame({"pcn": ["P", "P", "Q"], "high": [4, 5, 30], "low": [50, 52, 1]})
    >>> total_then_suppress(df, by="pcn")
      pcn high  low
    0   P   10  100
    1   Q   30    *
    >>> total_then_suppress(df, columns=["high"], numeric=True)
    high    40.0
    dtype: float64
    """
    _check_flag(numeric, "numeric")
    if isinstance(counts, pd.Series):
        if by is not None or columns is not None:
            raise ValueError("by and columns apply to a DataFrame only, not a Series")
        values = _series_values(counts, "counts")
        total = np.array([values.sum()], dtype=np.int64)
        out = _render(*_apply_rule(total), numeric)[0]
        return float(out) if numeric else out
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"counts must be a pandas Series or DataFrame, got {type(counts).__name__}")
    keys: list[Hashable] = []
    if by is not None:
        keys = list(by) if isinstance(by, list | tuple) else [by]
        missing = [k for k in keys if k not in counts.columns]
        if missing:
            raise ValueError(f"by columns {missing} are not in the frame")
    if columns is None:
        cols = [c for c in _count_columns(counts.drop(columns=keys), None)]
    else:
        cols = _count_columns(counts, columns)
        if set(cols) & set(keys):
            raise ValueError("a column cannot be both a count column and a by column")
    for col in cols:  # validate before summing so errors name the bad column
        _series_values(counts[col], f"column {col!r}")
    if not keys:
        sums = counts[cols].sum().astype(np.int64)
        out = _render(*_apply_rule(sums.to_numpy()), numeric)
        return pd.Series(out, index=sums.index, dtype=out.dtype)
    sums = counts.groupby(keys, observed=True, sort=True, dropna=False)[cols].sum()
    return suppress_counts(sums.astype(np.int64).reset_index(), cols, numeric=numeric)


def shares_from_rounded(
    numerator: pd.Series | Sequence[int] | np.ndarray,
    denominator: pd.Series | Sequence[int] | np.ndarray | int,
    *,
    scale: float = 100.0,
    decimals: int | None = 1,
    numeric: bool = False,
) -> pd.Series:
    """Percentages computed from rounded counts, suppressed where a count is.

    Both arguments are **unrounded** counts; each is passed through the disclosure
    rule first and the share is ``scale * rounded(numerator) / rounded(denominator)``.
    Applying the rule to already-rounded counts changes nothing (it is idempotent on
    multiples of 5), so rounded input gives the same result.

    Parameters
    ----------
    numerator : array-like of int
        Unrounded counts of people with the attribute.
    denominator : array-like of int or int
        Unrounded counts of the group (broadcast if a scalar). Must be at least the
        numerator, elementwise.
    scale : float, default 100
        100 for percentages, 1 for proportions.
    decimals : int or None, default 1
        Round the share to this many decimals (None: no rounding).
    numeric : bool, default False
        False: ``object`` Series of floats and ``"*"``. True: ``float64`` with NaN.

    Returns
    -------
    pandas.Series
        One share per element (index of ``numerator`` if it is a Series). ``"*"``
        (numeric: NaN) where the numerator or the denominator is suppressed; NaN in
        both flavours where the denominator is 0 (the share is undefined).

    Raises
    ------
    TypeError
        If the counts are not numeric or ``scale``/``decimals`` have the wrong type.
    ValueError
        If counts are invalid, the lengths differ or a numerator exceeds its denominator.

    Examples
    --------
    >>> shares_from_rounded([0, 3, 12, 13, 40], [40, 40, 40, 40, 40]).tolist()
    [0.0, '*', 25.0, 37.5, 100.0]
    >>> shares_from_rounded([12, 0, 0], [37, 5, 0], numeric=True).tolist()
    [28.6, nan, nan]

    12 of 37 is 32.4% unrounded, but the published figures are 10 and 35, so 28.6%.
    """
    _check_flag(numeric, "numeric")
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not np.isfinite(scale):
        raise TypeError(f"scale must be a finite number, got {scale!r}")
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)):
        raise TypeError(f"decimals must be an int or None, got {decimals!r}")
    index = numerator.index if isinstance(numerator, pd.Series) else None
    name = numerator.name if isinstance(numerator, pd.Series) else None
    num = (
        _series_values(numerator, "numerator")
        if isinstance(numerator, pd.Series)
        else _as_count_array(numerator, "numerator")
    )
    if num.ndim != 1:
        raise ValueError(f"numerator must be one-dimensional, got shape {num.shape}")
    if isinstance(denominator, pd.Series):
        den = _series_values(denominator, "denominator")
    else:
        den = _as_count_array(denominator, "denominator")
    den = np.broadcast_to(den, num.shape) if den.ndim == 0 else den
    if den.shape != num.shape:
        raise ValueError(
            f"numerator and denominator differ in length ({num.shape[0]} vs {den.shape[0]})"
        )
    if (num > den).any():
        raise ValueError("a numerator exceeds its denominator; shares must be <= 100%")
    num_r, num_s = _apply_rule(num)
    den_r, den_s = _apply_rule(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(den_r > 0, scale * num_r / np.where(den_r > 0, den_r, 1), np.nan)
    if decimals is not None:
        share = np.round(share, decimals)
    hidden = num_s | den_s
    if numeric:
        share[hidden] = np.nan
        return pd.Series(share, index=index, name=name, dtype="float64")
    out = share.astype(object)
    out[hidden] = SUPPRESSED
    return pd.Series(out, index=index, name=name, dtype=object)
