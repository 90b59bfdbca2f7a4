"""``python -m layers.people check`` finds planted leaks and passes clean files; the
command line gives clear errors (run as a subprocess, as a user would)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from layers.people.aggregate import aggregate_extract
from layers.people.control import relations
from layers.people.output import METADATA_KEY
from tests.conftest import REPO_ROOT
from tests.unit.people_extracts import PRACTICE_A, PRACTICE_B, PRACTICE_C, person, write


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layers.people", *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _people(n, first, practice, frailty, ltc):
    return [person(first + i, practice, frailty=frailty, ltc_count=ltc) for i in range(n)]


@pytest.fixture(scope="module")
def small(tmp_path_factory, qgh_lookups):
    """A hand-made extract: A has 40 low and 3 rising; B 60 low, 30 rising, 12 high; C 25."""
    folder = tmp_path_factory.mktemp("small")
    rows = (
        _people(40, 0, PRACTICE_A, "fit", 0)
        + _people(3, 100, PRACTICE_A, "mild", 2)
        + _people(60, 200, PRACTICE_B, "fit", 0)
        + _people(30, 300, PRACTICE_B, "mild", 2)
        + _people(12, 400, PRACTICE_B, "severe", 4)
        + _people(25, 500, PRACTICE_C, "fit", 1)
    )
    write(rows, folder / "extract")
    aggregate_extract(folder / "extract", folder / "small.parquet", lookups=qgh_lookups)
    return folder / "small.parquet"


@pytest.fixture(scope="module")
def clean(tmp_path_factory, qgh_extract, qgh_lookups):
    """The aggregates of the synthetic QGH extract (real sizes, real suppression)."""
    out = tmp_path_factory.mktemp("clean") / "clean.parquet"
    aggregate_extract(qgh_extract.path, out, lookups=qgh_lookups)
    return out


def _plant(source, target, row: int, value: int) -> None:
    """Rewrite a file with one cell's count changed (the metadata kept as it was)."""
    table = pq.read_table(source)
    cells = table.to_pandas()
    cells.loc[row, "people"] = value
    out = pa.Table.from_pandas(cells, schema=table.schema, preserve_index=False)
    pq.write_table(out, target)


def _describe(cells, i):
    row = cells.iloc[i]
    return (
        f"{row['level']} {row['unit_code']} (tier {row['risk_tier']}, IMD decile "
        f"{row['imd_decile']}, age {row['age_band']})"
    )


def test_a_clean_file_passes(clean):
    done = cli("check", clean)
    assert done.returncode == 0, done.stderr
    assert "passes" in done.stdout and "no leak found" in done.stdout
    cells = pd.read_parquet(clean)
    assert cells["people"].isna().sum() > 100  # there is something to protect


def test_an_unsuppressed_3_is_found(clean, tmp_path):
    cells = pd.read_parquet(clean)
    target = int(cells.index[cells["people"].isna() & (cells["level"] == "practice")][0])
    _plant(clean, tmp_path / "leak.parquet", target, 3)
    done = cli("check", tmp_path / "leak.parquet")
    assert done.returncode == 1
    assert f"{_describe(cells, target)}: 3 must be suppressed" in done.stderr


def test_an_unrounded_11_is_found(clean, tmp_path):
    cells = pd.read_parquet(clean)
    target = int(cells.index[cells["people"] == 10][0])
    _plant(clean, tmp_path / "leak.parquet", target, 11)
    done = cli("check", tmp_path / "leak.parquet")
    assert done.returncode == 1
    assert f"{_describe(cells, target)}: 11 is not rounded to the nearest 5" in done.stderr


def test_a_total_that_reveals_a_suppressed_cell_is_found(clean, tmp_path):
    """Publish one of the two suppressed members of a sum: the total minus the others
    then gives the other one."""
    cells = pd.read_parquet(clean)
    rels = relations(cells)
    hidden = cells["people"].isna().to_numpy()
    n_hidden = np.bincount(rels.group, weights=hidden[rels.member], minlength=rels.count)
    pair = int(np.flatnonzero(n_hidden == 2)[0])
    members = rels.member[rels.group == pair]
    shown, other = (int(m) for m in members[hidden[members]])
    _plant(clean, tmp_path / "leak.parquet", shown, 10)
    done = cli("check", tmp_path / "leak.parquet")
    assert done.returncode == 1
    assert "a total reveals a suppressed count" in done.stderr
    assert _describe(cells, other) in done.stderr


def test_an_unrounded_count_in_the_metadata_is_found(clean, tmp_path):
    table = pq.read_table(clean)
    metadata = json.loads(table.schema.metadata[METADATA_KEY])
    metadata["summary"]["rows_read"] = 173
    pq.write_table(
        table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata).encode()}),
        tmp_path / "leak.parquet",
    )
    done = cli("check", tmp_path / "leak.parquet")
    assert done.returncode == 1 and "'rows_read' = 173 breaks the rule" in done.stderr


def test_a_person_level_file_is_refused(tmp_path):
    write([person(1), person(2)], tmp_path, "rows.parquet")
    done = cli("check", tmp_path / "rows.parquet")
    assert done.returncode == 1 and "person-level rows" in done.stderr


def test_the_aggregate_command_end_to_end_with_progress(tmp_path, small):
    extract = small.parent / "extract"
    done = cli("aggregate", extract, "--out", tmp_path / "agg.parquet", "--engine", "pandas")
    assert done.returncode == 0, done.stderr
    assert "extract: 170 rows in 1 files, 3 practices" in done.stderr
    assert "rows read 170, used 170" in done.stderr
    assert pd.read_parquet(tmp_path / "agg.parquet").equals(pd.read_parquet(small))


def test_the_dask_engine_starts_its_own_local_cluster(tmp_path, small):
    extract = small.parent / "extract"
    done = cli("aggregate", extract, "--out", tmp_path / "agg.parquet", "--engine", "dask")
    assert done.returncode == 0, done.stderr
    assert "dask: 2 workers" in done.stderr
    assert pd.read_parquet(tmp_path / "agg.parquet").equals(pd.read_parquet(small))


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ("check", "{tmp}/nothing.parquet"), "does not exist"),
        ("empty", ("check", "{tmp}/empty.parquet"), "is empty (0 bytes)"),
        ("text", ("check", "{tmp}/text.parquet"), "cannot be read as Parquet"),
        (None, ("aggregate", "{tmp}/nowhere", "--out", "{tmp}/a.parquet"), "does not exist"),
        ("empty", ("aggregate", "{tmp}/empty.parquet", "--out", "{tmp}/a.parquet"), "is empty"),
        ("text", ("aggregate", "{tmp}", "--out", "{tmp}/a.parquet"), "cannot be read as Parquet"),
        (
            None,
            ("aggregate", "{tmp}", "--out", "{tmp}/a.parquet", "--scheduler", "x"),
            "for the Dask engine",
        ),
    ],
)
def test_command_line_errors_are_clear(tmp_path, setup, args, message):
    if setup == "empty":
        (tmp_path / "empty.parquet").write_bytes(b"")
    elif setup == "text":
        (tmp_path / "text.parquet").write_text("person_id,age\n1,40\n")
    done = cli(*(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "a.parquet").exists()
