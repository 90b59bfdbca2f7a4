"""Area-based alignment: PCN footprints intersected with local authority polygons.

Area and residence can disagree: a footprint whose area is mostly sparse
rural LSOAs in one authority may hold patients who mostly live in a town in
another. :func:`compare_alignment` puts both views side by side and says why
they differ.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers._checks import require_frame, require_geoframe
from layers.alignment._core import (
    UNKNOWN_CODE,
    Context,
    LaLevel,
    UnitLevel,
    authorities_in_icb,
    check_la_level,
    check_lsoas,
    check_threshold,
    check_unique,
    check_unit_level,
    la_names,
    units_in_icb,
)
from layers.alignment._docs import alignment_doc

__all__ = ["area_shares", "authority_polygons", "compare_alignment", "plurality_footprints"]

#: Equal-area-enough projected CRS for England (British National Grid).
AREA_CRS = "EPSG:27700"


def _lsoa_geometry_for(lsoa_geometry: gpd.GeoDataFrame, codes: pd.Series) -> gpd.GeoDataFrame:
    return lsoa_geometry.loc[lsoa_geometry["lsoa_code"].isin(codes)]


@alignment_doc
def authority_polygons(
    lsoa_geometry: gpd.GeoDataFrame,
    lsoas: pd.DataFrame,
    *,
    la_level: LaLevel = "ltla",
    icb_code: str | None = None,
) -> gpd.GeoDataFrame:
    """Local authority polygons dissolved from their LSOAs.

    Parameters
    ----------
    lsoa_geometry : GeoDataFrame
        lsoa_code, geometry (any CRS).
    lsoas : DataFrame
        lsoa_code, ``{la_level}_code`` (``{la_level}_name`` used if present),
        and icb_code when ``icb_code`` is given.
    %(la_level)s
    icb_code : str, optional
        Keep the whole of every authority with an LSOA in this ICB.

    Returns
    -------
    GeoDataFrame
        la_code, la_name, n_lsoas, geometry, in the CRS of ``lsoa_geometry``,
        sorted by la_code.

    Raises
    ------
    TypeError
        If ``lsoa_geometry`` is not a GeoDataFrame or ``lsoas`` not a DataFrame.
    ValueError
        On missing columns or CRS, or an unknown level or ICB.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> las = authority_polygons(toy.lsoa_geometry, toy.lsoas)
    >>> las["la_name"].tolist(), (las.area / 1e6).round(1).tolist()
    (['Townham', 'Fieldshire'], [2.0, 10.0])
    """
    geo = require_geoframe(lsoa_geometry, ["lsoa_code", "geometry"], "lsoa_geometry")
    level = check_la_level(la_level)
    code = f"{level}_code"
    lsoa = check_lsoas(lsoas, [code])
    if icb_code is not None:
        check_lsoas(lsoas, ["icb_code"])
        columns = [c for c in ("lsoa_code", code, f"{level}_name") if c in lsoa.columns]
        lsoa = lsoa.loc[authorities_in_icb(lsoa, code, icb_code), columns]
    joined = _lsoa_geometry_for(geo, lsoa["lsoa_code"])[["lsoa_code", "geometry"]].merge(
        lsoa[["lsoa_code", code]], on="lsoa_code"
    )
    out = joined.dissolve(by=code, aggfunc={"lsoa_code": "size"}, sort=True)
    out = out.rename(columns={"lsoa_code": "n_lsoas"}).rename_axis("la_code").reset_index()
    out["la_name"] = out["la_code"].map(la_names(lsoa, level)).astype("str")
    out["la_code"] = out["la_code"].astype("str")
    return out[["la_code", "la_name", "n_lsoas", "geometry"]]


def plurality_footprints(
    registrations: pd.DataFrame,
    lsoa_geometry: gpd.GeoDataFrame,
    practices: pd.DataFrame,
    *,
    by: UnitLevel = "pcn",
    icb_code: str | None = None,
) -> gpd.GeoDataFrame:
    """Footprint of each unit: the LSOAs where it registers the most residents.

    PCNs have no official boundaries. Here each LSOA of ``lsoa_geometry`` goes to
    the unit (among the ICB's units when ``icb_code`` is given) with the most
    registered residents there; ties go to the lowest unit code. Footprints
    therefore tile the LSOAs and never overlap.

    Parameters
    ----------
    registrations : DataFrame
        practice_code, lsoa_code, patients.
    lsoa_geometry : GeoDataFrame
        lsoa_code, geometry: the LSOAs to share out (e.g. the ICB's).
    practices : DataFrame
        practice_code, pcn_code, icb_code.
    by : {"pcn", "practice"}
        Unit; with "pcn" a practice in no PCN is its own unit.
    icb_code : str, optional
        Compete only among units of practices in this ICB.

    Returns
    -------
    GeoDataFrame
        unit_code, n_lsoas, patients (residents of the footprint registered with
        the unit), geometry, in the CRS of ``lsoa_geometry``, sorted by unit.

    Raises
    ------
    TypeError, ValueError
        On wrong types, missing columns or CRS, unknown level or ICB.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> fp = plurality_footprints(toy.registrations, toy.lsoa_geometry, toy.practices)
    >>> print(fp[["unit_code", "n_lsoas", "patients"]].to_string(index=False))
    unit_code  n_lsoas  patients
       U00001        1       800
       U00002        1       600
       U00003        2      1000
    """
    geo = require_geoframe(lsoa_geometry, ["lsoa_code", "geometry"], "lsoa_geometry")
    check_unique(geo, "lsoa_geometry", "lsoa_code")
    lsoa_codes = geo["lsoa_code"].to_numpy(dtype=object)
    ctx = Context(registrations, pd.DataFrame({"lsoa_code": lsoa_codes}), practices)
    units = ctx.units(check_unit_level(by))
    rows = ctx.lsoa_rows(lsoa_codes)
    if icb_code is not None:
        rows &= ctx.practice_rows(units.index[units_in_icb(units, ctx.practices, icb_code)])
    # Areas are the LSOAs themselves: a units × LSOAs matrix, argmax per column.
    tab = ctx.tabulate(units["unit_code"].to_numpy(dtype=object), lsoa_codes, rows)
    if tab.counts.size == 0:
        empty = gpd.GeoDataFrame(
            {"unit_code": [], "n_lsoas": [], "patients": []}, geometry=[], crs=geo.crs
        )
        return empty.astype({"unit_code": "str", "n_lsoas": np.int64, "patients": np.int64})
    winner = tab.counts.argmax(axis=0)
    won = pd.DataFrame(
        {
            "lsoa_code": tab.areas.to_numpy(dtype=object),
            "unit_code": tab.units.to_numpy(dtype=object)[winner],
            "patients": tab.counts[winner, np.arange(len(tab.areas))],
        }
    )
    won = won.loc[won["patients"] > 0]
    joined = geo[["lsoa_code", "geometry"]].merge(won, on="lsoa_code")
    out = joined.dissolve(
        by="unit_code", aggfunc={"lsoa_code": "size", "patients": "sum"}, sort=True
    )
    out = out.rename(columns={"lsoa_code": "n_lsoas"}).reset_index()
    out["unit_code"] = out["unit_code"].astype("str")
    out = out.astype({"n_lsoas": np.int64, "patients": np.int64})
    return out[["unit_code", "n_lsoas", "patients", "geometry"]]


def area_shares(
    footprints: gpd.GeoDataFrame,
    authorities: gpd.GeoDataFrame,
    *,
    unit_col: str = "unit_code",
    la_col: str = "la_code",
    area_crs: str = AREA_CRS,
) -> pd.DataFrame:
    """Share of each footprint's area lying in each local authority.

    Parameters
    ----------
    footprints : GeoDataFrame
        One polygon per unit, with ``unit_col``.
    authorities : GeoDataFrame
        One polygon per authority, with ``la_col`` (and ``la_name`` if present),
        in the same CRS as ``footprints``.
    unit_col, la_col : str
        Key columns.
    area_crs : str
        Projected CRS in which areas are measured when the inputs are
        geographic (default British National Grid).

    Returns
    -------
    DataFrame
        unit_code, la_code, la_name, area_km2, share (of the footprint's area),
        for every intersecting pair with positive area; sorted by unit, then
        share descending.

    Raises
    ------
    TypeError
        If an input is not a GeoDataFrame.
    ValueError
        On missing columns, missing CRS, or a CRS mismatch between the inputs.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> las = authority_polygons(toy.lsoa_geometry, toy.lsoas)
    >>> shares = area_shares(toy.footprints, las)
    >>> print(shares.loc[shares["unit_code"] == "U00002"].to_string(index=False))
    unit_code   la_code    la_name  area_km2  share
       U00002 E07000002 Fieldshire       9.0    0.9
       U00002 E07000001    Townham       1.0    0.1
    """
    foot = require_geoframe(footprints, [unit_col, "geometry"], "footprints")
    auth = require_geoframe(authorities, [la_col, "geometry"], "authorities")
    if not foot.crs.equals(auth.crs):
        raise ValueError(
            f"CRS mismatch: footprints are in {foot.crs.to_string()} but authorities in "
            f"{auth.crs.to_string()}; reproject one with .to_crs() first."
        )
    if foot.crs.is_geographic:
        foot, auth = foot.to_crs(area_crs), auth.to_crs(area_crs)
    foot_geoms = foot.geometry.to_numpy()
    auth_geoms = auth.geometry.to_numpy()
    tree = shapely.STRtree(auth_geoms)
    f_idx, a_idx = tree.query(foot_geoms, predicate="intersects")
    inter = shapely.area(shapely.intersection(foot_geoms[f_idx], auth_geoms[a_idx]))
    total = shapely.area(foot_geoms)[f_idx]
    names = auth["la_name"] if "la_name" in auth.columns else auth[la_col]
    out = pd.DataFrame(
        {
            "unit_code": foot[unit_col].to_numpy(dtype=object)[f_idx],
            "la_code": auth[la_col].to_numpy(dtype=object)[a_idx],
            "la_name": names.to_numpy(dtype=object)[a_idx],
            "area_km2": inter / 1e6,
            "share": np.divide(inter, total, out=np.zeros_like(inter), where=total > 0),
        }
    )
    out = out.loc[out["area_km2"] > 0]
    out = out.sort_values(["unit_code", "share", "la_code"], ascending=[True, False, True])
    out = out.reset_index(drop=True)
    return out.astype({"unit_code": "str", "la_code": "str", "la_name": "str"})


def _top(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest share per unit (ties: lowest la_code), unknown residences excluded."""
    frame = frame.loc[frame["la_code"] != UNKNOWN_CODE]
    frame = frame.sort_values(["unit_code", "share", "la_code"], ascending=[True, False, True])
    return frame.drop_duplicates("unit_code").set_index("unit_code")


def _pct(values: pd.Series) -> pd.Series:
    return (100 * values.fillna(0.0)).round().astype(int).astype(str) + "%"


def _categories(out: pd.DataFrame) -> np.ndarray:
    """Why the two views of each unit agree or differ (see :func:`compare_alignment`)."""
    has_res, has_area = out["residence_home_code"].notna(), out["area_home_code"].notna()
    same_home = out["residence_home_code"] == out["area_home_code"]
    same_flag = out["residence_straddles"] == out["area_straddles"]
    # Concentration: share of patients per share of area; < 1 means sparse.
    with np.errstate(divide="ignore", invalid="ignore"):
        density_area_home = out["residence_share_in_area_home"] / out["area_home_share"]
        density_res_home = out["residence_home_share"] / out["area_share_in_residence_home"]
    outside = out["area_share_in_residence_home"] < 0.01
    sparse = (density_area_home < 1) & (density_res_home > density_area_home)
    conditions = [
        ~has_area,
        ~has_res,
        same_home & same_flag,
        same_home,
        outside,
        sparse,
    ]
    categories = [
        "no_footprint",
        "no_patients",
        "agree",
        "straddle_differs",
        "patients_outside_footprint",
        "sparse_area",
    ]
    return np.select(conditions, categories, default="differ")


def _explanations(out: pd.DataFrame, limit: float) -> pd.Series:
    """Each unit's category in a sentence, with its shares."""
    r_name, a_name = out["residence_home_name"].fillna(""), out["area_home_name"].fillna("")
    r_pct, a_pct = _pct(out["residence_home_share"]), _pct(out["area_home_share"])
    r_in_a, a_in_r = (
        _pct(out["residence_share_in_area_home"]),
        _pct(out["area_share_in_residence_home"]),
    )
    texts = {
        "no_footprint": "No footprint polygon; " + r_pct + " of patients live in " + r_name + ".",
        "no_patients": "No registered patients; "
        + a_pct
        + " of the footprint is in "
        + a_name
        + ".",
        "agree": "Both views put it in "
        + r_name
        + " ("
        + r_pct
        + " of patients, "
        + a_pct
        + " of area).",
        "straddle_differs": r_pct
        + " of patients live in "
        + r_name
        + " and "
        + a_pct
        + " of the footprint's area is there, so only one view crosses the "
        + f"{limit:.0%} threshold: "
        + np.where(
            out["residence_home_share"] < out["area_home_share"],
            "many patients live beyond the footprint.",
            "the rest of the footprint is sparsely populated.",
        ),
        "patients_outside_footprint": r_pct
        + " of patients live in "
        + r_name
        + ", beyond the footprint, which lies "
        + a_pct
        + " in "
        + a_name
        + ".",
        "sparse_area": a_pct
        + " of the footprint's area is in "
        + a_name
        + ", which holds only "
        + r_in_a
        + " of patients; "
        + r_pct
        + " live in "
        + r_name
        + ", on "
        + a_in_r
        + " of the area: the "
        + a_name
        + " part is sparsely populated and patients concentrate in "
        + r_name
        + ".",
        "differ": "Most patients ("
        + r_pct
        + ") live in "
        + r_name
        + " but most area ("
        + a_pct
        + ") is in "
        + a_name
        + ".",
    }
    explanation = pd.Series("", index=out.index, dtype=object)
    for category, text in texts.items():
        mask = out["category"] == category
        explanation[mask] = text[mask]
    return explanation


def compare_alignment(
    residence: pd.DataFrame,
    area: pd.DataFrame,
    *,
    threshold: float = 0.9,
) -> pd.DataFrame:
    """Residence-based and area-based home authorities side by side, with why they differ.

    Parameters
    ----------
    residence : DataFrame
        Output of :func:`layers.alignment.residence_shares` (unit_code,
        la_code, la_name, share).
    area : DataFrame
        Output of :func:`area_shares` (unit_code, la_code, share; la_name
        used if present), at the same authority level.
    threshold : float
        Straddle threshold for both views, in (0, 1]; default 0.9.

    Returns
    -------
    DataFrame
        One row per unit in either input: unit_code, residence_home_code,
        residence_home_name, residence_home_share, area_home_code,
        area_home_name, area_home_share, residence_share_in_area_home,
        area_share_in_residence_home, residence_straddles, area_straddles,
        category and explanation. Categories:

        - ``agree``: same home authority and same straddle verdict.
        - ``straddle_differs``: same home, but only one view straddles.
        - ``sparse_area``: homes differ; the area home holds fewer patients
          than its area share (sparse, often rural) while the residence home
          holds more (patients concentrated, often in a town).
        - ``patients_outside_footprint``: the residence home has (almost) none
          of the footprint's area: patients live beyond the footprint.
        - ``differ``: homes differ for another reason.
        - ``no_footprint`` / ``no_patients``: only one view exists (e.g. a
          practice in no PCN has no PCN footprint).

    Raises
    ------
    TypeError
        If an input is not a DataFrame.
    ValueError
        On missing columns or a threshold outside (0, 1].

    Examples
    --------
    >>> from layers.alignment import residence_shares
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> res = residence_shares(toy.registrations, toy.lsoas, toy.practices)
    >>> ar = area_shares(toy.footprints, authority_polygons(toy.lsoa_geometry, toy.lsoas))
    >>> out = compare_alignment(res, ar)
    >>> print(out[["unit_code", "residence_home_name", "area_home_name", "category"]])
      unit_code residence_home_name area_home_name      category
    0    A00004             Townham            NaN  no_footprint
    1    U00001             Townham        Townham         agree
    2    U00002             Townham     Fieldshire   sparse_area
    3    U00003          Fieldshire     Fieldshire         agree
    >>> import textwrap
    >>> print(textwrap.fill(out.loc[2, "explanation"], 79))
    90% of the footprint's area is in Fieldshire, which holds only 40% of patients;
    60% live in Townham, on 10% of the area: the Fieldshire part is sparsely
    populated and patients concentrate in Townham.
    """
    limit = check_threshold(threshold)
    res = require_frame(residence, ["unit_code", "la_code", "share"], "residence")
    ar = require_frame(area, ["unit_code", "la_code", "share"], "area")
    names = pd.concat(
        [
            res.set_index("la_code")["la_name"] if "la_name" in res.columns else pd.Series(),
            ar.set_index("la_code")["la_name"] if "la_name" in ar.columns else pd.Series(),
        ]
    )
    names = names[~names.index.duplicated()]

    r_top, a_top = _top(res), _top(ar)
    units = r_top.index.union(a_top.index).sort_values()
    out = pd.DataFrame(index=pd.Index(units, name="unit_code"))
    out["residence_home_code"] = r_top["la_code"].reindex(units)
    out["residence_home_share"] = r_top["share"].reindex(units)
    out["area_home_code"] = a_top["la_code"].reindex(units)
    out["area_home_share"] = a_top["share"].reindex(units)
    res_share = res.set_index(["unit_code", "la_code"])["share"]
    area_share = ar.set_index(["unit_code", "la_code"])["share"]
    at_area_home = pd.MultiIndex.from_arrays([units, out["area_home_code"].fillna("")])
    at_res_home = pd.MultiIndex.from_arrays([units, out["residence_home_code"].fillna("")])
    out["residence_share_in_area_home"] = res_share.reindex(at_area_home).fillna(0.0).to_numpy()
    out["area_share_in_residence_home"] = area_share.reindex(at_res_home).fillna(0.0).to_numpy()
    has_res, has_area = out["residence_home_code"].notna(), out["area_home_code"].notna()
    both = has_res & has_area
    out.loc[~both, ["residence_share_in_area_home", "area_share_in_residence_home"]] = np.nan
    out["residence_straddles"] = (out["residence_home_share"] < limit).astype("boolean")
    out["area_straddles"] = (out["area_home_share"] < limit).astype("boolean")
    out.loc[~has_res, "residence_straddles"] = pd.NA
    out.loc[~has_area, "area_straddles"] = pd.NA
    out.insert(1, "residence_home_name", out["residence_home_code"].map(names))
    out.insert(4, "area_home_name", out["area_home_code"].map(names))

    out["category"] = _categories(out)
    out["explanation"] = _explanations(out, limit)
    out = out.reset_index()
    text_cols = ["unit_code", "residence_home_code", "residence_home_name", "area_home_code"]
    text_cols += ["area_home_name", "category", "explanation"]
    return out.astype({c: "str" for c in text_cols})
