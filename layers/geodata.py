"""Read the compact tables that ``python -m layers.build`` writes to ``geodata/<vintage>/``.

Small tables are read once per process and handed out as copies, so that callers can
modify what they get without touching the shared copy. The big ones (every practice's
registrations by LSOA, and the LSOA geometry, about 70 MiB a vintage once in memory) are
read from disk on each call, and only the rows asked for (``where``) are decoded: the
callers that need them whole cache what they make of them. Each vintage (see
:mod:`layers.vintages`) has its own folder: ``geodata/2022/`` and ``geodata/2026/``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from layers.vintages import DEFAULT_VINTAGE, check_vintage, get_vintage

__all__ = [
    "DATA_VINTAGE",
    "GEODATA_DIR",
    "GEOMETRY_TABLES",
    "SOURCES",
    "TABLES",
    "UNCACHED_TABLES",
    "VINTAGE_TABLES",
    "read_manifest",
    "read_table",
    "vintage_dir",
]

#: The root of the shipped data; each vintage is a folder inside it.
GEODATA_DIR = Path(__file__).resolve().parents[1] / "geodata"

#: Tables every vintage has, with the same keys and (where the meaning is the same) columns.
TABLES = (
    "lsoas",
    "practices",
    "pcns",
    "registrations",
    "weighted_populations",
    "place_presets",
    "lsoa_geometry_detail",
    "lsoa_geometry_light",
    "icb_geometry_light",
)
GEOMETRY_TABLES = ("lsoa_geometry_detail", "lsoa_geometry_light", "icb_geometry_light")

#: Tables of each vintage. The 2026 vintage adds the ICB code list, the April 2026
#: merger pieces and terminated codes, and the donors of modelled registration patterns.
VINTAGE_TABLES: dict[str, tuple[str, ...]] = {
    "2022": TABLES,
    "2026": (*TABLES, "icb_codes", "icb_pieces", "icb_terminated", "pattern_donors"),
}

#: One line for every figure and page footer (the default vintage's).
DATA_VINTAGE = get_vintage(DEFAULT_VINTAGE).data_line

#: Attribution that every view and export must carry (the default vintage's).
SOURCES = get_vintage(DEFAULT_VINTAGE).sources


def vintage_dir(vintage: str = DEFAULT_VINTAGE) -> Path:
    """The folder of one vintage's tables, e.g. ``geodata/2026``.

    Examples
    --------
    >>> vintage_dir("2026").name
    '2026'
    """
    return GEODATA_DIR / check_vintage(vintage)


#: Tables too big to keep in every server for the life of the process (see the module
#: docstring); they are read again, filtered at the source, on each call.
UNCACHED_TABLES = frozenset({"registrations", *GEOMETRY_TABLES} - {"icb_geometry_light"})

Where = Mapping[str, Collection[object]] | None


def _path(name: str, vintage: str) -> Path:
    path = vintage_dir(vintage) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. Rebuild the data with `python -m layers.build` "
            "(it reads ../shared/data)."
        )
    return path


def _load(name: str, vintage: str, where: Where = None) -> pd.DataFrame:
    """Read a table from disk; with ``where``, only the rows whose values are listed."""
    path = _path(name, vintage)
    filters = None
    if where:
        # Typed from the file's schema, so that an empty list selects no rows (pyarrow
        # cannot type an empty list on its own).
        schema = pq.read_schema(path)
        for column, values in where.items():
            wanted = pc.field(column).isin(pa.array(list(values), type=schema.field(column).type))
            filters = wanted if filters is None else filters & wanted
    if name in GEOMETRY_TABLES:
        return gpd.read_parquet(path, filters=filters)
    return pd.read_parquet(path, filters=filters)


@cache
def _read(name: str, vintage: str) -> pd.DataFrame:
    return _load(name, vintage)


def read_table(name: str, vintage: str = DEFAULT_VINTAGE, where: Where = None) -> pd.DataFrame:
    """Return one ``geodata/`` table of one vintage as a fresh copy.

    Parameters
    ----------
    name : str
        One of :data:`VINTAGE_TABLES` for the vintage.
    vintage : {"2022", "2026"}
        The data vintage (:mod:`layers.vintages`).
    where : mapping of column → values, optional
        Only the rows whose value in each column is one of those listed (one ICS's
        LSOAs, say). Cheaper than filtering the whole table afterwards: the rows left
        out are never copied, and for :data:`UNCACHED_TABLES` never decoded.

    Returns
    -------
    DataFrame or GeoDataFrame
        Geometry tables come back as GeoDataFrames in EPSG:4326.

    Raises
    ------
    ValueError
        If ``name`` is not a table of the vintage, or the vintage is unknown
        (:class:`layers.vintages.UnknownVintageError`).

    Examples
    --------
    >>> len(read_table("lsoas", vintage="2022")), len(read_table("lsoas", vintage="2026"))
    (32844, 33755)
    >>> len(read_table("lsoas", where={"icb_code": ["QGH"]}, vintage="2022"))
    480
    >>> len(read_table("lsoas", where={"icb_code": []}))
    0
    >>> read_table("lsoa", vintage="2022") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: Unknown geodata table 'lsoa'.
    """
    vintage = check_vintage(vintage)
    known = VINTAGE_TABLES[vintage]
    if name not in known:
        raise ValueError(
            f"Unknown geodata table {name!r} in the {vintage} vintage. "
            f"Known tables: {', '.join(known)}."
        )
    if where is not None:
        where = {column: list(values) for column, values in where.items()}
    if name in UNCACHED_TABLES:
        return _load(name, vintage, where)
    table = _read(name, vintage)
    if where:
        keep = np.ones(len(table), dtype=bool)
        for column, values in where.items():
            keep &= table[column].isin(values).to_numpy()
        return table[keep].reset_index(drop=True)  # a new frame: the cached one is untouched
    return table.copy()


def read_manifest(vintage: str = DEFAULT_VINTAGE) -> dict:
    """Return ``geodata/<vintage>/manifest.json``: vintage, tolerances, row counts, sizes."""
    return json.loads((vintage_dir(vintage) / "manifest.json").read_text())
