"""Assign small areas to quantiles by rank, as PHE ``phe_quantile``.

Reproduces ``phe_quantile`` from the UKHSA R package PHEindicatormethods (the
OHID technical guide "Assigning Deprivation Categories"). Within each group:

1. Missing values get no quantile; ``N`` is the number of non-missing values.
2. With ``invert=True`` (the upstream default) values are replaced by
   ``max(values) - values`` so the *highest* value ranks first; with
   ``invert=False`` the lowest ranks first.
3. Ranks use the "min" tie rule (tied values share the lowest rank of the tie).
4. ``quantile = floor((n + 1) - ceil(((N + 1) - rank) / (N / n)))``, with 0
   raised to 1, where ``n`` is the number of quantiles. Rank 1 lands in
   quantile 1 and rank ``N`` in quantile ``n``.
5. Groups with fewer than ``n`` non-missing values get no quantiles (NaN) and
   a warning.

For deprivation: IMD *scores* (higher = more deprived) with ``invert=True``, or
IMD *ranks* (1 = most deprived) with ``invert=False``, put the most deprived
areas in quantile 1, the order :func:`~layers.inequality.sii.slope_index_of_inequality`
expects. Ties straddling a boundary all go to the quantile of their lowest rank;
upstream advises manual review of such cases.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from layers._checks import as_float_vector

__all__ = ["assign_quantiles", "quantiles_by_group"]

_TOO_FEW = "One or more groups had too few small areas to allow quantiles to be assigned"


def _check_n_quantiles(n_quantiles: int) -> int:
    if isinstance(n_quantiles, bool) or not isinstance(n_quantiles, (int, np.integer)):
        raise TypeError(f"n_quantiles must be an integer; got {n_quantiles!r}")
    if n_quantiles < 1:
        raise ValueError(f"n_quantiles must be at least 1; got {n_quantiles}")
    return int(n_quantiles)


def _check_invert(invert: object) -> bool:
    if not isinstance(invert, (bool, np.bool_)):
        raise TypeError(f"invert must be True or False; got {invert!r}")
    return bool(invert)


def _quantiles(values: NDArray[np.float64], n_quantiles: int, invert: bool) -> NDArray[np.float64]:
    """Quantiles for one group; NaN where missing or the group is too small."""
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    n_valid = int(ok.sum())
    if n_valid < n_quantiles:
        return out
    v = values[ok]
    adj = v.max() - v if invert else v
    # "min" ties: 1 + number of values strictly smaller
    rank = np.searchsorted(np.sort(adj), adj, side="left") + 1.0
    # same operation order as upstream so boundary cases round identically
    q = np.floor((n_quantiles + 1) - np.ceil(((n_valid + 1) - rank) / (n_valid / n_quantiles)))
    q[q == 0] = 1
    out[ok] = q
    return out


def assign_quantiles(
    values: ArrayLike, n_quantiles: int = 10, *, invert: bool = True
) -> NDArray[np.float64]:
    """Assign each value to a quantile (1..n_quantiles) by rank, as ``phe_quantile``.

    Parameters
    ----------
    values : array_like
        Values of the small areas of one group; NaN marks a missing value.
    n_quantiles : int, default 10
        Number of quantiles (10 for deciles).
    invert : bool, default True
        True: highest value in quantile 1; False: lowest value in quantile 1.

    Returns
    -------
    numpy.ndarray
        Float array of quantiles (1..n_quantiles), NaN where the value is missing
        or the group has fewer non-missing values than ``n_quantiles``.

    Raises
    ------
    TypeError
        If ``values`` is not numeric, ``n_quantiles`` not an integer or ``invert``
        not a bool.
    ValueError
        If ``values`` is empty or not 1-D, or ``n_quantiles < 1``.

    Warns
    -----
    UserWarning
        If there are fewer non-missing values than quantiles.

    Examples
    --------
    >>> assign_quantiles([5, 1, 4, 2, 3], n_quantiles=5, invert=False)
    array([5., 1., 4., 2., 3.])
    >>> assign_quantiles([10, 20, 30, 40], n_quantiles=2)  # highest first
    array([2., 2., 1., 1.])
    >>> assign_quantiles([1, 1, 1, 2], n_quantiles=2, invert=False)  # ties share
    array([1., 1., 1., 2.])
    """
    n_quantiles = _check_n_quantiles(n_quantiles)
    invert = _check_invert(invert)
    arr = as_float_vector(values, "values", allow_nan=True)
    out = _quantiles(arr, n_quantiles, invert)
    if (~np.isnan(arr) & np.isnan(out)).any():
        warnings.warn(_TOO_FEW, UserWarning, stacklevel=2)
    return out


def quantiles_by_group(
    data: pd.DataFrame,
    values: str,
    *,
    by: str | Sequence[str] | None = None,
    n_quantiles: int = 10,
    invert: bool | str = True,
) -> pd.Series:
    """Assign quantiles within groups of a table, as ``phe_quantile`` on a grouped frame.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per small area.
    values : str
        Numeric column to rank.
    by : str or sequence of str, optional
        Grouping columns; quantiles are assigned separately in each group.
    n_quantiles : int, default 10
        Number of quantiles.
    invert : bool or str, default True
        A bool for every group, or the name of a boolean column that must be
        constant within each group (upstream ``inverttype = "field"``).

    Returns
    -------
    pandas.Series
        Float quantiles aligned to ``data.index``, named ``"quantile"``.

    Raises
    ------
    KeyError
        If a named column is missing.
    TypeError
        If ``values`` is not numeric or the invert column is not boolean.
    ValueError
        If the invert column varies within a group.

    Warns
    -----
    UserWarning
        If any group has fewer non-missing values than quantiles.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": list("AAAABBBB"), "score": [4, 3, 2, 1, 1, 2, 3, 4]})
    >>> quantiles_by_group(df, "score", by="region", n_quantiles=2).tolist()
    [1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    n_quantiles = _check_n_quantiles(n_quantiles)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    invert_col = invert if isinstance(invert, str) else None
    needed = [values, *keys, *([invert_col] if invert_col else [])]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise KeyError(f"columns not found in data: {missing}")
    if not pd.api.types.is_numeric_dtype(data[values]) or pd.api.types.is_bool_dtype(data[values]):
        raise TypeError(f"values column {values!r} must be numeric; got {data[values].dtype}")
    if invert_col is None:
        invert_flag = _check_invert(invert)
    elif not pd.api.types.is_bool_dtype(data[invert_col]):
        raise TypeError(
            f"invert column {invert_col!r} must be boolean; got {data[invert_col].dtype}"
        )

    out = pd.Series(np.nan, index=data.index, name="quantile", dtype="float64")
    positions = np.arange(len(data))
    groups = data.groupby(keys, sort=False, dropna=False).indices.values() if keys else [positions]
    too_few = False
    vals = data[values].to_numpy(dtype="float64", na_value=math.nan)
    for idx in groups:
        if invert_col is not None:
            flags = data[invert_col].iloc[idx].unique()
            if len(flags) != 1:
                raise ValueError(
                    f"invert column {invert_col!r} must take the same value within each group"
                )
            invert_flag = bool(flags[0])
        q = _quantiles(vals[idx], n_quantiles, invert_flag)
        too_few |= bool((~np.isnan(vals[idx]) & np.isnan(q)).any())
        out.iloc[idx] = q
    if too_few:
        warnings.warn(_TOO_FEW, UserWarning, stacklevel=2)
    return out
