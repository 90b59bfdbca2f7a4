"""The Allocation tab: headline figures, £ per head by tier and place, gains, map, table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import MONEY, MONEY_PER_HEAD, show_figure, show_table
from dashboard.scaffold import PageContext
from dashboard.sections.allocation.common import (
    INEQUALITY_METHODS,
    UNIT_PLURALS,
    Run,
    level_words,
    population_label,
    tier_split_words,
    unit_names,
    variant,
)
from layers import format as fmt
from layers.allocation import TIER_NAMES, TIERS, funding_spread
from layers.figures import allocation as figures
from layers.figures.maps import name_labels, pcn_labels


def _headlines(run: Run, places: pd.DataFrame) -> None:
    """Budget, £ per head, the spread of £ per head across places, practices in no PCN."""
    cols = st.columns(4)
    cols[0].metric(
        "ICS budget (your input)",
        fmt.compact_pounds(run.budget),
        help=f"{fmt.pounds(run.budget)}: an input, not a published allocation.",
    )
    cols[1].metric("ICS £ per head", fmt.per_head(run.budget / run.population))
    by_head = funding_spread(places, "pounds_per_head").iloc[0]
    by_need = funding_spread(places).iloc[0]
    names = run.names["place"]
    cols[2].metric(
        "Spread across places (£ per head)",
        fmt.per_head(by_head["range"]),
        help=(
            f"Highest minus lowest £ per head: {names[by_head['highest_unit']]} "
            f"{fmt.per_head(by_head['highest'])}, {names[by_head['lowest_unit']]} "
            f"{fmt.per_head(by_head['lowest'])}. Per weighted head (£ per unit of need) the "
            f"spread is {fmt.per_head(by_need['range'])}."
        ),
    )
    cols[3].metric(
        "Practices in no PCN",
        fmt.count(int(run.frame["pcn_code"].isna().sum())),
        help="Allocated directly at the PCN tier and shown under their own name.",
    )


def _gains_and_losses(ctx: PageContext, run: Run) -> None:
    """Who gains and who loses against plain weighted capitation (inequality methods)."""
    st.subheader("Who gains and who loses against plain weighted capitation")
    plain = variant(run.scenario, "weighted_capitation", "Weighted capitation")
    change = loaders.allocation_change(ctx.key, plain, run.json, run.level)
    gains, losses = change["change_pence"] > 0, change["change_pence"] < 0
    zero_sum = run.scenario.method == "inequality_zero_sum"
    st.markdown(
        f"{int(gains.sum())} of {len(change)} {UNIT_PLURALS[run.level]} gain "
        f"{fmt.pounds(change.loc[gains, 'change_pounds'].sum())}; {int(losses.sum())} lose "
        f"{fmt.pounds(-change.loc[losses, 'change_pounds'].sum())}"
        + (" (zero-sum: gains equal losses to the penny)." if zero_sum else ".")
    )
    table = pd.concat(
        [
            unit_names(change, run.level, run),
            pd.DataFrame(
                {
                    "Outcome": change["outcome"],
                    "Weighted capitation £": change["base_pence"] / 100,
                    "This scenario £": change["other_pence"] / 100,
                    "Change £": change["change_pounds"],
                    "Change £ per head": change["change_per_head"],
                    "Change %": change["change_percent"],
                }
            ),
        ],
        axis=1,
    ).sort_values("Change £", ascending=False)
    show_table(
        table,
        f"{run.scenario.name} gains and losses by {run.level}",
        "alloc_gains",
        {
            "Weighted capitation £": MONEY,
            "This scenario £": MONEY,
            "Change £": MONEY,
            "Change £ per head": MONEY_PER_HEAD,
            "Change %": "%.2f%%",
        },
    )


def _map(ctx: PageContext, run: Run, summary: pd.DataFrame) -> None:
    """£ per head on a map: places, or PCN footprints for PCNs and practices."""
    map_level = "place" if run.level == "place" else "pcn"
    shown = (
        summary if run.level == map_level else loaders.allocation_units(ctx.key, run.json, "pcn")
    )
    if map_level == "pcn":
        pcns = loaders.system(ctx.key).pcns
        with_footprint = set(pcns.loc[~pcns.geometry.is_empty, "pcn_code"])
        shown = shown[shown["unit_code"].isin(with_footprint)]
    title = f"{run.scenario.name}: £ per head by {level_words(map_level)}"
    figure = figures.per_head_map(
        shown,
        loaders.allocation_geojson(ctx.key, map_level),
        id_column="place_code" if map_level == "place" else "unit_code",
        name_column=f"{map_level}_name",
        centre=run.budget / run.population,
        bounds=loaders.system(ctx.key).ics.total_bounds,
        title=title,
        uirevision=f"{ctx.code}-{map_level}",
        data_line=ctx.info.data_line,
    )
    # Names on the map (and in its PNG and SVG): places always, PCNs where legible.
    places = loaders.system(ctx.key).places
    if map_level == "pcn":
        figure.add_trace(pcn_labels(pcns.geometry, pcns["pcn_name"]))
    figure.add_trace(name_labels(places.geometry, places["place_name"]))
    show_figure(figure, title, "alloc_map")
    if map_level == "place":
        st.caption(
            "Hover a place for its figures; the table below has every value. The colours "
            "are centred on the ICS's £ per head and reach the ends of the scale only 5% "
            "or more away from it."
        )
        return
    hidden = len(summary) - len(shown) if run.level == "pcn" else None
    practices = "Practices have no areas, so the map shows their PCNs."
    st.caption(
        "PCN footprints are the LSOAs where each PCN has more registered patients "
        "than any other; £ per head is per registered patient. Practices in no PCN"
        + (f" and PCNs with no footprint ({hidden} units)" if hidden else "")
        + " have no area on the map and are in the table. "
        + (practices if run.level == "practice" else "")
    )


def _table(ctx: PageContext, run: Run, summary: pd.DataFrame) -> None:
    """Every unit's £, £ per head, populations and money by commissioning tier."""
    population = population_label(ctx.vintage)
    tier_columns = {f"Commissioned by {TIER_NAMES[t]} £": f"{t}_pence" for t in TIERS}
    table = pd.concat(
        [
            unit_names(summary, run.level, run),
            pd.DataFrame(
                {
                    "£": summary["pounds"],
                    "£ per head": summary["pounds_per_head"],
                    "£ per weighted head": summary["pounds_per_weighted_head"],
                    population: summary["population"],
                    "Weighted population": summary["weighted_population"],
                    **{name: summary[column] / 100 for name, column in tier_columns.items()},
                }
            ),
        ],
        axis=1,
    )
    show_table(
        table,
        f"{run.scenario.name} allocation by {run.level}",
        "alloc_summary",
        {
            "£": MONEY,
            "£ per head": MONEY_PER_HEAD,
            "£ per weighted head": MONEY_PER_HEAD,
            population: "%,.0f",
            "Weighted population": "%,.0f",
            **dict.fromkeys(tier_columns, MONEY),
        },
    )
    st.caption(
        "Weighted population: the catalogue's mix of NHS England need components, scaled "
        "so that it adds up to the ICS population; pure weighted capitation gives every "
        "unit the same £ per weighted head."
    )


def draw(ctx: PageContext, run: Run) -> None:
    """The Allocation tab."""
    places = loaders.allocation_units(ctx.key, run.json, "place")
    summary = (
        places if run.level == "place" else loaders.allocation_units(ctx.key, run.json, run.level)
    )
    _headlines(run, places)
    title = f"{run.scenario.name}: £ per head by place and commissioning tier"
    show_figure(
        figures.tier_bars(places, title, data_line=ctx.info.data_line), title, "alloc_tiers"
    )
    st.caption(
        "Every service is shared to places, then to PCNs within each place, then to "
        "practices within each PCN, rounding to the penny at each tier so that every "
        f"total adds up exactly. Budget by tier: {tier_split_words(run.scenario.catalogue)}."
    )
    if run.scenario.method in INEQUALITY_METHODS:
        _gains_and_losses(ctx, run)
    _map(ctx, run, summary)
    _table(ctx, run, summary)
