"""Naive baseline for the England map: a benchmark fixture, never imported by the product.

This is how the England LSOA map is commonly written first: read the full-resolution
boundaries straight from ``../shared/data`` on every rerun (no ``st.cache_*``),
reproject to WGS84, join IMD 2019 deciles, and hand the whole GeoDataFrame to
``plotly.express.choropleth_map``, so the geometry travels inside the figure over
Streamlit's websocket. ``benchmarks/bench_england.py`` draws it next to the England
page in the same run.

Run on its own with ``streamlit run benchmarks/naive_app.py``.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.express as px
import streamlit as st

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

st.set_page_config(page_title="naive England map", layout="wide")
st.title("England LSOAs (naive baseline)")

lsoas = gpd.read_file(DATA / "boundaries" / "lsoa11_bgc_england_27700.gpkg").to_crs(4326)
imd = pd.read_csv(DATA / "deprivation" / "imd2019_lsoa11_ranks_deciles.csv")
lsoas = lsoas.merge(imd, left_on="LSOA11CD", right_on="lsoa11_code").set_index("LSOA11CD")

figure = px.choropleth_map(
    lsoas,
    geojson=lsoas.geometry,
    locations=lsoas.index,
    color="IMD_decile",
    hover_name="LSOA11NM",
    color_continuous_scale="Viridis",
    map_style="white-bg",  # no tiles: the machine is offline, as in the product
    center={"lon": -1.9, "lat": 52.75},
    zoom=5.55,
    height=750,
)
figure.update_traces(marker_line_width=0)
st.plotly_chart(figure)
