"""Input checks shared by the inequality metrics (private).

The general vector checks live in :mod:`layers._checks`; these are specific to
weighted inequality measures.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from layers._checks import as_float_vector

__all__ = ["check_weights", "fractional_rank"]


def check_weights(weights: ArrayLike | None, n: int, name: str = "weights") -> NDArray[np.float64]:
    """Validate population weights (non-negative, positive total) or default to ones.

    Parameters
    ----------
    weights : array_like or None
        Weights, one per unit; ``None`` means equal weights.
    n : int
        Expected length.
    name : str, default "weights"
        Argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        Float64 weights of length ``n``.

    Raises
    ------
    ValueError
        If a weight is negative or missing, the total is zero, or the length is not ``n``.
    TypeError
        If the weights are not numeric.

    Examples
    --------
    >>> check_weights(None, 2)
    array([1., 1.])
    """
    if weights is None:
        return np.ones(n)
    w = as_float_vector(weights, name)
    if len(w) != n:
        raise ValueError(f"{name} must have one entry per unit ({n}); got {len(w)}")
    if (w < 0).any():
        raise ValueError(f"{name} must be non-negative; got minimum {w.min()}")
    if w.sum() <= 0:
        raise ValueError(f"{name} must have a positive total")
    return w


def fractional_rank(key: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weighted fractional rank in (0, 1): midpoint of each unit's weight band.

    Units are ordered by ascending ``key``; tied keys share the midpoint of
    their combined band, so ties never depend on input order (and grouped data,
    e.g. deciles, get the grouped-data ranks of Kakwani, Wagstaff & van Doorslaer
    1997).

    Parameters
    ----------
    key : numpy.ndarray
        Ordering variable.
    weights : numpy.ndarray
        Non-negative weights with a positive total.

    Returns
    -------
    numpy.ndarray
        ``(weight of units ranked strictly before + half the tie group's weight) / total``.

    Examples
    --------
    >>> import numpy as np
    >>> fractional_rank(np.array([2.0, 1.0, 3.0]), np.ones(3))
    array([0.5       , 0.16666667, 0.83333333])
    >>> fractional_rank(np.array([1.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0]))
    array([0.25, 0.25, 0.75])
    """
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    # first index of each tie group in sorted order, and its total weight
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    group_w = np.add.reduceat(weights[order], starts)
    before = np.cumsum(group_w) - group_w
    group_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(key)]))
    ranks = np.empty_like(weights)
    ranks[order] = (before + group_w / 2)[group_of]
    return ranks / weights.sum()
