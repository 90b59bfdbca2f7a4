"""1. Residence-based alignment: where each PCN's and practice's patients live."""

from __future__ import annotations

import streamlit as st

from dashboard.exports import show_figure
from dashboard.scaffold import PageContext
from dashboard.sections.boundaries.view import View, counts_sentence, registrations_when, show
from layers import format as fmt
from layers.alignment import tables
from layers.figures import alignment as figures


def _metrics(view: View) -> None:
    home, practices = view.home, view.tables["practice_home_authorities"]
    cot = view.tables["authority_coterminosity"]
    pcn_only = home["unit_type"] == "pcn"
    cols = st.columns(4)
    cols[0].metric(
        f"PCNs straddling (under {view.threshold_pct}%)",
        f"{int(home.loc[pcn_only, 'straddles'].sum())} of {int(pcn_only.sum())}",
    )
    cols[1].metric(
        f"Practices straddling (under {view.threshold_pct}%)",
        f"{int(practices['straddles'].sum())} of {len(practices)}",
    )
    cols[2].metric("Median PCN home share", fmt.share(home.loc[pcn_only, "home_share"].median()))
    own = cot.loc[cot["la_code"].isin(view.system.lsoas[f"{view.la_level}_code"])]
    cols[3].metric(
        "Residents with a home PCN",
        fmt.share(own["residents_at_home_units"].sum() / own["resident_patients"].sum()),
        help="Across the ICS's authorities: residents registered with a PCN (or practice "
        "in no PCN) whose home authority is the one they live in.",
    )


def _long_tables(ctx: PageContext, view: View) -> None:
    practice_names = view.system.practices.set_index("practice_code")["practice_name"]
    with st.expander("Every unit's share of patients in every authority (long tables)"):
        for key, unit, label, names in (
            ("residence_shares", "PCN", "PCNs", view.unit_names),
            ("practice_residence_shares", "Practice", "practices", practice_names),
        ):
            long = tables.residence_shares_table(view.tables[key], names, unit)
            st.markdown(f"**{label.capitalize()}** ({len(long):,} rows)")
            show(
                long,
                f"{ctx.code} {label} residence shares {view.la_level}",
                f"bnd_{key}",
                height=260,
            )


def draw(ctx: PageContext, view: View) -> None:
    """Metrics, the home-share chart, PCN, practice and authority tables."""
    st.subheader("1. Residence-based alignment")
    st.markdown(
        "Where each PCN's and practice's registered patients live, by local authority. "
        f"A practice in no PCN counts as a unit of its own. {counts_sentence(ctx)}"
    )
    _metrics(view)
    chart = figures.home_share_chart(
        view.home,
        view.threshold,
        title=f"{view.system.name}: share of each PCN's patients living in its home "
        f"authority ({view.la_word}, {registrations_when(ctx)})",
        vintage=ctx.vintage,
    )
    show_figure(chart, f"{ctx.code} PCN home authority shares {view.la_level}", "bnd_home")

    st.markdown("**PCNs** (sortable: click a column heading)")
    show(
        tables.home_table(view.home, view.threshold),
        f"{ctx.code} PCN home authorities {view.la_level}",
        "bnd_pcn",
    )
    st.markdown("**Practices**")
    pcn_of = view.system.practices.set_index("practice_code")["pcn_name"]
    show(
        tables.practice_home_table(
            view.tables["practice_home_authorities"], view.threshold, pcn_of
        ),
        f"{ctx.code} practice home authorities {view.la_level}",
        "bnd_practice",
    )
    st.markdown("**Local authorities: coterminosity in both directions**")
    st.markdown(
        "- *Residents registered with home PCNs*: of the authority's residents who are "
        "registered with a GP anywhere, the share registered with a PCN whose home "
        "authority is this one.\n"
        "- *Home PCNs' patients living here*: of all patients of the PCNs homed in the "
        "authority, the share who live in it."
    )
    show(
        tables.coterminosity_table(view.tables["authority_coterminosity"]),
        f"{ctx.code} authority coterminosity {view.la_level}",
        "bnd_cot",
    )
    _long_tables(ctx, view)
