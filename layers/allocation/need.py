"""Need indices per place, PCN or practice, as NHS England defines them.

For a unit u inside an ICS and a need component c::

    index(u, c) = (WP_c(u) / pop(u)) / (WP_c(ICS) / pop(ICS))

where WP_c is the component's weighted population and pop NHS England's registered
population for 2022/23 (``wp_population``), both summed over the unit's practices. This
is the relative need index of NHS England's ICB place-based allocation tool. The
overall index uses the core weighted population (``wp_core``, "Final WP"). An index of
1.2 means 20 % more need per head than the ICS average; the population-weighted mean of
the indices over any partition of the ICS is exactly 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._docs import allocation_doc
from .catalogue import COMPONENT_COLUMNS, COMPONENTS, OVERALL_COLUMN, POPULATION_COLUMN, _quoted
from .methods import LEVELS, validate_practices

__all__ = ["INDEX_COLUMNS", "need_indices", "unit_keys"]

#: Index columns returned by :func:`need_indices`, in order.
INDEX_COLUMNS: tuple[str, ...] = (*(f"{c}_index" for c in COMPONENTS), "overall_index")

_LABELS = {"place": ("place_name",), "pcn": ("pcn_name",), "practice": ("practice_name",)}


def unit_keys(frame: pd.DataFrame, level: str) -> tuple[pd.Series, pd.DataFrame]:
    """Key each practice by its unit at ``level`` and describe the units.

    Parameters
    ----------
    frame : DataFrame
        A validated practice frame (see
        :func:`~layers.allocation.methods.validate_practices`).
    level : {"place", "pcn", "practice"}
        Reporting level. At ``"pcn"`` a practice in no PCN is its own unit, keyed by its
        practice code, so it stays visible.

    Returns
    -------
    key : Series
        The unit code of each practice.
    units : DataFrame
        One row per unit, sorted by code. ``place``: ``place_code``; ``pcn``:
        ``unit_code``, ``pcn_code`` (None for a practice in no PCN), ``in_pcn`` and
        ``place_code`` (the place with most of the unit's practices); ``practice``:
        ``practice_code``, ``pcn_code``, ``place_code``. Name columns (``place_name``,
        ``pcn_name``, ``practice_name``) come along when the frame has them.

    Raises
    ------
    ValueError
        If ``level`` is not one of :data:`~layers.allocation.methods.LEVELS`.

    Examples
    --------
    >>> from layers.allocation.methods import example_practices
    >>> from layers.allocation.need import unit_keys
    >>> key, units = unit_keys(example_practices(), "pcn")
    >>> key.tolist(), units["unit_code"].tolist()
    (['P1', 'P1', 'P2'], ['P1', 'P2'])
    """
    index, units = _unit_index(frame, level)
    key = pd.Series(units.iloc[:, 0].to_numpy()[index], index=frame.index, name="unit")
    return key, units


def _extend(frame: pd.DataFrame, values: dict[str, object]) -> pd.DataFrame:
    """Append columns in one step (``DataFrame.assign`` is ~10x slower, column by column)."""
    return pd.concat([frame, pd.DataFrame(values, index=frame.index)], axis=1)


def _unit_index(frame: pd.DataFrame, level: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Row of ``units`` for each practice, and the units (numpy: this runs on every edit)."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not one of {_quoted(LEVELS)}")
    practice = frame["practice_code"].to_numpy(dtype=object).astype(str)
    place = frame["place_code"].to_numpy(dtype=object).astype(str)
    pcn = frame["pcn_code"].to_numpy(dtype=object)
    no_pcn = pd.isna(pcn)
    key = {"place": place, "practice": practice, "pcn": np.where(no_pcn, practice, pcn)}[level]
    codes, first, index = np.unique(key.astype(str), return_index=True, return_inverse=True)
    columns: dict[str, object] = {}
    if level == "place":
        columns["place_code"] = codes
    elif level == "practice":
        columns["practice_code"] = codes
        columns["pcn_code"] = pd.Series(pcn[first], dtype=object)
        columns["place_code"] = place[first]
    else:
        # The most common place among a unit's practices (PCNs rarely straddle places);
        # ties go to the first place code alphabetically.
        place_codes, place_index = np.unique(place, return_inverse=True)
        counts = np.zeros((len(codes), len(place_codes)), dtype=np.int64)
        np.add.at(counts, (index, place_index), 1)
        columns["unit_code"] = codes
        columns["pcn_code"] = pd.Series(
            [
                None if missing else code
                for missing, code in zip(no_pcn[first], pcn[first], strict=True)
            ],
            dtype=object,
        )
        columns["in_pcn"] = ~no_pcn[first]
        columns["place_code"] = place_codes[counts.argmax(axis=1)]
    for label in _LABELS[level]:
        if label in frame.columns:
            columns[label] = frame[label].to_numpy(dtype=object)[first]
    return index.astype(np.int64), pd.DataFrame(columns)


@allocation_doc
def need_indices(
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Return NHS England relative need indices for each unit of one ICS.

    A unit's index for a component is its weighted population per head over the ICS's:
    above 1 means more need per head than the ICS as a whole, and the indices of the
    units, weighted by population, average 1.

    Parameters
    ----------
    practices : DataFrame
        Practice frame of one ICS (see
        :func:`~layers.allocation.methods.validate_practices`) with ``population_column``,
        every column of :data:`~layers.allocation.catalogue.COMPONENT_COLUMNS` and
        ``wp_core``. Missing weighted populations count as zero.
    %(level)s
    population_column : str, default "wp_population"
        Denominator population; NHS England uses its 2022/23 registered population.

    Returns
    -------
    DataFrame
        The unit columns of :func:`unit_keys`, ``population``, and one column per
        component (``general_acute_index``, ...) plus ``overall_index``. A unit with no
        population gets NaN.

    Raises
    ------
    ValueError
        If a column is missing or the ICS has no population or no weighted population
        for a component.

    Examples
    --------
    Place X holds A and B: G&A weighted population 2000 over 3000 people; the ICS has
    4000 over 4000. X's G&A index is (2000/3000)/(4000/4000) = 0.667 and Y's is
    (2000/1000)/1 = 2.0; weighted by population (3000, 1000) they average 1.

    >>> from layers.allocation.methods import example_practices
    >>> from layers.allocation.need import need_indices
    >>> need_indices(example_practices())[["place_code", "population", "general_acute_index"]]
      place_code  population  general_acute_index
    0          X      3000.0             0.666667
    1          Y      1000.0             2.000000
    """
    weighted = [*(COMPONENT_COLUMNS[c] for c in COMPONENTS), OVERALL_COLUMN]
    frame = validate_practices(practices, tuple(dict.fromkeys([population_column, *weighted])))
    index, units = _unit_index(frame, level)
    population = frame[population_column].to_numpy(dtype=float)
    need = frame[weighted].to_numpy(dtype=float)
    if population.sum() <= 0:
        raise ValueError(f"the ICS has no population in {population_column!r}; cannot index need")
    ics_rate = need.sum(axis=0) / population.sum()
    for j, column in enumerate(weighted):
        if not ics_rate[j] > 0:
            raise ValueError(f"the ICS has no weighted population in {column!r}; cannot index it")
    n_units = len(units)
    unit_population = np.bincount(index, population, minlength=n_units)
    unit_need = np.stack(
        [np.bincount(index, need[:, j], minlength=n_units) for j in range(len(weighted))], axis=1
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = unit_need / np.where(unit_population > 0, unit_population, np.nan)[:, None]
    indices = rate / ics_rate
    values = {"population": unit_population}
    values.update({name: indices[:, j] for j, name in enumerate(INDEX_COLUMNS)})
    return _extend(units, values)
