"""4. Cross-boundary flows: between this ICS and others, between its places, and on a map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, show_figure
from dashboard.scaffold import PageContext
from dashboard.sections.boundaries.view import (
    View,
    linked_select,
    registrations_when,
    show,
)
from layers import format as fmt
from layers.alignment import tables
from layers.alignment.disclosed import AREA_NAMES, REST_OF_ENGLAND

#: Wales and unknown LSOAs: flow ends with no geometry to map.
POOLED = [c for c in AREA_NAMES if c != REST_OF_ENGLAND]


def _metrics(summary: pd.Series) -> None:
    cols = st.columns(4)
    cols[0].metric(
        "Residents registered elsewhere",
        fmt.count(summary["outflow_patients"]),
        help="Residents of the ICS's LSOAs registered with practices of other ICSs.",
    )
    cols[1].metric(
        "… share of registered residents", fmt.share(1 - summary["resident_retention_share"])
    )
    cols[2].metric(
        "Patients living elsewhere",
        fmt.count(summary["inflow_patients"]),
        help="Patients of the ICS's practices who live outside it, including Wales and "
        "residences with an unknown LSOA.",
    )
    cols[3].metric(
        "… share of the practices' patients", fmt.share(1 - summary["practice_resident_share"])
    )


def flow_options(view: View) -> dict[str, str]:
    """The flows a map can show: ``"<level>:<from>:<to>"`` → words, largest first."""
    code, name = view.key.code, view.system.name
    flows, place_flows = view.tables["cross_boundary_flows"], view.tables["place_flows"]
    mapped = flows.loc[~flows["other_code"].isin(POOLED)]
    options: dict[str, str] = {}
    for row in mapped.loc[mapped["direction"] == "outflow"].head(10).itertuples(index=False):
        options[f"icb:{code}:{row.other_code}"] = (
            f"Out: {name} residents registered in {row.other_name} ({row.patients:,})"
        )
    for row in mapped.loc[mapped["direction"] == "inflow"].head(10).itertuples(index=False):
        options[f"icb:{row.other_code}:{code}"] = (
            f"In: {row.other_name} residents registered in {name} ({row.patients:,})"
        )
    between = place_flows.loc[
        (place_flows["from_kind"] == "place")
        & (place_flows["to_kind"] == "place")
        & (place_flows["from_code"] != place_flows["to_code"])
    ].sort_values("patients", ascending=False)
    for row in between.head(30).itertuples(index=False):
        options[f"place:{row.from_code}:{row.to_code}"] = (
            f"Between places: {row.from_name} residents registered in {row.to_name} "
            f"({row.patients:,})"
        )
    return options


def _flow_caption(rows: pd.DataFrame) -> str:
    pooled = rows.loc[rows["lsoa_code"].isin(POOLED), "patients"].sum()
    top = rows.loc[~rows["lsoa_code"].isin(POOLED)].head(5)
    return (
        f"Colour: share of each LSOA's registered residents (England-wide) in this flow; "
        f"{len(rows):,} LSOAs hold its {int(rows['patients'].sum()):,} patients; the 5 "
        f"largest hold {100 * top['share_of_flow'].sum():.0f}%."
        + (f" {int(pooled):,} living in Wales or an unknown LSOA are not mapped." if pooled else "")
        + " No basemap is drawn, so the map works offline."
    )


def _flow_map(ctx: PageContext, view: View) -> None:
    st.markdown("**Map: where a flow concentrates**")
    options = flow_options(view)
    if not options:
        st.info("No patients cross this ICS's boundaries in the registrations.")
        return
    choice = linked_select(
        f"Flow (patients, {registrations_when(ctx)})",
        options,
        "flow",
        "the flow",
        f"bnd_flow_{ctx.code}_{view.place_definition}",
    )
    level, from_code, to_code = choice.split(":", 2)
    flow_figure = loaders.alignment_flow_map(view.key, view.la_level, level, from_code, to_code)
    show_figure(
        flow_figure,
        f"{ctx.code} flow map {from_code} to {to_code}",
        "bnd_flow_map",
        config={"scrollZoom": True},
    )
    conc = view.tables["flow_concentration" if level == "icb" else "place_flow_concentration"]
    rows = conc.loc[(conc["from_code"] == from_code) & (conc["to_code"] == to_code)]
    st.caption(_flow_caption(rows))
    with st.expander("The flow LSOA by LSOA"):
        show(
            tables.flow_lsoa_table(rows, loaders.alignment_lsoa_names(ctx.vintage)),
            f"{ctx.code} flow {from_code} to {to_code} by LSOA",
            "bnd_flow_rows",
        )


def draw(ctx: PageContext, view: View) -> None:
    """Metrics, flows to and from other ICSs, between places, and one flow's map."""
    st.subheader("4. Cross-boundary flows")
    _metrics(view.tables["flow_summary"].iloc[0])
    counts = "modelled, unrounded" if ctx.info.registrations_modelled else "exact published"
    st.markdown(f"**Flows to and from other ICSs** ({counts} counts)")
    show(
        tables.flow_table(view.tables["cross_boundary_flows"]),
        f"{ctx.code} cross-boundary flows",
        "bnd_flows",
        column_config={
            "Share (%)": st.column_config.NumberColumn(
                "Share (%)",
                format="%.2f%%",
                help="Outflow: of the ICS's registered residents. Inflow: of its practices' "
                "patients.",
            )
        },
    )
    st.markdown(
        "**Flows between places**: rows are where patients live, columns where they are "
        "registered (places follow the sidebar's place definition)."
    )
    matrix = tables.place_flow_matrix(
        view.tables["place_flows"], view.system.places["place_name"].tolist()
    )
    show(
        matrix,
        f"{ctx.code} flows between places {view.place_definition}",
        "bnd_pivot",
        formats={c: COUNT for c in matrix.columns[1:]},
    )
    _flow_map(ctx, view)
