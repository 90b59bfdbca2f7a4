"""Scenarios (JSON round trip, malformed files), the 'current' CSV validator and views."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from layers.allocation import (
    DEFAULT_PRESET,
    PRESET_NAMES,
    PRESETS,
    SCENARIO_VERSION,
    CatalogueError,
    Scenario,
    ScenarioError,
    ScenarioVersionError,
    allocate,
    compare_scenarios,
    default_catalogue,
    distance_from_target,
    example_practices,
    merger_view,
    tier_shares,
    unit_totals,
    validate_catalogue,
    validate_current_allocation,
)


def scenario(**changes) -> Scenario:
    base = {
        "name": "Fair shares 2022/23",
        "budget": "3456789012.34",
        "catalogue": default_catalogue(),
        "method": "inequality_level_up",
        "parameters": {"share_percent": 2.5, "threshold": 0.3},
    }
    return Scenario(**{**base, **changes})


def document(**changes) -> str:
    data = scenario().to_dict()
    data.update(changes)
    return json.dumps(data)


# ------------------------------------------------------------------ catalogue


def test_default_catalogues_follow_the_seeds():
    nwl = default_catalogue("nw_london")
    assert nwl.loc[nwl["tier"] == "ics", "component"].tolist() == ["general_acute"]
    place = set(nwl.loc[nwl["tier"] == "place", "component"])
    assert {"community", "mental_health", "maternity"} <= place
    assert set(nwl.loc[nwl["tier"].isin(["pcn", "practice"]), "component"]) == {
        "primary_medical_care",
        "prescribing",
    }
    cw = tier_shares(default_catalogue("coventry_warwickshire")).set_index("tier")
    assert cw.loc["ics", "share_percent"] == 20.0  # seed 002: 20 % strategic, 80 % place
    assert cw["share_percent"].sum() == 100.0
    assert nwl["note"].str.contains("seed 000").any()
    with pytest.raises(ValueError, match="unknown catalogue preset 'leeds'"):
        default_catalogue("leeds")


def test_the_default_catalogue_is_neutral_and_shares_money_as_the_presets_do():
    neutral = default_catalogue()
    assert PRESETS[0] == DEFAULT_PRESET == "neutral"
    # No ICS's own arrangements: nothing delegated to places, primary care as everywhere.
    shares = tier_shares(neutral).set_index("tier")["share_percent"]
    assert shares.to_dict() == {"ics": 83.0, "place": 0.0, "pcn": 2.0, "practice": 15.0}
    assert not neutral["note"].str.contains("seed 000|seed 002|NW London").any()
    # Same services, components and money as the NW London preset: only the tiers differ,
    # so every unit's £ is the same under either.
    nwl = default_catalogue("nw_london")
    columns = ["service", "component", "share_percent"]
    assert neutral[columns].equals(nwl[columns])
    practices = example_practices()
    by_practice = [
        allocate(practices, table, 1_000_000).groupby("practice_code")["pence"].sum()
        for table in (neutral, nwl)
    ]
    assert by_practice[0].equals(by_practice[1])
    # Every shipped catalogue has a name in words; the seed papers' are called presets.
    assert list(PRESET_NAMES) == list(PRESETS)
    assert all(PRESET_NAMES[p].startswith("Preset from") for p in PRESETS[1:])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"tier": "region"},
            "catalogue row 1 (service 'Acute and specialist hospital care'): "
            "tier 'region' is not one of 'ics', 'place', 'pcn', 'practice'",
        ),
        (
            {"share_percent": -1.0},
            "catalogue row 1 (service 'Acute and specialist hospital "
            "care'): share_percent -1.0 must be between 0 and 100",
        ),
        (
            {"share_percent": "ten"},
            "catalogue row 1 (service 'Acute and specialist hospital "
            "care'): share_percent 'ten' is not a number",
        ),
        (
            {"service": "Community services"},
            "catalogue row 2 (service 'Community services'): "
            "service name is repeated; names must be unique",
        ),
    ],
)
def test_catalogue_errors(change, message):
    cat = default_catalogue().astype(object)
    for column, value in change.items():
        cat.loc[0, column] = value
    with pytest.raises(CatalogueError) as err:
        validate_catalogue(cat)
    assert str(err.value) == message


def test_catalogue_shares_must_sum_to_100():
    cat = default_catalogue()
    cat.loc[0, "share_percent"] = 50
    with pytest.raises(CatalogueError) as err:
        validate_catalogue(cat)
    assert str(err.value) == "catalogue shares sum to 94%, expected 100%"
    with pytest.raises(CatalogueError, match="missing column\\(s\\) \\['component'\\]"):
        validate_catalogue(cat.drop(columns="component"))
    with pytest.raises(TypeError, match="catalogue must be a pandas DataFrame, got dict"):
        validate_catalogue({})


# ------------------------------------------------------------------ scenario JSON


def test_scenario_round_trip():
    s = scenario()
    text = s.to_json()
    data = json.loads(text)
    assert data["version"] == SCENARIO_VERSION and data["format"] == "ics-allocation-scenario"
    assert data["budget"] == 3456789012.34
    assert data["parameters"] == {
        "share_percent": 2.5,
        "deprivation_column": "core20_share",
        "deprivation_scale": "share",
        "threshold": 0.3,
        "population_column": "wp_population",
    }
    back = Scenario.from_json(text)
    assert back == s
    assert back.budget_pence == 345_678_901_234
    pd.testing.assert_frame_equal(back.catalogue, s.catalogue)
    assert Scenario.from_json(back.to_json(indent=None)) == s


def test_scenario_runs_and_compares():
    p = example_practices().assign(core20_share=[0.0, 0.5, 1.0])
    a = scenario(method="equal_per_head", parameters={}, budget=1000)
    b = scenario(method="weighted_capitation", parameters={}, budget=1000)
    out = a.run(p)
    assert out["pence"].sum() == 100_000
    by_place = compare_scenarios(a, b, p, "place").set_index("place_code")
    # Equal per head gives X 75 %; weighted capitation 61 % (see views doctest) → −£140.
    assert by_place["change_pence"].to_dict() == {"X": -14_000, "Y": 14_000}
    by_pcn = compare_scenarios(a, b, p, "pcn").set_index("unit_code")
    assert by_pcn["change_pence"].to_dict() == {"P1": -14_000, "P2": 14_000}
    assert by_pcn["outcome"].to_dict() == {"P1": "loses", "P2": "gains"}
    with pytest.raises(TypeError, match="expected a Scenario, got dict"):
        compare_scenarios(a, {}, p)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "{not json",
            ScenarioError,
            "scenario is not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1 column 2",
        ),
        (
            "[1, 2]",
            ScenarioError,
            "scenario must be a JSON object with keys format, version, name, budget, method, "
            "parameters, catalogue; got list",
        ),
        (
            document(version=2),
            ScenarioVersionError,
            "scenario version 2 is not supported; this library reads version 1",
        ),
        (
            document(version="1"),
            ScenarioVersionError,
            "scenario version '1' is not supported; this library reads version 1",
        ),
        (
            document(format="aif-session"),
            ScenarioVersionError,
            "file format is 'aif-session', not 'ics-allocation-scenario'; "
            "this is not an allocation scenario",
        ),
        (
            json.dumps({"format": "ics-allocation-scenario", "version": 1, "name": "x"}),
            ScenarioError,
            "scenario is missing key(s) budget, method, parameters, catalogue; expected format, "
            "version, name, budget, method, parameters, catalogue",
        ),
        (document(colour="blue"), ScenarioError, "scenario has unexpected key(s) colour"),
        (
            document(method="lottery"),
            ScenarioError,
            "unknown allocation method 'lottery'; expected one of 'equal_per_head', "
            "'weighted_capitation', 'inequality_level_up', 'inequality_zero_sum'",
        ),
        (
            document(method="weighted_capitation"),
            ScenarioError,
            "method 'weighted_capitation' has no parameter(s) 'share_percent', "
            "'deprivation_column', 'deprivation_scale', 'threshold', 'population_column'; "
            "it takes none",
        ),
        (
            document(parameters={"share_percent": 150}),
            ScenarioError,
            "method 'inequality_level_up' parameter 'share_percent' must be between 0 and 100, "
            "got 150",
        ),
        (
            document(budget=1.001),
            ScenarioError,
            "budget £1.001 has fractions of a penny; round it to pence",
        ),
        (
            document(budget=None),
            ScenarioError,
            "scenario budget must be a number of pounds, got None",
        ),
        (document(name=""), ScenarioError, "scenario name must be non-empty text, got ''"),
        (
            document(catalogue={"a": 1}),
            ScenarioError,
            "scenario catalogue must be a list of objects, one per service",
        ),
    ],
)
def test_malformed_scenarios(text, error, message):
    with pytest.raises(error) as err:
        Scenario.from_json(text)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)


def catalogue_document(edit) -> str:
    data = scenario().to_dict()
    edit(data["catalogue"])
    return json.dumps(data)


def test_scenario_catalogue_errors_are_exact():
    def shares(rows):
        rows[0]["share_percent"] = 50

    def component(rows):
        rows[2]["component"] = "dental"

    def missing(rows):
        del rows[1]["tier"]

    cases = [
        (shares, "scenario catalogue is invalid: catalogue shares sum to 94%, expected 100%"),
        (
            component,
            "scenario catalogue is invalid: catalogue row 3 (service 'Mental health "
            "services'): component 'dental' is not one of 'general_acute', "
            "'community', 'mental_health', 'maternity', 'prescribing', "
            "'primary_medical_care', 'health_inequalities'",
        ),
        (missing, "scenario catalogue entry 2 is missing key(s) tier"),
    ]
    for edit, message in cases:
        with pytest.raises(ScenarioError) as err:
            Scenario.from_json(catalogue_document(edit))
        assert str(err.value) == message


def test_scenario_json_must_be_text():
    with pytest.raises(TypeError, match="scenario JSON must be text, got dict"):
        Scenario.from_json({})


# ------------------------------------------------------------------ current allocation CSV


def read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_current_csv_by_practice_rolls_up_to_places_and_pcns():
    p = example_practices()
    current = validate_current_allocation(
        read('practice_code,pounds\nA,£300.00\nB,"1,000"\nC,200.004\n'), p
    )
    assert current.to_dict("list") == {
        "level": ["practice"] * 3,
        "unit_code": ["A", "B", "C"],
        "pence": [30_000, 100_000, 20_000],
    }
    target = allocate(p, default_catalogue(), 1500)
    d = distance_from_target(current, target, p, "place").set_index("place_code")
    # Target shares X 61 %, Y 39 % of the current total £1,500 → X £915, Y £585.
    assert d["target_pounds"].to_dict() == pytest.approx({"X": 915.0, "Y": 585.0})
    assert d.loc["X", "distance_percent"] == pytest.approx(100 * (1300 - 915) / 915)
    assert d.loc["Y", "difference_pounds"] == pytest.approx(200 - 585)
    pcn = distance_from_target(current, target, p, "pcn")
    assert pcn["current_pence"].tolist() == [130_000, 20_000]


def test_current_csv_by_place_cannot_be_shown_by_pcn():
    p = example_practices()
    current = validate_current_allocation(read("place_code,pounds\nY,1\nX,3\n"), p)
    assert current["unit_code"].tolist() == ["X", "Y"]
    target = allocate(p, default_catalogue(), 4)
    with pytest.raises(ValueError) as err:
        distance_from_target(current, target, p, "pcn")
    assert str(err.value) == "current allocation is by place, so it cannot be shown by pcn"


def test_current_csv_errors_are_row_numbered():
    p = example_practices()
    text = "pcn_code,pounds\nP1,100\n,5\nP9,abc\nP1,-4\nP1,7\n"
    with pytest.raises(ValueError) as err:
        validate_current_allocation(read(text), p)
    assert str(err.value) == (
        "current allocation has 7 problem(s):\n"
        "row 3: pcn_code is blank\n"
        "row 4: pcn_code 'P9' is not a pcn of this ICS\n"
        "row 4: pounds 'abc' is not a number\n"
        "row 5: pcn_code 'P1' is repeated (first on row 2)\n"
        "row 5: pounds '-4' is negative; expected £0 or more\n"
        "row 6: pcn_code 'P1' is repeated (first on row 2)\n"
        "no row for pcn(s) 'P2'; every pcn of the ICS needs one"
    )


def test_current_csv_needs_one_key_column():
    with pytest.raises(ValueError) as err:
        validate_current_allocation(read("ccg,pounds\nC1,5\n"), example_practices())
    assert str(err.value) == (
        "current allocation needs exactly one key column (place_code, pcn_code or "
        "practice_code) and a pounds column; found columns 'ccg', 'pounds'"
    )


def test_default_current_is_equal_per_head():
    p = example_practices()
    cat = default_catalogue()
    d = distance_from_target(allocate(p, cat, 1000, "equal_per_head"), allocate(p, cat, 1000), p)
    assert d["distance_percent"].round(1).tolist() == [23.0, -35.9]
    assert d["current_per_head"].tolist() == pytest.approx([0.25, 0.25])
    totals = unit_totals(allocate(p, cat, 1000), "pcn")
    assert totals["pence"].tolist() == [61_000, 39_000]


def test_merger_view_by_former_ccg():
    # Equal per head: £1 a head everywhere. Weighted capitation (default catalogue, £4,000):
    # A 26.125 % = £1,045 over 1000 → 1.045; B + C 73.875 % = £2,955 over 3000 → 0.985.
    p = example_practices()
    cat = default_catalogue()
    m = merger_view(allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000), p)
    assert m["ccg21_code"].tolist() == ["C1", "C2"]
    assert m["n_practices"].tolist() == [1, 2]
    assert m["unified_per_head"].tolist() == pytest.approx([1.045, 0.985])
    assert m["difference_percent"].tolist() == pytest.approx([4.5, -1.5])
    with pytest.raises(ValueError, match="practices has no column 'ccg19'"):
        merger_view(allocate(p, cat, 1), allocate(p, cat, 1), p, by="ccg19")
