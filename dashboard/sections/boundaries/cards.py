"""6. Place cards: one page per place for a local authority partner, and every place."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import layers
from dashboard.exports import XLSX_MIME, figure_exports_note
from dashboard.scaffold import PageContext
from dashboard.sections.boundaries.view import (
    View,
    counts_sentence,
    linked_select,
    show,
)
from layers.alignment import cards, tables
from layers.export import export_unavailable_reason, figure_bytes, file_stem
from layers.figures import alignment as figures


def _card_downloads(
    card: go.Figure,
    facts: pd.DataFrame,
    units: pd.DataFrame,
    *,
    stem: str,
    title: str,
    vintage: str,
) -> None:
    """PDF, PNG and XLSX of the card (built only when clicked)."""
    size = {"width": figures.CARD_WIDTH, "height": figures.CARD_HEIGHT}
    buttons = st.columns([1, 1, 1, 5])
    missing = export_unavailable_reason()
    for column, fmt, mime, scale in (
        (buttons[0], "pdf", "application/pdf", 1),
        (buttons[1], "png", "image/png", 2),
    ):
        column.download_button(
            fmt.upper(),
            data=lambda fmt=fmt, scale=scale: figure_bytes(card, fmt, scale=scale, **size),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"bnd_card_{fmt}",
            on_click="ignore",
            help=missing or f"The card as a one-page A4 landscape {fmt.upper()}",
            disabled=missing is not None,
        )
    buttons[2].download_button(
        "XLSX",
        data=lambda: cards.place_card_xlsx(facts, units, title=title, vintage=vintage),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key="bnd_card_xlsx",
        on_click="ignore",
    )
    if missing:
        figure_exports_note(missing)


def draw(ctx: PageContext, view: View) -> None:
    """The chosen place's card with its downloads, then every place at a glance."""
    st.subheader("6. Place cards")
    summary, units = view.tables["place_summary"], view.tables["place_units"]
    st.markdown(
        "One page per place for a local authority partner: who lives there and where they "
        "are registered, which PCNs are homed there and how well they line up, split "
        "authorities and former CCGs. Download it as a one-page PDF or PNG, or as XLSX. "
        f"{counts_sentence(ctx)} Residents: {ctx.info.population_source}."
    )
    place_code = linked_select(
        "Place",
        dict(zip(summary["place_code"], summary["place_name"], strict=True)),
        "card",
        f"a place of {view.system.name}",
        f"bnd_card_{ctx.code}_{view.place_definition}",
    )
    row = summary.set_index("place_code").loc[place_code].copy()
    row["place_code"] = place_code
    facts = cards.place_card_table(
        row, threshold=view.threshold, ics_name=view.system.name, vintage=ctx.vintage
    )
    place_units = units.loc[units["place_code"] == place_code]
    title = f"{row['place_name']}: boundary alignment card"
    subtitle = (
        f"{view.system.name} ICS ({ctx.code}) · straddle threshold {view.threshold_pct}% · "
        f"GP registrations {ctx.info.registered_label}\n"
        f"Places: {layers.PLACE_DEFINITIONS[view.place_definition]}"
    )
    card = figures.place_card_figure(
        facts,
        place_units,
        threshold=view.threshold,
        title=title,
        subtitle=subtitle,
        vintage=ctx.vintage,
    )
    # No Streamlit theme, so the card on screen looks like the downloaded page.
    st.plotly_chart(
        card, key="bnd_card", config={"displaylogo": False}, width="content", theme=None
    )
    stem = file_stem(f"{ctx.code} {row['place_name']} alignment card")
    _card_downloads(
        card, facts, place_units, stem=stem, title=f"{title}. {subtitle}", vintage=ctx.vintage
    )
    st.markdown("**Every place at a glance**")
    show(
        tables.place_glance_table(summary, view.threshold),
        f"{ctx.code} place summaries {view.place_definition}",
        "bnd_glance",
    )
