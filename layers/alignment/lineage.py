"""Merger lineage: which 2021 CCGs / STP formed a 2022 ICB, and split authorities.

Both come from the LSOA table alone: each 2011 LSOA carries its April 2021 CCG
and STP and its July 2022 ICB, so the lineage is the LSOA cross-tabulation.
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

__all__ = ["merger_lineage", "split_authorities"]

LineageLevel = Literal["ccg", "stp"]


def _join_sorted(values: pd.Series) -> str:
    return ", ".join(sorted(str(v) for v in values.dropna().unique()))


def merger_lineage(
    lsoas: pd.DataFrame,
    icb_code: str,
    *,
    level: LineageLevel = "ccg",
) -> pd.DataFrame:
    """The 2021 CCGs (or STPs) whose LSOAs make up a 2022 ICB.

    Parameters
    ----------
    lsoas : DataFrame
        England-wide: lsoa_code, icb_code, population, ccg21_code, ccg21_name,
        stp21_code, stp21_name.
    icb_code : str
        NHS ICB code, e.g. "QRV".
    level : {"ccg", "stp"}
        Predecessor level.

    Returns
    -------
    DataFrame
        One row per predecessor: ``{level}21_code``, ``{level}21_name`` (with
        "ccg", also stp21_code and stp21_name; with "stp", n_ccgs), n_lsoas,
        population (mid-2020, in this ICB), share_of_icb (of the ICB's
        population), share_of_predecessor (of the predecessor's population now
        in this ICB), whole (all its LSOAs moved here), other_icbs (codes of the
        other 2022 ICBs that took part of it). Largest first.

    Raises
    ------
    TypeError
        If ``lsoas`` is not a DataFrame.
    ValueError
        On missing columns, an unknown ICB or level.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> out = merger_lineage(toy_geography().lsoas, "QAA")
    >>> print(out[["ccg21_name", "population", "share_of_predecessor", "whole", "other_icbs"]]
    ...       .round(4).to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
       ccg21_name  population  share_of_predecessor  whole other_icbs
     NHS Town CCG        2200                   1.0   True
    NHS Field CCG         600                   0.4  False        QBB
    """
    if level not in ("ccg", "stp"):
        raise ValueError(f"level must be 'ccg' or 'stp', got {level!r}.")
    columns = ["icb_code", "population", "ccg21_code", "ccg21_name", "stp21_code", "stp21_name"]
    lsoa = check_lsoas(lsoas, columns)
    check_icb_code(icb_code, lsoa["icb_code"], "lsoas['icb_code']")
    key = f"{level}21_code"
    # Subset columns first: the geodata lsoas table has 100+ age columns.
    lsoa = lsoa[["lsoa_code", *columns]]
    mine = lsoa.loc[lsoa["icb_code"] == icb_code]
    agg = {
        f"{level}21_name": (f"{level}21_name", "first"),
        "n_lsoas": ("lsoa_code", "size"),
        "population": ("population", "sum"),
    }
    if level == "ccg":
        agg |= {"stp21_code": ("stp21_code", "first"), "stp21_name": ("stp21_name", "first")}
    else:
        agg |= {"n_ccgs": ("ccg21_code", "nunique")}
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
    text = [key, f"{level}21_name", "other_icbs"]
    text += ["stp21_code", "stp21_name"] if level == "ccg" else []
    return out.astype({c: "str" for c in text})


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
    la_level : {"ltla", "utla"}
        Lower-tier district or upper-tier authority.
    icb_code : str, optional
        Keep only split authorities with LSOAs in this ICB.

    Returns
    -------
    DataFrame
        One row per split authority × ICB: la_code, la_name, icb_code,
        icb_name, n_lsoas, population, share_of_la (of the authority's
        population). Sorted by authority, then population descending.

    Raises
    ------
    TypeError
        If ``lsoas`` is not a DataFrame.
    ValueError
        On missing columns, an unknown level or ICB.

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
