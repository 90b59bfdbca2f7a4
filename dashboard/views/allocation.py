"""Service allocation: share the ICS budget by need, across tiers and services.

Controls at the top build a *scenario* (name, budget, method and its parameters, service
catalogue); the tabs show it. The scenario that runs is kept as Scenario JSON in
``st.session_state["allocation_scenario"]`` (with ``"allocation_scenario_ics"``), so
other pages can use it through :func:`layers.allocation.practice_funding`. Every input
behind the numbers is in the link (see :mod:`dashboard.sections.allocation.state`).
"""

from __future__ import annotations

from dashboard import loaders, scaffold
from dashboard.sections.allocation import (
    compare,
    controls,
    distance,
    former_ccgs,
    need,
    state,
    summary,
    years,
)
from dashboard.sections.allocation.common import TABS
from dashboard.sections.scenarios import save
from dashboard.sections.scenarios.documents import page_document
from layers.figures.allocation import PRICES

ctx = scaffold.context()
scaffold.start(
    ctx,
    f"Service allocation: {ctx.title_suffix}",
    "Share the ICS budget by need, down the tiers ICS → places → PCNs → practices, explain "
    f"it, and compare scenarios. Money is in {PRICES}; “per head” is per registered patient "
    "in NHS England's population for the allocation year.",
)
year = years.choose(ctx)
frame = loaders.allocation_frame(ctx.key, year)
state.init(ctx, frame)
run = controls.draw(ctx, frame)
save.draw(ctx, lambda: page_document(ctx, "allocation", allocation=run.scenario), "allocation")

tabs = scaffold.lazy_tabs(TABS, "view")
sections = (summary, need, years, distance, former_ccgs, compare)
for tab, section in zip(tabs, sections, strict=True):
    if tab.open:
        with tab:
            section.draw(ctx, run)

scaffold.finish(ctx)
