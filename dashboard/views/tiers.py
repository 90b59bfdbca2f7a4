"""Population tiers: are our units the right size for their layer, and who is at risk.

Five layers (individuals, GP practices, PCNs, places, the ICS) measured against the
design bands of the ICS's plans, with what-if regrouping kept in this session only.
The bands and the regrouping sit above the tabs; each tab is one section.
"""

from dashboard import scaffold
from dashboard.sections.scenarios import save
from dashboard.sections.scenarios.documents import page_document
from dashboard.sections.tiers import age, bands, five_layers, risk, units, whatif

#: The tabs, in the link as ``?view=``.
TABS = ("The five layers", "Units outside their band", "Age structure", "People at risk")
SECTIONS = (five_layers, units, age, risk)

ctx = scaffold.context()
scaffold.start(
    ctx,
    f"Population tiers: {ctx.title_suffix}",
    "Population basis: practices, PCNs and places are sized by **registered patients** "
    "(GP lists, July 2022); the ICS shows registered patients and ONS mid-2020 "
    "**residents**; the individuals layer counts **synthetic individuals**, one per "
    "registered patient.",
)
chosen_bands = bands.draw(ctx)
view = whatif.draw(ctx, chosen_bands)
save.draw(
    ctx, lambda: page_document(ctx, "tiers", bands=view.bands, regrouping=view.regrouping), "tiers"
)
for tab, section in zip(scaffold.lazy_tabs(TABS, "view"), SECTIONS, strict=True):
    if tab.open:
        with tab:
            section.draw(ctx, view)
scaffold.finish(ctx)
