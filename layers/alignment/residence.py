"""Residence-based alignment: where the patients of each PCN / practice live.

A unit is a PCN (``by="pcn"``) or a practice (``by="practice"``). With
``by="pcn"`` a practice in no PCN is its own unit (``unit_type``
``practice_no_pcn``), so it is reported rather than dropped. Patients whose
LSOA is Welsh count in the pseudo-authority ``W92000004`` (Wales); "NO2011" or
other codes missing from ``lsoas`` count as ``unknown``, which is never a home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.alignment._core import (
    Context,
    LaLevel,
    Tab,
    UnitLevel,
    authorities_in_icb,
    check_la_level,
    check_lsoas,
    check_threshold,
    check_unit_level,
    homes,
    name_of,
    unit_info,
    units_in_icb,
)
from layers.alignment._docs import alignment_doc

__all__ = ["authority_coterminosity", "home_authorities", "residence_shares"]


def _unit_la_tab(
    ctx: Context, by: str, la_level: str, icb_code: str | None
) -> tuple[Tab, pd.DataFrame, pd.Series]:
    """Tabulate units × authorities, for the units of one ICB when given."""
    key = ("unit_la", by, la_level, icb_code)
    return ctx.memo(key, lambda: _compute_unit_la_tab(ctx, by, la_level, icb_code))


def _compute_unit_la_tab(
    ctx: Context, by: str, la_level: str, icb_code: str | None
) -> tuple[Tab, pd.DataFrame, pd.Series]:
    level = check_la_level(la_level)
    units = ctx.units(check_unit_level(by))
    keep = None
    if icb_code is not None:
        keep = units_in_icb(units, ctx.practices, icb_code)
    by_practice = ctx.by_practice(("la", level), ctx.la_area(level))
    tab = ctx.group(by_practice, units["unit_code"].to_numpy(dtype=object), keep)
    info = unit_info(units, tab.practices).reindex(tab.units)
    return tab, info, ctx.la_names(level)


@alignment_doc
def residence_shares(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    by: UnitLevel = "pcn",
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
) -> pd.DataFrame:
    """Share of each unit's registered patients living in each local authority.

    Parameters
    ----------
    registrations : DataFrame
        practice_code, lsoa_code, patients (practice × LSOA of residence).
        Pass the England-wide table so residents of every authority are counted.
    lsoas : DataFrame
        lsoa_code and ``{la_level}_code`` (``{la_level}_name`` used if present),
        England-wide.
    practices : DataFrame
        practice_code, pcn_code (missing when in no PCN), icb_code; every
        registered practice must be present.
    %(by)s
    %(la_level)s
    icb_code : str, optional
        Keep only the units of practices in this ICB (e.g. "QRV").

    Returns
    -------
    DataFrame
        One row per unit × authority with patients: unit_code, unit_type,
        la_code, la_name, patients, share (of the unit's patients; a unit's
        shares sum to 1). Sorted by unit, then share descending.

    Raises
    ------
    TypeError
        If a table is not a DataFrame or ``patients`` is not numeric.
    ValueError
        On missing columns, an unknown level or ICB, or a registered practice
        missing from ``practices``.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> shares = residence_shares(toy.registrations, toy.lsoas, toy.practices)
    >>> print(shares.loc[shares["unit_code"] == "U00002", ["la_name", "patients", "share"]])
          la_name  patients  share
    5     Townham       600    0.6
    6  Fieldshire       400    0.4
    """
    ctx = Context(registrations, lsoas, practices)
    return _residence_shares(ctx, by, la_level, icb_code)


def _residence_shares(ctx: Context, by: str, la_level: str, icb_code: str | None) -> pd.DataFrame:
    tab, info, names = _unit_la_tab(ctx, by, la_level, icb_code)
    long = tab.long()
    totals = pd.Series(tab.totals(), index=tab.units)
    long["share"] = long["patients"] / totals.reindex(long["unit_code"]).to_numpy()
    long = long.sort_values(["unit_code", "share", "area_code"], ascending=[True, False, True])
    long = long.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "unit_code": long["unit_code"].to_numpy(dtype=object),
            "unit_type": info["unit_type"].reindex(long["unit_code"]).to_numpy(dtype=object),
            "la_code": long["area_code"].to_numpy(dtype=object),
            "la_name": name_of(long["area_code"], names),
            "patients": long["patients"].to_numpy(dtype=np.int64),
            "share": long["share"].to_numpy(dtype=np.float64),
        }
    )
    return out.astype({c: "str" for c in ("unit_code", "unit_type", "la_code", "la_name")})


def _home_table(tab: Tab, info: pd.DataFrame, names: pd.Series, threshold: float) -> pd.DataFrame:
    home = homes(tab)
    out = pd.DataFrame(
        {
            "unit_code": home["unit_code"],
            "unit_name": info["unit_name"].to_numpy(dtype=object),
            "unit_type": info["unit_type"].to_numpy(dtype=object),
            "pcn_code": info["pcn_code"].to_numpy(dtype=object),
            "icb_code": info["icb_code"].to_numpy(dtype=object),
            "n_practices": info["n_practices"].to_numpy(dtype=np.int64),
            "patients": home["patients"].astype(np.int64),
            "home_la_code": home["home_code"],
            "home_la_name": np.where(
                home["home_code"].isna(), None, name_of(home["home_code"], names)
            ),
            "home_patients": home["home_patients"].astype(np.int64),
            "home_share": home["home_share"].astype(np.float64),
            "second_la_code": home["second_code"],
            "second_la_name": np.where(
                home["second_code"].isna(), None, name_of(home["second_code"], names)
            ),
            "second_share": home["second_share"].astype(np.float64),
            "n_authorities": home["n_areas"].astype(np.int64),
            "straddles": (home["home_share"] < threshold).to_numpy(),
        }
    )
    text = ["unit_code", "unit_name", "unit_type", "pcn_code", "icb_code"]
    text += ["home_la_code", "home_la_name", "second_la_code", "second_la_name"]
    return out.astype({c: "str" for c in text})


@alignment_doc
def home_authorities(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    by: UnitLevel = "pcn",
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
    threshold: float = 0.9,
) -> pd.DataFrame:
    """Home authority of each unit and whether it straddles a boundary.

    The home authority is where most of the unit's patients live (ties: lowest
    code; "unknown" residences are never home but count in the total). A unit
    straddles when its home share is under ``threshold``.

    Parameters
    ----------
    %(unit_args)s
    threshold : float
        Home share below which a unit straddles, in (0, 1]; default 0.9.

    Returns
    -------
    DataFrame
        One row per unit: unit_code, unit_name (pcn_name / practice_name when
        ``practices`` has them), unit_type ("pcn", "practice_no_pcn" or
        "practice"), pcn_code, icb_code, n_practices, patients, home_la_code,
        home_la_name, home_patients, home_share, second_la_code, second_la_name,
        second_share, n_authorities (with patients), straddles.

    Raises
    ------
    TypeError, ValueError
        As for :func:`residence_shares`; also for a threshold outside (0, 1].

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> home = home_authorities(toy.registrations, toy.lsoas, toy.practices)
    >>> print(home[["unit_code", "unit_type", "home_la_name", "home_share", "straddles"]].round(4))
      unit_code        unit_type home_la_name  home_share  straddles
    0    A00004  practice_no_pcn      Townham      0.8000       True
    1    U00001              pcn      Townham      0.9286      False
    2    U00002              pcn      Townham      0.6000       True
    3    U00003              pcn   Fieldshire      0.9524      False
    """
    limit = check_threshold(threshold)
    ctx = Context(registrations, lsoas, practices)
    return _home_table(*_unit_la_tab(ctx, by, la_level, icb_code), limit)


@alignment_doc
def authority_coterminosity(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
    by: UnitLevel = "pcn",
) -> pd.DataFrame:
    """Coterminosity of each local authority with the PCNs homed in it, both ways.

    Every unit's home is computed England-wide, so that a PCN from a
    neighbouring ICB whose patients mostly live in the authority counts as
    homed there.

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        As for :func:`residence_shares`, England-wide. ``lsoas`` needs
        ``icb_code`` when ``icb_code`` is given; ``population`` is reported when
        present.
    %(la_level)s
    icb_code : str, optional
        Keep only authorities with at least one LSOA in this ICB.
    by : {"pcn", "practice"}
        Units whose home authority is used (default PCNs; a practice in no PCN
        is its own unit).

    Returns
    -------
    DataFrame
        One row per authority: la_code, la_name, population (if in ``lsoas``),
        resident_patients (registered anywhere), residents_at_home_units (of
        them, registered with units homed here), residents_coterminosity
        (= residents_at_home_units / resident_patients), n_home_units,
        home_unit_patients (all patients of units homed here),
        home_units_coterminosity (= residents_at_home_units / home_unit_patients).

    Raises
    ------
    TypeError, ValueError
        As for :func:`residence_shares`.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> cot = authority_coterminosity(toy.registrations, toy.lsoas, toy.practices)
    >>> print(cot[["la_name", "resident_patients", "residents_at_home_units"]])
          la_name  resident_patients  residents_at_home_units
    0     Townham               2030                     1980
    1  Fieldshire               1500                     1000
    >>> print(cot[["la_name", "residents_coterminosity", "home_units_coterminosity"]].round(4))
          la_name  residents_coterminosity  home_units_coterminosity
    0     Townham                   0.9754                    0.7920
    1  Fieldshire                   0.6667                    0.9524
    """
    ctx = Context(registrations, lsoas, practices)
    return _authority_coterminosity(ctx, la_level, icb_code, by)


def _authority_coterminosity(
    ctx: Context, la_level: str, icb_code: str | None, by: str
) -> pd.DataFrame:
    tab, _, names = _unit_la_tab(ctx, by, la_level, None)
    level = f"{la_level}_code"
    lsoas = lsoa = ctx.lsoas
    if icb_code is not None:
        check_lsoas(lsoas, ["icb_code"], unique=False)
        columns = [level, *(["population"] if "population" in lsoas.columns else [])]
        lsoa = lsoas.loc[authorities_in_icb(lsoas, level, icb_code), columns]
    la_codes = pd.Index(lsoa[level].drop_duplicates().sort_values().to_numpy(dtype=object))

    home = homes(tab)
    col = tab.areas.get_indexer(home["home_code"].fillna("").to_numpy(dtype=object))
    rows = np.flatnonzero(col >= 0)
    home_frame = pd.DataFrame(
        {
            "la_code": tab.areas.to_numpy(dtype=object)[col[rows]],
            "residents": tab.counts[rows, col[rows]],
            "patients": home["patients"].to_numpy()[rows],
        }
    )
    by_home = home_frame.groupby("la_code").agg(
        residents_at_home_units=("residents", "sum"),
        n_home_units=("residents", "size"),
        home_unit_patients=("patients", "sum"),
    )
    by_home = by_home.reindex(la_codes, fill_value=0)
    residents = pd.Series(tab.counts.sum(axis=0), index=tab.areas).reindex(la_codes, fill_value=0)

    out = pd.DataFrame({"la_code": la_codes.to_numpy(), "la_name": name_of(la_codes, names)})
    if "population" in lsoa.columns:
        population = lsoa.groupby(level)["population"].sum()
        out["population"] = population.reindex(la_codes).to_numpy(dtype=np.int64)
    out["resident_patients"] = residents.to_numpy(dtype=np.int64)
    out["residents_at_home_units"] = by_home["residents_at_home_units"].to_numpy(dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["residents_coterminosity"] = out["residents_at_home_units"] / out["resident_patients"]
        out["n_home_units"] = by_home["n_home_units"].to_numpy(dtype=np.int64)
        out["home_unit_patients"] = by_home["home_unit_patients"].to_numpy(dtype=np.int64)
        out["home_units_coterminosity"] = out["residents_at_home_units"] / out["home_unit_patients"]
    out = out.sort_values("resident_patients", ascending=False, kind="stable")
    return out.reset_index(drop=True).astype({"la_code": "str", "la_name": "str"})
