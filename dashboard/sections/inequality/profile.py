"""1. Deprivation profile: residents and patients by decile, and Core20 shares."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, PERCENT, show_figure, show_table
from dashboard.scaffold import PageContext, lazy_tabs, link_choice, vinfo, vw
from layers import format as fmt
from layers import indicators
from layers.deprivation import CORE20_LABEL, is_core20
from layers.figures import inequality as figures

MAP_LEVELS = {"pcn": "PCN footprints", "place": "Places"}
CORE20_PLACE = "Core20 share of residents (%)"
CORE20_UNIT = "Core20 share of patients (%)"
#: The Core20 tables' tabs and what one row is.
_UNITS = {"Places": "place", "PCNs": "PCN", "Practices": "practice"}
#: Number formats of the profile's tables, by column.
_FORMATS = {
    "Residents (mid-2020)": COUNT,
    "Registered patients (Jul 2022)": COUNT,
    "% of residents": "%.1f",
    "% of patients": "%.1f",
    "Residents in deciles 1–2": COUNT,
    "Core20 share of residents (%)": PERCENT,
    "Patients with an English LSOA": COUNT,
    "Patients in deciles 1–2": COUNT,
    "Core20 share of patients (%)": PERCENT,
    "Patient-weighted mean IMD rank": COUNT,
    "Patient-weighted IMD decile": "%d",
}
_UNIT_COLUMNS = {
    "place_name": "Place",
    "place_code": "Code",
    "population": "Residents (mid-2020)",
    "core20_residents": "Residents in deciles 1–2",
    "pcn_name": "PCN",
    "pcn_code": "Code",
    "practice_name": "Practice",
    "practice_code": "Code",
    "registered_patients": "Registered patients (Jul 2022)",
    "patients_with_imd": "Patients with an English LSOA",
    "core20_patients": "Patients in deciles 1–2",
    "mean_imd_rank": "Patient-weighted mean IMD rank",
    "imd_decile": "Patient-weighted IMD decile",
}


def _metrics(deciles: pd.DataFrame) -> None:
    residents, patients = int(deciles["residents"].sum()), int(deciles["patients"].sum())
    core20 = is_core20(deciles["imd_decile"])
    cols = st.columns(3)
    cols[0].metric(vw("Residents (ONS mid-2020)"), fmt.count(residents))
    cols[1].metric(
        "Residents in Core20 (national deciles 1–2)",
        fmt.share(deciles.loc[core20, "residents"].sum() / residents if residents else None),
        help=f"Core20: people living in the most deprived 20% of England's LSOAs ({CORE20_LABEL}).",
    )
    cols[2].metric(
        "Registered patients living in Core20 LSOAs",
        fmt.share(deciles.loc[core20, "patients"].sum() / patients if patients else None),
        help=vw(
            "Patients of the ICS's practices (July 2022), placed by the LSOA they live in, "
            "wherever that is in England. Welsh and unknown addresses have no English decile."
        ),
    )


def _decile_table(deciles: pd.DataFrame) -> pd.DataFrame:
    residents, patients = deciles["residents"].sum(), deciles["patients"].sum()
    return pd.DataFrame(
        {
            "IMD decile": deciles["imd_decile"].map(indicators.DECILE_LABELS),
            "Residents (mid-2020)": deciles["residents"],
            "% of residents": (100 * deciles["residents"] / max(residents, 1)).round(1),
            "Registered patients (Jul 2022)": deciles["patients"],
            "% of patients": (100 * deciles["patients"] / max(patients, 1)).round(1),
        }
    )


def core20_tables(profile: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The Core20 share of places, PCNs and practices as shown, highest share first."""
    places = profile["places"].assign(core20_share=lambda f: (100 * f["core20_share"]).round(1))
    out = {"Places": places.rename(columns=_UNIT_COLUMNS | {"core20_share": CORE20_PLACE})}
    for label, key in (("PCNs", "pcns"), ("Practices", "practices")):
        table = profile[key].assign(
            core20_share=lambda f: (100 * f["core20_share"]).round(1),
            mean_imd_rank=lambda f: f["mean_imd_rank"].round(0),
        )
        out[label] = table.rename(
            columns=_UNIT_COLUMNS | {"core20_share": CORE20_UNIT}
        ).sort_values(CORE20_UNIT, ascending=False)
    return out


def _core20_units(ctx: PageContext, profile: dict[str, pd.DataFrame]) -> None:
    st.subheader("Core20 share of places, PCNs and practices")
    st.caption(
        vw(
            "Places count their **residents**. PCNs and practices are **patient-weighted**: "
            "they count where their registered patients live (practice × LSOA "
            "registrations, July 2022). A practice's IMD rank is its patients' mean national "
            "rank (1 = most deprived of 32,844), and its decile the national decile that rank "
            "falls in."
        )
    )
    shown = core20_tables(profile)
    for tab, (label, table) in zip(lazy_tabs(list(shown), "core20"), shown.items(), strict=True):
        if tab.open:
            with tab:
                title = f"Core20 share by {_UNITS[label]} {ctx.code}"
                show_table(table, title, f"ineq_{label.lower()}", formats=_FORMATS)
                no_pcn = int(loaders.system(ctx.key).ics.n_practices_no_pcn.iloc[0])
                if label == "PCNs" and no_pcn:
                    st.caption(
                        f"{fmt.plural(no_pcn, 'practice')} in no PCN (“{vinfo().no_pcn_label}”) "
                        "are in the Practices tab."
                    )


def _core20_map(ctx: PageContext) -> None:
    levels = list(MAP_LEVELS)
    map_level = st.radio(
        "Map the Core20 share by",
        levels,
        index=levels.index(link_choice("map", levels, "the map level", "pcn", "PCN footprints")),
        format_func=MAP_LEVELS.get,
        horizontal=True,
        key="ineq_map_level",
    )
    st.query_params["map"] = map_level
    show_figure(
        loaders.inequality_core20_map(ctx.key, map_level),
        f"Core20 share map {ctx.code}",
        "ineq_map",
        config={"scrollZoom": True},
    )
    st.caption(
        f"Share of residents living in LSOAs in {CORE20_LABEL}; darker is more deprived. "
        "PCN footprints are the LSOAs where a PCN has more registered patients than any other. "
        "Hover for values; the tables above list every figure. No basemap is drawn, so the map "
        "works offline."
    )


def draw(ctx: PageContext) -> None:
    """Metrics, people by decile (chart and table), Core20 tables and map."""
    st.header("1. Deprivation profile")
    profile = loaders.inequality_profile(ctx.key)
    deciles = profile["deciles"]
    _metrics(deciles)
    show_figure(
        figures.profile_figure(
            deciles,
            vw(f"People in each national IMD 2019 decile: {ctx.name}"),
            vintage=ctx.vintage,
        ),
        f"People by IMD decile {ctx.code}",
        "ineq_profile",
    )
    with st.expander("People in each decile (table)"):
        show_table(
            _decile_table(deciles),
            f"People by IMD decile {ctx.code}",
            "ineq_profile_table",
            formats=_FORMATS,
        )
    _core20_units(ctx, profile)
    _core20_map(ctx)
