"""Population-weighted Gini coefficient of a unit-level indicator.

Each unit (e.g. an LSOA) carries a value ``x_i`` and a population ``w_i``; the
Gini is the one of the distribution in which every person takes their unit's
value:

    G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean_w(x)),  W = sum_i w_i,

computed in O(n log n) as ``G = 2 cov_w(x, F) / mean_w(x)``, with ``F`` the
weighted fractional rank of ``x`` itself (tied values share their midpoint
rank, so ties contribute nothing, as in the pairwise form). With equal weights
this is the textbook ``sum_i (2i - n - 1) x_(i) / (n sum x)``: the population
(``n^2``) form, which is also pysal ``inequality.gini.Gini``. It is 0 under
equality and at most ``1 - w_min / W`` when one unit holds everything.

Why not pysal ``inequality``: its ``Gini`` (version 1.1) takes no weights, so
applied to unit values it would treat a unit of 500 people like one of 3,000;
repeating units by population is exact only for whole-number weights and costs
memory. Hence our own implementation, checked against pysal for equal weights.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from layers._checks import as_float_vector
from layers.inequality._checks import check_weights, fractional_rank

__all__ = ["gini"]


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Population-weighted Gini coefficient.

    Parameters
    ----------
    values : array_like
        Non-negative indicator value per unit.
    weights : array_like, optional
        Population per unit (non-negative, positive total); equal if None.

    Returns
    -------
    float
        Gini coefficient in [0, 1).

    Raises
    ------
    ValueError
        On missing, infinite or negative values, negative weights, unequal
        lengths, or a zero weighted mean.
    TypeError
        On non-numeric inputs.

    Examples
    --------
    Equal weights reproduce the textbook value ``sum (2i - n - 1) x_(i) / (n sum x)``:

    >>> gini([1, 2, 3, 4])
    0.25

    A unit of 3 people at 1 and a unit of 1 person at 3 is the same as the four
    people ``1, 1, 1, 3``:

    >>> gini([1, 3], weights=[3, 1])
    0.25
    """
    x = as_float_vector(values, "values")
    w = check_weights(weights, len(x))
    if (x < 0).any():
        raise ValueError("values must be non-negative for the Gini coefficient")
    total = w.sum()
    # elementwise sums, not BLAS dot: multithreaded BLAS stalls on shared cores
    mean_x = float((w * x).sum() / total)
    if mean_x <= 0:
        raise ValueError("the weighted mean of values must be positive (all values are zero)")
    rank = fractional_rank(x, w)
    mean_r = float((w * rank).sum() / total)
    return 2 * float((w * (x - mean_x) * (rank - mean_r)).sum() / total) / mean_x
