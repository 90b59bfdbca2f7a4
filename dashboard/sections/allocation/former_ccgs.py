"""The Former CCGs tab: the ICS through its former CCGs, current against unified."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import MONEY, MONEY_PER_HEAD, show_figure, show_table
from dashboard.scaffold import PageContext
from dashboard.sections.allocation import files
from dashboard.sections.allocation.common import Run, population_label
from layers import format as fmt
from layers.allocation import former_ccg_funding, funding_spread
from layers.figures import allocation as figures

_HOW = """
Each practice goes to the former CCG where most of its registered patients live
(plurality of July 2022 registrations by LSOA, counting patients who live inside the ICS;
ties go to the lower code). LSOAs are mapped to CCGs with the ONS April 2021 LSOA → CCG
lookup. That lookup already shows **NHS North West London CCG** (8 CCGs merged in April
2021), **NHS Coventry and Warwickshire CCG** (3, April 2021) and **NHS Herefordshire and
Worcestershire CCG** (4, April 2020) as single CCGs, as does NHS England's 2022/23 file.
For those three the page splits each merged CCG back into its former CCGs by local
authority district, because each former CCG was made of whole districts (NW London's were
its boroughs). The one exception is NHS West London CCG, which also covered the Queen's
Park and Paddington wards of Westminster; here they count with Central London
(Westminster).
"""

#: The 2026 vintage has no April 2021 CCG lookup: its former-CCG unit is the sub-ICB
#: location of April 2024 (the area of a CCG that its ICB absorbed in July 2022).
_HOW_SUB_ICB = """
Each practice goes to the sub-ICB location where most of its registered patients live
(plurality of this vintage's registrations by LSOA 2021, counting patients who live inside
the ICS; ties go to the lower code). LSOAs are mapped with the ONS LSOA 2021 → sub-ICB
location (April 2024) lookup. Sub-ICB locations are the areas of the CCGs that the ICBs
absorbed in July 2022, so CCGs that had already merged by then (NHS North West London
CCG, for one) are a single unit here and are not split back: switch to the July 2022
vintage for the pre-merger CCGs. A practice with no registered patients in English LSOAs
in this vintage (a list of 0 in the modelled registrations) has no sub-ICB location and
shows as “Not known”.
"""


def _unit_words(vintage: str) -> tuple[str, str, str]:
    """The former-CCG unit in the vintage's words: (plural, singular, column heading).

    Examples
    --------
    >>> _unit_words("2022")
    ('former CCGs', 'former CCG', 'Former CCG')
    """
    if vintage == "2022":
        return "former CCGs", "former CCG", "Former CCG"
    return "sub-ICB locations (April 2024)", "sub-ICB location", "Sub-ICB location"


def _spread_words(merger: pd.DataFrame, current_label: str, unified_label: str, units: str) -> str:
    """The range and CV of £ per weighted head across former CCGs, before and after."""
    spreads = [
        funding_spread(
            pd.DataFrame(
                {
                    "former_ccg_code": merger["former_ccg_code"],
                    "pounds_per_weighted_head": merger[column],
                }
            )
        ).iloc[0]
        for column in ("current_per_weighted_head", "unified_per_weighted_head")
    ]
    before, after = (
        f"**{fmt.per_head(s['lowest'])}–{fmt.per_head(s['highest'])}** "
        f"(CV {fmt.number(s['cv'], 3)})"
        for s in spreads
    )
    return (
        f"£ per weighted head across {units} ranges {before} under {current_label} and "
        f"{after} under {unified_label}."
    )


def _table(ctx: PageContext, merger: pd.DataFrame) -> None:
    population = population_label(ctx.vintage)
    table = pd.DataFrame(
        {
            _unit_words(ctx.vintage)[2]: merger["former_ccg_name"],
            "Code": merger["former_ccg_code"],
            "Practices": merger["n_practices"],
            population: merger["population"],
            "Current £": merger["current_pounds"],
            "Unified £": merger["unified_pounds"],
            "Current £ per head": merger["current_per_head"],
            "Unified £ per head": merger["unified_per_head"],
            "Difference £ per head": merger["difference_per_head"],
            "Difference %": merger["difference_percent"],
            "Current £ per weighted head": merger["current_per_weighted_head"],
            "Unified £ per weighted head": merger["unified_per_weighted_head"],
        }
    )
    money_per_head = (
        "Current £ per head",
        "Unified £ per head",
        "Difference £ per head",
        "Current £ per weighted head",
        "Unified £ per weighted head",
    )
    show_table(
        table,
        f"{ctx.name} funding by {_unit_words(ctx.vintage)[1]}",
        "alloc_merger",
        {
            population: "%,.0f",
            "Current £": MONEY,
            "Unified £": MONEY,
            "Difference %": "%.2f%%",
            **dict.fromkeys(money_per_head, MONEY_PER_HEAD),
        },
    )


def draw(ctx: PageContext, run: Run) -> None:
    """The Former CCGs tab (sub-ICB locations of April 2024 in the 2026 vintage)."""
    frame = run.frame
    n_units = frame["former_ccg_code"].nunique()
    units, unit, _heading = _unit_words(ctx.vintage)
    current = files.current_allocation(ctx, run)
    st.markdown(
        f"The same ICS seen through its **{n_units} {units}**: how much per head each "
        f"would get under the current allocation ({current.label}) and under the unified "
        f"formula ({run.scenario.name}). Merging CCGs was meant to end “postcode "
        "lotteries”: a single formula funds the same need the same way wherever a patient "
        "lives."
    )
    with st.expander(f"How practices are given a {unit}", expanded=False):
        st.markdown(_HOW if ctx.vintage == "2022" else _HOW_SUB_ICB)
    if n_units == 1 and ctx.vintage == "2022":
        st.info(
            f"In the April 2021 lookup {ctx.name} was already a single CCG "
            f"({frame['former_ccg_name'].iloc[0]}), and this page splits only the merged "
            "CCGs of NW London, Coventry & Warwickshire and Herefordshire & Worcestershire "
            "back into their former CCGs, so there is one unit to show."
        )
    elif n_units == 1:
        st.info(
            f"{ctx.name} has a single sub-ICB location "
            f"({frame['former_ccg_name'].iloc[0]}), so there is one unit to show."
        )
    money, label = current.money, current.label
    if current.level != "practice":
        st.info(
            f"Your current allocation is by {current.level}; grouping by {unit} "
            "needs one by practice, so this view uses equal per head."
        )
        money, label = loaders.allocation_run(ctx.key, current.equal_json), "Equal per head"
    merger = former_ccg_funding(money, run.allocations, frame).sort_values("unified_per_head")
    title = f"{ctx.name}: £ per head by {unit}, {label} vs {run.scenario.name}"
    show_figure(
        figures.former_ccg_dumbbell(
            merger, label, run.scenario.name, title, data_line=ctx.info.data_line
        ),
        title,
        "alloc_merger_chart",
    )
    st.caption("Labels: change from current to unified, % of current £ per head.")
    st.markdown(_spread_words(merger, label, run.scenario.name, units))
    _table(ctx, merger)
