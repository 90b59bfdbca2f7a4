"""3. Summary measures of the chosen unit: SII, RII, concentration indices and Gini."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard.exports import show_table
from dashboard.scaffold import PageContext, vinfo
from dashboard.sections.inequality.choice import Choice
from layers import format as fmt


def reading(value: float, limits: tuple[float, float] | None = None, null: float = 0) -> str:
    """The direction of a gradient in words; limits spanning ``null`` say it is unclear."""
    if not math.isfinite(value):
        return "not computed"
    if limits is not None and all(math.isfinite(x) for x in limits):
        if limits[0] <= null <= limits[1]:
            return f"no clear gradient: the 95% CI includes {null:g}"
    if value == null:
        return "no gradient"
    return "higher in more deprived areas" if value < null else "higher in less deprived areas"


def _metrics(choice: Choice, summary: dict) -> None:
    digits = choice.decimals
    cols = st.columns(5)
    cols[0].metric(
        f"SII ({choice.unit_words})",
        fmt.number(summary["sii"], digits, sign=True),
        help="Slope index of inequality: least minus most deprived end of the fitted line.",
    )
    cols[1].metric(
        "RII", fmt.number(summary["rii"], 3), help="Relative index of inequality: least ÷ most."
    )
    cols[2].metric(
        "Concentration index",
        fmt.number(summary["concentration_index"], 3, sign=True),
        help="Relative, population-weighted; negative = concentrated among the more deprived.",
    )
    cols[3].metric(
        "Abs. concentration index",
        fmt.number(summary["absolute_concentration_index"], digits, sign=True),
        help=f"Concentration index × mean, in {choice.unit_words}.",
    )
    cols[4].metric("Gini coefficient", fmt.number(summary["gini"], 3))


def measures_table(choice: Choice, summary: dict) -> pd.DataFrame:
    """Every measure with its 95% limits (where it has them) and what it says, as text."""
    digits, words = choice.decimals, choice.unit_words

    def signed(key: str, decimals: int) -> str:
        return fmt.number(summary[key], decimals, sign=True)

    sii_limits = (summary["sii_lower"], summary["sii_upper"])
    rii_limits = (summary["rii_lower"], summary["rii_upper"])
    mean = (
        "Mean of the practices" if choice.indicator == "list_size" else "Population-weighted mean"
    )
    rows = [
        (mean, fmt.number(summary["mean"], digits), "", "", choice.spec.axis),
        (
            f"Slope index of inequality ({words})", signed("sii", digits),
            signed("sii_lower", digits), signed("sii_upper", digits),
            reading(summary["sii"], sii_limits),
        ),
        (
            "Relative index of inequality", fmt.number(summary["rii"], 3),
            fmt.number(rii_limits[0], 3), fmt.number(rii_limits[1], 3),
            reading(summary["rii"], rii_limits, null=1),
        ),
        (
            "Concentration index (relative)", signed("concentration_index", 3), "", "",
            reading(summary["concentration_index"]),
        ),
        (
            f"Concentration index (absolute, {words})",
            signed("absolute_concentration_index", digits), "", "",
            reading(summary["absolute_concentration_index"]),
        ),
        (
            "Gini coefficient (population-weighted)", fmt.number(summary["gini"], 3), "", "",
            "0 = same everywhere, 1 = all in one area",
        ),
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=["Measure", "Value", "Lower 95% CL", "Upper 95% CL", "Reading"]
    )


def draw(ctx: PageContext, choice: Choice, summary: dict) -> None:
    """The measures as metrics and as a table, with what they rest on."""
    st.header("3. Summary measures")
    _metrics(choice, summary)
    if summary["note"]:
        st.info(f"The SII and RII are not computed for {choice.unit_name}: {summary['note']}.")
    if summary["ci_note"]:
        st.info(f"Some measures are not available for {choice.unit_name}: {summary['ci_note']}.")
    show_table(
        measures_table(choice, summary),
        f"Inequality measures {choice.spec.label} {choice.unit_name}",
        "ineq_measures_table",
    )
    st.caption(
        f"{choice.unit_name}: {summary['n_deciles']} deciles with people; "
        f"{summary['n_areas']:,} {choice.areas}. "
        "SII and RII 95% limits from 100,000 simulations (PHEindicatormethods phe_sii)"
        + (
            ": for this modelled indicator they reflect only the random draw of the synthetic "
            "population, not uncertainty in the model itself. "
            if choice.spec.modelled
            else ". "
        )
        + f"Data: {vinfo().data_line}."
    )
