"""Tests for layers.risk: multimorbidity / frailty model and tier aggregates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.disclosure import SUPPRESSED
from layers.individuals import (
    aggregate_individuals,
    generate_individuals,
    generate_individuals_chunked,
)
from layers.risk import (
    DEPRIVATION_AGE_GAP,
    FRAILTY_AGE_MIN,
    RISK_TIERS,
    assign_risk,
    deprivation_age_shift,
    frailty_probability,
    multimorbidity_probability,
    risk_tier_counts,
    risk_tier_table,
)

AGES = np.arange(91)


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize("decile", [np.nan, *range(1, 11)])
def test_probabilities_are_monotone_in_age(decile: float) -> None:
    mm = multimorbidity_probability(AGES, decile)
    fr = frailty_probability(AGES, decile)
    assert np.all(np.diff(mm) >= 0)
    assert np.all(np.diff(fr) >= 0)
    assert mm[90] > mm[50] > mm[20]
    assert fr[90] > fr[75] > fr[FRAILTY_AGE_MIN] > 0
    assert np.all((mm >= 0) & (mm <= 1) & (fr >= 0) & (fr <= mm))


@pytest.mark.parametrize("age", [0, 20, 45, 60, 65, 75, 85, 90])
def test_probabilities_are_monotone_in_deprivation(age: int) -> None:
    deciles = np.arange(1, 11)
    ages = np.full(10, age)
    mm = multimorbidity_probability(ages, deciles)
    fr = frailty_probability(ages, deciles)
    # decile 1 is most deprived: probabilities fall (weakly) as the decile rises
    assert np.all(np.diff(mm) <= 0)
    assert np.all(np.diff(fr) <= 0)


def test_deprivation_gradient_is_strict_in_midlife() -> None:
    mm = multimorbidity_probability(np.full(10, 50), np.arange(1, 11))
    assert np.all(np.diff(mm) < 0)
    assert mm[0] / mm[-1] > 1.5


def test_frailty_is_zero_below_65_and_unknown_decile_is_unshifted() -> None:
    assert np.all(frailty_probability(np.arange(65), 1) == 0)
    unknown = multimorbidity_probability(AGES)
    np.testing.assert_allclose(unknown, multimorbidity_probability(AGES, np.full(91, np.nan)))
    assert deprivation_age_shift([np.nan]).tolist() == [0.0]


def test_deprivation_shift_spans_the_published_gap() -> None:
    shift = deprivation_age_shift(np.arange(1, 11))
    assert shift[0] - shift[-1] == pytest.approx(DEPRIVATION_AGE_GAP)
    assert 10 <= DEPRIVATION_AGE_GAP <= 15  # Barnett et al.: onset 10-15 years earlier
    assert shift.mean() == pytest.approx(0.0)


def test_anchor_values_match_cited_figures() -> None:
    # Barnett et al. 2012 band values at the band mid-points
    assert multimorbidity_probability([12, 74, 75, 90]).round(2).tolist() == [
        0.02,
        0.64,
        0.65,
        0.82,
    ]
    # Clegg et al. 2016: ~15% of 65+ moderately or severely frail; check the shape
    assert 0.04 < frailty_probability([65])[0] < 0.08
    assert 0.3 < frailty_probability([90])[0] < 0.45


def test_model_validation() -> None:
    with pytest.raises(ValueError, match="between 0 and 90"):
        multimorbidity_probability([91])
    with pytest.raises(ValueError, match="1 to 10"):
        frailty_probability([70], [0])
    with pytest.raises(ValueError, match="shape"):
        multimorbidity_probability([70, 71], [1, 2, 3])
    with pytest.raises(TypeError, match="numeric"):
        multimorbidity_probability(["old"])


# --------------------------------------------------------------------------- assign_risk


def population(n_per_cell: int = 2000) -> pd.DataFrame:
    ages = np.repeat([30, 70, 85], 2 * n_per_cell)
    deciles = np.tile(np.repeat([1, 10], n_per_cell), 3)
    return pd.DataFrame(
        {"age": ages.astype(np.int8), "imd_decile": pd.array(deciles, dtype="Int8")}
    )


def test_assign_risk_columns_and_no_mutation() -> None:
    people = population(10)
    out = assign_risk(people, np.random.default_rng(0))
    assert list(out.columns) == ["age", "imd_decile", "p_multimorbidity", "p_frailty", "risk_tier"]
    assert out["p_multimorbidity"].dtype == np.float32
    assert out["risk_tier"].cat.categories.tolist() == list(RISK_TIERS)
    assert out["risk_tier"].cat.ordered
    assert "risk_tier" not in people.columns


def test_assign_risk_is_deterministic_for_a_seed() -> None:
    people = population(500)
    a = assign_risk(people, np.random.default_rng(1))
    b = assign_risk(people, np.random.default_rng(1))
    c = assign_risk(people, np.random.default_rng(2))
    pd.testing.assert_frame_equal(a, b)
    assert not a["risk_tier"].equals(c["risk_tier"])


def test_drawn_tiers_match_probabilities() -> None:
    people = population(20_000)
    out = assign_risk(people, np.random.default_rng(3))
    for (age, decile), cell in out.groupby(["age", "imd_decile"]):
        p_mm = multimorbidity_probability([age], [decile])[0]
        p_fr = frailty_probability([age], [decile])[0]
        high = (cell["risk_tier"] == "high").mean()
        not_low = (cell["risk_tier"] != "low").mean()
        assert abs(high - p_fr) < 0.012, (age, decile)
        assert abs(not_low - p_mm) < 0.012, (age, decile)
    # deprivation raises the share in higher tiers at every age
    share_high = out.assign(h=out["risk_tier"] != "low").groupby(["age", "imd_decile"])["h"].mean()
    for age in (30, 70, 85):
        assert share_high[(age, 1)] > share_high[(age, 10)]


def test_unknown_decile_is_allowed_and_children_are_never_high() -> None:
    people = pd.DataFrame(
        {"age": np.repeat([5, 88], 500), "imd_decile": pd.array([None] * 1000, dtype="Int8")}
    )
    out = assign_risk(people, np.random.default_rng(4))
    assert (out.loc[out["age"] == 5, "risk_tier"] != "high").all()
    assert out.loc[out["age"] == 88, "p_frailty"].iloc[0] == pytest.approx(
        frailty_probability([88])[0], rel=1e-6
    )


def test_assign_risk_validation() -> None:
    with pytest.raises(TypeError, match="Generator"):
        assign_risk(population(1), 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing column"):
        assign_risk(pd.DataFrame({"age": [1]}), np.random.default_rng(0))
    with pytest.raises(ValueError, match="between 0 and 90"):
        assign_risk(pd.DataFrame({"age": [-1], "imd_decile": [1]}), np.random.default_rng(0))
    with pytest.raises(ValueError, match="1 to 10"):
        assign_risk(pd.DataFrame({"age": [1], "imd_decile": [12]}), np.random.default_rng(0))
    with pytest.raises(TypeError, match="DataFrame"):
        assign_risk([1, 2], np.random.default_rng(0))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- aggregates


def tiered(practices: list[str], tiers: list[str], deciles: list[int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "practice_code": practices,
            "imd_decile": pd.array(deciles, dtype="Int8"),
            "risk_tier": pd.Categorical(tiers, categories=RISK_TIERS, ordered=True),
        }
    )


@pytest.fixture
def known() -> pd.DataFrame:
    """Practice A: 30 low (20 in decile 1), 12 rising (12 in decile 2), 0 high.

    Practice B: 3 high (in decile 2), 9 low (decile 9). Practice C: 1 rising (Wales).
    """
    rows = (
        [("A", "low", 1)] * 20
        + [("A", "low", 5)] * 10
        + [("A", "rising", 2)] * 12
        + [("B", "high", 2)] * 3
        + [("B", "low", 9)] * 9
        + [("C", "rising", None)]
    )
    p, t, d = zip(*rows, strict=True)
    return tiered(list(p), list(t), list(d))


def test_risk_tier_counts_by_practice_known_answer(known: pd.DataFrame) -> None:
    out = risk_tier_counts(known)
    assert out.columns.tolist() == [
        "practice_code",
        "low",
        "rising",
        "high",
        "total",
        "low_imd_1_2",
        "rising_imd_1_2",
        "high_imd_1_2",
        "low_imd_1_2_pct",
        "rising_imd_1_2_pct",
        "high_imd_1_2_pct",
    ]
    a, b, c = (out.iloc[i] for i in range(3))
    assert out["practice_code"].tolist() == ["A", "B", "C"]
    assert [a["low"], a["rising"], a["high"], a["total"]] == [30, 10, 0, 40]  # 42 -> 40
    assert [b["low"], b["rising"], b["high"], b["total"]] == [10, 0, SUPPRESSED, 10]  # 12 -> 10
    assert [c["low"], c["rising"], c["high"], c["total"]] == [0, SUPPRESSED, 0, SUPPRESSED]
    assert [a["low_imd_1_2"], a["rising_imd_1_2"]] == [20, 10]
    # shares from rounded counts: 20 / 30 and 10 / 10 (12 of 12 rounds both to 10)
    assert a["low_imd_1_2_pct"] == 66.7 and a["rising_imd_1_2_pct"] == 100.0
    assert np.isnan(a["high_imd_1_2_pct"])  # no high-tier people: undefined share
    assert b["high_imd_1_2_pct"] == SUPPRESSED and b["low_imd_1_2_pct"] == 0.0


def test_risk_tier_counts_by_pcn_with_mapping_and_numeric(known: pd.DataFrame) -> None:
    mapping = pd.DataFrame({"practice_code": ["A", "B"], "pcn_code": ["U1", "U1"]})
    out = risk_tier_counts(known, "pcn_code", mapping, numeric=True)
    u1 = out.loc[out["pcn_code"] == "U1"].iloc[0]
    # U1 = A + B: low 39 -> 40, rising 12 -> 10, high 3 -> NaN, total 54 -> 55
    assert [u1["low"], u1["rising"], u1["total"]] == [40.0, 10.0, 55.0]
    assert np.isnan(u1["high"])
    assert out["low"].dtype == np.float64
    # practice C is not in the mapping: counted under a missing PCN, not dropped
    assert out["pcn_code"].isna().sum() == 1


def test_risk_tier_counts_from_chunks_equals_whole() -> None:
    reg = pd.DataFrame(
        {
            "practice_code": ["P1", "P1", "P2", "P3"],
            "lsoa_code": ["E1", "E2", "E2", "E1"],
            "patients": [400, 300, 500, 350],
        }
    )
    ages = pd.DataFrame(
        {"lsoa_code": ["E1", "E2"], **{f"age_{a}": [10, 10 + a] for a in range(91)}}
    )
    imd = pd.Series({"E1": 1, "E2": 8})
    chunks = generate_individuals_chunked(
        reg, ages, imd, np.random.default_rng(0), chunk_people=500
    )
    risk_rng = np.random.default_rng(1)
    with_risk = [assign_risk(c, risk_rng) for c in chunks]
    from_chunks = risk_tier_counts(iter(with_risk))
    whole = risk_tier_counts(pd.concat(with_risk, ignore_index=True))
    pd.testing.assert_frame_equal(
        from_chunks.astype({"practice_code": str}), whole.astype({"practice_code": str})
    )
    assert len(from_chunks) == 3


def test_risk_tier_counts_returns_aggregates_only() -> None:
    reg = pd.DataFrame({"practice_code": ["P"], "lsoa_code": ["E1"], "patients": [1000]})
    ages = pd.DataFrame({"lsoa_code": ["E1"], **{f"age_{a}": [1] for a in range(91)}})
    people = assign_risk(
        generate_individuals(reg, ages, pd.Series({"E1": 2}), np.random.default_rng(0)),
        np.random.default_rng(0),
    )
    out = risk_tier_counts(people)
    assert len(out) == 1
    assert not {"age", "sex", "lsoa_code"} & set(out.columns)
    assert out["total"].iloc[0] == 1000
    assert all(v == SUPPRESSED or v % 5 == 0 for v in out[["low", "rising", "high"]].iloc[0])


def test_risk_tier_table_from_aggregates_equals_risk_tier_counts(known: pd.DataFrame) -> None:
    counts = aggregate_individuals(known, ["practice_code", "risk_tier", "imd_decile"])
    pd.testing.assert_frame_equal(risk_tier_table(counts, "practice_code"), risk_tier_counts(known))
    with pytest.raises(ValueError, match="missing column"):
        risk_tier_table(counts.drop(columns="people"), "practice_code")
    with pytest.raises(ValueError, match="risk_tier must be one of"):
        risk_tier_table(counts.assign(risk_tier="medium"), "practice_code")


def test_risk_tier_counts_validation(known: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="assign_risk"):
        risk_tier_counts(known.drop(columns="risk_tier"))
    with pytest.raises(ValueError, match="mapping"):
        risk_tier_counts(known, "pcn_code")
    with pytest.raises(TypeError, match="column name"):
        risk_tier_counts(known, ["practice_code"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="practice_code"):
        risk_tier_counts(known, "pcn_code", pd.DataFrame({"pcn_code": ["U1"]}))
