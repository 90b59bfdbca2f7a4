"""Allocation methods and need indices: hand-computed toys, invariants, real NHS England data."""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.allocation import (
    COMPONENT_COLUMNS,
    COMPONENTS,
    METHODS,
    OVERALL_COLUMN,
    POPULATION_COLUMN,
    allocate,
    allocation_summary,
    budget_to_pence,
    compare_allocations,
    default_catalogue,
    example_practices,
    funding_spread,
    largest_remainder,
    need_indices,
    validate_practices,
)
from layers.build import NEED_COMPONENT_COLUMNS, PRIMARY_CARE_COLUMNS
from tests.conftest import SHARED_DATA

SHARED = SHARED_DATA
NHSE_CSV = SHARED / "allocation" / "nhse_practice_weighted_populations_2022-23.csv"
PRESETS_CSV = SHARED / "places" / "seed_place_presets.csv"
needs_shared = pytest.mark.skipif(not NHSE_CSV.exists(), reason="/work/shared data is absent")

CSV_COLUMNS = {
    "Practice_Code": "practice_code",
    "PCN_Code": "pcn_code",
    "CCG21": "ccg21_code",
    "pop 2022/23": "wp_population",
    **NEED_COMPONENT_COLUMNS,
    "Final WP": "wp_core",
    **PRIMARY_CARE_COLUMNS,
}
# The same component → column mapping, written out again in NHS England's own names.
CSV_COMPONENTS = {
    "general_acute": "G&A WP",
    "community": "CS WP",
    "mental_health": "MH WP",
    "maternity": "Mat WP",
    "prescribing": "Prescr WP",
    "primary_medical_care": "Final PMC WP",
    "health_inequalities": "Health Ineq WP",
    "overall": "Final WP",
}


def one_service(component: str = "community", tier: str = "place") -> pd.DataFrame:
    return pd.DataFrame(
        {"service": ["All"], "tier": [tier], "component": [component], "share_percent": [100]}
    )


def two_services() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service": ["Acute", "GP"],
            "tier": ["ics", "practice"],
            "component": ["general_acute", "primary_medical_care"],
            "share_percent": [60.0, 40.0],
        }
    )


def by(allocations: pd.DataFrame, column: str) -> dict[str, int]:
    return {k: int(v) for k, v in allocations.groupby(column)["pence"].sum().items()}


# ------------------------------------------------------------------ hand-computed toy
# Toy ICS (example_practices): A (PCN P1, place X), B (P1, X), C (P2, Y).
# population 1000, 2000, 1000; G&A WP 1000, 1000, 2000; final PMC WP 1500, 1500, 1000.
# Budget £1,000 = 100,000p, catalogue Acute 60 % (ICS, G&A) + GP 40 % (practice, PMC).
#   equal per head: 1000:2000:1000 → A £250, B £500, C £250.
#   weighted capitation: Acute £600 × (1/4, 1/4, 1/2) = 150, 150, 300;
#                        GP £400 × (3/8, 3/8, 2/8) = 150, 150, 100;
#                        A £300, B £300, C £400; place X £600, Y £400; P1 £600, P2 £400.


def test_toy_equal_per_head_by_hand():
    out = allocate(example_practices(), two_services(), 1000, "equal_per_head")
    assert by(out, "practice_code") == {"A": 25_000, "B": 50_000, "C": 25_000}
    assert by(out, "place_code") == {"X": 75_000, "Y": 25_000}


def test_toy_weighted_capitation_by_hand():
    out = allocate(example_practices(), two_services(), 1000, "weighted_capitation")
    assert by(out, "practice_code") == {"A": 30_000, "B": 30_000, "C": 40_000}
    assert by(out, "place_code") == {"X": 60_000, "Y": 40_000}
    assert by(out, "pcn_code") == {"P1": 60_000, "P2": 40_000}
    acute = out[out["service"] == "Acute"].set_index("practice_code")["pence"]
    assert acute.to_dict() == {"A": 15_000, "B": 15_000, "C": 30_000}
    assert set(out.loc[out["service"] == "GP", "tier"]) == {"practice"}


def test_toy_rounding_largest_remainder_down_the_tiers():
    # 100p over equal weights 1:1:1. Places: X 2/3 → 66.67, Y 33.33 → X 67, Y 33.
    # Within X (one PCN), A and B 33.5 each → the tie goes to the earlier, A: 34, 33.
    practices = example_practices().assign(wp_community=[1.0, 1.0, 1.0])
    out = allocate(practices, one_service(), 1, "weighted_capitation")
    assert by(out, "place_code") == {"X": 67, "Y": 33}
    assert by(out, "practice_code") == {"A": 34, "B": 33, "C": 33}
    assert largest_remainder(100, [1, 1, 1]).tolist() == [34, 33, 33]
    assert largest_remainder(10, [0.6, 0.3, 0.1]).tolist() == [6, 3, 1]
    assert largest_remainder(0, [0, 0]).tolist() == [0, 0]


def toy_against_capitation(method: str, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """£1,000 for one service over the toy practices by ``method``, and each practice's
    change from weighted capitation."""
    p = example_practices()
    out = allocate(p, one_service(), 1000, method, params)
    return out, compare_allocations(allocate(p, one_service(), 1000), out, p, "practice")


def test_toy_zero_sum_by_hand():
    # One service, £1,000 by population → b = 250, 500, 250; Core20 x = 0, 0.5, 1.
    # x̄ = (250·0 + 500·0.5 + 250·1)/1000 = 0.5; moved = ½Σ b|x − x̄| = 125;
    # 10 % → k = 100/125 = 0.8; Δ = 0.8·b·(x − x̄) = −100, 0, +100.
    zs, change = toy_against_capitation("inequality_zero_sum", {"share_percent": 10})
    assert by(zs, "practice_code") == {"A": 15_000, "B": 50_000, "C": 35_000}
    assert change["change_pence"].tolist() == [-10_000, 0, 10_000]
    assert change["outcome"].tolist() == ["loses", "no change", "gains"]
    assert change["change_pence"].sum() == 0


def test_toy_zero_sum_refuses_a_share_that_would_go_negative():
    # Largest feasible share: moved / (S·(x̄ − min x)) = 125 / (1000 · 0.5) = 25 %.
    with pytest.raises(ValueError) as err:
        allocate(
            example_practices(), one_service(), 1000, "inequality_zero_sum", {"share_percent": 30}
        )
    assert str(err.value) == (
        "share_percent 30 is too large for a zero-sum adjustment: practice 'A' would get less "
        "than nothing for service 'All'; the largest feasible share is 25.00%"
    )
    ok = allocate(
        example_practices(), one_service(), 1000, "inequality_zero_sum", {"share_percent": 25}
    )
    assert by(ok, "practice_code") == {"A": 0, "B": 50_000, "C": 50_000}


def test_zero_sum_refuses_equal_deprivation_despite_rounding_noise():
    # One practice with Core20 share 0.960854: its mean differs from itself by float noise
    # (found by hypothesis), which must not pass for "someone to move money towards".
    one = example_practices().iloc[[0]].assign(core20_share=0.960854)
    with pytest.raises(ValueError, match="every practice is equally deprived"):
        allocate(one, one_service(), 0.79, "inequality_zero_sum", {"share_percent": 1.0})


def test_toy_level_up_by_hand():
    # Fund 10 % = £100; everyone keeps 90 % of b = 225, 450, 225. Threshold = population-
    # weighted mean x = (1000·0 + 2000·0.5 + 1000·1)/4000 = 0.5, so only C (x = 1) gets it.
    lu, change = toy_against_capitation("inequality_level_up", {"share_percent": 10})
    assert by(lu, "practice_code") == {"A": 22_500, "B": 45_000, "C": 32_500}
    assert change["change_percent"].tolist()[:2] == [-10.0, -10.0]
    assert change["change_pence"].sum() == 0
    # An explicit threshold of 0.25 lets B in: lift 0, 0.25, 0.75 × b → 0, 125, 187.5;
    # fund £100 shared 125:187.5 → B 40, C 60 → A 225, B 490, C 285.
    lu2 = allocate(
        example_practices(),
        one_service(),
        1000,
        "inequality_level_up",
        {"share_percent": 10, "threshold": 0.25},
    )
    assert by(lu2, "practice_code") == {"A": 22_500, "B": 49_000, "C": 28_500}


def test_level_up_with_nobody_above_the_threshold_is_an_error():
    with pytest.raises(ValueError, match="no practice is more deprived than the threshold 1"):
        allocate(
            example_practices(),
            one_service(),
            1000,
            "inequality_level_up",
            {"share_percent": 10, "threshold": 1.0},
        )


def test_imd_decile_scale():
    # Deciles 10, 5.5, 1 → intensity (10 − d)/9 = 0, 0.5, 1: the same as the Core20 toy.
    p = example_practices().assign(imd=[10, 5.5, 1])
    params = {"share_percent": 10, "deprivation_column": "imd", "deprivation_scale": "imd_decile"}
    out = allocate(p, one_service(), 1000, "inequality_zero_sum", params)
    assert by(out, "practice_code") == {"A": 15_000, "B": 50_000, "C": 35_000}
    with pytest.raises(ValueError, match="a 'imd_decile' must be between 1 and 10"):
        allocate(p.assign(imd=[0, 5, 5]), one_service(), 1000, "inequality_zero_sum", params)


def test_toy_need_indices_by_hand():
    # X = A + B: G&A 2000 over 3000 people; ICS 4000 over 4000 → 0.6667; Y 2000/1000 → 2.
    # Population-weighted mean: (3000·2/3 + 1000·2)/4000 = 1.
    place = need_indices(example_practices(), "place").set_index("place_code")
    assert place.loc["X", "general_acute_index"] == pytest.approx(2 / 3, abs=1e-12)
    assert place.loc["Y", "general_acute_index"] == pytest.approx(2.0, abs=1e-12)
    assert place.loc["X", "community_index"] == pytest.approx(1.0)
    # core: X 3000/3000, Y 1000/1000 → 1, 1.
    assert place["overall_index"].tolist() == pytest.approx([1.0, 1.0])
    pcn = need_indices(example_practices(), "pcn").set_index("unit_code")
    assert pcn.loc["P2", "primary_medical_care_index"] == pytest.approx(1.0)
    practice = need_indices(example_practices(), "practice").set_index("practice_code")
    # A: PMC 1500/1000 over ICS 4000/4000 → 1.5; B 1500/2000 → 0.75.
    assert practice["primary_medical_care_index"].tolist() == pytest.approx([1.5, 0.75, 1.0])


def test_toy_merger_and_spread():
    p = example_practices()
    wc = allocate(p, two_services(), 1000)
    # £ per weighted head is equal under weighted capitation: weighted population is
    # 0.6·G&A + 0.4·PMC = 1200, 1200, 1600 → £300/1200 = £400/1600 = £0.25.
    summary = allocation_summary(wc, p, "practice")
    assert summary["weighted_population"].tolist() == pytest.approx([1200, 1200, 1600])
    assert summary["pounds_per_weighted_head"].tolist() == pytest.approx([0.25] * 3)
    spread = funding_spread(allocation_summary(wc, p, "place"))
    assert spread.loc[0, "cv"] == pytest.approx(0.0, abs=1e-12)
    # Equal per head: X £750 / 2400 = 0.3125, Y £250 / 1600 = 0.15625 → ratio 2.
    eq = allocate(p, two_services(), 1000, "equal_per_head")
    spread = funding_spread(allocation_summary(eq, p, "place"))
    assert spread.loc[0, "ratio"] == pytest.approx(2.0)
    assert spread.loc[0, "lowest_unit"] == "Y"
    assert spread.loc[0, "cv"] == pytest.approx((0.3125 - 0.15625) / 2 / 0.234375)


def test_practice_in_no_pcn_is_allocated_and_visible():
    p = pd.concat(
        [
            example_practices(),
            example_practices().iloc[[2]].assign(practice_code="D", pcn_code=None),
        ],
        ignore_index=True,
    )
    out = allocate(p, default_catalogue(), 123_456.78)
    assert out["pence"].sum() == 12_345_678
    pcn = allocation_summary(out, p, "pcn").set_index("unit_code")
    assert set(pcn.index) == {"P1", "P2", "D"}
    assert not pcn.loc["D", "in_pcn"] and pcn.loc["D", "pcn_code"] is None
    # D is a copy of C (alone in P2), so it gets the same money, give or take rounding.
    assert abs(pcn.loc["D", "pence"] - pcn.loc["P2", "pence"]) <= 2 * len(default_catalogue())
    assert pcn.loc["D", "pcn_pence"] > 0  # PCN-tier money reaches it directly
    assert set(need_indices(p, "pcn")["unit_code"]) == {"P1", "P2", "D"}


# ------------------------------------------------------------------ input checks


def test_practice_frame_errors():
    p = example_practices()
    with pytest.raises(TypeError, match="practices must be a pandas DataFrame, got list"):
        validate_practices([1, 2])
    with pytest.raises(ValueError, match="missing column\\(s\\) \\['place_code'\\]"):
        allocate(p.drop(columns="place_code"), default_catalogue(), 1)
    with pytest.raises(ValueError, match="practice_code is repeated: 'A'"):
        allocate(p.assign(practice_code=["A", "A", "C"]), default_catalogue(), 1)
    with pytest.raises(ValueError, match="column 'wp_core' is negative \\(-1\\) for practice 'B'"):
        validate_practices(p.assign(wp_core=[1, -1, 1]), ("wp_core",))
    with pytest.raises(ValueError, match="practice\\(s\\) 'C' have no place_code"):
        allocate(p.assign(place_code=["X", "X", None]), default_catalogue(), 1)
    with pytest.raises(ValueError, match="holds 'n/a' for practice 'A'; expected a number"):
        validate_practices(p.assign(wp_core=["n/a", "1", "2"]), ("wp_core",))
    with pytest.raises(ValueError, match="level 'region' is not one of"):
        need_indices(p, "region")


def test_budget_in_pounds_to_pence():
    assert budget_to_pence(1) == 100
    assert budget_to_pence(0.1 + 0.2) == 30  # float noise is forgiven
    assert budget_to_pence("£1,234,567.89") == 123_456_789
    assert budget_to_pence(4_123_456_789.12) == 412_345_678_912
    with pytest.raises(ValueError, match="has fractions of a penny"):
        budget_to_pence("1.001")
    with pytest.raises(ValueError, match="budget must be ≥ £0"):
        budget_to_pence(-5)
    with pytest.raises(TypeError, match="budget must be a number of pounds, got list"):
        budget_to_pence([1])


def test_service_with_no_weight_is_an_error():
    p = example_practices().assign(wp_maternity=0.0)
    with pytest.raises(ValueError, match="service 'Maternity services' has no weight"):
        allocate(p, default_catalogue(), 1000)


# ------------------------------------------------------------------ properties


@st.composite
def ics(draw):
    n = draw(st.integers(1, 25))
    n_places = draw(st.integers(1, min(4, n)))
    place = [f"L{draw(st.integers(0, n_places - 1))}" for _ in range(n)]
    pcn = [draw(st.sampled_from([None, "N0", "N1", "N2", "N3"])) for _ in range(n)]
    weight = st.floats(0, 50_000, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    frame = pd.DataFrame(
        {"practice_code": [f"P{i:02d}" for i in range(n)], "pcn_code": pcn, "place_code": place}
    )
    frame[POPULATION_COLUMN] = [draw(st.floats(1, 50_000)) for _ in range(n)]
    for column in (*COMPONENT_COLUMNS.values(), OVERALL_COLUMN):
        frame[column] = [draw(weight) for _ in range(n)]
        if frame[column].sum() <= 0:
            frame.loc[0, column] = 1.0
    frame["core20_share"] = [draw(st.floats(0, 1)) for _ in range(n)]
    return frame


@st.composite
def catalogues(draw):
    k = draw(st.integers(1, 6))
    raw = [draw(st.integers(0, 100)) for _ in range(k)]
    if sum(raw) == 0:
        raw[0] = 1
    shares = [100 * r / sum(raw) for r in raw]
    shares[-1] = 100 - math.fsum(shares[:-1])
    return pd.DataFrame(
        {
            "service": [f"S{i}" for i in range(k)],
            "tier": [draw(st.sampled_from(["ics", "place", "pcn", "practice"])) for _ in range(k)],
            "component": [draw(st.sampled_from(COMPONENTS)) for _ in range(k)],
            "share_percent": shares,
        }
    )


def allocate_or_refused(
    refusals: tuple[str, ...],
    practices: pd.DataFrame,
    catalogue: pd.DataFrame,
    pence: int,
    method: str = "weighted_capitation",
    share: float | None = None,
) -> pd.DataFrame | None:
    """Allocate ``pence`` (an inequality method moving ``share`` %), or None on a refusal.

    Random practice frames can be ones a method rightly refuses for one of ``refusals``
    (everyone equally deprived, a share too large...); any other error fails the test.
    """
    try:
        parameters = None if share is None else {"share_percent": share}
        return allocate(practices, catalogue, pence / 100, method, parameters)
    except ValueError as exc:
        assert any(reason in str(exc) for reason in refusals), exc
        return None


def assert_exact_at_every_tier(out: pd.DataFrame, budget_pence: int) -> None:
    assert out["pence"].dtype == np.int64
    assert (out["pence"] >= 0).all()
    for column in ("place_code", "unit_code", "practice_code", "service"):
        assert int(out.groupby(column)["pence"].sum().sum()) == budget_pence
    # Rounding is exact at each tier: a tier's pence are within 1p of its exact share per
    # rounding step taken above it (service → place → PCN unit → practice).
    for keys, slack in (
        (["service"], 1),
        (["service", "place_code"], 1),
        (["service", "place_code", "unit_code"], 2),
        (["service", "practice_code"], 3),
    ):
        grouped = out.groupby(keys)[["pence", "exact_pence"]].sum()
        assert (grouped["pence"] - grouped["exact_pence"]).abs().max() < slack + 1e-6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ics(), catalogues(), st.integers(0, 10**12), st.sampled_from(sorted(METHODS)))
def test_every_method_sums_to_the_budget_at_every_tier(practices, catalogue, pence, method):
    share = 3.0 if method.startswith("inequality") else None
    refusals = ("equally deprived", "too large", "no practice is more", "has no weight")
    out = allocate_or_refused(refusals, practices, catalogue, pence, method, share)
    if out is not None:
        assert_exact_at_every_tier(out, pence)


@settings(max_examples=60, deadline=None)
@given(ics(), catalogues(), st.integers(1, 10**11), st.floats(0, 100))
def test_zero_sum_adjustment_nets_to_zero(practices, catalogue, pence, share):
    wc = allocate(practices, catalogue, pence / 100)
    zs = allocate_or_refused(
        ("equally deprived", "too large"), practices, catalogue, pence, "inequality_zero_sum", share
    )
    if zs is None:
        return
    for level in ("place", "pcn", "practice"):
        assert compare_allocations(wc, zs, practices, level)["change_pence"].sum() == 0
    # Exact (unrounded) transfers: gains equal share % of each service, losses the same.
    delta = zs["exact_pence"].to_numpy() - wc["exact_pence"].to_numpy()
    totals = wc.groupby("service", sort=False)["pence"].sum().to_numpy()
    gains = (
        pd.Series(np.clip(delta, 0, None))
        .groupby(zs["service"].to_numpy(), sort=False)
        .sum()
        .to_numpy()
    )
    assert np.allclose(gains, share / 100 * totals, rtol=1e-9, atol=1e-3)
    assert abs(delta.sum()) < 1e-3 * max(1, len(delta))


@settings(max_examples=40, deadline=None)
@given(ics(), catalogues(), st.integers(1, 10**11), st.floats(0.1, 100))
def test_level_up_keeps_everyone_at_their_formula_share(practices, catalogue, pence, share):
    wc = allocate(practices, catalogue, pence / 100)
    lu = allocate_or_refused(
        ("no practice is more deprived",), practices, catalogue, pence, "inequality_level_up", share
    )
    if lu is None:
        return
    floor = (1 - share / 100) * wc["exact_pence"].to_numpy()
    assert (lu["exact_pence"].to_numpy() >= floor - 1e-6 * (1 + floor)).all()
    assert compare_allocations(wc, lu, practices, "practice")["change_pence"].sum() == 0


@settings(max_examples=60, deadline=None)
@given(
    ics(),
    st.sampled_from(COMPONENTS),
    st.integers(0, 24),
    st.floats(1, 1e5),
    st.integers(1, 10**11),
)
def test_more_need_never_means_less_money(practices, component, which, extra, pence):
    i = which % len(practices)
    catalogue = default_catalogue()
    column = COMPONENT_COLUMNS[component]
    richer = practices.copy()
    richer.loc[i, column] += extra
    code = practices.loc[i, "practice_code"]
    place = practices.loc[i, "place_code"]
    before = allocate_or_refused(("has no weight",), practices, catalogue, pence)
    if before is None:
        return
    after = allocate(richer, catalogue, pence / 100)
    mine_before = before[before["practice_code"] == code]
    mine_after = after[after["practice_code"] == code]

    # Exact shares rise or stay; the place's too. Sums reach ~1e10 pence, so allow
    # float64 rounding relative to their size, not a fixed 1e-6.
    def not_less(after_sum: float, before_sum: float) -> bool:
        return after_sum >= before_sum - 1e-9 * max(1.0, abs(before_sum))

    assert not_less(mine_after["exact_pence"].sum(), mine_before["exact_pence"].sum())
    assert not_less(
        after.loc[after["place_code"] == place, "exact_pence"].sum(),
        before.loc[before["place_code"] == place, "exact_pence"].sum(),
    )
    # Whole pence can wobble by the rounding slack only (largest remainder's "population
    # paradox"): at most 3p per service.
    assert mine_after["pence"].sum() >= mine_before["pence"].sum() - 3 * len(catalogue)


@settings(max_examples=60, deadline=None)
@given(ics())
def test_population_weighted_mean_need_index_is_one(practices):
    for level in ("place", "pcn", "practice"):
        idx = need_indices(practices, level)
        weights = idx["population"] / idx["population"].sum()
        for column in [f"{c}_index" for c in COMPONENTS] + ["overall_index"]:
            assert (weights * idx[column]).sum() == pytest.approx(1.0, abs=1e-9)


# ------------------------------------------------------------------ real NHS England data


def read_rows(icb: str) -> list[dict[str, str]]:
    with NHSE_CSV.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["ICS22"] == icb]


def place_of(rows: list[dict[str, str]]) -> dict[str, str]:
    """Practice → place: the papers' places by district where named, else the district."""
    presets: dict[str, str] = {}
    with PRESETS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            presets[row["ltla22_code"]] = row["place_name"]
    return {r["Practice_Code"]: presets.get(r["LAD21"], r["LAD21"]) for r in rows}


def frame_from_csv(icb: str) -> pd.DataFrame:
    raw = pd.read_csv(NHSE_CSV, dtype={"Practice_Code": str, "PCN_Code": str})
    raw = raw[raw["ICS22"] == icb]
    places = place_of(read_rows(icb))
    frame = raw.rename(columns=CSV_COLUMNS)[list(CSV_COLUMNS.values())].copy()
    frame["pcn_code"] = frame["pcn_code"].where(frame["pcn_code"] != "U", None)
    frame["place_code"] = frame["practice_code"].map(places)
    return frame.reset_index(drop=True)


def independent_indices(rows, unit) -> dict[str, dict[str, float]]:
    """Need indices with the csv module and fsum: (WP_u/pop_u)/(WP_ICS/pop_ICS)."""

    def number(text):
        return float(text) if text.strip() else 0.0  # a blank Mat WP is no need

    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for name in (*CSV_COMPONENTS.values(), "pop 2022/23"):
            sums[unit(row)][name].append(number(row[name]))
            sums["__ics__"][name].append(number(row[name]))
    ics = {k: math.fsum(v) for k, v in sums.pop("__ics__").items()}
    out = {}
    for code, cols in sums.items():
        pop = math.fsum(cols["pop 2022/23"])
        out[code] = {
            comp: (math.fsum(cols[name]) / pop) / (ics[name] / ics["pop 2022/23"])
            for comp, name in CSV_COMPONENTS.items()
        }
    return out


@needs_shared
@pytest.mark.parametrize("icb", ["QGH", "QRV"])
def test_need_indices_match_an_independent_computation(icb):
    rows = read_rows(icb)
    places = place_of(rows)
    frame = frame_from_csv(icb)
    for level, unit in (
        ("place", lambda r: places[r["Practice_Code"]]),
        ("pcn", lambda r: r["Practice_Code"] if r["PCN_Code"] == "U" else r["PCN_Code"]),
        ("practice", lambda r: r["Practice_Code"]),
    ):
        expected = independent_indices(rows, unit)
        got = need_indices(frame, level).set_index(
            {"place": "place_code", "pcn": "unit_code", "practice": "practice_code"}[level]
        )
        assert set(got.index) == set(expected)
        worst = 0.0
        for code, indices in expected.items():
            for comp, value in indices.items():
                worst = max(worst, abs(got.loc[code, f"{comp}_index"] - value))
        assert worst < 1e-6, (icb, level, worst)
        weights = got["population"] / got["population"].sum()
        assert (weights * got["overall_index"]).sum() == pytest.approx(1.0, abs=1e-12)


@needs_shared
def test_qgh_place_indices_have_expected_shape():
    idx = need_indices(frame_from_csv("QGH"), "place").set_index("place_code")
    assert list(idx.index) == ["Herefordshire", "Worcestershire"]
    assert idx["population"].sum() == pytest.approx(
        math.fsum(float(r["pop 2022/23"]) for r in read_rows("QGH"))
    )


@needs_shared
@pytest.mark.parametrize("method", sorted(METHODS))
def test_qrv_every_method_exact_to_the_penny(method):
    frame = frame_from_csv("QRV")
    assert frame["pcn_code"].isna().sum() == 7  # practices in no PCN are kept
    rng = np.random.default_rng(7)
    frame["core20_share"] = rng.uniform(0, 0.8, len(frame))
    budget = "4123456789.13"
    params = {"share_percent": 5} if method.startswith("inequality") else {}
    out = allocate(frame, default_catalogue(), budget, method, params)
    assert_exact_at_every_tier(out, 412_345_678_913)
    assert out["practice_code"].nunique() == len(frame) == 354
    pcn = allocation_summary(out, frame, "pcn")
    assert (~pcn["in_pcn"]).sum() == 7 and pcn["pence"].sum() == 412_345_678_913


@needs_shared
def test_qrv_weighted_capitation_removes_the_postcode_lottery():
    frame = frame_from_csv("QRV")
    wc = allocate(frame, default_catalogue(), 4e9)
    eq = allocate(frame, default_catalogue(), 4e9, "equal_per_head")
    cv_wc = funding_spread(allocation_summary(wc, frame, "place")).loc[0, "cv"]
    cv_eq = funding_spread(allocation_summary(eq, frame, "place")).loc[0, "cv"]
    assert cv_wc < 1e-9 and cv_eq > 0.01


@needs_shared
def test_default_shares_are_nhs_englands_implied_core_weights():
    raw = pd.read_csv(NHSE_CSV).fillna(0)
    names = ["G&A WP", "CS WP", "MH WP", "Mat WP", "Health Ineq WP", "Prescr WP"]
    fit, *_ = np.linalg.lstsq(raw[names].to_numpy(), raw["Final WP"].to_numpy(), rcond=None)
    documented = np.array([61.9, 5.1, 10.6, 3.2, 10.0, 9.1])
    assert np.abs(100 * fit - documented).max() < 0.06
    cat = default_catalogue().groupby("component")["share_percent"].sum()
    shipped = np.array(
        [
            cat[c]
            for c in [
                "general_acute",
                "community",
                "mental_health",
                "maternity",
                "health_inequalities",
                "prescribing",
            ]
        ]
    )
    assert np.abs(shipped - np.round(0.91 * documented)).max() == 0
