"""Benchmark: the scenario library on SQLite and on PostgreSQL.

Run ``python benchmarks/bench_store.py [repeats]`` (default 20). Prints one markdown
table: the median (and worst) time of each operation on a fresh SQLite file and on a
fresh database of a throwaway local PostgreSQL cluster (started from Debian's binaries as
in the tests; as root it runs as the ``postgres`` user).

1. Save a new North West London (QRV) allocation scenario: the shipped catalogue,
   illustrative budget, "inequality zero-sum" at 2%.
2. Save a new version of it.
3. Open it by id (what ``?scenario=<id>`` does): fetch the latest version and validate
   the document back into a ``Scenario``; then the same plus re-running the allocation
   over QRV's practices, which is what the page draws.
4. List 1,000 scenarios (the library page's default view), and search them by name.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import layers  # noqa: E402
from dashboard.store import ScenarioDocument, ScenarioStore, User  # noqa: E402
from layers.allocation import (  # noqa: E402
    Scenario,
    default_catalogue,
    illustrative_budget,
    practice_frame,
)
from tests.postgres_server import PostgresServer  # noqa: E402

LIBRARY_SIZE = 1_000
USER = User("analyst@example.nhs.uk", "An Analyst")


def qrv_document() -> tuple[ScenarioDocument, object]:
    """The QRV allocation document and the practice frame it runs on."""
    place_definition = layers.default_place_definition("QRV")
    frame = practice_frame(
        layers.load_system("QRV", place_definition),
        layers.read_table("weighted_populations"),
        layers.read_table("lsoas"),
    )
    scenario = Scenario(
        "QRV fair shares",
        illustrative_budget(frame),
        default_catalogue(),
        "inequality_zero_sum",
        {"share_percent": 2},
    )
    document = ScenarioDocument("allocation", "QRV", "2022", place_definition, allocation=scenario)
    return document, frame


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and worst wall time in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def measure(url: str, document: ScenarioDocument, frame, repeats: int) -> dict[str, str]:
    """Every operation on one database."""
    start = time.perf_counter()
    store = ScenarioStore.open(url)
    rows: dict[str, tuple[float, float]] = {}
    rows["open the store and migrate (first start)"] = ((time.perf_counter() - start) * 1000,) * 2
    rows["save a new QRV allocation scenario"] = timed(
        lambda: store.save_new(document, "QRV fair shares", USER), repeats
    )
    saved = store.save_new(document, "QRV versions", USER)
    version = [saved.latest_version]

    def new_version() -> None:
        version[0] = store.save_version(saved.id, document, USER, base_version=version[0]).version

    rows["save a new version of it"] = timed(new_version, repeats)
    rows["open it by id (fetch + validate)"] = timed(
        lambda: store.get_version(saved.id, USER), repeats
    )
    rows["open it and re-run the allocation"] = timed(
        lambda: store.get_version(saved.id, USER).document.allocation.run(frame), repeats
    )
    seeded = time.perf_counter()
    existing = len(store.list_scenarios(USER))
    for i in range(LIBRARY_SIZE - existing):
        store.save_new(document, f"Option {i:04d}", USER)
    rate = (time.perf_counter() - seeded) / max(1, LIBRARY_SIZE - existing) * 1000
    rows[f"save, one after another, to {LIBRARY_SIZE:,} (mean)"] = (rate, rate)
    listed = store.list_scenarios(USER)
    assert len(listed) == LIBRARY_SIZE, len(listed)
    rows[f"list {LIBRARY_SIZE:,} scenarios"] = timed(lambda: store.list_scenarios(USER), repeats)
    rows[f"search {LIBRARY_SIZE:,} by name ('option 04')"] = timed(
        lambda: store.list_scenarios(USER, search="option 04"), repeats
    )
    store.dispose()
    return {k: f"{median:,.1f} ({worst:,.1f})" for k, (median, worst) in rows.items()}


def main(repeats: int = 20) -> None:
    """Print the table."""
    document, frame = qrv_document()
    size = len(document.to_dict()["allocation"]["catalogue"])
    with tempfile.TemporaryDirectory() as folder:
        sqlite = measure(f"sqlite:///{folder}/scenarios.sqlite3", document, frame, repeats)
    with PostgresServer() as server:
        postgres = measure(server.create_database("bench"), document, frame, repeats)
    print(
        f"\nScenario library, {repeats} repeats: median (worst) ms; "
        f"QRV allocation document {size} catalogue rows\n"
    )
    print("| operation | SQLite | PostgreSQL |")
    print("|---|---:|---:|")
    for operation in sqlite:
        print(f"| {operation} | {sqlite[operation]} | {postgres[operation]} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
