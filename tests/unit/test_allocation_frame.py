"""The allocation practice frame, former CCGs and funding helpers: toy by hand, then real data.

Toy ICS (``toy_tables``, places by upper-tier authority): P1, P2 in PCN A (place U1),
P3 in PCN B (U2), P4 in no PCN (U1). Here L2 and L4 are made least deprived (decile 10,
rank 30,000); L1 and L3 stay in decile 1 (rank 1,000). Registrations:

* P1: L1 50, L3 10                         → Core20 60/60 = 1.0
* P2: L1 20, L2 5                          → Core20 20/25 = 0.8; mean rank 6,800 → decile 3
* P3: L2 40, L4 60, L3 15                  → Core20 15/115
* P4: L3 30 (+ 7 in Wales, 3 unknown)      → Core20 30/30 = 1.0

With the merged CCG C1 split by district (D1 → 01A, D2 → 02B): L1, L3 are in D1 and
L2, L4 in D2, so P1 → 01A (60/60), P2 → 01A (20/25), P3 → 02B (100/115), P4 → 01A.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from layers import load_system, read_table
from layers.allocation import (
    FORMER_CCG_SPLITS,
    FRAME_COLUMNS,
    WEIGHTED_COLUMNS,
    Scenario,
    ScenarioError,
    allocate,
    default_catalogue,
    default_scenario,
    example_practices,
    former_ccg_funding,
    illustrative_budget,
    practice_former_ccgs,
    practice_frame,
    practice_funding,
    run_scenario,
    weighted_head_spread,
)
from layers.deprivation import practice_deprivation

pytestmark = pytest.mark.filterwarnings("ignore:Geometry is in a geographic CRS")

SPLITS = {"C1": {"D1": ("01A", "Old West CCG"), "D2": ("02B", "Old East CCG")}}


def toy_weights() -> pd.DataFrame:
    """NHS England file for P1, P2, P4 (P3 is new): every WP column = 2 × population."""
    population = {"P1": 50.0, "P2": 30.0, "P4": 20.0}
    rows = []
    for code, pop in population.items():
        row = {"practice_code": code, "nhse_patients": int(pop), "ccg21_code": "X"}
        row.update({column: 2 * pop for column in WEIGHTED_COLUMNS})
        row["wp_population"] = pop
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.loc[frame["practice_code"] == "P1", "wp_general_acute"] = 160.0  # rate (160+60+40)/100
    frame.loc[frame["practice_code"] == "P4", "wp_maternity"] = np.nan  # NHSE blank → 0
    return frame


@pytest.fixture
def toy(toy_tables):
    tables = dict(toy_tables)
    lsoas = tables["lsoas"].copy()
    least = lsoas["lsoa_code"].isin(["L2", "L4"])
    lsoas.loc[least, "imd_decile"] = 10
    lsoas.loc[least, "imd_rank"] = 30_000
    tables["lsoas"] = lsoas
    system = load_system("QXX", "utla", tables=tables, vintage="2022")
    return system, lsoas


def test_toy_frame_by_hand(toy):
    system, lsoas = toy
    frame = practice_frame(system, toy_weights(), lsoas, SPLITS).set_index("practice_code")
    assert list(frame.reset_index().columns) == list(FRAME_COLUMNS)
    assert frame.index.tolist() == ["P1", "P2", "P3", "P4"]
    assert frame.loc["P4", "pcn_code"] is None  # in no PCN, kept
    assert frame["place_code"].to_dict() == {"P1": "U1", "P2": "U1", "P3": "U2", "P4": "U1"}
    # Deprivation, patient-weighted (Wales and unknown left out).
    assert frame["core20_share"].tolist() == pytest.approx([1.0, 0.8, 15 / 115, 1.0])
    assert frame.loc["P2", "imd_decile"] == 3.0
    assert not frame["deprivation_imputed"].any()
    # Weighted populations: P3 is new, so ICS-average need for its 115 registered patients.
    assert frame["wp_imputed"].tolist() == [False, False, True, False]
    assert frame.loc["P3", "wp_population"] == 115.0
    assert frame.loc["P3", "wp_general_acute"] == pytest.approx(115 * 260 / 100)
    assert frame.loc["P3", "wp_core"] == pytest.approx(115 * 2.0)
    # P4's blank maternity counts as 0 before the rate is taken: (100 + 60 + 0) / 100.
    assert frame.loc["P4", "wp_maternity"] == 0.0
    assert frame.loc["P3", "wp_maternity"] == pytest.approx(115 * 1.6)
    # Former CCGs by plurality of where patients live.
    assert frame["former_ccg_code"].to_dict() == {
        "P1": "01A",
        "P2": "01A",
        "P3": "02B",
        "P4": "01A",
    }
    assert frame["former_ccg_share"].tolist() == pytest.approx([1.0, 0.8, 100 / 115, 1.0])
    unsplit = practice_frame(system, toy_weights(), lsoas, {}).set_index("practice_code")
    assert set(unsplit["former_ccg_code"]) == {"C1"}
    assert set(unsplit["former_ccg_name"]) == {"NHS C1 CCG"}


def test_toy_frame_allocates_and_keeps_the_practice_in_no_pcn(toy):
    system, lsoas = toy
    frame = practice_frame(system, toy_weights(), lsoas, SPLITS)
    out = allocate(frame, default_catalogue(), 1000)
    by_practice = out.groupby("practice_code")["pence"].sum()
    assert by_practice.sum() == 100_000
    assert by_practice["P4"] > 0
    funding = practice_funding(frame, Scenario("toy", 1000, default_catalogue()))
    assert funding["practice_code"].tolist() == ["P1", "P2", "P3", "P4"]
    assert funding["pounds"].sum() == pytest.approx(1000.0, abs=1e-9)


def test_toy_frame_input_errors(toy):
    system, lsoas = toy
    with pytest.raises(TypeError, match="system must be a System"):
        practice_frame(object(), toy_weights(), lsoas)
    with pytest.raises(
        ValueError, match="weighted_populations is missing column\\(s\\) \\['wp_core'\\]"
    ):
        practice_frame(system, toy_weights().drop(columns="wp_core"), lsoas)
    with pytest.raises(ValueError, match="no practice of this ICS is in weighted_populations"):
        practice_frame(system, toy_weights().assign(practice_code="Z"), lsoas)
    with pytest.raises(ValueError, match="district\\(s\\) 'D2' have no former CCG"):
        practice_frame(system, toy_weights(), lsoas, {"C1": {"D1": ("01A", "Old West CCG")}})


def test_former_ccgs_ties_and_fallback():
    lookup = pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L5"],
            "former_ccg_code": ["B", "A", "C"],
            "former_ccg_name": ["Bee", "Ay", "Sea"],
        }
    )
    registrations = pd.DataFrame(
        {
            "practice_code": ["T", "T", "O", "W"],
            "lsoa_code": ["L1", "L2", "L5", "W01000001"],
            "patients": [10, 10, 7, 4],
        }
    )
    out = practice_former_ccgs(registrations, lookup, within=["L1", "L2"]).set_index(
        "practice_code"
    )
    assert out.loc["T", "former_ccg_code"] == "A"  # a 10-10 tie goes to the lower code
    assert out.loc["T", "former_ccg_share"] == 0.5
    assert out.loc["O", "former_ccg_code"] == "C"  # nobody inside: all its patients count
    assert out.loc["W", "former_ccg_code"] == "unknown"  # only Welsh patients
    assert np.isnan(out.loc["W", "former_ccg_share"])


def test_illustrative_budget_and_default_scenario():
    p = example_practices()
    assert illustrative_budget(p) == 4000 * 1500
    assert illustrative_budget(p, 1234.5) == 4_940_000  # 4,938,000 to 3 significant figures
    with pytest.raises(ValueError, match="finite number ≥ 0"):
        illustrative_budget(p, -1.0)
    with pytest.raises(ValueError, match="no population"):
        illustrative_budget(p.assign(wp_population=0.0))
    scenario = default_scenario(p)
    assert (scenario.method, float(scenario.budget)) == ("weighted_capitation", 6_000_000.0)


def test_practice_funding_accepts_json_text_and_none():
    p = example_practices()
    scenario = Scenario("Zero-sum", 1000, default_catalogue(), "inequality_zero_sum")
    from_json = practice_funding(p, scenario.to_json())
    from_object = practice_funding(p, scenario)
    pd.testing.assert_frame_equal(from_json, from_object)
    assert from_json["pounds"].sum() == pytest.approx(1000.0, abs=1e-9)
    # pounds ÷ population, per practice.
    assert from_json["pounds_per_head"].tolist() == pytest.approx(
        (from_json["pounds"] / from_json["population"]).tolist()
    )
    assert practice_funding(p)["pounds"].sum() == pytest.approx(6_000_000.0)
    with pytest.raises(TypeError, match="scenario must be a Scenario, its JSON text or None"):
        practice_funding(p, 5)
    with pytest.raises(ScenarioError, match="not valid JSON"):
        practice_funding(p, "{oops")


def test_run_scenario_explains_what_cannot_run():
    p = example_practices()
    data = default_scenario(p).to_dict()
    data.update(
        method="inequality_zero_sum",
        parameters={"share_percent": 5, "deprivation_column": "imd"},
    )
    with pytest.raises(ScenarioError) as err:
        run_scenario(json.dumps(data), p)
    assert str(err.value).startswith(
        "scenario 'Weighted capitation (default)' cannot run for this ICS: practices has no "
        "deprivation column 'imd'"
    )


def test_weighted_head_spread_by_hand():
    # Weighted heads (default catalogue): X = 2440, Y = 1560. Equal per head of £4,000:
    # X £3,000 → 1.229508, Y £1,000 → 0.641026; weighted capitation: £1 everywhere.
    p, cat = example_practices(), default_catalogue()
    now, goal = allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000)
    spread = weighted_head_spread(now, goal, p).set_index("allocation")
    assert spread.loc["current", "highest"] == pytest.approx(3000 / 2440)
    assert spread.loc["current", "lowest"] == pytest.approx(1000 / 1560)
    mean = (3000 / 2440 + 1000 / 1560) / 2
    assert spread.loc["current", "cv"] == pytest.approx((3000 / 2440 - mean) / mean)
    assert spread.loc["target", "range"] == pytest.approx(0.0, abs=1e-12)
    # A current allocation by place works too.
    by_place = pd.DataFrame(
        {"level": "place", "unit_code": ["X", "Y"], "pence": [300_000, 100_000]}
    )
    again = weighted_head_spread(by_place, goal, p).set_index("allocation")
    assert again.loc["current", "cv"] == pytest.approx(spread.loc["current", "cv"])


def test_former_ccg_funding_by_hand():
    # C1 = A (weighted 1045), C2 = B + C (1395 + 1560). Equal per head: C1 £1,000, C2 £3,000.
    p = example_practices().assign(
        former_ccg_code=["C1", "C2", "C2"], former_ccg_name=["One", "Two", "Two"]
    )
    cat = default_catalogue()
    m = former_ccg_funding(allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000), p)
    m = m.set_index("former_ccg_code")
    assert m["former_ccg_name"].to_dict() == {"C1": "One", "C2": "Two"}
    assert m["weighted_population"].tolist() == pytest.approx([1045, 2955])
    assert m["current_per_weighted_head"].tolist() == pytest.approx([1000 / 1045, 3000 / 2955])
    assert m["unified_per_weighted_head"].tolist() == pytest.approx([1.0, 1.0])


# ------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def tables():
    return read_table("weighted_populations", vintage="2022"), read_table("lsoas", vintage="2022")


@pytest.mark.parametrize(
    ("ics", "n_ccgs"), [("QRV", 8), ("QWU", 3), ("QGH", 4), ("QE1", 8), ("QU9", 3)]
)
def test_real_former_ccgs(tables, ics, n_ccgs):
    weights, lsoas = tables
    system = load_system(ics, vintage="2022")
    frame = practice_frame(system, weights, lsoas)
    assert len(frame) == len(system.practices)  # nobody dropped
    assert frame["former_ccg_code"].nunique() == n_ccgs
    assert (frame["former_ccg_code"] != "unknown").all()
    split = ics in ("QRV", "QWU", "QGH")
    names = {name for by_district in FORMER_CCG_SPLITS.values() for _, name in by_district.values()}
    assert (
        set(frame["former_ccg_name"]) <= names
        if split
        else not set(frame["former_ccg_name"]) & names
    )


def test_real_nw_london_ccgs_match_their_boroughs(tables):
    # Two independent routes: a practice's place comes from its PCN's patients, its former
    # CCG from its own patients. The eight CCGs were the eight boroughs.
    weights, lsoas = tables
    frame = practice_frame(load_system("QRV", vintage="2022"), weights, lsoas)
    borough = {
        "NHS Brent CCG": "Brent",
        "NHS Ealing CCG": "Ealing",
        "NHS Hammersmith and Fulham CCG": "Hammersmith and Fulham",
        "NHS Harrow CCG": "Harrow",
        "NHS Hillingdon CCG": "Hillingdon",
        "NHS Hounslow CCG": "Hounslow",
        "NHS West London CCG": "Kensington and Chelsea",
        "NHS Central London (Westminster) CCG": "Westminster",
    }
    agree = (frame["former_ccg_name"].map(borough) == frame["place_name"]).mean()
    assert agree > 0.9
    assert int(frame["pcn_code"].isna().sum()) == 8


def test_real_frame_carries_nhse_and_deprivation(tables):
    weights, lsoas = tables
    system = load_system("QWU", vintage="2022")
    frame = practice_frame(system, weights, lsoas).set_index("practice_code")
    known = weights.set_index("practice_code").reindex(frame.index)
    present = known["wp_population"].notna()
    assert frame.loc[present, "wp_core"].tolist() == pytest.approx(
        known.loc[present, "wp_core"].tolist()
    )
    # St Nicolas Medical Centre (Y07274, 129 patients) is not in NHS England's file.
    assert frame["wp_imputed"].sum() == 1
    assert frame.loc["Y07274", "wp_population"] == 129
    deprivation = practice_deprivation(system.registrations, lsoas).set_index("practice_code")
    assert frame["core20_share"].tolist() == pytest.approx(
        deprivation.loc[frame.index, "core20_share"].tolist()
    )
    funding = practice_funding(frame.reset_index())
    assert funding["pounds"].sum() == pytest.approx(illustrative_budget(frame), abs=0.005)
