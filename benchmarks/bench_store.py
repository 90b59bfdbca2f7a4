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
5. In the browser: the Service allocation page for QRV opened by the scenario's link
   (``/allocation?ics=QRV&scenario=<id>``) against the same page with no scenario, each
   in a fresh browser session on a dashboard server using that database, from the
   address to the last chart drawn (caches warm: one untimed visit of each first). The
   bar: the scenario's link draws within 1 s of the page without it.

``python benchmarks/bench_store.py 20 --no-browser`` skips part 5. Run it on a quiet
machine: part 5 drives Chromium and a dashboard server.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import layers
from benchmarks._common import time_calls
from dashboard.store import (
    DATABASE_URL_VARIABLE,
    ScenarioDocument,
    ScenarioStore,
    User,
)
from layers.allocation import (
    Scenario,
    default_catalogue,
    illustrative_budget,
    practice_frame,
)
from tests.browser_harness import dashboard_server, launch_chromium, wait_for_charts
from tests.postgres_server import PostgresServer

LIBRARY_SIZE = 1_000
USER = User("analyst@example.nhs.uk", "An Analyst")


def qrv_document() -> tuple[ScenarioDocument, object]:
    """The QRV allocation document and the practice frame it runs on."""
    place_definition = layers.default_place_definition("QRV", vintage="2022")
    frame = practice_frame(
        layers.load_system("QRV", place_definition, vintage="2022"),
        layers.read_table("weighted_populations", vintage="2022"),
        layers.read_table("lsoas", vintage="2022"),
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
    """Median and worst wall time in milliseconds (no warm-up: the first call counts)."""
    timings = time_calls(action, repeats, warm_up=False)
    return timings.median_ms, timings.max_ms


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


def _draw_seconds(browser, address: str) -> float:
    """Seconds from opening ``address`` in a fresh session to its last chart drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(address)
    wait_for_charts(page)
    seconds = time.perf_counter() - start
    if "scenario=" in address:
        assert page.get_by_text("Scenario open:").count() == 1, "the scenario did not open"
    context.close()
    return seconds


def measure_browser(url: str, document: ScenarioDocument, repeats: int) -> dict[str, float]:
    """The allocation page with and without the scenario's link, in Chromium."""
    from playwright.sync_api import sync_playwright

    saved = ScenarioStore.open(url).save_new(document, "QRV fair shares", USER)
    with (
        dashboard_server(env={DATABASE_URL_VARIABLE: url}) as (server, _),
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        plain = f"{server}/allocation?vintage=2022&ics=QRV"
        linked = f"{plain}&scenario={saved.id}"
        _draw_seconds(browser, plain)  # warm the server's caches: the bar is about the link
        _draw_seconds(browser, linked)
        without, with_link = [], []
        for _ in range(repeats):
            without.append(_draw_seconds(browser, plain))
            with_link.append(_draw_seconds(browser, linked))
        browser.close()
    return {
        "without": statistics.median(without),
        "with": statistics.median(with_link),
        "worst with": max(with_link),
    }


def main(repeats: int = 20, browser: bool = True) -> None:
    """Print the tables."""
    document, frame = qrv_document()
    size = len(document.to_dict()["allocation"]["catalogue"])
    opened: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = measure(f"sqlite:///{folder}/scenarios.sqlite3", document, frame, repeats)
        if browser:
            opened["SQLite"] = measure_browser(
                f"sqlite:///{folder}/browser.sqlite3", document, max(3, repeats // 4)
            )
    with PostgresServer() as server:
        postgres = measure(server.create_database("bench"), document, frame, repeats)
        if browser:
            opened["PostgreSQL"] = measure_browser(
                server.create_database("browser"), document, max(3, repeats // 4)
            )
    print(
        f"\nScenario library, {repeats} repeats: median (worst) ms; "
        f"QRV allocation document {size} catalogue rows\n"
    )
    print("| operation | SQLite | PostgreSQL |")
    print("|---|---:|---:|")
    for operation in sqlite:
        print(f"| {operation} | {sqlite[operation]} | {postgres[operation]} |")
    if not opened:
        return
    print(
        f"\nQRV Service allocation page drawn in Chromium, fresh session each, "
        f"{max(3, repeats // 4)} repeats: median seconds\n"
    )
    print("| database | no scenario | by its link | difference | worst by link | within 1 s |")
    print("|---|---:|---:|---:|---:|---|")
    for name, times in opened.items():
        difference = times["with"] - times["without"]
        print(
            f"| {name} | {times['without']:.2f} | {times['with']:.2f} | {difference:+.2f} | "
            f"{times['worst with']:.2f} | {'yes' if difference <= 1.0 else 'NO'} |"
        )


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(arguments[0]) if arguments else 20, browser="--no-browser" not in sys.argv)
