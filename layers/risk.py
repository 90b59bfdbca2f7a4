"""A documented, deliberately simple risk model for synthetic individuals.

Each person gets two probabilities that depend on age and on the IMD decile of the
LSOA they live in, and a drawn risk tier.

Multimorbidity (two or more long-term conditions)
    Age gradient from Barnett et al. (2012), 1.75 million people registered with
    314 Scottish practices, 40 conditions: 23.2% of all patients were multimorbid;
    about 65% of those aged 65-84 and about 82% of those aged 85+ were. The
    band values used, :data:`MULTIMORBIDITY_BY_AGE`, are approximately those of the
    paper's age bands (0-24, 25-44, 45-64, 65-84, 85+), placed at the band
    mid-points and interpolated linearly (flat beyond the ends). Applied to the
    England mid-2020 age structure they give about 24% overall and 64% at 65+.
    Deprivation: "onset of multimorbidity occurred 10-15 years earlier in people
    living in the most deprived areas compared with the most affluent" (same paper).
    This is modelled as an age shift: a person in IMD decile ``d`` is given the
    prevalence of someone ``DEPRIVATION_AGE_GAP * (5.5 - d) / 9`` years older, so
    decile 1 is 12.5 years "older" than decile 10 (the middle of 10-15) and the
    middle deciles are unshifted. Unknown decile (Welsh or unknown address): no shift.

Frailty (moderate or severe, electronic Frailty Index > 0.24)
    Clegg et al. (2016) built the eFI from primary care records of people aged
    65-95 with cut-points fit <= 0.12 < mild <= 0.24 < moderate <= 0.36 < severe;
    in their cohort about 50% were fit, 35% mildly, 12% moderately and 3% severely
    frail, so about 15% moderate or severe. Here the probability is 0 below 65 (the
    eFI is defined from 65) and, from 65, a logistic curve in the deprivation-shifted
    age with slope :data:`FRAILTY_LOGIT_SLOPE` per year (odds x2.5 a decade, an
    assumption) and intercept :data:`FRAILTY_LOGIT_AT_65`, calibrated so that the
    England mid-2020 population aged 65+ averages 15%. It is capped at the
    multimorbidity probability, since frailty by eFI implies accumulated conditions.

Cross-check: Kingston et al. (2018, PACSim, England) estimate 2+ of 11 diseases in
45.7% of people aged 65-74 in 2015 and 4+ in 9.8% of those 65+; Barnett's 40-condition
count gives higher prevalence, so this model sits at the high end for "2+".

Risk tier (drawn with ``rng``, one uniform ``u`` per person, so the two outcomes are
nested and both marginal probabilities are exact):

* ``"high"``: moderate or severe frailty, ``u < p_frailty`` (eFI > 0.24);
* ``"rising"``: multimorbid (2+ conditions) but not frail, ``p_frailty <= u < p_multimorbidity``;
* ``"low"``: neither.

Over England this gives roughly 76% low, 21% rising and 3% high, the shape of the
Kaiser Permanente pyramid used in NHS long-term-conditions planning.

All figures are approximations for planning with synthetic data, not clinical
estimates: Scottish prevalence by Scottish deprivation is applied to English IMD.

References
----------
Barnett K, Mercer SW, Norbury M, Watt G, Wyke S, Guthrie B. Epidemiology of
multimorbidity and implications for health care, research, and medical education:
a cross-sectional study. Lancet 2012;380:37-43. doi:10.1016/S0140-6736(12)60240-2

Clegg A, Bates C, Young J, et al. Development and validation of an electronic frailty
index using routine primary care electronic health record data. Age Ageing
2016;45:353-360. doi:10.1093/ageing/afw039

Kingston A, Robinson L, Booth H, Knapp M, Jagger C; MODEM project. Projections of
multi-morbidity in the older population in England to 2035: estimates from the
Population Ageing and Care Simulation (PACSim) model. Age Ageing 2018;47:374-380.
doi:10.1093/ageing/afx201
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.ages import MAX_AGE
from layers.deprivation import is_core20
from layers.disclosure import shares_from_rounded, suppress_counts
from layers.individuals import aggregate_individuals

__all__ = [
    "DEPRIVATION_AGE_GAP",
    "FRAILTY_AGE_MIN",
    "FRAILTY_LOGIT_AT_65",
    "FRAILTY_LOGIT_SLOPE",
    "MULTIMORBIDITY_BY_AGE",
    "RISK_TIERS",
    "assign_risk",
    "deprivation_age_shift",
    "frailty_probability",
    "multimorbidity_probability",
    "risk_tier_counts",
    "risk_tier_table",
]

#: ``(age, prevalence)`` anchors for 2+ conditions: Barnett et al. (2012) bands
#: 0-24, 25-44, 45-64, 65-84, 85+ at their mid-points (85+ taken at 89).
MULTIMORBIDITY_BY_AGE: Final = (
    (12.0, 0.019),
    (34.5, 0.113),
    (54.5, 0.304),
    (74.5, 0.649),
    (89.0, 0.815),
)
#: Years by which multimorbidity onset in IMD decile 1 precedes decile 10.
DEPRIVATION_AGE_GAP: Final = 12.5
#: Youngest age at which frailty is modelled (the eFI population is 65+).
FRAILTY_AGE_MIN: Final = 65
#: Log-odds of moderate/severe frailty at (shifted) age 65.
FRAILTY_LOGIT_AT_65: Final = -2.79
#: Increase in log-odds of moderate/severe frailty per year of (shifted) age.
FRAILTY_LOGIT_SLOPE: Final = 0.09
#: Tiers, lowest risk first (the order of the categorical ``risk_tier``).
RISK_TIERS: Final = ("low", "rising", "high")


# --------------------------------------------------------------------------- model


def _deciles(imd_decile: object, shape: tuple[int, ...]) -> np.ndarray:
    """Return deciles as float64 with NaN for missing, checking the range."""
    if isinstance(imd_decile, pd.Series | pd.api.extensions.ExtensionArray):
        arr = pd.array(imd_decile, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan)
    else:
        try:
            arr = np.asarray(imd_decile, dtype="float64")
        except (TypeError, ValueError):
            raise TypeError("imd_decile must be numeric (1-10, NaN for unknown)") from None
    arr = np.broadcast_to(arr, shape) if arr.ndim == 0 else arr
    if arr.shape != shape:
        raise ValueError(f"imd_decile has shape {arr.shape}, age has shape {shape}")
    known = ~np.isnan(arr)
    if ((arr[known] < 1) | (arr[known] > 10) | (arr[known] != np.floor(arr[known]))).any():
        raise ValueError("imd_decile values must be whole numbers from 1 to 10 (or missing)")
    return arr


def _ages(age: object) -> np.ndarray:
    arr = np.asarray(age)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"age must be numeric, got dtype {arr.dtype}")
    arr = arr.astype("float64")
    if np.isnan(arr).any() or (arr < 0).any() or (arr > MAX_AGE).any():
        raise ValueError(f"age must be between 0 and {MAX_AGE} with no missing values")
    return arr


def deprivation_age_shift(imd_decile: object) -> np.ndarray:
    """Years added to age for deprivation: +6.25 in decile 1 to -6.25 in decile 10.

    Parameters
    ----------
    imd_decile : array-like
        IMD deciles 1-10; NaN / ``<NA>`` for unknown (shift 0).

    Returns
    -------
    numpy.ndarray
        ``float64`` shifts, same shape.

    Raises
    ------
    TypeError, ValueError
        If deciles are not numeric or outside 1-10.

    Examples
    --------
    >>> deprivation_age_shift([1, 5, 10, np.nan]).round(3).tolist()
    [6.25, 0.694, -6.25, 0.0]
    """
    arr = np.asarray(imd_decile) if not isinstance(imd_decile, pd.Series) else imd_decile
    shape = np.shape(arr)
    d = _deciles(imd_decile, shape)
    return np.where(np.isnan(d), 0.0, DEPRIVATION_AGE_GAP * (5.5 - d) / 9.0)


def _mm_curve(effective_age: np.ndarray) -> np.ndarray:
    xs, ys = zip(*MULTIMORBIDITY_BY_AGE, strict=True)
    return np.interp(effective_age, xs, ys)


def multimorbidity_probability(age: object, imd_decile: object = np.nan) -> np.ndarray:
    """Modelled probability of two or more long-term conditions.

    Parameters
    ----------
    age : array-like
        Ages 0-90.
    imd_decile : array-like or scalar, default NaN (unknown)
        IMD decile per person (1 = most deprived).

    Returns
    -------
    numpy.ndarray
        ``float64`` probabilities; non-decreasing in age and in deprivation.

    Raises
    ------
    TypeError, ValueError
        On non-numeric or out-of-range ages or deciles.

    Examples
    --------
    >>> multimorbidity_probability([5, 40, 60, 80, 90]).round(3).tolist()
    [0.019, 0.166, 0.399, 0.712, 0.815]
    >>> multimorbidity_probability([50, 50], [1, 10]).round(3).tolist()
    [0.334, 0.201]
    """
    a = _ages(age)
    return _mm_curve(a + deprivation_age_shift(_deciles(imd_decile, a.shape)))


def frailty_probability(age: object, imd_decile: object = np.nan) -> np.ndarray:
    """Modelled probability of moderate or severe frailty (eFI > 0.24).

    Parameters
    ----------
    age, imd_decile
        As for :func:`multimorbidity_probability`, which raises the same errors.

    Returns
    -------
    numpy.ndarray
        ``float64`` probabilities: 0 below :data:`FRAILTY_AGE_MIN`, then increasing in
        age and in deprivation, never above :func:`multimorbidity_probability`.

    Examples
    --------
    >>> frailty_probability([40, 65, 75, 85, 90]).round(3).tolist()
    [0.0, 0.058, 0.131, 0.271, 0.368]
    """
    a = _ages(age)
    eff = a + deprivation_age_shift(_deciles(imd_decile, a.shape))
    logit = FRAILTY_LOGIT_AT_65 + FRAILTY_LOGIT_SLOPE * (eff - FRAILTY_AGE_MIN)
    p = np.where(a >= FRAILTY_AGE_MIN, 1.0 / (1.0 + np.exp(-logit)), 0.0)
    return np.minimum(p, _mm_curve(eff))


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Probability lookup tables indexed [decile (0 = unknown), age]."""
    ages = np.arange(MAX_AGE + 1, dtype=np.float64)
    deciles = np.array([np.nan, *range(1, 11)])
    grid_a = np.broadcast_to(ages, (11, MAX_AGE + 1))
    grid_d = np.broadcast_to(deciles[:, None], (11, MAX_AGE + 1))
    return (
        multimorbidity_probability(grid_a, grid_d),
        frailty_probability(grid_a, grid_d),
    )


def assign_risk(individuals: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Give each individual modelled probabilities and a drawn risk tier.

    Parameters
    ----------
    individuals : pandas.DataFrame
        At least ``age`` (whole years 0-90) and ``imd_decile`` (1-10, missing allowed),
        e.g. from :func:`layers.individuals.generate_individuals`.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    pandas.DataFrame
        A copy with ``p_multimorbidity`` and ``p_frailty`` (float32) and ``risk_tier``
        (ordered categorical ``low`` < ``rising`` < ``high``); existing columns of those
        names are replaced.

    Raises
    ------
    TypeError
        If ``individuals`` is not a DataFrame or ``rng`` not a Generator.
    ValueError
        If ``age``/``imd_decile`` are missing or out of range.

    Examples
    --------
    >>> people = pd.DataFrame({"age": [10, 70, 90, 90], "imd_decile": [5, 1, 1, 10]})
    >>> out = assign_risk(people, np.random.default_rng(3))
    >>> out["p_frailty"].astype(float).round(2).tolist()
    [0.0, 0.14, 0.51, 0.25]
    >>> out["risk_tier"].cat.categories.tolist()
    ['low', 'rising', 'high']
    """
    require_frame(individuals, ("age", "imd_decile"), "individuals")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    age = _ages(individuals["age"].to_numpy())
    if (age != np.floor(age)).any():
        raise ValueError("age must be whole years")
    dec = _deciles(individuals["imd_decile"], age.shape)
    dec_idx = np.where(np.isnan(dec), 0, dec).astype(np.intp)
    age_idx = age.astype(np.intp)
    mm_table, frail_table = _tables()
    p_mm = mm_table[dec_idx, age_idx].astype(np.float32)
    p_fr = frail_table[dec_idx, age_idx].astype(np.float32)
    u = rng.random(len(age), dtype=np.float32)
    tier = np.where(u < p_fr, 2, np.where(u < p_mm, 1, 0)).astype(np.int8)
    out = individuals.copy()
    out["p_multimorbidity"] = p_mm
    out["p_frailty"] = p_fr
    out["risk_tier"] = pd.Categorical.from_codes(tier, categories=list(RISK_TIERS), ordered=True)
    return out


# --------------------------------------------------------------------------- aggregates


def risk_tier_counts(
    individuals: pd.DataFrame | Iterable[pd.DataFrame],
    by: str = "practice_code",
    mapping: pd.DataFrame | None = None,
    *,
    numeric: bool = False,
) -> pd.DataFrame:
    """Disclosure-controlled counts of people by risk tier, per practice, PCN or place.

    Parameters
    ----------
    individuals : pandas.DataFrame or iterable of pandas.DataFrame
        Individuals with ``risk_tier`` and ``imd_decile`` (see :func:`assign_risk`),
        or chunks of them.
    by : str, default "practice_code"
        The unit: a column of the individuals (``practice_code``, ``lsoa_code``) or a
        column of ``mapping`` (``pcn_code``, ``place_code``, ``icb_code``...).
    mapping : pandas.DataFrame, optional
        One row per ``practice_code`` with the ``by`` column. Practices missing from
        it are counted under a missing unit, never dropped.
    numeric : bool, default False
        False: display values (``"*"`` strings and ints / floats); True: floats with NaN.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``by``; ``low``, ``rising``, ``high`` and ``total`` (total
        from the unrounded counts, then rounded); ``<tier>_imd_1_2``, the people in
        the tier living in IMD deciles 1-2; ``<tier>_imd_1_2_pct``, that count as a
        percentage of the tier, computed from the rounded counts. All counts follow
        :mod:`layers.disclosure`; no individual rows are returned.

    Raises
    ------
    TypeError
        If arguments have the wrong type.
    ValueError
        If ``risk_tier`` or ``imd_decile`` is missing (run :func:`assign_risk` first),
        or ``by`` is neither a column of the individuals nor of ``mapping``.

    Examples
    --------
    >>> people = pd.DataFrame({
    ...     "practice_code": ["A"] * 40 + ["B"] * 3,
    ...     "imd_decile": [1] * 20 + [9] * 20 + [2] * 3,
    ...     "risk_tier": pd.Categorical(["low"] * 30 + ["rising"] * 10 + ["high"] * 3,
    ...                                 categories=RISK_TIERS, ordered=True)})
    >>> pcns = pd.DataFrame({"practice_code": ["A", "B"], "pcn_code": ["U1", "U1"]})
    >>> risk_tier_counts(people)[["practice_code", "low", "rising", "high", "total"]]
      practice_code low rising high total
    0             A  30     10    0    40
    1             B   0      0    *     *
    >>> risk_tier_counts(people, "pcn_code", pcns).loc[0, ["high", "low_imd_1_2_pct"]].tolist()
    ['*', 66.7]
    """
    if not isinstance(by, str):
        raise TypeError(f"by must be a column name (str), got {type(by).__name__}")
    if isinstance(individuals, pd.DataFrame):
        for col in ("risk_tier", "imd_decile"):
            if col not in individuals.columns:
                raise ValueError(f"individuals has no {col!r} column; run assign_risk first")
        if by not in individuals.columns and (mapping is None or by not in mapping.columns):
            raise ValueError(
                f"by={by!r} is not a column of the individuals; pass a mapping DataFrame "
                "with practice_code and that column"
            )
    if mapping is not None:
        if not isinstance(mapping, pd.DataFrame):
            raise TypeError(f"mapping must be a DataFrame, got {type(mapping).__name__}")
        if "practice_code" not in mapping.columns:
            raise ValueError("mapping must have a practice_code column")
    raw = aggregate_individuals(
        individuals, [by, "risk_tier", "imd_decile"], practice_lookup=mapping
    )
    return risk_tier_table(raw, by, numeric=numeric)


def risk_tier_table(counts: pd.DataFrame, by: str, *, numeric: bool = False) -> pd.DataFrame:
    """Build the :func:`risk_tier_counts` table from unrounded aggregate counts.

    Use this when the counts were made in one pass over England's chunks with
    :func:`layers.individuals.aggregate_individuals_many`.

    Parameters
    ----------
    counts : pandas.DataFrame
        Unrounded counts with columns ``by``, ``risk_tier``, ``imd_decile``, ``people``
        (e.g. ``aggregate_individuals(people, [by, "risk_tier", "imd_decile"])``).
    by : str
        The unit column.
    numeric : bool, default False
        As :func:`risk_tier_counts`.

    Returns
    -------
    pandas.DataFrame
        As :func:`risk_tier_counts`.

    Raises
    ------
    TypeError
        If ``counts`` is not a DataFrame or ``by`` not a str.
    ValueError
        If columns are missing or ``risk_tier`` holds values other than the tiers.

    Examples
    --------
    >>> counts = pd.DataFrame({"icb_code": ["QGH"] * 3, "risk_tier": ["low", "high", "high"],
    ...                        "imd_decile": [1, 1, 6], "people": [600, 9, 21]})
    >>> risk_tier_table(counts, "icb_code")[["low", "high", "total", "high_imd_1_2_pct"]]
       low high total high_imd_1_2_pct
    0  600   30   630             33.3
    """
    if not isinstance(by, str):
        raise TypeError(f"by must be a column name (str), got {type(by).__name__}")
    require_frame(counts, (by, "risk_tier", "imd_decile", "people"), "counts")
    raw = counts[[by, "risk_tier", "imd_decile", "people"]].copy()
    tiers = list(RISK_TIERS)
    unknown = set(raw["risk_tier"].dropna().astype(str)) - set(tiers)
    if unknown or raw["risk_tier"].isna().any():
        raise ValueError(f"risk_tier must be one of {tiers}; found {sorted(unknown) or 'missing'}")
    raw["risk_tier"] = pd.Categorical(raw["risk_tier"].astype(str), categories=tiers)
    deprived = is_core20(raw["imd_decile"]).to_numpy(dtype=bool)

    def _pivot(frame: pd.DataFrame) -> pd.DataFrame:
        sums = frame.groupby([by, "risk_tier"], observed=False, dropna=False, sort=True)[
            "people"
        ].sum()
        return sums.unstack("risk_tier", fill_value=0).reindex(columns=tiers, fill_value=0)

    all_units = _pivot(raw)
    dep_units = _pivot(raw.loc[deprived]).reindex(all_units.index, fill_value=0)
    tier_counts = all_units.astype(np.int64).rename_axis(columns=None).reset_index()
    dep = dep_units.astype(np.int64).rename_axis(columns=None).reset_index(drop=True)

    out = suppress_counts(tier_counts, tiers, numeric=numeric, total="total")
    for tier in tiers:
        out[f"{tier}_imd_1_2"] = suppress_counts(dep[tier], numeric=numeric).to_numpy()
    for tier in tiers:
        out[f"{tier}_imd_1_2_pct"] = shares_from_rounded(
            dep[tier].to_numpy(), tier_counts[tier].to_numpy(), numeric=numeric
        ).to_numpy()
    return out
