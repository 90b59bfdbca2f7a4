"""Every CSV download on every tab of every page keeps to the small-number rule.

Counts of people derived from person-level records (the risk tiers of the synthetic
individuals) may only be shown rounded: 0 stays 0, 1-7 become ``*``, others go to the
nearest 5. Each page is opened on each of its tabs (from the link, as a user would open
it), every CSV its download buttons would send is made, and none may hold an unrounded
count of the ICS's or a place's people by risk tier: the true values the rule would
change, computed here from the individuals themselves.
"""

from __future__ import annotations

import re
from typing import ClassVar
from unittest import mock

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.app.apptest import PAGES, TABBED, assert_clean, run_page
from tests.unit.test_disclosure_exports import Context, csv_frame, is_safe, numbers_in_table

ICS = "QGH"


class RecordingFiles(MediaFileManager):
    """Streamlit's media file manager, remembered so the test can make the downloads."""

    made: ClassVar[list[MediaFileManager]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingFiles.made.append(self)


def csv_downloads(page: str, **params: str) -> dict[str, bytes]:
    """Every CSV the page's download buttons would send: file name → bytes."""
    RecordingFiles.made.clear()
    with mock.patch.object(app_test, "MediaFileManager", RecordingFiles):
        at = run_page(page, ICS, vintage="2022", **params)
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]  # the tab in the link was taken
    files = {}
    for manager in RecordingFiles.made:
        for entry in manager._deferred_callables.values():
            if (entry["filename"] or "").endswith(".csv"):
                data = entry["callable"]()
                files[entry["filename"]] = data.encode() if isinstance(data, str) else data
    return files


@pytest.fixture(scope="module")
def context() -> Context:
    return Context(ICS)


@pytest.fixture(scope="module")
def truth(context) -> set[int]:
    """Unrounded counts of the ICS's and places' people by risk tier (never to be shown).

    Smaller units' counts are checked by column (below): a PCN's or a practice's count is
    small enough to equal a published number (a list size, a number of LSOAs) by chance.
    """
    found = context.truth_by_layer["ics"] | context.truth_by_layer["place"]
    assert len(found) > 10
    return found


#: Column headers that hold counts of people by risk tier (tiers and inequality exports).
RISK_COLUMN = re.compile(r"^(Low|Rising|High|Total|People|At risk)\b", re.IGNORECASE)


def unsafe_risk_cells(frame: pd.DataFrame) -> list[str]:
    """Cells of risk-count columns that are not '*', 0 or a multiple of 5 of at least 10."""
    if not any(RISK_COLUMN.match(str(c)) for c in frame.columns if str(c).startswith(("Low",))):
        return []  # not a risk-tier table: its counts are published aggregates
    return [
        f"{column}={value}"
        for column in frame.columns
        if RISK_COLUMN.match(str(column)) and "%" not in str(column)
        for value in frame[column]
        if not is_safe(value)
    ]


def _page_tabs():
    for page in PAGES:
        param, tabs = TABBED.get(page, (None, [None]))
        for tab in tabs:
            yield pytest.param(page, param, tab, id=f"{page}-{tab or 'page'}")


@pytest.mark.parametrize(("page", "param", "tab"), list(_page_tabs()))
def test_no_csv_download_holds_an_unrounded_count_of_people(page, param, tab, truth):
    files = csv_downloads(page, **({param: tab} if tab else {}))
    for name, data in files.items():
        frame = csv_frame(data)
        leaks = numbers_in_table(frame) & truth
        assert not leaks, f"{page} {tab}: {name} holds unrounded counts {sorted(leaks)[:5]}"
        assert not unsafe_risk_cells(frame), (page, tab, name, unsafe_risk_cells(frame)[:5])


def test_the_scan_reads_the_risk_tables_it_guards(context):
    """The People at risk tab offers its PCN table, and it holds their counts, rounded."""
    files = csv_downloads("tiers.py", view="People at risk")
    assert any(name.startswith("risk_tiers_by_pcn") for name in files)
    rounded = {5 * round(v / 5) for v in context.truth_by_layer["pcn"]}
    shown = set().union(*(numbers_in_table(csv_frame(data)) for data in files.values()))
    assert shown & rounded, "the risk tables' rounded counts were not found in the downloads"
    risk = next(csv_frame(d) for n, d in files.items() if n.startswith("risk_tiers_by_pcn"))
    assert unsafe_risk_cells(risk) == []
    assert unsafe_risk_cells(risk.assign(Low=risk["Low"].astype(int) + 1)) != []
