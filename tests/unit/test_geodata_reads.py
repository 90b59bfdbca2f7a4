"""Reading geodata/ tables: filtered reads, and what a server keeps in memory (#19)."""

from __future__ import annotations

import os
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from layers import geodata
from layers.geodata import UNCACHED_TABLES, read_table
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    ("name", "column"),
    [("lsoas", "icb_code"), ("practices", "icb_code"), ("registrations", "practice_code")],
)
def test_where_gives_the_same_rows_as_filtering_the_whole_table(name, column):
    whole = read_table(name)
    wanted = sorted(whole[column].dropna().unique())[:3]
    expected = whole[whole[column].isin(wanted)].reset_index(drop=True)
    pd.testing.assert_frame_equal(read_table(name, where={column: wanted}), expected)


def test_where_on_geometry_reads_one_ics_with_its_shapes():
    codes = read_table("lsoas", where={"icb_code": ["QGH"]}, vintage="2022")["lsoa_code"]
    shapes = read_table("lsoa_geometry_detail", where={"lsoa_code": codes}, vintage="2022")
    assert len(shapes) == len(codes) == 480
    assert shapes.crs.to_epsg() == 4326 and shapes.geometry.is_valid.all()


def test_an_empty_list_selects_no_rows():
    shapes = read_table("lsoa_geometry_light", where={"lsoa_code": []})
    assert len(shapes) == 0 and isinstance(shapes, gpd.GeoDataFrame)


def test_big_tables_are_not_kept_and_small_ones_are_shared_safely():
    geodata._read.cache_clear()
    read_table("registrations")
    read_table("lsoa_geometry_detail", where={"lsoa_code": ["E01013977"]})
    lsoas = read_table("lsoas", where={"icb_code": ["QGH"]})
    assert geodata._read.cache_info().currsize == 1  # lsoas only
    assert {"registrations", "lsoa_geometry_detail", "lsoa_geometry_light"} <= UNCACHED_TABLES
    lsoas["population"] = -1  # a caller's change never reaches the shared copy
    assert (read_table("lsoas", where={"icb_code": ["QGH"]})["population"] > 0).all()


def test_the_list_of_systems_is_built_once_and_handed_out_as_a_copy():
    """Every new session resolves its ICS through list_systems (#18, #19)."""
    from layers import system

    first = system.list_systems(vintage="2026")
    first["icb_name"] = "changed by a caller"
    again = system.list_systems(vintage="2026")
    assert "changed by a caller" not in set(again["icb_name"])
    assert system._geodata_systems.cache_info().hits >= 1
    # In-memory tables are never served from the cache.
    tables = {name: read_table(name, vintage="2026") for name in ("lsoas", "practices")}
    tables["place_presets"] = read_table("place_presets", vintage="2026").iloc[:0]
    mine = system.list_systems(tables, vintage="2026")
    assert not mine["has_preset_places"].any() and again["has_preset_places"].any()


def test_tune_allocators_gives_arrow_the_system_allocator():
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    code = (
        "from dashboard.serve import tune_allocators; tune_allocators(); "
        "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "system", out.stderr
