"""The aggregates file follows the rule at every boundary, and protects against differencing.

Boundaries of the rule: 0 stays 0, 1 to 7 are suppressed, others round to the nearest 5
(8 → 10, 12 → 10, 13 → 15, 17 → 15, 23 → 25, 98 → 100, 102 → 100, 103 → 105). Each case
is a hand-made extract with exactly that many people in one cell, aggregated by the
real command path (DuckDB, the default engine) and read back from the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.people.aggregate import aggregate_extract
from layers.people.check import check_file
from layers.people.control import Relations, protect
from tests.unit.people_extracts import person, write

BOUNDARIES = {
    0: 0,
    1: None,
    7: None,
    8: 10,
    12: 10,
    13: 15,
    17: 15,
    23: 25,
    98: 100,
    102: 100,
    103: 105,
}


def _cell(cells: pd.DataFrame, level: str, tier: str, decile: str = "all", band: str = "all"):
    row = cells[
        (cells["level"] == level)
        & (cells["risk_tier"] == tier)
        & (cells["imd_decile"] == decile)
        & (cells["age_band"] == band)
    ]
    assert len(row) == 1
    value = row["people"].iloc[0]
    return None if pd.isna(value) else int(value)


@pytest.mark.parametrize(("n", "shown"), BOUNDARIES.items())
def test_every_boundary_of_the_rule(tmp_path, qgh_lookups, n, shown):
    low = [person(i, frailty="fit", ltc_count=0) for i in range(40)]
    rising = [person(100 + i, frailty="mild", ltc_count=2) for i in range(n)]
    write(low + rising, tmp_path / "extract")
    aggregate_extract(tmp_path / "extract", tmp_path / "out.parquet", lookups=qgh_lookups)
    checked = check_file(tmp_path / "out.parquet")
    assert checked.ok, checked.problems
    cells = checked.cells
    for level in ("practice", "pcn", "place", "ics"):
        assert _cell(cells, level, "rising") == shown
        assert _cell(cells, level, "rising", "1") == shown
        assert _cell(cells, level, "rising", band="25-44") == shown
    if shown is None:  # the total would reveal it: a second count is hidden with it
        assert _cell(cells, "practice", "low") is None or _cell(cells, "practice", "all") is None
    else:
        assert _cell(cells, "practice", "low") == 40
        assert _cell(cells, "practice", "all") == 5 * ((40 + n + 2) // 5)
    summary = checked.metadata["summary"]
    expected_rows = 5 * ((40 + n + 2) // 5)
    assert summary["rows_read"] == summary["rows_used"] == expected_rows


def _relations(groups: list[list[int]]) -> Relations:
    member = np.concatenate([np.asarray(g) for g in groups])
    group = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)])
    return Relations(
        member,
        group,
        np.zeros(len(groups), dtype=np.int64),
        np.full(len(groups), -1),
        [("t", ())],
        pd.DataFrame(),
    )


def test_a_lone_suppressed_part_gets_its_smallest_partner():
    # total 63 = 40 + 20 + 3: 63 - 40 - 20 would give 3, so 20 is hidden too
    hidden, secondary = protect(np.array([63, 40, 20, 3]), _relations([[0, 1, 2, 3]]))
    assert hidden.tolist() == [False, False, True, True] and secondary == 1


def test_zeros_are_never_partners_and_two_suppressed_need_none():
    hidden, secondary = protect(np.array([10, 0, 3, 0, 7]), _relations([[0, 1, 2, 3, 4]]))
    assert hidden.tolist() == [False, False, True, False, True] and secondary == 0


def test_secondary_suppression_cascades_through_shared_cells():
    # cell 0 = 1 + 2 + 3, and cell 4 = 2 + 5: cell 2 is in both sums
    counts = np.array([63, 3, 40, 20, 90, 50])
    hidden, secondary = protect(counts, _relations([[0, 1, 2, 3], [4, 2, 5]]))
    # the partner of the 3 is 20 (cell 3), in the first sum only: the second is untouched
    assert hidden.tolist() == [False, True, False, True, False, False] and secondary == 1
    # with 20 in cell 2, hiding it leaves the second sum one hidden member: 70 joins it
    counts = np.array([63, 3, 20, 40, 90, 70])
    hidden, secondary = protect(counts, _relations([[0, 1, 2, 3], [4, 2, 5]]))
    assert hidden.tolist() == [False, True, True, False, False, True] and secondary == 2
