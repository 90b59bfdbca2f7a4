"""Headline figures of the ICS: patients, residents, places, PCNs and practices."""

from __future__ import annotations

import streamlit as st

import layers
from dashboard.scaffold import PageContext
from layers import format as fmt


def draw(ctx: PageContext, system: layers.System) -> None:
    """Five headline metrics and what the two population bases mean."""
    ics = system.ics.iloc[0]
    info = ctx.info
    # The first label names the list basis and year, the longest text in the row.
    cols = st.columns([4, 3, 2, 2, 2])
    cols[0].metric(
        f"Registered patients ({info.registered_label})", fmt.count(ics.registered_patients)
    )
    cols[1].metric(f"Residents ({info.population_source})", fmt.count(ics.resident_population))
    cols[2].metric("Places", f"{ics.n_places}")
    cols[3].metric("PCNs", f"{ics.n_pcns}")
    cols[4].metric(
        "GP practices",
        f"{ics.n_practices}",
        help=f"{ics.n_practices_no_pcn} of them are in no PCN in the {info.epcn_date} ePCN "
        "extract; they are kept and placed by their commissioner.",
    )
    notes = []
    if ics.n_practices_no_pcn:
        notes.append(
            f"{fmt.plural(int(ics.n_practices_no_pcn), 'practice')} in no PCN in the ePCN "
            f"extract ({info.epcn_date}). They are kept in every figure and shown as "
            f"“{info.no_pcn_label}”."
        )
    empty = system.places.loc[system.places["n_practices"] == 0, "place_name"].tolist()
    if empty:
        notes.append(
            f"{fmt.plural(len(empty), 'place')} with no GP practice of the ICS "
            f"({', '.join(empty)}): its residents register at practices in other places."
        )
    if "pattern_basis" in system.practices.columns:
        borrowed = system.practices.loc[
            system.practices["pattern_basis"] != "July 2022 pattern", "practice_name"
        ].tolist()
        if borrowed:
            notes.append(
                f"{fmt.plural(len(borrowed), 'practice')} had no July 2022 registrations "
                f"(new since), so where their patients live takes the pattern of their "
                f"nearest practices: {', '.join(map(str, borrowed[:10]))}"
                + (" and others." if len(borrowed) > 10 else ".")
            )
    if info.registrations_modelled:
        notes.append(f"Registered patients by where they live are {info.registrations}.")
    for note in notes:
        st.info(note)
    st.markdown(
        "Registered patients count everyone on the ICS's practice lists, wherever they "
        "live; residents count everyone living in the ICS's LSOAs. The two differ because "
        "people register across boundaries."
    )
