"""The data vintage and sources, in full."""

from __future__ import annotations

import streamlit as st

import layers
from dashboard.scaffold import PageContext


def draw(ctx: PageContext) -> None:
    """An open expander with the vintage, geography, sources and licences."""
    with st.expander("Data vintage and sources", expanded=True):
        st.markdown(
            f"""
- **Vintage:** {layers.DATA_VINTAGE}.
- **Geography:** 2011 LSOAs (32,844 in England), coverage-simplified so that neighbours
  keep shared edges; places and the ICS are dissolved from the same LSOAs, so they nest
  exactly. PCNs have no official boundaries: a PCN's footprint is the set of LSOAs where
  it has more registered patients than any other PCN of the ICS.
- **Sources:** ONS LSOA→sub-ICB→ICB→LAD lookup (July 2022); NHS Digital patients
  registered at a GP practice by LSOA (July 2022); NHS Digital ePCN (May 2022) and ODS
  epraccur; MHCLG English Indices of Deprivation 2019; ONS mid-2020 population estimates;
  NHS England 2022/23 practice weighted populations.
- **Licences:** {layers.SOURCES}
"""
        )
