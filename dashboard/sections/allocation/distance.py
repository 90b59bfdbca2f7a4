"""The Distance from target tab: a current allocation against the scenario.

The current allocation is equal per head of the same budget, or the user's own (a CSV
checked as the Your data page checks budgets).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import MONEY, MONEY_PER_HEAD, show_figure, show_table
from dashboard.scaffold import PageContext, vinfo
from dashboard.sections.allocation import files
from dashboard.sections.allocation.common import Run, level_words, show_message, unit_names
from layers import format as fmt
from layers.allocation import LEVELS, distance_from_target, weighted_head_spread
from layers.figures import allocation as figures


def _upload(ctx: PageContext, run: Run, current: files.Current) -> None:
    """The current allocation: upload one, download a template, or go back to equal."""
    up_col, template_col = st.columns([3, 2])
    files.uploader(
        up_col,
        "Upload a current allocation (CSV: one key column — place_code, pcn_code or "
        "practice_code — and pounds)",
        "csv",
        files.CURRENT_UPLOAD,
        files.load_current,
        ctx.key,
    )
    equal = loaders.allocation_units(ctx.key, current.equal_json, "practice")
    template = pd.DataFrame(
        {
            "practice_code": equal["practice_code"],
            "practice_name": equal["practice_name"],
            "pounds": equal["pounds"].round(2),
        }
    )
    template_col.download_button(
        "Template: equal per head by practice (CSV)",
        data=template.to_csv(index=False),
        file_name=f"current_allocation_template_{ctx.code}.csv",
        mime="text/csv",
        key="alloc_current_template",
        on_click="ignore",
    )
    if current.uploaded is None:
        st.caption(
            "Current allocation: equal per head of the same budget (default). Upload "
            "your own to replace it."
        )
        return
    template_col.button("Use equal per head instead", on_click=files.clear_current)
    total = current.uploaded["pence"].sum() / 100
    gap = abs(total - run.budget) > 0.005 * run.budget
    st.info(
        f"Current allocation: **{current.label}** (by {current.level}), total "
        f"{fmt.pounds(total)}."
        + (
            f" The scenario budget is {fmt.pounds(run.budget)}; distances compare shares, "
            "so the gap in totals does not count."
            if gap
            else ""
        )
    )


def _spread(run: Run, current: files.Current) -> None:
    """Range and coefficient of variation of £ per weighted head across places."""
    st.subheader("Spread of £ per weighted head across places")
    rows = weighted_head_spread(current.money, run.allocations, run.frame, "place")
    rows = rows.set_index("allocation")
    cols = st.columns(4)
    cols[0].metric("Range, current", fmt.per_head(rows.loc["current", "range"]), help=current.label)
    cols[1].metric("CV, current", fmt.number(rows.loc["current", "cv"], 3))
    name = run.scenario.name
    cols[2].metric("Range, this scenario", fmt.per_head(rows.loc["target", "range"]), help=name)
    cols[3].metric("CV, this scenario", fmt.number(rows.loc["target", "cv"], 3), help=name)
    places = run.names["place"]
    table = pd.DataFrame(
        {
            "Allocation": [current.label, name],
            "Lowest place": rows["lowest_unit"].map(places).to_numpy(),
            "Lowest £ per weighted head": rows["lowest"].to_numpy(),
            "Highest place": rows["highest_unit"].map(places).to_numpy(),
            "Highest £ per weighted head": rows["highest"].to_numpy(),
            "Range £": rows["range"].to_numpy(),
            "Highest ÷ lowest": rows["ratio"].to_numpy(),
            "Coefficient of variation": rows["cv"].to_numpy(),
        }
    )
    show_table(
        table,
        f"{name} spread of funding across places",
        "alloc_spread",
        {
            "Lowest £ per weighted head": MONEY_PER_HEAD,
            "Highest £ per weighted head": MONEY_PER_HEAD,
            "Range £": MONEY_PER_HEAD,
            "Highest ÷ lowest": "%.3f",
            "Coefficient of variation": "%.4f",
        },
    )
    st.caption(
        "Weighted heads are the chosen catalogue's mix of need components. The "
        "coefficient of variation is the standard deviation over the mean, each place "
        "counting once: 0 means no postcode lottery between places."
    )


def _distance(run: Run, current: files.Current) -> None:
    """Each unit's distance from target, as a chart and a table."""
    st.subheader(f"Distance from target by {level_words(run.level)}")
    level = run.level
    if LEVELS.index(current.level) < LEVELS.index(level):
        level = current.level
        st.info(
            f"The current allocation is by {current.level}, so distances are shown by "
            f"{current.level}."
        )
    distance = distance_from_target(current.money, run.allocations, run.frame, level)
    table = pd.concat(
        [
            unit_names(distance, level, run),
            pd.DataFrame(
                {
                    "Current £": distance["current_pounds"],
                    "Target £": distance["target_pounds"],
                    "Current − target £": distance["difference_pounds"],
                    "Distance from target %": distance["distance_percent"],
                    "Current £ per head": distance["current_per_head"],
                    "Target £ per head": distance["target_per_head"],
                }
            ),
        ],
        axis=1,
    ).sort_values("Distance from target %")
    title = f"{current.label} against {run.scenario.name}: distance from target"
    figure = figures.distance_bars(
        table.iloc[:, 0], table["Distance from target %"], title, data_line=vinfo().data_line
    )
    show_figure(figure, title, "alloc_distance_chart")
    show_table(
        table,
        f"{run.scenario.name} distance from target by {level}",
        "alloc_distance",
        {
            "Current £": MONEY,
            "Target £": MONEY,
            "Current − target £": MONEY,
            "Distance from target %": "%.2f%%",
            "Current £ per head": MONEY_PER_HEAD,
            "Target £ per head": MONEY_PER_HEAD,
        },
    )


def draw(ctx: PageContext, run: Run) -> None:
    """The Distance from target tab."""
    current = files.current_allocation(ctx, run)
    show_message(files.CURRENT_MESSAGE)
    st.markdown(
        f"How far a **current** allocation is from **{run.scenario.name}**. Like NHS "
        "England's distance from target, targets are compared as shares of the current "
        "total; a positive distance means over target."
    )
    _upload(ctx, run, current)
    _spread(run, current)
    _distance(run, current)
