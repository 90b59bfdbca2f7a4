"""The ICBs that changed on 1 April 2026: map, pieces, before and after; the national table."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, show_figure, show_table
from dashboard.link import ics_label
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.mergers import before_after

#: The merger shown when the ICS in use did not change: West and North London.
DEFAULT_MERGER = "E54000071"


def _default(ctx: PageContext, changed: list[str]) -> str:
    if ctx.vintage == "2026" and ctx.code in changed:
        return ctx.code
    return DEFAULT_MERGER


def draw(ctx: PageContext) -> None:
    """One changed ICB, chosen in the link (``?merger=``), with every before/after figure."""
    changed, _national = loaders.merger_national()
    codes = changed["icb_code"].tolist()
    if ctx.vintage != "2026":
        st.info(
            "The April 2026 mergers are shown with the 2026 vintage's data (2021 LSOAs, "
            "IMD 2025, 2026/27 lists), whatever the vintage chosen in the sidebar."
        )
    default = _default(ctx, codes)
    requested = link_choice("merger", codes, "the merger", default, ics_label(default, "2026"))
    code = st.selectbox(
        "ICB that changed on 1 April 2026",
        codes,
        index=codes.index(requested),
        format_func=lambda c: ics_label(c, "2026"),
    )
    if code == default:
        st.query_params.pop("merger", None)
    else:
        st.query_params["merger"] = code
    row = changed.set_index("icb_code").loc[code]
    st.caption(
        f"{row['status'][:1].upper()}{row['status'][1:]}; "
        f"predecessors (ODS codes): {row['predecessors']}."
    )
    show_figure(loaders.merger_map(code), f"Merger map {code}", "merger_map")
    st.markdown("#### The pieces")
    pieces = loaders.merger_pieces(code)
    show_table(
        pieces.rename(
            columns={
                "icb24_code": "Predecessor (ONS)",
                "icb24_code_nhs": "Predecessor (ODS)",
                "icb24_name": "Predecessor",
                "change": "Change",
                "whole": "Whole ICB",
                "n_lsoas": "LSOAs (2021)",
                "residents": "Residents (Census 2021)",
                "n_practices": "Practices",
                "registered_patients": "Registered patients (2026/27)",
            }
        ),
        f"Pieces of {ics_label(code, '2026')} (2026 data)",
        "merger_pieces",
        formats={c: COUNT for c in ("Residents (Census 2021)", "Registered patients (2026/27)")},
    )
    before_after.draw(loaders.merger_figures(code, ctx.bands), "merger")


def draw_national() -> None:
    """All 13 terminated and 7 new ONS codes of 1 April 2026."""
    _changed, national = loaders.merger_national()
    terminated = int((national["change"] == "terminated").sum())
    st.markdown(
        f"On 1 April 2026, **{terminated} ICB ONS codes were terminated** and "
        f"**{len(national) - terminated} new ones** created: 12 ICBs were abolished and 6 "
        "created (36 remain), and Hampshire and Isle of Wight kept its ODS code but took a "
        "new ONS code when it gained Hart and Rushmoor from Frimley."
    )
    show_table(
        national.rename(
            columns={
                "change": "Change",
                "icb_code": "ONS code",
                "ods_code": "ODS / NHS England code",
                "icb_name": "ICB",
                "ods_code_abolished": "ODS code abolished",
                "n_lsoas": "LSOAs (2021)",
                "links": "Where its LSOAs went / came from",
            }
        ),
        "ICB code changes, 1 April 2026",
        "merger_national",
    )
