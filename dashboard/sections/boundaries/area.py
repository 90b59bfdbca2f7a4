"""3. Area-based alignment: PCN footprints against authority boundaries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure
from dashboard.scaffold import PageContext
from dashboard.sections.boundaries.view import View, show
from layers.alignment import tables
from layers.figures import alignment as figures


def _metrics(comparison: pd.DataFrame) -> None:
    both = comparison.loc[comparison["category"].isin(list(figures.COMPARISON_LABELS))]
    counts = both["category"].value_counts()
    cols = st.columns(4)
    cols[0].metric("PCNs with both views", f"{len(both)}")
    cols[1].metric("Agree", f"{int(counts.get('agree', 0))}")
    cols[2].metric("Same home, one view straddles", f"{int(counts.get('straddle_differs', 0))}")
    cols[3].metric(
        "Different home authority",
        f"{int((~both['category'].isin(['agree', 'straddle_differs'])).sum())}",
    )


def _straddle_differs(differs: pd.DataFrame, names: dict[str, str], threshold_pct: int) -> list:
    """Lines on units with the same home in both views that cross the threshold in one."""
    area_more = differs.loc[
        differs["area_home_share"] > differs["residence_home_share"], "unit_code"
    ]
    area_less = differs.loc[~differs["unit_code"].isin(area_more), "unit_code"]
    lines = [
        f"- **{len(differs)} PCN(s)** have the same home authority in both views but cross "
        f"the {threshold_pct}% threshold in only one."
    ]
    if len(area_more):
        lines.append(
            f"  - {len(area_more)} straddle by patients, not by area: the footprint lies "
            "(almost) wholly in the authority but patients register from across the "
            "boundary. A footprint covers only the LSOAs where the PCN has the most "
            "patients, while its list reaches into neighbouring areas."
        )
    if len(area_less):
        lines.append(
            f"  - {len(area_less)} straddle by area, not by patients "
            f"({', '.join(names.get(u, u) for u in area_less)}): part of the footprint "
            "crosses the boundary, but few of the PCN's patients live in that part (it is "
            "sparsely populated, or shared with other practices)."
        )
    return lines


def _disagreements(comparison: pd.DataFrame, names: dict[str, str], threshold_pct: int) -> str:
    """Where and why the two views disagree, as a markdown list."""
    disagree = comparison.loc[
        comparison["category"].isin(["sparse_area", "patients_outside_footprint", "differ"])
    ]
    lines = [
        f"- **{names.get(u, u)}**: {text}"
        for u, text in zip(disagree["unit_code"], disagree["explanation"], strict=True)
    ]
    differs = comparison.loc[comparison["category"] == "straddle_differs"]
    if len(differs):
        lines += _straddle_differs(differs, names, threshold_pct)
    if not lines:
        lines = ["- The two views agree for every PCN at this threshold."]
    no_footprint = int((comparison["category"] == "no_footprint").sum())
    if no_footprint:
        lines.append(
            f"- {no_footprint} unit(s) have no footprint (practices in no PCN, or PCNs that "
            "are the largest in no LSOA); only the residence view applies."
        )
    return "\n".join(lines)


def draw(ctx: PageContext, view: View) -> None:
    """Metrics, the comparison chart, why the views disagree, and the tables."""
    st.subheader("3. Area-based alignment: PCN footprints × authority boundaries")
    st.markdown(
        "PCNs have no official boundaries. A PCN's **footprint** here is the set of the "
        "ICS's LSOAs where it has more registered patients than any other PCN (as on "
        "the Map page); it is intersected with the authority polygons to give the share "
        "of its **area** in each authority, next to the share of its **patients**. "
        "Practices in no PCN have no footprint."
    )
    comparison = loaders.alignment_comparison(view.key, view.la_level, view.threshold_pct)
    _metrics(comparison)
    names = view.unit_names
    chart = figures.comparison_chart(
        comparison,
        view.threshold,
        labels=names,
        title=f"{view.system.name}: PCN patients against footprint area, by {view.la_word} "
        "authority",
        vintage=ctx.vintage,
    )
    title = f"{ctx.code} area vs residence alignment {view.la_level}"
    show_figure(chart, title, "bnd_compare")
    st.markdown("**Where and why the two views disagree**")
    st.markdown(_disagreements(comparison, names, view.threshold_pct))
    show(tables.comparison_table(comparison, names), title, "bnd_area", placeholder="–")
    with st.expander("Footprint area in each authority (km²)"):
        show(
            tables.area_shares_table(loaders.alignment_area(view.key, view.la_level), names),
            f"{ctx.code} footprint area shares {view.la_level}",
            "bnd_area_long",
        )
