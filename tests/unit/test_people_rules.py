"""Every reject rule and every tier source, on hand-made extracts, in every engine.

Each row of the extracts below is written with the outcome it must have; the expected
counts are those outcomes added up by hand. pandas and DuckDB run every case; Dask (a
local cluster of 2 worker processes) runs the main one.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from layers.people.aggregate import aggregate_extract
from layers.people.errors import ExtractError
from layers.people.extract import plan_extract
from tests.unit.people_extracts import (
    DECILE_2,
    DECILE_10,
    PRACTICE_A,
    PRACTICE_B,
    PRACTICE_C,
    person,
    run,
    write,
)

FIT = {"frailty": "fit", "ltc_count": 0, "risk_score": None}


def _none(**extra):
    return {"frailty": None, "ltc_count": None, "risk_score": None, **extra}


# (rows, outcome): outcome is a reject reason or (practice, tier, decile, band)
KEPT_LOW_A = (PRACTICE_A, "low", 1, "25-44")
CASES = [
    ([person(i, **FIT) for i in range(1, 5)], KEPT_LOW_A),
    (
        [person(i, PRACTICE_B, DECILE_2, 80, frailty="severe", ltc_count=5) for i in (5, 6)],
        (PRACTICE_B, "high", 2, "75-84"),
    ),
    (
        [person(7, PRACTICE_C, DECILE_10, 120, frailty="mild", ltc_count=2)],
        (PRACTICE_C, "rising", 10, "85+"),
    ),
    (
        [person(8, PRACTICE_C, DECILE_10, 0, **_none(risk_score=0.6))],
        (PRACTICE_C, "high", 10, "0-4"),
    ),
    (  # codes are trimmed and upper-cased
        [person(9, " m81012 ", DECILE_10, 10, **_none(risk_score=0.25))],
        (PRACTICE_C, "rising", 10, "5-14"),
    ),
    (  # unreadable frailty: ignored, so the score decides
        [person(10, age=70, frailty="VERY", ltc_count=1, risk_score=0.1)],
        (PRACTICE_A, "low", 1, "65-74"),
    ),
    ([person(11, age=50, frailty="Moderate ", ltc_count=0)], (PRACTICE_A, "high", 1, "45-64")),
    ([person(12, frailty="fit", ltc_count=-1, risk_score=0.0)], KEPT_LOW_A),  # ltc ignored
    ([person(13, frailty="fit", ltc_count=0, risk_score=1.5)], KEPT_LOW_A),  # score ignored
    (
        [
            person(None, **FIT),
            person(20, sex="Q", **FIT),
            person(21, practice="", **FIT),
            person(22, year=2015, **FIT),
        ],
        "missing or unreadable value",
    ),
    (
        [person(30, lsoa=None, **FIT), person(31, lsoa="", **FIT), person(32, lsoa="  ", **FIT)],
        "null LSOA",
    ),
    ([person(40, age=-1, **FIT), person(41, age=121, **FIT)], "age outside 0-120"),
    (
        [person(i, practice="Z99999", **FIT) for i in range(50, 55)]
        + [person(80, practice="Y1", **FIT)],
        "unknown practice code",
    ),
    ([person(i, year=2021, **FIT) for i in range(60, 65)], "LSOA from another vintage"),
    ([person(i, lsoa="E01999999", **FIT) for i in range(70, 76)], "unknown LSOA code"),
    (
        [person(80, **FIT), person(80, **FIT)] + [person(81, **FIT)] * 3,
        "duplicate person id",
    ),
]
# a second file stores ages as text
TEXT_AGES = [
    ({**person(100, **FIT), "age": "45"}, (PRACTICE_A, "low", 1, "45-64")),
    ({**person(101, **FIT), "age": " 46 "}, (PRACTICE_A, "low", 1, "45-64")),
    ({**person(102, **FIT), "age": "4.5"}, "missing or unreadable value"),
    ({**person(103, **FIT), "age": "abc"}, "missing or unreadable value"),
    ({**person(104, **FIT), "age": ""}, "missing or unreadable value"),
]


def _expected():
    kept: dict[tuple, int] = {}
    rejects: dict[str, int] = {}
    for rows, outcome in [*CASES, *(([row], outcome) for row, outcome in TEXT_AGES)]:
        target = rejects if isinstance(outcome, str) else kept
        target[outcome] = target.get(outcome, 0) + len(rows)
    return kept, rejects


@pytest.fixture(scope="module")
def rejects_extract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rejects")
    rows = pd.DataFrame([row for rows, _ in CASES for row in rows])
    rows["person_id"] = rows["person_id"].astype("Int64")
    write(rows, folder, "a.parquet")
    text = pd.DataFrame([row for row, _ in TEXT_AGES])
    text["ltc_count"] = text["ltc_count"].astype("Int64")
    text["risk_score"] = text["risk_score"].astype("float64")
    write(text, folder, "b.parquet")
    return folder


def _as_dict(counts: pd.DataFrame) -> dict[tuple, int]:
    return {
        (r.practice_code, r.risk_tier, int(r.imd_decile), r.age_band): int(r.people)
        for r in counts.itertuples()
    }


@pytest.mark.parametrize("engine", ["pandas", "duckdb", "dask"])
def test_every_reject_rule_and_tier_source(rejects_extract, qgh_lookups, engine):
    result = run(rejects_extract, qgh_lookups, engine)
    kept, rejects = _expected()
    assert _as_dict(result.counts) == kept
    assert {k: v for k, v in result.rejects.items() if v} == rejects
    assert result.rows_read == 49 and result.rows_used == 15
    assert result.tier_sources == {
        "recorded frailty and conditions": 11,
        "risk score": 4,
        "risk model": 0,
    }
    assert result.ignored == {"frailty": 1, "ltc_count": 1, "risk_score": 1}


def test_text_ids_five_year_bands_and_hive_keys_agree(tmp_path, qgh_lookups):
    """Text ids (hashed), ages as 5-year bands, lsoa_year from the folder names."""
    rows = []
    for i, band in enumerate(["0-4", "85-89", "90+", "65-69", " 65-69", "91+", None]):
        row = person(f"p{i}", **FIT)
        del row["age"], row["lsoa_year"]
        rows.append({**row, "age_band_5": band})
    rows.append({**rows[0]})  # "p0" twice
    for i in range(5):  # modelled tiers: the engines must agree on the hash
        row = person(f"model-{i}", age=None, **_none())
        del row["age"], row["lsoa_year"]
        rows.append({**row, "age_band_5": "80-84"})
    write(rows, tmp_path / "extract" / "lsoa_year=2011")
    plan = plan_extract(tmp_path / "extract")
    assert plan.id_kind == "string" and plan.age_column == "age_band_5" and plan.hive
    results = [run(tmp_path / "extract", qgh_lookups, e) for e in ("pandas", "duckdb")]
    pd.testing.assert_frame_equal(results[0].counts, results[1].counts)
    assert results[0].rejects == results[1].rejects
    result = results[0]
    assert result.rejects["duplicate person id"] == 2
    assert result.rejects["missing or unreadable value"] == 2  # "91+" and no band
    assert _as_dict(result.counts[result.counts.age_band != "75-84"]) == {
        (PRACTICE_A, "low", 1, "85+"): 2,  # 85-89 and 90+
        (PRACTICE_A, "low", 1, "65-74"): 2,  # "65-69" trimmed
    }
    assert result.tier_sources["risk model"] == 5


def test_a_required_column_missing_stops_with_its_name(tmp_path):
    rows = pd.DataFrame([person(1)]).drop(columns="sex")
    with pytest.raises(ExtractError, match="no column 'sex'"):
        plan_extract(write(rows, tmp_path))


def test_a_required_column_of_the_wrong_type_stops(tmp_path):
    rows = pd.DataFrame([person(1)]).assign(age=True)
    with pytest.raises(ExtractError, match="column 'age' is stored as boolean"):
        plan_extract(write(rows, tmp_path))


def test_an_optional_column_of_the_wrong_type_is_ignored_and_said(tmp_path, qgh_lookups):
    rows = pd.DataFrame([person(1), person(2)]).assign(frailty=[True, False])
    plan = plan_extract(write(rows, tmp_path / "x"))
    assert plan.optional == () and plan.ignored_columns[0][0] == "frailty"
    report = aggregate_extract(tmp_path / "x", tmp_path / "out.parquet", lookups=qgh_lookups)
    assert report.metadata["ignored_columns"][0][0] == "frailty"
    assert any("ignored column frailty" in line for line in report.lines())


def test_nothing_usable_fails_with_the_rounded_rejects(tmp_path, qgh_lookups):
    rows = [person(i, year=2021) for i in range(20)] + [person(99, practice="Z1")]
    write(rows, tmp_path / "x")
    with pytest.raises(ExtractError) as caught:
        aggregate_extract(
            tmp_path / "x", tmp_path / "out.parquet", lookups=qgh_lookups, vintage="2022"
        )
    message = str(caught.value)
    assert "Nothing usable remains" in message
    assert "LSOA from another vintage 20" in message and "unknown practice code *" in message
    assert "--vintage 2026" in message
    assert not (tmp_path / "out.parquet").exists()


def _missing(folder):
    return folder / "missing"


def _empty_file(folder):
    (folder / "e.parquet").write_bytes(b"")
    return folder / "e.parquet"


def _text_file(folder):
    (folder / "t.parquet").write_text("a,b\n1,2\n")
    return folder / "t.parquet"


def _empty_folder(folder):
    (folder / "folder").mkdir()
    return folder / "folder"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_missing, "does not exist"),
        (_empty_file, "is empty"),
        (_text_file, "cannot be read as Parquet"),
        (_empty_folder, "holds no Parquet files"),
    ],
)
def test_unusable_paths_get_clear_errors(tmp_path, make, message):
    with pytest.raises(ExtractError, match=message):
        plan_extract(make(tmp_path))


def test_a_file_with_no_rows(tmp_path):
    table = pa.Table.from_pandas(pd.DataFrame([person(1)])).slice(0, 0)
    pq.write_table(table, tmp_path / "none.parquet")
    with pytest.raises(ExtractError, match="has no rows"):
        plan_extract(tmp_path / "none.parquet")


def test_codes_stored_as_numbers_or_in_folder_names_are_read_alike(tmp_path, qgh_lookups):
    """Sex as NHS number codes, the LSOA from hive folder names: pandas and DuckDB agree."""
    for lsoa, sexes in ((DECILE_2, [1, 2, 9, 3]), (" e01014039", [2, 2, 0, 7])):
        rows = []
        for i, sex in enumerate(sexes):
            row = person(f"{lsoa}-{i}", sex=sex, **FIT)
            del row["lsoa_code"]
            rows.append(row)
        write(rows, tmp_path / "extract" / f"lsoa_code={lsoa}")
    plan = plan_extract(tmp_path / "extract")
    assert plan.raw_values.keys() == {"practice_code"}  # sex is numbers, LSOAs are paths
    results = [run(tmp_path / "extract", qgh_lookups, e) for e in ("pandas", "duckdb")]
    pd.testing.assert_frame_equal(results[0].counts, results[1].counts)
    assert results[0].rejects == results[1].rejects
    assert results[0].rejects["missing or unreadable value"] == 2  # sex 3 and 7
    assert _as_dict(results[0].counts) == {
        (PRACTICE_A, "low", 2, "25-44"): 3,
        (PRACTICE_A, "low", 10, "25-44"): 3,
    }


def test_ids_repeated_across_files_with_overlapping_ranges(tmp_path, qgh_lookups):
    """Interleaved ids: Dask must gather ids by hash bucket to find the repeat across files."""
    write([person(i, **FIT) for i in (1, 3, 5, 7)], tmp_path / "x", "a.parquet")
    write([person(i, **FIT) for i in (2, 3, 6, 8, 8)], tmp_path / "x", "b.parquet")
    results = {e: run(tmp_path / "x", qgh_lookups, e) for e in ("pandas", "duckdb", "dask")}
    for result in results.values():
        assert result.rejects["duplicate person id"] == 4  # 3 twice, 8 twice
        assert result.rows_used == 5
