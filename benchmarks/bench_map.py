"""Map speed, payload and memory in headless Chromium, against the one-polygon floor.

Usage: ``.venv/bin/python benchmarks/bench_map.py [--runs 5]``. Prints a markdown table.

* time-to-map: from navigation (fresh browser context, so JavaScript is fetched and
  parsed each time, as for a new visitor) until every plotly map trace is drawn (and,
  for MapLibre, the map reports itself loaded); median of warm runs (the server has
  drawn the view once before timing starts). Runs are interleaved: each round visits
  the floor, the reference and every view once, so drift in the machine's speed
  during the run does not land on one row.
* ws: bytes received over Streamlit's websocket (the figure data and page deltas).
* total: every byte the browser received (HTTP responses + websocket).
* RSS: the server process's resident memory after the runs.
* cold start: from launching ``python -m dashboard`` until the first page has drawn.

The floor is plotly's MapLibre map (``Choroplethmap``) with one polygon. The ICS map is
an SVG ``geo`` map, which needs no WebGL; the reference row shows that trace type's
own one-polygon time on the same stack.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_harness import (  # noqa: E402
    MAP_DRAWN_JS,
    dashboard_server,
    launch_chromium,
)

FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"


def measure(browser, url: str) -> dict:
    """Open ``url`` in a fresh context; return seconds to map, ws and total bytes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    counts = {"ws": 0, "http": 0}

    def on_websocket(ws):
        ws.on(
            "framereceived", lambda payload: counts.__setitem__("ws", counts["ws"] + len(payload))
        )

    page.on("websocket", on_websocket)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on(
        "Network.loadingFinished",
        lambda e: counts.__setitem__("http", counts["http"] + e["encodedDataLength"]),
    )
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(MAP_DRAWN_JS, timeout=40_000, polling=50)
    seconds = time.perf_counter() - started
    page.wait_for_timeout(300)
    context.close()
    return {"seconds": seconds, "ws": counts["ws"], "total": counts["http"] + counts["ws"]}


def rss_mb(process: psutil.Process) -> float:
    """Resident memory of a process and its children, in MB."""
    procs = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs) / 1e6


def run(views: list[tuple[str, str]], runs: int) -> list[dict]:
    """Measure the floor and each view in one run of one browser, interleaved.

    The cold start comes first, on its own. Then the dashboard and the floor app both
    run (idle servers cost nothing) and each round visits the floor, the SVG reference
    and every view in turn, so slow drift in the machine's speed hits all rows alike.
    """
    rows = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        started = time.perf_counter()
        with dashboard_server() as (url, process):
            first = measure(browser, f"{url}{views[0][1]}")
            cold = time.perf_counter() - started
            cold_row = {
                "view": f"Cold start: launch → first map ({views[0][0].split()[0]})",
                "median_s": cold,
                "min_s": cold,
                "ws": first["ws"],
                "total": first["total"],
                "rss": rss_mb(psutil.Process(process.pid)),
            }
            with dashboard_server(app=FLOOR_APP) as (floor_url, floor_process):
                targets = [
                    ("Floor: one polygon, same stack", floor_url, floor_process),
                    (
                        "Reference: one polygon, SVG geo map",
                        f"{floor_url}/?kind=svg",
                        floor_process,
                    ),
                    *((label, f"{url}{path}", process) for label, path in views),
                ]
                for _, target, _ in targets:
                    measure(browser, target)  # warm the server's caches
                samples: dict[str, list[dict]] = {label: [] for label, _, _ in targets}
                for _ in range(runs):
                    for label, target, _ in targets:
                        samples[label].append(measure(browser, target))
                rows = [summarise(label, samples[label], proc) for label, _, proc in targets]
        rows.insert(2, cold_row)
        browser.close()
    return rows


def summarise(label: str, samples: list[dict], process) -> dict:
    """Median and minimum time, median bytes, and server memory."""
    return {
        "view": label,
        "median_s": statistics.median(s["seconds"] for s in samples),
        "min_s": min(s["seconds"] for s in samples),
        "ws": statistics.median(s["ws"] for s in samples),
        "total": statistics.median(s["total"] for s in samples),
        "rss": rss_mb(psutil.Process(process.pid)),
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    views = [("QGH map (480 LSOAs)", "/map?ics=QGH"), ("QRV map (1,153 LSOAs)", "/map?ics=QRV")]
    rows = run(views, args.runs)
    floor = rows[0]["median_s"]
    print(f"\nMap benchmark, {args.runs} warm runs each, headless Debian Chromium\n")
    print("| view | median s | min s | above floor s | ws MB | total MB | server RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        above = row["median_s"] - floor if row["view"].startswith(("QGH", "QRV")) else None
        print(
            f"| {row['view']} | {row['median_s']:.2f} | {row['min_s']:.2f} | "
            f"{'' if above is None else f'{above:+.2f}'} | {row['ws'] / 1e6:.2f} | "
            f"{row['total'] / 1e6:.2f} | {row['rss']:.0f} |"
        )
    print("\nBars: QGH ≤ floor + 0.5 s; QRV ≤ floor + 1.0 s; QGH ws ≤ 1.0 MB; cold start ≤ 10 s.")


if __name__ == "__main__":
    main()
