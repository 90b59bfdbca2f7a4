"""The store tier: the scenario library on SQLite and on a real PostgreSQL server.

Every repository test runs twice, on a fresh SQLite file and on a fresh database of a
throwaway PostgreSQL cluster (the session's ``postgres`` fixture, ``tests/conftest.py``).
Without PostgreSQL's binaries the PostgreSQL half skips on a developer machine and
fails in CI.
"""

from __future__ import annotations

import pytest

from dashboard.store import ScenarioDocument, ScenarioStore, User
from layers import tiers
from layers.allocation import Scenario, default_catalogue

ANN = User("ann@example.nhs.uk", "Ann Analyst")
BOB = User("bob@example.nhs.uk", "Bob Placelead")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library' / 'scenarios.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def store(database_url):
    """A migrated, empty library."""
    library = ScenarioStore.open(database_url)
    yield library
    library.dispose()


def tiers_document(ics: str = "QGH", **changes) -> ScenarioDocument:
    """A tiers what-if: PCN bands 20k-60k and one merge."""
    arguments = {
        "bands": {"pcn": (20_000, 60_000)},
        "regrouping": tiers.Regrouping().merge_pcns("U1", "U2", "North"),
    }
    arguments.update(changes)
    return ScenarioDocument("tiers", ics, "2022", "preset", **arguments)


def allocation_document(ics: str = "QRV", budget: float = 3_456_789_012.34) -> ScenarioDocument:
    """An allocation what-if on the shipped catalogue."""
    scenario = Scenario(
        "Fair shares", budget, default_catalogue(), "inequality_zero_sum", {"share_percent": 2}
    )
    return ScenarioDocument("allocation", ics, "2022", "preset", allocation=scenario)
