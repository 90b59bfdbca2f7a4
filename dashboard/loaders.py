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
