"""England: every LSOA and ICS, with national league tables and drill-down to one ICS."""

import streamlit as st

from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads, table_downloads
from layers.england import group_ics
from layers.maps import OFFLINE_TOPOJSON_URL

ctx = scaffold.context()
MEASURES = {"imd_decile": "IMD 2019 decile", "population": "Residents (mid-2020)"}
COLOUR_NOTES = {
    "imd_decile": "each LSOA's IMD 2019 decile",
    "population": "each LSOA's residents (mid-2020), in tenths of England's LSOAs",
}

systems = loaders.systems()
names = dict(zip(systems["icb_code"], systems["icb_name"], strict=True))


def drill_into(code: str) -> None:
    """Make ``code`` the chosen ICS and open its map."""
    st.session_state["ics"] = code
    st.session_state["drill_to_map"] = True


def on_map_select() -> None:
    """Drill into the ICS clicked on the map."""
    for point in st.session_state["england_map"].selection.get("points", []):
        try:
            code = group_ics(point.get("location", ""))
        except ValueError:
            continue  # not one of the LSOA shapes
        if code in names:
            drill_into(code)
            return


def on_pick() -> None:
    """Drill into the ICS picked in the select box."""
    if st.session_state.get("england_pick"):
        drill_into(st.session_state["england_pick"])


if st.session_state.pop("drill_to_map", False):
    st.switch_page("views/map.py", query_params={"ics": st.session_state["ics"]})

st.title("England: all 42 ICSs")
st.caption(
    "Places: each ICS's default place definition (places named in its papers, "
    "otherwise upper-tier local authorities)."
)

requested = st.query_params.get("colour", "imd_decile")
measure = st.radio(
    "Colour LSOAs by",
    list(MEASURES),
    index=list(MEASURES).index(requested) if requested in MEASURES else 0,
    format_func=MEASURES.get,
    horizontal=True,
)
st.query_params["colour"] = measure

st.selectbox(
    "Drill into an ICS (or click one on the map)",
    [None, *sorted(names, key=names.get)],
    format_func=lambda c: "Choose an ICS…" if c is None else f"{names[c]} ({c})",
    key="england_pick",
    on_change=on_pick,
)
st.plotly_chart(
    loaders.england_figure(measure),
    key="england_map",
    on_select=on_map_select,
    selection_mode="points",
    config={"displaylogo": False, "scrollZoom": True, "topojsonURL": OFFLINE_TOPOJSON_URL},
)
figure_downloads(
    lambda: loaders.england_export_figure(measure),
    f"England LSOAs by {MEASURES[measure]}",
    key="england_map",
)
st.caption(
    "All 32,844 LSOAs (2011), simplified for the national view; blue lines are ICS "
    f"outlines. Colours: {COLOUR_NOTES[measure]}. Hover for an ICS's LSOAs and "
    "residents in that colour; click an ICS to open its map."
)

st.subheader("National league table")
bands = ctx.band_dict
table = loaders.league_table(tuple((t, *bands[t]) for t in ("practice", "pcn", "place")))
st.markdown(
    "**Tier fit**: share of units whose registered patients fall inside the design band "
    f"(practices {bands['practice'][0]:,}–{bands['practice'][1]:,}; PCNs "
    f"{bands['pcn'][0]:,}–{bands['pcn'][1]:,}; places {bands['place'][0]:,}–"
    f"{bands['place'][1]:,}; bands edited on the Population tiers page carry over). "
    "**Need index**: NHS England 2022/23 core weighted population per head, relative to "
    "England (1.00 = average need). **Core20**: residents in national IMD deciles 1–2. "
    "**Alignment**: share of the ICS's registered patients who live in the ICS."
)
shown = table[
    [
        "icb_name",
        "icb_code",
        "registered_patients",
        "resident_population",
        "n_practices",
        "practices_in_band",
        "n_pcns",
        "pcns_in_band",
        "n_places",
        "places_in_band",
        "need_index",
        "core20_share",
        "alignment",
    ]
].copy()
percent_columns = [
    "practices_in_band",
    "pcns_in_band",
    "places_in_band",
    "core20_share",
    "alignment",
]
shown[percent_columns] = (shown[percent_columns] * 100).round(1)
shown["need_index"] = shown["need_index"].round(3)
st.dataframe(
    shown.sort_values("need_index", ascending=False),
    hide_index=True,
    column_config={
        "icb_name": "ICS",
        "icb_code": "Code",
        "registered_patients": st.column_config.NumberColumn(
            "Registered patients (Jul 2022)", format="localized"
        ),
        "resident_population": st.column_config.NumberColumn(
            "Residents (mid-2020)", format="localized"
        ),
        "n_practices": "Practices",
        "practices_in_band": st.column_config.NumberColumn("Practices in band %", format="%.1f"),
        "n_pcns": "PCNs",
        "pcns_in_band": st.column_config.NumberColumn("PCNs in band %", format="%.1f"),
        "n_places": "Places",
        "places_in_band": st.column_config.NumberColumn("Places in band %", format="%.1f"),
        "need_index": st.column_config.NumberColumn("Need index (England = 1)", format="%.3f"),
        "core20_share": st.column_config.NumberColumn("Core20 residents %", format="%.1f"),
        "alignment": st.column_config.NumberColumn("Patients living in ICS %", format="%.1f"),
    },
)
st.caption("Sort by any column by clicking its header.")
table_downloads(shown, "England ICS league table (July 2022 data)", key="league")
scaffold.finish(ctx)
