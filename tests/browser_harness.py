"""Start the dashboard on loopback and drive Debian Chromium through Playwright.

Shared by the browser tests and the ``benchmarks/`` scripts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: True once the first plotly map on the page has drawn all its traces and settled.
MAP_DRAWN_JS = """() => {
  const plots = document.querySelectorAll('.js-plotly-plot');
  if (!plots.length) return false;
  for (const gd of plots) {
    const full = gd._fullLayout;
    if (!full || !gd._fullData || !gd._fullData.length) return false;
    // SVG geo maps: drawn once every visible geo trace has its group in the DOM
    // (they appear only after plotly has its topology).
    const geoTraces = gd._fullData.filter(
      t => t.visible === true && (t.type === 'choropleth' || t.type === 'scattergeo'));
    if (geoTraces.length &&
        gd.querySelectorAll('.trace.choropleth, .trace.scattergeo')
          .length < geoTraces.length) return false;
    const sub = full.map && full.map._subplot;
    if (!sub) continue;
    const map = sub.map;
    if (!map || !map.loaded() || map.isMoving()) return false;
    // A URL GeoJSON is fetched before its source exists, so count sources too.
    const sources = Object.keys(map.getStyle().sources || {});
    if (sources.length < gd._fullData.filter(t => t.visible !== false).length) return false;
    if (!sources.every(id => map.isSourceLoaded(id))) return false;
  }
  return true;
}"""


#: True once Streamlit has finished running the page's script, the page has a title, and
#: no element is still loading its code. (Waiting for the status widget to detach can pass
#: before the script has started; and Streamlit fetches each kind of element's code when
#: first drawn, showing a skeleton meanwhile, so with plotly preloaded a map can be drawn
#: while the radios above it are still skeletons: seen in CI.)
SCRIPT_DONE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!document.querySelector('h1')
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_for_script(page, timeout_ms: float = 120_000) -> None:
    """Wait until the page's script has run to the end."""
    page.wait_for_function(SCRIPT_DONE_JS, timeout=timeout_ms, polling=100)


def wait_for_page(page, timeout_ms: float = 120_000) -> None:
    """Wait until the page has a title and its script has run to the end.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page, after ``page.goto`` or a click that reruns the script.
    timeout_ms : float
        How long each of the two waits may take, in milliseconds.
    """
    page.wait_for_selector("h1", timeout=timeout_ms)
    wait_for_script(page, timeout_ms)


#: True once the script has finished, the page's title is the one given (the ``arg``
#: of ``page.wait_for_function``) and no element is still loading its code.
TITLE_DONE_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('h1');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!h1 && h1.textContent.trim() === title
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_for_title(page, title: str, timeout_ms: float = 120_000, polling: float = 100) -> None:
    """Wait until the page's script has finished under the title ``title``.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page.
    title : str
        The whole text of the page's ``h1``.
    timeout_ms : float
        How long the wait may take, in milliseconds.
    polling : float
        How often the page is asked, in milliseconds.
    """
    page.wait_for_function(TITLE_DONE_JS, arg=title, timeout=timeout_ms, polling=polling)


def link_params(page) -> dict[str, str]:
    """The query parameters of the page's address, each with its first value.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page.

    Returns
    -------
    dict[str, str]
        Parameter name to value, e.g. ``{"ics": "QGH", "vintage": "2022"}``.
    """
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


#: True once no element is still loading its code and every chart element has a plot.
#: (MAP_DRAWN_JS alone only judges the plots already in the page.)
CHARTS_MOUNTED_JS = """() => !document.querySelector('[data-testid="stSkeleton"]') &&
  document.querySelectorAll('[data-testid="stPlotlyChart"]').length ===
  document.querySelectorAll('.js-plotly-plot').length"""


def wait_for_charts(page, timeout_ms: float = 120_000) -> None:
    """Wait until the script has finished and every chart on the page is drawn."""
    wait_for_script(page, timeout_ms)
    page.wait_for_function(CHARTS_MOUNTED_JS, timeout=timeout_ms, polling=100)
    page.wait_for_function(MAP_DRAWN_JS, timeout=timeout_ms, polling=100)


def chromium_available() -> bool:
    """Whether Debian's Chromium and the Playwright driver are installed."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists() or shutil.which("chromium") is not None


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(port: int, timeout: float = 60.0, base: str = "") -> float:
    """Wait until Streamlit answers its health check; return the seconds waited.

    ``base`` is the server's ``server.baseUrlPath`` as a path (``"/planner"``), if any.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            url = f"http://127.0.0.1:{port}{base}/_stcore/health"
            with urllib.request.urlopen(url, timeout=2):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"Streamlit did not answer on port {port} within {timeout} s")


@contextlib.contextmanager
def dashboard_server(
    port: int | None = None,
    app: Path | None = None,
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
    base: str = "",
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the dashboard (or another app, with the same config) on loopback.

    ``env`` adds environment variables (for example the scenario library's database URL).
    ``base`` serves it under a path (``"/planner"``: ``server.baseUrlPath``); the URL
    yielded then ends in it.
    """
    port = port or free_port()
    if base:
        extra = [*(extra or []), f"--server.baseUrlPath={base.strip('/')}"]
    command = [
        sys.executable,
        "-m",
        "dashboard",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        *(extra or []),
    ]
    if app is not None:
        sys.path.insert(0, str(REPO_ROOT))
        from dashboard.__main__ import config_flags

        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app),
            *config_flags(),
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            *(extra or []),
        ]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_for_health(port, base=base)
        yield f"http://127.0.0.1:{port}{base}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def plain_streamlit_run(log: Path) -> Iterator[int]:
    """``streamlit run dashboard/app.py`` from the repository folder, as a new user types it.

    No flags but a free port; the server's output goes to ``log``. Yields the port once
    the server answers its health check (a server that never does fails with its log).
    """
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", f"--server.port={port}"],
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for_health(port)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; its log:\n{log.read_text()}") from None
        yield port
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        if process.poll() is None:
            process.kill()


def launch_chromium(playwright):
    """Launch headless Debian Chromium with the flags this offline machine needs."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
