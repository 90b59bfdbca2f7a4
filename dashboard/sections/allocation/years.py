"""Allocation years: the year the page uses (in the link) and the three-year view.

The 2026 vintage has NHS England weighted populations for 2026/27 (the default),
2027/28 and 2028/29; ``?year=2027/28`` chooses one. The three-year view shows how each
place's and PCN's need index and fair share move from the first year to the last.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure, show_table
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.allocation.common import Run, level_words, unit_names
from layers import get_vintage
from layers.allocation import year_suffix
from layers.figures import allocation as figures

#: Session key of the chosen year, read by :func:`dashboard.loaders.allocation_year`.
YEAR_KEY = "allocation_year"


def choose(ctx: PageContext) -> str:
    """The allocation year: a selector where the vintage has several, kept in the link."""
    years = ctx.info.allocation_years
    if len(years) == 1:
        st.session_state.pop(YEAR_KEY, None)
        st.query_params.pop("year", None)
        return years[0]
    if YEAR_KEY not in st.session_state or st.session_state[YEAR_KEY] not in years:
        st.session_state[YEAR_KEY] = link_choice(
            "year", years, "the allocation year", years[0], f"{years[0]} (the default)"
        )
    year = st.radio(
        "NHS England allocation year",
        years,
        key=YEAR_KEY,
        horizontal=True,
        help="Weighted populations published for 2026/27 to 2028/29; every figure on this "
        "page uses the year chosen.",
    )
    if year == years[0]:
        st.query_params.pop("year", None)
    else:
        st.query_params["year"] = year
    return year


def draw(ctx: PageContext, run: Run) -> None:
    """How need indices and fair shares move across the years, and who gains or loses."""
    years = ctx.info.allocation_years
    if len(years) < 2:
        st.info(
            "The three-year view is a 2026-vintage view: NHS England published weighted "
            f"populations for {', '.join(get_vintage('2026').allocation_years)}."
            f" The {ctx.info.label} data has one year ({years[0]}). Choose April 2026 in "
            "the sidebar's data vintage to see it."
        )
        return
    st.markdown(
        f"How each unit's **need index** (1 = ICS average) and **fair share** (its share of "
        f"the ICS's core weighted population) move from {years[0]} to {years[-1]}. A unit "
        "*gains* when its fair share grows."
    )
    for level in ("place", "pcn"):
        moves = loaders.allocation_years_view(ctx.key, level)
        names = unit_names(moves, level, run)
        gains = int((moves["outcome"] == "gains").sum())
        loses = int((moves["outcome"] == "loses").sum())
        words = level_words(level)
        st.subheader(f"By {words}: {gains} gain, {loses} lose")
        title = f"{ctx.name}: change in fair share by {words}, {years[0]} → {years[-1]}"
        show_figure(
            figures.fair_share_change_chart(moves, names.iloc[:, 0], title, ctx.vintage),
            title,
            f"alloc_years_{level}",
        )
        table = pd.concat(
            [
                names,
                pd.DataFrame(
                    {
                        **{
                            f"Need index {y}": moves[f"overall_index_{year_suffix(y)}"].round(3)
                            for y in years
                        },
                        **{
                            f"Fair share {y} %": (moves[f"fair_share_{year_suffix(y)}"] * 100)
                            for y in years
                        },
                        "Need index change": moves["index_change"].round(3),
                        "Fair share change (% points)": (moves["fair_share_change"] * 100).round(3),
                        "Outcome": moves["outcome"],
                    }
                ),
            ],
            axis=1,
        )
        show_table(
            table,
            f"{ctx.name} need and fair share by {level}, {years[0]} to {years[-1]}",
            f"alloc_years_{level}_table",
            {f"Fair share {y} %": "%.3f" for y in years},
        )
