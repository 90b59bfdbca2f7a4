"""An uploaded practice list against the built-in registrations."""

from __future__ import annotations

import streamlit as st

import layers
from dashboard.exports import COUNT, show_table
from dashboard.scaffold import PageContext
from dashboard.state import uploaded
from layers.uploads import compare_practice_list


def draw(ctx: PageContext, system: layers.System) -> None:
    """Counts and the comparison table, when this session holds a practice list."""
    your_list = uploaded(ctx.code, "practice_list")
    if your_list is None:
        return
    registered = ctx.info.registered_label
    st.subheader(f"Your practice list against the built-in registrations ({registered})")
    compared = compare_practice_list(system.practices, your_list)
    cols = st.columns(3)
    cols[0].metric("Practices in both", int((compared["status"] == "In both").sum()))
    cols[1].metric("New in your list", int((compared["status"] == "New in your list").sum()))
    cols[2].metric("PCN changed", int(compared["pcn_changed"].sum()))
    show_table(
        compared,
        f"{ctx.name} practice list comparison",
        "practice_compare",
        column_config={
            "registered_patients": st.column_config.NumberColumn(
                f"Registered ({registered})", format=COUNT
            ),
            "list_size": st.column_config.NumberColumn("Your list size", format=COUNT),
            "difference": st.column_config.NumberColumn("Difference", format=COUNT),
        },
    )
