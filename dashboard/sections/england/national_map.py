"""All of England's LSOAs on one SVG map; a click or a pick opens that ICS's map."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure
from dashboard.scaffold import PageContext, link_choice
from dashboard.state import DEFAULT_VINTAGE, ICS_KEY, VINTAGE_KEY
from layers import get_vintage
from layers.england import group_ics


def measures(vintage: str) -> dict[str, str]:
    """What can colour the map, in the vintage's words."""
    info = get_vintage(vintage)
    return {
        "imd_decile": f"{info.imd_name} decile",
        "population": f"Residents ({info.population_source})",
    }


def colour_notes(vintage: str) -> dict[str, str]:
    """The caption's words for each colour."""
    info = get_vintage(vintage)
    return {
        "imd_decile": f"each LSOA's {info.imd_name} decile",
        "population": f"each LSOA's residents ({info.population_source}), in tenths of "
        "England's LSOAs",
    }


#: The 2022 words, for callers that predate the vintages (keys are the same in each).
MEASURES = measures("2022")


def _vintage() -> str:
    return st.session_state.get(VINTAGE_KEY, DEFAULT_VINTAGE)


_DRILL = "drill_to_map"


def _drill_into(code: str) -> None:
    """Make ``code`` the chosen ICS and open its map on the next run."""
    st.session_state[ICS_KEY] = code
    st.session_state[_DRILL] = True


def _on_map_select() -> None:
    names = loaders.system_names(_vintage())
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
        st.switch_page(
            "views/map.py",
            query_params={"vintage": _vintage(), "ics": st.session_state[ICS_KEY]},
        )


def draw(ctx: PageContext) -> None:
    """The colour choice, the drill-down picker and the map."""
    names = loaders.system_names(ctx.vintage)
    words = measures(ctx.vintage)
    requested = link_choice("colour", list(words), "the colour", "imd_decile")
    measure = st.radio(
        "Colour LSOAs by",
        list(words),
        index=list(words).index(requested),
        format_func=words.get,
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
        loaders.england_figure(measure, ctx.vintage),
        f"England LSOAs by {words[measure]} ({ctx.vintage} data)",
        "england_map",
        export=lambda: loaders.england_export_figure(measure, ctx.vintage),
        config={"scrollZoom": True},
        on_select=_on_map_select,
        selection_mode="points",
    )
    st.caption(
        f"All {ctx.info.n_lsoas:,} LSOAs ({ctx.info.lsoa_year}), simplified for the national "
        f"view; blue lines are ICS outlines ({ctx.info.icb_date}). Colours: "
        f"{colour_notes(ctx.vintage)[measure]}. Hover for an ICS's LSOAs and "
        "residents in that colour; click an ICS to open its map."
    )
