"""ICB mergers: the April 2026 mergers seen both ways, the national changes, what-if merges.

For leaders, councils and scrutiny committees asking what a merger did to the size of
each tier, to need and fair shares, to inequality and to alignment with councils.
"""

import streamlit as st

from dashboard import scaffold
from dashboard.sections.mergers import april2026, whatif

SECTIONS = ("April 2026 mergers", "What-if merge", "National changes")

ctx = scaffold.context()
scaffold.start(
    ctx,
    "ICB mergers: April 2026, and what if",
    "On 1 April 2026, 12 ICBs were abolished and 6 created, leaving 36. What did each "
    "merger do to the size of each tier, to need and fair shares, to inequality and to "
    "alignment with councils? And what if your ICB merged with its neighbour?",
)
scaffold.link_choice("view", SECTIONS, "the tab", SECTIONS[0])
# A what-if link (``?merge=``) opens on the what-if tab.
tabs = st.tabs(
    list(SECTIONS),
    key="view",
    bind="query-params",
    default=SECTIONS[1] if "merge" in st.query_params else SECTIONS[0],
)
drawers = (april2026.draw, whatif.draw, lambda _ctx: april2026.draw_national())
for tab, drawer in zip(tabs, drawers, strict=True):
    if tab.open:
        with tab:
            drawer(ctx)
scaffold.finish(ctx)
