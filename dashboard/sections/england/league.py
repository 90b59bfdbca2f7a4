"""The national league table of the 42 ICSs: tier fit, need, Core20 and alignment."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, show_table
from dashboard.scaffold import PageContext
from layers import format as fmt
from layers.deprivation import CORE20_LABEL

_PERCENT_COLUMNS = (
    "practices_in_band",
    "pcns_in_band",
    "places_in_band",
    "core20_share",
    "alignment",
)
#: The table's columns, in the order shown.
_COLUMNS = (
    "icb_name",
    "icb_code",
    "registered_patients",
    "resident_population",
    "n_practices",
    "practices_in_band",
    "n_pcns",
    "pcns_in_band",
    "n_places",
    "places_in_band",
    "need_index",
    "core20_share",
    "alignment",
)
_LABELS = {
    "icb_name": "ICS",
    "icb_code": "Code",
    "n_practices": "Practices",
    "n_pcns": "PCNs",
    "n_places": "Places",
}
_NUMBERS = {
    "registered_patients": ("Registered patients (Jul 2022)", COUNT),
    "resident_population": ("Residents (mid-2020)", COUNT),
    "practices_in_band": ("Practices in band %", "%.1f"),
    "pcns_in_band": ("PCNs in band %", "%.1f"),
    "places_in_band": ("Places in band %", "%.1f"),
    "need_index": ("Need index (England = 1)", "%.3f"),
    "core20_share": ("Core20 residents %", "%.1f"),
    "alignment": ("Patients living in ICS %", "%.1f"),
}


def _band_text(bands: dict[str, tuple[int, int]], layer: str) -> str:
    low, high = bands[layer]
    return f"{fmt.count(low)}–{fmt.count(high)}"


def draw(ctx: PageContext) -> None:
    """The league table for the session's design bands, most need first."""
    st.subheader("National league table")
    bands = ctx.band_dict
    table = loaders.league_table(
        tuple((t, *bands[t]) for t in ("practice", "pcn", "place")), ctx.vintage
    )
    info = ctx.info
    st.markdown(
        "**Tier fit**: share of units whose registered patients fall inside the design band "
        f"(practices {_band_text(bands, 'practice')}; PCNs {_band_text(bands, 'pcn')}; "
        f"places {_band_text(bands, 'place')}; bands edited on the Population tiers page "
        f"carry over). **Need index**: NHS England {info.default_allocation_year} core "
        "weighted population per "
        "head, relative to England (1.00 = average need). **Core20**: residents in "
        f"{CORE20_LABEL}. **Alignment**: share of the ICS's registered patients who live "
        "in the ICS."
    )
    shown = table[list(_COLUMNS)].copy()
    shown[list(_PERCENT_COLUMNS)] = (shown[list(_PERCENT_COLUMNS)] * 100).round(1)
    shown["need_index"] = shown["need_index"].round(3)
    numbers = {
        **_NUMBERS,
        "registered_patients": (f"Registered patients ({info.registered_label})", COUNT),
        "resident_population": (f"Residents ({info.population_short})", COUNT),
    }
    config = {
        **_LABELS,
        **{c: st.column_config.NumberColumn(label, format=f) for c, (label, f) in numbers.items()},
    }
    show_table(
        shown.sort_values("need_index", ascending=False),
        f"England ICS league table ({info.label} data)",
        "league",
        column_config=config,
    )
    st.caption("Sort by any column by clicking its header.")
