"""layers.indicators: hand-made fixtures with known answers, and real-data cross-checks."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from layers import indicators as ind
from layers.allocation import Scenario, ScenarioError, default_catalogue
from layers.figures import inequality as figures
from layers.inequality import concentration_index, gini
from layers.risk import multimorbidity_probability
from tests.conftest import SHARED_DATA, require_shared

Z = 1.959963984540054


def lsoa_table(populations, deciles, ages):
    """LSOAs with every resident at one age: ``ages[i]`` for LSOA i."""
    n = len(populations)
    frame = pd.DataFrame(
        {
            "lsoa_code": [f"L{i}" for i in range(n)],
            "imd_rank": [int(d) * 3000 - 100 for d in deciles],
            "imd_decile": deciles,
            "population": populations,
            "gp_distance_km": np.linspace(0.5, 2.0, n),
            **{f"age_{a}": [0] * n for a in range(91)},
        }
    )
    for i, (age, pop) in enumerate(zip(ages, populations, strict=True)):
        frame.loc[i, f"age_{age}"] = pop
    return frame


def deprivation(codes, ranks):
    return pd.DataFrame(
        {
            "practice_code": codes,
            "mean_imd_rank": ranks,
            "imd_decile": pd.array(
                [None if math.isnan(r) else min(10, max(1, math.ceil(r / 3284.4))) for r in ranks],
                dtype="Int64",
            ),
        }
    )


def rows_for(values, deciles, population=1000, unit="U"):
    values = np.asarray(values, dtype=float)
    frame = pd.DataFrame(
        {
            "unit_code": unit,
            "lsoa_code": [f"{unit}{i}" for i in range(len(values))],
            "imd_rank": [d * 3000 - 100 + i for i, d in enumerate(deciles)],
            "imd_decile": deciles,
            "value": values,
            "population": population,
            "weight": population,
        }
    )
    frame["count"] = frame["value"] * frame["population"]
    return frame


# --------------------------------------------------------------------------- indicators


def test_share_aged_counts_the_age_range_and_drops_empty_lsoas():
    lsoas = lsoa_table([100, 0, 50], [1, 2, 10], [70, 30, 10])
    lsoas.loc[0, ["age_70", "age_15"]] = [60, 40]
    older = ind.aged_65_plus(lsoas)
    assert older["lsoa_code"].tolist() == ["L0", "L2"]
    assert older["value"].tolist() == [0.6, 0.0]
    assert older["count"].tolist() == [60, 0]
    young = ind.aged_0_15(lsoas)
    assert young["value"].tolist() == [0.4, 1.0]
    assert (young["weight"] == young["population"]).all()
    with pytest.raises(ValueError, match="0 <= min_age <= max_age <= 90"):
        ind.share_aged(lsoas, 40, 20)
    with pytest.raises(TypeError, match="whole number"):
        ind.share_aged(lsoas, 6.5)
    with pytest.raises(ValueError, match="missing column"):
        ind.aged_65_plus(lsoas.drop(columns="age_90"))


def test_gp_distance_is_the_iod_indicator_weighted_by_residents():
    lsoas = lsoa_table([10, 30], [1, 1], [5, 5])
    out = ind.gp_distance(lsoas)
    assert out["value"].tolist() == [0.5, 2.0]
    decile = ind.by_decile(out.assign(unit_code="U"), ind.indicator_spec("gp_distance", "2022"))
    assert decile["value"].iloc[0] == pytest.approx((10 * 0.5 + 30 * 2.0) / 40)
    lsoas.loc[0, "gp_distance_km"] = -1
    with pytest.raises(ValueError, match="negative distances"):
        ind.gp_distance(lsoas)


def test_at_risk_counts_sum_tiers_per_practice():
    counts = pd.DataFrame(
        {
            "practice_code": ["A", "A", "A", "A", "B"],
            "risk_tier": ["low", "rising", "high", "rising", "low"],
            "imd_decile": [1, 1, 1, 2, 3],
            "people": [50, 20, 5, 10, 7],
        }
    )
    out = ind.at_risk_counts(counts).set_index("practice_code")
    assert out.loc["A"].tolist() == [85, 35, 5]
    assert out.loc["B"].tolist() == [7, 0, 0]
    with pytest.raises(ValueError, match="low, rising or high"):
        ind.at_risk_counts(counts.assign(risk_tier="medium"))


def test_practice_risk_counts_match_the_model_probability():
    n = 20_000
    people = pd.DataFrame({"practice_code": "A", "age": np.full(n, 80), "imd_decile": 5})
    out = ind.practice_risk_counts(people, np.random.default_rng(5))
    p = float(multimorbidity_probability([80], [5])[0])
    assert out["people"].tolist() == [n]
    se = math.sqrt(p * (1 - p) / n)
    assert abs(out["at_risk"].iloc[0] / n - p) < 4 * se
    with pytest.raises(TypeError, match="Generator"):
        ind.practice_risk_counts(people, 3)


def test_practice_indicators_use_the_patient_weighted_decile():
    dep = deprivation(["A", "B", "C"], [100.0, 30_000.0, math.nan])
    counts = pd.DataFrame(
        {"practice_code": ["A", "B", "C"], "people": [200, 100, 50], "at_risk": [60, 10, 5]}
    )
    risk = ind.at_risk_prevalence(counts, dep)
    assert risk["practice_code"].tolist() == ["A", "B"]  # C has no English IMD
    assert risk["imd_decile"].tolist() == [1, 10]
    assert risk["value"].tolist() == [0.3, 0.1]
    with pytest.raises(ValueError, match="between 0 and people"):
        ind.at_risk_prevalence(counts.assign(at_risk=[300, 0, 0]), dep)

    practices = pd.DataFrame({"practice_code": ["A", "B"], "registered_patients": [9000, 3000]})
    sizes = ind.patients_per_practice(practices, dep)
    assert sizes["value"].tolist() == [9000, 3000]
    assert sizes["weight"].tolist() == [1, 1]

    funding = pd.DataFrame(
        {"practice_code": ["A", "B"], "pounds": [1.5e6, 2.0e6], "population": [1000.0, 0.0]}
    )
    money = ind.pounds_per_head(funding, dep)
    assert money["value"].tolist() == [1500.0]
    assert money["population"].tolist() == [1000.0]


def test_list_size_decile_mean_and_standard_error():
    dep = deprivation(["A", "B", "C"], [100.0, 200.0, 300.0])
    practices = pd.DataFrame(
        {"practice_code": ["A", "B", "C"], "registered_patients": [2000, 4000, 9000]}
    )
    rows = ind.patients_per_practice(practices, dep).assign(unit_code="U")
    out = ind.by_decile(rows, "list_size").iloc[0]
    sizes = np.array([2000, 4000, 9000])
    assert out["value"] == pytest.approx(sizes.mean())
    assert out["se"] == pytest.approx(sizes.std(ddof=1) / math.sqrt(3))
    assert out["population"] == 15000
    assert out["n_areas"] == 3


def test_scenario_text_is_canonical_and_rejects_bad_input():
    scenario = Scenario("Mine", 2500, default_catalogue(), "equal_per_head")
    text = ind.scenario_text(scenario.to_json(indent=4))
    assert text == ind.scenario_text(scenario) == ind.scenario_text(scenario.to_dict())
    assert Scenario.from_json(text) == scenario
    with pytest.raises(ScenarioError, match="not valid JSON"):
        ind.scenario_text("{oops")
    with pytest.raises(ScenarioError, match="expected scenario JSON"):
        ind.scenario_text(42)
    with pytest.raises(ScenarioError, match="missing key"):
        ind.scenario_text('{"format": "ics-allocation-scenario", "version": 1}')


def test_pcn_deprivation_pools_patients_and_skips_practices_in_no_pcn():
    practices = pd.DataFrame(
        {"practice_code": ["A", "B", "C", "D"], "pcn_code": ["P", "P", "Q", None]}
    )
    dep = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C", "D"],
            "patients_with_imd": [300, 100, 50, 10],
            "core20_patients": [150, 0, 50, 10],
            "mean_imd_rank": [1000.0, 20000.0, 500.0, 10.0],
        }
    )
    out = ind.pcn_deprivation(practices, dep).set_index("pcn_code")
    assert out.loc["P", "core20_share"] == pytest.approx(150 / 400)
    assert out.loc["P", "mean_imd_rank"] == pytest.approx((300 * 1000 + 100 * 20000) / 400)
    assert out.loc["P", "imd_decile"] == 2  # rank 5750 is in the second 3,284.4
    assert out.loc["Q", "core20_share"] == 1.0
    assert list(out.index) == ["P", "Q"]


def test_patients_by_decile_leaves_out_addresses_without_an_english_decile():
    regs = pd.DataFrame(
        {"practice_code": "A", "lsoa_code": ["L1", "L2", "W01", "NO2011"], "patients": [5, 6, 7, 8]}
    )
    lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2"], "imd_decile": [1, 1]})
    out = ind.patients_by_decile(regs, lsoas)
    assert out["patients"].tolist() == [11] + [0] * 9


# --------------------------------------------------------------------------- units


@pytest.fixture
def small_ics():
    lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2", "L3"], "place_code": ["X", "X", "Y"]})
    practices = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C"],
            "pcn_code": ["P", "P", None],
            "place_code": ["X", "X", "Y"],
        }
    )
    registrations = pd.DataFrame(
        {
            "practice_code": ["A", "A", "B", "C", "B"],
            "lsoa_code": ["L1", "L9", "L1", "L3", "W01"],
            "patients": [10, 4, 6, 20, 3],
        }
    )
    return lsoas, practices, registrations


def test_unit_membership(small_ics):
    lsoas, practices, registrations = small_ics
    kw = {"lsoas": lsoas, "practices": practices, "registrations": registrations}
    ics = ind.unit_membership("ics", "lsoa", ics_code="QXX", **kw)
    assert ics["unit_code"].unique().tolist() == ["QXX"] and len(ics) == 3
    place = ind.unit_membership("place", "lsoa", **kw)
    assert place.groupby("unit_code").size().to_dict() == {"X": 2, "Y": 1}
    # PCN P: its patients wherever they live, L1 pooled over A and B, L9 outside the ICS
    pcn = ind.unit_membership("pcn", "lsoa", **kw).set_index("lsoa_code")["patients"]
    assert pcn.to_dict() == {"L1": 16, "L9": 4, "W01": 3}
    by_pcn = ind.unit_membership("pcn", "practice", **kw)
    assert by_pcn["practice_code"].tolist() == ["A", "B"]  # C is in no PCN
    with pytest.raises(ValueError, match="Unknown unit level"):
        ind.unit_membership("region", "lsoa", **kw)
    with pytest.raises(ValueError, match="Unknown basis"):
        ind.unit_membership("ics", "ward", **kw)


def test_unit_rows_patient_weighting_replaces_residents(small_ics):
    lsoas, practices, registrations = small_ics
    national = lsoa_table([100, 200, 300, 400], [1, 2, 3, 4], [70, 70, 30, 30])
    national["lsoa_code"] = ["L1", "L2", "L3", "L9"]
    indicator = ind.aged_65_plus(national)
    members = ind.unit_membership(
        "pcn", "lsoa", lsoas=lsoas, practices=practices, registrations=registrations
    )
    rows = ind.unit_rows(indicator, members)
    assert rows.set_index("lsoa_code")["population"].to_dict() == {"L1": 16, "L9": 4}
    assert rows.set_index("lsoa_code")["count"].to_dict() == {"L1": 16.0, "L9": 0.0}
    with pytest.raises(ValueError, match="exactly one of the id columns"):
        ind.unit_rows(indicator.drop(columns="lsoa_code"), members)


# --------------------------------------------------------------------------- deciles


def test_by_decile_proportion_uses_wilson_limits_and_population_midpoints():
    rows = rows_for([0.2, 0.5], [1, 3], population=[100, 300])
    rows["count"] = [20, 150]
    out = ind.by_decile(rows, "aged_65_plus")
    first = out.iloc[0]
    assert first["value"] == 0.2
    assert first["lower_cl"] == pytest.approx(0.13337, abs=1e-5)  # published Wilson 20/100
    assert first["upper_cl"] == pytest.approx(0.28883, abs=1e-5)
    assert out["population_share"].tolist() == [0.25, 0.75]
    assert out["cum_mid"].tolist() == [0.125, 0.625]
    assert out["label"].tolist() == ["1 (most deprived)", "3"]


def test_by_decile_mean_standard_error_of_a_weighted_mean():
    rows = rows_for([1.0, 3.0, 10.0], [2, 2, 5], population=[1, 1, 4])
    out = ind.by_decile(rows, ind.indicator_spec("gp_distance", "2022")).set_index("imd_decile")
    assert out.loc[2, "value"] == 2.0
    # sqrt(n/(n-1) * sum w^2 (x - mean)^2) / sum w = sqrt(2 * 2) / 2
    assert out.loc[2, "se"] == pytest.approx(1.0)
    assert out.loc[2, "lower_cl"] == pytest.approx(2 - Z)
    assert out.loc[5, "se"] == 0.0  # one area: no observed variation


def test_decile_sii_matches_an_independent_weighted_least_squares_fit():
    values = np.array([0.31, 0.29, 0.26, 0.27, 0.22, 0.2, 0.21, 0.17, 0.15, 0.16])
    population = np.array([500, 800, 1200, 900, 1000, 1100, 700, 600, 1300, 400])
    rows = rows_for(values, list(range(1, 11)), population=population)
    deciles = ind.by_decile(rows, "aged_65_plus")
    out = ind.decile_sii(deciles, "aged_65_plus", repetitions=2000)
    share = population / population.sum()
    mid = np.cumsum(share) - share / 2
    slope, intercept = np.polyfit(mid, values, 1, w=np.sqrt(share))
    assert out["sii"] == pytest.approx(100 * slope, abs=1e-9)
    assert out["intercept"] == pytest.approx(100 * intercept, abs=1e-9)
    assert out["rii"] == pytest.approx((intercept + slope) / intercept, abs=1e-9)
    assert out["sii_lower"] < out["sii"] < out["sii_upper"]
    assert out["rii_lower"] < out["rii"] < out["rii_upper"]
    assert out["n_deciles"] == 10 and out["note"] == ""


def test_decile_sii_needs_five_deciles_and_one_unit():
    rows = rows_for([0.3, 0.2, 0.1, 0.2], [1, 2, 3, 4])
    out = ind.decile_sii(ind.by_decile(rows, "aged_65_plus"), "aged_65_plus")
    assert math.isnan(out["sii"]) and out["n_deciles"] == 4
    assert "5 or more deciles" in out["note"]
    two = pd.concat(
        [rows_for([0.1] * 5, [1, 2, 3, 4, 5]), rows_for([0.1] * 5, [1, 2, 3, 4, 5], unit="V")]
    )
    with pytest.raises(ValueError, match="one unit"):
        ind.decile_sii(ind.by_decile(two, "aged_65_plus"), "aged_65_plus")


def test_decile_sii_falls_back_to_the_normal_scale_at_zero():
    rows = rows_for([0.0, 0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4, 5])
    out = ind.decile_sii(ind.by_decile(rows, "aged_65_plus"), "aged_65_plus", repetitions=1000)
    assert out["sii"] == pytest.approx(50.0)  # 0 to 0.4 over 80% of people, extended to 100%
    assert out["note"] == ""


def test_summary_measures_against_hand_worked_values():
    rows = rows_for([0.4, 0.3, 0.2, 0.1], [1, 2, 3, 4])
    out = ind.summary_measures(rows, "aged_65_plus", repetitions=1000)
    assert out["concentration_index"] == pytest.approx(-0.25)  # 2/(4·2.5)·30/8 − 1
    assert out["absolute_concentration_index"] == pytest.approx(100 * 0.25 * -0.25)
    assert out["gini"] == pytest.approx(0.25)
    assert out["mean"] == pytest.approx(25.0)
    assert math.isnan(out["sii"])  # 4 deciles
    assert out["n_areas"] == 4 and out["population"] == 4000
    assert concentration_index(rows["value"], rows["imd_rank"], rows["population"]) == (
        pytest.approx(out["concentration_index"])
    )
    single = ind.summary_measures(rows.head(1), "aged_65_plus")
    assert math.isnan(single["concentration_index"]) and "two or more" in single["ci_note"]
    with pytest.raises(ValueError, match="one unit"):
        ind.summary_measures(pd.concat([rows, rows.assign(unit_code="V")]), "aged_65_plus")
    with pytest.raises(ValueError, match="Unknown indicator"):
        ind.summary_measures(rows, "life_expectancy")


def test_summary_measures_means_weight_by_population():
    rows = rows_for([1.0, 3.0, 2.0, 2.0, 5.0], [1, 2, 3, 4, 5], population=[1, 3, 1, 1, 2])
    out = ind.summary_measures(rows, ind.indicator_spec("gp_distance", "2022"), repetitions=1000)
    assert out["mean"] == pytest.approx((1 + 9 + 2 + 2 + 10) / 8)
    assert out["gini"] == pytest.approx(gini(rows["value"], rows["population"]))
    assert np.isfinite(out["sii"])


def test_ranking_puts_the_steepest_gradient_first_and_unrankable_units_last():
    steep = rows_for([0.40, 0.30, 0.20, 0.10, 0.05], [1, 2, 3, 4, 5], unit="X")
    flat = rows_for([0.21, 0.20, 0.20, 0.19, 0.20], [1, 2, 3, 4, 5], unit="Y")
    rising = rows_for([0.10, 0.15, 0.20, 0.25, 0.30], [1, 2, 3, 4, 5], unit="W")
    few = rows_for([0.5, 0.1, 0.3], [1, 2, 3], unit="Z")
    rows = pd.concat(
        [
            steep.assign(level="place"),
            flat.assign(level="place"),
            rising.assign(level="pcn"),
            few.assign(level="pcn"),
        ]
    )
    names = pd.DataFrame(
        {"level": ["place", "place", "pcn", "pcn"], "unit_code": list("XYWZ"),
         "unit_name": ["Ex", "Why", "Double-you", "Zed"]}
    )  # fmt: skip
    out = ind.inequality_ranking(rows, "aged_65_plus", names=names, repetitions=1000)
    assert out["unit_code"].tolist() == ["X", "W", "Y", "Z"]
    assert out["rank"].tolist()[:3] == [1, 2, 3] and pd.isna(out["rank"].iloc[3])
    assert out["direction"].tolist()[:2] == [
        "higher in more deprived areas",
        "higher in less deprived areas",
    ]
    assert out["unit_name"].iloc[0] == "Ex"
    assert "5 or more deciles" in out["note"].iloc[3]
    by_ci = ind.inequality_ranking(rows, "aged_65_plus", "ci", repetitions=1000)
    assert by_ci["rank"].notna().all()  # the concentration index ranks Z too
    sizes = by_ci["concentration_index"].abs().to_numpy()
    assert (np.diff(sizes) <= 1e-12).all()
    with pytest.raises(ValueError, match="Unknown measure"):
        ind.inequality_ranking(rows, "aged_65_plus", "theil")


def test_display_table_applies_disclosure_to_modelled_counts_only():
    deciles = pd.DataFrame(
        {
            "imd_decile": [1, 2, 3],
            "population": [103.0, 6.0, 0.4],
            "count": [31.0, 2.0, 0.0],
            "value": [31 / 103, 2 / 6, 0.0],
            "lower_cl": [0.2, 0.1, 0.0],
            "upper_cl": [0.4, 0.7, 0.9],
            "se": [0.05, 0.2, 0.3],
            "n_areas": [3, 1, 1],
        }
    )
    modelled = ind.decile_display_table(deciles, "at_risk")
    assert modelled["Registered patients (modelled)"].tolist() == [105, "*", 0]
    assert modelled["At risk (modelled)"].tolist() == [30, "*", 0]
    assert modelled["Modelled at-risk prevalence (%)"].tolist()[:2] == [
        round(100 * 30 / 105, 1),
        "*",
    ]
    assert "Lower 95% CL" not in modelled.columns
    published = ind.decile_display_table(deciles, "aged_65_plus")
    assert published["Population"].tolist() == [103, 6, 0]
    assert published["Count"].tolist() == [31, 2, 0]
    assert published["Residents aged 65+ (%)"].iloc[0] == round(100 * 31 / 103, 2)


# --------------------------------------------------------------------------- registry


def test_every_indicator_is_built_by_the_registry_from_its_inputs():
    for key, spec in ind.INDICATORS.items():
        assert spec.builder is not None, key
        assert set(spec.inputs) <= set(ind.INPUTS), key
    lsoas = pd.DataFrame(
        {"lsoa_code": ["A", "B"], "imd_rank": [10, 30000], "imd_decile": [1, 10],
         "population": [100, 50], "gp_distance_km": [0.5, 4.0],
         **{f"age_{a}": [0, 0] for a in range(91)}}
    )  # fmt: skip
    lsoas[["age_70", "age_5"]] = [[25, 10], [40, 5]]
    built = ind.build_indicator("aged_65_plus", lsoas=lsoas, practices=None)
    pd.testing.assert_frame_equal(built, ind.aged_65_plus(lsoas))
    assert ind.build_indicator(ind.indicator_spec("gp_distance", "2022"), lsoas=lsoas)[
        "value"
    ].tolist() == [0.5, 4.0]
    dep = pd.DataFrame(
        {"practice_code": ["P1", "P2"], "mean_imd_rank": [100.0, 30000.0], "imd_decile": [1, 10]}
    )
    tiers = pd.DataFrame(
        {"practice_code": ["P1", "P1", "P2"], "risk_tier": ["low", "high", "rising"],
         "people": [70, 30, 10]}
    )  # fmt: skip
    risk = ind.build_indicator("at_risk", risk_counts=tiers, deprivation=dep)
    assert risk["value"].tolist() == [0.3, 1.0]
    with pytest.raises(ValueError, match="not given: funding"):
        ind.build_indicator("pounds_per_head", deprivation=dep)
    with pytest.raises(ValueError, match="Unknown input"):
        ind.build_indicator("aged_65_plus", lsoas=lsoas, postcodes=lsoas)
    with pytest.raises(ValueError, match="Unknown indicator"):
        ind.build_indicator("smoking", lsoas=lsoas)


def test_a_scenario_reference_names_its_content():
    first = Scenario("Mine", 1000, default_catalogue())
    same = ind.scenario_text(first.to_json(indent=4))
    other = ind.scenario_text(Scenario("Mine", 2000, default_catalogue()))
    assert ind.scenario_reference(same) == ind.scenario_reference(ind.scenario_text(first))
    assert ind.scenario_reference(same) != ind.scenario_reference(other)
    with pytest.raises(ValueError, match="JSON text"):
        ind.scenario_reference("")


# --------------------------------------------------------------------------- figures


def test_decile_figure_draws_bars_by_population_and_the_sii_line():
    rows = rows_for([0.30, 0.26, 0.25, 0.20, 0.18], [1, 2, 3, 6, 10], population=[1, 1, 2, 4, 2])
    deciles = ind.by_decile(rows, "aged_65_plus")
    summary = ind.decile_sii(deciles, "aged_65_plus", repetitions=1000)
    fig = figures.decile_figure(deciles, summary, "aged_65_plus", "Toyshire")
    bars, line = fig.data
    assert list(bars.x) == pytest.approx([5, 15, 30, 60, 90])
    assert sum(bars.width) == pytest.approx(96)
    assert list(line.y) == pytest.approx(
        [summary["intercept"], summary["intercept"] + summary["sii"]]
    )
    assert list(fig.layout.xaxis.ticktext) == ["1 (most deprived)", "2", "3", "6", "10 (least)"]
    assert "%" in fig.layout.yaxis.title.text and "Toyshire" in fig.layout.title.text
    assert "Data:" in fig.layout.annotations[0].text
    assert list(bars.text) == ["30.0%", "26.0%", "25.0%", "20.0%", "18.0%"]
    assert bars.textposition == "none"  # on screen the hover and the table give values
    no_line = figures.decile_figure(
        deciles.head(4), {"sii": math.nan, "note": "too few"}, "aged_65_plus", "T"
    )
    assert len(no_line.data) == 1 and "too few" in no_line.layout.annotations[0].text


def test_profile_figure_keeps_all_ten_deciles_on_a_category_axis():
    profile = pd.DataFrame({"imd_decile": range(1, 11), "residents": range(10, 20)})
    fig = figures.profile_figure(profile, "T")
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].x) == list(ind.DECILE_LABELS.values())


def test_core20_map_is_one_choropleth_with_the_labelled_colour_bar_and_names():
    lsoas = pd.DataFrame(
        {
            "footprint_pcn_code": ["P", "P", "Q", None],
            "population": [100, 300, 50, 10],
            "imd_decile": [1, 5, 2, 1],
        }
    )
    pcns = gpd.GeoDataFrame(
        {"pcn_code": ["P", "Q", "R"], "pcn_name": ["Pea", "Queue", "Empty"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), None],
        crs=4326,
    )
    areas = ind.core20_areas(lsoas, pcns, "footprint_pcn_code")
    assert areas["code"].tolist() == ["P", "Q"]
    assert areas["core20_share"].tolist() == [0.25, 1.0]
    fig = figures.core20_map(areas, "pcn")
    assert fig.layout.title.text.endswith("by PCN footprint")
    assert [t.type for t in fig.data] == ["choropleth", "scattergeo"]
    assert list(fig.data[1].text) == ["Pea", "Queue"] and fig.data[1].mode == "text"
    assert fig.data[0].colorbar.title.text == "% residents in national IMD deciles 1–2"
    assert fig.data[0].z.tolist() == [25.0, 100.0]
    assert fig.layout.geo.visible is False  # SVG, no basemap to fetch
    with pytest.raises(ValueError, match="by must be one of"):
        ind.core20_areas(lsoas, pcns, "pcn_code")
    with pytest.raises(ValueError, match="level must be one of"):
        figures.core20_map(areas, "ward")


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def qgh():
    from layers import load_system, read_table

    return load_system("QGH", vintage="2022"), read_table("lsoas", vintage="2022")


@pytest.fixture(scope="module")
def raw_qgh_lsoas():
    require_shared(SHARED_DATA)
    lookup = pd.read_csv(SHARED_DATA / "lookups" / "lookup_lsoa11_sicbl22_icb22_ltla22.csv")
    codes = set(lookup.loc[lookup["icb22_code_h"] == "QGH", "lsoa11_code"])
    population = pd.read_csv(
        SHARED_DATA / "population" / "population_mid2020_lsoa11_syoa_persons.csv"
    )
    imd = pd.read_csv(SHARED_DATA / "deprivation" / "imd2019_lsoa11_ranks_deciles.csv")
    distance = pd.read_csv(SHARED_DATA / "deprivation" / "imd2019_lsoa11_indicators.csv")
    frame = population[population["lsoa11_code"].isin(codes)].merge(imd, on="lsoa11_code")
    return frame.merge(distance, on="lsoa11_code")


def ics_rows(system, national, key):
    spec = ind.INDICATORS[key]
    frame = {"aged_65_plus": ind.aged_65_plus, "gp_distance": ind.gp_distance}[key](national)
    members = ind.unit_membership(
        "ics", spec.basis, lsoas=system.lsoas, practices=system.practices,
        registrations=system.registrations, ics_code=system.code,
    )  # fmt: skip
    return ind.unit_rows(frame, members)


def test_qgh_65_plus_and_gp_distance_match_the_raw_files(qgh, raw_qgh_lsoas):
    system, national = qgh
    raw = raw_qgh_lsoas
    older = raw[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1)
    summary = ind.summary_measures(ics_rows(system, national, "aged_65_plus"), "aged_65_plus")
    assert summary["mean"] == pytest.approx(100 * older.sum() / raw["total_population"].sum())
    assert summary["population"] == raw["total_population"].sum()
    # the SII line runs through the deciles of the raw files
    deciles = ind.by_decile(ics_rows(system, national, "aged_65_plus"), "aged_65_plus")
    by_decile = raw.groupby("IMD_decile")["total_population"].sum()
    assert deciles.set_index("imd_decile")["population"].to_dict() == by_decile.to_dict()

    distance = ind.summary_measures(
        ics_rows(system, national, "gp_distance"), ind.indicator_spec("gp_distance", "2022")
    )
    weighted = (raw["road_distance_to_a_gp_surgery_indicator_km"] * raw["total_population"]).sum()
    assert distance["mean"] == pytest.approx(weighted / raw["total_population"].sum())


def test_qgh_pcn_rows_count_every_patient_with_an_english_lsoa(qgh):
    system, national = qgh
    indicator = ind.aged_65_plus(national)
    members = ind.unit_membership(
        "pcn", "lsoa", practices=system.practices, registrations=system.registrations
    )
    rows = ind.unit_rows(indicator, members)
    english = system.registrations[system.registrations["lsoa_code"].str.startswith("E01")]
    english = english.merge(system.practices[["practice_code", "pcn_code"]]).dropna()
    expected = english.groupby("pcn_code")["patients"].sum()
    assert rows.groupby("unit_code")["population"].sum().to_dict() == expected.to_dict()


def test_qgh_at_risk_from_system_individuals_covers_every_registered_patient(qgh):
    system, national = qgh
    from dataclasses import replace

    from layers.deprivation import practice_deprivation

    people = replace(system).individuals  # a copy: the module's System is not changed
    counts = ind.practice_risk_counts(people, np.random.default_rng([system.seed, 1]))
    assert counts["people"].sum() == system.practices["registered_patients"].sum()
    dep = practice_deprivation(system.registrations, national)
    rows = ind.at_risk_prevalence(counts, dep).assign(unit_code=system.code)
    summary = ind.summary_measures(rows, "at_risk", repetitions=2000)
    # the model raises risk with deprivation, so the gradient must point that way
    assert summary["concentration_index"] < 0
    assert 10 < summary["mean"] < 40
