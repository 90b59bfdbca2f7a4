"""Overlap of PCNs (or practices) with local authorities, in registered patients."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from layers.alignment._core import (
    PSEUDO_NAMES,
    Context,
    LaLevel,
    UnitLevel,
    check_threshold,
    name_of,
)
from layers.alignment._docs import alignment_doc
from layers.alignment.residence import _home_table, _unit_la_tab

__all__ = ["overlap_matrix", "straddling_units"]

Normalize = Literal["unit", "authority"]


@alignment_doc
def overlap_matrix(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    by: UnitLevel = "pcn",
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
    normalize: Normalize | None = None,
) -> pd.DataFrame:
    """Unit × local authority matrix of registered patients.

    Parameters
    ----------
    %(tables)s
    by : {"pcn", "practice"}
        Rows are PCNs (a practice in no PCN is its own row) or practices.
    %(la_level)s
    %(icb_units)s
    normalize : {None, "unit", "authority"}
        None: patient counts (int). "unit": each row sums to 1 (where the
        unit's patients live). "authority": each column sums to 1 (which of
        these units the authority's residents are registered with).

    Returns
    -------
    DataFrame
        Index ``unit_code`` (sorted), columns ``la_code`` ordered by total
        patients, with the Wales / unknown pseudo-authorities last.

    Raises
    ------
    TypeError, ValueError
        As for :func:`layers.alignment.residence_shares`; also for an unknown
        ``normalize``.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> matrix = overlap_matrix(toy.registrations, toy.lsoas, toy.practices)
    >>> print(matrix)  # doctest: +NORMALIZE_WHITESPACE
    la_code    E07000001  E07000002  W92000004  unknown
    unit_code
    A00004            80          0         15        5
    U00001          1300        100          0        0
    U00002           600        400          0        0
    U00003            50       1000          0        0
    """
    if normalize not in (None, "unit", "authority"):
        raise ValueError(f"normalize must be None, 'unit' or 'authority', got {normalize!r}.")
    ctx = Context(registrations, lsoas, practices)
    return _overlap_matrix(ctx, by, la_level, icb_code, normalize)


def _overlap_matrix(
    ctx: Context, by: str, la_level: str, icb_code: str | None, normalize: str | None
) -> pd.DataFrame:
    if normalize not in (None, "unit", "authority"):
        raise ValueError(f"normalize must be None, 'unit' or 'authority', got {normalize!r}.")
    tab, _, _ = _unit_la_tab(ctx, by, la_level, icb_code)
    counts = tab.counts
    pseudo = tab.areas.isin(list(PSEUDO_NAMES))
    # Biggest authorities first; pseudo-authorities at the end.
    order = np.lexsort((tab.areas.to_numpy(dtype=str), -counts.sum(axis=0), pseudo))
    matrix = pd.DataFrame(
        counts[:, order],
        index=pd.Index(tab.units.to_numpy(dtype=str), name="unit_code"),
        columns=pd.Index(tab.areas.to_numpy(dtype=str)[order], name="la_code"),
    )
    if normalize == "unit":
        return matrix.div(matrix.sum(axis=1).replace(0, np.nan), axis=0)
    if normalize == "authority":
        return matrix.div(matrix.sum(axis=0).replace(0, np.nan), axis=1)
    return matrix


@alignment_doc
def straddling_units(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    by: UnitLevel = "pcn",
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
    threshold: float = 0.9,
) -> pd.DataFrame:
    """Units whose home authority holds under ``threshold`` of their patients.

    Parameters
    ----------
    %(unit_args)s
    %(threshold)s

    Returns
    -------
    DataFrame
        The :func:`layers.alignment.home_authorities` columns of the
        straddling units, plus ``split``: every authority with its share, e.g.
        "Townham 60.0%; Fieldshire 40.0%". Sorted by home share, lowest first.

    Raises
    ------
    TypeError, ValueError
        As for :func:`layers.alignment.home_authorities`.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> out = straddling_units(toy.registrations, toy.lsoas, toy.practices)
    >>> print(out[["unit_code", "home_share", "split"]].to_string(index=False))
    unit_code  home_share                                         split
       U00002         0.6               Townham 60.0%; Fieldshire 40.0%
       A00004         0.8 Townham 80.0%; Wales 15.0%; Unknown LSOA 5.0%
    """
    ctx = Context(registrations, lsoas, practices)
    return _straddling_units(ctx, by, la_level, icb_code, threshold)


def _straddling_units(
    ctx: Context, by: str, la_level: str, icb_code: str | None, threshold: float
) -> pd.DataFrame:
    limit = check_threshold(threshold)
    tab, info, names = _unit_la_tab(ctx, by, la_level, icb_code)
    home = _home_table(tab, info, names, limit)
    keep = home["straddles"].to_numpy()
    home = home.loc[keep]

    long = tab.long()
    long = long.loc[long["unit_code"].isin(home["unit_code"])]
    total = pd.Series(tab.totals(), index=tab.units).reindex(long["unit_code"]).to_numpy()
    long = long.assign(share=long["patients"] / total, name=name_of(long["area_code"], names))
    long = long.sort_values(["unit_code", "share"], ascending=[True, False])
    label = long["name"] + " " + (100 * long["share"]).map("{:.1f}%".format)
    split = label.groupby(long["unit_code"], sort=False).agg("; ".join)

    home = home.assign(split=split.reindex(home["unit_code"]).to_numpy(dtype=object))
    home = home.sort_values(["home_share", "unit_code"], kind="stable").reset_index(drop=True)
    return home.astype({"split": "str"})
