"""First paint: our QGH map against the floor, on loopback and on an "NHS office" network.

Usage: ``.venv/bin/python benchmarks/bench_first_paint.py [--rounds 7] [--throttled 3]``.
Prints a markdown table (issue #19's checks).

* **The floor** is a one-polygon SVG plotly page (``floor_app.py?kind=svg``) served by
  plain ``streamlit run`` (no ``st.App``, no compression). **Ours** is ``/map?ics=QGH``
  from ``python -m dashboard`` (``dashboard/app.py``: compressed bundles and geometry).
* **Loopback**: each round opens the floor and ours once each, in fresh browser contexts
  (so every byte is fetched, as for a new visitor), interleaved so that drift in the
  machine's speed hits both rows alike; median and minimum of ``--rounds`` rounds.
  Both servers have drawn their page once before timing starts.
* **Throttled**: Chromium's own network emulation (CDP ``Network.emulateNetworkConditions``:
  20 Mbit/s down, 5 Mbit/s up, 40 ms latency), ``--throttled`` interleaved rounds. It
  records the bytes that reached the browser before the map was drawn (HTTP bodies as
  sent, compressed where they were, plus websocket frames), then opens the same page
  again in the same context: the second visit, with the browser's cache.
* time-to-map: from navigation until every plotly map trace is drawn
  (``tests.browser_harness.MAP_DRAWN_JS``).
* Server RSS: the resident memory of each server at the end.

Bars (#19): loopback ours ≤ floor + 0.4 s; throttled ours before the floor, ≤ 3 MB before
the map, second visit ≥ 1.5 s sooner than the first.
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

from tests.browser_harness import MAP_DRAWN_JS, dashboard_server, launch_chromium  # noqa: E402

FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"
#: The "NHS office" profile: bytes per second down and up, and latency in ms.
OFFICE = {"downloadThroughput": 20e6 / 8, "uploadThroughput": 5e6 / 8, "latency": 40}
TIMEOUT_MS = 180_000


class Visit:
    """One browser page that counts the bytes it receives, optionally throttled."""

    def __init__(self, context, throttled: bool) -> None:
        self.page = context.new_page()
        self.bytes = 0
        cdp = context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        if throttled:
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **OFFICE})
        cdp.on("Network.loadingFinished", lambda e: self._add(e["encodedDataLength"]))
        cdp.on(
            "Network.webSocketFrameReceived", lambda e: self._add(len(e["response"]["payloadData"]))
        )

    def _add(self, n: float) -> None:
        self.bytes += int(n)

    def open(self, url: str) -> tuple[float, int]:
        """Seconds until the map is drawn, and the bytes received until then."""
        self.bytes = 0
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_function(MAP_DRAWN_JS, timeout=TIMEOUT_MS, polling=50)
        return time.perf_counter() - started, self.bytes


def loopback(browser, url: str) -> tuple[float, int]:
    """A first visit in a fresh context."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        return Visit(context, throttled=False).open(url)
    finally:
        context.close()


def throttled(browser, url: str) -> dict[str, float]:
    """A first and a second visit in one fresh context, on the office profile."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        visit = Visit(context, throttled=True)
        first_s, first_bytes = visit.open(url)
        visit.page.wait_for_timeout(500)  # let late requests finish, as a reader would
        second_s, second_bytes = visit.open(url)
        return {"first": first_s, "bytes": first_bytes, "second": second_s, "bytes2": second_bytes}
    finally:
        context.close()


def rss_mib(pid: int) -> float:
    """Resident memory of a server and its children, in MiB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True))) / 2**20


def run(rounds: int, throttled_rounds: int) -> dict[str, dict]:
    """Measure both targets, interleaved; return the samples and RSS of each."""
    results: dict[str, dict] = {}
    with (
        sync_playwright() as playwright,
        dashboard_server() as (ours_base, ours_process),
        dashboard_server(app=FLOOR_APP) as (floor_base, floor_process),
    ):
        browser = launch_chromium(playwright)
        targets = {
            "floor: one polygon, SVG, plain streamlit run": (
                f"{floor_base}/?kind=svg",
                floor_process.pid,
            ),
            "ours: /map?ics=QGH": (f"{ours_base}/map?ics=QGH", ours_process.pid),
        }
        for url, _pid in targets.values():
            loopback(browser, url)  # the server draws its page once before timing
        for label in targets:
            results[label] = {"loopback": [], "throttled": []}
        for _ in range(rounds):
            for label, (url, _pid) in targets.items():
                results[label]["loopback"].append(loopback(browser, url))
        for _ in range(throttled_rounds):
            for label, (url, _pid) in targets.items():
                results[label]["throttled"].append(throttled(browser, url))
        for label, (_url, pid) in targets.items():
            results[label]["rss"] = rss_mib(pid)
        browser.close()
    return results


def report(results: dict[str, dict], rounds: int, throttled_rounds: int) -> None:
    """Print the table and the bars."""
    print(
        f"\nFirst paint, headless Debian Chromium: {rounds} loopback rounds, "
        f"{throttled_rounds} throttled (20/5 Mbit/s, 40 ms)\n"
    )
    print(
        "| app | loopback median s | loopback min s | loopback MB | throttled first s "
        "| MB before map | throttled second s | second-visit MB | server RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for label, r in results.items():
        loop_s = statistics.median(s for s, _b in r["loopback"])
        row = {
            "loop": loop_s,
            "first": statistics.median(t["first"] for t in r["throttled"]),
            "bytes": statistics.median(t["bytes"] for t in r["throttled"]),
            "second": statistics.median(t["second"] for t in r["throttled"]),
        }
        summary[label] = row
        print(
            f"| {label} | {loop_s:.2f} | {min(s for s, _b in r['loopback']):.2f} "
            f"| {statistics.median(b for _s, b in r['loopback']) / 1e6:.2f} "
            f"| {row['first']:.2f} | {row['bytes'] / 1e6:.2f} | {row['second']:.2f} "
            f"| {statistics.median(t['bytes2'] for t in r['throttled']) / 1e6:.2f} "
            f"| {r['rss']:.0f} |"
        )
    floor, ours = summary.values()
    checks = [
        (
            f"loopback: ours ≤ floor + 0.4 s ({ours['loop'] - floor['loop']:+.2f} s)",
            ours["loop"] <= floor["loop"] + 0.4,
        ),
        (
            f"throttled: ours drawn before the floor "
            f"({ours['first']:.2f} vs {floor['first']:.2f} s)",
            ours["first"] < floor["first"],
        ),
        (f"throttled: ≤ 3 MB before the map ({ours['bytes'] / 1e6:.2f} MB)", ours["bytes"] <= 3e6),
        (
            f"second visit ≥ 1.5 s sooner ({ours['first'] - ours['second']:.2f} s)",
            ours["first"] - ours["second"] >= 1.5,
        ),
    ]
    print()
    for text, met in checks:
        print(f"- {'met' if met else 'NOT met'}: {text}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="loopback rounds (≥ 7 for #19)")
    parser.add_argument("--throttled", type=int, default=3, help="throttled rounds")
    args = parser.parse_args()
    results = run(args.rounds, args.throttled)
    report(results, args.rounds, args.throttled)


if __name__ == "__main__":
    main()
