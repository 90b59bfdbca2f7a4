"""Population-weighted concentration index (relative and absolute).

Convention (Wagstaff, Paci & van Doorslaer 1991; Kakwani, Wagstaff & van
Doorslaer 1997; O'Donnell et al. 2008, ch. 8): units (e.g. LSOAs) are ranked
from most deprived to least deprived, and each gets the weighted fractional rank

    R_i = (population ranked strictly before i + half the population of i's
           tie group) / total population,

so ``R`` runs from near 0 (most deprived) to near 1 (least deprived). With
population weights ``w`` and the health variable ``h``:

* relative concentration index ``C = 2 cov_w(h, R) / mean_w(h)``;
* absolute (generalised) concentration index ``AC = mean_w(h) * C = 2 cov_w(h, R)``,

where ``mean_w`` and ``cov_w`` are population-weighted means and covariances
(divisor = total weight). ``C`` lies in [-1, 1] for non-negative ``h``; it is
negative when ``h`` is concentrated among the more deprived (e.g. ill health)
and positive when concentrated among the less deprived. Units tied on the
deprivation measure share their group's midpoint rank, which for data grouped
into deciles is the grouped-data formula of Kakwani et al. (1997). With equal
weights and no ties, ``C = 2 / (n mean(h)) * sum(h_i R_i) - 1`` with
``R_i = (i - 1/2) / n``, the textbook form.

Why not pysal ``inequality``: version 1.1 offers Gini, Theil, Atkinson and
others but no concentration index and no population weights, so it cannot give
this statistic; it is computed here directly in O(n log n).
"""

from __future__ import annotations

from typing import Literal

from numpy.typing import ArrayLike

from layers._checks import as_float_vector, check_same_length
from layers.inequality._checks import check_weights, fractional_rank

__all__ = ["absolute_concentration_index", "concentration_index"]


def _weighted_cov_terms(
    health: ArrayLike,
    deprivation: ArrayLike,
    weights: ArrayLike | None,
    most_deprived: str,
) -> tuple[float, float]:
    """Validate and return ``(mean_w(h), 2 cov_w(h, R))``."""
    if most_deprived not in ("low", "high"):
        raise ValueError(
            "most_deprived must be 'low' (small values are most deprived, e.g. IMD rank "
            f"or decile) or 'high' (e.g. IMD score); got {most_deprived!r}"
        )
    h = as_float_vector(health, "health")
    d = as_float_vector(deprivation, "deprivation")
    n = check_same_length(health=h, deprivation=d)
    w = check_weights(weights, n)
    # rank ascends from most to least deprived
    rank = fractional_rank(d if most_deprived == "low" else -d, w)
    # elementwise sums, not BLAS dot: multithreaded BLAS stalls on shared cores
    total = w.sum()
    mean_h = float((w * h).sum() / total)
    mean_r = float((w * rank).sum() / total)
    cov = float((w * (h - mean_h) * (rank - mean_r)).sum() / total)
    return mean_h, 2 * cov


def concentration_index(
    health: ArrayLike,
    deprivation: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    most_deprived: Literal["low", "high"] = "low",
) -> float:
    """Relative concentration index ``2 cov_w(h, R) / mean_w(h)``.

    Parameters
    ----------
    health : array_like
        Health variable per unit (e.g. prevalence, rate); non-negative in the
        usual use.
    deprivation : array_like
        Deprivation measure per unit used only for ranking.
    weights : array_like, optional
        Population per unit (non-negative, positive total); equal if None.
    most_deprived : {"low", "high"}, default "low"
        Which end of ``deprivation`` is most deprived: "low" for IMD ranks or
        deciles (1 = most deprived), "high" for IMD scores.

    Returns
    -------
    float
        The concentration index, negative when ``health`` is concentrated in
        the more deprived units.

    Raises
    ------
    ValueError
        On missing or infinite values, unequal lengths, negative weights, an
        invalid ``most_deprived``, or a weighted mean of ``health`` that is not
        positive (the relative index is then undefined).
    TypeError
        On non-numeric inputs.

    Examples
    --------
    Four equal-sized units, most deprived first, with ill health falling by one
    each step: ``R = 1/8, 3/8, 5/8, 7/8`` and ``C = 2/(4*2.5) * 30/8 - 1``:

    >>> concentration_index([4, 3, 2, 1], [1, 2, 3, 4])
    -0.25

    Population weights count each unit as that many people:

    >>> round(concentration_index([2, 1], [1, 2], weights=[1, 3]), 12)
    -0.15
    """
    mean_h, twice_cov = _weighted_cov_terms(health, deprivation, weights, most_deprived)
    if mean_h <= 0:
        raise ValueError(
            f"the weighted mean of health must be positive for the relative index; got {mean_h}"
        )
    return twice_cov / mean_h


def absolute_concentration_index(
    health: ArrayLike,
    deprivation: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    most_deprived: Literal["low", "high"] = "low",
) -> float:
    """Absolute (generalised) concentration index ``2 cov_w(h, R) = mean_w(h) * C``.

    Parameters
    ----------
    health : array_like
        Health variable per unit, in its own units.
    deprivation, weights, most_deprived
        As for :func:`concentration_index`.

    Returns
    -------
    float
        The absolute concentration index, in the units of ``health``.

    Raises
    ------
    ValueError
        On missing or infinite values, unequal lengths, negative weights or an
        invalid ``most_deprived``.
    TypeError
        On non-numeric inputs.

    Examples
    --------
    >>> absolute_concentration_index([4, 3, 2, 1], [1, 2, 3, 4])
    -0.625
    >>> absolute_concentration_index([4, 3, 2, 1], [40, 30, 20, 10], most_deprived="high")
    -0.625
    """
    return _weighted_cov_terms(health, deprivation, weights, most_deprived)[1]
