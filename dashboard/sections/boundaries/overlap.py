"""2. The PCN × authority overlap and the straddling PCNs, disclosure rule applied."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, PERCENT, show_figure
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.boundaries.view import View, registrations_when, show
from layers import alignment
from layers.alignment import tables
from layers.figures import alignment as figures

CELLS = {"patients": "Patients (rounded)", "share": "% of the PCN's patients"}
ORDERS = {
    "home": "Grouped by home authority",
    "share": "Lowest home share first",
    "patients": "Largest PCN first",
    "name": "Name",
}
DISCLOSURE_NOTE = (
    "**Disclosure rule on this table and its exports.** Registration counts by practice "
    "and LSOA are a published NHS Digital aggregate, but these tables are made to be "
    "passed on, so NHS Digital's rule is applied: every count is rounded to the nearest "
    "5 and counts of 1–7 are shown as \\*; a unit's total is summed from the unrounded "
    "counts and then rounded; **percentages are computed from the rounded figures**. "
    "Whether a unit straddles is decided on the unrounded published counts, so a unit "
    "just under the threshold can show a rounded share equal to it."
)
#: What the cells show, for the heatmap's title.
_CELL_WORDS = {"patients": "patients, rounded", "share": "% of each PCN's patients"}
_ROUNDED = "(rounded to 5, 1-7 suppressed, % from rounded counts)"


def _choices() -> tuple[str, str]:
    """What the cells show and the row order, from the link."""
    left, right = st.columns(2)
    cells_options, order_options = list(CELLS), list(ORDERS)
    cells = left.radio(
        "Cells show",
        cells_options,
        index=cells_options.index(
            link_choice("cells", cells_options, "cells", "patients", _CELL_WORDS["patients"])
        ),
        format_func=CELLS.get,
        horizontal=True,
        key="bnd_cells",
    )
    order = right.selectbox(
        "Order PCNs",
        order_options,
        index=order_options.index(
            link_choice("order", order_options, "the order", "home", ORDERS["home"].lower())
        ),
        format_func=ORDERS.get,
        key="bnd_order",
    )
    st.query_params["cells"] = cells
    st.query_params["order"] = order
    return cells, order


def _matrix(ctx: PageContext, view: View, cells: str, order: str) -> None:
    overlap = loaders.alignment_overlap(view.key, view.la_level)
    la_names = loaders.alignment_la_names(view.la_level, ctx.vintage)
    in_matrix = view.home.loc[view.home["unit_code"].isin(overlap.values.index)]
    rows = tables.order_units(in_matrix, list(overlap.values.columns), order)
    heatmap = figures.overlap_heatmap(
        overlap,
        unit_labels=view.unit_names,
        area_labels=la_names,
        cells=cells,
        order=rows,
        x_title=f"Local authority ({view.la_word}) where patients live",
        title=f"{view.system.name}: PCN patients by authority of residence "
        f"({_CELL_WORDS[cells]}, {registrations_when(ctx)})",
        vintage=ctx.vintage,
    )
    show_figure(heatmap, f"{ctx.code} PCN authority overlap {view.la_level}", "bnd_heat")
    st.caption(
        f"Columns: the ICS's {view.la_word} authorities, then every other English authority "
        "pooled, Wales and unknown LSOAs. Each cell carries its value as text; * is "
        "suppressed (1–7 patients)."
    )
    shown, export = tables.overlap_tables(overlap, view.home, la_names, rows, cells)
    value_format = COUNT if cells == "patients" else PERCENT
    show(
        shown,
        f"{ctx.code} PCN x authority overlap {view.la_level} {cells} {_ROUNDED}",
        "bnd_overlap",
        formats={c: value_format for c in shown.columns[4:]},
        placeholder="*",
        download=export,
    )


def _straddlers(ctx: PageContext, view: View) -> None:
    st.markdown(f"**Straddling PCNs: home authority under {view.threshold_pct}%**")
    straddlers = alignment.disclose_straddlers(
        view.tables["straddling_units"], view.tables["residence_shares"]
    )
    if straddlers.empty:
        st.success(
            f"No PCN or practice in no PCN has under {view.threshold_pct}% of its patients "
            f"in its home {view.la_word} authority."
        )
        return
    shown, export = tables.straddler_tables(straddlers)
    show(
        shown,
        f"{ctx.code} straddling PCNs {view.la_level} under {view.threshold_pct} percent {_ROUNDED}",
        "bnd_straddle",
        placeholder="*",
        download=export,
    )


def draw(ctx: PageContext, view: View) -> None:
    """The heatmap and its table, then the straddling PCNs."""
    st.subheader("2. Overlap matrix: PCNs × local authorities")
    note = DISCLOSURE_NOTE
    if ctx.info.registrations_modelled:  # the counts are modelled from the published ones
        note = note.replace(
            "are a published NHS Digital aggregate",
            "are modelled from a published NHS Digital aggregate",
        ).replace("unrounded published", "unrounded")
    st.markdown(note)
    cells, order = _choices()
    _matrix(ctx, view, cells, order)
    _straddlers(ctx, view)
