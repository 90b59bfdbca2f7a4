"""2. The indicator by national IMD decile: chart and table for the chosen unit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders, risk_source
from dashboard.exports import COUNT, show_figure, show_table
from dashboard.scaffold import PageContext, plain
from dashboard.sections.inequality.choice import Choice
from layers import indicators
from layers.allocation import ScenarioError
from layers.figures import inequality as figures

_MODELLED = (
    "**Modelled, not observed.** At-risk prevalence comes from synthetic individuals (one "
    "per registered patient, ages drawn from where they live) and a simple "
    "published-evidence risk model: rising risk = two or more long-term conditions, high "
    "risk = moderate or severe frailty. The chart uses the unrounded modelled rates; the "
    "table's counts are rounded to 5 and small numbers suppressed."
)
_OWN = (
    "Each practice's share is its published at-risk count (rising plus high) over its "
    "published people; practices with a suppressed figure are left out. Decile counts are "
    "sums of published counts, so they stay multiples of 5. Confidence intervals treat "
    "them as observed counts."
)


def summarise(ctx: PageContext, choice: Choice) -> tuple[Choice, pd.DataFrame, dict]:
    """The unit's deciles and summary measures; the default scenario if the chosen fails."""

    def measure(choice: Choice) -> tuple[pd.DataFrame, dict]:
        return loaders.inequality_summary(
            ctx.key,
            choice.indicator,
            choice.scenario_json,
            choice.level,
            choice.unit,
            *choice.loader_args,
        )

    try:
        deciles, summary = measure(choice)
    except ScenarioError as exc:
        st.warning(f"{plain(exc)}. £ per head uses the allocation page's default scenario instead.")
        choice = choice.with_scenario(loaders.DEFAULT_SCENARIO)
        deciles, summary = measure(choice)
    return choice, deciles, summary


def table_formats(table: pd.DataFrame, choice: Choice) -> dict[str, str]:
    """Counts with separators; the value and both 95% limits at the same decimals."""
    value = f"%,.{choice.decimals}f"
    return {
        column: COUNT if table[column].dtype.kind in "iu" else value
        for column in table.columns[1:]
        if table[column].dtype.kind in "iuf"
    }


def draw(ctx: PageContext, choice: Choice, deciles: pd.DataFrame, summary: dict) -> None:
    """The decile chart (bars and SII line) and the decile table."""
    spec = choice.spec
    if choice.risk.own:
        risk_source.show(choice.risk)
        st.caption(_OWN)
    elif spec.modelled:
        if choice.risk.note:
            st.info(choice.risk.note)
        st.info(_MODELLED)
    ci_words = (
        "Wilson score 95% confidence intervals"
        if spec.kind == "proportion"
        else "95% confidence intervals from the spread between areas in each decile"
    )
    title = f"{spec.label} by IMD decile {choice.unit_name}"
    show_figure(
        figures.decile_figure(deciles, summary, spec, choice.unit_name, vintage=ctx.vintage),
        title,
        "ineq_decile",
    )
    st.caption(
        f"Bars: the indicator in each national IMD decile present in {choice.unit_name}, "
        f"{'' if spec.modelled else 'with ' + ci_words + ', '}each as wide as its share "
        "of the population. Dashed line: the population-weighted regression line whose "
        "rise from the most to the least deprived end is the slope index of inequality."
    )
    shown = indicators.decile_display_table(deciles, spec, ctx.vintage)
    show_table(shown, title, "ineq_decile_table", formats=table_formats(shown, choice))
