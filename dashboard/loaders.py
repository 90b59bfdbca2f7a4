"""Every cached loader the pages use, in one place.

Shared read-only data (the five layers of an ICS, figures) is held once per server
with ``st.cache_resource``; small derived tables use ``st.cache_data``. All keys are
plain strings and tuples, so they hash cheaply.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

import layers
from dashboard.state import SystemKey
from layers import england, tiers
from layers.figures import alignment as alignment_figures
from layers.figures import inequality as inequality_figures
from layers.figures import tiers as tier_figures
from layers.figures.tiers import MapGeometry
from layers.maps import system_map, write_lsoa_geojson
from layers.streams import DEFAULT_SEED, generator

#: Served by Streamlit at ``app/static/`` (gzip-compressed); generated files only. The
#: launcher and the router create it, and every loader that returns a URL into it
#: checks the file is there and writes it again if not, so it is safe to empty.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Builds of big shared tables that may run at once: more than one per core only piles
#: up temporary memory (20 sessions opening 20 ICSs together took the server past 2 GB).
#: Hold a slot only around pure computation, never while calling another cached loader:
#: that loader's key lock may be held by a thread waiting for this very slot.
_BUILD_SLOTS = threading.BoundedSemaphore(os.cpu_count() or 2)
log = logging.getLogger("ics_planner")


@st.cache_data(show_spinner=False)
def systems(vintage: str = layers.DEFAULT_VINTAGE) -> pd.DataFrame:
    """The ICSs of a vintage (42 in 2022, 36 in 2026) with codes, names and populations."""
    return layers.list_systems(vintage=vintage)


@st.cache_data(show_spinner=False)
def system_names(vintage: str = layers.DEFAULT_VINTAGE) -> dict[str, str]:
    """ICB code → ICS name, in one vintage."""
    table = systems(vintage)
    return dict(zip(table["icb_code"], table["icb_name"], strict=True))


@st.cache_data(show_spinner=False)
def system_labels(vintage: str = layers.DEFAULT_VINTAGE) -> dict[str, str]:
    """ICB code → the ICS in words with its codes (see :func:`dashboard.link.ics_label`).

    One dictionary per vintage: a picker labels all 36 or 42 options on every rerun.
    """
    table = systems(vintage)
    nhse = table["icb_code_nhse"] if "icb_code_nhse" in table.columns else [None] * len(table)
    return {
        code: f"{name} ({code} · {other})" if isinstance(other, str) else f"{name} ({code})"
        for code, name, other in zip(table["icb_code"], table["icb_name"], nhse, strict=True)
    }


@st.cache_data(show_spinner=False, max_entries=4)
def table(name: str, vintage: str) -> pd.DataFrame:
    """One national table of a vintage (shared: never modify the result)."""
    return layers.read_table(name, vintage=vintage)


@st.cache_resource(show_spinner="Loading the five layers…", max_entries=48)
def system(key: SystemKey) -> layers.System:
    """The five layers of one ICS (shared, read-only: never modify the result).

    ``place_definition`` may be ``custom:<base>:<digest>`` for groupings registered
    with :func:`register_grouping`.
    """
    code, place_definition = key.code, key.place_definition
    if place_definition.startswith("custom:"):
        _, base, digest = place_definition.split(":", 2)
        grouping = _grouping_registry().get(digest)
        if grouping is None:
            raise ValueError("The uploaded place groupings have expired; upload them again.")
        with _BUILD_SLOTS:
            return layers.load_system(code, base, custom_places=grouping, vintage=key.vintage)
    with _BUILD_SLOTS:
        return layers.load_system(code, place_definition, vintage=key.vintage)


@st.cache_data(show_spinner=False)
def default_place_definition(code: str, vintage: str = layers.DEFAULT_VINTAGE) -> str:
    """The ICS's default place definition (cached: the router asks on every rerun)."""
    return layers.default_place_definition(code, vintage=vintage)


def _base_key(code: str, vintage: str) -> SystemKey:
    """The ICS with its default places: for tables that do not depend on places."""
    return SystemKey(code, default_place_definition(code, vintage), vintage)


#: Most uploaded groupings the server holds, and how long one is kept after its last use.
GROUPING_LIMIT = 64
GROUPING_TTL_SECONDS = 6 * 60 * 60


class BoundedRegistry:
    """A thread-safe map that keeps at most ``limit`` entries, each for ``ttl`` seconds.

    The least recently used entry goes first when it is full; an entry not used for
    ``ttl`` seconds is dropped when next looked up (or when the registry is full).
    """

    def __init__(self, limit: int, ttl: float, clock=time.monotonic) -> None:
        self.limit, self.ttl, self._clock = limit, ttl, clock
        self._entries: OrderedDict[str, tuple[float, pd.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _expire(self, now: float) -> None:
        while self._entries:
            key, (used, _) = next(iter(self._entries.items()))
            if now - used <= self.ttl:
                break
            del self._entries[key]

    def put(self, key: str, value: pd.DataFrame) -> None:
        """Keep ``value`` under ``key`` (as the most recently used)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def get(self, key: str) -> pd.DataFrame | None:
        """The value under ``key`` (now the most recently used), or None if gone."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries[key] = (now, entry[1])
            self._entries.move_to_end(key)
            return entry[1]


@st.cache_resource
def _grouping_registry() -> BoundedRegistry:
    """Uploaded groupings by content digest (shared: equal content, equal key), bounded.

    A session whose grouping has gone registers it again from its own uploads (see the
    router); without them it is told to upload the groupings again.
    """
    return BoundedRegistry(GROUPING_LIMIT, GROUPING_TTL_SECONDS)


def register_grouping(grouping: pd.DataFrame) -> str:
    """Remember a practice → place grouping; return its content digest."""
    frame = grouping[["practice_code", "place_name"]].reset_index(drop=True)
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]
    registry = _grouping_registry()
    if registry.get(digest) is None:
        registry.put(digest, frame)
    return digest


def grouping_available(digest: str) -> bool:
    """Whether the server still holds the uploaded grouping with this digest."""
    return _grouping_registry().get(digest) is not None


def static_serving() -> bool:
    """Whether Streamlit serves ``dashboard/static/`` (off under a bare ``streamlit run``)."""
    return bool(st.get_option("server.enableStaticServing"))


def _static_url(name: str) -> str:
    return f"app/static/{name}"


@st.cache_resource(show_spinner=False, max_entries=96)
def _lsoa_geojson_name(key: SystemKey) -> str:
    """Name of the ICS's LSOA GeoJSON in dashboard/static/ (written on first call)."""
    return write_lsoa_geojson(system(key), STATIC_DIR).name


def lsoa_geojson_url(key: SystemKey) -> str:
    """Relative URL of the ICS's LSOA GeoJSON in dashboard/static/, written if missing.

    The name is cached (keyed like the system in use, so no second system is loaded
    just for geometry); the file is checked on every call and written again if the
    folder was emptied. The geometry is the same for every place definition, and the
    name carries a hash of the whole text, so they share one file.
    """
    name = _lsoa_geojson_name(key)
    if not (STATIC_DIR / name).exists():
        write_lsoa_geojson(system(key), STATIC_DIR)
    return _static_url(name)


@st.cache_resource(show_spinner="Drawing the map…", max_entries=96)
def _map_figure(
    key: SystemKey, measure: str, shown: tuple[str, ...], geojson_url: str | None
) -> go.Figure:
    return system_map(system(key), measure=measure, layers=shown, lsoa_geojson=geojson_url)


def map_figure(key: SystemKey, measure: str, shown: tuple[str, ...]) -> go.Figure:
    """The five-layer map (shared, read-only); the browser fetches the LSOA geometry.

    Sending geometry as a cacheable, compressed file rather than in every session's
    figure saves the server about 0.15 s of serialisation per page view. The file is
    written again if it has gone; where static serving is off the geometry is inline.
    """
    url = lsoa_geojson_url(key) if static_serving() else None
    return _map_figure(key, measure, shown, url)


def map_export_figure(key: SystemKey, measure: str, shown: tuple[str, ...]) -> go.Figure:
    """The same map with its geometry inline, for PNG/SVG export (built on click)."""
    return system_map(system(key), measure=measure, layers=shown)


# --- England page ---
@st.cache_resource(show_spinner="Preparing the England geometry…")
def _england_geojson_name(measure: str, vintage: str) -> str:
    """Name of the England map's GeoJSON in dashboard/static/ (written on first call)."""
    return england.write_england_geojson(STATIC_DIR, measure, vintage=vintage).name


def england_geojson_url(measure: str, vintage: str = layers.DEFAULT_VINTAGE) -> str:
    """Relative URL of the England map's GeoJSON in dashboard/static/, written if missing."""
    name = _england_geojson_name(measure, vintage)
    if not (STATIC_DIR / name).exists():
        england.write_england_geojson(STATIC_DIR, measure, vintage=vintage)
    return _static_url(name)


@st.cache_resource(show_spinner="Drawing England…")
def _england_figure(measure: str, geojson_url: str | None, vintage: str) -> go.Figure:
    if geojson_url is None:
        return england_export_figure(measure, vintage)
    return england.england_map(geojson_url, measure=measure, vintage=vintage)


def england_figure(measure: str, vintage: str = layers.DEFAULT_VINTAGE) -> go.Figure:
    """The England map (shared, read-only); geometry inline where static serving is off."""
    url = england_geojson_url(measure, vintage) if static_serving() else None
    return _england_figure(measure, url, vintage)


def england_export_figure(measure: str, vintage: str = layers.DEFAULT_VINTAGE) -> go.Figure:
    """The England map with its geometry inline, for PNG/SVG export (built on click).

    The on-screen figure fetches its GeoJSON from a URL that kaleido cannot reach.
    """
    geojson = json.loads(england.england_geojson_text(measure, vintage=vintage))
    return england.england_map(geojson, measure=measure, vintage=vintage)


@st.cache_data(show_spinner="Building the national league table…")
def league_table(
    bands: tuple[tuple[str, float, float], ...], vintage: str = layers.DEFAULT_VINTAGE
) -> pd.DataFrame:
    """The national league table for the given bands ((tier, low, high), …)."""
    return england.ics_league_table(
        {tier: (low, high) for tier, low, high in bands}, vintage=vintage
    )


# --- boundaries page ---
@st.cache_resource(show_spinner="Loading England's GP registrations…", max_entries=2)
def alignment_tables(vintage: str = layers.DEFAULT_VINTAGE) -> dict[str, pd.DataFrame]:
    """England-wide registrations, LSOAs (no age columns), practices and light LSOA shapes."""
    with _BUILD_SLOTS:
        lsoas = layers.read_table("lsoas", vintage=vintage)
        return {
            "registrations": layers.read_table("registrations", vintage=vintage),
            "lsoas": lsoas[[c for c in lsoas.columns if not c.startswith("age_")]],
            "practices": layers.read_table("practices", vintage=vintage),
            "lsoa_geometry": layers.read_table("lsoa_geometry_light", vintage=vintage),
        }


@st.cache_resource(show_spinner="Working out boundary alignment…", max_entries=24)
def alignment_base(key: SystemKey, la_level: str) -> dict[str, pd.DataFrame]:
    """Every residence-based alignment table of one ICS, straddle threshold 100%.

    At 100% every unit with any patient outside its home authority is a candidate,
    so :func:`alignment_bundle` re-flags for any threshold without recomputing. The
    area-based tables need polygon overlays and only the Area tab shows them, so they
    are left to :func:`alignment_area` (shared, read-only).
    """
    tables = alignment_tables(key.vintage)
    with _BUILD_SLOTS:
        return layers.alignment.alignment_figures(
            tables["registrations"],
            tables["lsoas"],
            tables["practices"],
            key.code,
            places=layers.place_lookup(key.code, key.place_definition, vintage=key.vintage),
            la_level=la_level,
            threshold=1.0,
            vintage=key.vintage,
        )


@st.cache_resource(show_spinner="Overlaying PCN footprints on the authorities…", max_entries=24)
def alignment_area(key: SystemKey, la_level: str) -> pd.DataFrame:
    """Share of each PCN footprint's area in each authority (shared, read-only)."""
    loaded = system(key)
    with _BUILD_SLOTS:
        pcns = loaded.pcns.loc[~loaded.pcns.geometry.is_empty & loaded.pcns.geometry.notna()]
        footprints = pcns[["pcn_code", "geometry"]].rename(columns={"pcn_code": "unit_code"})
        authorities = layers.alignment.authority_polygons(
            loaded.lsoas[["lsoa_code", "geometry"]], loaded.lsoas, la_level=la_level
        )
        return layers.alignment.area_shares(footprints, authorities)


@st.cache_resource(show_spinner=False, max_entries=96)
def alignment_bundle(key: SystemKey, la_level: str, straddle_pct: int) -> dict[str, pd.DataFrame]:
    """The residence-based alignment tables, units straddling under ``straddle_pct`` %.

    Re-flagging from :func:`alignment_base` takes tens of milliseconds (read-only).
    """
    return layers.alignment.apply_threshold(alignment_base(key, la_level), straddle_pct / 100)


@st.cache_data(show_spinner=False, max_entries=96)
def alignment_comparison(key: SystemKey, la_level: str, straddle_pct: int) -> pd.DataFrame:
    """Residence- against area-based home authority of each PCN, at a threshold."""
    return layers.alignment.compare_alignment(
        alignment_base(key, la_level)["residence_shares"],
        alignment_area(key, la_level),
        threshold=straddle_pct / 100,
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def alignment_overlap(key: SystemKey, la_level: str) -> layers.alignment.DisclosedOverlap:
    """PCN × authority overlap, disclosure rule applied; the ICS's authorities as columns."""
    code = key.code
    lsoas = alignment_tables(key.vintage)["lsoas"]
    own = lsoas.loc[lsoas["icb_code"] == code, f"{la_level}_code"].unique()
    matrix = alignment_base(key, la_level)["overlap_matrix"]
    return layers.alignment.disclose_overlap(matrix, keep=[c for c in matrix.columns if c in own])


@st.cache_resource(show_spinner="Drawing the flow map…", max_entries=64)
def alignment_flow_map(
    key: SystemKey, la_level: str, level: str, from_code: str, to_code: str
) -> go.Figure:
    """LSOAs where one flow's patients live (shared, read-only)."""
    table = "flow_concentration" if level == "icb" else "place_flow_concentration"
    conc = alignment_base(key, la_level)[table]
    rows = conc.loc[(conc["from_code"] == from_code) & (conc["to_code"] == to_code)]
    if rows.empty:
        raise ValueError(f"No patients flow from {from_code} to {to_code}.")
    loaded = system(key)
    return alignment_figures.flow_map(
        rows,
        alignment_tables(key.vintage)["lsoa_geometry"],
        outline=loaded.ics if level == "icb" else loaded.places,
        level=level,
        lsoa_names=alignment_lsoa_names(key.vintage),
        vintage=key.vintage,
    )


@st.cache_data(show_spinner=False, max_entries=2)
def alignment_lsoa_names(vintage: str = layers.DEFAULT_VINTAGE) -> dict[str, str]:
    """LSOA code → name, England-wide."""
    lsoas = alignment_tables(vintage)["lsoas"]
    return dict(zip(lsoas["lsoa_code"], lsoas["lsoa_name"], strict=True))


@st.cache_data(show_spinner=False, max_entries=8)
def alignment_la_names(la_level: str, vintage: str = layers.DEFAULT_VINTAGE) -> dict[str, str]:
    """Authority code → name at ``la_level``, England-wide."""
    lsoas = alignment_tables(vintage)["lsoas"].drop_duplicates(f"{la_level}_code")
    return dict(zip(lsoas[f"{la_level}_code"], lsoas[f"{la_level}_name"], strict=True))


@st.cache_data(show_spinner=False, max_entries=96)
def alignment_split(
    code: str, la_level: str, vintage: str = layers.DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Authorities of the ICS at ``la_level`` whose LSOAs fall in more than one ICB."""
    lsoas = alignment_tables(vintage)["lsoas"]
    return layers.alignment.split_authorities(lsoas, la_level=la_level, icb_code=code)


@st.cache_resource(show_spinner="Drawing the lineage map…", max_entries=48)
def alignment_lineage_map(
    code: str, la_level: str, vintage: str = layers.DEFAULT_VINTAGE
) -> go.Figure:
    """Former CCGs (2022) or 2024 sub-ICBs (2026) of the ICB and split authorities."""
    tables = alignment_tables(vintage)
    return alignment_figures.lineage_map(
        tables["lsoas"], tables["lsoa_geometry"], code, la_level=la_level, vintage=vintage
    )


# --- allocation page ---
def allocation_year(vintage: str) -> str:
    """The allocation year chosen on the allocation page (in the link), else the default."""
    years = layers.get_vintage(vintage).allocation_years
    chosen = st.session_state.get("allocation_year")
    return chosen if chosen in years else years[0]


def allocation_frame(key: SystemKey, year: str | None = None) -> pd.DataFrame:
    """Practices of an ICS for an allocation year (default: the page's choice; read-only)."""
    return _allocation_frame(key, year or allocation_year(key.vintage))


@st.cache_resource(show_spinner="Building the practice frame…", max_entries=48)
def _allocation_frame(key: SystemKey, year: str) -> pd.DataFrame:
    from layers.allocation import practice_frame

    loaded = system(key)
    with _BUILD_SLOTS:
        return practice_frame(
            loaded,
            layers.read_table("weighted_populations", vintage=key.vintage),
            layers.read_table("lsoas", vintage=key.vintage),
            year=year,
        )


@st.cache_data(show_spinner="Comparing the allocation years…", max_entries=96)
def allocation_years_view(key: SystemKey, level: str) -> pd.DataFrame:
    """How each unit's need index and fair share move across the vintage's years."""
    from layers.allocation import need_over_years

    return need_over_years(system(key), level)


def allocation_need(key: SystemKey, level: str) -> pd.DataFrame:
    """NHS England relative need indices by place, PCN or practice (the chosen year)."""
    return _allocation_need(key, allocation_year(key.vintage), level)


@st.cache_data(show_spinner=False, max_entries=96)
def _allocation_need(key: SystemKey, year: str, level: str) -> pd.DataFrame:
    from layers.allocation import need_indices

    return need_indices(allocation_frame(key, year), level)


def allocation_run(key: SystemKey, scenario_json: str, year: str | None = None) -> pd.DataFrame:
    """Allocations of one scenario (JSON text) over an ICS (shared, read-only: no copy)."""
    return _allocation_run(key, year or allocation_year(key.vintage), scenario_json)


@st.cache_resource(show_spinner=False, max_entries=256)
def _allocation_run(key: SystemKey, year: str, scenario_json: str) -> pd.DataFrame:
    from layers.allocation import Scenario

    return Scenario.from_json(scenario_json).run(allocation_frame(key, year))


def allocation_units(key: SystemKey, scenario_json: str, level: str) -> pd.DataFrame:
    """£ and £ per head by place, PCN or practice under one scenario (JSON text)."""
    return _allocation_units(key, allocation_year(key.vintage), scenario_json, level)


@st.cache_data(show_spinner=False, max_entries=256)
def _allocation_units(key: SystemKey, year: str, scenario_json: str, level: str) -> pd.DataFrame:
    from layers.allocation import allocation_summary

    run = allocation_run(key, scenario_json, year)
    return allocation_summary(run, allocation_frame(key, year), level)


def allocation_change(key: SystemKey, base_json: str, other_json: str, level: str) -> pd.DataFrame:
    """Each unit's money under one scenario against another (both JSON text)."""
    return _allocation_change(key, allocation_year(key.vintage), base_json, other_json, level)


@st.cache_data(show_spinner=False, max_entries=256)
def _allocation_change(
    key: SystemKey, year: str, base_json: str, other_json: str, level: str
) -> pd.DataFrame:
    from layers.allocation import compare_allocations

    base, other = allocation_run(key, base_json, year), allocation_run(key, other_json, year)
    return compare_allocations(base, other, allocation_frame(key, year), level)


@st.cache_resource(show_spinner=False, max_entries=96)
def allocation_geojson(key: SystemKey, level: str) -> dict:
    """Place or PCN footprint GeoJSON (ids and geometry only; shared, read-only)."""
    from layers.maps import feature_collection

    built = system(key)
    if level == "place":
        return feature_collection(built.places, "place_code")
    pcns = built.pcns[~built.pcns.geometry.is_empty & built.pcns.geometry.notna()]
    return feature_collection(pcns, "pcn_code")


# --- tiers page ---
#: Seed of the synthetic individuals on the tiers page (as ``layers.load_system``).
TIERS_SEED = DEFAULT_SEED


@st.cache_resource(show_spinner="Preparing the population tiers…", max_entries=48)
def tier_tables(key: SystemKey) -> tiers.TierTables:
    """The real unit structure of an ICS (shared, read-only: scenarios make new tables)."""
    return tiers.tier_tables(system(key))


def risk_individuals(key: SystemKey, seed: int = TIERS_SEED) -> pd.DataFrame:
    """Synthetic individuals of an ICS with risk tiers (shared, read-only; never shown).

    They depend on the ICS's registrations only, so every place definition shares them.
    """
    return _risk_individuals(_base_key(key.code, key.vintage), seed)


@st.cache_resource(show_spinner="Generating synthetic individuals…", max_entries=3)
def _risk_individuals(key: SystemKey, seed: int) -> pd.DataFrame:
    # Generated as System.individuals is (national LSOA table, the individuals stream),
    # without keeping them on the shared System.
    from layers.individuals import generate_individuals

    registrations = system(key).registrations
    with _BUILD_SLOTS:
        lsoas = layers.read_table("lsoas", vintage=key.vintage)
        people = generate_individuals(
            registrations,
            lsoas,
            lsoas.set_index("lsoa_code")["imd_decile"],
            rng=generator(seed, "individuals"),
        )
        return tiers.individuals_with_risk(people, seed)


def practice_risk_counts(key: SystemKey, seed: int = TIERS_SEED) -> pd.DataFrame:
    """Unrounded practice × risk tier × IMD decile counts; pass through disclosure to show."""
    return _practice_risk_counts(_base_key(key.code, key.vintage), seed)


@st.cache_data(show_spinner="Counting risk tiers…", max_entries=48)
def _practice_risk_counts(key: SystemKey, seed: int) -> pd.DataFrame:
    from layers.individuals import aggregate_individuals

    counts = aggregate_individuals(
        _risk_individuals(key, seed), ["practice_code", "risk_tier", "imd_decile"]
    )
    counts["practice_code"] = counts["practice_code"].astype(str)
    return counts


def practice_age_structure(key: SystemKey) -> pd.DataFrame:
    """Modelled single-year ages of each practice's patients (registrations × LSOA mix)."""
    return _practice_age_structure(_base_key(key.code, key.vintage))


@st.cache_data(show_spinner="Modelling age structures…", max_entries=48)
def _practice_age_structure(key: SystemKey) -> pd.DataFrame:
    registrations = system(key).registrations
    with _BUILD_SLOTS:
        return tiers.practice_age_structure(
            registrations, layers.read_table("lsoas", vintage=key.vintage)
        )


@st.cache_resource(show_spinner=False, max_entries=48)
def tier_map_geometry(key: SystemKey) -> MapGeometry:
    """Footprints, places, outlines and view of the tiers map (shared, read-only)."""
    loaded = system(key)
    return tier_figures.map_geometry(loaded.pcns, loaded.places, loaded.ics.total_bounds)


@st.cache_data(show_spinner=False, max_entries=512)
def tier_pattern(
    key: SystemKey, layer: str, kind: str, codes: tuple[str, ...]
) -> tuple[list[float], list[float]]:
    """Hatching (``kind="hatch"``) or dots (``"dots"``) over PCN footprints or places."""
    return tier_figures.pattern_coordinates(tier_map_geometry(key), layer, kind, codes)


# --- inequality page ---
#: Scenario key meaning "the allocation page has set none: use its default scenario".
DEFAULT_SCENARIO = ""


@st.cache_data(show_spinner=False, max_entries=48)
def inequality_practice_deprivation(
    code: str, vintage: str = layers.DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Patient-weighted IMD rank, decile and Core20 share of each practice of an ICS."""
    from layers.deprivation import practice_deprivation

    registrations = system(_base_key(code, vintage)).registrations
    return practice_deprivation(
        registrations, layers.read_table("lsoas", vintage=vintage), vintage=vintage
    )


@st.cache_data(show_spinner=False, max_entries=8)
def national_indicator(indicator: str, vintage: str = layers.DEFAULT_VINTAGE) -> pd.DataFrame:
    """An indicator of every LSOA in England (so PCN patients living outside count)."""
    from layers import indicators

    spec = indicators.indicator_spec(indicator, vintage)
    return indicators.build_indicator(spec, lsoas=layers.read_table("lsoas", vintage=vintage))


@st.cache_data(show_spinner="Running the allocation scenario…", max_entries=64)
def inequality_funding(key: SystemKey, scenario_json: str) -> pd.DataFrame:
    """£ per practice under a scenario (JSON text; ``DEFAULT_SCENARIO`` for the default)."""
    from layers.allocation import practice_funding

    # The default allocation year: the inequality page does not choose one.
    frame = allocation_frame(key, layers.get_vintage(key.vintage).default_allocation_year)
    return practice_funding(frame, scenario_json or None)


def _indicator_frame(
    key: SystemKey, indicator: str, scenario_json: str, aggregates=None
) -> pd.DataFrame:
    """The indicator's tidy frame, built by the library from the cached tables it needs.

    With the user's uploaded ``aggregates``, at-risk prevalence is their published counts.
    """
    from layers import indicators

    if aggregates is not None and indicator == "at_risk":
        from layers.people import upload_at_risk_prevalence

        deprivation = inequality_practice_deprivation(key.code, key.vintage)
        return upload_at_risk_prevalence(aggregates, key.code, deprivation)
    spec = indicators.indicator_spec(indicator, key.vintage)
    if spec.inputs == ("lsoas",):
        return national_indicator(indicator, key.vintage)
    tables = {
        "lsoas": lambda: layers.read_table("lsoas", vintage=key.vintage),
        "deprivation": lambda: inequality_practice_deprivation(key.code, key.vintage),
        "risk_counts": lambda: practice_risk_counts(key),
        "funding": lambda: inequality_funding(key, scenario_json),
        "practices": lambda: system(key).practices,
    }
    return indicators.build_indicator(spec, **{name: tables[name]() for name in spec.inputs})


@st.cache_data(show_spinner="Summing the indicator by decile…", max_entries=64)
def inequality_rows(
    key: SystemKey, indicator: str, scenario_json: str, risk_digest: str = "", _aggregates=None
) -> pd.DataFrame:
    """An indicator's LSOA or practice rows in every unit (``level``: ics, place, pcn).

    ``risk_digest`` names the user's uploaded aggregates ``_aggregates`` (not hashed; ""
    for the synthetic individuals), which the at-risk indicator then uses.
    """
    code = key.code
    from layers import indicators

    loaded = system(key)
    frame = _indicator_frame(key, indicator, scenario_json, _aggregates if risk_digest else None)
    basis = indicators.indicator_spec(indicator, key.vintage).basis
    parts = []
    for level in indicators.UNIT_LEVELS:
        members = indicators.unit_membership(
            level,
            basis,
            lsoas=loaded.lsoas,
            practices=loaded.practices,
            registrations=loaded.registrations,
            ics_code=code,
        )
        parts.append(indicators.unit_rows(frame, members).assign(level=level))
    return pd.concat(parts, ignore_index=True)


@st.cache_data(show_spinner="Measuring inequality…", max_entries=256)
def inequality_summary(
    key: SystemKey,
    indicator: str,
    scenario_json: str,
    level: str,
    unit: str,
    risk_digest: str = "",
    _aggregates=None,
) -> tuple[pd.DataFrame, dict]:
    """Deciles and every summary measure (SII/RII with 100,000 simulations) of one unit."""
    from layers import indicators

    rows = inequality_rows(key, indicator, scenario_json, risk_digest, _aggregates)
    rows = rows[(rows["level"] == level) & (rows["unit_code"] == unit)].drop(columns="level")
    if rows.empty:
        return pd.DataFrame(), {}
    spec = indicators.indicator_spec(indicator, key.vintage)
    deciles = indicators.by_decile(rows, spec)
    summary = indicators.summary_measures(
        rows, spec, deciles=deciles, rng=generator(DEFAULT_SEED, "sii")
    )
    return deciles, summary


@st.cache_data(show_spinner="Ranking places and PCNs…", max_entries=128)
def inequality_ranking(
    key: SystemKey,
    indicator: str,
    scenario_json: str,
    measure: str,
    risk_digest: str = "",
    _aggregates=None,
) -> pd.DataFrame:
    """Places and PCNs ranked by the size of the SII or concentration index."""
    from layers import indicators

    loaded = system(key)
    rows = inequality_rows(key, indicator, scenario_json, risk_digest, _aggregates)
    names = pd.concat(
        [
            pd.DataFrame(
                {
                    "level": "place",
                    "unit_code": loaded.places["place_code"],
                    "unit_name": loaded.places["place_name"],
                }
            ),
            pd.DataFrame(
                {
                    "level": "pcn",
                    "unit_code": loaded.pcns["pcn_code"],
                    "unit_name": loaded.pcns["pcn_name"],
                }
            ),
        ]
    )
    return indicators.inequality_ranking(
        rows[rows["level"] != "ics"],
        indicators.indicator_spec(indicator, key.vintage),
        measure,
        names=names,
        rng=generator(DEFAULT_SEED, "sii"),
    )


@st.cache_data(show_spinner="Profiling deprivation…", max_entries=48)
def inequality_profile(key: SystemKey) -> dict[str, pd.DataFrame]:
    """Residents and patients by decile; Core20 shares of places, PCNs and practices."""
    code = key.code
    from layers import indicators
    from layers.deprivation import resident_deprivation

    loaded = system(key)
    national = layers.read_table("lsoas", vintage=key.vintage)
    residents = loaded.lsoas.groupby("imd_decile")["population"].sum()
    deciles = indicators.patients_by_decile(loaded.registrations, national)
    deciles.insert(1, "residents", residents.reindex(range(1, 11), fill_value=0).to_numpy())
    places = resident_deprivation(loaded.lsoas, "place_code")
    places = loaded.places[["place_code", "place_name"]].merge(
        places[["place_code", "population", "core20_residents", "core20_share"]]
    )
    practice_dep = inequality_practice_deprivation(code, key.vintage)
    pcn_dep = indicators.pcn_deprivation(loaded.practices, practice_dep, key.vintage)
    pcns = loaded.pcns[["pcn_code", "pcn_name", "place_name", "registered_patients"]].merge(
        pcn_dep, on="pcn_code", how="left"
    )
    practices = loaded.practices[
        ["practice_code", "practice_name", "pcn_name", "place_name", "registered_patients"]
    ].merge(practice_dep, on="practice_code", how="left")
    return {"deciles": deciles, "places": places, "pcns": pcns, "practices": practices}


@st.cache_resource(show_spinner="Drawing the map…", max_entries=96)
def inequality_core20_map(key: SystemKey, level: str) -> go.Figure:
    """Core20 share of residents by PCN footprint or place (shared, read-only)."""
    from layers import indicators

    loaded = system(key)
    if level == "place":
        areas = indicators.core20_areas(loaded.lsoas, loaded.places, "place_code")
    else:
        areas = indicators.core20_areas(loaded.lsoas, loaded.pcns, "footprint_pcn_code")
    return inequality_figures.core20_map(areas, level, vintage=key.vintage)


# --- presentation ---
@st.cache_resource(show_spinner=False, max_entries=64)
def presentation_slide(
    key: SystemKey, slide: str, scenario_json: str, risk_digest: str = "", _aggregates=None
):
    """One slide of presentation mode and the deck (shared, read-only).

    ``scenario_json`` is the allocation scenario as JSON text, "" for the default;
    ``risk_digest`` names the user's uploaded aggregates ``_aggregates`` (not hashed),
    which the tiers and inequality slides then show ("" for the synthetic individuals).
    """
    from layers import slides

    aggregates = _aggregates if risk_digest and slide in ("tiers", "inequality") else None
    people = risk_individuals(key) if slide in ("tiers", "inequality") and not aggregates else None
    builders = slides.slide_builders(scenario_json or None, people, aggregates)
    return builders[slide](system(key))


# --- scenario library ---
#: After the library's database failed to open, wait this long before trying again, so
#: a database that is down costs analysis pages nothing (a reconnect can take seconds).
STORE_RETRY_SECONDS = 30.0
_store_failures: dict[str, tuple[float, Exception]] = {}


def _secret(name: str):
    """One Streamlit secret, or None when there is no secrets file or no such entry."""
    try:
        return st.secrets.get(name)
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return None


def scenario_database_url() -> str:
    """The scenario library's database URL (see :func:`dashboard.store.database_url`).

    ``database_url`` in the Streamlit secrets, else the environment's
    ``ICS_PLANNER_DATABASE_URL``, else the default SQLite file.
    """
    from dashboard import store

    return store.database_url(_secret("database_url")).render_as_string(hide_password=False)


@st.cache_resource(show_spinner=False)
def _scenario_store(url: str):
    from dashboard import store

    return store.open_store(url)


def scenario_store():
    """The scenario library, opened and migrated once per process (shared by sessions).

    Raises
    ------
    dashboard.store.StoreUnavailable, dashboard.store.CorruptStore
        The database cannot be used (remembered for :data:`STORE_RETRY_SECONDS`).
    """
    from dashboard import store

    url = scenario_database_url()
    failed = _store_failures.get(url)
    if failed is not None and time.monotonic() - failed[0] < STORE_RETRY_SECONDS:
        raise failed[1]
    try:
        opened = _scenario_store(url)
    except (store.StoreUnavailable, store.CorruptStore) as problem:
        _store_failures[url] = (time.monotonic(), problem)
        raise
    _store_failures.pop(url, None)
    return opened


def forget_store_failure() -> None:
    """Try the database again on the next call (after the user asks to retry)."""
    _store_failures.clear()


@st.cache_resource(show_spinner=False)
def open_store_at_start() -> str | None:
    """Once per process, at start-up: open the library and migrate it; None, or why not."""
    from dashboard import store

    try:
        scenario_store()
    except (store.StoreUnavailable, store.CorruptStore) as problem:
        log.warning("The scenario library is unavailable: %s", problem)
        return str(problem)
    return None


# --- mergers page ---
def _bands(bands: tuple[tuple[str, int, int], ...]) -> dict[str, tuple[int, int]]:
    return {layer: (low, high) for layer, low, high in bands}


@st.cache_data(show_spinner=False, max_entries=1)
def merger_national() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ICBs that changed in April 2026, and the 13 terminated and 7 new ONS codes."""
    return layers.mergers.changed_icbs(), layers.mergers.national_changes()


@st.cache_resource(show_spinner="Working out the merger…", max_entries=32)
def merger_figures(code: str, bands: tuple[tuple[str, int, int], ...]):
    """Before/after figures of one April 2026 merger (shared, read-only)."""
    return layers.mergers.merger_figures(code, _bands(bands))


@st.cache_data(show_spinner=False, max_entries=16)
def merger_pieces(code: str) -> pd.DataFrame:
    """Where each piece of a changed ICB came from."""
    return layers.mergers.merger_pieces(code)


@st.cache_resource(show_spinner="Drawing the merger map…", max_entries=16)
def merger_map(code: str) -> go.Figure:
    """The new ICB, its predecessors' outlines and the moved pieces (shared, read-only)."""
    from layers.figures.mergers import merger_map as draw

    shapes = layers.mergers.merger_geometry(code)
    members = shapes["predecessors"].rename(columns={"icb24_code": "code"})
    members["name"] = members["icb24_name"] + " (" + members["icb24_code_nhs"] + ")"
    pieces = shapes["pieces"].rename(columns={"icb24_code": "code"})
    name = str(shapes["icb"]["icb_name"].iloc[0])
    return draw(
        shapes["icb"],
        members[["code", "name", "geometry"]],
        pieces,
        title=f"{name}: its predecessors and the pieces that moved on 1 April 2026",
        vintage="2026",
    )


@st.cache_resource(show_spinner="Merging…", max_entries=64)
def what_if_merge(codes: tuple[str, ...], vintage: str, bands: tuple[tuple[str, int, int], ...]):
    """A what-if merge of ICBs of one vintage (raises ``layers.mergers.MergeError``)."""
    return layers.mergers.what_if_merge(list(codes), vintage, _bands(bands))


@st.cache_resource(show_spinner="Drawing the what-if map…", max_entries=32)
def what_if_map(codes: tuple[str, ...], vintage: str) -> go.Figure:
    """The members of a what-if merge and its outline (shared, read-only)."""
    import geopandas as gpd

    from layers.figures.mergers import merger_map as draw

    shapes = layers.read_table("icb_geometry_light", vintage=vintage)
    members = shapes[shapes["icb_code"].isin(codes)].rename(
        columns={"icb_code": "code", "icb_name": "name"}
    )
    members = gpd.GeoDataFrame(members, geometry="geometry", crs=4326)
    outline = members.dissolve()
    return draw(
        outline,
        members[["code", "name", "geometry"]],
        title="What-if: " + " + ".join(members["name"]),
        vintage=vintage,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def nhse_code(key: SystemKey) -> str | None:
    """NHS England's allocation-file code of a 2026 ICB (e.g. T04); None in 2022."""
    table = systems(key.vintage).set_index("icb_code")
    if "icb_code_nhse" not in table.columns or key.code not in table.index:
        return None
    code = table.at[key.code, "icb_code_nhse"]
    return code if isinstance(code, str) else None
