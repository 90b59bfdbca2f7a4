"""Inequality: where inequalities are widest, measured the way public health analysts do."""

import math

import pandas as pd
import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads, table_downloads
from layers import indicators as ind
from layers.allocation import ILLUSTRATIVE_POUNDS_PER_HEAD, ScenarioError
from layers.deprivation import is_core20
from layers.maps import OFFLINE_TOPOJSON_URL

#: Words for the SII's units, by indicator unit.
SII_UNITS = {"%": "percentage points", "km": "km", "£": "£ per head", "patients": "patients"}
MAP_LEVELS = {"pcn": "PCN footprints", "place": "Places"}
DEFAULT_INDICATOR = "aged_65_plus"

ctx = scaffold.context()
code, place_definition, system_key = ctx.code, ctx.place_definition, ctx.key
system = loaders.system(system_key)


def pct(share: float, decimals: int = 1) -> str:
    """A 0-1 share as a percentage, or 'n/a'."""
    return "n/a" if share is None or not math.isfinite(share) else f"{share:.{decimals}%}"


def number(value: float, decimals: int, sign: bool = False) -> str:
    """A number with thousands separators, or 'n/a'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:{'+' if sign else ''},.{decimals}f}"


def reading(value: float, limits: tuple[float, float] | None = None, null: float = 0) -> str:
    """The direction of a gradient in words; limits spanning ``null`` say it is unclear."""
    if not math.isfinite(value):
        return "not computed"
    if limits is not None and all(math.isfinite(x) for x in limits):
        if limits[0] <= null <= limits[1]:
            return f"no clear gradient: the 95% CI includes {null:g}"
    if value == null:
        return "no gradient"
    return "higher in more deprived areas" if value < null else "higher in less deprived areas"


def bad_link(what: str, value: str, valid: str, fallback: str) -> None:
    """Say that a shared link asked for something that does not exist."""
    st.warning(
        f"The link asked for {what} {value!r}, which is not {valid}; showing {fallback} instead."
    )


st.title(f"Inequality: {system.name} ICS")
scaffold.place_note(ctx)
st.markdown(
    "Where are inequalities widest, and how wide are they? Areas are grouped by **national "
    "IMD 2019 deciles**: decile 1 is the most deprived 10% of England's 32,844 LSOAs, decile "
    "10 the least deprived. The measures are the ones public health teams publish: the "
    "slope and relative indices of inequality (PHE / OHID method), concentration indices "
    "and the Gini coefficient."
)

# --------------------------------------------------------------------------- 1. profile
st.header("1. Deprivation profile")
profile = loaders.inequality_profile(system_key)
deciles_profile = profile["deciles"]
residents = int(deciles_profile["residents"].sum())
in_core20 = is_core20(deciles_profile["imd_decile"])
core20_residents = int(deciles_profile.loc[in_core20, "residents"].sum())
patients = int(deciles_profile["patients"].sum())
core20_patients = int(deciles_profile.loc[in_core20, "patients"].sum())
cols = st.columns(3)
cols[0].metric("Residents (ONS mid-2020)", f"{residents:,}")
cols[1].metric(
    "Residents in Core20 (national deciles 1–2)",
    pct(core20_residents / residents if residents else math.nan),
    help="Core20: people living in the most deprived 20% of England's LSOAs (IMD 2019).",
)
cols[2].metric(
    "Registered patients living in Core20 LSOAs",
    pct(core20_patients / patients if patients else math.nan),
    help="Patients of the ICS's practices (July 2022), placed by the LSOA they live in, "
    "wherever that is in England. Welsh and unknown addresses have no English decile.",
)

profile_fig = ind.profile_figure(
    deciles_profile, f"People in each national IMD 2019 decile: {system.name}"
)
st.plotly_chart(profile_fig, config={"displaylogo": False}, key="ineq_profile_chart")
figure_downloads(profile_fig, f"People by IMD decile {code}", "ineq_profile_fig")

decile_table = pd.DataFrame(
    {
        "IMD decile": deciles_profile["imd_decile"].map(ind.DECILE_LABELS),
        "Residents (mid-2020)": deciles_profile["residents"],
        "% of residents": (100 * deciles_profile["residents"] / max(residents, 1)).round(1),
        "Registered patients (Jul 2022)": deciles_profile["patients"],
        "% of patients": (100 * deciles_profile["patients"] / max(patients, 1)).round(1),
    }
)
with st.expander("People in each decile (table)"):
    st.dataframe(decile_table, hide_index=True)
    table_downloads(decile_table, f"People by IMD decile {code}", "ineq_profile_table")

places_table = profile["places"].assign(core20_share=lambda f: (100 * f["core20_share"]).round(1))
places_table = places_table.rename(
    columns={
        "place_name": "Place",
        "place_code": "Code",
        "population": "Residents (mid-2020)",
        "core20_residents": "Residents in deciles 1–2",
        "core20_share": "Core20 share of residents (%)",
    }
)
pcn_table = profile["pcns"].assign(
    core20_share=lambda f: (100 * f["core20_share"]).round(1),
    mean_imd_rank=lambda f: f["mean_imd_rank"].round(0),
)
pcn_table = pcn_table.rename(
    columns={
        "pcn_name": "PCN",
        "pcn_code": "Code",
        "place_name": "Place",
        "registered_patients": "Registered patients (Jul 2022)",
        "patients_with_imd": "Patients with an English LSOA",
        "core20_patients": "Patients in deciles 1–2",
        "core20_share": "Core20 share of patients (%)",
        "mean_imd_rank": "Patient-weighted mean IMD rank",
        "imd_decile": "Patient-weighted IMD decile",
    }
).sort_values("Core20 share of patients (%)", ascending=False)
practice_table = profile["practices"].assign(
    core20_share=lambda f: (100 * f["core20_share"]).round(1),
    mean_imd_rank=lambda f: f["mean_imd_rank"].round(0),
)
practice_table = practice_table.rename(
    columns={
        "practice_name": "Practice",
        "practice_code": "Code",
        "pcn_name": "PCN",
        "place_name": "Place",
        "registered_patients": "Registered patients (Jul 2022)",
        "patients_with_imd": "Patients with an English LSOA",
        "core20_patients": "Patients in deciles 1–2",
        "core20_share": "Core20 share of patients (%)",
        "mean_imd_rank": "Patient-weighted mean IMD rank",
        "imd_decile": "Patient-weighted IMD decile",
    }
).sort_values("Core20 share of patients (%)", ascending=False)

st.subheader("Core20 share of places, PCNs and practices")
st.caption(
    "Places count their **residents**. PCNs and practices are **patient-weighted**: they "
    "count where their registered patients live (practice × LSOA registrations, July 2022). "
    "A practice's IMD rank is its patients' mean national rank (1 = most deprived of "
    "32,844), and its decile the national decile that rank falls in."
)
tabs = st.tabs(["Places", "PCNs", "Practices"])
for tab, table, title, key in (
    (tabs[0], places_table, "Core20 share by place", "ineq_places"),
    (tabs[1], pcn_table, "Core20 share by PCN", "ineq_pcns"),
    (tabs[2], practice_table, "Core20 share by practice", "ineq_practices"),
):
    with tab:
        st.dataframe(table, hide_index=True)
        table_downloads(table, f"{title} {code}", key)
        if key == "ineq_pcns" and system.ics.n_practices_no_pcn.iloc[0]:
            st.caption(
                f"{system.ics.n_practices_no_pcn.iloc[0]} practice(s) in no PCN "
                f"(“{layers.NO_PCN_LABEL}”) are in the Practices tab."
            )

requested_map = st.query_params.get("map", "pcn")
if requested_map not in MAP_LEVELS:
    requested_map = "pcn"
map_level = st.radio(
    "Map the Core20 share by",
    list(MAP_LEVELS),
    index=list(MAP_LEVELS).index(requested_map),
    format_func=MAP_LEVELS.get,
    horizontal=True,
)
st.query_params["map"] = map_level
map_fig = loaders.inequality_core20_map(system_key, map_level)
st.plotly_chart(
    map_fig,
    config={"displaylogo": False, "scrollZoom": True, "topojsonURL": OFFLINE_TOPOJSON_URL},
    key="ineq_map",
)
st.caption(
    "Share of residents living in LSOAs in national IMD deciles 1–2; darker is more deprived. "
    "PCN footprints are the LSOAs where a PCN has more registered patients than any other. "
    "Hover for values; the tables above list every figure. No basemap is drawn, so the map "
    "works offline."
)
figure_downloads(map_fig, f"Core20 share map {code}", "ineq_map_fig")

# --------------------------------------------------------------------------- 2. indicators
st.header("2. Indicators by deprivation decile")
keys = list(ind.INDICATORS)
requested = st.query_params.get("indicator", DEFAULT_INDICATOR)
if requested not in keys:
    bad_link(
        "indicator",
        requested,
        f"one of {', '.join(keys)}",
        ind.INDICATORS[DEFAULT_INDICATOR].label,
    )
    requested = DEFAULT_INDICATOR

names = {
    "ics": {code: f"{system.name} ICS"},
    "place": dict(zip(system.places["place_code"], system.places["place_name"], strict=True)),
    "pcn": dict(zip(system.pcns["pcn_code"], system.pcns["pcn_name"], strict=True)),
}
requested_unit = st.query_params.get("unit", "ics")
req_level, _, req_code = requested_unit.partition(":")
# The unit in the URL was set here for another ICS (or place definition) when the user
# has just switched: then it is reset quietly; otherwise it came from a link and a bad
# one is explained.
view = f"{code}|{place_definition}"
switched_ics = st.session_state.get("inequality_unit_view", view) != view
st.session_state["inequality_unit_view"] = view
if requested_unit == "ics":
    req_level, req_code = "ics", code
elif req_level not in ("place", "pcn") or req_code not in names[req_level]:
    if switched_ics:
        requested_unit = "ics"
    else:
        bad_link(
            "unit",
            requested_unit,
            f"'ics', 'place:<code>' or 'pcn:<code>' for a place or PCN of {system.name}",
            "the whole ICS",
        )
    req_level, req_code = "ics", code

controls = st.columns([3, 2, 3])
key = controls[0].selectbox(
    "Indicator",
    keys,
    index=keys.index(requested),
    format_func=lambda k: ind.INDICATORS[k].label,
)
spec = ind.INDICATORS[key]
unit_words = SII_UNITS[spec.unit]
decimals = spec.decimals + 1
levels = list(ind.UNIT_LEVELS)
level = controls[1].radio(
    "Summarise for",
    levels,
    index=levels.index(req_level),
    format_func=ind.UNIT_LEVELS.get,
    horizontal=True,
)
if level == "ics":
    unit = code
    controls[2].markdown(f"**{system.name} ICS**, all {spec.basis.replace('lsoa', 'LSOA')}s")
else:
    options = sorted(names[level], key=lambda c: names[level][c])
    unit = controls[2].selectbox(
        ind.UNIT_LEVELS[level],
        options,
        index=options.index(req_code) if level == req_level and req_code in options else 0,
        format_func=lambda c, lv=level: f"{names[lv][c]} ({c})",
    )
st.query_params["indicator"] = key
st.query_params["unit"] = "ics" if level == "ics" else f"{level}:{unit}"
unit_name = names[level][unit]

basis_words = {
    "lsoa": "Each LSOA counts its residents"
    + (
        "; a PCN counts its registered patients at the value of the LSOA they live in"
        if level == "pcn"
        else ""
    )
    + ".",
    "practice": "Each practice sits in its **patient-weighted** IMD decile (where its "
    "registered patients live).",
}[spec.basis]
st.caption(f"Source: {spec.source}. {basis_words}")

scenario_json = loaders.DEFAULT_SCENARIO
if key == "pounds_per_head":
    stored = st.session_state.get("allocation_scenario")
    default_words = (
        "its default scenario: weighted capitation of an illustrative budget "
        f"(£{ILLUSTRATIVE_POUNDS_PER_HEAD:,} per registered patient) over the default "
        "service catalogue. The budget sets the scale of £ figures and of the SII, not the "
        "shape of the gradient (RII, concentration index and Gini do not depend on it)"
    )
    if stored is None:
        st.info(
            "No allocation scenario has been set on the Service allocation page in this "
            f"session, so £ per head uses {default_words}."
        )
    else:
        try:
            scenario_json = ind.scenario_text(stored)
            scenario_name = layers.allocation.Scenario.from_json(scenario_json).name
            st.caption(
                f"£ per head from the allocation page's current scenario, “{scenario_name}”."
            )
        except ScenarioError as exc:
            st.warning(
                f"The allocation page's current scenario could not be read ({exc}); "
                f"£ per head uses {default_words}."
            )

try:
    deciles, summary = loaders.inequality_summary(system_key, key, scenario_json, level, unit)
except ScenarioError as exc:
    st.warning(f"{exc}. £ per head uses the allocation page's default scenario instead.")
    scenario_json = loaders.DEFAULT_SCENARIO
    deciles, summary = loaders.inequality_summary(system_key, key, scenario_json, level, unit)

if deciles.empty:
    st.warning(
        f"{unit_name} has no {'LSOAs' if spec.basis == 'lsoa' else 'practices'} with "
        f"“{spec.label}” to group by decile. Choose another unit or indicator."
    )
else:
    if spec.modelled:
        st.info(
            "**Modelled, not observed.** At-risk prevalence comes from synthetic individuals "
            "(one per registered patient, ages drawn from where they live) and a simple "
            "published-evidence risk model: rising risk = two or more long-term conditions, "
            "high risk = moderate or severe frailty. The chart uses the unrounded modelled "
            "rates; the table's counts are rounded to 5 and small numbers suppressed."
        )
    decile_fig = ind.decile_figure(deciles, summary, key, unit_name)
    st.plotly_chart(decile_fig, config={"displaylogo": False}, key="ineq_decile_chart")
    ci_words = (
        "Wilson score 95% confidence intervals"
        if spec.kind == "proportion"
        else "95% confidence intervals from the spread between areas in each decile"
    )
    st.caption(
        f"Bars: the indicator in each national IMD decile present in {unit_name}, "
        f"{'' if spec.modelled else 'with ' + ci_words + ', '}each as wide as its share "
        "of the population. Dashed line: the population-weighted regression line whose "
        "rise from the most to the least deprived end is the slope index of inequality."
    )
    figure_downloads(decile_fig, f"{spec.label} by IMD decile {unit_name}", "ineq_decile_fig")
    shown = ind.decile_display_table(deciles, key)
    st.dataframe(shown, hide_index=True)
    table_downloads(shown, f"{spec.label} by IMD decile {unit_name}", "ineq_decile_table")

    # ----------------------------------------------------------------------- 3. measures
    st.header("3. Summary measures")
    sii, rii = summary["sii"], summary["rii"]
    cols = st.columns(5)
    cols[0].metric(
        f"SII ({unit_words})",
        number(sii, decimals, sign=True),
        help="Slope index of inequality: least minus most deprived end of the fitted line.",
    )
    cols[1].metric("RII", number(rii, 3), help="Relative index of inequality: least ÷ most.")
    cols[2].metric(
        "Concentration index",
        number(summary["concentration_index"], 3, sign=True),
        help="Relative, population-weighted; negative = concentrated among the more deprived.",
    )
    cols[3].metric(
        "Abs. concentration index",
        number(summary["absolute_concentration_index"], decimals, sign=True),
        help=f"Concentration index × mean, in {unit_words}.",
    )
    cols[4].metric("Gini coefficient", number(summary["gini"], 3))
    if summary["note"]:
        st.info(f"The SII and RII are not computed for {unit_name}: {summary['note']}.")
    if summary["ci_note"]:
        st.info(f"Some measures are not available for {unit_name}: {summary['ci_note']}.")

    measures_table = pd.DataFrame(
        [
            (
                "Mean of the practices" if spec.key == "list_size" else "Population-weighted mean",
                number(summary["mean"], decimals),
                "",
                "",
                spec.axis,
            ),
            (
                f"Slope index of inequality ({unit_words})",
                number(sii, decimals, sign=True),
                number(summary["sii_lower"], decimals, sign=True),
                number(summary["sii_upper"], decimals, sign=True),
                reading(sii, (summary["sii_lower"], summary["sii_upper"])),
            ),
            (
                "Relative index of inequality",
                number(rii, 3),
                number(summary["rii_lower"], 3),
                number(summary["rii_upper"], 3),
                reading(rii, (summary["rii_lower"], summary["rii_upper"]), null=1),
            ),
            (
                "Concentration index (relative)",
                number(summary["concentration_index"], 3, sign=True),
                "",
                "",
                reading(summary["concentration_index"]),
            ),
            (
                f"Concentration index (absolute, {unit_words})",
                number(summary["absolute_concentration_index"], decimals, sign=True),
                "",
                "",
                reading(summary["absolute_concentration_index"]),
            ),
            (
                "Gini coefficient (population-weighted)",
                number(summary["gini"], 3),
                "",
                "",
                "0 = same everywhere, 1 = all in one area",
            ),
        ],
        columns=["Measure", "Value", "Lower 95% CL", "Upper 95% CL", "Reading"],
    )
    st.dataframe(measures_table, hide_index=True)
    st.caption(
        f"{unit_name}: {summary['n_deciles']} deciles with people; "
        f"{summary['n_areas']:,} {'LSOAs' if spec.basis == 'lsoa' else 'practices'}. "
        "SII and RII 95% limits from 100,000 simulations (PHEindicatormethods phe_sii)"
        + (
            ": for this modelled indicator they reflect only the random draw of the synthetic "
            "population, not uncertainty in the model itself. "
            if spec.modelled
            else ". "
        )
        + f"Data: {layers.DATA_VINTAGE}."
    )
    table_downloads(
        measures_table, f"Inequality measures {spec.label} {unit_name}", "ineq_measures_table"
    )

# --------------------------------------------------------------------------- 4. ranking
st.header("4. Where are inequalities widest?")
measure_keys = list(ind.MEASURES)
requested_measure = st.query_params.get("measure", "sii")
if requested_measure not in measure_keys:
    bad_link("measure", requested_measure, "'sii' or 'ci'", ind.MEASURES["sii"])
    requested_measure = "sii"
measure = st.radio(
    "Rank places and PCNs by",
    measure_keys,
    index=measure_keys.index(requested_measure),
    format_func=ind.MEASURES.get,
    horizontal=True,
)
st.query_params["measure"] = measure
ranking = loaders.inequality_ranking(system_key, key, scenario_json, measure)
ranked = ranking.assign(level=ranking["level"].map({"place": "Place", "pcn": "PCN"})).rename(
    columns={
        "rank": "Rank",
        "level": "Level",
        "unit_name": "Name",
        "unit_code": "Code",
        "population": "Population",
        "n_areas": "LSOAs" if spec.basis == "lsoa" else "Practices",
        "n_deciles": "Deciles with people",
        "sii": f"SII ({unit_words})",
        "sii_lower": "SII lower 95% CL",
        "sii_upper": "SII upper 95% CL",
        "rii": "RII",
        "concentration_index": "Concentration index",
        "gini": "Gini",
        "direction": "Gradient",
        "note": "Note",
    }
)
for column in (f"SII ({unit_words})", "SII lower 95% CL", "SII upper 95% CL"):
    ranked[column] = ranked[column].round(decimals)
for column in ("RII", "Concentration index", "Gini"):
    ranked[column] = ranked[column].round(3)
ranked["Population"] = ranked["Population"].round(0)
st.dataframe(ranked, hide_index=True)
st.caption(
    f"{spec.label}: places and PCNs ranked by the size of the "
    f"{ind.MEASURES[measure].lower().replace('(sii)', '(SII)')}, largest first, whichever "
    "way the gradient runs. PCN figures count the PCN's registered "
    "patients where they live (LSOA indicators) or its practices (practice indicators). "
    "SII limits here use 10,000 simulations each."
)
table_downloads(ranked, f"Inequality ranking {spec.label} {code}", "ineq_ranking_table")
unranked = int(ranking["rank"].isna().sum())
if unranked and measure == "sii":
    st.info(
        f"{unranked} unit(s) have no SII: it needs people in at least 5 national deciles, "
        "and a PCN's practices (or a small place's areas) often span fewer. Rank by the "
        "concentration index to compare them all."
    )

# --------------------------------------------------------------------------- 5. explain
st.header("5. What the measures mean")
st.markdown(
    f"""
- **Slope index of inequality (SII)**: the gap between the most and the least deprived
  ends of the population, read from a straight line fitted through all the deciles
  (bigger deciles count more). Its units are the indicator's ({unit_words} here). PHE's
  sign: *least deprived minus most deprived*, so a **negative** SII means the indicator
  is **higher in more deprived areas**. Confidence limits come from 100,000 simulations,
  as in the PHEindicatormethods R package.
- **Relative index of inequality (RII)**: the same line's value at the least deprived end
  divided by its value at the most deprived end. 1 means no gradient; 0.8 means the least
  deprived end has 20% less than the most deprived end.
- **Concentration index**: every LSOA (or practice) is ranked from most to least deprived
  and weighted by its population. The index asks whether the indicator piles up at one
  end: 0 means spread evenly across deprivation, negative means concentrated among more
  deprived people, positive among less deprived people (range −1 to 1).
- **Absolute concentration index**: the concentration index times the mean, in the
  indicator's units, so it compares gaps of different sizes.
- **Gini coefficient**: how unevenly the indicator is spread across LSOAs or practices,
  whatever their deprivation: 0 if every area had the same value, near 1 if one area
  had it all. Population-weighted, so a large area counts more than a small one.
- **Deciles** are national (England-wide) IMD 2019 deciles, so an affluent ICS may have
  few people in deciles 1–2. The SII needs people in at least 5 deciles.
- **Core20** is NHS England's Core20PLUS5 term for the most deprived 20% of the
  population: residents of national IMD deciles 1 and 2.
"""
)
scaffold.finish(ctx)
