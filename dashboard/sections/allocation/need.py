"""The Need indices tab: NHS England's relative need of each place and PCN."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure, show_table
from dashboard.scaffold import PageContext
from dashboard.sections.allocation.common import Run, level_words, population_label, unit_names
from layers.allocation import COMPONENT_NAMES, COMPONENTS, INDEX_COLUMNS
from layers.figures import allocation as figures

#: The index columns in words.
INDEX_NAMES = {
    **{f"{component}_index": COMPONENT_NAMES[component] for component in COMPONENTS},
    "overall_index": "Overall (core)",
}


def draw(ctx: PageContext, run: Run) -> None:
    """The need heatmap by place, and the indices by place and by PCN."""
    st.markdown(
        "NHS England's relative need index: a unit's weighted population per head for a "
        "component, divided by the ICS's. **1.20 means 20% more need per head than the "
        "ICS average.** The overall index uses the core weighted population (“Final WP”)."
    )
    by_place = loaders.allocation_need(ctx.key, "place")
    year = loaders.allocation_year(ctx.vintage)
    title = f"{ctx.name}: NHS England need index by place and component ({year})"
    names = unit_names(by_place, "place", run)["Place"]
    show_figure(
        figures.need_heatmap(by_place, names, title, data_line=ctx.info.data_line),
        title,
        "alloc_need_heat",
    )
    for level in ("place", "pcn"):
        need = by_place if level == "place" else loaders.allocation_need(ctx.key, "pcn")
        st.subheader(f"Need indices by {level_words(level)}")
        population = population_label(ctx.vintage)
        table = pd.concat(
            [
                unit_names(need, level, run),
                pd.DataFrame({population: need["population"]}),
                need[list(INDEX_COLUMNS)].rename(columns=INDEX_NAMES),
            ],
            axis=1,
        )
        show_table(
            table,
            f"{ctx.name} need indices by {level}",
            f"alloc_need_{level}",
            {population: "%,.0f", **dict.fromkeys(INDEX_NAMES.values(), "%.3f")},
        )
