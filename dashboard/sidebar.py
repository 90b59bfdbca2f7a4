"""The shared sidebar: page links that keep the view's state, the ICS, the places."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import layers
from dashboard.link import SHARED_PARAMS, place_options
from dashboard.sections.scenarios import account
from dashboard.state import ICS_KEY, PLACES_KEY

_PLACE_WORDS = {
    "preset": "Named in the ICS's papers",
    "utla": "Upper-tier authorities",
    "ltla": "Lower-tier districts",
}


def draw(container, pages: list, systems: pd.DataFrame) -> None:
    """Draw the sidebar's body into ``container`` (after the page, see the router)."""
    names = dict(zip(systems["icb_code"], systems["icb_name"], strict=True))
    with container:
        # Links carry the view's state, so opening one in a new tab keeps the same ICS.
        shared = {k: v for k, v in st.query_params.items() if k in SHARED_PARAMS}
        for target in pages:
            st.page_link(target, query_params=shared)
        st.divider()
        st.selectbox(
            "Integrated Care System (type a name or code)",
            systems["icb_code"].tolist(),
            key=ICS_KEY,
            format_func=lambda c: f"{names[c]} ({c})",
            help="England's 42 ICSs, as Integrated Care Boards at 1 July 2022.",
        )
        st.radio(
            "Places are",
            place_options(st.session_state[ICS_KEY]),
            key=PLACES_KEY,
            format_func=_PLACE_WORDS.get,
            help="Which local units count as 'places'. Every page says which is in use.",
        )
        st.caption(f"Data: {layers.DATA_VINTAGE}.")
        account.draw_sidebar()
