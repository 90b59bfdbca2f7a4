"""The synthetic population written as a person-level extract, in the documented schema.

The people are :attr:`layers.System.individuals` (:mod:`layers.individuals`: one
person per registered patient, ages from their LSOA's structure, sex from age), one
system at a time, so an ICS's extract holds exactly the people the dashboard's
synthetic layer has for it. They are written in the schema of
:mod:`layers.people.schema`, as a hive layout with one folder per ICS::

    extract/icb=QGH/part-0.parquet
    extract/icb=QRV/part-0.parquet
    ...

* ``person_id``: int64, 1, 2, 3... in ICS then practice order (unique in the extract);
* ``practice_code``, ``lsoa_code``: dictionary-encoded text; registrations at an unknown
  address (``NO2011``) get a null LSOA, as a real extract would, so the aggregation
  rejects them ("null LSOA": about 27,000 people in England);
* ``lsoa_year``: int16 (2011 for the 2022 vintage);
* ``age``: int16, 0-90 (90 = 90 and over); ``sex``: ``F``/``M``.

No optional column is written: every tier then comes from the risk model. Every ICS's
people are drawn from the ``individuals`` stream of the seed (as ``System.individuals``),
so one system's extract does not depend on which others are written with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from layers.people.errors import ExtractError
from layers.people.lookups import LSOA_YEAR_OF_VINTAGE, system_tables
from layers.streams import DEFAULT_SEED
from layers.system import load_system, resolve_ics
from layers.vintages import DEFAULT_VINTAGE

__all__ = ["ROW_GROUP_ROWS", "SyntheticExtract", "write_synthetic_extract"]

#: Rows per Parquet row group in the synthetic files.
ROW_GROUP_ROWS: Final = 1_000_000

_SCHEMA: Final = pa.schema(
    [
        ("person_id", pa.int64()),
        ("practice_code", pa.dictionary(pa.int32(), pa.string())),
        ("lsoa_code", pa.dictionary(pa.int32(), pa.string())),
        ("lsoa_year", pa.int16()),
        ("age", pa.int16()),
        ("sex", pa.dictionary(pa.int8(), pa.string())),
    ]
)


@dataclass(frozen=True)
class SyntheticExtract:
    """What :func:`write_synthetic_extract` wrote.

    Attributes
    ----------
    path : pathlib.Path
        The extract folder.
    people : int
        Rows written.
    systems : tuple of str
        ICB codes, one folder each.
    bytes_on_disk : int
        Total size of the Parquet files.
    seconds : float
        Time taken.
    """

    path: Path
    people: int
    systems: tuple[str, ...]
    bytes_on_disk: int
    seconds: float


def _as_table(people: pd.DataFrame, first_id: int, lsoa_year: int) -> pa.Table:
    lsoa = people["lsoa_code"].astype(object)
    lsoa = lsoa.where(lsoa.str.match(r"^[EW]01\d{6}$").fillna(False).astype(bool), None)
    return pa.table(
        {
            "person_id": pa.array(np.arange(first_id, first_id + len(people), dtype=np.int64)),
            "practice_code": pa.array(people["practice_code"].astype(object)).dictionary_encode(),
            "lsoa_code": pa.array(lsoa, type=pa.string()).dictionary_encode(),
            "lsoa_year": pa.array(np.full(len(people), lsoa_year, dtype=np.int16)),
            "age": pa.array(people["age"].to_numpy().astype(np.int16)),
            "sex": pa.array(people["sex"].astype(object)).dictionary_encode(),
        }
    ).cast(_SCHEMA)


def write_synthetic_extract(
    out: str | Path,
    systems: Sequence[str] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    vintage: str = DEFAULT_VINTAGE,
    progress: Callable[[str], None] | None = None,
) -> SyntheticExtract:
    """Write the synthetic population of some systems (or all England) as an extract.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to create (it must not exist, or be empty).
    systems : sequence of str, optional
        ICB codes or names; default all 42 (England, 61.8 million people).
    seed : int, default 2022
        Seed of the synthetic individuals (as :func:`layers.load_system`).
    vintage : {"2022", "2026"}, default :data:`layers.vintages.DEFAULT_VINTAGE`
    progress : callable, optional
        Called with one line per system written.

    Returns
    -------
    SyntheticExtract

    Raises
    ------
    ExtractError
        If ``out`` exists and is not an empty folder, or the vintage is not built.
    ValueError
        For an unknown ICS.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_synthetic_extract(f"{tmp}/extract", ["QGH"], vintage="2022")
    ...     files = sorted(p.relative_to(written.path).as_posix()
    ...                    for p in written.path.rglob("*.parquet"))
    >>> written.people, files
    (817738, ['icb=QGH/part-0.parquet'])
    """
    started = time.perf_counter()
    folder = Path(out)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExtractError(f"{folder} already exists and is not an empty folder; choose another.")
    if vintage not in LSOA_YEAR_OF_VINTAGE:
        raise ExtractError(
            f"Unknown data vintage {vintage!r}; choose {' or '.join(LSOA_YEAR_OF_VINTAGE)}."
        )
    tables = system_tables(vintage, slim=False)
    if systems is None:
        codes = sorted(tables["practices"]["icb_code"].dropna().unique())
    else:
        codes = sorted({resolve_ics(code, tables, vintage=vintage) for code in systems})
    folder.mkdir(parents=True, exist_ok=True)
    next_id = 1
    size = 0
    for code in codes:
        system = load_system(code, detail="light", seed=seed, tables=tables, vintage=vintage)
        table = _as_table(system.individuals, next_id, LSOA_YEAR_OF_VINTAGE[vintage])
        path = folder / f"icb={code}" / "part-0.parquet"
        path.parent.mkdir()
        pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        next_id += table.num_rows
        size += path.stat().st_size
        if progress is not None:
            progress(f"{code}: {table.num_rows:,} people, {path.stat().st_size / 1e6:,.1f} MB")
        del system, table
    return SyntheticExtract(
        path=folder,
        people=next_id - 1,
        systems=tuple(codes),
        bytes_on_disk=size,
        seconds=time.perf_counter() - started,
    )
