"""The ICS's places, PCNs and practices as tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import layers
from dashboard.exports import COUNT, show_table
from dashboard.scaffold import PageContext

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


def draw(ctx: PageContext, system: layers.System) -> None:
    """Places, PCNs (largest first) and practices (largest first)."""
    st.subheader("Places")
    _show(
        system.places.drop(columns="geometry"), f"Places of {ctx.title_suffix}", "overview_places"
    )
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
