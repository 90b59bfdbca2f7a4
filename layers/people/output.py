"""The aggregates file: disclosure-controlled cells and their metadata, in one Parquet file.

Columns: :data:`layers.people.cube.CELL_KEYS` (text) and ``people`` (int64; null is
a suppressed count, shown as ``*``). Nothing else: no unrounded count, no row of a
person. The file's key-value metadata :data:`METADATA_KEY` holds JSON:

``format``, ``format_version``
    ``"ics-people-aggregates"``, :data:`FORMAT_VERSION`.
``schema_version``
    The person-level schema the extract followed.
``rule``, ``differencing``
    The small-number rule applied, and how totals are kept from revealing a cell.
``engine``, ``vintage``, ``lsoa_year``, ``seed``, ``score_cuts``, ``created``
    How and when it was made (``created``: UTC, ISO 8601).
``summary``
    Rows read and used, rejects by reason and rows by tier source, each rounded like a
    cell (``"*"`` where suppressed), protected with the cells.
``ignored_values``, ``ignored_columns``
    Optional values or columns that could not be read (rounded counts; reasons).
``cells``, ``suppressed``
    Number of cells and of suppressed cells.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from layers.people.cube import CELL_KEYS

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "METADATA_KEY",
    "read_aggregates",
    "table_bytes",
    "write_aggregates",
]

#: Name of the format, in the metadata.
FORMAT: Final = "ics-people-aggregates"
#: Version of the aggregates format.
FORMAT_VERSION: Final = "1"
#: Parquet key-value metadata key of the JSON.
METADATA_KEY: Final = b"ics_people_aggregates"

_SCHEMA: Final = pa.schema([(c, pa.string()) for c in CELL_KEYS] + [("people", pa.int64())])


def _table(cells: pd.DataFrame, metadata: dict) -> pa.Table:
    frame = cells[[*CELL_KEYS, "people"]]
    table = pa.Table.from_pandas(frame, schema=_SCHEMA, preserve_index=False)
    return table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata).encode()})


def table_bytes(cells: pd.DataFrame, metadata: dict) -> bytes:
    """The aggregates file as bytes (for a download or a test).

    Parameters
    ----------
    cells : pandas.DataFrame
        :data:`CELL_KEYS` and ``people`` (published values).
    metadata : dict
        JSON-serialisable metadata.

    Returns
    -------
    bytes
    """
    sink = io.BytesIO()
    pq.write_table(_table(cells, metadata), sink, compression="zstd")
    return sink.getvalue()


def write_aggregates(cells: pd.DataFrame, metadata: dict, path: str | Path) -> Path:
    """Write the aggregates file atomically (a partial file is never left behind).

    Parameters
    ----------
    cells, metadata
        As for :func:`table_bytes`.
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        pq.write_table(_table(cells, metadata), temporary, compression="zstd")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def read_aggregates(source: str | Path | bytes) -> tuple[pd.DataFrame, dict | None, pa.Schema]:
    """Read any Parquet file as cells, its metadata JSON (None if absent) and its schema.

    No check is made here (see :func:`layers.people.check.check_table`).

    Parameters
    ----------
    source : str, pathlib.Path or bytes

    Returns
    -------
    (pandas.DataFrame, dict or None, pyarrow.Schema)

    Raises
    ------
    pyarrow.ArrowInvalid, OSError
        If it is not a readable Parquet file.
    """
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    table = pq.read_table(handle)
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    metadata = None
    if raw is not None:
        try:
            metadata = json.loads(raw)
        except ValueError:
            metadata = None
    return table.to_pandas(), metadata, table.schema
