"""Slope Index of Inequality (SII) and Relative Index of Inequality (RII).

Reproduces ``phe_sii`` from the UKHSA R package PHEindicatormethods (Low & Low
2004), vectorised with numpy.

Method
------
Quantiles (e.g. IMD deciles) are ordered ``1 .. n`` with 1 the most deprived.
Each gets the midpoint of its band in the cumulative population distribution,
``b_i = sum(a_1..a_{i-1}) + a_i / 2`` with ``a_i`` its population share. The
indicator ``y_i`` is regressed on ``b_i`` by least squares weighted by ``a_i``
(upstream fits ``y sqrt(a) ~ sqrt(a) + b sqrt(a) - 1``, which is the same thing):

* ``intercept`` = fitted value at ``b = 0`` (the most deprived end);
* ``sii`` = fitted value at ``b = 1`` minus fitted value at ``b = 0`` = the slope.
  **Sign convention (PHE):** least deprived minus most deprived, so life
  expectancy (higher in affluent areas) gives a positive SII and a mortality
  rate a negative one;
* ``rii`` = fitted value at ``b = 1`` divided by fitted value at ``b = 0``.

``multiplier`` rescales the SII (and intercept); a negative multiplier flips the
polarity, which also inverts the RII and swaps the confidence limits.

Confidence intervals are by simulation: for each quantile ``repetitions`` values
are drawn from a normal distribution centred on the value with the standard
error as spread, on the natural scale for ``value_type=0``, the log scale for
rates (``value_type=1``) and the logit scale for proportions (``value_type=2``);
draws are back-transformed, re-fitted, and the confidence limits are order
statistics of the simulated SII/RII at the same positions as upstream
(``round(repetitions * (1 - c) / 2)`` and ``round(repetitions * (1 + c) / 2)``).

With ``transform=True`` (rates and proportions only) the regression itself is
done on the log/logit scale. The SII and RII are then the differences/ratios of
the back-transformed fitted values at ``b = 1`` and ``b = 0``; their confidence
limits pivot the simulated slope limits about the line's midpoint ``b = 1/2``, as
upstream does.

Standard errors
---------------
In order of preference: ``se`` as given (on the simulation scale above: natural,
log or logit); else derived from ``lower_cl``/``upper_cl`` as
``(T(upper) - T(lower)) / (2 z)`` with ``T`` the scale's transform and ``z`` the
normal quantile of ``cl_confidence``; else (an extension not in upstream) from
counts: ``1 / sqrt(count)`` for the log of a rate, ``1 / sqrt(count (1 - p))``
for the logit of a proportion ``p``.

Deviations from upstream, on purpose
------------------------------------
* The intercept is scaled by ``abs(multiplier)`` with and without ``transform``
  (upstream scales it only when transforming).
* Upstream swaps the transformed rate limits when ``multiplier < 1`` (not ``< 0``),
  which mislabels limits for multipliers in (0, 1); here the swap is for ``< 0``.
* Confidence levels of exactly 1 (100 %) are rejected: no order statistic exists.
* Missing data: :func:`slope_index_of_inequality` raises on any NaN. The grouped
  :func:`sii_by_group` drops (with a warning) groups whose quantile set is
  incomplete: a quantile row absent, or its population or value missing;
  upstream raises on a missing population. Missing standard errors or confidence
  limits raise, as upstream.

References
----------
Low A, Low A. Measuring the gap: quantifying and comparing local health
inequalities. J Public Health 2004;26:388-395.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from layers._checks import as_float_vector, check_same_length
from layers.streams import DEFAULT_SEED, generator

__all__ = ["SIIResult", "sii_by_group", "slope_index_of_inequality"]

_MIN_QUANTILES = 5
_MAX_QUANTILES = 100
_WARN_QUANTILES = 10
_MIN_REPETITIONS = 1000
_VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}


@dataclass(frozen=True)
class SIIResult:
    """Result of :func:`slope_index_of_inequality`.

    Attributes
    ----------
    sii : float
        Slope index of inequality (least minus most deprived, times ``multiplier``).
    rii : float
        Relative index of inequality (inverted when ``multiplier < 0``).
    intercept : float
        Fitted value at the most deprived end (times ``abs(multiplier)``).
    sii_ci : dict of float to (float, float)
        Confidence level (e.g. ``0.95``) to ``(lower, upper)`` limits of the SII.
    rii_ci : dict of float to (float, float)
        Confidence level to ``(lower, upper)`` limits of the RII.
    value_type : int
        0 normal, 1 rate, 2 proportion.
    transform : bool
        Whether the regression was done on the log/logit scale.
    multiplier : float
        Multiplier applied to the outputs.
    repetitions : int
        Number of simulations behind the confidence limits.
    """

    sii: float
    rii: float
    intercept: float
    sii_ci: dict[float, tuple[float, float]]
    rii_ci: dict[float, tuple[float, float]]
    value_type: int
    transform: bool
    multiplier: float
    repetitions: int


def _normalise_confidence(confidence: float | Sequence[float]) -> tuple[float, ...]:
    """Return confidence levels as fractions; accept 0.9-1 or 90-100 like upstream."""
    levels = [confidence] if np.isscalar(confidence) else list(confidence)  # type: ignore[list-item]
    if not levels:
        raise ValueError("confidence must hold at least one level, e.g. 0.95 or (95, 99.8)")
    out = []
    for c in levels:
        if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)):
            raise TypeError(f"confidence levels must be numbers; got {c!r}")
        c = float(c)
        frac = c / 100 if c >= 90 else c
        # 1 (100 %) has no order statistic to report, so it is excluded
        if not 0.9 <= frac < 1:
            raise ValueError(
                f"confidence levels must be in [0.9, 1) or [90, 100); got {c}. "
                "Use e.g. 0.95, 95 or 99.8"
            )
        out.append(frac)
    return tuple(out)


def _transform(x: NDArray[np.float64], value_type: int) -> NDArray[np.float64]:
    """Map values to the simulation scale: identity, log (rate) or logit (proportion)."""
    if value_type == 1:
        return np.log(x)
    if value_type == 2:
        return np.log(x / (1 - x))
    return x


def _inverse(x: NDArray[np.float64] | float, value_type: int) -> NDArray[np.float64] | float:
    if value_type == 1:
        return np.exp(x)
    if value_type == 2:
        return 1 / (1 + np.exp(-x))
    return x


def _order_positions(repetitions: int, level: float) -> tuple[int, int]:
    """Zero-based order-statistic positions of the limits, as upstream (R round)."""
    upper_tail = level + (1 - level) / 2
    lo = round(repetitions * (1 - upper_tail))  # Python and R both round half to even
    hi = round(repetitions * upper_tail)
    lo = min(max(lo, 1), repetitions)
    hi = min(max(hi, 1), repetitions)
    return lo - 1, hi - 1


def _limits(
    draws: NDArray[np.float64], levels: tuple[float, ...], repetitions: int
) -> dict[float, tuple[float, float]]:
    positions = {c: _order_positions(repetitions, c) for c in levels}
    kth = sorted({p for pair in positions.values() for p in pair})
    # NaN draws (e.g. RII with a fitted value of 0) would be sorted last by numpy,
    # as R's sort drops them; both are undefined, so flag with NaN limits instead
    if np.isnan(draws).any():
        return {c: (math.nan, math.nan) for c in levels}
    part = np.partition(draws, kth)
    return {c: (float(part[lo]), float(part[hi])) for c, (lo, hi) in positions.items()}


def _project(
    draws: NDArray[np.float64], proj: NDArray[np.float64], offset: ArrayLike = (0.0, 0.0)
) -> NDArray[np.float64]:
    """Regression coefficients ``offset + proj.T @ draws`` as a (2, repetitions) array.

    A plain loop of scaled adds instead of a BLAS matmul: multithreaded BLAS on
    this tall, thin product stalls badly when the cores are shared (measured
    median 32 ms against 1 ms under load).
    """
    out = np.empty((2, draws.shape[1]))
    out[0], out[1] = offset  # type: ignore[misc]
    scaled = np.empty(draws.shape[1])
    for row, weights in zip(draws, proj, strict=True):
        for k in (0, 1):
            np.multiply(row, weights[k], out=scaled)
            out[k] += scaled
    return out


def _validate_inputs(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike | None,
    count: ArrayLike | None,
    se: ArrayLike | None,
    lower_cl: ArrayLike | None,
    upper_cl: ArrayLike | None,
    value_type: int,
    transform: bool,
    cl_confidence: float,
) -> tuple[NDArray[np.float64], ...]:
    """Validate per-quantile inputs; return sorted quantile, population, value, se."""
    if isinstance(value_type, bool) or value_type not in _VALUE_TYPES:
        raise ValueError(
            f"value_type must be 0 (normal), 1 (rate) or 2 (proportion); got {value_type!r}"
        )
    if not isinstance(transform, (bool, np.bool_)):
        raise TypeError(f"transform must be True or False; got {transform!r}")
    if transform and value_type == 0:
        raise ValueError(
            "transform=True needs value_type 1 (rate, log) or 2 (proportion, logit); got 0"
        )
    if transform and se is not None:
        raise ValueError(
            "se must be omitted when transform=True (as in phe_sii): give lower_cl and "
            "upper_cl so the standard error is derived on the log/logit scale"
        )
    if (lower_cl is None) != (upper_cl is None):
        raise ValueError("lower_cl and upper_cl must be given together")
    if value is None and not (value_type == 2 and count is not None):
        raise ValueError(
            "value is required, or count (with population) when value_type=2 (proportion)"
        )
    if se is None and lower_cl is None and (count is None or value_type == 0):
        raise ValueError(
            "a standard error source is required: se, or lower_cl and upper_cl"
            " (or count, for rates and proportions)"
        )
    if not 0 < cl_confidence < 1:
        raise ValueError(f"cl_confidence must be a fraction in (0, 1); got {cl_confidence}")

    q = as_float_vector(quantile, "quantile")
    pop = as_float_vector(population, "population")
    val = as_float_vector(value, "value") if value is not None else None
    cnt = as_float_vector(count, "count") if count is not None else None
    se_ = as_float_vector(se, "se") if se is not None else None
    lcl = as_float_vector(lower_cl, "lower_cl") if lower_cl is not None else None
    ucl = as_float_vector(upper_cl, "upper_cl") if upper_cl is not None else None
    n = check_same_length(
        quantile=q, population=pop, value=val, count=cnt, se=se_, lower_cl=lcl, upper_cl=ucl
    )

    if len(np.unique(q)) != n:
        raise ValueError("quantile labels must be unique: one row per quantile")
    if not _MIN_QUANTILES <= n <= _MAX_QUANTILES:
        raise ValueError(
            f"the number of quantiles must be between {_MIN_QUANTILES} and {_MAX_QUANTILES};"
            f" got {n}"
        )
    if (pop <= 0).any():
        raise ValueError("population must be positive in every quantile (zero or negative found)")
    if se_ is not None and (se_ < 0).any():
        raise ValueError("se must be non-negative; negative standard errors found")
    if cnt is not None:
        if (cnt < 0).any() or (cnt > pop).any():
            raise ValueError("count must be between 0 and population in every quantile")
        if val is None and (cnt <= 0).any():
            raise ValueError("count must be positive in every quantile to derive a proportion")
    if val is None:
        val = cnt / pop  # type: ignore[operator]
    if value_type == 1:
        for name, arr in (("value", val), ("lower_cl", lcl), ("upper_cl", ucl)):
            if arr is not None and (arr <= 0).any():
                raise ValueError(f"rates (value_type=1) need {name} > 0 to take logs")
    elif value_type == 2:
        if ((val < 0) | (val > 1)).any():
            raise ValueError("value proportions must be between 0 and 1")
        if ((val == 0) | (val == 1)).any():
            raise ValueError("value proportions must be strictly between 0 and 1 for the logit")
        for name, arr in (("lower_cl", lcl), ("upper_cl", ucl)):
            if arr is not None and ((arr <= 0) | (arr >= 1)).any():
                raise ValueError(
                    f"{name} proportions must be strictly between 0 and 1 (value_type=2)"
                )

    # after the range checks, so an out-of-range limit is reported as such
    if lcl is not None and ucl is not None and (lcl > ucl).any():
        raise ValueError("lower_cl must not exceed upper_cl")
    if se_ is None:
        if lcl is not None and ucl is not None:
            z = NormalDist().inv_cdf(1 - (1 - cl_confidence) / 2)
            se_ = (_transform(ucl, value_type) - _transform(lcl, value_type)) / (2 * z)
        elif value_type == 1:
            if (cnt <= 0).any():  # type: ignore[operator]
                raise ValueError("count must be positive to derive the standard error of a rate")
            se_ = 1 / np.sqrt(cnt)  # type: ignore[arg-type]
        else:
            se_ = 1 / np.sqrt(val * pop * (1 - val))

    order = np.argsort(q, kind="stable")
    return q[order], pop[order], val[order], se_[order]


def _check_run(
    rng: np.random.Generator | None, multiplier: float, repetitions: int
) -> np.random.Generator:
    """The simulation's generator (the seeded ``sii`` stream if None), options checked."""
    if rng is None:
        rng = generator(DEFAULT_SEED, "sii")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    if isinstance(multiplier, bool) or not isinstance(
        multiplier, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"multiplier must be a number; got {multiplier!r}")
    if not math.isfinite(multiplier) or multiplier == 0:
        raise ValueError(f"multiplier must be finite and non-zero; got {multiplier}")
    if isinstance(repetitions, bool) or not isinstance(repetitions, (int, np.integer)):
        raise TypeError(f"repetitions must be an integer; got {repetitions!r}")
    if repetitions < _MIN_REPETITIONS:
        raise ValueError(
            f"repetitions must be {_MIN_REPETITIONS} or more (default 100,000); got {repetitions}"
        )
    return rng


def _simulated_fits(
    rng: np.random.Generator,
    t_val: np.ndarray,
    se_: np.ndarray,
    proj: np.ndarray,
    reps: int,
    value_type: int,
    transform: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Intercepts and slopes of ``reps`` simulated fits (values drawn around ``t_val``)."""
    # one row of draws per quantile, so each row is contiguous for the loops below
    z = rng.standard_normal((len(t_val), reps))
    if value_type == 0 or transform:
        # linear in the draws: fold the standard errors into the projection
        return _project(z, se_[:, None] * proj, offset=t_val @ proj)
    # back-transform in place: 1e6 draws, so temporaries cost more than the maths
    z *= se_[:, None]
    z += t_val[:, None]
    if value_type == 1:
        np.exp(z, out=z)
    else:
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)
    return _project(z, proj)


def _projection(pop: np.ndarray) -> np.ndarray:
    """The population-weighted least-squares projection: ``y @ proj`` is (intercept, slope).

    Each quantile sits at its midpoint in the cumulative population (0 to 1).
    """
    if len(pop) > _WARN_QUANTILES:
        warnings.warn(
            f"Small values can make SII unstable when using a large number of quantiles "
            f"({len(pop)} > {_WARN_QUANTILES})",
            UserWarning,
            stacklevel=3,
        )
    share = pop / pop.sum()
    mid = np.cumsum(share) - share / 2
    sqrt_a = np.sqrt(share)
    design = np.column_stack([sqrt_a, mid * sqrt_a])
    # coefficients = y @ proj, proj = diag(sqrt_a) X (X'X)^-1: one matmul per batch
    return sqrt_a[:, None] * np.linalg.solve(design.T @ design, design.T).T


def _natural(
    fit: np.ndarray,
    simulated: tuple[np.ndarray, np.ndarray],
    levels: tuple[float, ...],
    reps: int,
    m: float,
) -> tuple[float, float, float, dict, dict]:
    """SII, RII, intercept and their limits from a fit on the values' own scale."""
    icpt, slope = fit
    sim_icpt, sim_slope = simulated
    rii = (icpt + slope) / icpt if icpt != 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        sim_rii = (sim_icpt + sim_slope) / sim_icpt
        if m < 0:
            rii, sim_rii = 1 / rii, 1 / sim_rii
    sii_ci = _limits(m * sim_slope, levels, reps)
    return m * slope, rii, abs(m) * icpt, sii_ci, _limits(sim_rii, levels, reps)


def _transformed(
    fit: np.ndarray, slope_limits: dict[float, tuple[float, float]], m: float, value_type: int
) -> tuple[float, float, float, dict, dict]:
    """SII, RII, intercept and their limits from a fit on the log or logit scale."""
    icpt_t, slope_t = fit
    y0 = float(_inverse(icpt_t, value_type))
    y1 = float(_inverse(icpt_t + slope_t, value_type))
    half = icpt_t + slope_t / 2
    sii_ci, rii_ci = {}, {}
    for c, (lo_t, hi_t) in slope_limits.items():
        ends = [
            (
                float(_inverse(half - s / 2, value_type)),
                float(_inverse(half + s / 2, value_type)),
            )
            for s in (lo_t, hi_t)
        ]
        # both differences and ratios rise with the slope, so limits map in order
        (lo0, lo1), (hi0, hi1) = ends
        sii_lims = (m * (lo1 - lo0), m * (hi1 - hi0))
        rii_lims = (lo1 / lo0, hi1 / hi0) if m > 0 else (hi0 / hi1, lo0 / lo1)
        sii_ci[c] = (min(sii_lims), max(sii_lims))
        rii_ci[c] = rii_lims
    rii = y1 / y0 if m > 0 else y0 / y1
    return m * (y1 - y0), rii, abs(m) * y0, sii_ci, rii_ci


def slope_index_of_inequality(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike | None = None,
    *,
    count: ArrayLike | None = None,
    value_type: int = 0,
    se: ArrayLike | None = None,
    lower_cl: ArrayLike | None = None,
    upper_cl: ArrayLike | None = None,
    cl_confidence: float = 0.95,
    multiplier: float = 1.0,
    repetitions: int = 100_000,
    confidence: float | Sequence[float] = 0.95,
    transform: bool = False,
    rng: np.random.Generator | None = None,
) -> SIIResult:
    """Slope and relative index of inequality for one area, as PHE ``phe_sii``.

    See the module docstring for the method, sign convention and deviations.

    Parameters
    ----------
    quantile : array_like of int
        Quantile labels, one row each; ascending order runs from most deprived (1)
        to least deprived. Between 5 and 100 quantiles; more than 10 warns.
    population : array_like
        Population of each quantile (> 0).
    value : array_like, optional
        Indicator value per quantile. For proportions it may be omitted when
        ``count`` is given (value = count / population).
    count : array_like, optional
        Numerator per quantile (proportions: events in the population).
    value_type : {0, 1, 2}, default 0
        0 normal (e.g. life expectancy), 1 rate, 2 proportion (0-1 scale).
    se : array_like, optional
        Standard error per quantile on the simulation scale (natural for 0, log
        for 1, logit for 2). Not allowed with ``transform=True``.
    lower_cl, upper_cl : array_like, optional
        Confidence limits of each value at level ``cl_confidence``; used when
        ``se`` is not given.
    cl_confidence : float, default 0.95
        Confidence level of ``lower_cl``/``upper_cl``.
    multiplier : float, default 1
        Scale factor for SII (and intercept); negative flips polarity.
    repetitions : int, default 100000
        Number of simulations for the confidence limits (>= 1000).
    confidence : float or sequence of float, default 0.95
        Level(s) of the SII/RII limits, as 0.9-1 or 90-100, e.g. ``(95, 99.8)``.
    transform : bool, default False
        Fit on the log (rates) or logit (proportions) scale.
    rng : numpy.random.Generator, optional
        Random generator for the simulation; if None, the product's seeded ``sii``
        stream (:func:`layers.streams.generator`), so results are reproducible.

    Returns
    -------
    SIIResult
        Point estimates and confidence limits.

    Raises
    ------
    ValueError
        For invalid options or data (see messages), e.g. non-positive populations,
        negative standard errors, proportions outside (0, 1), fewer than 5 quantiles.
    TypeError
        For non-numeric inputs or an ``rng`` that is not a ``numpy.random.Generator``.

    Warns
    -----
    UserWarning
        With more than 10 quantiles (small numbers can make the SII unstable).

    Examples
    --------
    A perfectly linear gradient of 1 unit per decile over equal populations gives
    an SII of 10 (the gap between the fitted ends of the population range):

    >>> import numpy as np
    >>> res = slope_index_of_inequality(
    ...     np.arange(1, 11), np.full(10, 1000), np.arange(70.0, 80.0),
    ...     se=np.full(10, 0.5), rng=np.random.default_rng(1), repetitions=10_000)
    >>> round(res.sii, 6), round(res.intercept, 6), round(res.rii, 6)
    (10.0, 69.5, 1.143885)
    >>> lo, hi = res.sii_ci[0.95]
    >>> bool(lo < 10 < hi)
    True
    """
    rng = _check_run(rng, multiplier, repetitions)
    levels = _normalise_confidence(confidence)
    _q, pop, val, se_ = _validate_inputs(
        quantile, population, value, count, se, lower_cl, upper_cl,
        value_type, transform, cl_confidence,
    )  # fmt: skip
    proj = _projection(pop)
    m, reps = float(multiplier), int(repetitions)
    t_val = _transform(val, value_type)
    sim_icpt, sim_slope = _simulated_fits(rng, t_val, se_, proj, reps, value_type, transform)
    if not transform:
        sii, rii, intercept, sii_ci, rii_ci = _natural(
            val @ proj, (sim_icpt, sim_slope), levels, reps, m
        )
    else:
        sii, rii, intercept, sii_ci, rii_ci = _transformed(
            t_val @ proj, _limits(sim_slope, levels, reps), m, value_type
        )

    return SIIResult(
        sii=float(sii),
        rii=float(rii),
        intercept=float(intercept),
        sii_ci=sii_ci,
        rii_ci=rii_ci,
        value_type=value_type,
        transform=bool(transform),
        multiplier=m,
        repetitions=reps,
    )


def _ci_label(level: float) -> str:
    """Column suffix for a level, as upstream: 0.95 -> '95_0', 0.998 -> '99_8'."""
    return f"{level * 100:.1f}".replace(".", "_")


def _check_group_columns(data: pd.DataFrame, keys: list[str], named: dict[str, str | None]) -> None:
    """The named columns exist, are numeric, and the uncertainty columns are complete."""
    missing_cols = [c for c in [*keys, *(v for v in named.values() if v)] if c not in data]
    if missing_cols:
        raise KeyError(f"columns not found in data: {missing_cols}")
    for arg, col in named.items():
        if col is not None and not pd.api.types.is_numeric_dtype(data[col]):
            raise TypeError(f"column {col!r} ({arg}) must be numeric; got {data[col].dtype}")
    for arg in ("se", "lower_cl", "upper_cl"):
        col = named[arg]
        if col is not None and data[col].isna().any():
            raise ValueError(f"missing values in the {arg} column {col!r}; fill or drop them")


def _group_row(keys: list[str], key: Hashable, res: SIIResult) -> dict[str, object]:
    """One group's row of :func:`sii_by_group`: its keys, estimates and limits."""
    key_values = key if isinstance(key, tuple) else (key,)
    row: dict[str, object] = dict(zip(keys, key_values, strict=True))
    row.update(sii=res.sii, rii=res.rii, intercept=res.intercept)
    for c in res.sii_ci:
        label = _ci_label(c)
        row[f"sii_lower_{label}"], row[f"sii_upper_{label}"] = res.sii_ci[c]
        row[f"rii_lower_{label}"], row[f"rii_upper_{label}"] = res.rii_ci[c]
    return row


def _warn_once(caught: list[warnings.WarningMessage], dropped: list[object]) -> None:
    """One instability warning for the call, not one per group; and the dropped groups."""
    seen: set[str] = set()
    for w in caught:
        if str(w.message) not in seen:
            seen.add(str(w.message))
            warnings.warn(w.message, w.category, stacklevel=3)
    if dropped:
        warnings.warn(
            f"some records have been removed due to incomplete or invalid data: "
            f"{len(dropped)} group(s) dropped ({dropped[:5]}) because a quantile is absent "
            "or its population or value is missing",
            UserWarning,
            stacklevel=3,
        )


def sii_by_group(
    data: pd.DataFrame,
    *,
    quantile: str,
    population: str,
    value: str | None = None,
    by: str | Sequence[str] | None = None,
    count: str | None = None,
    se: str | None = None,
    lower_cl: str | None = None,
    upper_cl: str | None = None,
    rng: np.random.Generator | None = None,
    **options: object,
) -> pd.DataFrame:
    """SII/RII for each group of a long table, as ``phe_sii`` on a grouped frame.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per group and quantile.
    quantile, population : str
        Column names of the quantile label (1 = most deprived) and population.
    value, count, se, lower_cl, upper_cl : str, optional
        Column names passed to :func:`slope_index_of_inequality`.
    by : str or sequence of str, optional
        Grouping columns; None treats ``data`` as one group.
    rng : numpy.random.Generator, optional
        Shared by all groups, in group order.
    **options
        Further keyword arguments of :func:`slope_index_of_inequality`
        (``value_type``, ``multiplier``, ``repetitions``, ``confidence``,
        ``transform``, ``cl_confidence``).

    Returns
    -------
    pandas.DataFrame
        One row per complete group: the ``by`` columns, ``sii``, ``rii``,
        ``intercept`` and ``sii_lower_95_0``, ``sii_upper_95_0``,
        ``rii_lower_95_0``, ``rii_upper_95_0`` (one set per confidence level).

    Raises
    ------
    KeyError
        If a named column is not in ``data``.
    ValueError
        For invalid data, including missing standard errors or confidence limits.
    TypeError
        If ``data`` is not a DataFrame.

    Warns
    -----
    UserWarning
        When groups are dropped because their quantile set is incomplete (a
        quantile absent, or its population or value missing), and with more than
        10 quantiles.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"area": ["A"] * 5 + ["B"] * 5, "q": [1, 2, 3, 4, 5] * 2,
    ...                    "pop": 100, "le": [70, 71, 72, 73, 74, 80, 79, 78, 77, 76],
    ...                    "se": 0.5})
    >>> out = sii_by_group(df, by="area", quantile="q", population="pop", value="le",
    ...                    se="se", repetitions=1000, rng=np.random.default_rng(0))
    >>> print(out[["area", "sii"]].round(6).to_string(index=False))
    area  sii
       A  5.0
       B -5.0
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    named = {
        "quantile": quantile, "population": population, "value": value, "count": count,
        "se": se, "lower_cl": lower_cl, "upper_cl": upper_cl,
    }  # fmt: skip
    _check_group_columns(data, keys, named)
    if rng is None:
        rng = generator(DEFAULT_SEED, "sii")

    n_quantiles = data[quantile].nunique()
    if not _MIN_QUANTILES <= n_quantiles <= _MAX_QUANTILES:
        raise ValueError(
            f"the number of quantiles must be between {_MIN_QUANTILES} and {_MAX_QUANTILES};"
            f" got {n_quantiles}"
        )
    # the indicator's own columns: missing here means an incomplete group, not bad input
    core = [c for c in (quantile, population, value if value else count) if c]
    groups: list[tuple[Hashable, pd.DataFrame]] = (
        list(data.groupby(keys, sort=True, dropna=False)) if keys else [((), data)]
    )
    optional_cols = {"count": count, "se": se, "lower_cl": lower_cl, "upper_cl": upper_cl}
    rows: list[dict[str, object]] = []
    dropped: list[object] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for key, frame in groups:
            if frame[core].isna().any().any() or frame[quantile].nunique() != n_quantiles:
                dropped.append(key)
                continue
            columns = {k: frame[c].to_numpy() for k, c in optional_cols.items() if c is not None}
            res = slope_index_of_inequality(
                frame[quantile].to_numpy(),
                frame[population].to_numpy(),
                None if value is None else frame[value].to_numpy(),
                rng=rng,
                **columns,  # type: ignore[arg-type]
                **options,  # type: ignore[arg-type]
            )
            rows.append(_group_row(keys, key, res))
    _warn_once(caught, dropped)
    return pd.DataFrame(rows, columns=None if rows else [*keys, "sii", "rii", "intercept"])
