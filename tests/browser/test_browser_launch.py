"""The launch every Streamlit user tries first, in headless Chromium (#18 items 8–9, #19).

The server here is started exactly as a new user starts it: ``streamlit run
dashboard/app.py`` from the repository folder, with no flags and no launcher. It must
draw the same maps as ``python -m dashboard``, keep drawing them when
``dashboard/static/`` is emptied while it runs, and send its JavaScript compressed with
headers that let a second visit fetch nothing large.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import layers
from dashboard.loaders import STATIC_DIR
from layers import england
from tests.browser.conftest import watch
from tests.browser_harness import plain_streamlit_run, wait_for_charts

#: SVG paths of the first map's choropleth traces.
CHOROPLETH_PATHS_JS = (
    "() => document.querySelectorAll('.js-plotly-plot .trace.choropleth path').length"
)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """``streamlit run dashboard/app.py`` from the repository folder, nothing else."""
    log = tmp_path_factory.mktemp("plain") / "server.log"
    with plain_streamlit_run(log) as port:
        yield f"http://localhost:{port}", log


@pytest.fixture
def tab(browser):
    """A fresh browser context and page that records errors and external requests."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    watch(page)
    yield page
    context.close()
    assert not page.errors, f"JavaScript errors: {page.errors[:3]}"
    assert not page.external, f"the page asked the internet for {page.external[:3]}"


def _static_notice(page) -> int:
    return page.locator("text=Static file serving is off").count()


def test_plain_launch_draws_the_qgh_map_from_the_static_file(plain, tab):
    base, log = plain
    geometry = []
    tab.on("response", lambda r: geometry.append(r) if "/app/static/lsoas_" in r.url else None)
    tab.goto(f"{base}/map?ics=QGH")
    wait_for_charts(tab, 120_000)
    assert tab.evaluate(CHOROPLETH_PATHS_JS) == len(layers.load_system("QGH", vintage="2022").lsoas)
    assert [r.status for r in geometry] == [200]
    assert geometry[0].headers.get("content-encoding") in ("br", "gzip")
    assert _static_notice(tab) == 0
    # The NHS theme from streamlit_config.toml, not Streamlit's red.
    colour = tab.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).color"
    )
    assert colour == "rgb(11, 12, 12)"
    assert "static folder" not in log.read_text().lower()


def test_plain_launch_draws_the_england_map(plain, tab):
    base, _log = plain
    tab.goto(f"{base}/england")
    wait_for_charts(tab, 180_000)
    # One path per ICS and class: every ICS is on the map.
    assert tab.evaluate(CHOROPLETH_PATHS_JS) == len(england.england_groups())
    assert _static_notice(tab) == 0


def test_emptying_the_static_folder_mid_session_still_draws_the_map(plain, tab):
    """The README says the folder is safe to empty while the server runs (#18 item 8)."""
    base, _log = plain
    tab.goto(f"{base}/map?ics=QGH")
    wait_for_charts(tab, 120_000)
    expected = len(layers.load_system("QGH", vintage="2022").lsoas)
    assert tab.evaluate(CHOROPLETH_PATHS_JS) == expected
    removed = [p for p in STATIC_DIR.iterdir() if p.name != ".gitkeep"]
    assert any(p.name.startswith("lsoas_QGH_") for p in removed)
    for path in removed:
        path.unlink()
    # The same session moves to another page and back (its cached file name points
    # at a file that has gone), then a new visitor opens the map.
    tab.goto(f"{base}/overview?ics=QGH")
    tab.wait_for_selector("h1", timeout=120_000)
    tab.goto(f"{base}/map?ics=QGH&colour=population")
    wait_for_charts(tab, 120_000)
    assert tab.evaluate(CHOROPLETH_PATHS_JS) == expected
    assert any(p.name.startswith("lsoas_QGH_") for p in STATIC_DIR.iterdir())


def test_javascript_comes_compressed_and_a_second_visit_fetches_nothing_large(plain, browser):
    base, _log = plain
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    watch(page)
    scripts = []
    page.on("response", lambda r: scripts.append(r) if "/static/js/" in r.url else None)
    page.goto(f"{base}/map?ics=QGH")
    wait_for_charts(page, 120_000)
    # The biggest bundle Streamlit ships, as its file on disk.
    import streamlit

    bundles = Path(streamlit.__file__).parent / "static" / "static" / "js"
    biggest = max(bundles.glob("*.js"), key=lambda p: p.stat().st_size)
    fetched = {r.url.rsplit("/", 1)[-1]: r for r in scripts}
    assert biggest.name in fetched, f"{biggest.name} was not fetched"
    response = fetched[biggest.name]
    assert response.headers.get("content-encoding") in ("br", "gzip")
    assert response.headers.get("cache-control") == "public, immutable, max-age=31536000"
    sent = int(response.headers["content-length"])
    assert sent < biggest.stat().st_size / 3

    # The second visit in the same context: the bundles and geometry come from the cache.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    page.goto(f"{base}/map?ics=QGH")
    wait_for_charts(page, 120_000)
    assert max(received, default=0) < 100_000, sorted(received)[-3:]
    assert sum(received) < 300_000
    context.close()
    assert not page.errors and not page.external


def _first_paint_requests(page, url: str) -> list[str]:
    """The URLs a fresh page asks for until it and its map are drawn, in order."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    wait_for_charts(page, 120_000)
    return requests


def test_a_deep_link_connects_at_once_and_fetches_the_chart_code_early(server, tab):
    """#19: no base-path probe (``/map/_stcore/…`` 404s) and plotly asked for up front."""
    requests = _first_paint_requests(tab, f"{server}/map?ics=QGH")
    assert not [u for u in requests if "/map/_stcore/" in u]
    health = next(i for i, u in enumerate(requests) if u.endswith("/_stcore/health"))
    chart = next(i for i, u in enumerate(requests) if "/static/js/PlotlyChart." in u)
    assert chart < health, "the chart code waited for the connection"
    expected = len(layers.load_system("QGH", vintage="2022").lsoas)  # a July 2022 code
    assert tab.evaluate(CHOROPLETH_PATHS_JS) == expected


def test_served_under_a_base_path_every_page_link_still_connects(browser):
    """Behind a proxy at ``/planner`` the head's base URL keeps the prefix."""
    from tests.browser_harness import dashboard_server

    with dashboard_server(base="/planner") as (url, _process):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        watch(page)
        requests = _first_paint_requests(page, f"{url}/map?ics=QGH")
        assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{url}/"
        assert any(u.startswith(f"{url}/_stcore/health") for u in requests)
        assert not [u for u in requests if "/map/_stcore/" in u]
        page.get_by_role("link", name="England").first.click()
        # The link navigates in the page: wait for the new address, then its map (the
        # old page's map is still drawn until the new page replaces it).
        page.wait_for_url(f"{url}/england**", timeout=180_000)
        page.wait_for_function(
            "() => (document.querySelector('h1')?.textContent || '').startsWith('England')",
            timeout=180_000,
        )
        wait_for_charts(page, 180_000)
        context.close()
        assert not page.errors and not page.external
