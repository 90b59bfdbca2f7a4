"""Before against after, for a real or a what-if merger: tiers, need, Core20, councils."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import COUNT, PERCENT, show_figure, show_table
from layers.figures import mergers as figures
from layers.vintages import get_vintage


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    shown["name"] = [
        f"{n} (merged)" if r == "merged" else n
        for n, r in zip(shown["name"], shown["role"], strict=True)
    ]
    return shown.drop(columns="role")


def draw(result, key: str) -> None:
    """Every before/after figure of ``result`` (a ``layers.mergers.MergeFigures``)."""
    info = get_vintage(result.vintage)
    st.markdown("#### Tiers against their bands")
    show_figure(
        figures.tier_chart(result.tiers, vintage=result.vintage),
        "Merger tier sizes",
        f"{key}_tiers",
    )
    tiers = _named(result.tiers)
    for column in ("practices_in_band", "pcns_in_band", "councils_in_place_band"):
        tiers[column] = (tiers[column] * 100).round(1)
    show_table(
        tiers.rename(
            columns={
                "code": "Code",
                "name": "System",
                "residents": f"Residents ({info.population_short})",
                "registered_patients": f"Registered patients ({info.registered_label})",
                "n_lsoas": "LSOAs",
                "n_practices": "Practices",
                "n_pcns": "PCNs",
                "n_councils": "Councils (upper tier)",
                "ics_band_low": "ICS band from",
                "ics_band_high": "ICS band to",
                "ics_flag": "ICS against band",
                "practices_in_band": "Practices in band %",
                "pcns_in_band": "PCNs in band %",
                "councils_in_place_band": "Councils in place band %",
            }
        ),
        f"Merger tiers ({info.label} data)",
        f"{key}_tiers_table",
        formats={
            f"Residents ({info.population_short})": COUNT,
            f"Registered patients ({info.registered_label})": COUNT,
        },
    )
    st.markdown("#### Need inside the merged system")
    show_figure(
        figures.need_chart(result.need, vintage=result.vintage), "Merger need", f"{key}_need"
    )
    need = _named(result.need)
    need[["population_share", "fair_share"]] = (
        need[["population_share", "fair_share"]] * 100
    ).round(2)
    index_columns = [c for c in need.columns if c.endswith("_index")]
    need[index_columns] = need[index_columns].round(3)
    show_table(
        need.rename(
            columns={
                "code": "Code",
                "name": "System",
                "population": f"NHS England population ({info.default_allocation_year})",
                "population_share": "Share of population %",
                "fair_share": "Fair share %",
                "overall_index": "Need index (merged = 1)",
            }
        ),
        f"Merger need ({info.label} data)",
        f"{key}_need_table",
        formats={f"NHS England population ({info.default_allocation_year})": COUNT},
    )
    if result.need.attrs.get("imputed"):
        st.caption(
            f"{result.need.attrs['imputed']} practices without a weighted population "
            "take their system's average need."
        )
    left, right = st.columns(2)
    with left:
        st.markdown("#### Inequality: Core20")
        show_figure(
            figures.core20_chart(result.core20, vintage=result.vintage),
            "Merger Core20",
            f"{key}_core20",
        )
    with right:
        st.markdown("#### Councils spanned and alignment")
        councils = _named(result.councils)
        councils["coterminous_share"] = (councils["coterminous_share"] * 100).round(1)
        show_table(
            councils.rename(
                columns={
                    "code": "Code",
                    "name": "System",
                    "n_councils": "Councils (upper tier)",
                    "n_councils_whole": "Wholly inside",
                    "n_districts": "Districts",
                    "n_districts_whole": "Districts wholly inside",
                    "coterminous_share": "Residents in councils wholly inside %",
                    "split_councils": "Councils split with another ICB",
                }
            ),
            f"Merger councils ({info.label} data)",
            f"{key}_councils",
            formats={"Residents in councils wholly inside %": PERCENT},
        )
    for note in result.notes:
        st.caption(note)
