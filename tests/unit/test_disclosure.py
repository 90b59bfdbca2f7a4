"""Tests for layers.disclosure: NHS Digital's small-number rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers.disclosure import (
    SUPPRESSED,
    round_count,
    shares_from_rounded,
    suppress_counts,
    total_then_suppress,
)

# The rule, written out by hand for 0..20.
EXPECTED_0_TO_20 = {
    0: 0,
    1: "*",
    2: "*",
    3: "*",
    4: "*",
    5: "*",
    6: "*",
    7: "*",
    8: 10,
    9: 10,
    10: 10,
    11: 10,
    12: 10,
    13: 15,
    14: 15,
    15: 15,
    16: 15,
    17: 15,
    18: 20,
    19: 20,
    20: 20,
}


def reference_rule(n: int) -> int | str:
    """Independent statement of the rule: round half up with integer arithmetic."""
    if n == 0:
        return 0
    if n <= 7:
        return "*"
    q, r = divmod(n, 5)
    return 5 * q + (5 if r >= 3 else 0)


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("count", "expected"), sorted(EXPECTED_0_TO_20.items()))
def test_round_count_exhaustive_0_to_20(count: int, expected: int | str) -> None:
    assert round_count(count) == expected
    numeric = round_count(count, numeric=True)
    if expected == SUPPRESSED:
        assert math.isnan(numeric)
    else:
        assert numeric == float(expected)


def test_series_exhaustive_0_to_20_display_and_numeric() -> None:
    counts = pd.Series(range(21), name="people")
    shown = suppress_counts(counts)
    assert shown.dtype == object
    assert shown.name == "people"
    assert shown.tolist() == [EXPECTED_0_TO_20[n] for n in range(21)]
    # display values are real Python ints, not numpy scalars or strings
    assert all(type(v) is int for v in shown if v != SUPPRESSED)

    numeric = suppress_counts(counts, numeric=True)
    assert numeric.dtype == np.float64
    expected = [np.nan if v == SUPPRESSED else float(v) for v in EXPECTED_0_TO_20.values()]
    np.testing.assert_array_equal(numeric.to_numpy(), np.array(expected))


def test_rule_matches_reference_up_to_100000() -> None:
    counts = pd.Series(np.arange(100_001))
    shown = suppress_counts(counts).tolist()
    assert shown == [reference_rule(n) for n in range(100_001)]


def test_halves_never_arise_and_rounding_is_half_up() -> None:
    counts = np.arange(8, 10_000)
    rounded = suppress_counts(pd.Series(counts), numeric=True).to_numpy()
    # never more than 2 away, always a multiple of 5, remainders 3-4 go up
    assert np.all(np.abs(rounded - counts) <= 2)
    assert np.all(rounded % 5 == 0)
    assert np.all((rounded > counts) == np.isin(counts % 5, [3, 4]))


def test_rule_is_idempotent_on_its_output() -> None:
    counts = pd.Series(np.arange(0, 500))
    once = suppress_counts(counts, numeric=True)
    visible = once.dropna().astype(np.int64)
    assert suppress_counts(visible).tolist() == visible.tolist()


def test_accepts_integer_valued_floats_and_nullable_ints() -> None:
    assert suppress_counts(pd.Series([0.0, 3.0, 13.0])).tolist() == [0, "*", 15]
    assert suppress_counts(pd.Series([0, 3, 13], dtype="Int64")).tolist() == [0, "*", 15]
    assert suppress_counts(pd.Series([0, 3, 13], dtype="uint16")).tolist() == [0, "*", 15]


def test_series_index_is_preserved() -> None:
    counts = pd.Series([5, 50], index=["A81001", "A81002"])
    out = suppress_counts(counts)
    assert out.index.tolist() == ["A81001", "A81002"]
    assert out.tolist() == ["*", 50]


# --------------------------------------------------------------------------- frames


def test_dataframe_default_columns_are_numeric_ones_and_others_untouched() -> None:
    df = pd.DataFrame(
        {"code": ["A", "B", "C"], "low": [0, 7, 8], "high": [1, 12, 13], "flag": [True] * 3}
    )
    out = suppress_counts(df)
    assert out["code"].tolist() == ["A", "B", "C"]
    assert out["flag"].tolist() == [True, True, True]
    assert out["low"].tolist() == [0, "*", 10]
    assert out["high"].tolist() == ["*", 10, 15]
    assert list(out.columns) == list(df.columns)
    # input not modified
    assert df["low"].tolist() == [0, 7, 8]


def test_dataframe_explicit_columns_and_numeric() -> None:
    df = pd.DataFrame({"a": [3, 30], "b": [3, 30]})
    out = suppress_counts(df, ["a"], numeric=True)
    assert out["a"].dtype == np.float64
    assert np.isnan(out.loc[0, "a"]) and out.loc[1, "a"] == 30.0
    assert out["b"].tolist() == [3, 30]  # not listed, left alone


def test_row_total_is_summed_before_rounding() -> None:
    df = pd.DataFrame({"unit": ["A", "B", "C"], "x": [3, 4, 12], "y": [6, 4, 13]})
    out = suppress_counts(df, ["x", "y"], total="total")
    # 3 + 6 = 9 -> 10; 4 + 4 = 8 -> 10; 12 + 13 = 25 -> 25 (not 10 + 15)
    assert out["total"].tolist() == [10, 10, 25]
    assert out["x"].tolist() == ["*", "*", 10]
    numeric = suppress_counts(df, ["x", "y"], total="total", numeric=True)
    assert numeric["total"].tolist() == [10.0, 10.0, 25.0]


def test_total_then_suppress_series() -> None:
    assert total_then_suppress(pd.Series([3] * 7)) == 20  # 21 -> 20
    assert total_then_suppress(pd.Series([1, 1])) == SUPPRESSED
    assert total_then_suppress(pd.Series([0, 0])) == 0
    assert total_then_suppress(pd.Series([12, 13])) == 25
    assert math.isnan(total_then_suppress(pd.Series([2, 2]), numeric=True))
    # summing rounded cells would give 10 + 15 = 25 for [12, 13] but 0 + 0 for [3, 3]
    assert total_then_suppress(pd.Series([4, 4])) == 10


@pytest.mark.parametrize("n_cells", range(1, 8))
def test_total_of_suppressed_cells_uses_true_sum(n_cells: int) -> None:
    for value in range(1, 8):
        cells = pd.Series([value] * n_cells)
        assert total_then_suppress(cells) == reference_rule(value * n_cells)


def test_total_then_suppress_columns_and_groups() -> None:
    df = pd.DataFrame({"pcn": ["P", "P", "Q", "Q"], "high": [4, 5, 30, 0], "low": [50, 52, 1, 0]})
    col_totals = total_then_suppress(df)
    assert col_totals.to_dict() == {"high": 40, "low": 105}
    grouped = total_then_suppress(df, by="pcn")
    assert grouped.columns.tolist() == ["pcn", "high", "low"]
    assert grouped["pcn"].tolist() == ["P", "Q"]
    assert grouped["high"].tolist() == [10, 30]  # 9 -> 10
    assert grouped["low"].tolist() == [100, "*"]  # 102 -> 100; 1 -> *
    numeric = total_then_suppress(df, by=["pcn"], columns=["low"], numeric=True)
    assert numeric["low"].iloc[0] == 100.0 and np.isnan(numeric["low"].iloc[1])


# --------------------------------------------------------------------------- shares


def test_shares_are_computed_from_rounded_counts() -> None:
    shares = shares_from_rounded(pd.Series([12, 13, 40, 0]), pd.Series([37, 40, 40, 40]))
    # 12/37: published as 10 and 35 -> 28.6 (the unrounded 32.4 would be disclosive)
    assert shares.tolist() == [28.6, 37.5, 100.0, 0.0]


def test_shares_suppressed_where_numerator_or_denominator_is() -> None:
    shares = shares_from_rounded([3, 7, 0, 0, 8], [40, 7, 5, 0, 8])
    assert shares.tolist()[:3] == [SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert math.isnan(shares.iloc[3])  # 0 / 0 is undefined, not suppressed
    assert shares.iloc[4] == 100.0
    numeric = shares_from_rounded([3, 7, 0, 0, 8], [40, 7, 5, 0, 8], numeric=True)
    assert numeric.dtype == np.float64
    assert numeric.isna().tolist() == [True, True, True, True, False]


def test_shares_scale_decimals_scalar_denominator_and_index() -> None:
    num = pd.Series([10, 20], index=["a", "b"], name="n")
    out = shares_from_rounded(num, 30, scale=1.0, decimals=None, numeric=True)
    assert out.index.tolist() == ["a", "b"] and out.name == "n"
    np.testing.assert_allclose(out.to_numpy(), [1 / 3, 2 / 3])
    assert shares_from_rounded([10], [30], decimals=0).tolist() == [33.0]


def test_shares_rounded_input_gives_same_result() -> None:
    raw = shares_from_rounded([12, 33, 41], [37, 64, 99])
    pre = shares_from_rounded([10, 35, 40], [35, 65, 100])
    assert raw.tolist() == pre.tolist()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (pd.Series([1, -1]), ValueError, "negative"),
        (pd.Series([1.5, 2.0]), ValueError, "whole numbers"),
        (pd.Series([1.0, np.nan]), ValueError, "missing"),
        (pd.Series([1, None], dtype="Int64"), ValueError, "missing"),
        (pd.Series(["a", "b"]), TypeError, "numeric"),
        (pd.Series([True, False]), TypeError, "booleans"),
        (pd.Series([np.inf]), ValueError, "infinite"),
        (pd.Series(["1", "2"], dtype="category"), TypeError, "categorical"),
    ],
)
def test_suppress_counts_rejects_invalid_counts(
    bad: pd.Series, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        suppress_counts(bad)


def test_argument_errors() -> None:
    with pytest.raises(TypeError, match="Series or DataFrame"):
        suppress_counts([1, 2, 3])  # type: ignore[type-var]
    with pytest.raises(ValueError, match="DataFrame only"):
        suppress_counts(pd.Series([1]), total="t")
    df = pd.DataFrame({"a": [1], "t": [2]})
    with pytest.raises(ValueError, match="already exists"):
        suppress_counts(df, ["a"], total="t")
    with pytest.raises(ValueError, match="not in the frame"):
        suppress_counts(df, ["zzz"])
    with pytest.raises(TypeError, match="list of column names"):
        suppress_counts(df, "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no numeric columns"):
        suppress_counts(pd.DataFrame({"s": ["x"]}))
    with pytest.raises(TypeError, match="True or False"):
        suppress_counts(pd.Series([1]), numeric="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by columns"):
        total_then_suppress(df, by="nope")
    with pytest.raises(ValueError, match="both"):
        total_then_suppress(df, by="a", columns=["a"])
    with pytest.raises(TypeError, match="number"):
        round_count("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        round_count(-1)


def test_share_errors() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        shares_from_rounded([5], [4])
    with pytest.raises(ValueError, match="differ in length"):
        shares_from_rounded([1, 2], [3, 4, 5])
    with pytest.raises(ValueError, match="scale"):
        shares_from_rounded([1], [2], scale=0)
    with pytest.raises(TypeError, match="decimals"):
        shares_from_rounded([1], [2], decimals=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        shares_from_rounded([-1], [2])
