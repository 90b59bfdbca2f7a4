"""Map: the five layers of the chosen ICS on one interactive, offline map."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads
from layers.maps import (
    CHOROPLETH_MEASURES,
    MAP_LAYERS,
    OFFLINE_TOPOJSON_URL,
    outline_coordinates,
)


def uploaded_boundaries(code: str):
    """The session's uploaded proposed boundaries for this ICS, if any."""
    uploads = st.session_state.get("uploads")
    if uploads is None or st.session_state.get("uploads_ics") != code:
        return None
    return uploads.get("boundaries")


def with_proposed_boundaries(figure: go.Figure, proposed) -> go.Figure:
    """A copy of the cached figure with the uploaded boundaries drawn on top."""
    lon, lat = outline_coordinates(proposed.geometry)
    copy = go.Figure(figure)
    copy.add_trace(
        go.Scattergeo(
            lon=lon,
            lat=lat,
            mode="lines",
            hoverinfo="skip",
            line={"color": "#d5006d", "width": 3},
            name="Proposed boundaries (your upload)",
        )
    )
    return copy


MEASURE_LABELS = {"imd_decile": "IMD 2019 decile", "population": "Residents (mid-2020)"}

ctx = scaffold.context()
code, place_definition, system_key = ctx.code, ctx.place_definition, ctx.key
system = loaders.system(system_key)

st.title(f"Map: {system.name} ICS")
scaffold.place_note(ctx)

# The controls sit above the map but are drawn after it, so the map's data reaches the
# browser first; until they are drawn, their values come from session state.
controls = st.container()
requested = st.query_params.get("colour", "imd_decile")
if requested not in CHOROPLETH_MEASURES:
    requested = "imd_decile"
measure = st.session_state.get("map_colour", requested)
shown = st.session_state.get("map_layers", list(MAP_LAYERS))
st.query_params["colour"] = measure

if not shown:
    st.info("Choose at least one layer to draw the map.")
else:
    figure = loaders.map_figure(system_key, measure, tuple(shown))
    proposed = uploaded_boundaries(code)
    if proposed is not None:
        figure = with_proposed_boundaries(figure, proposed)
    st.plotly_chart(
        figure,
        config={"displaylogo": False, "scrollZoom": True, "topojsonURL": OFFLINE_TOPOJSON_URL},
        key="system_map",
    )
    st.caption(
        "Hover for names, codes and populations. LSOA colours: "
        f"{MEASURE_LABELS[measure]}; practice markers are sized by registered patients "
        "(July 2022). No basemap is drawn, so the map works offline."
    )

    def export_figure():
        """The map as shown, with its geometry inline for kaleido."""
        inline = loaders.map_export_figure(system_key, measure, tuple(shown))
        return inline if proposed is None else with_proposed_boundaries(inline, proposed)

    figure_downloads(export_figure, f"Map of {system.name} ICS", "system_map")

left, right = controls.columns([1, 3])
left.radio(
    "Colour LSOAs by",
    list(CHOROPLETH_MEASURES),
    index=list(CHOROPLETH_MEASURES).index(measure),
    format_func=MEASURE_LABELS.get,
    horizontal=True,
    key="map_colour",
)
right.pills(
    "Layers",
    list(MAP_LAYERS),
    default=shown,
    selection_mode="multi",
    format_func=MAP_LAYERS.get,
    help="Switch layers on and off here or by clicking the legend.",
    key="map_layers",
)
scaffold.finish(ctx)
