"""Merger lineage: which units formed an ICB, and split authorities.

Both come from the LSOA table alone. In the 2022 vintage each 2011 LSOA carries its
April 2021 CCG and STP and its July 2022 ICB; in the 2026 vintage each 2021 LSOA
carries its April 2024 sub-ICB location and ICB and its April 2026 ICB
(:attr:`layers.vintages.Vintage.lineage`). The lineage is the LSOA cross-tabulation.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from layers.alignment._core import (
    LaLevel,
    check_icb_code,
    check_la_level,
    check_lsoas,
    la_names,
)
from layers.alignment._docs import alignment_doc
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = ["merger_lineage", "split_authorities"]

LineageLevel = Literal["ccg", "stp", "sicbl", "icb24"]


def _join_sorted(values: pd.Series) -> str:
    return ", ".join(sorted(str(v) for v in values.dropna().unique()))


@alignment_doc
def merger_lineage(
    lsoas: pd.DataFrame,
    icb_code: str,
    *,
    level: LineageLevel | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    """The predecessor units whose LSOAs make up an ICB.

    Parameters
    ----------
    lsoas : DataFrame
        England-wide: lsoa_code, icb_code, population and the vintage's lineage
        columns (2022: ccg21_code, ccg21_name, stp21_code, stp21_name; 2026:
        sicbl_code, sicbl_name, icb24_code, icb24_name).
    icb_code : str
        ICB code, e.g. "QRV" (2022) or "E54000071" (2026).
    level : str, optional
        Predecessor level: "ccg" or "stp" in 2022 (April 2021 CCGs or STPs), "sicbl"
        or "icb24" in 2026 (April 2024 sub-ICB locations or ICBs). Default: the first
        (CCGs, sub-ICB locations).
    vintage : {"2022", "2026"}

    Returns
    -------
    DataFrame
        One row per predecessor: its code and name columns (e.g. ``ccg21_code``,
        ``ccg21_name``; at the first level also the second level's code and name; at
        the second, ``n_ccgs`` or ``n_sicbls``), n_lsoas, population (residents of
        the vintage, in this ICB), share_of_icb (of the ICB's population),
        share_of_predecessor (of the predecessor's population now in this ICB), whole
        (all its LSOAs moved here), other_icbs (codes of the other ICBs that took part
        of it). Largest first.

    %(lsoas_raises)s

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> out = merger_lineage(toy_geography().lsoas, "QAA", vintage="2022")
    >>> print(out[["ccg21_name", "population", "share_of_predecessor", "whole", "other_icbs"]]
    ...       .round(4).to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
       ccg21_name  population  share_of_predecessor  whole other_icbs
     NHS Town CCG        2200                   1.0   True
    NHS Field CCG         600                   0.4  False        QBB
    """
    lineage = get_vintage(vintage).lineage
    unit_level, group_level = list(lineage)
    level = unit_level if level is None else level
    if level not in lineage:
        raise ValueError(
            f"level must be {unit_level!r} or {group_level!r} ({vintage} vintage), got {level!r}."
        )
    unit_code, unit_name = lineage[unit_level][:2]
    group_code, group_name = lineage[group_level][:2]
    columns = ["icb_code", "population", unit_code, unit_name, group_code, group_name]
    lsoa = check_lsoas(lsoas, columns)
    check_icb_code(icb_code, lsoa["icb_code"], "lsoas['icb_code']")
    key, name = lineage[level][:2]
    # Subset columns first: the geodata lsoas table has many age columns.
    lsoa = lsoa[["lsoa_code", *columns]]
    mine = lsoa.loc[lsoa["icb_code"] == icb_code]
    agg = {
        name: (name, "first"),
        "n_lsoas": ("lsoa_code", "size"),
        "population": ("population", "sum"),
    }
    if level == unit_level:
        agg |= {group_code: (group_code, "first"), group_name: (group_name, "first")}
    else:
        agg |= {f"n_{unit_level}s": (unit_code, "nunique")}
    out = mine.groupby(key, sort=True).agg(**agg)

    whole = lsoa.loc[lsoa[key].isin(out.index)]
    totals = whole.groupby(key).agg(n_all=("lsoa_code", "size"), pop_all=("population", "sum"))
    others = whole.loc[whole["icb_code"] != icb_code].groupby(key)["icb_code"].agg(_join_sorted)

    icb_population = mine["population"].sum()
    out["share_of_icb"] = out["population"] / icb_population if icb_population else np.nan
    pop_all = totals["pop_all"].reindex(out.index)
    out["share_of_predecessor"] = out["population"] / pop_all.where(pop_all > 0)
    out["whole"] = (out["n_lsoas"] == totals["n_all"].reindex(out.index)).to_numpy()
    out["other_icbs"] = others.reindex(out.index).fillna("").to_numpy(dtype=object)
    out = out.reset_index().sort_values(["population", key], ascending=[False, True])
    out = out.astype({"n_lsoas": np.int64, "population": np.int64}).reset_index(drop=True)
    text = [key, name, "other_icbs"]
    text += [group_code, group_name] if level == unit_level else []
    return out.astype({c: "str" for c in text})


@alignment_doc
def split_authorities(
    lsoas: pd.DataFrame,
    *,
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
) -> pd.DataFrame:
    """Local authorities whose LSOAs fall in more than one ICB.

    Parameters
    ----------
    lsoas : DataFrame
        lsoa_code, icb_code, ``{la_level}_code``, population (and
        ``{la_level}_name``, icb_name when present).
    %(la_level)s
    icb_code : str, optional
        Keep only split authorities with LSOAs in this ICB.

    Returns
    -------
    DataFrame
        One row per split authority × ICB: la_code, la_name, icb_code,
        icb_name, n_lsoas, population, share_of_la (of the authority's
        population). Sorted by authority, then population descending.

    %(lsoas_raises)s

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> out = split_authorities(toy_geography().lsoas)
    >>> print(out[["la_name", "icb_code", "population", "share_of_la"]].to_string(index=False))
       la_name icb_code  population  share_of_la
    Fieldshire      QBB         900          0.6
    Fieldshire      QAA         600          0.4
    """
    level = check_la_level(la_level)
    code = f"{level}_code"
    lsoa = check_lsoas(lsoas, ["icb_code", code, "population"])
    names = la_names(lsoa, level)
    # Subset columns first: the geodata lsoas table has 100+ age columns.
    keep = ["lsoa_code", "icb_code", code, "population"]
    lsoa = lsoa[keep + (["icb_name"] if "icb_name" in lsoa.columns else [])]
    grouped = lsoa.groupby([code, "icb_code"], sort=True).agg(
        n_lsoas=("lsoa_code", "size"), population=("population", "sum")
    )
    grouped = grouped.reset_index()
    n_icbs = grouped.groupby(code)["icb_code"].transform("size")
    split = grouped.loc[n_icbs > 1].copy()
    if icb_code is not None:
        check_icb_code(icb_code, lsoa["icb_code"], "lsoas['icb_code']")
        split = split.loc[split[code].isin(split.loc[split["icb_code"] == icb_code, code])]
    la_population = split.groupby(code)["population"].transform("sum")
    split["share_of_la"] = split["population"] / la_population.where(la_population > 0)
    split["la_name"] = split[code].map(names)
    if "icb_name" in lsoa.columns:
        icb_names = lsoa.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
        split["icb_name"] = split["icb_code"].map(icb_names)
    else:
        split["icb_name"] = split["icb_code"]
    split = split.rename(columns={code: "la_code"})
    split = split.sort_values(["la_code", "population"], ascending=[True, False])
    out = split[["la_code", "la_name", "icb_code", "icb_name", "n_lsoas", "population"]].copy()
    out["share_of_la"] = split["share_of_la"].to_numpy(dtype=np.float64)
    out = out.astype({"n_lsoas": np.int64, "population": np.int64}).reset_index(drop=True)
    return out.astype({c: "str" for c in ("la_code", "la_name", "icb_code", "icb_name")})
