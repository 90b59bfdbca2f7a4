"""The service catalogue editor: which tier commissions each service, and its share.

Every ICS starts on the neutral catalogue; the seed papers' arrangements are presets.
Tiers and need components show as names; the table underneath keeps their codes.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import table_downloads
from dashboard.scaffold import PageContext
from dashboard.sections.allocation import state
from dashboard.sections.allocation.common import named_choice
from layers.allocation import (
    COMPONENT_NAMES,
    COMPONENTS,
    PRESET_NAMES,
    PRESETS,
    TIER_NAMES,
    TIERS,
    default_catalogue,
)

#: The editor's columns in words.
COLUMN_NAMES = {
    "service": "Service",
    "tier": "Tier that commissions it",
    "component": "NHS England need component",
    "share_percent": "Share of budget (%)",
    "note": "Source / note",
}

_SOURCES = """
**The neutral catalogue** assumes no ICS's own arrangements: the ICB, which holds the
commissioning duty since the Health and Care Act 2022, commissions hospital, community,
mental health and maternity care and the health inequalities fund itself; primary care
sits with PCNs (the network contract) and practices (their contracts and prescribing).

**The presets' tiers** follow the seed papers. NW London's commissioning reform
commissions *acute and specialist care once* for the whole ICS and *locally focused
health at borough (place) level*; primary care sits with PCNs and practices. Coventry &
Warwickshire expects *about 80% of commissioning work* to sit with its four places and
20% with the strategic ICS: its preset keeps exactly 20% of the money at ICS level (the
paper's 80/20 is about work, not money, so this is a proxy).

**Money shares** are the same in all three, from NHS England's own 2022/23 formula: a
least-squares fit of the core weighted population (“Final WP”) on its six component
weighted populations over all 6,554 practices (R² = 0.99995) gives implied weights G&A
61.9%, community 5.1%, mental health 10.6%, maternity 3.2%, health inequalities 10.0%,
prescribing 9.1%. Scaled to 91% and rounded: 56, 5, 10, 3, 9 and 8%. Primary medical
care, allocated separately by NHS England, takes an illustrative 9% (2% PCN, 7%
practices).
"""


def reset_catalogue() -> None:
    """Callback: another shipped catalogue was chosen, so the editor starts from it."""
    preset = st.session_state[state.PRESET]
    state.set_catalogue(default_catalogue(preset), PRESET_NAMES[preset], preset)


def in_words(table: pd.DataFrame) -> pd.DataFrame:
    """The catalogue with names for codes and headers in words, for downloads."""
    out = table.copy()
    out["tier"] = out["tier"].map(TIER_NAMES).fillna(out["tier"])
    out["component"] = out["component"].map(COMPONENT_NAMES).fillna(out["component"])
    return out.rename(columns=COLUMN_NAMES)


def _named_codes(
    column: str, codes: tuple[str, ...], names: dict[str, str], help: str
) -> st.column_config.SelectboxColumn:
    """An editor column of codes that shows their names; a cell must hold one of them.

    Parameters
    ----------
    column : str
        The table's column, headed by its :data:`COLUMN_NAMES` entry.
    codes : tuple[str, ...]
        The codes a cell may hold, in the order offered.
    names : dict[str, str]
        Each code in words, as the editor shows it.
    help : str
        The column header's tooltip.

    Returns
    -------
    st.column_config.SelectboxColumn
        The column's configuration for ``st.data_editor``.
    """
    return st.column_config.SelectboxColumn(
        COLUMN_NAMES[column], options=list(codes), format_func=names.get, required=True, help=help
    )


def _editor_columns() -> dict:
    return {
        "service": st.column_config.TextColumn(COLUMN_NAMES["service"], required=True),
        "tier": _named_codes("tier", TIERS, TIER_NAMES, "ICS, place, PCN or practice"),
        "component": _named_codes(
            "component",
            COMPONENTS,
            COMPONENT_NAMES,
            "The weighted population that shares this service out.",
        ),
        "share_percent": st.column_config.NumberColumn(
            COLUMN_NAMES["share_percent"], min_value=0.0, max_value=100.0, format="%.2f"
        ),
        "note": st.column_config.TextColumn(COLUMN_NAMES["note"], width="large"),
    }


def draw(ctx: PageContext) -> pd.DataFrame:
    """The catalogue editor; returns the table as edited (not yet checked)."""
    title = "Service catalogue: which tier commissions each service, and its share"
    with st.expander(title, expanded=True):
        named_choice(
            "Start from a shipped catalogue",
            PRESETS,
            PRESET_NAMES,
            state.PRESET,
            on_change=reset_catalogue,
            help="The neutral catalogue, or a preset from the seed papers. Changing this "
            "replaces the table below.",
        )
        catalogue = st.session_state[state.CATALOGUE]
        edited = st.data_editor(
            catalogue["base"],
            key=state.editor_key(),
            num_rows="dynamic",
            hide_index=True,
            column_config=_editor_columns(),
        )
        catalogue["last"] = edited
        table_downloads(in_words(edited), f"Service catalogue {ctx.code}", "alloc_catalogue")
        st.caption(
            f"Catalogue: {state.catalogue_words(edited)}. Add or delete rows with the table's "
            "toolbar; shares must add up to 100%. An edited catalogue is not in the page's "
            "link: save the scenario to share it."
        )
        with st.popover("Where the shipped catalogues come from"):
            st.markdown(_SOURCES)
    return edited
