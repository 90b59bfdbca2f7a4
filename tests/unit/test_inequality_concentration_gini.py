"""Population-weighted concentration index and Gini: hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from layers.inequality import absolute_concentration_index, concentration_index, gini

# --- concentration index ----------------------------------------------------------------------


def test_equal_weights_matches_textbook() -> None:
    # 4 units, most deprived first, h = 4, 3, 2, 1; mean 2.5.
    # R_i = (i - 1/2)/4 = 1/8, 3/8, 5/8, 7/8; sum h R = (4 + 9 + 10 + 7)/8 = 30/8
    # textbook C = 2/(n mean) sum h R - 1 = 2/(4 * 2.5) * 30/8 - 1 = 0.75 - 1 = -0.25
    assert concentration_index([4, 3, 2, 1], [1, 2, 3, 4]) == pytest.approx(-0.25)
    # absolute = mean * C = 2.5 * -0.25
    assert absolute_concentration_index([4, 3, 2, 1], [1, 2, 3, 4]) == pytest.approx(-0.625)


def test_equal_weights_random_matches_textbook_formula() -> None:
    rng = np.random.default_rng(0)
    h = rng.gamma(2.0, 3.0, size=200)
    dep = rng.permutation(200) + 1  # distinct ranks, 1 = most deprived
    order = np.argsort(dep)
    r = (np.arange(1, 201) - 0.5) / 200
    textbook = 2 / (200 * h.mean()) * (h[order] * r).sum() - 1
    assert concentration_index(h, dep) == pytest.approx(textbook, abs=1e-12)


def test_weighted_by_hand() -> None:
    # unit A (most deprived) h = 2, 1 person; unit B h = 1, 3 people. W = 4.
    # R_A = 0.5/4 = 0.125, R_B = (1 + 1.5)/4 = 0.625; mean_w h = (2 + 3)/4 = 1.25
    # cov_w = [1 (0.75)(-0.375) + 3 (-0.25)(0.125)]/4 = -0.09375
    # C = 2 (-0.09375)/1.25 = -0.15; absolute = 2 cov = -0.1875
    assert concentration_index([2, 1], [1, 2], weights=[1, 3]) == pytest.approx(-0.15)
    assert absolute_concentration_index([2, 1], [1, 2], [1, 3]) == pytest.approx(-0.1875)
    # same as the 4 people listed one by one (B's three share a rank: midpoint)
    assert concentration_index([2, 1, 1, 1], [1, 2, 2, 2]) == pytest.approx(-0.15)
    # and as the textbook with distinct ranks: h is constant within B, so ties do not matter
    assert concentration_index([2, 1, 1, 1], [1, 2, 3, 4]) == pytest.approx(-0.15)


def test_weighted_matches_grouped_data_formula() -> None:
    # Kakwani, Wagstaff & van Doorslaer (1997): C = sum_t (p_t L_{t+1} - p_{t+1} L_t)
    # with p, L cumulative population and health shares of deciles, most deprived first
    rng = np.random.default_rng(1)
    pop = rng.integers(1_000, 30_000, size=10).astype(float)
    h = np.linspace(0.3, 0.1, 10) + rng.normal(0, 0.01, size=10)
    p = np.r_[0, np.cumsum(pop) / pop.sum()]
    ell = np.r_[0, np.cumsum(pop * h) / (pop * h).sum()]
    kakwani = float(np.sum(p[:-1] * ell[1:] - p[1:] * ell[:-1]))
    deciles = np.arange(1, 11)
    assert concentration_index(h, deciles, pop) == pytest.approx(kakwani, abs=1e-12)
    # LSOA-level rows tied on their decile give the same answer as the decile totals
    split = np.repeat(deciles, 3)
    assert concentration_index(np.repeat(h, 3), split, np.repeat(pop / 3, 3)) == pytest.approx(
        kakwani, abs=1e-12
    )


def test_direction_scale_and_equality() -> None:
    h, dep, w = [1.0, 2.0, 3.0], [1, 2, 3], [5, 1, 2]
    # concentrated among the less deprived: positive
    assert concentration_index(h, dep, w) > 0
    # invariant to scaling the weights; IMD score (high = deprived) reversed gives the same
    c = concentration_index(h, dep, w)
    assert concentration_index(h, dep, np.array(w) * 7.5) == pytest.approx(c)
    assert concentration_index(h, [30, 20, 10], w, most_deprived="high") == pytest.approx(c)
    # relative index is scale-invariant in h; absolute scales with it
    assert concentration_index(np.array(h) * 100, dep, w) == pytest.approx(c)
    a = absolute_concentration_index(h, dep, w)
    assert absolute_concentration_index(np.array(h) * 100, dep, w) == pytest.approx(100 * a)
    assert concentration_index([2.0, 2.0, 2.0], dep, w) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([1, 2], [1, 2, 3]), {}, ValueError, "same length"),
        (([1, np.nan], [1, 2]), {}, ValueError, "missing values"),
        (([1, 2], [1, 2], [1, -1]), {}, ValueError, "non-negative"),
        (([1, 2], [1, 2], [0, 0]), {}, ValueError, "positive total"),
        (([1, 2], [1, 2]), {"most_deprived": "top"}, ValueError, "most_deprived"),
        ((["a", "b"], [1, 2]), {}, TypeError, "numeric"),
        (([0, 0], [1, 2]), {}, ValueError, "mean of health must be positive"),
    ],
)
def test_concentration_errors(args: tuple, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        concentration_index(*args, **kwargs)


def test_absolute_allows_zero_mean() -> None:
    # no division by the mean, so a zero-mean variable (e.g. a change) is fine
    assert absolute_concentration_index([1.0, -1.0], [1, 2]) == pytest.approx(-0.5)


# --- Gini -------------------------------------------------------------------------------------


def _pairwise_gini(x: np.ndarray, w: np.ndarray) -> float:
    # definition: sum_ij w_i w_j |x_i - x_j| / (2 W^2 mean_w)
    mean = (w * x).sum() / w.sum()
    diffs = np.abs(x[:, None] - x[None, :])
    return float((w[:, None] * w[None, :] * diffs).sum() / (2 * w.sum() ** 2 * mean))


def test_gini_equal_weights_by_hand() -> None:
    # x = 1, 2, 3, 4: sum (2i - n - 1) x_(i) / (n sum x) = (-3 - 2 + 3 + 12)/(4 * 10) = 0.25
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)  # order-free


def test_gini_equal_weights_matches_pysal() -> None:
    inequality = pytest.importorskip("inequality")
    x = np.random.default_rng(2).lognormal(size=300)
    assert gini(x) == pytest.approx(inequality.gini.Gini(x).g, abs=1e-12)


def test_gini_weighted_by_hand() -> None:
    # 3 people at 1 and 1 person at 3: W = 4, mean 1.5
    # sum_ij w_i w_j |x_i - x_j| = 2 * 3 * 1 * 2 = 12; G = 12 / (2 * 16 * 1.5) = 0.25
    assert gini([1, 3], weights=[3, 1]) == pytest.approx(0.25)
    assert gini([1, 1, 1, 3]) == pytest.approx(0.25)


def test_gini_matches_pairwise_definition_with_ties() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=60).astype(float)  # many ties
    w = rng.integers(1, 500, size=60).astype(float)
    assert gini(x, w) == pytest.approx(_pairwise_gini(x, w), abs=1e-12)


def test_gini_extremes() -> None:
    assert gini([5, 5, 5], [1, 2, 3]) == pytest.approx(0.0, abs=1e-15)
    # one of four equal units holds everything: 1 - 1/4
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    # the holder has half the population: 1 - 1/2
    assert gini([0, 4], [1, 1]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([1, -2],), ValueError, "non-negative"),
        (([0, 0],), ValueError, "mean of values must be positive"),
        (([1, 2], [1, 2, 3]), ValueError, "one entry per unit"),
        (([1, 2], [1, -1]), ValueError, "non-negative"),
        (([1, np.inf],), ValueError, "infinite"),
        (([[1, 2]],), ValueError, "one-dimensional"),
        (([True, False],), TypeError, "numeric"),
    ],
)
def test_gini_errors(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        gini(*args)
