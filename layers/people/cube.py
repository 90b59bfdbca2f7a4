"""Roll practice counts up to PCN, place and ICS, crossed with tier, IMD decile and age band.

The aggregates file is a complete table of **cells**: for every unit of every level
that has people in the extract, every combination of

* ``risk_tier``: ``low``, ``rising``, ``high`` and ``all``;
* and one of: ``imd_decile`` (``1`` … ``10``, ``unknown``) with ``age_band = all``;
  ``age_band`` (:data:`layers.people.tiering.AGE_BAND_LABELS`) with ``imd_decile = all``;
  or both ``all``.

That is 4 × (11 + 8 + 1) = 80 cells a unit, zeros included (a missing cell is never
"zero by omission"). Tier × decile × age band all at once is not published: at practice
level almost every such cell would be small.

Levels and keys: ``practice`` (its PCN, place and ICS codes carried beside it), ``pcn``
(practices in no PCN form the unit ``NO-PCN`` of their ICS, as on the tiers page; a
real PCN carries its place), ``place`` and ``ics``. Every count here is **unrounded**;
:mod:`layers.people.control` applies the disclosure rule before anything is written.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from layers.people.lookups import Lookups
from layers.people.tiering import AGE_BAND_LABELS
from layers.risk import RISK_TIERS
from layers.tiers import NO_PCN_CODE

__all__ = [
    "ALL",
    "CELL_KEYS",
    "DECILE_LABELS",
    "LEVELS",
    "TIER_LABELS",
    "UNIT_KEYS",
    "build_cells",
    "cell_grid",
]

#: The margin label.
ALL: Final = "all"
#: Levels, smallest unit first.
LEVELS: Final = ("practice", "pcn", "place", "ics")
#: The unit columns carried on every cell (null where a level has no such key).
UNIT_KEYS: Final = ("icb_code", "place_code", "pcn_code", "practice_code")
#: Tier values of a cell.
TIER_LABELS: Final = (*RISK_TIERS, ALL)
#: Decile values of a cell (``unknown``: LSOAs outside England's IMD).
DECILE_LABELS: Final = (*(str(d) for d in range(1, 11)), "unknown")
#: Columns that identify a cell.
CELL_KEYS: Final = ("level", "unit_code", *UNIT_KEYS, "risk_tier", "imd_decile", "age_band")

_LEVEL_UNIT: Final = {
    "practice": "practice_code",
    "pcn": "pcn_code",
    "place": "place_code",
    "ics": "icb_code",
}


def cell_grid() -> pd.DataFrame:
    """The 80 (tier, decile, age band) combinations of one unit, in publication order.

    Examples
    --------
    >>> grid = cell_grid()
    >>> len(grid), grid.iloc[0].tolist(), grid.iloc[-1].tolist()
    (80, ['low', '1', 'all'], ['all', 'all', 'all'])
    """
    combos = [(d, ALL) for d in DECILE_LABELS] + [(ALL, a) for a in AGE_BAND_LABELS] + [(ALL, ALL)]
    rows = [(t, d, a) for t in TIER_LABELS for d, a in combos]
    return pd.DataFrame(rows, columns=["risk_tier", "imd_decile", "age_band"])


def _units(practices: pd.DataFrame, level: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The units of a level (sorted by ICS and code) and each practice's unit index."""
    keys = practices[list(UNIT_KEYS)].copy()
    if level == "pcn":
        keys["practice_code"] = None
        keys.loc[keys["pcn_code"] == NO_PCN_CODE, "place_code"] = None
    elif level == "place":
        keys[["pcn_code", "practice_code"]] = None
    elif level == "ics":
        keys[["place_code", "pcn_code", "practice_code"]] = None
    ident = keys["icb_code"] + "/" + keys[_LEVEL_UNIT[level]]
    units = keys.assign(_id=ident.to_numpy()).drop_duplicates("_id")
    if level == "pcn":
        places = keys.assign(_id=ident.to_numpy()).groupby("_id")["place_code"].nunique()
        if (places > 1).any():
            bad = places[places > 1].index[:3].tolist()
            raise ValueError(f"PCN(s) {bad} have practices in more than one place")
    units = units.sort_values(["icb_code", _LEVEL_UNIT[level]]).reset_index(drop=True)
    index = pd.Index(units["_id"]).get_indexer(ident)
    units.insert(0, "unit_code", units[_LEVEL_UNIT[level]])
    units.insert(0, "level", level)
    return units[["level", "unit_code", *UNIT_KEYS]], index


def build_cells(counts: pd.DataFrame, lookups: Lookups) -> pd.DataFrame:
    """Every cell of every level, with its unrounded count.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``practice_code``, ``risk_tier``, ``imd_decile`` (0 = unknown), ``age_band``,
        ``people``, e.g. :attr:`layers.people.engines.Tally.counts`.
    lookups : Lookups
        For each practice's PCN, place and ICS.

    Returns
    -------
    pandas.DataFrame
        :data:`CELL_KEYS` and ``count`` (int64), 80 rows a unit, ordered by level, ICS,
        unit code and :func:`cell_grid`.

    Raises
    ------
    ValueError
        If a practice is not in the lookups, or a value is not a tier, decile or band.

    Examples
    --------
    >>> lookups = Lookups("2022", 2011, pd.DataFrame({"practice_code": ["P1", "P2"],
    ...     "pcn_code": ["U1", "NO-PCN"], "place_code": ["A", "A"], "icb_code": ["Q", "Q"]}),
    ...     pd.DataFrame({"lsoa_code": []}), None)
    >>> counts = pd.DataFrame({"practice_code": ["P1", "P1", "P2"],
    ...     "risk_tier": ["low", "high", "low"], "imd_decile": [1, 1, 0],
    ...     "age_band": ["0-4", "85+", "0-4"], "people": [30, 4, 12]})
    >>> cells = build_cells(counts, lookups)
    >>> cells.groupby("level")["unit_code"].nunique().to_dict()
    {'ics': 1, 'pcn': 2, 'place': 1, 'practice': 2}
    >>> ics = cells[cells.level == "ics"].set_index(["risk_tier", "imd_decile", "age_band"])
    >>> [int(ics.loc[k, "count"]) for k in [("all", "all", "all"), ("low", "unknown", "all")]]
    [46, 12]
    """
    practice = pd.Index(lookups.practices["practice_code"]).get_indexer(counts["practice_code"])
    if (practice < 0).any():
        examples = counts.loc[practice < 0, "practice_code"].unique()[:3].tolist()
        raise ValueError(f"counts name practices not in the lookups: {examples}")
    tier = pd.Index(RISK_TIERS).get_indexer(counts["risk_tier"])
    decile = counts["imd_decile"].to_numpy(dtype=np.int64)
    decile = np.where(decile == 0, len(DECILE_LABELS) - 1, decile - 1)
    band = pd.Index(AGE_BAND_LABELS).get_indexer(counts["age_band"])
    if (tier < 0).any() or (band < 0).any() or (decile < 0).any() or (decile > 10).any():
        raise ValueError("counts hold a risk tier, IMD decile or age band that is not known")
    people = counts["people"].to_numpy(dtype=np.float64)
    n_tiers, n_combos = len(TIER_LABELS), len(DECILE_LABELS) + len(AGE_BAND_LABELS) + 1
    combos = (decile, len(DECILE_LABELS) + band, np.full(len(counts), n_combos - 1))

    used = np.unique(practice)
    present = lookups.practices.iloc[used].reset_index(drop=True)
    position = np.full(len(lookups.practices), -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    grid = cell_grid()
    frames = []
    for level in LEVELS:
        units, index = _units(present, level)
        unit = index[position[practice]]
        size = len(units) * n_tiers * n_combos
        total = np.zeros(size)
        for t in (tier, np.full(len(counts), n_tiers - 1)):
            for combo in combos:
                flat = (unit * n_tiers + t) * n_combos + combo
                total += np.bincount(flat, weights=people, minlength=size)
        frame = units.loc[units.index.repeat(len(grid))].reset_index(drop=True)
        for column in grid.columns:
            frame[column] = np.tile(grid[column].to_numpy(), len(units))
        frame["count"] = np.rint(total).astype(np.int64)
        frames.append(frame)
    cells = pd.concat(frames, ignore_index=True)
    for column in (*CELL_KEYS,):
        cells[column] = cells[column].astype(object).where(cells[column].notna(), None)
    return cells[[*CELL_KEYS, "count"]]
