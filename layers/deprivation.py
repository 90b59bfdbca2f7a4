"""Deprivation of practices, PCNs and places, patient-weighted where patients are counted.

A practice's deprivation is that of where its registered patients live: each
practice × LSOA registration count weights the LSOA's IMD rank and decile (IMD 2019
on 2011 LSOAs in the 2022 vintage, IMD 2025 on 2021 LSOAs in the 2026 vintage).
Patients living in Wales or at an unknown address have no English IMD and are left
out of the weights (0.06% of patients in England).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "CORE20_DECILES",
    "CORE20_LABEL",
    "decile_of_rank",
    "is_core20",
    "practice_deprivation",
    "resident_deprivation",
    "unit_deprivation",
]

#: Core20: residents of national IMD deciles 1 and 2 (the most deprived 20%).
CORE20_DECILES = (1, 2)
#: Core20 in words, for titles, axes and notes.
CORE20_LABEL = "national IMD deciles 1–2"


def is_core20(deciles: pd.Series) -> pd.Series:
    """Whether each IMD decile is in Core20 (the most deprived 20% of England).

    The one definition of Core20 in the product; a missing decile is not Core20.

    Examples
    --------
    >>> is_core20(pd.Series([1, 2, 3, None], dtype="Int64")).tolist()
    [True, True, False, False]
    """
    return deciles.isin(CORE20_DECILES).fillna(False).astype(bool)


def decile_of_rank(rank: pd.Series, vintage: str = DEFAULT_VINTAGE) -> pd.Series:
    """The national IMD decile a (mean) rank falls in: 1 = the most deprived tenth.

    Ranks run from 1 to England's LSOA count in the vintage (32,844 LSOAs of 2011 for
    IMD 2019; 33,755 of 2021 for IMD 2025).

    Examples
    --------
    >>> decile_of_rank(pd.Series([1.0, 3284.4, 3285.0, 32844.0]), "2022").tolist()
    [1, 1, 2, 10]
    >>> decile_of_rank(pd.Series([3376.0]), "2026").tolist()
    [2]
    """
    n_lsoas = get_vintage(vintage).n_lsoas
    return pd.Series(
        np.clip(np.ceil(rank.to_numpy(dtype=float) / (n_lsoas / 10)), 1, 10), index=rank.index
    ).astype("Int64")


def practice_deprivation(
    registrations: pd.DataFrame, lsoas: pd.DataFrame, vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Patient-weighted deprivation of each practice.

    Parameters
    ----------
    registrations : DataFrame
        ``practice_code``, ``lsoa_code``, ``patients``.
    lsoas : DataFrame
        ``lsoa_code``, ``imd_rank``, ``imd_decile`` — pass the England-wide table so
        that patients living outside the ICS count too.
    vintage : {"2022", "2026"}
        The vintage of ``lsoas``: its IMD's number of ranks places the mean rank in
        a decile (:func:`decile_of_rank`).

    Returns
    -------
    DataFrame
        One row per practice: ``patients_with_imd``, ``core20_patients``,
        ``core20_share`` (0–1), ``mean_imd_rank`` (patient-weighted mean rank) and
        ``imd_decile`` (the national decile that mean rank falls in; 1 = most deprived).

    Examples
    --------
    >>> regs = pd.DataFrame({"practice_code": ["A", "A", "B"],
    ...                      "lsoa_code": ["L1", "L2", "L2"], "patients": [30, 10, 5]})
    >>> lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2"], "imd_rank": [100, 30000],
    ...                       "imd_decile": [1, 10]})
    >>> practice_deprivation(regs, lsoas, "2022")[["practice_code", "core20_share", "imd_decile"]]
      practice_code  core20_share  imd_decile
    0             A          0.75           3
    1             B          0.00          10
    """
    require_frame(registrations, ["practice_code", "lsoa_code", "patients"], "registrations")
    require_frame(lsoas, ["lsoa_code", "imd_rank", "imd_decile"], "lsoas")
    if (registrations["patients"] < 0).any():
        raise ValueError("registrations has negative patient counts.")
    joined = registrations.merge(
        lsoas[["lsoa_code", "imd_rank", "imd_decile"]], on="lsoa_code", how="inner"
    )
    joined = joined.assign(
        patients_with_imd=joined["patients"],
        core20_patients=is_core20(joined["imd_decile"]) * joined["patients"],
        rank_total=joined["imd_rank"] * joined["patients"],
    )
    return unit_deprivation(joined, "practice_code", vintage)


def unit_deprivation(parts: pd.DataFrame, by: str, vintage: str) -> pd.DataFrame:
    """The patient-weighted deprivation of units, summed from their parts.

    The one rule for a unit's Core20 share, mean IMD rank and decile, whether the
    parts are a practice's LSOAs or a PCN's practices.

    Parameters
    ----------
    parts : DataFrame
        ``by``, ``patients_with_imd``, ``core20_patients`` and ``rank_total`` (IMD rank
        times patients) of each part.
    by : str
        The column naming each part's unit.
    vintage : {"2022", "2026"}
        The IMD edition, for the decile of the mean rank.

    Returns
    -------
    DataFrame
        One row per unit: ``by``, ``patients_with_imd``, ``core20_patients``,
        ``core20_share`` (0–1), ``mean_imd_rank`` and ``imd_decile``.

    Examples
    --------
    >>> parts = pd.DataFrame({"pcn": ["P", "P"], "patients_with_imd": [30, 10],
    ...     "core20_patients": [30, 0], "rank_total": [30 * 100, 10 * 30000]})
    >>> unit_deprivation(parts, "pcn", "2022")[["core20_share", "mean_imd_rank", "imd_decile"]]
       core20_share  mean_imd_rank  imd_decile
    0          0.75         7575.0           3
    """
    out = parts.groupby(by, as_index=False).agg(
        patients_with_imd=("patients_with_imd", "sum"),
        core20_patients=("core20_patients", "sum"),
        rank_total=("rank_total", "sum"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["core20_share"] = out["core20_patients"] / out["patients_with_imd"]
        out["mean_imd_rank"] = out["rank_total"] / out["patients_with_imd"]
    out["imd_decile"] = decile_of_rank(out["mean_imd_rank"], vintage)
    return out.drop(columns="rank_total")


def resident_deprivation(lsoas: pd.DataFrame, by: str) -> pd.DataFrame:
    """Residents by IMD decile and the Core20 share, for units made of LSOAs (e.g. places).

    Parameters
    ----------
    lsoas : DataFrame
        ``population``, ``imd_decile`` and the unit column ``by``.
    by : str
        Unit column, e.g. ``"place_code"``.

    Returns
    -------
    DataFrame
        One row per unit: ``decile_1`` … ``decile_10`` residents, ``population``,
        ``core20_residents`` and ``core20_share`` (0–1).

    Examples
    --------
    >>> lsoas = pd.DataFrame({"place": ["a", "a", "b"], "population": [10, 30, 5],
    ...                       "imd_decile": [2, 7, 1]})
    >>> resident_deprivation(lsoas, "place")[["place", "population", "core20_share"]]
      place  population  core20_share
    0     a          40          0.25
    1     b           5          1.00
    """
    require_frame(lsoas, [by, "population", "imd_decile"], "lsoas")
    table = lsoas.pivot_table(
        index=by, columns="imd_decile", values="population", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=range(1, 11), fill_value=0)
    table.columns = [f"decile_{d}" for d in table.columns]
    table["population"] = table.sum(axis=1)
    table["core20_residents"] = table[[f"decile_{d}" for d in CORE20_DECILES]].sum(axis=1)
    table["core20_share"] = table["core20_residents"] / table["population"]
    return table.reset_index()
