"""Boundary alignment: whether PCNs, practices and places line up with council boundaries.

For local authority partners who pool budgets or plan services with the NHS, and for
an ICS explaining how its former CCGs map onto it. Six sections, one tab each (only
the open tab runs): residence-based alignment, the PCN × authority overlap, area-based
alignment, cross-boundary flows, merger lineage and one-page place cards.
"""

from dashboard import scaffold
from dashboard.sections.boundaries import area, cards, flows, lineage, overlap, residence, view

SECTIONS = {
    "Residence": residence,
    "Overlap": overlap,
    "Area": area,
    "Flows": flows,
    "Lineage": lineage,
    "Place cards": cards,
}

ctx = scaffold.context()
scaffold.start(
    ctx,
    f"Boundary alignment: {ctx.title_suffix}",
    "Do PCNs, practices and places line up with council boundaries? For partners checking "
    "before they pool budgets or plan services together. Registered patients: "
    f"{ctx.info.registrations}.",
)
shared = view.read(ctx)
tabs = scaffold.lazy_tabs(list(SECTIONS), "section")
for tab, section in zip(tabs, SECTIONS.values(), strict=True):
    if tab.open:
        with tab:
            section.draw(ctx, shared)
scaffold.finish(ctx)
