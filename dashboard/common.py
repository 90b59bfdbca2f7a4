"""What every page shares: the chosen ICS, place definition and the data footer."""

from __future__ import annotations

import streamlit as st

import layers
from dashboard import loaders

#: Default ICS: Herefordshire and Worcestershire.
DEFAULT_ICS = "QGH"


def current_ics() -> str:
    """The NHS ICB code chosen in the sidebar."""
    return st.session_state.get("ics", DEFAULT_ICS)


def current_place_definition() -> str:
    """The place definition in use: the sidebar's, or the session's uploaded groupings.

    Uploaded groupings are carried as ``custom:<sidebar definition>:<digest>``, a
    content-addressed key that the cached loaders understand (see
    ``loaders.register_grouping``).
    """
    chosen = st.session_state.get("place_definition") or loaders.default_place_definition(
        current_ics()
    )
    digest = st.session_state.get("grouping_digest")
    if digest and st.session_state.get("uploads_ics") == current_ics():
        return f"custom:{chosen}:{digest}"
    return chosen


def place_definition_label(place_definition: str) -> str:
    """Plain words for a place definition, including uploaded groupings."""
    return layers.PLACE_DEFINITIONS[place_definition.split(":")[0]]


def place_definition_note() -> None:
    """Say which place definition the page uses."""
    st.caption(f"Places: {place_definition_label(current_place_definition())}.")


def data_footer() -> None:
    """Data vintage and attribution, at the foot of every page."""
    st.divider()
    st.caption(f"Data: {layers.DATA_VINTAGE}.  \n{layers.SOURCES}")
