"""The shared sidebar: page links that keep the view's state, the ICS, the places."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import layers
from dashboard.link import SHARED_PARAMS, ics_label, place_options, switch_vintage
from dashboard.sections.scenarios import account
from dashboard.state import ICS_KEY, PLACES_KEY, VINTAGE_KEY

_PLACE_WORDS = {
    "preset": "Named in the ICS's papers",
    "utla": "Upper-tier authorities",
    "ltla": "Lower-tier districts",
}


def draw(container, pages: list, systems: pd.DataFrame) -> None:
    """Draw the sidebar's body into ``container`` (after the page, see the router).

    ``systems`` are the ICSs of the vintage in use.
    """
    vintage = st.session_state[VINTAGE_KEY]
    info = layers.get_vintage(vintage)
    with container:
        # Links carry the view's state, so opening one in a new tab keeps the same ICS.
        shared = {k: v for k, v in st.query_params.items() if k in SHARED_PARAMS}
        for target in pages:
            st.page_link(target, query_params=shared)
        st.divider()
        st.radio(
            "Data vintage",
            list(layers.VINTAGES)[::-1],
            key=VINTAGE_KEY,
            format_func=lambda v: layers.get_vintage(v).label,
            on_change=switch_vintage,
            help="April 2026: today's 36 ICBs, IMD 2025, 2026/27 allocations. July 2022: the "
            "42 ICBs of 2022 with real July 2022 registrations. Every page uses it.",
        )
        st.selectbox(
            "Integrated Care System (type a name or code)",
            systems["icb_code"].tolist(),
            key=ICS_KEY,
            format_func=lambda c: ics_label(c, vintage),
            help=f"England's {info.n_icbs} ICSs, as Integrated Care Boards at {info.icb_date}"
            + (" (ONS code · NHS England allocation code)." if vintage == "2026" else "."),
        )
        st.radio(
            "Places are",
            place_options(st.session_state[ICS_KEY], vintage),
            key=PLACES_KEY,
            format_func=_PLACE_WORDS.get,
            help="Which local units count as 'places'. Every page says which is in use.",
        )
        st.caption(f"Data: {info.data_line}.")
        account.draw_sidebar()
