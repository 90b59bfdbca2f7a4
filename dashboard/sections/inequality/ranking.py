"""4. Where are inequalities widest? Places and PCNs ranked by the SII or concentration index."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, show_table
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.inequality.choice import Choice
from layers import indicators


def ranking_table(ranking: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """The ranking with headers in words, SII and its limits at the indicator's decimals."""
    sii = f"SII ({choice.unit_words})"
    ranked = ranking.assign(level=ranking["level"].map({"place": "Place", "pcn": "PCN"}))
    ranked = ranked.rename(
        columns={
            "rank": "Rank",
            "level": "Level",
            "unit_name": "Name",
            "unit_code": "Code",
            "population": "Population",
            "n_areas": "LSOAs" if choice.spec.basis == "lsoa" else "Practices",
            "n_deciles": "Deciles with people",
            "sii": sii,
            "sii_lower": "SII lower 95% CL",
            "sii_upper": "SII upper 95% CL",
            "rii": "RII",
            "concentration_index": "Concentration index",
            "gini": "Gini",
            "direction": "Gradient",
            "note": "Note",
        }
    )
    for column in (sii, "SII lower 95% CL", "SII upper 95% CL"):
        ranked[column] = ranked[column].round(choice.decimals)
    for column in ("RII", "Concentration index", "Gini"):
        ranked[column] = ranked[column].round(3)
    ranked["Population"] = ranked["Population"].round(0)
    return ranked


def _formats(table: pd.DataFrame, choice: Choice) -> dict[str, str]:
    sii = f"%,.{choice.decimals}f"
    return {
        "Population": COUNT,
        "LSOAs" if choice.spec.basis == "lsoa" else "Practices": COUNT,
        f"SII ({choice.unit_words})": sii,
        "SII lower 95% CL": sii,
        "SII upper 95% CL": sii,
        "RII": "%.3f",
        "Concentration index": "%.3f",
        "Gini": "%.3f",
    }


def draw(ctx: PageContext, choice: Choice) -> None:
    """The measure to rank by (in the link) and the ranked places and PCNs."""
    st.header("4. Where are inequalities widest?")
    keys = list(indicators.MEASURES)
    measure = st.radio(
        "Rank places and PCNs by",
        keys,
        index=keys.index(
            link_choice("measure", keys, "the measure", "sii", indicators.MEASURES["sii"])
        ),
        format_func=indicators.MEASURES.get,
        horizontal=True,
        key="ineq_measure",
    )
    st.query_params["measure"] = measure
    ranking = loaders.inequality_ranking(
        ctx.key, choice.indicator, choice.scenario_json, measure, *choice.loader_args
    )
    table = ranking_table(ranking, choice)
    title = f"Inequality ranking {choice.spec.label} {ctx.code}"
    show_table(table, title, "ineq_ranking_table", formats=_formats(table, choice))
    st.caption(
        f"{choice.spec.label}: places and PCNs ranked by the size of the "
        f"{indicators.MEASURES[measure].lower().replace('(sii)', '(SII)')}, largest first, "
        "whichever way the gradient runs. PCN figures count the PCN's registered "
        "patients where they live (LSOA indicators) or its practices (practice indicators). "
        "SII limits here use 10,000 simulations each."
    )
    unranked = int(ranking["rank"].isna().sum())
    if unranked and measure == "sii":
        st.info(
            f"{unranked} unit(s) have no SII: it needs people in at least 5 national deciles, "
            "and a PCN's practices (or a small place's areas) often span fewer. Rank by the "
            "concentration index to compare them all."
        )
