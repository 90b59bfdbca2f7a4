"""Files for the dashboard's aggregates upload, made with the library as a user makes them.

:func:`make_files` synthesises a small person-level extract for Herefordshire and
Worcestershire (QGH: one synthetic person in ten, so every count differs from the
dashboard's own synthetic layer), aggregates it with ``layers.people`` (DuckDB) and
plants a leak in a copy of the result.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from layers.people import aggregate_extract, write_synthetic_extract


@dataclass(frozen=True)
class PeopleFiles:
    """A person-level extract file, its aggregates, and the aggregates with a leak."""

    person_level: Path
    aggregates: Path
    leaky: Path


def plant_leak(aggregates: bytes) -> bytes:
    """The aggregates file with its first suppressed cell shown as 3 (metadata kept)."""
    table = pq.read_table(io.BytesIO(aggregates))
    cells = table.to_pandas()
    cells.loc[cells["people"].isna().idxmax(), "people"] = 3
    sink = io.BytesIO()
    pq.write_table(table.from_pandas(cells, schema=table.schema, preserve_index=False), sink)
    return sink.getvalue()


def make_files(folder: Path, every: int = 10) -> PeopleFiles:
    """Write the three files into ``folder`` (created); about 30 s of work."""
    full = write_synthetic_extract(folder / "full", ["QGH"], vintage="2022")
    table = pq.read_table(next(full.path.rglob("*.parquet")))
    extract = folder / "extract"
    extract.mkdir(parents=True)
    person_level = extract / "part-0.parquet"
    pq.write_table(table.take(np.arange(0, table.num_rows, every)), person_level)
    aggregates = folder / "qgh_aggregates.parquet"
    aggregate_extract(extract, aggregates, vintage="2022")
    leaky = folder / "leaky_aggregates.parquet"
    leaky.write_bytes(plant_leak(aggregates.read_bytes()))
    return PeopleFiles(person_level, aggregates, leaky)
