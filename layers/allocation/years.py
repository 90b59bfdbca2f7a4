"""Allocation years: NHS England's weighted populations by year, and how need moves.

The 2022 vintage has one allocation year (2022/23). The 2026 vintage has three:
NHS England's place-based allocation tool for 2026/27 to 2028/29 publishes a weighted
population per practice for each year, projected from the August 2024–July 2025
registered lists. :func:`need_over_years` shows how each place's or PCN's need index and
fair share move across them, and who gains or loses on the way.

A unit's **fair share** is its share of the ICS's core weighted population
(``wp_core``): the share of an ICS budget a need-based formula gives it, before any
pace-of-change or policy adjustment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.geodata import read_table
from layers.vintages import DEFAULT_VINTAGE, get_vintage

from .catalogue import OVERALL_COLUMN
from .frame import practice_frame
from .need import need_indices, unit_keys

__all__ = ["allocation_years", "need_over_years", "weighted_populations", "year_suffix"]

#: Smallest change in fair share (as a fraction of the ICS) reported as a gain or loss.
_UNCHANGED = 1e-9


def allocation_years(vintage: str = DEFAULT_VINTAGE) -> tuple[str, ...]:
    """The allocation years a vintage has weighted populations for; the first is the default.

    Examples
    --------
    >>> allocation_years("2026")
    ('2026/27', '2027/28', '2028/29')
    >>> allocation_years("2022")
    ('2022/23',)
    """
    return get_vintage(vintage).allocation_years


def year_suffix(year: str) -> str:
    """Column suffix for an allocation year.

    Examples
    --------
    >>> year_suffix("2026/27")
    '2026_27'
    """
    return str(year).replace("/", "_")


def weighted_populations(vintage: str = DEFAULT_VINTAGE, year: str | None = None) -> pd.DataFrame:
    """NHS England's weighted populations per practice for one allocation year.

    Parameters
    ----------
    vintage : {"2022", "2026"}
    year : str, optional
        One of :func:`allocation_years`; default the first.

    Returns
    -------
    DataFrame
        The ``weighted_populations`` table's rows for that year (one per practice).

    Raises
    ------
    ValueError
        For a year the vintage does not have.

    Examples
    --------
    >>> later = weighted_populations("2026", "2028/29")
    >>> len(later), later["year"].unique().tolist()
    (6281, ['2028/29'])
    >>> weighted_populations("2026", "2029/30")
    Traceback (most recent call last):
    ...
    ValueError: Unknown allocation year '2029/30' in the 2026 vintage; choose one of \
2026/27, 2027/28, 2028/29.
    """
    years = allocation_years(vintage)
    chosen = years[0] if year is None else year
    if chosen not in years:
        raise ValueError(
            f"Unknown allocation year {year!r} in the {vintage} vintage; choose one of "
            f"{', '.join(years)}."
        )
    table = read_table("weighted_populations", vintage=vintage)
    if "year" in table.columns:
        table = table[table["year"] == chosen]
    return table.reset_index(drop=True)


def need_over_years(
    system: object,
    level: str = "place",
    years: tuple[str, ...] | None = None,
    budget: float | None = None,
) -> pd.DataFrame:
    """How each unit's need index and fair share move across the allocation years.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system` (2026 vintage for three years).
    level : {"place", "pcn", "practice"}
        Units (a practice in no PCN is its own unit at ``"pcn"``).
    years : tuple of str, optional
        Allocation years, earliest first; default all of the vintage's.
    budget : float, optional
        An ICS budget in pounds; adds ``fair_share_pounds_<year>`` and ``pounds_change``.

    Returns
    -------
    DataFrame
        One row per unit: the unit columns of :func:`~layers.allocation.need.need_indices`;
        for each year ``population_<year>`` (NHS England's registered population),
        ``overall_index_<year>`` and ``fair_share_<year>`` (0–1) (``<year>`` as
        :func:`year_suffix`); then ``index_change`` and ``fair_share_change`` (last year
        minus first) and ``outcome``: ``"gains"``, ``"loses"`` or ``"no change"`` (by
        fair share). Sorted by ``fair_share_change``, biggest gain first.

    Raises
    ------
    ValueError
        For an unknown level or year.

    Examples
    --------
    >>> from layers import load_system
    >>> moves = need_over_years(load_system("T05", vintage="2026"))
    >>> len(moves), abs(float(moves["fair_share_change"].sum())) < 1e-12
    (6, True)
    >>> sorted(moves["outcome"].unique())
    ['gains', 'loses']
    """
    vintage = getattr(system, "vintage", DEFAULT_VINTAGE)
    offered = allocation_years(vintage)
    years = offered if years is None else tuple(years)
    unknown = [y for y in years if y not in offered]
    if unknown or not years:
        raise ValueError(
            f"Unknown allocation year(s) {unknown or list(years)} in the {vintage} vintage; "
            f"choose among {', '.join(offered)}."
        )
    weighted = read_table("weighted_populations", vintage=vintage)
    lsoas = read_table("lsoas", vintage=vintage)
    out: pd.DataFrame | None = None
    for year in years:
        frame = practice_frame(system, weighted, lsoas, year=year)
        indices = need_indices(frame, level)
        key = indices.columns[0]
        unit_need = frame.groupby(unit_keys(frame, level)[0])[OVERALL_COLUMN].sum()
        share = indices[key].map(unit_need / unit_need.sum()).to_numpy(dtype=float)
        suffix = year_suffix(year)
        values = pd.DataFrame(
            {
                key: indices[key].to_numpy(),
                f"population_{suffix}": indices["population"].to_numpy(),
                f"overall_index_{suffix}": indices["overall_index"].to_numpy(),
                f"fair_share_{suffix}": share,
            }
        )
        if budget is not None:
            values[f"fair_share_pounds_{suffix}"] = share * float(budget)
        if out is None:
            out = indices.drop(columns=[c for c in indices.columns if c.endswith("_index")])
            out = out.drop(columns="population").merge(values, on=key)
        else:
            out = out.merge(values, on=key, how="outer")
    first, last = year_suffix(years[0]), year_suffix(years[-1])
    out["index_change"] = out[f"overall_index_{last}"] - out[f"overall_index_{first}"]
    out["fair_share_change"] = out[f"fair_share_{last}"] - out[f"fair_share_{first}"]
    if budget is not None:
        out["pounds_change"] = out[f"fair_share_pounds_{last}"] - out[f"fair_share_pounds_{first}"]
    change = out["fair_share_change"].to_numpy(dtype=float)
    out["outcome"] = np.where(
        change > _UNCHANGED, "gains", np.where(change < -_UNCHANGED, "loses", "no change")
    )
    return out.sort_values(["fair_share_change", key], ascending=[False, True]).reset_index(
        drop=True
    )
