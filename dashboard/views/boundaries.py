"""Boundary alignment: whether PCNs, practices and places line up with council boundaries.

For local authority partners who pool budgets or plan services with the NHS, and for
an ICS explaining how its former CCGs map onto it. Six sections, one tab each (only
the open tab runs): residence-based alignment, the PCN × authority overlap, area-based
alignment, cross-boundary flows, merger lineage and one-page place cards.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads, table_downloads
from layers.alignment import cards, charts
from layers.alignment.disclosed import AREA_NAMES, REST_OF_ENGLAND
from layers.export import figure_bytes
from layers.maps import OFFLINE_TOPOJSON_URL

#: Local authority levels a user can compare with (the ``la`` query parameter).
LA_LEVELS = {
    "utla": "Upper-tier authorities (counties, unitaries, metropolitan districts, London boroughs)",
    "ltla": "Lower-tier authorities (districts, unitaries, metropolitan districts, boroughs)",
}
LA_SHORT = {"utla": "Upper-tier", "ltla": "Lower-tier"}
DEFAULT_LA = "utla"
DEFAULT_STRADDLE = 90
STRADDLE_MIN, STRADDLE_MAX = 50, 100
SECTIONS = ["Residence", "Overlap", "Area", "Flows", "Lineage", "Place cards"]
CELLS = {"patients": "Patients (rounded)", "share": "% of the PCN's patients"}
ORDERS = {
    "home": "Grouped by home authority",
    "share": "Lowest home share first",
    "patients": "Largest PCN first",
    "name": "Name",
}
UNIT_TYPES = {"pcn": "PCN", "practice_no_pcn": "Practice in no PCN", "practice": "Practice"}
#: Wales and unknown LSOAs: flow ends with no geometry to map.
POOLED = [c for c in AREA_NAMES if c != REST_OF_ENGLAND]
DISCLOSURE_NOTE = (
    "**Disclosure rule on this table and its exports.** Registration counts by practice "
    "and LSOA are a published NHS Digital aggregate, but these tables are made to be "
    "passed on, so NHS Digital's rule is applied: every count is rounded to the nearest "
    "5 and counts of 1–7 are shown as \\*; a unit's total is summed from the unrounded "
    "counts and then rounded; **percentages are computed from the rounded figures**. "
    "Whether a unit straddles is decided on the unrounded published counts, so a unit "
    "just under the threshold can show a rounded share equal to it."
)

ctx = scaffold.context()
code, chosen_definition = ctx.code, ctx.place_definition
# Uploaded groupings ("custom:<base>:<digest>") put practices into places, which has
# no footprint of its own to compare with councils: this page uses the geographic
# places they were uploaded against.
place_definition = (
    chosen_definition.split(":")[1]
    if chosen_definition.startswith("custom:")
    else chosen_definition
)
unknown_definition = place_definition not in layers.PLACE_DEFINITIONS
if unknown_definition:
    place_definition = "utla"
system_key = ctx.key._replace(place_definition=place_definition)
system = loaders.system(system_key)

st.title(f"Boundary alignment: {system.name} ICS")
st.caption(
    "Do PCNs, practices and places line up with council boundaries? For partners checking "
    "before they pool budgets or plan services together. Registered patients: NHS Digital, "
    "July 2022 (practice × LSOA of residence)."
)
scaffold.place_note(ctx)
if unknown_definition:
    st.warning(f"Unknown place definition {chosen_definition!r}; using upper-tier authorities.")
elif chosen_definition != place_definition:
    st.info(
        "Your uploaded place groupings assign practices to places; boundary alignment is "
        "about geography, so this page uses the geographic places they were uploaded "
        f"against: {layers.PLACE_DEFINITIONS[place_definition]}."
    )


def _from_link() -> None:
    """Put the link's la / straddle into the widgets on first load, or say what's wrong."""
    if "bnd_la" not in st.session_state:
        requested = st.query_params.get("la", DEFAULT_LA)
        if requested not in LA_LEVELS:
            st.warning(
                f"The link asked for local authority level {requested!r}; use 'utla' "
                f"(upper-tier) or 'ltla' (lower-tier). Showing upper-tier authorities."
            )
            requested = DEFAULT_LA
        st.session_state["bnd_la"] = requested
    if "bnd_straddle" not in st.session_state:
        raw = st.query_params.get("straddle", str(DEFAULT_STRADDLE))
        try:
            value = float(raw)
            if not value.is_integer() or not STRADDLE_MIN <= value <= STRADDLE_MAX:
                raise ValueError
            st.session_state["bnd_straddle"] = int(value)
        except ValueError:
            st.warning(
                f"The link asked for a straddle threshold of {raw!r}; it must be a whole "
                f"percentage from {STRADDLE_MIN} to {STRADDLE_MAX}, such as "
                f"?straddle={DEFAULT_STRADDLE}. Showing {DEFAULT_STRADDLE}%."
            )
            st.session_state["bnd_straddle"] = DEFAULT_STRADDLE


_from_link()
controls = st.columns([2, 2, 3])
la_level = controls[0].radio(
    "Compare with local authorities at",
    list(LA_LEVELS),
    key="bnd_la",
    format_func=LA_SHORT.get,
    help="Upper-tier authorities run social care and public health (health and wellbeing "
    "boards); lower-tier districts run housing and planning. Unitaries, metropolitan "
    "districts and London boroughs are both.",
)
threshold_pct = controls[1].slider(
    "A PCN straddles when its home authority holds under",
    min_value=STRADDLE_MIN,
    max_value=STRADDLE_MAX,
    step=1,
    key="bnd_straddle",
    format="%d%%",
    help="The home authority is where most of the PCN's registered patients live. Default 90%.",
)
controls[2].markdown(
    f"**Local authorities:** {LA_LEVELS[la_level]}. "
    f"**Places** (flows and place cards) follow the sidebar: "
    f"“{layers.PLACE_DEFINITIONS[place_definition]}”. A PCN's **home** authority is "
    f"where most of its patients live; it **straddles** when under {threshold_pct}% of "
    "them live there."
)
st.query_params["la"] = la_level
st.query_params["straddle"] = str(threshold_pct)
threshold = threshold_pct / 100
la_word = LA_SHORT[la_level].lower()

figures = loaders.alignment_bundle(system_key, la_level, threshold_pct)
home = figures["home_authorities"]
unit_names = dict(zip(home["unit_code"], home["unit_name"], strict=True))


def yes_no(flags: pd.Series) -> pd.Series:
    """Straddle flags as words, so the table never relies on colour."""
    return flags.map({True: "Yes", False: "No"})


def pct_col(label: str, help_text: str | None = None) -> st.column_config.NumberColumn:
    """A percentage column (values 0-100)."""
    return st.column_config.NumberColumn(label, format="%.1f%%", help=help_text)


def count_col(label: str, help_text: str | None = None) -> st.column_config.NumberColumn:
    """A whole-number column with thousands separators."""
    return st.column_config.NumberColumn(label, format="localized", help=help_text)


def home_table(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Readable home-authority table (exact published counts)."""
    out = pd.DataFrame(
        {
            unit: table["unit_name"],
            "Code": table["unit_code"],
            "Type": table["unit_type"].map(UNIT_TYPES),
            "Registered patients": table["patients"],
            "Home authority": table["home_la_name"],
            "Home share (%)": (100 * table["home_share"]).round(1),
            "Second authority": table["second_la_name"],
            "Second share (%)": (100 * table["second_share"]).round(1),
            "Authorities with patients": table["n_authorities"],
            f"Straddles (under {threshold_pct}%)": yes_no(table["straddles"]),
        }
    )
    return out.sort_values("Home share (%)").reset_index(drop=True)


requested_section = st.query_params.get("section")
if requested_section is not None and requested_section not in SECTIONS:
    st.warning(
        f"The link asked for section {requested_section!r}; the sections are "
        f"{', '.join(SECTIONS)}. Showing {SECTIONS[0]}."
    )
tabs = st.tabs(SECTIONS, key="section", bind="query-params")

# --------------------------------------------------------------------------- 1
if tabs[0].open:
    with tabs[0]:
        st.subheader("1. Residence-based alignment")
        st.markdown(
            "Where each PCN's and practice's registered patients live, by local authority. "
            "A practice in no PCN counts as a unit of its own. Counts here are NHS "
            "Digital's published registration counts, shown exactly."
        )
        practices = figures["practice_home_authorities"]
        cot = figures["authority_coterminosity"]
        pcn_only = home["unit_type"] == "pcn"
        cols = st.columns(4)
        cols[0].metric(
            f"PCNs straddling (under {threshold_pct}%)",
            f"{int(home.loc[pcn_only, 'straddles'].sum())} of {int(pcn_only.sum())}",
        )
        cols[1].metric(
            f"Practices straddling (under {threshold_pct}%)",
            f"{int(practices['straddles'].sum())} of {len(practices)}",
        )
        cols[2].metric(
            "Median PCN home share", f"{100 * home.loc[pcn_only, 'home_share'].median():.1f}%"
        )
        own = cot.loc[cot["la_code"].isin(system.lsoas[f"{la_level}_code"])]
        cols[3].metric(
            "Residents with a home PCN",
            f"{100 * own['residents_at_home_units'].sum() / own['resident_patients'].sum():.1f}%",
            help="Across the ICS's authorities: residents registered with a PCN (or practice "
            "in no PCN) whose home authority is the one they live in.",
        )

        chart = charts.home_share_chart(
            home,
            threshold,
            title=f"{system.name}: share of each PCN's patients living in its home "
            f"authority ({la_word}, July 2022)",
        )
        st.plotly_chart(chart, key="bnd_home_chart", config={"displaylogo": False})
        figure_downloads(chart, f"{code} PCN home authority shares {la_level}", "bnd_home_fig")

        st.markdown("**PCNs** (sortable: click a column heading)")
        pcn_table = home_table(home, "PCN")
        st.dataframe(
            pcn_table,
            hide_index=True,
            column_config={
                "Registered patients": count_col("Registered patients (Jul 2022)"),
                "Home share (%)": pct_col("Home share", "Share of patients in the home authority"),
                "Second share (%)": pct_col("Second share"),
            },
            key="bnd_pcn_table",
        )
        table_downloads(pcn_table, f"{code} PCN home authorities {la_level}", "bnd_pcn_tab")

        st.markdown("**Practices**")
        pcn_of = system.practices.set_index("practice_code")["pcn_name"]
        practice_table = home_table(practices, "Practice").drop(columns="Type")
        practice_table.insert(2, "PCN", practice_table["Code"].map(pcn_of))
        st.dataframe(
            practice_table,
            hide_index=True,
            column_config={
                "Registered patients": count_col("Registered patients (Jul 2022)"),
                "Home share (%)": pct_col("Home share"),
                "Second share (%)": pct_col("Second share"),
            },
            key="bnd_practice_table",
        )
        table_downloads(
            practice_table, f"{code} practice home authorities {la_level}", "bnd_prac_tab"
        )

        st.markdown("**Local authorities: coterminosity in both directions**")
        st.markdown(
            "- *Residents registered with home PCNs*: of the authority's residents who are "
            "registered with a GP anywhere, the share registered with a PCN whose home "
            "authority is this one.\n"
            "- *Home PCNs' patients living here*: of all patients of the PCNs homed in the "
            "authority, the share who live in it."
        )
        cot_table = pd.DataFrame(
            {
                "Local authority": cot["la_name"],
                "Code": cot["la_code"],
                "Residents (ONS mid-2020)": cot["population"],
                "Residents registered with a GP": cot["resident_patients"],
                "Registered with home PCNs": cot["residents_at_home_units"],
                "Residents registered with home PCNs (%)": (
                    100 * cot["residents_coterminosity"]
                ).round(1),
                "PCNs homed here": cot["n_home_units"],
                "Patients of home PCNs": cot["home_unit_patients"],
                "Home PCNs' patients living here (%)": (
                    100 * cot["home_units_coterminosity"]
                ).round(1),
            }
        )
        st.dataframe(
            cot_table,
            hide_index=True,
            column_config={
                "Residents (ONS mid-2020)": count_col("Residents (ONS mid-2020)"),
                "Residents registered with a GP": count_col("Residents registered (Jul 2022)"),
                "Registered with home PCNs": count_col("Registered with home PCNs"),
                "Patients of home PCNs": count_col("Patients of home PCNs"),
                "Residents registered with home PCNs (%)": pct_col(
                    "Residents registered with home PCNs"
                ),
                "Home PCNs' patients living here (%)": pct_col("Home PCNs' patients living here"),
            },
            key="bnd_cot_table",
        )
        table_downloads(cot_table, f"{code} authority coterminosity {la_level}", "bnd_cot_tab")

        with st.expander("Every unit's share of patients in every authority (long tables)"):
            for key, unit, label in (
                ("residence_shares", "PCN", "PCNs"),
                ("practice_residence_shares", "Practice", "practices"),
            ):
                shares = figures[key]
                long = pd.DataFrame(
                    {
                        unit: shares["unit_code"].map(unit_names)
                        if unit == "PCN"
                        else shares["unit_code"].map(
                            system.practices.set_index("practice_code")["practice_name"]
                        ),
                        "Code": shares["unit_code"],
                        "Local authority": shares["la_name"],
                        "Authority code": shares["la_code"],
                        "Patients": shares["patients"],
                        "Share (%)": (100 * shares["share"]).round(2),
                    }
                )
                st.markdown(f"**{label.capitalize()}** ({len(long):,} rows)")
                st.dataframe(long, hide_index=True, height=260, key=f"bnd_long_{key}")
                table_downloads(long, f"{code} {label} residence shares {la_level}", f"bnd_{key}")

# --------------------------------------------------------------------------- 2
if tabs[1].open:
    with tabs[1]:
        st.subheader("2. Overlap matrix: PCNs × local authorities")
        st.markdown(DISCLOSURE_NOTE)
        overlap = loaders.alignment_overlap(system_key, la_level)
        left, right = st.columns(2)
        cells = left.radio(
            "Cells show", list(CELLS), format_func=CELLS.get, horizontal=True, key="bnd_cells"
        )
        order = right.selectbox("Order PCNs", list(ORDERS), format_func=ORDERS.get, key="bnd_order")
        heatmap = loaders.alignment_heatmap(system_key, la_level, cells, order)
        st.plotly_chart(heatmap, key="bnd_heatmap", config={"displaylogo": False})
        st.caption(
            f"Columns: the ICS's {la_word} authorities, then every other English authority "
            "pooled, Wales and unknown LSOAs. Each cell carries its value as text; * is "
            "suppressed (1–7 patients)."
        )
        figure_downloads(heatmap, f"{code} PCN authority overlap {la_level}", "bnd_heat_fig")

        la_names = loaders.alignment_la_names(la_level)
        labels = {c: AREA_NAMES.get(c) or la_names.get(c, c) for c in overlap.values.columns}
        in_matrix = home.loc[home["unit_code"].isin(overlap.values.index)]
        rows = loaders.alignment_order(in_matrix, list(overlap.values.columns), order)
        overlap = overlap._replace(
            **{
                field: getattr(overlap, field).reindex(rows)
                for field in ("shown", "values", "shares", "totals", "total_values")
            }
        )
        unit_type = home.set_index("unit_code")["unit_type"]
        front = pd.DataFrame(
            {
                "PCN": [unit_names.get(u, u) for u in rows],
                "Code": rows,
                "Type": unit_type.reindex(rows).map(UNIT_TYPES).to_numpy(),
            }
        )
        values = "values" if cells == "patients" else "shares"
        shown = getattr(overlap, values).rename(columns=labels).reset_index(drop=True)
        screen = pd.concat(
            [front, overlap.total_values.rename("Total (rounded)").reset_index(drop=True), shown],
            axis=1,
        )
        st.dataframe(
            screen,
            hide_index=True,
            placeholder="*",
            column_config={
                c: (pct_col(c) if cells == "share" else count_col(c)) for c in shown.columns
            }
            | {"Total (rounded)": count_col("Total patients (rounded)")},
            key="bnd_overlap_table",
        )
        if cells == "patients":
            export = pd.concat(
                [
                    front,
                    overlap.totals.rename("Total (rounded)").reset_index(drop=True),
                    overlap.shown.rename(columns=labels).reset_index(drop=True),
                ],
                axis=1,
            )
        else:
            export = pd.concat([front, shown.astype(object).where(shown.notna(), "*")], axis=1)
        table_downloads(
            export,
            f"{code} PCN x authority overlap {la_level} {cells} "
            "(rounded to 5, 1-7 suppressed, % from rounded counts)",
            "bnd_overlap",
        )

        st.markdown(f"**Straddling PCNs: home authority under {threshold_pct}%**")
        straddlers = layers.alignment.disclose_straddlers(
            figures["straddling_units"], figures["residence_shares"]
        )
        if straddlers.empty:
            st.success(
                f"No PCN or practice in no PCN has under {threshold_pct}% of its patients in "
                f"its home {la_word} authority."
            )
        else:
            straddle_table = pd.DataFrame(
                {
                    "PCN": straddlers["unit_name"],
                    "Code": straddlers["unit_code"],
                    "Type": straddlers["unit_type"].map(UNIT_TYPES),
                    "Practices": straddlers["n_practices"],
                    "Patients (rounded)": straddlers["patients"],
                    "Home authority": straddlers["home_la_name"],
                    "Home patients (rounded)": straddlers["home_patients"],
                    "Home share (%)": straddlers["home_share_pct"],
                    "Second authority": straddlers["second_la_name"],
                    "Second patients (rounded)": straddlers["second_patients"],
                    "Second share (%)": straddlers["second_share_pct"],
                    "Authorities with patients": straddlers["n_authorities"],
                    "Where patients live (% from rounded counts)": straddlers["split"],
                }
            )
            numeric = straddle_table.copy()
            for column in (
                "Patients (rounded)",
                "Home patients (rounded)",
                "Home share (%)",
                "Second patients (rounded)",
                "Second share (%)",
            ):
                numeric[column] = pd.to_numeric(numeric[column], errors="coerce")
            st.dataframe(
                numeric,
                hide_index=True,
                placeholder="*",
                column_config={
                    "Patients (rounded)": count_col("Patients (rounded)"),
                    "Home patients (rounded)": count_col("Home patients (rounded)"),
                    "Second patients (rounded)": count_col("Second patients (rounded)"),
                    "Home share (%)": pct_col("Home share"),
                    "Second share (%)": pct_col("Second share"),
                },
                key="bnd_straddle_table",
            )
            table_downloads(
                straddle_table,
                f"{code} straddling PCNs {la_level} under {threshold_pct} percent "
                "(rounded to 5, 1-7 suppressed, % from rounded counts)",
                "bnd_straddle",
            )

# --------------------------------------------------------------------------- 3
if tabs[2].open:
    with tabs[2]:
        st.subheader("3. Area-based alignment: PCN footprints × authority boundaries")
        st.markdown(
            "PCNs have no official boundaries. A PCN's **footprint** here is the set of the "
            "ICS's LSOAs where it has more registered patients than any other PCN (as on "
            "the Map page); it is intersected with the authority polygons to give the share "
            "of its **area** in each authority, next to the share of its **patients**. "
            "Practices in no PCN have no footprint."
        )
        comparison = loaders.alignment_comparison(system_key, la_level, threshold_pct)
        both = comparison.loc[comparison["category"].isin(list(charts.COMPARISON_LABELS))]
        counts = both["category"].value_counts()
        differ = both["category"] != "agree"
        cols = st.columns(4)
        cols[0].metric("PCNs with both views", f"{len(both)}")
        cols[1].metric("Agree", f"{int(counts.get('agree', 0))}")
        cols[2].metric("Same home, one view straddles", f"{int(counts.get('straddle_differs', 0))}")
        cols[3].metric(
            "Different home authority",
            f"{int((~both['category'].isin(['agree', 'straddle_differs'])).sum())}",
        )
        chart = charts.comparison_chart(
            comparison,
            threshold,
            labels=unit_names,
            title=f"{system.name}: PCN patients against footprint area, by {la_word} authority",
        )
        st.plotly_chart(chart, key="bnd_compare_chart", config={"displaylogo": False})
        figure_downloads(chart, f"{code} area vs residence alignment {la_level}", "bnd_cmp_fig")

        st.markdown("**Where and why the two views disagree**")
        disagree = comparison.loc[
            comparison["category"].isin(["sparse_area", "patients_outside_footprint", "differ"])
        ]
        straddle_differs = comparison.loc[comparison["category"] == "straddle_differs"]
        lines = []
        if len(disagree):
            lines += [
                f"- **{unit_names.get(u, u)}**: {text}"
                for u, text in zip(disagree["unit_code"], disagree["explanation"], strict=True)
            ]
        if len(straddle_differs):
            area_more = straddle_differs.loc[
                straddle_differs["area_home_share"] > straddle_differs["residence_home_share"],
                "unit_code",
            ]
            area_less = straddle_differs.loc[
                ~straddle_differs["unit_code"].isin(area_more), "unit_code"
            ]
            lines.append(
                f"- **{len(straddle_differs)} PCN(s)** have the same home authority in both "
                f"views but cross the {threshold_pct}% threshold in only one."
            )
            if len(area_more):
                lines.append(
                    f"  - {len(area_more)} straddle by patients, not by area: the footprint "
                    "lies (almost) wholly in the authority but patients register from across "
                    "the boundary. A footprint covers only the LSOAs where the PCN has the "
                    "most patients, while its list reaches into neighbouring areas."
                )
            if len(area_less):
                names = ", ".join(unit_names.get(u, u) for u in area_less)
                lines.append(
                    f"  - {len(area_less)} straddle by area, not by patients ({names}): "
                    "part of the footprint crosses the boundary, but few of the PCN's "
                    "patients live in that part (it is sparsely populated, or shared with "
                    "other practices)."
                )
        if not lines:
            lines = ["- The two views agree for every PCN at this threshold."]
        no_footprint = int((comparison["category"] == "no_footprint").sum())
        if no_footprint:
            lines.append(
                f"- {no_footprint} unit(s) have no footprint (practices in no PCN, or PCNs "
                "that are the largest in no LSOA); only the residence view applies."
            )
        st.markdown("\n".join(lines))

        area_table = pd.DataFrame(
            {
                "PCN": comparison["unit_code"].map(unit_names),
                "Code": comparison["unit_code"],
                "Home by patients": comparison["residence_home_name"],
                "Patients there (%)": (100 * comparison["residence_home_share"]).round(1),
                "Home by area": comparison["area_home_name"],
                "Area there (%)": (100 * comparison["area_home_share"]).round(1),
                "Straddles by patients": comparison["residence_straddles"].map(
                    {True: "Yes", False: "No"}
                ),
                "Straddles by area": comparison["area_straddles"].map({True: "Yes", False: "No"}),
                "Verdict": comparison["category"].map(
                    {
                        **charts.COMPARISON_LABELS,
                        "no_footprint": "No footprint",
                        "no_patients": "No patients",
                    }
                ),
                "Why": comparison["explanation"],
            }
        )
        st.dataframe(
            area_table,
            hide_index=True,
            placeholder="–",
            column_config={
                "Patients there (%)": pct_col("Patients in home authority"),
                "Area there (%)": pct_col("Area in home authority"),
            },
            key="bnd_area_table",
        )
        table_downloads(area_table, f"{code} area vs residence alignment {la_level}", "bnd_area")
        with st.expander("Footprint area in each authority (km²)"):
            area = figures["area_shares"]
            area_long = pd.DataFrame(
                {
                    "PCN": area["unit_code"].map(unit_names),
                    "Code": area["unit_code"],
                    "Local authority": area["la_name"],
                    "Area (km²)": area["area_km2"].round(2),
                    "Share of footprint (%)": (100 * area["share"]).round(1),
                }
            )
            st.dataframe(area_long, hide_index=True, key="bnd_area_long")
            table_downloads(area_long, f"{code} footprint area shares {la_level}", "bnd_area_long")

# --------------------------------------------------------------------------- 4
if tabs[3].open:
    with tabs[3]:
        st.subheader("4. Cross-boundary flows")
        summary = figures["flow_summary"].iloc[0]
        cols = st.columns(4)
        cols[0].metric(
            "ICS residents registered in another ICS",
            f"{int(summary['outflow_patients']):,}",
            help="Residents of the ICS's LSOAs registered with practices of other ICSs.",
        )
        cols[1].metric(
            "… share of registered residents",
            f"{100 * (1 - summary['resident_retention_share']):.1f}%",
        )
        cols[2].metric(
            "Patients of ICS practices living elsewhere",
            f"{int(summary['inflow_patients']):,}",
            help="Including Wales and residences with an unknown LSOA.",
        )
        cols[3].metric(
            "… share of the practices' patients",
            f"{100 * (1 - summary['practice_resident_share']):.1f}%",
        )
        flows = figures["cross_boundary_flows"]
        flow_table = pd.DataFrame(
            {
                "Direction": flows["direction"].map(
                    {
                        "outflow": "Out: living in this ICS, registered there",
                        "inflow": "In: living there, registered in this ICS",
                    }
                ),
                "Other ICS (or Wales / unknown)": flows["other_name"],
                "Code": flows["other_code"],
                "Patients (Jul 2022)": flows["patients"],
                "Share (%)": (100 * flows["share"]).round(2),
            }
        )
        st.markdown("**Flows to and from other ICSs** (exact published counts)")
        st.dataframe(
            flow_table,
            hide_index=True,
            column_config={
                "Patients (Jul 2022)": count_col("Patients (Jul 2022)"),
                "Share (%)": pct_col(
                    "Share",
                    "Outflow: of the ICS's registered residents. Inflow: of its practices' "
                    "patients.",
                ),
            },
            key="bnd_flow_table",
        )
        table_downloads(flow_table, f"{code} cross-boundary flows", "bnd_flows")

        place_flows = figures["place_flows"]
        st.markdown(
            "**Flows between places**: rows are where patients live, columns where they are "
            "registered (places follow the sidebar's place definition)."
        )
        to = place_flows["to_name"].where(place_flows["to_kind"] == "place", "Other ICSs")
        frm = place_flows["from_name"].where(
            place_flows["from_kind"] == "place",
            place_flows["from_kind"].map(
                {"icb": "Other ICSs", "wales": "Wales", "unknown": "Unknown LSOA"}
            ),
        )
        pivot = (
            place_flows.assign(_from=frm, _to=to)
            .pivot_table(
                index="_from", columns="_to", values="patients", aggfunc="sum", fill_value=0
            )
            .rename_axis(index="Residents of", columns=None)
        )
        place_order = [n for n in system.places["place_name"] if n in pivot.index]
        rows_order = place_order + [r for r in pivot.index if r not in place_order]
        cols_order = [n for n in system.places["place_name"] if n in pivot.columns]
        cols_order += [c for c in pivot.columns if c not in cols_order]
        pivot = pivot.loc[rows_order, cols_order].reset_index()
        st.dataframe(
            pivot,
            hide_index=True,
            column_config={c: count_col(c) for c in cols_order},
            key="bnd_place_pivot",
        )
        table_downloads(pivot, f"{code} flows between places {place_definition}", "bnd_pivot")

        st.markdown("**Map: where a flow concentrates**")
        options: dict[str, str] = {}
        outflows = flows.loc[
            (flows["direction"] == "outflow") & ~flows["other_code"].isin(POOLED)
        ].head(10)
        inflows = flows.loc[
            (flows["direction"] == "inflow") & ~flows["other_code"].isin(POOLED)
        ].head(10)
        for row in outflows.itertuples(index=False):
            options[f"icb:{code}:{row.other_code}"] = (
                f"Out: {system.name} residents registered in {row.other_name} ({row.patients:,})"
            )
        for row in inflows.itertuples(index=False):
            options[f"icb:{row.other_code}:{code}"] = (
                f"In: {row.other_name} residents registered in {system.name} ({row.patients:,})"
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
        if not options:
            st.info("No patients cross this ICS's boundaries in the registrations.")
        else:
            requested = st.query_params.get("flow")
            if requested is not None and requested not in options:
                st.warning(
                    f"The link asked for flow {requested!r}, which is not one of this ICS's "
                    "mapped flows; showing the largest outflow instead."
                )
            keys = list(options)
            choice = st.selectbox(
                "Flow (patients, July 2022)",
                keys,
                index=keys.index(requested) if requested in options else 0,
                format_func=options.get,
                key=f"bnd_flow_{code}_{place_definition}",
            )
            st.query_params["flow"] = choice
            level, from_code, to_code = choice.split(":", 2)
            flow_figure = loaders.alignment_flow_map(
                system_key, la_level, level, from_code, to_code
            )
            st.plotly_chart(
                flow_figure,
                key="bnd_flow_map",
                config={
                    "displaylogo": False,
                    "scrollZoom": True,
                    "topojsonURL": OFFLINE_TOPOJSON_URL,
                },
            )
            conc = figures["flow_concentration" if level == "icb" else "place_flow_concentration"]
            rows = conc.loc[(conc["from_code"] == from_code) & (conc["to_code"] == to_code)]
            pooled = rows.loc[rows["lsoa_code"].isin(POOLED), "patients"].sum()
            top = rows.loc[~rows["lsoa_code"].isin(POOLED)].head(5)
            st.caption(
                f"Colour: share of each LSOA's registered residents (England-wide) in this "
                f"flow; {len(rows):,} LSOAs hold its {int(rows['patients'].sum()):,} patients; "
                f"the 5 largest hold {100 * top['share_of_flow'].sum():.0f}%."
                + (
                    f" {int(pooled):,} living in Wales or an unknown LSOA are not mapped."
                    if pooled
                    else ""
                )
                + " No basemap is drawn, so the map works offline."
            )
            figure_downloads(
                flow_figure, f"{code} flow map {from_code} to {to_code}", "bnd_flow_fig"
            )
            lsoa_names = loaders.alignment_tables()["lsoas"].set_index("lsoa_code")["lsoa_name"]
            flow_rows = pd.DataFrame(
                {
                    "LSOA": rows["lsoa_code"]
                    .map(lsoa_names)
                    .fillna(rows["lsoa_code"].map(AREA_NAMES)),
                    "LSOA code": rows["lsoa_code"],
                    "Patients in the flow": rows["patients"],
                    "Share of the flow (%)": (100 * rows["share_of_flow"]).round(2),
                    "Share of the LSOA's registered residents (%)": (
                        100 * rows["share_of_lsoa"]
                    ).round(2),
                }
            )
            with st.expander("The flow LSOA by LSOA"):
                st.dataframe(flow_rows, hide_index=True, key="bnd_flow_rows")
                table_downloads(
                    flow_rows, f"{code} flow {from_code} to {to_code} by LSOA", "bnd_flow_rows"
                )

# --------------------------------------------------------------------------- 5
if tabs[4].open:
    with tabs[4]:
        st.subheader("5. Merger lineage: from 2021 CCGs and STP to the 2022 ICB")
        lineage = figures["merger_lineage"]
        stps = figures["stp_lineage"]
        split = figures["split_authorities"]
        whole = bool(lineage["whole"].all())
        st.markdown(
            f"{system.name} ICB (July 2022) was formed from **{len(lineage)} clinical "
            f"commissioning group(s)** of April 2021 in **{len(stps)} STP(s)** "
            f"({', '.join(stps['stp21_name'])}). "
            + (
                "Every one of them moved into this ICB whole."
                if whole
                else "Some were split between ICBs: see 'Other ICBs' below."
            )
        )
        lineage_figure = loaders.alignment_lineage_map(code, la_level)
        st.plotly_chart(lineage_figure, key="bnd_lineage_map", config={"displaylogo": False})
        st.caption(
            "Each former CCG has its own colour, fill pattern and numbered label; dashed lines "
            f"are {la_word} council boundaries; hatched grey areas are parts of those CCGs, or "
            f"of split {la_word} authorities, that lie in other ICBs. Drawn without a basemap "
            "(offline)."
        )
        figure_downloads(lineage_figure, f"{code} merger lineage map {la_level}", "bnd_lin_fig")
        ccg_table = pd.DataFrame(
            {
                "Former CCG (April 2021)": lineage["ccg21_name"],
                "CCG code": lineage["ccg21_code"],
                "STP": lineage["stp21_name"],
                "LSOAs": lineage["n_lsoas"],
                "Residents in this ICB (mid-2020)": lineage["population"],
                "Share of the ICB (%)": (100 * lineage["share_of_icb"]).round(1),
                "Share of the CCG now in this ICB (%)": (
                    100 * lineage["share_of_predecessor"]
                ).round(1),
                "Moved whole": yes_no(lineage["whole"]),
                "Other ICBs that took part of it": lineage["other_icbs"],
            }
        )
        st.dataframe(
            ccg_table,
            hide_index=True,
            column_config={
                "Residents in this ICB (mid-2020)": count_col("Residents in this ICB (mid-2020)"),
                "Share of the ICB (%)": pct_col("Share of the ICB"),
                "Share of the CCG now in this ICB (%)": pct_col("Share of the CCG now here"),
            },
            key="bnd_ccg_table",
        )
        table_downloads(ccg_table, f"{code} former CCGs", "bnd_ccgs")

        st.markdown(f"**{LA_SHORT[la_level]} local authorities split between ICBs**")
        if split.empty:
            st.success(
                f"No {la_word} authority with LSOAs in {system.name} has LSOAs in another ICB."
            )
        else:
            split_table = pd.DataFrame(
                {
                    "Local authority": split["la_name"],
                    "Code": split["la_code"],
                    "ICB": split["icb_name"],
                    "ICB code": split["icb_code"],
                    "LSOAs": split["n_lsoas"],
                    "Residents (mid-2020)": split["population"],
                    "Share of the authority (%)": (100 * split["share_of_la"]).round(1),
                }
            )
            st.dataframe(
                split_table,
                hide_index=True,
                column_config={
                    "Residents (mid-2020)": count_col("Residents (mid-2020)"),
                    "Share of the authority (%)": pct_col("Share of the authority"),
                },
                key="bnd_split_table",
            )
            table_downloads(split_table, f"{code} split authorities {la_level}", "bnd_split")
        other = "ltla" if la_level == "utla" else "utla"
        n_other = loaders.alignment_split(code, other)["la_code"].nunique()
        st.caption(
            f"At {LA_SHORT[other].lower()} level, {n_other} authority(ies) of this ICS are split "
            "between ICBs (switch the level above to see them)."
        )

# --------------------------------------------------------------------------- 6
if tabs[5].open:
    with tabs[5]:
        st.subheader("6. Place cards")
        summary = figures["place_summary"]
        units = figures["place_units"]
        st.markdown(
            "One page per place for a local authority partner: who lives there and where they "
            "are registered, which PCNs are homed there and how well they line up, split "
            "authorities and former CCGs. Download it as a one-page PDF or PNG, or as XLSX. "
            "Counts are NHS Digital's published registration counts and ONS estimates, exact."
        )
        place_codes = summary["place_code"].tolist()
        place_labels = dict(zip(summary["place_code"], summary["place_name"], strict=True))
        requested = st.query_params.get("card")
        if requested is not None and requested not in place_labels:
            st.warning(
                f"The link asked for place {requested!r}, which is not a place of "
                f"{system.name} under this place definition; showing "
                f"{place_labels[place_codes[0]]}."
            )
        place_code = st.selectbox(
            "Place",
            place_codes,
            index=place_codes.index(requested) if requested in place_labels else 0,
            format_func=place_labels.get,
            key=f"bnd_card_{code}_{place_definition}",
        )
        st.query_params["card"] = place_code
        row = summary.set_index("place_code").loc[place_code].copy()
        row["place_code"] = place_code
        facts = cards.place_card_table(row, threshold=threshold, ics_name=system.name)
        place_units = units.loc[units["place_code"] == place_code]
        title = f"{row['place_name']}: boundary alignment card"
        subtitle = (
            f"{system.name} ICS ({code}) · straddle threshold {threshold_pct}% · "
            f"GP registrations July 2022\nPlaces: {layers.PLACE_DEFINITIONS[place_definition]}"
        )
        card = cards.place_card_figure(
            facts, place_units, threshold=threshold, title=title, subtitle=subtitle
        )
        # No Streamlit theme, so the card on screen looks like the downloaded page.
        st.plotly_chart(
            card, key="bnd_card", config={"displaylogo": False}, width="content", theme=None
        )
        stem = re.sub(r"[^A-Za-z0-9]+", "_", f"{code} {row['place_name']} alignment card")
        buttons = st.columns([1, 1, 1, 5])
        buttons[0].download_button(
            "PDF",
            data=lambda: figure_bytes(
                card, "pdf", width=cards.CARD_WIDTH, height=cards.CARD_HEIGHT, scale=1
            ),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key="bnd_card_pdf",
            on_click="ignore",
            help="The card as a one-page A4 landscape PDF",
        )
        buttons[1].download_button(
            "PNG",
            data=lambda: figure_bytes(
                card, "png", width=cards.CARD_WIDTH, height=cards.CARD_HEIGHT, scale=2
            ),
            file_name=f"{stem}.png",
            mime="image/png",
            key="bnd_card_png",
            on_click="ignore",
        )
        buttons[2].download_button(
            "XLSX",
            data=lambda: cards.place_card_xlsx(facts, place_units, title=f"{title}. {subtitle}"),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="bnd_card_xlsx",
            on_click="ignore",
        )

        st.markdown("**Every place at a glance**")
        glance = pd.DataFrame(
            {
                "Place": summary["place_name"],
                "Local authorities": summary["la_names"],
                "Residents (mid-2020)": summary["population"],
                "Residents registered (Jul 2022)": summary["resident_patients"],
                "With this ICS's practices (%)": (
                    100 * summary["residents_at_icb_practices_share"]
                ).round(1),
                "Largest flow to another ICS": summary["top_outflow"],
                "PCNs homed here": summary["n_home_pcns"],
                "Residents with home PCNs (%)": (100 * summary["residents_coterminosity"]).round(1),
                "Home PCNs' patients living here (%)": (
                    100 * summary["home_units_coterminosity"]
                ).round(1),
                f"Straddling (under {threshold_pct}%)": summary["n_straddling"],
                "Split authorities": summary["split_authorities"],
                "Former CCGs": summary["ccg21_names"],
            }
        )
        st.dataframe(
            glance,
            hide_index=True,
            column_config={
                "Residents (mid-2020)": count_col("Residents (mid-2020)"),
                "Residents registered (Jul 2022)": count_col("Residents registered (Jul 2022)"),
                "With this ICS's practices (%)": pct_col("With this ICS's practices"),
                "Residents with home PCNs (%)": pct_col("Residents with home PCNs"),
                "Home PCNs' patients living here (%)": pct_col("Home PCNs' patients here"),
            },
            key="bnd_glance",
        )
        table_downloads(glance, f"{code} place summaries {place_definition}", "bnd_glance")

scaffold.finish(ctx)
