"""Views of allocations: £ and £ per head by unit, distance from target, spread, mergers.

Functions here take *money* in one of two shapes:

allocations
    The frame returned by :func:`~layers.allocation.methods.allocate` (one row per
    practice and service, ``pence``).
unit totals
    A frame with columns ``level``, ``unit_code`` and ``pence`` (int), one row per unit,
    as returned by :func:`unit_totals` or :func:`validate_current_allocation` (a user's
    'current' allocation). Totals at a finer level are rolled up when a coarser one is
    asked for.

Money stays in integer pence; the ``*_pounds`` and per-head columns are floats for
display.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from layers.format import excerpt

from ._docs import allocation_doc
from .catalogue import COMPONENT_COLUMNS, POPULATION_COLUMN, TIERS, _quoted
from .methods import LEVELS, pounds_to_pence, validate_practices
from .need import _extend, _unit_index, unit_keys

__all__ = [
    "allocation_summary",
    "compare_allocations",
    "distance_from_target",
    "funding_spread",
    "merger_view",
    "unit_totals",
    "validate_current_allocation",
]

_UNIT_TOTAL_COLUMNS = ("level", "unit_code", "pence")
_KEY_COLUMNS = {"place_code": "place", "pcn_code": "pcn", "practice_code": "practice"}
_LEVEL_COLUMN = {"place": "place_code", "pcn": "unit_code", "practice": "practice_code"}


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not one of {_quoted(LEVELS)}")


def _is_allocations(money: pd.DataFrame) -> bool:
    return {"practice_code", "service", "pence"} <= set(money.columns)


def _practice_position(allocations: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Row of ``frame`` for each allocation row."""
    position = pd.Index(frame["practice_code"]).get_indexer(allocations["practice_code"])
    if (position < 0).any():
        stray = allocations["practice_code"][position < 0].unique()
        raise ValueError(
            f"allocations name practice(s) {_quoted(stray[:5])} that are not in practices; "
            "pass the practice frame the allocations were made from"
        )
    return position


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    # bincount adds in float64, exact for integer pence below 2**53 (£90 trillion).
    return np.rint(np.bincount(index, weights=values, minlength=n)).astype(np.int64)


def _totals_at(
    money: pd.DataFrame,
    frame: pd.DataFrame,
    level: str,
    index: np.ndarray,
    codes: np.ndarray,
    what: str,
) -> np.ndarray:
    """Pence per unit at ``level``, in the order of ``codes`` (``index``: practice → unit)."""
    if not isinstance(money, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(money).__name__}")
    if _is_allocations(money):
        per_practice = _sum_by(
            _practice_position(money, frame), money["pence"].to_numpy(np.int64), len(frame)
        )
        return _sum_by(index, per_practice, len(codes))
    if not set(_UNIT_TOTAL_COLUMNS) <= set(money.columns):
        raise ValueError(
            f"{what} must be allocations (from allocate) or unit totals with columns "
            f"{_quoted(_UNIT_TOTAL_COLUMNS)}"
        )
    levels = money["level"].unique()
    if len(levels) != 1 or levels[0] not in LEVELS:
        raise ValueError(
            f"{what} must have one level, one of {_quoted(LEVELS)}; got {_quoted(levels)}"
        )
    own = str(levels[0])
    if LEVELS.index(own) < LEVELS.index(level):
        raise ValueError(f"{what} is by {own}, so it cannot be shown by {level}")
    if own == level:
        parent = pd.Index(codes)
        position = parent.get_indexer(money["unit_code"].astype(str))
    else:
        # Roll finer units up: each finer unit belongs to the coarser unit of its practices.
        own_index, own_units = _unit_index(frame, own)
        parent_of = np.zeros(len(own_units), dtype=np.int64)
        parent_of[own_index] = index
        position = pd.Index(own_units.iloc[:, 0]).get_indexer(money["unit_code"].astype(str))
        position = np.where(position >= 0, parent_of[position], -1)
    if (position < 0).any():
        stray = money["unit_code"][position < 0].tolist()
        raise ValueError(f"{what} names {own} unit(s) {_quoted(stray[:5])} not in practices")
    return _sum_by(position, money["pence"].to_numpy(np.int64), len(codes))


@allocation_doc
def unit_totals(allocations: pd.DataFrame, level: str = "place") -> pd.DataFrame:
    """Total allocations by unit.

    Parameters
    ----------
    allocations : DataFrame
        From :func:`~layers.allocation.methods.allocate`.
    %(level)s

    Returns
    -------
    DataFrame
        Columns ``level``, ``unit_code``, ``pence``, sorted by ``unit_code``.

    Examples
    --------
    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> from layers.allocation.views import unit_totals
    >>> out = allocate(example_practices(), default_catalogue(), 100, "equal_per_head")
    >>> unit_totals(out, "place")
       level unit_code  pence
    0  place         X   7500
    1  place         Y   2500
    """
    _check_level(level)
    if not isinstance(allocations, pd.DataFrame) or not _is_allocations(allocations):
        raise TypeError("allocations must be the DataFrame returned by allocate()")
    column = _LEVEL_COLUMN[level]
    sums = allocations.groupby(column, sort=True)["pence"].sum()
    return pd.DataFrame(
        {"level": level, "unit_code": sums.index.astype(str), "pence": sums.to_numpy(np.int64)}
    )


@allocation_doc
def allocation_summary(
    allocations: pd.DataFrame,
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """£ and £ per head for each place, PCN or practice.

    The weighted population is the one the catalogue implies: the sum over services of
    the service's share of the money times its component's weighted population, each
    component rescaled so that its ICS total is the ICS population. Weighted
    populations then add up to the ICS population, and pure weighted capitation gives
    every unit the same £ per weighted head (the ICS's £ per head). ``practices`` must
    therefore be the whole ICS.

    Parameters
    ----------
    allocations : DataFrame
        From :func:`~layers.allocation.methods.allocate`.
    %(by_unit)s

    Returns
    -------
    DataFrame
        Unit columns (see :func:`~layers.allocation.need.unit_keys`), then ``pence``
        (all money attributed to the unit's patients), ``ics_pence``, ``place_pence``,
        ``pcn_pence``, ``practice_pence`` (the same split by the tier that commissions
        it), ``pounds``, ``population``, ``weighted_population``, ``pounds_per_head``
        and ``pounds_per_weighted_head``.

    Examples
    --------
    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> from layers.allocation.views import allocation_summary
    >>> out = allocate(example_practices(), default_catalogue(), 4000, "equal_per_head")
    >>> allocation_summary(out, example_practices())[["place_code", "pounds", "pounds_per_head"]]
      place_code  pounds  pounds_per_head
    0          X  3000.0              1.0
    1          Y  1000.0              1.0
    """
    _check_level(level)
    if not isinstance(allocations, pd.DataFrame) or not _is_allocations(allocations):
        raise TypeError("allocations must be the DataFrame returned by allocate()")
    components = allocations["component"].unique()
    unknown = [c for c in components if c not in COMPONENT_COLUMNS]
    if unknown:
        raise ValueError(f"allocations have unknown component(s) {_quoted(unknown)}")
    wp_columns = [COMPONENT_COLUMNS[c] for c in components]
    frame = validate_practices(practices, tuple(dict.fromkeys([population_column, *wp_columns])))
    index, units = _unit_index(frame, level)
    n_units = len(units)
    position = _practice_position(allocations, frame)
    unit_of_row = index[position]
    pence = allocations["pence"].to_numpy(dtype=np.int64)
    tiers = allocations["tier"].to_numpy()
    values: dict[str, np.ndarray] = {"pence": _sum_by(unit_of_row, pence, n_units)}
    for tier in TIERS:
        mask = tiers == tier
        values[f"{tier}_pence"] = _sum_by(unit_of_row[mask], pence[mask], n_units)
    # Catalogue-implied weighted population: Σ over services of money share × component WP,
    # each component rescaled so that its ICS total equals the ICS population.
    population = frame[population_column].to_numpy(dtype=float)
    service_pence = allocations.groupby(["service", "component"], sort=False)["pence"].sum()
    total = float(service_pence.sum())
    weighted = np.zeros(len(frame))
    for (_, component), amount in service_pence.items():
        share = amount / total if total > 0 else 1.0 / len(service_pence)
        need = frame[COMPONENT_COLUMNS[component]].to_numpy(dtype=float)
        if need.sum() > 0:
            weighted += share * need * (population.sum() / need.sum())
    pounds = values["pence"] / 100
    unit_population = np.bincount(index, population, minlength=n_units)
    unit_weighted = np.bincount(index, weighted, minlength=n_units)
    values["pounds"] = pounds
    values["population"] = unit_population
    values["weighted_population"] = unit_weighted
    values["pounds_per_head"] = _per_head(pounds, unit_population)
    values["pounds_per_weighted_head"] = _per_head(pounds, unit_weighted)
    return _extend(units, values)


def funding_spread(summary: pd.DataFrame, column: str = "pounds_per_weighted_head") -> pd.DataFrame:
    """Spread of funding across units: the 'postcode lottery' measure.

    Each unit counts once (a place is a place, whatever its size).

    Parameters
    ----------
    summary : DataFrame
        From :func:`allocation_summary`, usually by place.
    column : str, default "pounds_per_weighted_head"
        The measure to spread.

    Returns
    -------
    DataFrame
        One row: ``n_units``, ``lowest_unit``, ``lowest``, ``highest_unit``, ``highest``,
        ``range`` (highest − lowest), ``ratio`` (highest ÷ lowest), ``mean``, ``std``
        (population standard deviation) and ``cv`` (std ÷ mean, the coefficient of
        variation; 0 means everyone gets the same).

    Raises
    ------
    TypeError
        If ``summary`` is not a DataFrame.
    ValueError
        If ``column`` is missing or has no finite values.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.allocation.views import funding_spread
    >>> s = pd.DataFrame({"place_code": ["X", "Y"], "pounds_per_weighted_head": [0.9, 1.1]})
    >>> funding_spread(s)[["range", "ratio", "cv"]].round(4)
       range   ratio   cv
    0    0.2  1.2222  0.1
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a pandas DataFrame, got {type(summary).__name__}")
    if column not in summary.columns:
        raise ValueError(f"summary has no column {column!r}; pass a frame from allocation_summary")
    values = pd.to_numeric(summary[column], errors="coerce")
    keep = np.isfinite(values.to_numpy(dtype=float))
    if not keep.any():
        raise ValueError(f"column {column!r} has no finite values to measure spread over")
    values = values[keep]
    labels = summary.iloc[:, 0][keep]
    lowest, highest = values.min(), values.max()
    mean = float(values.mean())
    std = float(values.std(ddof=0))
    return pd.DataFrame(
        {
            "n_units": [int(keep.sum())],
            "lowest_unit": [labels.loc[values.idxmin()]],
            "lowest": [float(lowest)],
            "highest_unit": [labels.loc[values.idxmax()]],
            "highest": [float(highest)],
            "range": [float(highest - lowest)],
            "ratio": [float(highest / lowest) if lowest > 0 else math.inf],
            "mean": [mean],
            "std": [std],
            "cv": [std / mean if mean != 0 else math.nan],
        }
    )


def _parse_pounds(value: object) -> int | str:
    """Pence from a cell of pounds, or the reason it is not usable."""
    if isinstance(value, float) and math.isnan(value):
        return "pounds is blank"
    try:
        return pounds_to_pence(value)
    except ValueError as exc:
        reason = str(exc)
        return "pounds is blank" if reason == "is blank" else f"pounds {excerpt(value)} {reason}"
    except TypeError:
        return f"pounds {excerpt(value)} is not a number"


@allocation_doc
def validate_current_allocation(current: pd.DataFrame, practices: pd.DataFrame) -> pd.DataFrame:
    """Check a user's 'current' allocation (read from CSV) and return unit totals.

    The CSV has a key column, exactly one of ``place_code``, ``pcn_code`` or
    ``practice_code``, and a ``pounds`` column (``£`` signs and thousands commas in
    their places are allowed, ``"1,5"`` is not a number; amounts from £0 to
    :data:`~layers.allocation.methods.MAX_POUNDS` are rounded to the penny). Every unit
    of the ICS at that level must appear exactly once. At PCN level a practice in no
    PCN is listed under its practice code in the ``pcn_code`` column.

    Parameters
    ----------
    current : DataFrame
        The CSV as read, e.g. ``pd.read_csv(path, dtype=str)``.
    %(practices)s

    Returns
    -------
    DataFrame
        Unit totals: ``level``, ``unit_code``, ``pence``, sorted by ``unit_code``.

    Raises
    ------
    TypeError
        If ``current`` is not a DataFrame.
    ValueError
        Listing every problem, each with its CSV row number (the header is row 1, as in
        a spreadsheet): blank or unknown codes, repeated codes, blank, non-numeric or
        negative amounts; then any units with no row.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.allocation.methods import example_practices
    >>> from layers.allocation.views import validate_current_allocation
    >>> csv = pd.DataFrame({"place_code": ["X", "Z"], "pounds": ["£1,000", "ten"]})
    >>> validate_current_allocation(csv, example_practices())
    Traceback (most recent call last):
    ...
    ValueError: current allocation has 3 problem(s):
    row 3: place_code 'Z' is not a place of this ICS
    row 3: pounds 'ten' is not a number
    no row for place(s) 'Y'; every place of the ICS needs one
    """
    if not isinstance(current, pd.DataFrame):
        raise TypeError(
            f"current allocation must be a pandas DataFrame, got {type(current).__name__}"
        )
    keys = [c for c in _KEY_COLUMNS if c in current.columns]
    if len(keys) != 1 or "pounds" not in current.columns:
        raise ValueError(
            "current allocation needs exactly one key column (place_code, pcn_code or "
            f"practice_code) and a pounds column; found columns {_quoted(current.columns)}"
        )
    key_column = keys[0]
    level = _KEY_COLUMNS[key_column]
    frame = validate_practices(practices)
    _, units = unit_keys(frame, level)
    valid = set(units.iloc[:, 0])
    problems: list[str] = []
    first_row: dict[str, int] = {}
    codes: list[str] = []
    pence: list[int] = []
    for i, (code, pounds) in enumerate(zip(current[key_column], current["pounds"], strict=True)):
        row = i + 2
        text = "" if code is None or (isinstance(code, float) and math.isnan(code)) else str(code)
        text = text.strip()
        if not text:
            problems.append(f"row {row}: {key_column} is blank")
        elif text not in valid:
            problems.append(f"row {row}: {key_column} {text!r} is not a {level} of this ICS")
        elif text in first_row:
            problems.append(
                f"row {row}: {key_column} {text!r} is repeated (first on row {first_row[text]})"
            )
        else:
            first_row[text] = row
        amount = _parse_pounds(pounds)
        if isinstance(amount, str):
            problems.append(f"row {row}: {amount}")
        elif text in valid and first_row.get(text) == row:
            codes.append(text)
            pence.append(amount)
    absent = sorted(valid - set(first_row))
    if absent:
        problems.append(
            f"no row for {level}(s) {_quoted(absent[:10])}"
            + (f" and {len(absent) - 10} more" if len(absent) > 10 else "")
            + f"; every {level} of the ICS needs one"
        )
    if problems:
        shown = problems[:25] + (
            [f"... and {len(problems) - 25} more"] if len(problems) > 25 else []
        )
        raise ValueError(f"current allocation has {len(problems)} problem(s):\n" + "\n".join(shown))
    out = pd.DataFrame({"level": level, "unit_code": codes, "pence": np.asarray(pence, np.int64)})
    return out.sort_values("unit_code").reset_index(drop=True)


def _level_frame(
    practices: pd.DataFrame, level: str, population_column: str
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
    """Validated frame, practice → unit index, units, unit codes and unit populations."""
    _check_level(level)
    frame = validate_practices(practices, (population_column,))
    index, units = _unit_index(frame, level)
    population = np.bincount(
        index, frame[population_column].to_numpy(dtype=float), minlength=len(units)
    )
    return frame, index, units, units.iloc[:, 0].to_numpy(), population


def _per_head(pounds: np.ndarray, population: np.ndarray) -> np.ndarray:
    pounds = np.asarray(pounds, dtype=float)
    population = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(population > 0, pounds / population, np.nan)


def _percent_of(change: np.ndarray, base: np.ndarray) -> np.ndarray:
    """``change`` as a percentage of ``base``; NaN where the base is not positive.

    Parameters
    ----------
    change, base : ndarray
        Aligned arrays (pence or £; the same unit in both).

    Returns
    -------
    ndarray of float
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, 100 * change / base, np.nan)


@allocation_doc
def distance_from_target(
    current: pd.DataFrame,
    target: pd.DataFrame,
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """How far a current allocation is from a target allocation, unit by unit.

    Like NHS England's distance from target, targets are compared as shares: if the two
    totals differ, the target is scaled to the current total first.

    Parameters
    ----------
    current : DataFrame
        Allocations or unit totals: e.g. :func:`~layers.allocation.methods.allocate`
        with ``"equal_per_head"`` (the default current), or a user CSV checked by
        :func:`validate_current_allocation`.
    target : DataFrame
        Allocations or unit totals from the chosen method. Neither input may be coarser
        than ``level``.

    %(by_unit)s

    Returns
    -------
    DataFrame
        Unit columns, ``population``, ``current_pence``, ``target_pence`` (scaled to the
        current total), ``current_pounds``, ``target_pounds``, ``difference_pounds``
        (current − target), ``distance_percent`` ((current − target) ÷ target × 100;
        negative means under target), ``current_per_head``, ``target_per_head``.

    Examples
    --------
    With the default catalogue, weighted capitation gives place X 61 % of the money
    (G&A 56 % × 0.5 + population-shared 35 % × 0.75 + primary care 9 % × 0.75) while
    equal per head gives it 75 %: (75 − 61) ÷ 61 = 23.0 % over target.

    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> from layers.allocation.views import distance_from_target
    >>> p, cat = example_practices(), default_catalogue()
    >>> now = allocate(p, cat, 1000, "equal_per_head")
    >>> goal = allocate(p, cat, 1000, "weighted_capitation")
    >>> distance_from_target(now, goal, p)[["place_code", "distance_percent"]].round(1)
      place_code  distance_percent
    0          X              23.0
    1          Y             -35.9
    """
    frame, index, units, codes, population = _level_frame(practices, level, population_column)
    now = _totals_at(current, frame, level, index, codes, "current allocation")
    goal = _totals_at(target, frame, level, index, codes, "target allocation")
    scale = now.sum() / goal.sum() if goal.sum() > 0 else 0.0
    scaled = goal.astype(float) * scale
    distance = _percent_of(now - scaled, scaled)
    return _extend(
        units,
        {
            "population": population,
            "current_pence": now,
            "target_pence": scaled,
            "current_pounds": now / 100,
            "target_pounds": scaled / 100,
            "difference_pounds": (now - scaled) / 100,
            "distance_percent": distance,
            "current_per_head": _per_head(now / 100, population),
            "target_per_head": _per_head(scaled / 100, population),
        },
    )


@allocation_doc
def compare_allocations(
    base: pd.DataFrame,
    other: pd.DataFrame,
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Who gains and who loses, in pence, going from one allocation to another.

    Both are totalled at ``level`` first, so an allocation can be compared with a user's
    unit totals as well as with another method's allocation.

    Parameters
    ----------
    base, other : DataFrame
        Allocations or unit totals.
    %(by_unit)s

    Returns
    -------
    DataFrame
        Unit columns, ``population``, ``base_pence``, ``other_pence``, ``change_pence``
        (exact integers: when both sum to the same budget they net to zero),
        ``change_pounds``, ``change_per_head`` (£), ``change_percent`` and ``outcome``
        ("gains", "loses" or "no change").

    Examples
    --------
    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> from layers.allocation.views import compare_allocations
    >>> p, cat = example_practices(), default_catalogue()
    >>> wc = allocate(p, cat, 1000)
    >>> zs = allocate(p, cat, 1000, "inequality_zero_sum", {"share_percent": 10})
    >>> c = compare_allocations(wc, zs, p, "practice")
    >>> c[["practice_code", "change_pence", "outcome"]]
      practice_code  change_pence outcome
    0             A         -9067   loses
    1             B          -804   loses
    2             C          9871   gains
    >>> int(c["change_pence"].sum())
    0
    """
    frame, index, units, codes, population = _level_frame(practices, level, population_column)
    before = _totals_at(base, frame, level, index, codes, "base allocation")
    after = _totals_at(other, frame, level, index, codes, "other allocation")
    change = after - before
    percent = _percent_of(change, before)
    return _extend(
        units,
        {
            "population": population,
            "base_pence": before,
            "other_pence": after,
            "change_pence": change,
            "change_pounds": change / 100,
            "change_per_head": _per_head(change / 100, population),
            "change_percent": percent,
            "outcome": np.select([change > 0, change < 0], ["gains", "loses"], "no change"),
        },
    )


def merger_view(
    current: pd.DataFrame,
    unified: pd.DataFrame,
    practices: pd.DataFrame,
    by: str = "ccg21_code",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Per-head funding by former CCG: the current allocation against the unified formula.

    Practices are grouped by their former commissioner and both allocations are totalled
    per group, so a merger's move to one formula can be read CCG by CCG.

    Parameters
    ----------
    current : DataFrame
        Allocations, or unit totals by practice (a grouping by CCG needs practices).
    unified : DataFrame
        Allocations of the merged ICS under the chosen method.
    practices : DataFrame
        The practice frame of the ICS, with the ``by`` column.
    by : str, default "ccg21_code"
        Column holding each practice's former commissioner. In NHS England's 2022/23
        file, NW London, Coventry & Warwickshire and Herefordshire & Worcestershire had
        already merged into one CCG each by April 2021; for their pre-merger CCGs use a
        borough/place column instead.
    population_column : str, default "wp_population"
        Population for £ per head.

    Returns
    -------
    DataFrame
        One row per former CCG: ``by``, ``n_practices``, ``population``,
        ``current_pounds``, ``unified_pounds``, ``current_per_head``,
        ``unified_per_head``, ``difference_per_head`` (unified − current) and
        ``difference_percent``.

    Raises
    ------
    ValueError
        If ``by`` is missing or blank for a practice, or ``current`` is coarser than
        practice level.

    Examples
    --------
    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> from layers.allocation.views import merger_view
    >>> p, cat = example_practices(), default_catalogue()
    >>> m = merger_view(allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000), p)
    >>> m[["ccg21_code", "current_per_head", "unified_per_head"]].round(3)
      ccg21_code  current_per_head  unified_per_head
    0         C1               1.0             1.045
    1         C2               1.0             0.985
    """
    frame, index, _, codes, _ = _level_frame(practices, "practice", population_column)
    if not isinstance(by, str) or by not in frame.columns:
        raise ValueError(f"practices has no column {by!r} to group former CCGs by")
    if frame[by].isna().any():
        lost = frame.loc[frame[by].isna(), "practice_code"].tolist()
        raise ValueError(f"practice(s) {_quoted(lost[:5])} have no {by}; give every practice one")
    now = _totals_at(current, frame, "practice", index, codes, "current allocation")[index]
    new = _totals_at(unified, frame, "practice", index, codes, "unified allocation")[index]
    groups, group = np.unique(frame[by].astype(str).to_numpy(), return_inverse=True)
    population = np.bincount(group, frame[population_column].to_numpy(dtype=float))
    current_pounds = _sum_by(group, now, len(groups)) / 100
    unified_pounds = _sum_by(group, new, len(groups)) / 100
    current_per_head = _per_head(current_pounds, population)
    unified_per_head = _per_head(unified_pounds, population)
    difference = unified_per_head - current_per_head
    percent = _percent_of(difference, current_per_head)
    return pd.DataFrame(
        {
            by: groups,
            "n_practices": np.bincount(group),
            "population": population,
            "current_pounds": current_pounds,
            "unified_pounds": unified_pounds,
            "current_per_head": current_per_head,
            "unified_per_head": unified_per_head,
            "difference_per_head": difference,
            "difference_percent": percent,
        }
    )
