"""The floor: the same stack (Streamlit + plotly MapLibre) drawing a one-polygon map."""

import plotly.graph_objects as go
import streamlit as st

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
figure = go.Figure(go.Choroplethmap(geojson=square, locations=["a"], z=[1]))
figure.update_layout(
    map={"style": "white-bg", "center": {"lon": -2.25, "lat": 52.15}, "zoom": 7}, height=650
)
st.title("Floor")
st.plotly_chart(figure)
