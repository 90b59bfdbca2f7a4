"""Headline figures of the ICS: patients, residents, places, PCNs and practices."""

from __future__ import annotations

import streamlit as st

import layers
from dashboard.scaffold import PageContext
from layers import format as fmt


def draw(ctx: PageContext, system: layers.System) -> None:
    """Five headline metrics and what the two population bases mean."""
    ics = system.ics.iloc[0]
    cols = st.columns(5)
    cols[0].metric("Registered patients (Jul 2022)", fmt.count(ics.registered_patients))
    cols[1].metric("Residents (ONS mid-2020)", fmt.count(ics.resident_population))
    cols[2].metric("Places", f"{ics.n_places}")
    cols[3].metric("PCNs", f"{ics.n_pcns}")
    cols[4].metric(
        "GP practices",
        f"{ics.n_practices}",
        help=f"{ics.n_practices_no_pcn} of them are in no PCN in the May 2022 ePCN extract; "
        "they are kept and placed by their commissioner.",
    )
    if ics.n_practices_no_pcn:
        st.info(
            f"{fmt.plural(int(ics.n_practices_no_pcn), 'practice')} in no PCN in the ePCN "
            f"extract (May 2022). They are kept in every figure and shown as "
            f"“{layers.NO_PCN_LABEL}”."
        )
    st.markdown(
        "Registered patients count everyone on the ICS's practice lists, wherever they "
        "live; residents count everyone living in the ICS's LSOAs. The two differ because "
        "people register across boundaries."
    )
