"""The data vintage and sources, in full."""

from __future__ import annotations

import streamlit as st

from dashboard.scaffold import PageContext


def draw(ctx: PageContext) -> None:
    """An open expander with the vintage, geography, sources and licences."""
    with st.expander("Data vintage and sources", expanded=True):
        info = ctx.info
        if info.key == "2026":
            st.markdown(
                f"""
- **Vintage:** {info.data_line}.
- **Geography:** 2021 LSOAs ({info.n_lsoas:,} in England), coverage-simplified so that
  neighbours keep shared edges; places (local authorities of 2024), PCN footprints and
  ICBs (April 2026) are dissolved from the same LSOAs, so they nest exactly.
- **Registrations:** {info.registrations}. No open file of GP registrations by practice
  × 2021 LSOA exists: 2011 LSOA counts are carried to 2021 by the ONS best-fit lookup (a
  divided LSOA split by Census 2021 population), and a practice new since 2022 takes the
  pattern of its nearest practices.
- **Population:** Census 2021 residents in 6 age bands (0–15, 16–24, 25–34, 35–49,
  50–64, 65+): pyramids are drawn in those bands.
- **Sources:** NHS England 2026/27–2028/29 (and 2025/26) practice weighted populations;
  ONS ICB April 2026 boundaries and LSOA 2021 lookups; NHS Digital ePCN ({info.epcn_date});
  {info.imd_source}.
- **Licences:** {info.sources}
"""
            )
            return
        st.markdown(
            f"""
- **Vintage:** {info.data_line}.
- **Geography:** 2011 LSOAs (32,844 in England), coverage-simplified so that neighbours
  keep shared edges; places and the ICS are dissolved from the same LSOAs, so they nest
  exactly. PCNs have no official boundaries: a PCN's footprint is the set of LSOAs where
  it has more registered patients than any other PCN of the ICS.
- **Sources:** ONS LSOA→sub-ICB→ICB→LAD lookup (July 2022); NHS Digital patients
  registered at a GP practice by LSOA (July 2022); NHS Digital ePCN (May 2022) and ODS
  epraccur; MHCLG English Indices of Deprivation 2019; ONS mid-2020 population estimates;
  NHS England 2022/23 practice weighted populations.
- **Licences:** {info.sources}
"""
        )
