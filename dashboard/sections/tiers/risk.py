"""Individuals: who is at risk? Disclosure-controlled risk-tier counts by unit.

Counts come from the user's uploaded aggregates where they can answer
(:mod:`dashboard.risk_source`; their published cells through
:func:`layers.people.upload_risk_tiers`), else from the synthetic individuals (never shown
or exported) through :func:`layers.tiers.risk_tiers_by_unit`, which applies NHS Digital's
small-number rule; a regrouping re-aggregates the practice counts, it never regenerates
the individuals.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders, risk_source
from dashboard.exports import show_figure, table_downloads
from dashboard.risk_source import RiskSource
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.tiers import TierView
from layers import format as fmt
from layers import tiers
from layers.figures import tiers as figures
from layers.people import upload_risk_tiers
from layers.risk import RISK_TIERS

#: Link parameter (and session key) of the layer.
RISK_LAYER = "tiers_risk_layer"
_LAYERS = ("pcn", "place", "practice")
_CORE20_SHARES = {
    f"% of {tier} in IMD 1–2": f"{tier}_imd_1_2_pct" for tier in ("low", "rising", "high")
}
_SYNTHETIC_NOTE = (
    "Aggregates only: no individual is ever shown or exported. Counts of synthetic "
    "individuals follow NHS Digital's rule (0 stays 0, 1–7 shown as *, others rounded to "
    "the nearest 5; totals rounded after summing; percentages from the rounded counts). "
    "High risk = moderate or severe frailty (eFI > 0.24); rising = two or more long-term "
    "conditions without frailty; modelled from age and IMD decile (layers.risk). After a "
    "regrouping, practice counts are re-aggregated, not regenerated."
)
_OWN_NOTE = (
    "Your data: every count is as your uploaded aggregates publish it (0 stays 0, 1–7 and "
    "the counts that would reveal them shown as *, others rounded to the nearest 5; each "
    "total rounded from its own count). IMD 1–2 counts add the published deciles 1 and 2 "
    "(* if either is); percentages are from those published figures. Risk tiers are as "
    "your extract recorded them (frailty and long-term conditions, or a risk score) or "
    "the documented model. Nothing else about your records reaches this page."
)


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


def _ics_metrics(ics: pd.Series, source: RiskSource) -> None:
    where = "ICS, your data" if source.own else "ICS"
    for column, tier in zip(st.columns(3), RISK_TIERS, strict=True):
        column.metric(
            f"{tier.capitalize()} risk ({where})",
            fmt.count(ics[tier]),
            help=f"{fmt.percent(ics[f'{tier}_imd_1_2_pct'])} of them live in IMD deciles 1–2 "
            "(the most deprived 20%).",
        )


def _uploaded(source: RiskSource, ctx: PageContext, view: TierView, layer: str) -> pd.DataFrame:
    """The layer's risk tiers as the uploaded file publishes them, named as on the page."""
    names = tiers.unit_mapping(view.real, layer).drop_duplicates("code")
    return upload_risk_tiers(source.upload, layer, ctx.code, names=names.set_index("code")["name"])


def _risk(
    ctx: PageContext, view: TierView, layer: str
) -> tuple[RiskSource, pd.Series, pd.DataFrame]:
    """Where the counts come from, the ICS's row and the layer's table."""
    source = risk_source.choose(ctx, regrouped=view.changed, by_place=layer == "place")
    if source.own:
        return (
            source,
            _uploaded(source, ctx, view, "ics").iloc[0],
            _uploaded(source, ctx, view, layer),
        )
    with st.spinner("Generating the synthetic individuals and their risk tiers…"):
        counts = loaders.practice_risk_counts(ctx.key)
    ics = tiers.risk_tiers_by_unit(counts, view.shown, "ics").iloc[0]
    return source, ics, tiers.risk_tiers_by_unit(counts, view.shown, layer)


def draw(ctx: PageContext, view: TierView) -> None:
    """ICS counts, the layer's charts (not for practices: too many bars) and its table."""
    st.subheader("Individuals: who is at risk?")
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
    source, ics, risk = _risk(ctx, view, layer)
    risk_source.show(source)
    _ics_metrics(ics, source)
    unit = tiers.UNIT_NAMES[layer]
    shown_as = "your data" if source.own else view.configuration
    if layer != "practice":
        shares = figures.risk_shares(
            risk,
            tiers.LAYER_LABELS[layer],
            f"Risk tiers by {unit}: {ctx.name} ({shown_as})",
            own_data=source.own,
            vintage=ctx.info.data_line,
        )
        show_figure(shares, f"Risk tiers {layer} {ctx.code} {shown_as}", "tiers_risk_chart")
        people = figures.people_at_risk(
            risk,
            tiers.LAYER_LABELS[layer],
            f"People at rising and high risk by {unit}: {ctx.name} ({shown_as})",
        )
        show_figure(people, f"People at risk {layer} {ctx.code} {shown_as}", "tiers_people_chart")
    table = risk_table(risk, layer)
    shown = table.assign(
        **{tier.capitalize(): table[tier.capitalize()].map(fmt.count) for tier in RISK_TIERS},
        Total=table["Total"].map(fmt.count),
        **{column: table[column].map(fmt.percent) for column in _CORE20_SHARES},
    )
    st.dataframe(shown, hide_index=True, key="tiers_risk_table")
    table_downloads(table, f"Risk tiers by {unit} {ctx.code} ({shown_as})", "tiers_risk")
    st.caption(_OWN_NOTE if source.own else _SYNTHETIC_NOTE)
