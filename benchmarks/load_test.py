"""Bounded load test: many browser sessions on loopback, each a different ICS, every page.

Usage: ``.venv/bin/python benchmarks/load_test.py [--sessions 20] [--think 10-20]``
(a quick check: ``--sessions 2 --think 1-2 --committee 2 --single-sessions 1``).
Not part of CI. It is bounded: at most 50 sessions, each visit times out after
``--visit-timeout`` seconds, every phase is cancelled after ``--phase-timeout`` seconds,
the server binds 127.0.0.1 only, and every process it starts is stopped at the end.

**Judged by the server's own time.** The server is started with
``ICS_PLANNER_RUN_LOG`` (:mod:`dashboard.runlog`), so the router itself records how long
each script run took and whether the page failed. On one machine the test's browsers
share the cores with the server (they used 4-5× its CPU in earlier runs), so their
times say more about the browsers than about the server; the browser times are still
printed, with the client's CPU beside the server's so the reader can see who was busy.

Phases, each on a fresh dashboard server (cold caches) with one Chromium:

1. single: one session at a time, for ``--single-sessions`` of the N ICSs (spread from
   largest to smallest) in turn: the single-session baseline of server time per run;
2. load: the N sessions, a different ICS each, arrive evenly over ``--ramp-seconds`` and
   visit every page with ``--think`` seconds (uniform in a range, 10-20 by default) of
   reading between pages;
3. committee: ``--committee`` sessions (12) open the same link (the map of the first
   ICS) within ``--committee-seconds`` (5) and must all draw the map;
4. burst (on request): the N sessions start at the same moment, no think time.

The bars: in load and committee, the server's p95 time per run is at most 3× the single
session's p95; no errors (no failed visit, JavaScript error, HTTP error or server run
logged as failed); the server's peak RSS (with its children) is at most 2 GB; and in
the committee every session drew the map.

Before each phase one warm-up session visits every page for an ICS outside the N, so
the ICS-independent work (imports, the England geometry and league table, the ICS list)
is done once, as on a server that has been up for a while.

A session opens every routed page of ``dashboard.page_specs.PAGE_SPECS`` (those whose
file exists in ``dashboard/views/``) in order, with no think time unless asked. With
``--navigate link`` (the default, as a user does it) the session opens the first page at
``/<page>?ics=<code>`` and then clicks each page's link in the sidebar, so it stays one
Streamlit session and the browser keeps its loaded code. With ``--navigate url`` every
page is a full page load of ``/<page>?ics=<code>`` (a new Streamlit session each time;
the worst case for the browser). A visit is done when the page's script has run to the
end (``stApp`` leaves ``running``; for a link, after the click), the page has its
``h1``, no element is still loading its code (no ``stSkeleton``) and every plotly chart
on it has drawn (``MAP_DRAWN_JS``). Its time is from navigation (or the click) to done;
time-to-map is that time on the pages that draw a map (``/map``, ``/england``, …).
"Script done" is the time until the script has finished and the page has its ``h1``
(the server's part plus the browser applying the deltas), before any chart is drawn;
the gap to time-to-map is mostly the browser's drawing.

Errors: a visit that times out, an exception or ``st.error`` box in the page (this
includes the router's "Sorry, the … page could not be drawn"), an uncaught JavaScript
exception, or an HTTP response ≥ 400 from the server (except Streamlit's own 404 probes
for ``/<page>/_stcore/health`` and ``host-config``, which it makes on every deep link
before falling back to the root; they are counted apart). Browser console errors and
tracebacks in the server log are listed separately.

Memory: the RSS of the server process and its children, sampled every 0.2 s; the peak
is reported. CPU: the CPU seconds used by the server and by the client (Chromium,
Playwright's driver and this script) during each phase.

Cores (``--cores``). Users' browsers run on their own machines, not on the server's; on
one machine the test's browsers used 4-5× the server's CPU. So by default
(``priority``) the client's Playwright driver and Chromium run at the lowest CPU
priority (nice 19) in every phase, the single-session baseline included: the server
never waits for the test's browsers, which still use every spare cycle of every core.
The server's time per run then includes waiting for its own other sessions, which is
what load does to it. ``split`` runs the server on core 0 alone and the client on the
others (the client then starves, and its visits time out); ``shared`` runs both at
equal priority on every core, as earlier runs did (the server's times then include the
browsers drawing up to N maps at once).

The raw records (every visit, error, console line and server log line) are written to
``benchmarks/out/load_test_<time>.json`` after each phase, so a run that is stopped
part-way keeps what it measured.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from playwright.async_api import Error as PlaywrightError  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from dashboard import runlog  # noqa: E402
from dashboard.page_specs import PAGE_SPECS, PAGES_DIR  # noqa: E402
from dashboard.runlog import RUN_LOG_ENV  # noqa: E402
from tests.browser_harness import MAP_DRAWN_JS, dashboard_server, launch_chromium  # noqa: E402

OUT = REPO_ROOT / "benchmarks" / "out"  # git-ignored
#: Think times are random but repeatable from run to run.
RANDOM = random.Random(18)
#: Under load, the server's p95 time per script run may be at most this many times the
#: single session's.
SERVER_BAR = 3.0
MAX_SESSIONS = 50
#: A link click that has started no script run after this long is clicked once more.
RECLICK_MS = 60_000
SAMPLE_SECONDS = 0.2
RSS_BAR_BYTES = 2e9
VIEWPORT = {"width": 1400, "height": 1000}
#: On a deep link such as /map, Streamlit's frontend first asks /map/_stcore/health and
#: /map/_stcore/host-config (404) to discover a base path, then the root: not errors.
BASE_PATH_PROBES = ("/_stcore/health", "/_stcore/host-config")

#: False while the page is still working; else {status, text, map, plots}.
DONE_JS = f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const failure = main.querySelector(
    '[data-testid="stException"], [data-testid="stAlertContentError"]');
  if (failure) return {{status: 'error', text: failure.innerText.slice(0, 300)}};
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!main.querySelector('h1')) return false;
  // Elements whose code is still loading show a skeleton; charts mount after that.
  if (main.querySelector('[data-testid="stSkeleton"]')) return false;
  const plots = main.querySelectorAll('.js-plotly-plot');
  if (main.querySelectorAll('[data-testid="stPlotlyChart"]').length !== plots.length) return false;
  if (plots.length && !({MAP_DRAWN_JS})()) return false;
  const map = [...plots].some(gd => gd._fullLayout && (gd._fullLayout.map || gd._fullLayout.geo));
  return {{status: 'ok', map: map, plots: plots.length}};
}}"""


#: Counts script runs that have ended (``stApp`` leaving ``running``), page by page, so a
#: click's run is told apart from the one before it.
RUN_COUNTER_JS = """window.__runsEnded = 0;
new MutationObserver(records => {
  for (const r of records) if (r.oldValue === 'running') window.__runsEnded += 1;
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});"""

#: True once the sidebar has its page links and nothing in it is still loading.
SIDEBAR_READY_JS = """() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  return !!bar && !bar.querySelector('[data-testid="stSkeleton"]') &&
    bar.querySelectorAll('a[data-testid="stPageLink-NavLink"]').length > 0;
}"""

#: True once the script has finished and the page has its title (or shows a failure).
SCRIPT_DONE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  if (!app || !main) return false;
  if (main.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]'))
    return true;
  return app.getAttribute('data-test-script-state') === 'notRunning' && !!main.querySelector('h1');
}"""


def routed_pages() -> list[str]:
    """URL paths of the pages whose view file exists, in PAGE_SPECS order."""
    return [path for file, _t, _i, path in PAGE_SPECS if (PAGES_DIR / file).exists()]


def chosen_systems(n: int) -> tuple[list[str], str]:
    """``n`` ICSs spread from largest to smallest, and one other for the warm-up."""
    import layers

    codes = layers.list_systems().sort_values("registered_patients", ascending=False)
    codes = codes["icb_code"].tolist()
    if not 1 <= n < len(codes):
        raise ValueError(f"--sessions must be between 1 and {len(codes) - 1}, got {n}.")
    picks = [codes[round(i * (len(codes) - 1) / max(n - 1, 1))] for i in range(n)]
    picks = list(dict.fromkeys(picks))
    for code in codes:  # fill any duplicates from rounding
        if len(picks) == n:
            break
        if code not in picks:
            picks.append(code)
    warm = next(c for c in codes if c not in picks)
    return picks, warm


@dataclass
class Visit:
    phase: str
    session: int
    ics: str
    page: str
    seconds: float
    ok: bool
    script_seconds: float = float("nan")
    has_map: bool = False
    error: str = ""
    started: float = 0.0  # seconds from the start of the phase


@dataclass
class Phase:
    name: str
    visits: list[Visit] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # JS exceptions, HTTP ≥ 400
    console_errors: list[str] = field(default_factory=list)
    server_log: list[str] = field(default_factory=list)
    peak_rss: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    wall: float = 0.0
    session_walls: list[float] = field(default_factory=list)
    cancelled: bool = False
    probes_404: int = 0
    second_clicks: list[str] = field(default_factory=list)  # "<ICS> /<page>"
    sessions: int = 0
    think: float = 0.0
    load_before: float = 0.0
    started: float = 0.0  # time.perf_counter() at the start of the phase
    rss_timeline: list[tuple[float, float]] = field(default_factory=list)  # (s, bytes)
    #: The server's own record of every script run in the phase (dashboard.runlog).
    server_runs: list[dict] = field(default_factory=list)


class Sampler(threading.Thread):
    """Server tree RSS (peak) and CPU of the server and the client, every 0.2 s."""

    def __init__(self, server_pid: int, lower_client: bool = False):
        super().__init__(daemon=True)
        #: Hold the client's processes (not this script) at nice 19 (``--cores priority``).
        self.lower_client = lower_client
        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()
        self.peak_rss = 0.0
        self.cpu: dict[tuple[str, int], float] = {}
        self.start_cpu: dict[tuple[str, int], float] = {}
        self.stopping = threading.Event()
        self.first = True
        self.started = time.perf_counter()
        self.timeline: list[tuple[float, float]] = []

    def _tree(self, process: psutil.Process) -> list[psutil.Process]:
        try:
            return [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> None:
        server = self._tree(self.server)
        server_pids = {p.pid for p in server}
        client = [p for p in self._tree(self.me) if p.pid not in server_pids]
        rss = 0
        for side, procs in (("server", server), ("client", client)):
            for proc in procs:
                try:
                    with proc.oneshot():
                        times = proc.cpu_times()
                        if side == "server":
                            rss += proc.memory_info().rss
                except psutil.Error:
                    continue
                key = (side, proc.pid)
                used = times.user + times.system
                # Count from the first sample; processes born later count from birth.
                self.start_cpu.setdefault(key, used if self.first else 0.0)
                self.cpu[key] = used
        if self.lower_client and len(self.timeline) % 5 == 0:
            # Again every second: Chromium sets its own threads' priorities as it goes.
            _lower_priority([p.pid for p in client if p.pid != self.me.pid])
        self.first = False
        self.peak_rss = max(self.peak_rss, rss)
        self.timeline.append((round(time.perf_counter() - self.started, 2), rss))

    def run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(SAMPLE_SECONDS)

    def stop(self) -> tuple[float, float, float]:
        """Stop; return peak server RSS (bytes), server and client CPU seconds."""
        self.stopping.set()
        self.join()
        self.sample()

        def used(side: str) -> float:
            return sum(v - self.start_cpu[k] for k, v in self.cpu.items() if k[0] == side)

        return self.peak_rss, used("server"), used("client")


def drain(stream, lines: list[str]) -> threading.Thread:
    """Read the server's output so its pipe never fills, keeping the lines."""

    def read():
        for line in stream:
            lines.append(line.rstrip())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


async def run_session(
    browser,
    base: str,
    index: int,
    code: str,
    pages: list[str],
    phase: Phase,
    timeout_s: float,
    think_s: tuple[float, float] = (0.0, 0.0),
    navigate: str = "link",
) -> None:
    """One user: a fresh context that opens every page for one ICS."""
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(RUN_COUNTER_JS)
    page = await context.new_page()
    where = {"page": ""}
    page.on(
        "pageerror",
        lambda e: phase.page_errors.append(f"{code} /{where['page']}: JS error {e}"),
    )
    page.on(
        "console",
        lambda m: (
            phase.console_errors.append(f"{code} /{where['page']}: {m.text[:200]}")
            if m.type == "error" and not m.location.get("url", "").endswith(BASE_PATH_PROBES)
            else None
        ),
    )

    def on_response(response) -> None:
        if response.status < 400 or not response.url.startswith(base):
            return
        if response.status == 404 and response.url.endswith(BASE_PATH_PROBES):
            phase.probes_404 += 1  # Streamlit looking for its server under /<page>/
            return
        phase.page_errors.append(f"{code} /{where['page']}: HTTP {response.status} {response.url}")

    page.on("response", on_response)
    started = time.perf_counter()
    try:
        for number, path in enumerate(pages):
            where["page"] = path
            t0 = time.perf_counter()
            visit = Visit(phase.name, index, code, path, 0.0, False)
            visit.started = t0 - phase.started
            try:
                if number == 0 or navigate == "url":
                    await page.goto(f"{base}/{path}?ics={code}", timeout=timeout_s * 1000)
                else:
                    # A link clicked while the sidebar is still being filled can be
                    # replaced under the pointer; a user waits until it is there.
                    await page.wait_for_function(SIDEBAR_READY_JS, timeout=timeout_s * 1000)
                    ended = await page.evaluate("window.__runsEnded")
                    # The router's sidebar links are relative: "map?ics=QGH".
                    link = page.locator(
                        '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]'
                        f'[href^="{path}?"]'
                    )
                    await link.click(timeout=timeout_s * 1000)
                    try:
                        await page.wait_for_function(
                            "n => window.__runsEnded > n", arg=ended, timeout=RECLICK_MS
                        )
                    except PlaywrightTimeout:
                        # Under load a click now and then changes the URL but starts no
                        # run; a user clicks again. Counted and reported, not hidden.
                        phase.second_clicks.append(f"{code} /{path}")
                        await link.click(timeout=timeout_s * 1000)
                        await page.wait_for_function(
                            "n => window.__runsEnded > n", arg=ended, timeout=timeout_s * 1000
                        )
                left = max(timeout_s - (time.perf_counter() - t0), 1.0)
                await page.wait_for_function(SCRIPT_DONE_JS, timeout=left * 1000, polling=100)
                visit.script_seconds = time.perf_counter() - t0
                left = max(timeout_s - (time.perf_counter() - t0), 1.0)
                handle = await page.wait_for_function(DONE_JS, timeout=left * 1000, polling=100)
                result = await handle.json_value()
                visit.ok = result["status"] == "ok"
                visit.has_map = bool(result.get("map"))
                visit.error = result.get("text", "")
            except PlaywrightTimeout:
                at = page.url.split("?")[0].rsplit("/", 1)[-1]
                visit.error = f"not drawn within {timeout_s:.0f} s (browser at /{at})"
            except PlaywrightError as error:  # e.g. the connection refused or reset
                visit.error = str(error).splitlines()[0][:300]
            visit.seconds = time.perf_counter() - t0
            phase.visits.append(visit)
            if think_s[1] and path != pages[-1]:
                await asyncio.sleep(RANDOM.uniform(*think_s))  # the user reads the page
    finally:
        phase.session_walls.append(time.perf_counter() - started)
        await context.close()


async def run_phase(
    playwright, name: str, codes: list[str], warm: str, pages: list[str], args
) -> Phase:
    """Start a fresh server, warm it, run the sessions, stop everything."""
    phase = Phase(name)
    run_log = OUT / f"runs_{name}_{time.strftime('%Y%m%d_%H%M%S')}.jsonl"
    # The server inherits the cores of the thread that starts it (see --cores).
    _pin(args.server_cores)
    with dashboard_server(env={RUN_LOG_ENV: str(run_log)}) as (base, process):
        _pin(args.client_cores)
        if not base.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"refusing to load-test {base}: loopback only")
        drain(process.stdout, phase.server_log)
        browser = await launch_chromium(playwright)  # async API: launch() is awaitable
        try:
            warm_phase = Phase("warm-up")
            await run_session(
                browser,
                base,
                -1,
                warm,
                pages,
                warm_phase,
                args.visit_timeout,
                navigate=args.navigate,
            )
            phase.page_errors += [f"(warm-up) {e}" for e in warm_phase.page_errors]
            phase.visits += [v for v in warm_phase.visits if not v.ok]  # failures count
            phase.load_before = psutil.getloadavg()[0]
            sampler = Sampler(process.pid, lower_client=args.cores == "priority")
            sampler.start()
            started = phase.started = sampler.started
            runs_from = time.time()  # the warm-up's runs are not the phase's
            think = args.think if name == "load" else (0.0, 0.0)

            async def session(i: int, code: str, visit: list[str]):
                if name == "load":
                    await asyncio.sleep(i * args.ramp_seconds / len(codes))
                elif name == "committee":
                    await asyncio.sleep(i * args.committee_seconds / args.committee)
                await run_session(
                    browser, base, i, code, visit, phase, args.visit_timeout, think, args.navigate
                )

            try:
                if name == "single":
                    step = max(len(codes) // args.single_sessions, 1)
                    alone = codes[::step][: args.single_sessions]
                    phase.sessions = len(alone)
                    work = _sequential(browser, base, alone, pages, phase, args)
                elif name == "committee":
                    # One link, the map of one ICS, opened by the whole committee at once.
                    phase.sessions = args.committee
                    link = ["map"] if "map" in pages else pages[:1]
                    work = asyncio.gather(
                        *(session(i, codes[0], link) for i in range(args.committee))
                    )
                else:
                    phase.sessions = len(codes)
                    phase.think = think[1]
                    work = asyncio.gather(*(session(i, c, pages) for i, c in enumerate(codes)))
                await asyncio.wait_for(work, timeout=args.phase_timeout)
            except TimeoutError:
                phase.cancelled = True
            phase.wall = time.perf_counter() - started
            phase.peak_rss, phase.server_cpu, phase.client_cpu = sampler.stop()
            phase.rss_timeline = sampler.timeline
            phase.server_runs = [
                run
                for run in runlog.read(run_log)
                if run["ended"] >= runs_from and run["page"] != "home"  # "/" only redirects
            ]
        finally:
            await browser.close()
    return phase


def _lower_priority(pids: list[int]) -> None:
    """Give every thread of these processes the lowest CPU priority (nice 19).

    On Linux niceness belongs to each thread, and Chromium sets its own threads'
    priorities, so the sampler calls this again every second.
    """
    for pid in pids:
        try:
            for thread in psutil.Process(pid).threads():
                os.setpriority(os.PRIO_PROCESS, thread.id, 19)
        except (psutil.Error, OSError):
            pass  # a process that has ended needs no priority


def _pin(cores: set[int] | None) -> None:
    """Run this thread, and the processes it starts from now on, on ``cores`` only."""
    if cores:
        os.sched_setaffinity(0, cores)


def core_split(choice: str) -> tuple[set[int] | None, set[int] | None]:
    """The server's and the client's cores: core 0 and the rest, or ``None`` for all.

    Examples
    --------
    >>> core_split("priority")
    (None, None)
    """
    cores = sorted(os.sched_getaffinity(0))
    if choice != "split" or len(cores) < 2:
        return None, None
    return {cores[0]}, set(cores[1:])


async def _sequential(browser, base, codes, pages, phase, args) -> None:
    for i, code in enumerate(codes):
        await run_session(
            browser, base, i, code, pages, phase, args.visit_timeout, navigate=args.navigate
        )


def pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default); nan when empty."""
    return float(np.percentile(values, q)) if values else float("nan")


def times(
    phase: Phase, page: str | None = None, maps_only: bool = False, script: bool = False
) -> list[float]:
    """Seconds of the successful visits (warm-up excluded), to drawn or to script done."""
    return [
        v.script_seconds if script else v.seconds
        for v in phase.visits
        if v.ok
        and v.session >= 0
        and (page is None or v.page == page)
        and (v.has_map or not maps_only)
    ]


def server_failures(log: list[str]) -> list[str]:
    """One line per traceback in the server log: the line before it and its exception."""
    found = []
    for i, line in enumerate(log):
        if not line.startswith("Traceback"):
            continue
        context = log[i - 1].strip()[:120] if i else ""
        end = next(
            (j for j in range(i + 1, len(log)) if log[j] and not log[j].startswith(" ")), None
        )
        exception = log[end][:160] if end is not None else "?"
        found.append(f"{exception} [after: {context}]")
    return found


def errors(phase: Phase) -> list[str]:
    failed = [
        f"{v.ics} /{v.page} after {v.seconds:.1f} s: {v.error or 'not ok'}"
        for v in phase.visits
        if not v.ok
    ]
    return failed + phase.page_errors


def report(phases: list[Phase], pages: list[str], codes: list[str], args) -> None:
    """Print the tables, the details and the bars."""
    map_pages = sorted({v.page for p in phases for v in p.visits if v.has_map}, key=pages.index)
    print(
        f"\nLoad test, {len(codes)} sessions (ICSs {', '.join(codes)}), pages "
        f"{', '.join('/' + p for p in pages)}; one headless Chromium, "
        + (
            f"the server on core(s) {sorted(args.server_cores)} alone and the client on "
            f"{sorted(args.client_cores)}"
            if args.server_cores
            else f"on the same {psutil.cpu_count()} cores as the server"
            + (" at the lowest CPU priority (nice 19)" if args.cores == "priority" else "")
        )
        + "; pages after the first opened by "
        f"{'sidebar link' if args.navigate == 'link' else 'full page load'}; "
        f"1-min load average at the end "
        f"{psutil.getloadavg()[0]:.1f}. Times in s: time-to-map (drawn) and, in brackets, "
        "script done.\n"
    )
    print(
        "| phase | sessions | visits | errors | /map p50 | /map p95 | /map max "
        "| every map page p95 | every page p95 | session median | wall | load avg before "
        "| peak server RSS MB | server CPU s | client CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def both(phase, q, **kw):
        return f"{pct(times(phase, **kw), q):.2f} ({pct(times(phase, script=True, **kw), q):.2f})"

    for phase in phases:
        on_map = times(phase, "map")
        print(
            f"| {phase.name}{f' (think {phase.think:.0f} s)' if phase.think else ''}"
            f"{' (cancelled)' if phase.cancelled else ''} | {phase.sessions} "
            f"| {len(phase.visits)} | {len(errors(phase))} | {both(phase, 50, page='map')} "
            f"| {both(phase, 95, page='map')} | {max(on_map, default=float('nan')):.2f} "
            f"| {both(phase, 95, maps_only=True)} | {both(phase, 95)} "
            f"| {statistics.median(phase.session_walls or [float('nan')]):.1f} "
            f"| {phase.wall:.0f} | {phase.load_before:.1f} | {phase.peak_rss / 1e6:,.0f} "
            f"| {phase.server_cpu:.0f} | {phase.client_cpu:.0f} |"
        )
    print("\nPer page, drawn median / p95 / max seconds (script done median):\n")
    print("| page | " + " | ".join(p.name for p in phases) + " |")
    print("|---|" + "---:|" * len(phases))
    for path in pages:
        cells = []
        for phase in phases:
            t = times(phase, path)
            cells.append(
                f"{pct(t, 50):.2f} / {pct(t, 95):.2f} / {max(t, default=float('nan')):.2f} "
                f"({pct(times(phase, path, script=True), 50):.2f})"
            )
        print(f"| /{path}{' (map)' if path in map_pages else ''} | " + " | ".join(cells) + " |")

    for phase in phases:
        kinds: dict[str, list[str]] = {}
        for v in phase.visits:
            if not v.ok:
                text = v.error if v.error.startswith("not drawn") else f"{v.error or 'not ok'}"
                kinds.setdefault(f"/{v.page}: {text}", []).append(f"{v.ics} {v.seconds:.0f} s")
        for line in phase.page_errors:
            code, _, text = line.partition(" ")
            kinds.setdefault(text[:200], []).append(code)
        if kinds:
            print(f"\n{phase.name}: {len(errors(phase))} error(s), by kind:")
            for text, where in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
                print(f"  - {len(where)}× {text} [{', '.join(where[:6])}{' …' * (len(where) > 6)}]")
        if phase.second_clicks:
            print(
                f"\n{phase.name}: {len(phase.second_clicks)} link click(s) started no run within "
                f"{RECLICK_MS / 1000:.0f} s and were clicked again (time included): "
                f"{', '.join(phase.second_clicks)}."
            )
        if phase.probes_404:
            print(f"\n{phase.name}: {phase.probes_404} Streamlit base-path probe 404s (benign).")
        console = Counter(e.split(": ", 1)[1] for e in phase.console_errors)
        if console:
            print(f"\n{phase.name}: browser console errors (distinct, first 5):")
            for text, n in console.most_common(5):
                print(f"  - {n}× {text}")
        if phase.rss_timeline:
            at, peak = max(phase.rss_timeline, key=lambda sample: sample[1])
            busy = Counter(
                v.page
                for v in phase.visits
                if v.session >= 0 and v.started <= at <= v.started + v.seconds
            )
            print(
                f"\n{phase.name}: peak server RSS {peak / 1e9:.2f} GB at {at:.0f} s, with visits "
                f"in progress on {dict(busy.most_common()) or 'no page'}."
            )
        failures = Counter(server_failures(phase.server_log))
        if failures:
            print(f"\n{phase.name}: server log, {sum(failures.values())} traceback(s):")
            for text, n in failures.most_common(5):
                print(f"  - {n}× {text}")

    server_report(phases)


def server_seconds(phase: Phase) -> list[float]:
    """The server's own time for each script run of the phase."""
    return [float(run["seconds"]) for run in phase.server_runs]


def server_errors(phase: Phase) -> list[dict]:
    """Script runs the server itself logged as failed."""
    return [run for run in phase.server_runs if run["error"]]


def server_report(phases: list[Phase]) -> None:
    """The server's own times per script run, and the bars judged on them."""
    print(
        "\nThe server's own time per script run (dashboard.runlog; the '/' redirect left "
        "out), beside the CPU each side used:\n"
    )
    print(
        "| phase | sessions | script runs | failed runs | server p50 s | server p95 s "
        "| server max s | client errors | peak server RSS GB | server CPU s | client CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase in phases:
        seconds = server_seconds(phase)
        print(
            f"| {phase.name} | {phase.sessions} | {len(seconds)} "
            f"| {len(server_errors(phase))} | {pct(seconds, 50):.2f} | {pct(seconds, 95):.2f} "
            f"| {max(seconds, default=float('nan')):.2f} | {len(errors(phase))} "
            f"| {phase.peak_rss / 1e9:.2f} | {phase.server_cpu:.0f} | {phase.client_cpu:.0f} |"
        )
    single = next((p for p in phases if p.name == "single"), None)
    base95 = pct(server_seconds(single), 95) if single else float("nan")
    print(f"\nBars (single-session server p95 per script run: {base95:.2f} s):")
    for phase in phases:
        if phase.name == "single":
            continue
        p95 = pct(server_seconds(phase), 95)
        n_errors = len(errors(phase)) + len(server_errors(phase))
        checks = [
            (
                f"server p95 {p95:.2f} s = {p95 / base95:.1f}× single (≤ {SERVER_BAR:g}×)",
                p95 <= SERVER_BAR * base95,
            ),
            (f"errors {n_errors}", n_errors == 0),
            (
                f"peak server RSS {phase.peak_rss / 1e9:.2f} GB (≤ {RSS_BAR_BYTES / 1e9:g})",
                phase.peak_rss <= RSS_BAR_BYTES,
            ),
        ]
        if phase.name == "committee":
            drawn = {v.session for v in phase.visits if v.ok and v.has_map and v.session >= 0}
            checks.append(
                (f"{len(drawn)} of {phase.sessions} drew the map", len(drawn) == phase.sessions)
            )
        print(
            f"- {phase.name}: "
            + "; ".join(f"{text} {'PASS' if ok else 'FAIL'}" for text, ok in checks)
        )


async def main_async(args) -> None:
    pages = routed_pages()
    if args.pages:
        unknown = set(args.pages) - set(pages)
        if unknown:
            raise SystemExit(f"not routed pages: {sorted(unknown)}; routed: {pages}")
        pages = [p for p in pages if p in args.pages]
    codes, warm = chosen_systems(args.sessions)
    phases = []
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"load_test_{time.strftime('%Y%m%d_%H%M%S')}.json"
    # The client's cores before Playwright starts its driver, which Chromium inherits.
    _pin(args.client_cores)
    async with async_playwright() as playwright:
        for name in args.phases:
            print(f"[{time.strftime('%H:%M:%S')}] phase {name}…", file=sys.stderr, flush=True)
            phases.append(await run_phase(playwright, name, codes, warm, pages, args))
            path.write_text(json.dumps([dataclasses.asdict(p) for p in phases], indent=1))
    report(phases, pages, codes, args)
    print(f"\nEvery visit, error and server log line: {path.relative_to(REPO_ROOT)}")


def think_range(text: str) -> tuple[float, float]:
    """``"10-20"`` → (10.0, 20.0); ``"3"`` → (3.0, 3.0).

    Examples
    --------
    >>> think_range("10-20"), think_range("0")
    ((10.0, 20.0), (0.0, 0.0))
    """
    low, _, high = text.partition("-")
    bounds = (float(low), float(high or low))
    if not 0 <= bounds[0] <= bounds[1] <= 600:
        raise argparse.ArgumentTypeError(f"think time {text!r}: MIN-MAX seconds, 0 to 600")
    return bounds


def main() -> None:
    """Parse the arguments and run the phases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--ramp-seconds", type=float, default=20.0)
    parser.add_argument("--single-sessions", type=int, default=5)
    parser.add_argument("--pages", nargs="+", help="only these url paths (default: all)")
    parser.add_argument(
        "--think",
        type=think_range,
        default=(10.0, 20.0),
        help="seconds a load-phase user reads each page: MIN-MAX (uniform) or one number",
    )
    parser.add_argument("--committee", type=int, default=12, help="sessions on one link")
    parser.add_argument(
        "--committee-seconds", type=float, default=5.0, help="the committee arrives within"
    )
    parser.add_argument(
        "--navigate",
        choices=["link", "url"],
        default="link",
        help="after the first page: click sidebar links (link) or load each URL (url)",
    )
    parser.add_argument("--visit-timeout", type=float, default=300.0)
    parser.add_argument("--phase-timeout", type=float, default=2400.0)
    parser.add_argument(
        "--phases",
        nargs="+",
        default=["single", "load", "committee"],
        choices=["single", "load", "committee", "burst"],
    )
    parser.add_argument(
        "--cores",
        choices=["priority", "split", "shared"],
        default="priority",
        help="client at nice 19 (priority), server on core 0 and client on the rest "
        "(split), or both equal on every core (shared)",
    )
    args = parser.parse_args()
    args.server_cores, args.client_cores = core_split(args.cores)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}")
    if not 1 <= args.committee <= MAX_SESSIONS:
        parser.error(f"--committee must be between 1 and {MAX_SESSIONS}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
