"""Server memory after repeated visits to the QGH map (issue #19, bar: ≤ 300 MiB RSS).

Usage: ``.venv/bin/python benchmarks/bench_memory.py [--visits 10]``.

Starts the dashboard as users do (``python -m dashboard``), then opens the map page for
Herefordshire and Worcestershire ``--visits`` times in headless Chromium, each visit in
a fresh browser context (a new session), alternating the 2022 vintage (``QGH``) and the
2026 vintage (``E54000019``, the same area's 2026 code). After each visit it records the
server's resident memory (RSS, the process and any children); at the end it waits for
the closed sessions to be cleaned up and prints the table, with the peak.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_harness import MAP_DRAWN_JS, dashboard_server, launch_chromium  # noqa: E402

#: The same area in both vintages.
VIEWS = ("/map?ics=QGH&vintage=2022", "/map?ics=E54000019&vintage=2026")
MIB = 2**20
BAR_MIB = 300


def rss(process: psutil.Process) -> int:
    """Resident bytes of a process and its children."""
    total = 0
    for proc in (process, *process.children(recursive=True)):
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def visit(browser, url: str) -> float:
    """Open ``url`` in a fresh context until the map is drawn; return the seconds taken."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(MAP_DRAWN_JS, timeout=180_000, polling=100)
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def run(visits: int, settle: float) -> list[tuple[str, float, int]]:
    """Drive the visits; return (label, seconds, RSS bytes) rows, the idle start first."""
    rows: list[tuple[str, float, int]] = []
    with sync_playwright() as playwright, dashboard_server() as (base, process):
        server = psutil.Process(process.pid)
        browser = launch_chromium(playwright)
        rows.append(("server started, no visit", 0.0, rss(server)))
        for i in range(visits):
            view = VIEWS[i % len(VIEWS)]
            seconds = visit(browser, f"{base}{view}")
            rows.append((f"visit {i + 1}: {view}", seconds, rss(server)))
        browser.close()
        # Streamlit drops a closed session's state after a short grace period.
        time.sleep(settle)
        rows.append((f"all sessions closed, {settle:.0f} s later", 0.0, rss(server)))
    return rows


def main() -> None:
    """Run the visits and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait at the end")
    args = parser.parse_args()
    rows = run(args.visits, args.settle)
    print(f"\nServer memory, {args.visits} visits, headless Debian Chromium\n")
    print("| step | time-to-map s | server RSS MiB |")
    print("|---|---|---|")
    for label, seconds, resident in rows:
        print(
            f"| {label} | {seconds:.2f} | {resident / MIB:.0f} |"
            if seconds
            else f"| {label} |  | {resident / MIB:.0f} |"
        )
    peak = max(resident for _label, _s, resident in rows)
    verdict = "meets" if peak <= BAR_MIB * MIB else "misses"
    print(f"\nPeak {peak / MIB:.0f} MiB: {verdict} the bar of {BAR_MIB} MiB.")


if __name__ == "__main__":
    main()
