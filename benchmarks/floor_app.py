"""The floor: the same stack (Streamlit + plotly MapLibre) drawing a one-polygon map.

``?kind=svg`` draws the same polygon on an SVG ``geo`` map instead (the trace type of
the ICS map), as a reference for what that trace type costs on this stack.
"""

import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from layers.maps import OFFLINE_TOPOJSON_URL

st.set_page_config(page_title="floor", layout="wide")
square = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "a",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-2.5, 52], [-2, 52], [-2, 52.3], [-2.5, 52.3], [-2.5, 52]]],
            },
        }
    ],
}
if st.query_params.get("kind") == "svg":
    figure = go.Figure(go.Choropleth(geojson=square, locations=["a"], z=[1]))
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    figure.update_layout(height=650)
    config = {"topojsonURL": OFFLINE_TOPOJSON_URL}
else:
    figure = go.Figure(go.Choroplethmap(geojson=square, locations=["a"], z=[1]))
    figure.update_layout(
        map={"style": "white-bg", "center": {"lon": -2.25, "lat": 52.15}, "zoom": 7}, height=650
    )
    config = {}
st.title("Floor")
st.plotly_chart(figure, config=config)
