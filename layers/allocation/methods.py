"""Allocation methods: share an ICS budget down the tiers, ICS → places → PCNs → practices.

Every method reads the same practice-level frame (see :func:`validate_practices`) and a
service catalogue, and returns *allocations*: one row per practice and service, in whole
pence. Each service's money is apportioned to places, then to PCNs within each place,
then to practices within each PCN, with a largest-remainder step at every tier. So the
pence add up exactly to the service total, and the services to the budget, at every
tier. A practice in no PCN stands as its own unit at the PCN tier: it is allocated
directly and stays visible.

Methods are registered by name in :data:`METHODS`; :func:`allocate` looks them up.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.format import excerpt, pounds

from ._docs import allocation_doc
from .catalogue import (
    COMPONENT_COLUMNS,
    OVERALL_COLUMN,
    POPULATION_COLUMN,
    _quoted,
    validate_catalogue,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "DEPRIVATION_SCALES",
    "LEVELS",
    "LEVEL_NAMES",
    "MAX_POUNDS",
    "METHODS",
    "METHOD_NAMES",
    "allocate",
    "budget_to_pence",
    "equal_per_head",
    "example_practices",
    "inequality_level_up",
    "inequality_zero_sum",
    "largest_remainder",
    "pounds_amount",
    "pounds_to_pence",
    "validate_parameters",
    "validate_practices",
    "weighted_capitation",
]

#: Levels at which allocations are reported, from coarse to fine.
LEVELS: tuple[str, ...] = ("place", "pcn", "practice")
#: The levels in words.
LEVEL_NAMES: dict[str, str] = {"place": "Place", "pcn": "PCN", "practice": "Practice"}

#: How a practice-level deprivation column is read: ``"share"`` is a share of patients
#: in 0-1 where 1 is most deprived (e.g. the Core20 share), ``"imd_decile"`` is a
#: (patient-weighted) IMD decile in 1-10 where 1 is most deprived.
DEPRIVATION_SCALES: tuple[str, ...] = ("share", "imd_decile")

#: Columns of the frame every method returns.
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "practice_code",
    "pcn_code",
    "place_code",
    "unit_code",
    "service",
    "tier",
    "component",
    "pence",
    "exact_pence",
)

_KEYS = ("practice_code", "pcn_code", "place_code")

#: Largest amount of money accepted anywhere (a budget, a row of a budgets file): £1
#: trillion, several times NHS England's whole budget (about £165bn in 2022/23). In pence
#: it stays well inside the integers a float holds exactly (2**53).
MAX_POUNDS: Final = 10**12

# Pounds as text: an optional minus (before or after the £), then digits with thousands
# commas only in their places (1,250,000) or none (1250000), then optional decimals.
_POUNDS_TEXT: Final = re.compile(
    r"^(-?)\s*£?\s*(-?)\s*((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{0,20})?|\.[0-9]{1,20})$"
)


# --------------------------------------------------------------------------- inputs


def validate_practices(practices: pd.DataFrame, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check the practice-level frame with its unit mapping and return a clean copy.

    Parameters
    ----------
    practices : DataFrame
        One row per practice: ``practice_code`` (unique), ``pcn_code`` (None or NaN for a
        practice in no PCN), ``place_code``, plus numeric columns such as the
        ``weighted_populations`` columns (``wp_population``, ``wp_general_acute``, ...).
    columns : tuple of str, optional
        Numeric columns that must be present, ≥ 0 and numeric.

    Returns
    -------
    DataFrame
        A copy with a fresh index, codes as str (``pcn_code`` None when in no PCN) and
        the requested numeric columns as float, missing values read as 0 (NHS England
        leaves the maternity weighted population blank for a few tiny practices).

    Raises
    ------
    TypeError
        If ``practices`` is not a DataFrame.
    ValueError
        If a column is missing, there are no practices, a practice code is blank or
        repeated, a practice has no place, or a numeric column holds text or a
        negative number.

    Examples
    --------
    >>> from layers.allocation.methods import example_practices, validate_practices
    >>> validate_practices(example_practices(), ("wp_core",))["wp_core"].tolist()
    [1200.0, 1800.0, 1000.0]
    """
    require_frame(practices, (*_KEYS, *columns), "practices")
    if len(practices) == 0:
        raise ValueError("practices has no rows; expected at least one practice")
    # Work on numpy arrays and assign once: pandas per-column overhead dominates here.
    codes = practices["practice_code"].to_numpy(dtype=object)
    if any(c is None or c != c or not str(c).strip() for c in codes):
        raise ValueError("practices has a blank practice_code; every practice needs a code")
    codes = np.array([str(c) for c in codes], dtype=object)
    unique, counts = np.unique(codes, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            f"practice_code is repeated: {_quoted(unique[counts > 1][:5])}; codes must be unique"
        )
    places = practices["place_code"].to_numpy(dtype=object)
    no_place = pd.isna(places)
    if no_place.any():
        raise ValueError(
            f"practice(s) {_quoted(codes[no_place][:5])} have no place_code; "
            "give every practice a place"
        )
    pcns = practices["pcn_code"].to_numpy(dtype=object)
    # Object dtype keeps None (no PCN) as None; pandas would otherwise infer str and NaN.
    new: dict[str, object] = {
        "practice_code": codes,
        "place_code": np.array([str(v) for v in places], dtype=object),
        "pcn_code": pd.Series(
            [None if v is None or v != v else str(v) for v in pcns], dtype=object
        ),
    }
    for column in columns:
        values = practices[column]
        if not pd.api.types.is_numeric_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce")
            bad = (numbers.isna() & values.notna()).to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"column {column!r} holds {values.iloc[i]!r} for practice "
                    f"{codes[i]!r}; expected a number"
                )
            values = numbers
        array = values.to_numpy(dtype=float, na_value=np.nan)
        array = np.where(np.isnan(array), 0.0, array)
        if (array < 0).any():
            i = int(np.flatnonzero(array < 0)[0])
            raise ValueError(
                f"column {column!r} is negative ({array[i]:g}) for practice "
                f"{codes[i]!r}; expected a number ≥ 0"
            )
        new[column] = array
    return practices.reset_index(drop=True).assign(**new)


def pounds_amount(value: object) -> Decimal:
    """Pounds as an exact Decimal, from a number or text such as ``"£1,250,000.50"``.

    Text may carry a ``£`` sign and thousands commas, but only in their places: ``"1,5"``
    is not a number of pounds. Amounts range from £0 to :data:`MAX_POUNDS`.

    Parameters
    ----------
    value : int, float, Decimal or str
        The amount.

    Returns
    -------
    Decimal
        The amount in pounds (not rounded).

    Raises
    ------
    TypeError
        If ``value`` is not a number or text (``True`` is not a number).
    ValueError
        With a reason that reads after the value: ``"is blank"``, ``"is not a number"``,
        ``"is not a finite number"``, ``"is negative; expected £0 or more"`` or
        ``"is more than £1,000,000,000,000, the largest amount accepted"``.

    Examples
    --------
    >>> from layers.allocation.methods import pounds_amount
    >>> pounds_amount("£1,250,000.50"), pounds_amount(7)
    (Decimal('1250000.50'), Decimal('7'))
    >>> pounds_amount("1,5")
    Traceback (most recent call last):
    ...
    ValueError: is not a number
    """
    if isinstance(value, bool) or not isinstance(
        value, (int, float, Decimal, str, np.integer, np.floating)
    ):
        raise TypeError(f"is not a number of pounds ({type(value).__name__})")
    if isinstance(value, (int, np.integer)):
        # Compared as a whole number first: Decimal() of a 5,000-digit int is slow.
        amount = Decimal(min(max(int(value), -1), MAX_POUNDS + 1))
    elif isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError("is not a finite number")
        amount = Decimal(repr(float(value)))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("is not a finite number")
        amount = value
    else:
        text = value.strip()
        if not text:
            raise ValueError("is blank")
        match = _POUNDS_TEXT.match(text)
        if not match or (match.group(1) and match.group(2)):
            raise ValueError("is not a number")
        amount = Decimal(match.group(3).replace(",", ""))
        if match.group(1) or match.group(2):
            amount = -amount
    if amount < 0:
        raise ValueError("is negative; expected £0 or more")
    if amount > MAX_POUNDS:
        raise ValueError(f"is more than {pounds(MAX_POUNDS)}, the largest amount accepted")
    return amount


def pounds_to_pence(value: object) -> int:
    """Whole pence from pounds (see :func:`pounds_amount`), rounded half up to the penny.

    Examples
    --------
    >>> from layers.allocation.methods import pounds_to_pence
    >>> pounds_to_pence("£1,000"), pounds_to_pence(0.125)
    (100000, 13)
    """
    return int((pounds_amount(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def budget_to_pence(budget: object) -> int:
    """Convert a budget in pounds to whole pence, refusing fractions of a penny.

    Parameters
    ----------
    budget : int, float, Decimal or str
        Pounds, from £0 to :data:`MAX_POUNDS`, with at most two decimal places. Text
        follows :func:`pounds_amount` (``£`` and thousands commas allowed).

    Returns
    -------
    int
        The budget in pence.

    Raises
    ------
    TypeError
        If ``budget`` is not a number or numeric text.
    ValueError
        If it is negative, not finite, more than :data:`MAX_POUNDS`, not a number, or
        has fractions of a penny.

    Examples
    --------
    >>> from layers.allocation.methods import budget_to_pence
    >>> budget_to_pence(1234.5), budget_to_pence("0.07")
    (123450, 7)
    >>> budget_to_pence(1e307)
    Traceback (most recent call last):
    ...
    ValueError: budget 1e+307 is more than £1,000,000,000,000, the largest amount accepted
    """
    if isinstance(budget, bool) or not isinstance(
        budget, (int, float, Decimal, str, np.integer, np.floating)
    ):
        raise TypeError(f"budget must be a number of pounds, got {type(budget).__name__}")
    try:
        amount = pounds_amount(budget)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith("is negative"):
            raise ValueError(f"budget must be ≥ £0, got {excerpt(budget)}") from None
        if reason == "is not a finite number":
            raise ValueError(
                f"budget must be a finite number of pounds, got {excerpt(budget)}"
            ) from None
        if reason == "is not a number":
            reason = "is not a number of pounds (write it like 1250000 or £1,250,000.00)"
        raise ValueError(f"budget {excerpt(budget)} {reason}") from None
    if isinstance(budget, (float, np.floating)):
        scaled = float(budget) * 100
        pence = round(scaled)
        # Floats carry binary noise: accept a whole number of pence give or take that noise.
        if abs(scaled - pence) > 1e-6 + abs(scaled) * 1e-14:
            raise ValueError(f"budget £{budget!r} has fractions of a penny; round it to pence")
        return int(pence)
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"budget £{budget} has fractions of a penny; round it to pence")
    return int(scaled)


def example_practices() -> pd.DataFrame:
    """Return a toy ICS: 3 practices, 2 PCNs, 2 places, with round numbers.

    ===  ====  =====  ==========  =====  =============  ===========  =======  ========
    code PCN   place  population  G&A    primary care   other comps  core     Core20
    ===  ====  =====  ==========  =====  =============  ===========  =======  ========
    A    P1    X      1000        1000   1500           1000         1200     0.0
    B    P1    X      2000        1000   1500           2000         1800     0.5
    C    P2    Y      1000        2000   1000           1000         1000     1.0
    ===  ====  =====  ==========  =====  =============  ===========  =======  ========

    ``ccg21_code`` is C1 for A and C2 for B and C. Used by the doctests and tests.

    Returns
    -------
    DataFrame
        A practice frame accepted by every method.

    Examples
    --------
    >>> from layers.allocation.methods import example_practices
    >>> example_practices()[["practice_code", "pcn_code", "place_code"]]
      practice_code pcn_code place_code
    0             A       P1          X
    1             B       P1          X
    2             C       P2          Y
    """
    population = [1000.0, 2000.0, 1000.0]
    frame = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C"],
            "pcn_code": ["P1", "P1", "P2"],
            "place_code": ["X", "X", "Y"],
            "ccg21_code": ["C1", "C2", "C2"],
            POPULATION_COLUMN: population,
        }
    )
    for column in COMPONENT_COLUMNS.values():
        frame[column] = population
    frame["wp_general_acute"] = [1000.0, 1000.0, 2000.0]
    frame["wp_primary_medical_care_final"] = [1500.0, 1500.0, 1000.0]
    frame[OVERALL_COLUMN] = [1200.0, 1800.0, 1000.0]
    frame["core20_share"] = [0.0, 0.5, 1.0]
    return frame


# --------------------------------------------------------------------------- rounding


def largest_remainder(total: int, weights: np.ndarray | list[float]) -> np.ndarray:
    """Split whole units in proportion to weights so that they sum exactly to ``total``.

    Each part gets the floor of its exact quota; the units left over go, one each, to
    the parts with the largest fractional remainders (ties to the earlier part).

    Parameters
    ----------
    total : int
        Whole units to share, ≥ 0 (pence).
    weights : array-like of float
        Non-negative weights, not all zero unless ``total`` is 0.

    Returns
    -------
    ndarray of int64
        The parts, summing to ``total``.

    Raises
    ------
    ValueError
        If ``total`` is negative, a weight is negative or not finite, or all weights are
        zero while ``total`` is not.

    Examples
    --------
    >>> from layers.allocation.methods import largest_remainder
    >>> largest_remainder(100, [1, 1, 1]).tolist()
    [34, 33, 33]
    """
    w = np.asarray(weights, dtype=float)
    if int(total) != total or total < 0:
        raise ValueError(f"total must be a whole number ≥ 0, got {total!r}")
    if w.ndim != 1 or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be a 1-D array of finite numbers ≥ 0")
    if total > 0 and w.sum() <= 0:
        raise ValueError("weights are all zero, so there is nothing to share in proportion to")
    return _apportion(np.array([int(total)], dtype=np.int64), np.zeros(len(w), np.int64), w)


def _apportion(totals: np.ndarray, groups: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Largest remainder within groups: ``totals[g]`` split over the members of group g."""
    n_groups = len(totals)
    sums = np.bincount(groups, weights, minlength=n_groups)
    empty = sums <= 0
    if (empty & (totals > 0)).any():
        # A group holding money but no weight splits it equally (cannot arise from a
        # parent split, which never rounds money into a weightless group).
        weights = np.where(empty[groups], 1.0, weights)
        sums = np.bincount(groups, weights, minlength=n_groups)
    safe = np.where(sums > 0, sums, 1.0)
    quota = totals[groups] * (weights / safe[groups])
    floor = np.floor(quota)
    remainder = quota - floor
    parts = floor.astype(np.int64)
    short = totals - np.bincount(groups, parts, minlength=n_groups).astype(np.int64)
    order = np.lexsort((np.arange(len(groups)), -remainder, groups))
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, np.arange(n_groups))
    rank = np.arange(len(groups)) - starts[sorted_groups]
    parts[order[rank < short[sorted_groups]]] += 1
    return parts


@dataclass(frozen=True)
class _Units:
    """Integer codes for the tiers of a validated practice frame."""

    frame: pd.DataFrame
    place: np.ndarray  # practice → place index
    sub: np.ndarray  # practice → (place, PCN-or-practice) index
    sub_place: np.ndarray  # sub-unit → place index
    unit_code: np.ndarray  # PCN code, or the practice code when in no PCN
    n_places: int


def _units(frame: pd.DataFrame) -> _Units:
    pcn = frame["pcn_code"].to_numpy(dtype=object)
    codes = frame["practice_code"].to_numpy(dtype=object)
    unit_code = np.where(pd.isna(pcn), codes, pcn)
    place, place_codes = pd.factorize(frame["place_code"], sort=True)
    # A PCN spanning two places is split at the place boundary, so tiers stay nested.
    sub_key = pd.Series(place.astype(str)).str.cat(pd.Series(unit_code, dtype=str), sep="|")
    sub, _ = pd.factorize(sub_key, sort=True)
    sub_place = np.zeros(sub.max() + 1, dtype=np.int64)
    sub_place[sub] = place
    return _Units(
        frame, place.astype(np.int64), sub.astype(np.int64), sub_place, unit_code, len(place_codes)
    )


def _round_down_tiers(
    units: _Units, catalogue: pd.DataFrame, budget_pence: int, weights: np.ndarray
) -> pd.DataFrame:
    """Turn practice × service weights into pence, exact at ICS, place, PCN and practice."""
    n, n_services = weights.shape
    service_totals = largest_remainder(budget_pence, catalogue["share_percent"].to_numpy())
    column_sums = weights.sum(axis=0)
    for s in np.flatnonzero((column_sums <= 0) & (service_totals > 0)):
        service = catalogue["service"].iloc[s]
        raise ValueError(
            f"service {service!r} has no weight anywhere in the ICS (every practice's "
            f"{catalogue['component'].iloc[s]} need or population is zero); "
            "nothing to share it by"
        )
    n_places, n_subs = units.n_places, len(units.sub_place)
    place_w = np.zeros((n_places, n_services))
    np.add.at(place_w, units.place, weights)
    sub_w = np.zeros((n_subs, n_services))
    np.add.at(sub_w, units.sub, weights)
    s_index = np.arange(n_services)
    # Service-major flattening: element (s, k) sits at s * K + k.
    by_place = _apportion(service_totals, np.repeat(s_index, n_places), place_w.T.ravel())
    by_sub = _apportion(
        by_place,
        (s_index[:, None] * n_places + units.sub_place[None, :]).ravel(),
        sub_w.T.ravel(),
    )
    pence = _apportion(
        by_sub, (s_index[:, None] * n_subs + units.sub[None, :]).ravel(), weights.T.ravel()
    )
    safe = np.where(column_sums > 0, column_sums, 1.0)
    exact = (service_totals[:, None] * (weights / safe).T).ravel()
    frame = units.frame
    return pd.DataFrame(
        {
            "practice_code": np.tile(frame["practice_code"].to_numpy(dtype=object), n_services),
            "pcn_code": pd.Series(
                np.tile(frame["pcn_code"].to_numpy(dtype=object), n_services), dtype=object
            ),
            "place_code": np.tile(frame["place_code"].to_numpy(dtype=object), n_services),
            "unit_code": np.tile(units.unit_code, n_services),
            "service": np.repeat(catalogue["service"].to_numpy(dtype=object), n),
            "tier": np.repeat(catalogue["tier"].to_numpy(dtype=object), n),
            "component": np.repeat(catalogue["component"].to_numpy(dtype=object), n),
            "pence": pence,
            "exact_pence": exact,
        }
    )


def _need_weights(frame: pd.DataFrame, catalogue: pd.DataFrame) -> np.ndarray:
    columns = [COMPONENT_COLUMNS[c] for c in catalogue["component"]]
    return frame[columns].to_numpy(dtype=float)


def _prepare(
    practices: pd.DataFrame, catalogue: pd.DataFrame, budget: object, extra: tuple[str, ...]
) -> tuple[_Units, pd.DataFrame, int]:
    cat = validate_catalogue(catalogue)
    columns = tuple(dict.fromkeys([*(COMPONENT_COLUMNS[c] for c in cat["component"]), *extra]))
    frame = validate_practices(practices, columns)
    return _units(frame), cat, budget_to_pence(budget)


# --------------------------------------------------------------------------- methods


@allocation_doc
def equal_per_head(
    practices: pd.DataFrame,
    catalogue: pd.DataFrame,
    budget: object,
    *,
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Share every service by registered population: the same £ per head everywhere.

    It ignores need, which makes it the usual 'current' allocation to measure a formula
    against (see :func:`~layers.allocation.views.distance_from_target`).

    Parameters
    ----------
    practices : DataFrame
        Practice frame (see :func:`validate_practices`).
    %(catalogue_budget)s
    population_column : str, default "wp_population"
        Population to share by: NHS England's registered population for 2022/23, the
        base of its weighted populations. ``"registered_patients"`` also works.

    Returns
    -------
    DataFrame
        Allocations: :data:`ALLOCATION_COLUMNS`, one row per practice and service.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.allocation.methods import equal_per_head, example_practices
    >>> cat = pd.DataFrame({"service": ["Acute", "GP"], "tier": ["ics", "practice"],
    ...     "component": ["general_acute", "primary_medical_care"], "share_percent": [60, 40]})
    >>> out = equal_per_head(example_practices(), cat, 1000)
    >>> out.groupby("practice_code")["pence"].sum().tolist()  # populations 1000:2000:1000
    [25000, 50000, 25000]
    """
    units, cat, pence = _prepare(practices, catalogue, budget, (population_column,))
    population = units.frame[population_column].to_numpy(dtype=float)
    weights = np.repeat(population[:, None], len(cat), axis=1)
    return _round_down_tiers(units, cat, pence, weights)


@allocation_doc
def weighted_capitation(
    practices: pd.DataFrame, catalogue: pd.DataFrame, budget: object
) -> pd.DataFrame:
    """Share each service by its NHS England component weighted population.

    Parameters
    ----------
    practices : DataFrame
        Practice frame (see :func:`validate_practices`) with the weighted-population
        columns of the catalogue's components.
    %(catalogue_budget)s

    Returns
    -------
    DataFrame
        Allocations: :data:`ALLOCATION_COLUMNS`.

    Examples
    --------
    Acute £600 by G&A need 1000:1000:2000 gives 150, 150, 300; GP £400 by primary care
    need 1500:1500:1000 gives 150, 150, 100.

    >>> import pandas as pd
    >>> from layers.allocation.methods import example_practices, weighted_capitation
    >>> cat = pd.DataFrame({"service": ["Acute", "GP"], "tier": ["ics", "practice"],
    ...     "component": ["general_acute", "primary_medical_care"], "share_percent": [60, 40]})
    >>> out = weighted_capitation(example_practices(), cat, 1000)
    >>> (out.groupby("practice_code")["pence"].sum() / 100).tolist()
    [300.0, 300.0, 400.0]
    """
    units, cat, pence = _prepare(practices, catalogue, budget, ())
    return _round_down_tiers(units, cat, pence, _need_weights(units.frame, cat))


def _deprivation(frame: pd.DataFrame, column: str, scale: str) -> np.ndarray:
    """Deprivation intensity in 0-1, 1 = most deprived."""
    if column not in frame.columns:
        raise ValueError(
            f"practices has no deprivation column {column!r}; add it or choose another "
            "deprivation_column"
        )
    raw = frame[column]
    if raw.isna().any():
        lost = frame.loc[raw.isna(), "practice_code"].tolist()
        raise ValueError(
            f"deprivation column {column!r} is missing for practice(s) {_quoted(lost[:5])}; "
            "every practice needs a deprivation value"
        )
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    low, high = (0.0, 1.0) if scale == "share" else (1.0, 10.0)
    bad = np.isnan(values) | (values < low) | (values > high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"deprivation column {column!r} holds {raw.iloc[i]!r} for practice "
            f"{frame['practice_code'].iloc[i]!r}; a {scale!r} must be between {low:g} and {high:g}"
        )
    return values if scale == "share" else (10.0 - values) / 9.0


def _adjust_each_service(
    units: _Units,
    cat: pd.DataFrame,
    pence: int,
    adjust: Callable[[int, np.ndarray, float], np.ndarray],
) -> np.ndarray:
    """Each service's weighted-capitation pence by practice, as ``adjust`` changes them.

    ``adjust(s, b, total)`` gets service ``s``'s index, its weighted-capitation share
    ``b`` of each practice (summing to ``total``, the service's exact pence) and returns
    the adjusted shares. A service with no need weight or no money is not adjusted.
    """
    need = _need_weights(units.frame, cat)
    totals = largest_remainder(pence, cat["share_percent"].to_numpy()).astype(float)
    adjusted = np.empty_like(need)
    for s in range(len(cat)):
        column = need[:, s]
        weight = column.sum()
        if weight <= 0 or totals[s] == 0:
            adjusted[:, s] = column
        else:
            adjusted[:, s] = adjust(s, totals[s] * column / weight, totals[s])
    return adjusted


@allocation_doc
def inequality_zero_sum(
    practices: pd.DataFrame,
    catalogue: pd.DataFrame,
    budget: object,
    *,
    share_percent: float = 5.0,
    deprivation_column: str = "core20_share",
    deprivation_scale: str = "share",
) -> pd.DataFrame:
    """Weighted capitation, then move a share of each service from less to more deprived.

    For each service with weighted-capitation amounts b and deprivation intensities x
    (0-1, 1 = most deprived), let x̄ be the money-weighted ICS mean of x. Practice i
    changes by Δᵢ = k·bᵢ·(xᵢ − x̄), with k set so that the gains add up to
    ``share_percent`` of the service. Practices more deprived than the ICS average gain,
    less deprived ones lose in proportion to how far they are from it, and gains equal
    losses exactly: the adjustment is zero-sum. Use
    :func:`~layers.allocation.views.compare_allocations` against
    :func:`weighted_capitation` to list who gains and who loses.

    Parameters
    ----------
    practices : DataFrame
        Practice frame with the weighted-population columns and ``deprivation_column``.
    %(catalogue_budget)s
    share_percent : float, default 5.0
        Percentage of each service that moves, 0-100.
    %(deprivation)s

    Returns
    -------
    DataFrame
        Allocations: :data:`ALLOCATION_COLUMNS`.

    Raises
    ------
    ValueError
        If every practice is equally deprived (nothing to move towards), or the share
        is so large that a less deprived practice would go below zero; the message gives
        the largest feasible share.

    Examples
    --------
    One service of £1,000 shared by population 1000:2000:1000 → b = 250, 500, 250 with
    Core20 shares 0, 0.5, 1: x̄ = 0.5, so B is unchanged and 10 % (£100) moves from A
    to C.

    >>> import pandas as pd
    >>> from layers.allocation.methods import example_practices, inequality_zero_sum
    >>> cat = pd.DataFrame({"service": ["All"], "tier": ["place"],
    ...     "component": ["community"], "share_percent": [100]})
    >>> out = inequality_zero_sum(example_practices(), cat, 1000, share_percent=10)
    >>> (out["pence"] / 100).tolist()
    [150.0, 500.0, 350.0]
    """
    units, cat, pence = _prepare(practices, catalogue, budget, ())
    x = _deprivation(units.frame, deprivation_column, deprivation_scale)
    codes = units.frame["practice_code"].to_numpy()

    def zero_sum(s: int, b: np.ndarray, total: float) -> np.ndarray:
        mean = float(b @ x) / total
        moved = 0.5 * float(b @ np.abs(x - mean))
        # Compare deprivation levels, not ``moved``: floating-point noise in the mean of
        # equal levels makes ``moved`` a tiny positive number, not zero.
        if np.ptp(x[b > 0]) <= 1e-12:
            raise ValueError(
                f"every practice is equally deprived for service {cat['service'].iloc[s]!r}, "
                "so there is no one to move money towards; use weighted_capitation"
            )
        k = share_percent / 100.0 * total / moved
        factor = 1.0 + k * (x - mean)
        if (factor < -1e-12).any():
            limit = 100.0 * moved / (total * (mean - x.min()))
            i = int(np.argmin(factor))
            raise ValueError(
                f"share_percent {share_percent:g} is too large for a zero-sum adjustment: "
                f"practice {codes[i]!r} would get less than nothing for service "
                f"{cat['service'].iloc[s]!r}; the largest feasible share is {limit:.2f}%"
            )
        return b * np.clip(factor, 0.0, None)

    return _round_down_tiers(units, cat, pence, _adjust_each_service(units, cat, pence, zero_sum))


@allocation_doc
def inequality_level_up(
    practices: pd.DataFrame,
    catalogue: pd.DataFrame,
    budget: object,
    *,
    share_percent: float = 5.0,
    deprivation_column: str = "core20_share",
    deprivation_scale: str = "share",
    threshold: float | None = None,
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Ring-fence a share of each service to level up the most deprived practices.

    ``share_percent`` of each service is held back as a levelling-up fund; the rest is
    shared by weighted capitation, so every practice keeps the same proportion of its
    formula amount and nobody falls below it. The fund goes only to practices more
    deprived than ``threshold``, in proportion to bᵢ·(xᵢ − threshold), where b is the
    weighted-capitation amount and x the deprivation intensity (0-1, 1 = most
    deprived). Against plain weighted capitation of the whole budget, practices at or
    below the threshold each give up the same ``share_percent``; the targeted gain.

    Parameters
    ----------
    practices : DataFrame
        Practice frame with the weighted-population columns, ``deprivation_column`` and
        ``population_column``.
    %(catalogue_budget)s
    share_percent : float, default 5.0
        Percentage of each service put into the fund, 0-100.
    %(deprivation)s
    threshold : float or None, default None
        Intensity (0-1) a practice must exceed to receive the fund; None means the
        population-weighted ICS average.
    population_column : str, default "wp_population"
        Population used for the default threshold.

    Returns
    -------
    DataFrame
        Allocations: :data:`ALLOCATION_COLUMNS`.

    Raises
    ------
    ValueError
        If no practice is more deprived than the threshold.

    Examples
    --------
    One service of £1,000 by population: b = 250, 500, 250; the fund is 10 % = £100.
    The default threshold is the population-weighted mean Core20 share, 0.5, so only C
    (1.0) receives it: A 225, B 450, C 225 + 100.

    >>> import pandas as pd
    >>> from layers.allocation.methods import example_practices, inequality_level_up
    >>> cat = pd.DataFrame({"service": ["All"], "tier": ["place"],
    ...     "component": ["community"], "share_percent": [100]})
    >>> out = inequality_level_up(example_practices(), cat, 1000, share_percent=10)
    >>> (out["pence"] / 100).tolist()
    [225.0, 450.0, 325.0]
    """
    units, cat, pence = _prepare(practices, catalogue, budget, (population_column,))
    x = _deprivation(units.frame, deprivation_column, deprivation_scale)
    if threshold is None:
        population = units.frame[population_column].to_numpy(dtype=float)
        threshold = float(population @ x / population.sum()) if population.sum() > 0 else 0.0
    fraction = share_percent / 100.0
    lift = np.clip(x - threshold, 0.0, None)

    def level_up(s: int, b: np.ndarray, total: float) -> np.ndarray:
        target = b * lift
        if fraction > 0 and target.sum() <= 0:
            raise ValueError(
                f"no practice is more deprived than the threshold {threshold:.4g} for service "
                f"{cat['service'].iloc[s]!r}, so the levelling-up fund has nowhere to go; "
                "lower the threshold"
            )
        fund = fraction * total * target / target.sum() if fraction > 0 else 0.0
        return (1.0 - fraction) * b + fund

    return _round_down_tiers(units, cat, pence, _adjust_each_service(units, cat, pence, level_up))


#: Registry of allocation methods: name → function(practices, catalogue, budget, **params).
METHODS: dict[str, Callable[..., pd.DataFrame]] = {
    "equal_per_head": equal_per_head,
    "weighted_capitation": weighted_capitation,
    "inequality_level_up": inequality_level_up,
    "inequality_zero_sum": inequality_zero_sum,
}

#: The methods in words.
METHOD_NAMES: dict[str, str] = {
    "equal_per_head": "Equal per head",
    "weighted_capitation": "NHS England weighted capitation",
    "inequality_level_up": "Weighted capitation + inequality adjustment (level up)",
    "inequality_zero_sum": "Weighted capitation + inequality adjustment (zero-sum)",
}


def _check_value(method: str, name: str, value: Any) -> Any:
    where = f"method {method!r} parameter {name!r}"
    if name == "share_percent":
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where} must be a number of per cent, got {value!r}")
        if not 0 <= value <= 100:  # compared as given: float() of a huge int overflows
            raise ValueError(f"{where} must be between 0 and 100, got {excerpt(value)}")
        return float(value)
    if name == "threshold":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where} must be a number between 0 and 1 or None, got {value!r}")
        if not 0 <= value <= 1:
            raise ValueError(f"{where} must be between 0 and 1, got {excerpt(value)}")
        return float(value)
    if name == "deprivation_scale":
        if value not in DEPRIVATION_SCALES:
            raise ValueError(f"{where} is {value!r}; expected one of {_quoted(DEPRIVATION_SCALES)}")
        return value
    if not isinstance(value, str) or not value:
        raise TypeError(f"{where} must be a column name (non-empty text), got {value!r}")
    return value


def validate_parameters(method: str, parameters: Mapping[str, Any] | None = None) -> dict:
    """Check a method name and its parameters; return the parameters with defaults filled.

    Parameters
    ----------
    method : str
        A key of :data:`METHODS`.
    parameters : mapping, optional
        Keyword parameters of that method.

    Returns
    -------
    dict
        Every parameter the method takes, with its value.

    Raises
    ------
    ValueError
        If the method is unknown, a parameter is unknown or a value is out of range.
    TypeError
        If ``parameters`` is not a mapping or a value has the wrong type.

    Examples
    --------
    >>> from layers.allocation.methods import validate_parameters
    >>> validate_parameters("inequality_zero_sum", {"share_percent": 2})
    {'share_percent': 2.0, 'deprivation_column': 'core20_share', 'deprivation_scale': 'share'}
    >>> validate_parameters("lottery")
    Traceback (most recent call last):
    ...
    ValueError: unknown allocation method 'lottery'; expected one of 'equal_per_head', 'weighted_capitation', 'inequality_level_up', 'inequality_zero_sum'
    """  # noqa: E501
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(
            f"unknown allocation method {method!r}; expected one of {_quoted(METHODS)}"
        )
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping):
        raise TypeError(
            f"parameters must be a mapping of name to value, got {type(parameters).__name__}"
        )
    signature = inspect.signature(METHODS[method])
    accepted = {
        name: p.default
        for name, p in signature.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    unknown = [name for name in parameters if name not in accepted]
    if unknown:
        takes = f"it takes {_quoted(accepted)}" if accepted else "it takes none"
        raise ValueError(f"method {method!r} has no parameter(s) {_quoted(unknown)}; {takes}")
    values = {**accepted, **parameters}
    return {name: _check_value(method, name, value) for name, value in values.items()}


@allocation_doc
def allocate(
    practices: pd.DataFrame,
    catalogue: pd.DataFrame,
    budget: object,
    method: str = "weighted_capitation",
    parameters: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Allocate a budget with a registered method.

    Parameters
    ----------
    practices : DataFrame
        Practice frame (see :func:`validate_practices`).
    %(catalogue_budget)s
    method : str, default "weighted_capitation"
        A key of :data:`METHODS`.
    parameters : mapping, optional
        Keyword parameters for the method (see :func:`validate_parameters`).

    Returns
    -------
    DataFrame
        Allocations: :data:`ALLOCATION_COLUMNS`; ``pence`` sums to the budget exactly,
        and so does each of its place, PCN and practice subtotals.

    Examples
    --------
    >>> from layers.allocation.catalogue import default_catalogue
    >>> from layers.allocation.methods import allocate, example_practices
    >>> out = allocate(example_practices(), default_catalogue(), 1_000_000.01)
    >>> int(out["pence"].sum()), int(out.groupby("place_code")["pence"].sum().sum())
    (100000001, 100000001)
    """
    values = validate_parameters(method, parameters)
    return METHODS[method](practices, catalogue, budget, **values)
