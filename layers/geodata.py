"""Read the compact tables that ``python -m layers.build`` writes to ``geodata/``.

Tables are read once per process and handed out as copies, so that callers can
modify what they get without touching the shared copy.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

__all__ = [
    "DATA_VINTAGE",
    "GEODATA_DIR",
    "GEOMETRY_TABLES",
    "SOURCES",
    "TABLES",
    "read_manifest",
    "read_table",
]

GEODATA_DIR = Path(__file__).resolve().parents[1] / "geodata"

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

#: One line for every figure and page footer.
DATA_VINTAGE = (
    "ICBs and GP registrations July 2022; LSOA 2011 boundaries; IMD 2019; "
    "ONS mid-2020 population; NHS England 2022/23 weighted populations"
)

#: Attribution that every view and export must carry.
SOURCES = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right. "
    "LSOA boundaries via Martin Chorley, UK-GeoJSON (CC-BY-4.0). "
    "Sources: ONS, NHS Digital, NHS England, MHCLG (IoD2019)."
)


@cache
def _read(name: str) -> pd.DataFrame:
    path = GEODATA_DIR / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. Rebuild the data with `python -m layers.build` "
            "(it reads ../shared/data)."
        )
    if name in GEOMETRY_TABLES:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def read_table(name: str) -> pd.DataFrame:
    """Return one ``geodata/`` table as a fresh copy.

    Parameters
    ----------
    name : str
        One of :data:`TABLES`.

    Returns
    -------
    DataFrame or GeoDataFrame
        Geometry tables come back as GeoDataFrames in EPSG:4326.

    Raises
    ------
    ValueError
        If ``name`` is not a known table.

    Examples
    --------
    >>> lsoas = read_table("lsoas")
    >>> len(lsoas)
    32844
    >>> read_table("lsoa") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: Unknown geodata table 'lsoa'.
    """
    if name not in TABLES:
        raise ValueError(f"Unknown geodata table {name!r}. Known tables: {', '.join(TABLES)}.")
    return _read(name).copy()


def read_manifest() -> dict:
    """Return ``geodata/manifest.json``: vintage, tolerances, row counts and sizes."""
    return json.loads((GEODATA_DIR / "manifest.json").read_text())
