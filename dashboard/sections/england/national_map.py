"""All of England's LSOAs on one SVG map; a click or a pick opens that ICS's map."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure
from dashboard.scaffold import PageContext, link_choice
from dashboard.state import ICS_KEY
from layers.england import group_ics

MEASURES = {"imd_decile": "IMD 2019 decile", "population": "Residents (mid-2020)"}
COLOUR_NOTES = {
    "imd_decile": "each LSOA's IMD 2019 decile",
    "population": "each LSOA's residents (mid-2020), in tenths of England's LSOAs",
}
_DRILL = "drill_to_map"


def _drill_into(code: str) -> None:
    """Make ``code`` the chosen ICS and open its map on the next run."""
    st.session_state[ICS_KEY] = code
    st.session_state[_DRILL] = True


def _on_map_select() -> None:
    names = loaders.system_names()
    for point in st.session_state["england_map"].selection.get("points", []):
        try:
            code = group_ics(point.get("location", ""))
        except ValueError:
            continue  # not one of the LSOA shapes
        if code in names:
            _drill_into(code)
            return


def _on_pick() -> None:
    if st.session_state.get("england_pick"):
        _drill_into(st.session_state["england_pick"])


def follow_drill() -> None:
    """Open the map page of the ICS chosen here on the previous run, if any."""
    if st.session_state.pop(_DRILL, False):
        st.switch_page("views/map.py", query_params={"ics": st.session_state[ICS_KEY]})


def draw(ctx: PageContext) -> None:
    """The colour choice, the drill-down picker and the map."""
    names = loaders.system_names()
    requested = link_choice("colour", list(MEASURES), "the colour", "imd_decile")
    measure = st.radio(
        "Colour LSOAs by",
        list(MEASURES),
        index=list(MEASURES).index(requested),
        format_func=MEASURES.get,
        horizontal=True,
    )
    st.query_params["colour"] = measure
    st.selectbox(
        "Drill into an ICS (or click one on the map)",
        [None, *sorted(names, key=names.get)],
        format_func=lambda c: "Choose an ICS…" if c is None else f"{names[c]} ({c})",
        key="england_pick",
        on_change=_on_pick,
    )
    show_figure(
        loaders.england_figure(measure),
        f"England LSOAs by {MEASURES[measure]}",
        "england_map",
        export=lambda: loaders.england_export_figure(measure),
        config={"scrollZoom": True},
        on_select=_on_map_select,
        selection_mode="points",
    )
    st.caption(
        "All 32,844 LSOAs (2011), simplified for the national view; blue lines are ICS "
        f"outlines. Colours: {COLOUR_NOTES[measure]}. Hover for an ICS's LSOAs and "
        "residents in that colour; click an ICS to open its map."
    )
