"""Individuals: who is at risk? Disclosure-controlled risk-tier counts by unit.

Counts come from the synthetic individuals (never shown or exported) through
:func:`layers.tiers.risk_tiers_by_unit`, which applies NHS Digital's small-number rule;
a regrouping re-aggregates the practice counts, it never regenerates the individuals.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure, table_downloads
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.tiers import TierView
from layers import format as fmt
from layers import tiers
from layers.figures import tiers as figures
from layers.risk import RISK_TIERS

#: Link parameter (and session key) of the layer.
RISK_LAYER = "tiers_risk_layer"
_LAYERS = ("pcn", "place", "practice")
_CORE20_SHARES = {
    f"% of {tier} in IMD 1–2": f"{tier}_imd_1_2_pct" for tier in ("low", "rising", "high")
}


def risk_table(risk: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Risk tiers by unit in words; the disclosure-controlled values as they are."""
    table = pd.DataFrame(
        {
            tiers.LAYER_LABELS[layer]: risk["name"],
            "Code": risk["code"],
            **{tier.capitalize(): risk[tier] for tier in RISK_TIERS},
            "Total": risk["total"],
        }
    )
    for column, source in _CORE20_SHARES.items():
        table[column] = risk[source]
    return table


def _ics_metrics(counts: pd.DataFrame, view: TierView) -> None:
    ics = tiers.risk_tiers_by_unit(counts, view.shown, "ics").iloc[0]
    for column, tier in zip(st.columns(3), RISK_TIERS, strict=True):
        column.metric(
            f"{tier.capitalize()} risk (ICS)",
            fmt.count(ics[tier]),
            help=f"{fmt.percent(ics[f'{tier}_imd_1_2_pct'])} of them live in IMD deciles 1–2 "
            "(the most deprived 20%).",
        )


def draw(ctx: PageContext, view: TierView) -> None:
    """ICS counts, the layer's charts (not for practices: too many bars) and its table."""
    st.subheader("Individuals: who is at risk?")
    with st.spinner("Generating the synthetic individuals and their risk tiers…"):
        counts = loaders.practice_risk_counts(ctx.key)
    labels = [tiers.LAYER_LABELS[layer] for layer in _LAYERS]
    link_choice(RISK_LAYER, labels, "the layer", labels[0])
    layer = st.radio(
        "Counts for",
        list(_LAYERS),
        format_func=tiers.LAYER_LABELS.get,
        horizontal=True,
        key=RISK_LAYER,
        bind="query-params",
    )
    _ics_metrics(counts, view)
    risk = tiers.risk_tiers_by_unit(counts, view.shown, layer)
    unit = tiers.UNIT_NAMES[layer]
    if layer != "practice":
        shares = figures.risk_shares(
            risk,
            tiers.LAYER_LABELS[layer],
            f"Risk tiers by {unit}: {ctx.name} ({view.configuration})",
        )
        show_figure(shares, f"Risk tiers {layer} {ctx.code}", "tiers_risk_chart")
        people = figures.people_at_risk(
            risk,
            tiers.LAYER_LABELS[layer],
            f"People at rising and high risk by {unit}: {ctx.name} ({view.configuration})",
        )
        show_figure(people, f"People at risk {layer} {ctx.code}", "tiers_people_chart")
    table = risk_table(risk, layer)
    shown = table.assign(
        **{tier.capitalize(): table[tier.capitalize()].map(fmt.count) for tier in RISK_TIERS},
        Total=table["Total"].map(fmt.count),
        **{column: table[column].map(fmt.percent) for column in _CORE20_SHARES},
    )
    st.dataframe(shown, hide_index=True, key="tiers_risk_table")
    table_downloads(table, f"Risk tiers by {unit} {ctx.code} ({view.configuration})", "tiers_risk")
    st.caption(
        "Aggregates only: no individual is ever shown or exported. Counts of synthetic "
        "individuals follow NHS Digital's rule (0 stays 0, 1–7 shown as *, others rounded to "
        "the nearest 5; totals rounded after summing; percentages from the rounded counts). "
        "High risk = moderate or severe frailty (eFI > 0.24); rising = two or more long-term "
        "conditions without frailty; modelled from age and IMD decile (layers.risk). After a "
        "regrouping, practice counts are re-aggregated, not regenerated."
    )
