"""5. Merger lineage: the 2021 CCGs and STP that formed the 2022 ICB; split authorities."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure
from dashboard.scaffold import PageContext
from dashboard.sections.boundaries.view import LA_SHORT, View, show
from layers import format as fmt
from layers.alignment import tables


def _split(ctx: PageContext, view: View) -> None:
    st.markdown(f"**{LA_SHORT[view.la_level]} local authorities split between ICBs**")
    split = view.tables["split_authorities"]
    if split.empty:
        st.success(
            f"No {view.la_word} authority with LSOAs in {view.system.name} has LSOAs in "
            "another ICB."
        )
    else:
        show(
            tables.split_table(split),
            f"{ctx.code} split authorities {view.la_level}",
            "bnd_split",
        )
    other = "ltla" if view.la_level == "utla" else "utla"
    n_other = loaders.alignment_split(ctx.code, other, ctx.vintage)["la_code"].nunique()
    st.caption(
        f"At {LA_SHORT[other].lower()} level, {n_other} authority(ies) of this ICS are split "
        "between ICBs (switch the level above to see them)."
    )


def draw(ctx: PageContext, view: View) -> None:
    """The lineage in words, its labelled map, the former CCGs and split authorities."""
    lineage, stps = view.tables["merger_lineage"], view.tables["stp_lineage"]
    if ctx.vintage == "2026":
        _draw_2026(ctx, view, lineage, stps)
        return
    st.subheader("5. Merger lineage: from 2021 CCGs and STP to the 2022 ICB")
    st.markdown(
        f"{view.system.name} ICB (July 2022) was formed from **{len(lineage)} clinical "
        f"commissioning group(s)** of April 2021 in **{fmt.plural(len(stps), 'STP')}** "
        f"({', '.join(stps['stp21_name'])}). "
        + (
            "Every one of them moved into this ICB whole."
            if bool(lineage["whole"].all())
            else "Some were split between ICBs: see 'Other ICBs' below."
        )
    )
    show_figure(
        loaders.alignment_lineage_map(ctx.code, view.la_level, ctx.vintage),
        f"{ctx.code} merger lineage map {view.la_level}",
        "bnd_lineage",
    )
    st.caption(
        "Each former CCG has its own colour, fill pattern and numbered label; dashed lines "
        f"are {view.la_word} council boundaries; hatched grey areas are parts of those CCGs, "
        f"or of split {view.la_word} authorities, that lie in other ICBs. Drawn without a "
        "basemap (offline)."
    )
    show(tables.lineage_table(lineage), f"{ctx.code} former CCGs", "bnd_ccgs")
    _split(ctx, view)


def _draw_2026(ctx: PageContext, view: View, lineage, icbs) -> None:
    """The 2026 lineage: the April 2024 sub-ICB locations and ICBs an ICB was formed from."""
    st.subheader("5. Merger lineage: from 2024 sub-ICB locations and ICBs to the 2026 ICB")
    st.markdown(
        f"{view.system.name} ICB (April 2026) was formed from **{len(lineage)} sub-ICB "
        f"location(s)** of April 2024 in **{fmt.plural(len(icbs), 'ICB')}** of April 2024 "
        f"({', '.join(icbs['icb24_name'])}). "
        + (
            "Every one of them moved into this ICB whole."
            if bool(lineage["whole"].all())
            else "Some were split between ICBs: see 'Other ICBs' below."
        )
        + " The Mergers page shows what the April 2026 change did."
    )
    show_figure(
        loaders.alignment_lineage_map(ctx.code, view.la_level, ctx.vintage),
        f"{ctx.code} merger lineage map {view.la_level}",
        "bnd_lineage",
    )
    table = lineage.rename(
        columns={
            "sicbl_name": "Sub-ICB location (April 2024)",
            "sicbl_code": "Code",
            "icb24_name": "ICB (April 2024)",
            "icb24_code": "ICB code",
            "n_lsoas": "LSOAs",
            "population": "Residents in this ICB (Census 2021)",
            "other_icbs": "Other ICBs that took part of it",
        }
    )
    for column in ("share_of_icb", "share_of_predecessor"):
        table[column] = (100 * table[column]).round(1)
    table = table.rename(
        columns={
            "share_of_icb": "Share of the ICB (%)",
            "share_of_predecessor": "Share of the sub-ICB now in this ICB (%)",
            "whole": "Moved whole",
        }
    )
    show(table, f"{ctx.code} former sub-ICB locations", "bnd_ccgs")
    _split(ctx, view)
