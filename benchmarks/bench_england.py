"""England map against the one-polygon floor and a naive baseline, plus England individuals.

Usage: ``.venv/bin/python benchmarks/bench_england.py [--runs 5] [--naive-runs 2]
[--no-individuals]``. Prints a markdown table, the ratios and the bars. Takes minutes:
one naive draw is about a minute on this 2-core machine.

In one run of one headless Chromium, three servers are started one after another on
loopback (never at the same time, so they do not compete for the 2 cores):

* floor: ``benchmarks/floor_app.py``, the same stack drawing a one-polygon map;
* ours: the dashboard's ``/england`` page (all 32,844 LSOAs, 42 ICS outlines; an SVG
  ``geo`` map whose LSOAs are collected into 417 shapes, one per ICS and decile);
* naive: ``benchmarks/naive_app.py``, full-resolution geometry read from
  ``../shared/data`` on every rerun, reprojected, joined to IMD 2019 and drawn with
  ``plotly.express.choropleth_map``, no caching.

Each view is measured with ``benchmarks.bench_map.measure`` (fresh browser context per
visit, so JavaScript and the geometry file are fetched as for a new visitor; time from
navigation until every plotly map trace is drawn: for MapLibre (floor, naive), until
the map reports its sources loaded and has settled; for SVG (ours), until every trace's
paths are in the page). One
untimed visit first warms the server (for ours: the cached figure and the written
GeoJSON; for naive: imports and the OS file cache only, since it caches nothing).
Times are the median (and minimum) of the timed visits.

Payload, precisely: the bytes the browser receives for the map's data, i.e.

    payload = ws + geometry file

* ws: every Streamlit websocket frame received from navigation until 0.3 s after the
  map is drawn (script deltas: the figure JSON, the league table's Arrow bytes,
  widgets). Streamlit's websocket compression is off by default, so these are the bytes
  on the wire less framing.
* geometry file: for ours, the static ``app/static/england_lsoas_*.json`` response as
  transferred (gzip-encoded body plus response headers: Chromium DevTools'
  ``encodedDataLength``). The naive app has no such file; its geometry is inside ws.

Not in the payload: Streamlit's own HTML/JS/CSS/fonts, identical for all three apps;
they are in ``total`` (every HTTP byte received, encoded, plus ws).

The England individuals row runs ``benchmarks/bench_individuals.py --scenario England``
in a subprocess after the browser work (61.8M synthetic people, chunked generation to
Parquet and aggregation to every tier; its own peak RSS).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.bench_map import measure, rss_mb  # noqa: E402
from tests.browser_harness import dashboard_server, launch_chromium  # noqa: E402

FLOOR_APP = HERE / "floor_app.py"
NAIVE_APP = HERE / "naive_app.py"
INDIVIDUALS = HERE / "bench_individuals.py"
GEOMETRY_MARK = "england_lsoas_"
#: measure() waits 40 s for the map; the naive draw can take longer on a busy machine.
PATIENCE_MS = 300_000


class _Instrumented:
    """A Playwright browser as ``measure()`` sees it, with two additions.

    Every context it makes waits up to ``PATIENCE_MS`` for the map, and counts the
    encoded bytes of responses whose URL contains ``GEOMETRY_MARK`` (the England GeoJSON)
    into ``self.geometry_bytes`` for the latest visit.
    """

    def __init__(self, browser):
        self.browser = browser
        self.geometry_bytes = 0

    def new_context(self, **kwargs):
        self.geometry_bytes = 0
        return _Context(self, self.browser.new_context(**kwargs))


class _Context:
    def __init__(self, owner: _Instrumented, context):
        self._owner = owner
        self._context = context
        self._context.set_default_navigation_timeout(PATIENCE_MS)

    def new_page(self):
        page = self._context.new_page()
        wait = page.wait_for_function

        def patient(expression, *, timeout=None, polling=None):
            return wait(expression, timeout=PATIENCE_MS, polling=polling)

        page.wait_for_function = patient
        return page

    def new_cdp_session(self, page):
        cdp = self._context.new_cdp_session(page)
        geometry_requests: set[str] = set()

        def on_response(event):
            if GEOMETRY_MARK in event["response"]["url"]:
                geometry_requests.add(event["requestId"])

        def on_finished(event):
            if event["requestId"] in geometry_requests:
                self._owner.geometry_bytes += event["encodedDataLength"]

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        return cdp

    def close(self):
        self._context.close()


def visits(browser: _Instrumented, url: str, runs: int) -> list[dict]:
    """One warm-up visit, then ``runs`` timed visits with their geometry bytes."""
    measure(browser, url)
    samples = []
    for _ in range(runs):
        sample = measure(browser, url)
        sample["geometry"] = browser.geometry_bytes
        samples.append(sample)
    return samples


def summarise(label: str, samples: list[dict], process) -> dict:
    """Median and minimum time, median bytes, server RSS after the visits."""

    def med(key):
        return statistics.median(s[key] for s in samples)

    return {
        "view": label,
        "runs": len(samples),
        "median_s": med("seconds"),
        "min_s": min(s["seconds"] for s in samples),
        "ws": med("ws"),
        "geometry": med("geometry"),
        "payload": statistics.median(s["ws"] + s["geometry"] for s in samples),
        "total": med("total"),
        "rss": rss_mb(psutil.Process(process.pid)),
    }


def browser_rows(runs: int, naive_runs: int) -> list[dict]:
    """Floor, ours and naive, one server at a time, in one browser."""
    rows = []
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        browser = _Instrumented(chromium)
        with dashboard_server(app=FLOOR_APP) as (url, process):
            rows.append(summarise("Floor: one polygon", visits(browser, url, runs), process))
        with dashboard_server() as (url, process):
            samples = visits(browser, f"{url}/england", runs)
            rows.append(summarise("Ours: /england (32,844 LSOAs)", samples, process))
        with dashboard_server(app=NAIVE_APP) as (url, process):
            samples = visits(browser, url, naive_runs)
            rows.append(summarise("Naive: px.choropleth_map, raw gpkg", samples, process))
        chromium.close()
    return rows


def individuals_row() -> dict:
    """The England scenario of bench_individuals.py, in its own process."""
    command = [sys.executable, str(INDIVIDUALS), "--scenario", "England"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"bench_individuals.py failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(rows: list[dict], people: dict | None, load_before: float) -> None:
    """Print the table, the ratios and the bars."""
    floor, ours, naive = rows
    print(
        f"\nEngland map benchmark, headless Debian Chromium, {platform.machine()}, "
        f"{psutil.cpu_count()} cores, 1-min load average {load_before:.1f} before, "
        f"{psutil.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| view | runs | median s | min s | above floor s | ws MB | geometry file MB (gzip) "
        "| payload MB | total MB | server RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        above = "" if row is floor else f"{row['median_s'] - floor['median_s']:+.2f}"
        print(
            f"| {row['view']} | {row['runs']} | {row['median_s']:.2f} | {row['min_s']:.2f} "
            f"| {above} | {row['ws'] / 1e6:.2f} | {row['geometry'] / 1e6:.2f} "
            f"| {row['payload'] / 1e6:.2f} | {row['total'] / 1e6:.2f} | {row['rss']:.0f} |"
        )
    payload_ratio = naive["payload"] / ours["payload"]
    time_ratio = naive["median_s"] / ours["median_s"]
    above_ratio = (naive["median_s"] - floor["median_s"]) / max(
        ours["median_s"] - floor["median_s"], 1e-9
    )
    print(
        f"\nRatios naive/ours: payload {payload_ratio:.1f}×, time-to-map {time_ratio:.1f}× "
        f"(time above floor {above_ratio:.1f}×)."
    )
    if people is not None:
        print(
            "\n| individuals | people | generate+risk → Parquet s | aggregate s | total s "
            "| peak RSS MiB | row groups |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(
            f"| England | {people['people']:,} | {people['generate_s']:.1f} "
            f"| {people['aggregate_s']:.1f} | {people['total_s']:.1f} "
            f"| {people['peak_rss_mb']:,.0f} | {people.get('row_groups', '')} |"
        )
        print(
            f"Data: {people['note']}. Total excludes loading the input tables; the whole "
            f"subprocess, with Python start-up and loading, took {people['wall_s']:.1f} s."
        )

    print("\nBars:")
    budget = floor["median_s"] + 3
    print(
        f"- England map ≤ floor + 3 s ({budget:.2f} s): {ours['median_s']:.2f} s "
        f"{verdict(ours['median_s'] <= budget)}"
    )
    print(f"- payload ≤ 6 MB: {ours['payload'] / 1e6:.2f} MB {verdict(ours['payload'] <= 6e6)}")
    print(
        f"- payload ≥ 10× smaller than naive: {payload_ratio:.1f}× {verdict(payload_ratio >= 10)}"
    )
    print(f"- ≥ 5× faster to draw than naive: {time_ratio:.1f}× {verdict(time_ratio >= 5)}")
    if people is not None:
        peak_gb = people["peak_rss_mb"] * 2**20 / 1e9  # ru_maxrss MiB → GB
        print(
            f"- England individuals ≤ 90 s and peak RSS ≤ 4 GB: {people['total_s']:.1f} s, "
            f"{peak_gb:.2f} GB {verdict(people['total_s'] <= 90 and peak_gb <= 4)}"
        )


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed visits, floor and ours")
    parser.add_argument("--naive-runs", type=int, default=2, help="timed visits, naive")
    parser.add_argument("--no-individuals", action="store_true")
    args = parser.parse_args()
    load_before = psutil.getloadavg()[0]
    rows = browser_rows(args.runs, args.naive_runs)
    people = None if args.no_individuals else individuals_row()
    report(rows, people, load_before)


if __name__ == "__main__":
    main()
