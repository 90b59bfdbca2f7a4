"""Place-by-place alignment summary: the data for a one-page card per place.

:func:`alignment_figures` computes every alignment table for one ICB at once.
A place is a local authority, or a group of them as named in the ICS's own
papers (e.g. the ``place_presets`` table). Units (PCNs; a practice in no PCN
is its own unit) are homed in the area where most of their patients live,
with places as areas inside the ICB and ICB codes outside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.alignment._core import (
    NO_PCN,
    PCN,
    Context,
    LaLevel,
    Places,
    check_icb_code,
    check_la_level,
    check_threshold,
    homes,
    name_of,
)
from layers.alignment._docs import alignment_doc
from layers.alignment.area import area_shares, compare_alignment
from layers.alignment.flows import (
    _by_place,
    _cross_boundary_flows,
    _flow_concentration,
    _ics_flow_summary,
    _place_flows,
    _places,
    _practice_icb,
)
from layers.alignment.lineage import merger_lineage, split_authorities
from layers.alignment.overlap import _overlap_matrix, _straddling_units
from layers.alignment.residence import (
    _authority_coterminosity,
    _home_table,
    _residence_shares,
    _unit_la_tab,
)
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = ["alignment_figures", "place_summary", "place_units"]


def _label(frame: pd.DataFrame, text: pd.Series, by: str) -> pd.Series:
    """Join ``text`` per ``by`` in frame order ("; "-separated)."""
    return text.groupby(frame[by].to_numpy(), sort=False).agg("; ".join)


def _home_units(
    ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str
) -> pd.DataFrame:
    """Units homed in the ICB's places: homes England-wide, places as areas inside the ICB.

    One row per unit (PCN; a practice in no PCN is its own unit) whose largest
    area is one of the ICB's places, with the :func:`homes` columns plus in_home,
    unit_type, unit_name and unit_icb. Memoised on the context (read-only).
    """

    def compute() -> pd.DataFrame:
        resolved = _places(ctx, icb_code, places, la_level)
        units = ctx.units(PCN)
        tab = ctx.group(
            _by_place(ctx, icb_code, places, la_level), units["unit_code"].to_numpy(dtype=object)
        )
        home = homes(tab)
        col = tab.areas.get_indexer(home["home_code"].fillna("").to_numpy(dtype=object))
        home["in_home"] = np.where(col >= 0, tab.counts[np.arange(len(col)), col], 0)
        home = home.loc[home["home_code"].isin(resolved.codes)].copy()
        first = units.drop_duplicates("unit_code").set_index("unit_code")
        home["unit_type"] = home["unit_code"].map(first["unit_type"])
        home["unit_name"] = home["unit_code"].map(first["unit_name"])
        home["unit_icb"] = home["unit_code"].map(first["icb_code"])
        return home

    return ctx.memo(("home_units", icb_code, id(places), la_level), compute)


@alignment_doc
def place_units(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
    *,
    places: pd.DataFrame | None = None,
    la_level: LaLevel = "ltla",
) -> pd.DataFrame:
    """The units homed in each of an ICB's places, with their home share.

    These are the units that :func:`place_summary` counts for each place (homes
    computed England-wide, with the ICB's places as areas inside it and ICB codes
    outside), so a place's straddling units at any threshold can be read off
    this table without recomputing the card (see
    :func:`layers.alignment.apply_threshold`).

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        As for :func:`place_summary`.
    %(icb_code)s
    places : DataFrame, optional
        As for :func:`place_summary`.
    %(places_la_level)s

    Returns
    -------
    DataFrame
        One row per unit homed in a place: place_code, place_name, unit_code,
        unit_name (pcn_name / practice_name when ``practices`` has them),
        unit_type ("pcn" or "practice_no_pcn"), icb_code (the unit's practices'
        ICB), patients (all the unit's registered patients), home_patients (of
        them, living in the place), home_share. Sorted by place code, then unit.

    Raises
    ------
    TypeError, ValueError
        As for :func:`place_summary`.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> units = place_units(toy.registrations, toy.lsoas, toy.practices, "QAA",
    ...                     places=toy.places)
    >>> print(units[["place_name", "unit_code", "home_patients", "home_share"]]
    ...       .round(4).to_string(index=False))
    place_name unit_code  home_patients  home_share
          Town    A00004             80      0.8000
          Town    U00001           1300      0.9286
          Town    U00002            600      0.6000
    """
    ctx = Context(registrations, lsoas, practices)
    return _place_units(ctx, icb_code, places, la_level)


def _place_units(
    ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str
) -> pd.DataFrame:
    home = _home_units(ctx, icb_code, places, la_level)
    names = _places(ctx, icb_code, places, la_level).names
    home = home.sort_values(["home_code", "unit_code"], kind="stable")
    out = pd.DataFrame(
        {
            "place_code": home["home_code"].to_numpy(dtype=object),
            "place_name": name_of(home["home_code"], names),
            "unit_code": home["unit_code"].to_numpy(dtype=object),
            "unit_name": home["unit_name"].to_numpy(dtype=object),
            "unit_type": home["unit_type"].to_numpy(dtype=object),
            "icb_code": home["unit_icb"].to_numpy(dtype=object),
            "patients": home["patients"].to_numpy(dtype=np.int64),
            "home_patients": home["in_home"].to_numpy(dtype=np.int64),
            "home_share": home["home_share"].to_numpy(dtype=np.float64),
        }
    )
    text = ["place_code", "place_name", "unit_code", "unit_name", "unit_type", "icb_code"]
    return out.astype({c: "str" for c in text})


@alignment_doc
def place_summary(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
    *,
    places: pd.DataFrame | None = None,
    la_level: LaLevel = "ltla",
    threshold: float = 0.9,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    """One row of alignment facts per place, for a local authority partner's card.

    Parameters
    ----------
    registrations : DataFrame
        practice_code, lsoa_code, patients, England-wide.
    lsoas : DataFrame
        England-wide: lsoa_code, icb_code, the places' authority codes,
        population; the lineage unit's name (ccg21_name in 2022, sicbl_name in
        2026), ``{level}_name`` and icb_name are used when present.
    practices : DataFrame
        practice_code, pcn_code, icb_code for every registered practice;
        pcn_name / practice_name label the straddling units when present.
    %(icb_code)s
    places : DataFrame, optional
        place_name and ltla_code or utla_code (place_code, icb_code optional).
        Default: every authority at ``la_level`` in the ICB is a place.
    %(places_la_level)s
    %(threshold)s
    vintage : {"2022", "2026"}
        The vintage of the tables (names the predecessor column).

    Returns
    -------
    DataFrame
        One row per place: place_code, place_name, la_codes, la_names,
        n_lsoas, population (the vintage's residents of the place's LSOAs in the ICB),
        resident_patients (registered anywhere), residents_at_icb_practices_share,
        top_outflow (largest other ICB its residents are registered in, with
        share), residents_at_home_units, residents_coterminosity (share of
        residents registered with units homed in the place), n_home_units,
        n_home_pcns, n_home_no_pcn_practices, home_unit_patients,
        home_units_coterminosity (share of those units' patients living in
        the place), n_straddling, straddling (units homed here with under
        ``threshold`` of their patients in the place), split_authorities
        (member authorities with LSOAs in other ICBs), and the predecessor units,
        largest first: ccg21_names (April 2021 CCGs) in 2022, sicbl_names (April
        2024 sub-ICB locations) in 2026.

    Raises
    ------
    TypeError, ValueError
        On wrong types, missing columns, an unknown ICB, malformed places, a
        threshold outside (0, 1] or unlisted practices.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> card = place_summary(toy.registrations, toy.lsoas, toy.practices, "QAA",
    ...                      places=toy.places, vintage="2022")
    >>> print(card[["place_name", "resident_patients", "residents_coterminosity",
    ...             "n_home_units"]].round(4).to_string(index=False))
    place_name  resident_patients  residents_coterminosity  n_home_units
          Town               2030                   0.9754             3
       Country                500                   0.0000             0
    >>> print(card.loc[0, "straddling"])
    A00004 (80% here); U00002 (60% here)
    >>> print(card.loc[1, "top_outflow"], "|", card.loc[1, "split_authorities"])
    Beta 60.0% | Fieldshire
    """
    ctx = Context(registrations, lsoas, practices)
    return _place_summary(ctx, icb_code, places, la_level, threshold, vintage)


def _place_summary(
    ctx: Context,
    icb_code: str,
    places: pd.DataFrame | None,
    la_level: str,
    threshold: float,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    limit = check_threshold(threshold)
    resolved = _places(ctx, icb_code, places, la_level)
    codes = resolved.codes
    resident, at_icb, top_outflow = _residents_by_icb(ctx, icb_code, places, la_level, resolved)
    per_place, straddling = _homed_units(ctx, icb_code, places, la_level, limit, codes)
    size, facts, names_column = _static_facts(ctx, icb_code, la_level, vintage, resolved)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "place_code": codes.to_numpy(dtype=object),
                "place_name": name_of(codes, resolved.names),
                "la_codes": facts["la_codes"],
                "la_names": facts["la_names"],
                "n_lsoas": size["n_lsoas"].to_numpy(dtype=np.int64),
                "resident_patients": resident.to_numpy(dtype=np.int64),
                "residents_at_icb_practices_share": (at_icb / resident).to_numpy(),
                "top_outflow": top_outflow.to_numpy(dtype=object),
                "residents_at_home_units": per_place["residents_at_home_units"].to_numpy(
                    dtype=np.int64
                ),
                "residents_coterminosity": (
                    per_place["residents_at_home_units"] / resident
                ).to_numpy(),
                "n_home_units": per_place["n_home_units"].to_numpy(dtype=np.int64),
                "n_home_pcns": per_place["n_home_pcns"].to_numpy(dtype=np.int64),
                "n_home_no_pcn_practices": per_place["n_home_no_pcn_practices"].to_numpy(
                    dtype=np.int64
                ),
                "home_unit_patients": per_place["home_unit_patients"].to_numpy(dtype=np.int64),
                "home_units_coterminosity": (
                    per_place["residents_at_home_units"] / per_place["home_unit_patients"]
                ).to_numpy(),
                "n_straddling": per_place["n_straddling"].to_numpy(dtype=np.int64),
                "straddling": straddling.to_numpy(dtype=object),
                "split_authorities": facts["split_authorities"],
                names_column: facts[names_column],
            }
        )
    if "population" in size.columns:
        out.insert(5, "population", size["population"].to_numpy(dtype=np.int64))
    text = ["place_code", "place_name", "la_codes", "la_names", "top_outflow", "straddling"]
    text += ["split_authorities", names_column]
    return out.astype({c: "str" for c in text})


def _residents_by_icb(
    ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str, resolved: Places
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Residents of each place, those at the ICB's practices, and the largest outflow.

    Residents are counted by the ICB of their practice (England-wide rows); the
    outflow is the other ICB with most of them, named with its share.
    """
    codes = resolved.codes
    by_icb = ctx.group(_by_place(ctx, icb_code, places, la_level), _practice_icb(ctx.practices))
    icb_counts = pd.DataFrame(by_icb.counts, index=by_icb.units, columns=by_icb.areas)
    icb_counts = icb_counts.reindex(columns=codes, fill_value=0)
    resident = icb_counts.sum(axis=0)
    at_icb = icb_counts.loc[icb_code] if icb_code in icb_counts.index else resident * 0
    others = icb_counts.drop(index=icb_code, errors="ignore")
    if len(others):
        top_code = others.idxmax(axis=0)
        top_n = others.max(axis=0)
    else:
        top_code, top_n = pd.Series(None, index=codes), pd.Series(0, index=codes)
    icb_names = ctx.icb_names()
    top_share = top_n / resident.where(resident > 0)
    top_outflow = pd.Series(name_of(top_code.fillna(""), icb_names), index=codes) + " "
    top_outflow = (top_outflow + (100 * top_share).map("{:.1f}%".format)).where(top_n > 0, "")
    return resident, at_icb, top_outflow


def _homed_units(
    ctx: Context,
    icb_code: str,
    places: pd.DataFrame | None,
    la_level: str,
    limit: float,
    codes: pd.Index,
) -> tuple[pd.DataFrame, pd.Series]:
    """Units homed in each place, and the straddling ones named with their share.

    Homes are England-wide; the places are those inside the ICB.
    """
    home = _home_units(ctx, icb_code, places, la_level).copy()
    home["straddles"] = home["home_share"] < limit
    home["label"] = (
        home["unit_name"].astype(str)
        + " ("
        + (100 * home["home_share"]).round().astype(int).astype(str)
        + "% here)"
    )
    per_place = home.groupby("home_code").agg(
        residents_at_home_units=("in_home", "sum"),
        n_home_units=("unit_code", "size"),
        n_home_pcns=("unit_type", lambda t: int((t == PCN).sum())),
        n_home_no_pcn_practices=("unit_type", lambda t: int((t == NO_PCN).sum())),
        home_unit_patients=("patients", "sum"),
        n_straddling=("straddles", "sum"),
    )
    per_place = per_place.reindex(codes, fill_value=0)
    straddlers = home.loc[home["straddles"]].sort_values(["home_code", "unit_code"])
    straddling = _label(straddlers, straddlers["label"], "home_code").reindex(codes).fillna("")
    return per_place, straddling


def _static_facts(
    ctx: Context, icb_code: str, la_level: str, vintage: str, resolved: Places
) -> tuple[pd.DataFrame, dict[str, np.ndarray], str]:
    """Static facts from the LSOA table: size, members, split authorities, former units.

    Returns each place's size (``n_lsoas``, ``population`` where known), its text
    columns, and the name of the former-unit column (e.g. ``ccg21_names``).
    """
    codes = resolved.codes
    lsoa = ctx.lsoas
    in_icb = lsoa["icb_code"] == icb_code
    members = resolved.members
    level = members["la_level"].iloc[0] if len(members) else la_level
    la_col = f"{level}_code"
    lineage = get_vintage(vintage).lineage
    unit_name = next(iter(lineage.values()))[1]
    names_column = f"{unit_name}s"
    static = [c for c in ("lsoa_code", "population", unit_name) if c in lsoa.columns]
    mine = lsoa.loc[in_icb, static].assign(
        _place=resolved.area_of_lsoa.to_numpy(dtype=object)[in_icb.to_numpy()]
    )
    size = mine.groupby("_place").agg(n_lsoas=("lsoa_code", "size"))
    if "population" in mine.columns:
        size["population"] = mine.groupby("_place")["population"].sum()
    size = size.reindex(codes, fill_value=0)
    n_icbs = lsoa.groupby(la_col)["icb_code"].nunique()
    split_members = members.loc[members["la_code"].map(n_icbs).fillna(1).to_numpy() > 1]
    split_names = _label(split_members, split_members["la_name"], "place_code")
    if unit_name in mine.columns:
        weight = "population" if "population" in mine.columns else "lsoa_code"
        ccgs = mine.groupby(["_place", unit_name])[weight].agg(
            "sum" if weight == "population" else "size"
        )
        ccgs = ccgs.rename("w").reset_index().sort_values(["_place", "w"], ascending=[True, False])
        ccg_names = _label(ccgs, ccgs[unit_name].astype(str), "_place")
    else:
        ccg_names = pd.Series(dtype=object)
    member_codes = _label(members, members["la_code"].astype(str), "place_code")
    member_names = _label(members, members["la_name"].astype(str), "place_code")
    facts = {
        "la_codes": member_codes,
        "la_names": member_names,
        "split_authorities": split_names,
        names_column: ccg_names,
    }
    text = {k: v.reindex(codes).fillna("").to_numpy(dtype=object) for k, v in facts.items()}
    return size, text, names_column


@alignment_doc
def alignment_figures(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
    *,
    places: pd.DataFrame | None = None,
    la_level: LaLevel = "ltla",
    threshold: float = 0.9,
    footprints: gpd.GeoDataFrame | None = None,
    authorities: gpd.GeoDataFrame | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> dict[str, pd.DataFrame]:
    """Every alignment table for one ICB, sharing one pass over the registrations.

    Equivalent to calling each public function of :mod:`layers.alignment` with
    the same arguments, but the registrations are validated and factorised
    once, which is what keeps a whole ICB under a second.

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        England-wide tables, as for :func:`place_summary` (``lsoas`` also
        needs population and the vintage's lineage columns: ccg21 / stp21 in
        2022, sicbl / icb24 in 2026). In the 2026 vintage registrations are
        *modelled from July 2022 patterns*, so every table built on them is.
    %(icb_code)s
    places : DataFrame, optional
        As for :func:`place_summary`.
    la_level : {"ltla", "utla"}
        Authority level of the residence, overlap and coterminosity tables.
    %(threshold)s
    footprints, authorities : GeoDataFrame, optional
        PCN footprints (unit_code) and authority polygons (la_code) at
        ``la_level``; when both are given the area-based tables are added.
    vintage : {"2022", "2026"}
        The tables' vintage. ``merger_lineage`` is the first lineage level
        (CCGs; sub-ICB locations) and ``stp_lineage`` the second (STPs; ICBs of
        April 2024).

    Returns
    -------
    dict of str to DataFrame
        Keys: residence_shares, practice_residence_shares, home_authorities,
        practice_home_authorities, straddling_units, overlap_matrix,
        authority_coterminosity, flow_summary, cross_boundary_flows,
        place_flows, flow_concentration, place_flow_concentration,
        merger_lineage, stp_lineage, split_authorities, place_summary,
        place_units; plus area_shares and alignment_comparison with geometry.

    Raises
    ------
    TypeError, ValueError
        As for the individual functions.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> figures = alignment_figures(toy.registrations, toy.lsoas, toy.practices, "QAA",
    ...                             places=toy.places, vintage="2022")
    >>> figures["straddling_units"]["unit_code"].tolist()
    ['U00002', 'A00004']
    >>> round(float(figures["flow_summary"].loc[0, "practice_resident_share"]), 3)
    0.872
    """
    limit = check_threshold(threshold)
    level = check_la_level(la_level)
    ctx = Context(registrations, lsoas, practices)
    check_icb_code(icb_code, ctx.practices["icb_code"], "practices['icb_code']")
    lineage_levels = list(get_vintage(vintage).lineage)
    out = {
        "residence_shares": _residence_shares(ctx, PCN, level, icb_code),
        "practice_residence_shares": _residence_shares(ctx, "practice", level, icb_code),
        "home_authorities": _home_table(*_unit_la_tab(ctx, PCN, level, icb_code), limit),
        "practice_home_authorities": _home_table(
            *_unit_la_tab(ctx, "practice", level, icb_code), limit
        ),
        "straddling_units": _straddling_units(ctx, PCN, level, icb_code, limit),
        "overlap_matrix": _overlap_matrix(ctx, PCN, level, icb_code, None),
        "authority_coterminosity": _authority_coterminosity(ctx, level, icb_code, PCN),
        "flow_summary": _ics_flow_summary(ctx, icb_code),
        "cross_boundary_flows": _cross_boundary_flows(ctx, icb_code),
        "place_flows": _place_flows(ctx, icb_code, places, level),
        "flow_concentration": _flow_concentration(ctx, icb_code, "icb", None, level),
        "place_flow_concentration": _flow_concentration(ctx, icb_code, "place", places, level),
        "merger_lineage": merger_lineage(
            ctx.lsoas, icb_code, level=lineage_levels[0], vintage=vintage
        ),
        "stp_lineage": merger_lineage(
            ctx.lsoas, icb_code, level=lineage_levels[1], vintage=vintage
        ),
        "split_authorities": split_authorities(ctx.lsoas, la_level=level, icb_code=icb_code),
        "place_summary": _place_summary(ctx, icb_code, places, level, limit, vintage),
        "place_units": _place_units(ctx, icb_code, places, level),
    }
    if footprints is not None and authorities is not None:
        out["area_shares"] = area_shares(footprints, authorities)
        out["alignment_comparison"] = compare_alignment(
            out["residence_shares"], out["area_shares"], threshold=limit
        )
    return out
