"""Every cached loader the pages use, in one place.

Shared read-only data (the five layers of an ICS, figures) is held once per server
with ``st.cache_resource``; small derived tables use ``st.cache_data``. All keys are
plain strings and tuples, so they hash cheaply.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import layers
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
