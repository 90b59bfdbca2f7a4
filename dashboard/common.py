"""What every page shares: the chosen ICS, place definition and the data footer."""

from __future__ import annotations

import streamlit as st

import layers

#: Default ICS: Herefordshire and Worcestershire.
DEFAULT_ICS = "QGH"


def current_ics() -> str:
    """The NHS ICB code chosen in the sidebar."""
    return st.session_state.get("ics", DEFAULT_ICS)


def current_place_definition() -> str:
    """The place definition chosen in the sidebar."""
    return st.session_state.get("place_definition") or layers.default_place_definition(
        current_ics()
    )


def place_definition_note() -> None:
    """Say which place definition the page uses."""
    st.caption(f"Places: {layers.PLACE_DEFINITIONS[current_place_definition()]}.")


def data_footer() -> None:
    """Data vintage and attribution, at the foot of every page."""
    st.divider()
    st.caption(f"Data: {layers.DATA_VINTAGE}.  \n{layers.SOURCES}")
