"""Every cached loader the pages use, in one place.

Shared read-only data (the five layers of an ICS, figures) is held once per server
with ``st.cache_resource``; small derived tables use ``st.cache_data``. All keys are
plain strings and tuples, so they hash cheaply.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import layers
from layers import england
from layers.maps import system_map


@st.cache_data(show_spinner=False)
def systems() -> pd.DataFrame:
    """The 42 ICSs with codes, names and populations."""
    return layers.list_systems()


@st.cache_resource(show_spinner="Loading the five layers…", max_entries=48)
def system(code: str, place_definition: str) -> layers.System:
    """The five layers of one ICS (shared, read-only: never modify the result)."""
    return layers.load_system(code, place_definition)


@st.cache_resource(show_spinner="Drawing the map…", max_entries=96)
def map_figure(code: str, place_definition: str, measure: str, shown: tuple[str, ...]) -> go.Figure:
    """The five-layer map (shared, read-only)."""
    return system_map(system(code, place_definition), measure=measure, layers=shown)


# --- England page ---
STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner="Preparing the England geometry…")
def england_geojson_url() -> str:
    """Relative URL of the England LSOA GeoJSON, written once into dashboard/static/."""
    path = england.write_england_geojson(STATIC_DIR)
    return f"app/static/{path.name}"


@st.cache_resource(show_spinner="Drawing England…")
def england_figure(measure: str) -> go.Figure:
    """The England map (shared, read-only)."""
    return england.england_map(england_geojson_url(), measure=measure)


@st.cache_data(show_spinner="Building the national league table…")
def league_table(bands: tuple[tuple[str, float, float], ...]) -> pd.DataFrame:
    """The 42-ICS league table for the given bands ((tier, low, high), …)."""
    return england.ics_league_table({tier: (low, high) for tier, low, high in bands})


# --- boundaries page ---
#: Orders of the PCN × authority heatmap rows.
ALIGNMENT_ORDERS = ("home", "share", "patients", "name")


@st.cache_resource(show_spinner="Loading England's GP registrations…")
def alignment_tables() -> dict[str, pd.DataFrame]:
    """England-wide registrations, LSOAs (no age columns), practices and light LSOA shapes."""
    lsoas = layers.read_table("lsoas")
    return {
        "registrations": layers.read_table("registrations"),
        "lsoas": lsoas[[c for c in lsoas.columns if not c.startswith("age_")]],
        "practices": layers.read_table("practices"),
        "lsoa_geometry": layers.read_table("lsoa_geometry_light"),
    }


@st.cache_resource(show_spinner="Working out boundary alignment…", max_entries=24)
def alignment_base(code: str, place_definition: str, la_level: str) -> dict[str, pd.DataFrame]:
    """Every alignment table of one ICS, straddle threshold 100% (shared, read-only).

    At 100% every unit with any patient outside its home authority is a candidate,
    so :func:`alignment_bundle` re-flags for any threshold without recomputing.
    """
    tables = alignment_tables()
    loaded = system(code, place_definition)
    pcns = loaded.pcns.loc[~loaded.pcns.geometry.is_empty & loaded.pcns.geometry.notna()]
    footprints = pcns[["pcn_code", "geometry"]].rename(columns={"pcn_code": "unit_code"})
    authorities = layers.alignment.authority_polygons(
        loaded.lsoas[["lsoa_code", "geometry"]], loaded.lsoas, la_level=la_level
    )
    return layers.alignment.alignment_figures(
        tables["registrations"],
        tables["lsoas"],
        tables["practices"],
        code,
        places=layers.place_lookup(code, place_definition),
        la_level=la_level,
        threshold=1.0,
        footprints=footprints,
        authorities=authorities,
    )


@st.cache_resource(show_spinner=False, max_entries=96)
def alignment_bundle(
    code: str, place_definition: str, la_level: str, straddle_pct: int
) -> dict[str, pd.DataFrame]:
    """The alignment tables with units straddling under ``straddle_pct`` % (read-only).

    The area/residence comparison is left to :func:`alignment_comparison`, so that a
    new threshold re-flags in tens of milliseconds and only the Area tab pays for it.
    """
    base = alignment_base(code, place_definition, la_level)
    lean = {k: v for k, v in base.items() if k != "alignment_comparison"}
    return layers.alignment.apply_threshold(lean, straddle_pct / 100)


@st.cache_data(show_spinner=False, max_entries=96)
def alignment_comparison(
    code: str, place_definition: str, la_level: str, straddle_pct: int
) -> pd.DataFrame:
    """Residence- against area-based home authority of each PCN, at a threshold."""
    base = alignment_base(code, place_definition, la_level)
    return layers.alignment.compare_alignment(
        base["residence_shares"], base["area_shares"], threshold=straddle_pct / 100
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def alignment_overlap(
    code: str, place_definition: str, la_level: str
) -> layers.alignment.DisclosedOverlap:
    """PCN × authority overlap, disclosure rule applied; the ICS's authorities as columns."""
    lsoas = alignment_tables()["lsoas"]
    own = lsoas.loc[lsoas["icb_code"] == code, f"{la_level}_code"].unique()
    matrix = alignment_base(code, place_definition, la_level)["overlap_matrix"]
    return layers.alignment.disclose_overlap(matrix, keep=[c for c in matrix.columns if c in own])


def alignment_order(home: pd.DataFrame, columns: list[str], order: str) -> list[str]:
    """Unit codes in the heatmap's row order (see :data:`ALIGNMENT_ORDERS`)."""
    if order == "name":
        return home.sort_values(["unit_name", "unit_code"])["unit_code"].tolist()
    if order == "patients":
        return home.sort_values(["patients", "unit_code"], ascending=[False, True])[
            "unit_code"
        ].tolist()
    if order == "share":
        return home.sort_values(["home_share", "unit_code"])["unit_code"].tolist()
    rank = {code: i for i, code in enumerate(columns)}
    keyed = home.assign(_rank=home["home_la_code"].map(rank).fillna(len(rank)))
    return keyed.sort_values(["_rank", "home_share"], ascending=[True, False])["unit_code"].tolist()


@st.cache_resource(show_spinner="Drawing the heatmap…", max_entries=96)
def alignment_heatmap(
    code: str, place_definition: str, la_level: str, cells: str, order: str
) -> go.Figure:
    """The PCN × authority heatmap (disclosure rule applied; shared, read-only)."""
    if order not in ALIGNMENT_ORDERS:
        raise ValueError(f"Unknown order {order!r}; choose one of {ALIGNMENT_ORDERS}.")
    overlap = alignment_overlap(code, place_definition, la_level)
    home = alignment_base(code, place_definition, la_level)["home_authorities"]
    home = home.loc[home["unit_code"].isin(overlap.values.index)]
    level = "upper-tier" if la_level == "utla" else "lower-tier"
    return layers.alignment.overlap_heatmap(
        overlap,
        unit_labels=dict(zip(home["unit_code"], home["unit_name"], strict=True)),
        area_labels=alignment_la_names(la_level),
        cells=cells,
        order=alignment_order(home, list(overlap.values.columns), order),
        x_title=f"Local authority ({level}) where patients live",
        title=f"{system(code, place_definition).name}: PCN patients by authority of residence "
        "(patients, July 2022)",
    )


@st.cache_resource(show_spinner="Drawing the flow map…", max_entries=64)
def alignment_flow_map(
    code: str, place_definition: str, la_level: str, level: str, from_code: str, to_code: str
) -> go.Figure:
    """LSOAs where one flow's patients live (shared, read-only)."""
    key = "flow_concentration" if level == "icb" else "place_flow_concentration"
    conc = alignment_base(code, place_definition, la_level)[key]
    rows = conc.loc[(conc["from_code"] == from_code) & (conc["to_code"] == to_code)]
    if rows.empty:
        raise ValueError(f"No patients flow from {from_code} to {to_code}.")
    tables = alignment_tables()
    lsoas = tables["lsoas"]
    names = lsoas.loc[lsoas["lsoa_code"].isin(rows["lsoa_code"])]
    loaded = system(code, place_definition)
    first = rows.iloc[0]
    return layers.alignment.flow_map(
        rows,
        tables["lsoa_geometry"],
        outline=loaded.ics if level == "icb" else loaded.places,
        outline_name="ICS boundary" if level == "icb" else "Place boundaries",
        lsoa_names=dict(zip(names["lsoa_code"], names["lsoa_name"], strict=True)),
        title=f"Residents of {first['from_name']} registered in {first['to_name']}: "
        "where they live (July 2022)",
    )


@st.cache_data(show_spinner=False, max_entries=4)
def alignment_la_names(la_level: str) -> dict[str, str]:
    """Authority code → name at ``la_level``, England-wide."""
    lsoas = alignment_tables()["lsoas"].drop_duplicates(f"{la_level}_code")
    return dict(zip(lsoas[f"{la_level}_code"], lsoas[f"{la_level}_name"], strict=True))


@st.cache_data(show_spinner=False, max_entries=96)
def alignment_split(code: str, la_level: str) -> pd.DataFrame:
    """Authorities of the ICS at ``la_level`` whose LSOAs fall in more than one ICB."""
    lsoas = alignment_tables()["lsoas"]
    return layers.alignment.split_authorities(lsoas, la_level=la_level, icb_code=code)


@st.cache_resource(show_spinner="Drawing the lineage map…", max_entries=48)
def alignment_lineage_map(code: str, la_level: str) -> go.Figure:
    """Former CCGs of the ICB and split authorities, labelled (shared, read-only)."""
    tables = alignment_tables()
    return layers.alignment.lineage_map(
        tables["lsoas"], tables["lsoa_geometry"], code, la_level=la_level
    )


# --- allocation page ---
@st.cache_resource(show_spinner="Building the practice frame…", max_entries=48)
def allocation_frame(code: str, place_definition: str) -> pd.DataFrame:
    """Practices of an ICS: tiers, weighted populations, deprivation, former CCG (read-only)."""
    from layers.allocation import practice_frame

    return practice_frame(
        system(code, place_definition),
        layers.read_table("weighted_populations"),
        layers.read_table("lsoas"),
    )


@st.cache_data(show_spinner=False, max_entries=96)
def allocation_need(code: str, place_definition: str, level: str) -> pd.DataFrame:
    """NHS England relative need indices by place, PCN or practice."""
    from layers.allocation import need_indices

    return need_indices(allocation_frame(code, place_definition), level)


@st.cache_resource(show_spinner=False, max_entries=256)
def allocation_run(code: str, place_definition: str, scenario_json: str) -> pd.DataFrame:
    """Allocations of one scenario (JSON text) over an ICS (shared, read-only: no copy)."""
    from layers.allocation import Scenario

    return Scenario.from_json(scenario_json).run(allocation_frame(code, place_definition))


@st.cache_resource(show_spinner=False, max_entries=96)
def allocation_geojson(code: str, place_definition: str, level: str) -> dict:
    """Place or PCN footprint GeoJSON (ids and geometry only; shared, read-only)."""
    from layers.maps import feature_collection

    built = system(code, place_definition)
    if level == "place":
        return feature_collection(built.places, "place_code")
    pcns = built.pcns[~built.pcns.geometry.is_empty & built.pcns.geometry.notna()]
    return feature_collection(pcns, "pcn_code")
