"""Both data vintages: an extract on 2021 LSOAs is aggregated with the 2026 lookups."""

from __future__ import annotations

import pytest

from layers.people.aggregate import aggregate_extract
from layers.people.check import check_file
from layers.people.errors import ExtractError
from layers.people.synthetic import write_synthetic_extract
from layers.system import resolve_ics


@pytest.fixture(scope="module")
def extract_2026(tmp_path_factory):
    return write_synthetic_extract(
        tmp_path_factory.mktemp("v2026") / "extract", ["QGH"], vintage="2026"
    )


def test_the_2026_extract_is_aggregated_with_the_2026_lookups(extract_2026, tmp_path):
    code = resolve_ics("QGH", vintage="2026")
    assert extract_2026.systems == (code,)
    report = aggregate_extract(extract_2026.path, tmp_path / "out.parquet")
    meta = report.metadata
    assert (meta["vintage"], meta["lsoa_year"]) == ("2026", 2021)
    checked = check_file(tmp_path / "out.parquet")
    assert checked.ok and set(checked.cells["icb_code"]) == {code}


def test_the_other_vintage_leaves_nothing_usable_and_says_which_to_use(extract_2026, tmp_path):
    with pytest.raises(ExtractError, match="try --vintage 2026"):
        aggregate_extract(extract_2026.path, tmp_path / "out.parquet", vintage="2022")
