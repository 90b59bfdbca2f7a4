"""Shared fixtures: a hand-made toy ICS with known answers, and paths to real data.

The suite has three tiers, each in its own folder and marked by it:

* ``tests/unit``: the library, on hand-made geometries, real-data facts and the
  reference suites (marker ``unit``);
* ``tests/store``: the scenario library on SQLite and a real PostgreSQL (marker ``store``);
* ``tests/app``: every page under Streamlit's AppTest (marker ``app``);
* ``tests/browser``: the running dashboard in headless Chromium (marker ``browser``).

``pytest -m "not browser"`` is the fast local loop.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
SHARED_REFERENCE = SHARED / "reference"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"


_TIERS = ("unit", "store", "app", "browser")


def pytest_configure(config):
    """Keep the scenario library's default SQLite file out of the user's home.

    Pages and dashboard servers started by the tests (which inherit the environment)
    use a throwaway folder unless a test gives its own database URL.
    """
    if "ICS_PLANNER_DATA_DIR" not in os.environ:
        import tempfile

        config.library_folder = tempfile.mkdtemp(prefix="ics-planner-tests-")
        os.environ["ICS_PLANNER_DATA_DIR"] = config.library_folder


def pytest_unconfigure(config):
    folder = getattr(config, "library_folder", None)
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("ICS_PLANNER_DATA_DIR", None)


def pytest_collection_modifyitems(config, items):
    """Mark every test with its tier, from the folder it lives in."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO_ROOT).parts
        if len(parts) > 2 and parts[0] == "tests" and parts[1] in _TIERS:
            item.add_marker(parts[1])


#: The real ``__main__`` of this test process, kept before any page script can replace it.
_REAL_MAIN = sys.modules["__main__"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Put back the real ``__main__`` before each test and before its fixtures.

    Streamlit's script runner (AppTest runs it in this process) installs the page script
    as ``sys.modules["__main__"]`` and leaves it there, also when a module-scoped fixture
    runs a page. A process started later with the ``spawn`` method (a Dask worker) would
    then run the router script as its main and die before starting: "Nanny failed to
    start". A hook, not a fixture, so it runs before every fixture of the test.
    """
    sys.modules["__main__"] = _REAL_MAIN


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """And after each test, for whatever runs between tests."""
    sys.modules["__main__"] = _REAL_MAIN


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster per test process; each test makes its own database.

    Started from Debian's binaries (``tests/postgres_server.py``). Without them the
    tests that need it skip on a developer machine and fail in CI.
    """
    from tests.postgres_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI must test PostgreSQL: {exc}")
        pytest.skip(str(exc))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def england() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """England's July 2022 registrations, LSOAs and practices, as layers.alignment takes them.

    Returns
    -------
    tuple[pandas.DataFrame, pandas.DataFrame, pandas.DataFrame]
        The ``registrations``, ``lsoas`` and ``practices`` tables of the 2022 vintage.
    """
    from layers.geodata import read_table

    return (
        read_table("registrations", vintage="2022"),
        read_table("lsoas", vintage="2022"),
        read_table("practices", vintage="2022"),
    )


def require_shared(path: Path = SHARED) -> Path:
    """Skip (only) when ../shared is absent from this machine."""
    if not path.exists():
        pytest.skip(f"{path} is absent on this machine")
    return path


def _lsoa_row(code, icb, ltla, utla, population, ccg="C1"):
    row = {
        "lsoa_code": code,
        "lsoa_name": f"Toy {code}",
        "icb_code": icb,
        "icb_name": {"QXX": "Toyshire", "QYY": "Elsewhere"}[icb],
        "sicbl_code": "S1",
        "ltla_code": ltla,
        "ltla_name": f"District {ltla}",
        "utla_code": utla,
        "utla_name": f"County {utla}",
        "ccg21_code": ccg,
        "ccg21_name": f"NHS {ccg} CCG",
        "stp21_code": "STP1",
        "stp21_name": "Toy STP",
        "imd_rank": 1000,
        "imd_decile": 1,
        "gp_distance_km": 1.0,
        "population": population,
    }
    row.update({f"age_{a}": 0 for a in range(91)})
    row["age_30"] = population
    return row


@pytest.fixture
def toy_tables() -> dict[str, pd.DataFrame]:
    """A 2 × 2 grid of LSOAs in two districts, plus one LSOA in a neighbouring ICB.

    ::

        L3 (D1, 300) | L4 (D2, 400)
        L1 (D1, 100) | L2 (D2, 200)        L5 (QYY, 50) further east

    Practices P1, P2 are in PCN A; P3 in PCN B; P4 in no PCN; P5 is in ICB QYY.
    """
    lsoas = pd.DataFrame(
        [
            _lsoa_row("L1", "QXX", "D1", "U1", 100),
            _lsoa_row("L2", "QXX", "D2", "U2", 200),
            _lsoa_row("L3", "QXX", "D1", "U1", 300),
            _lsoa_row("L4", "QXX", "D2", "U2", 400),
            _lsoa_row("L5", "QYY", "D3", "U3", 50, ccg="C2"),
        ]
    )
    shapes = [
        box(0, 50, 0.1, 50.1),
        box(0.1, 50, 0.2, 50.1),
        box(0, 50.1, 0.1, 50.2),
        box(0.1, 50.1, 0.2, 50.2),
        box(0.5, 50, 0.6, 50.1),
    ]
    geometry = gpd.GeoDataFrame(
        {"lsoa_code": ["L1", "L2", "L3", "L4", "L5"]}, geometry=shapes, crs=4326
    )
    practices = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3", "P4", "P5"],
            "practice_name": ["One", "Two", "Three", "Four", "Five"],
            "postcode": ["X1"] * 5,
            "latitude": [50.05, 50.05, 50.15, 50.15, 50.05],
            "longitude": [0.05, 0.06, 0.15, 0.05, 0.55],
            "pcn_code": ["A", "A", "B", None, "C"],
            "pcn_name": ["PCN A", "PCN A", "PCN B", None, "PCN C"],
            "icb_code": ["QXX", "QXX", "QXX", "QXX", "QYY"],
            "sicbl_code": ["S1"] * 4 + ["S2"],
            "registered_patients": [60, 25, 115, 40, 80],
            "in_epcn": [True, True, True, False, True],
        }
    )
    registrations = pd.DataFrame(
        [
            ("P1", "L1", 50),
            ("P1", "L3", 10),
            ("P2", "L1", 20),
            ("P2", "L2", 5),
            ("P3", "L2", 40),
            ("P3", "L4", 60),
            ("P3", "L3", 15),
            ("P4", "L3", 30),
            ("P4", "W01000001", 7),
            ("P4", "NO2011", 3),
            ("P5", "L5", 70),
            ("P5", "L4", 10),
        ],
        columns=["practice_code", "lsoa_code", "patients"],
    )
    pcns = pd.DataFrame(
        {
            "pcn_code": ["A", "B", "C"],
            "pcn_name": ["PCN A", "PCN B", "PCN C"],
            "icb_code": ["QXX", "QXX", "QYY"],
            "sicbl_code": ["S1", "S1", "S2"],
        }
    )
    presets = pd.DataFrame(
        {"icb_code": ["QXX", "QXX"], "place_name": ["Whole", "Whole"], "ltla_code": ["D1", "D2"]}
    )
    return {
        "lsoas": lsoas,
        "practices": practices,
        "pcns": pcns,
        "registrations": registrations,
        "place_presets": presets,
        "lsoa_geometry_detail": geometry,
        "lsoa_geometry_light": geometry,
    }
