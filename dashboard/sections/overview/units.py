"""The ICS's places, PCNs and practices as tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import layers
from dashboard import loaders
from dashboard.exports import COUNT, show_table
from dashboard.scaffold import PageContext, plain
from layers import tiers

_PATIENTS = "Registered patients (Jul 2022)"
_LABELS = {
    "place_code": "Code",
    "pcn_code": "Code",
    "practice_code": "Code",
    "place_name": "Place",
    "pcn_name": "PCN",
    "practice_name": "Practice",
    "resident_population": "Residents (mid-2020)",
    "registered_patients": _PATIENTS,
    "n_lsoas": "LSOAs",
    "n_pcns": "PCNs",
    "n_practices": "Practices",
}


def _show(table: pd.DataFrame, title: str, key: str) -> None:
    config = {
        column: st.column_config.NumberColumn(label, format=COUNT)
        if column in ("resident_population", "registered_patients")
        else label
        for column, label in _LABELS.items()
        if column in table.columns
    }
    show_table(table, title, key, column_config=config)


def _places_with_no_practice(ctx: PageContext) -> None:
    """Why a place shows no patients, and which practice the map draws there (#18)."""
    flags = tiers.flag_units(loaders.tier_tables(ctx.key), ctx.band_dict, layers=["place"])
    empty = flags[flags["status"] == tiers.NO_PRACTICE]
    for row in empty.itertuples(index=False):
        st.caption(f"**{plain(row.name)}**: {plain(row.note)}")


def draw(ctx: PageContext, system: layers.System) -> None:
    """Places, PCNs (largest first) and practices (largest first)."""
    st.subheader("Places")
    _show(
        system.places.drop(columns="geometry"), f"Places of {ctx.title_suffix}", "overview_places"
    )
    _places_with_no_practice(ctx)
    st.subheader("Primary Care Networks")
    pcns = system.pcns[["pcn_name", "pcn_code", "place_name", "registered_patients", "n_practices"]]
    _show(
        pd.DataFrame(pcns).sort_values("registered_patients", ascending=False),
        f"PCNs of {ctx.title_suffix}",
        "overview_pcns",
    )
    st.subheader("GP practices")
    practices = system.practices[
        ["practice_name", "practice_code", "pcn_name", "place_name", "registered_patients"]
    ]
    _show(
        pd.DataFrame(practices).sort_values("registered_patients", ascending=False),
        f"GP practices of {ctx.title_suffix}",
        "overview_practices",
    )
