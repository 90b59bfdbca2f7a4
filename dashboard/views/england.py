"""England: every LSOA and ICS, with national league tables and drill-down to one ICS."""

import streamlit as st

from dashboard import scaffold
from dashboard.sections.england import league, national_map

ctx = scaffold.context()
national_map.follow_drill()
st.title(f"England: all {ctx.info.n_icbs} ICSs ({ctx.info.icb_date})")
st.caption(
    "Places: each ICS's default place definition (places named in its papers, "
    "otherwise upper-tier local authorities)."
)
national_map.draw(ctx)
league.draw(ctx)
scaffold.finish(ctx)
