"""The five layers on one offline SVG map, with its controls drawn after it."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure
from dashboard.scaffold import PageContext, in_vintage, link_choice, vw
from dashboard.state import uploaded
from layers.figures.maps import with_proposed_boundaries
from layers.maps import CHOROPLETH_MEASURES, MAP_LAYERS

MEASURE_LABELS = {"imd_decile": "IMD 2019 decile", "population": "Residents (mid-2020)"}
_COLOUR_KEY, _LAYERS_KEY = "map_colour", "map_layers"


def draw(ctx: PageContext) -> None:
    """The map first (its data reaches the browser first), then its controls above it."""
    # The controls sit above the map but are drawn after it; until they are drawn, their
    # values come from session state (or the link).
    controls = st.container()
    requested = link_choice("colour", list(CHOROPLETH_MEASURES), "the colour", "imd_decile")
    measure = st.session_state.get(_COLOUR_KEY, requested)
    shown = st.session_state.get(_LAYERS_KEY, list(MAP_LAYERS))
    st.query_params["colour"] = measure
    if not shown:
        st.info("Choose at least one layer to draw the map.")
    else:
        _map(ctx, measure, tuple(shown))
    left, right = controls.columns([1, 3])
    left.radio(
        "Colour LSOAs by",
        list(CHOROPLETH_MEASURES),
        index=list(CHOROPLETH_MEASURES).index(measure),
        format_func=lambda m: in_vintage(MEASURE_LABELS[m], ctx.vintage),
        horizontal=True,
        key=_COLOUR_KEY,
    )
    right.pills(
        "Layers",
        list(MAP_LAYERS),
        default=shown,
        selection_mode="multi",
        format_func=MAP_LAYERS.get,
        help="Switch layers on and off here or by clicking the legend.",
        key=_LAYERS_KEY,
    )


def _map(ctx: PageContext, measure: str, shown: tuple[str, ...]) -> None:
    figure = loaders.map_figure(ctx.key, measure, shown)
    proposed = uploaded(ctx.code, "boundaries")
    if proposed is not None:
        figure = with_proposed_boundaries(figure, proposed)

    def export():
        """The map as shown, with its geometry inline for kaleido."""
        inline = loaders.map_export_figure(ctx.key, measure, shown)
        return inline if proposed is None else with_proposed_boundaries(inline, proposed)

    show_figure(
        figure,
        f"Map of {ctx.title_suffix}",
        "system_map",
        export=export,
        config={"scrollZoom": True},
    )
    st.caption(
        "Hover for names, codes and populations. LSOA colours: "
        f"{vw(MEASURE_LABELS[measure])}; practice markers are sized by registered patients "
        + vw("(July 2022). No basemap is drawn, so the map works offline.")
    )
