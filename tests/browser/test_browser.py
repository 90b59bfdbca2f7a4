"""Real-browser tests: the dashboard in headless Debian Chromium, driven by Playwright.

Screenshots go to tests/artifacts/. In CI (CI=true) these tests must run: a missing
browser is a failure there, not a skip.
"""

from __future__ import annotations

import tomllib

import pytest

import layers
from dashboard.page_specs import PAGE_SPECS, PAGES_DIR
from tests.browser_harness import wait_for_charts, wait_for_page
from tests.conftest import ARTIFACTS, REPO_ROOT

pytestmark = pytest.mark.viewport(1400, 1000)


def test_root_redirects_to_overview_with_state(server, page):
    page.goto(f"{server}/?vintage=2022&ics=QRV")
    page.wait_for_url("**/overview?vintage=2022&ics=QRV*", timeout=60_000)
    wait_for_page(page, 60_000)
    assert "North West London" in page.locator("h1").first.inner_text()


def test_overview_page(server, page):
    page.goto(f"{server}/overview?vintage=2022&ics=QGH")
    wait_for_page(page, 60_000)
    page.wait_for_selector("text=817,738")
    page.wait_for_timeout(1500)  # let the data grids paint before the screenshot
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "overview_QGH.png", full_page=True)
    assert page.locator("text=Data vintage and sources").count() == 1
    assert not page.errors


@pytest.mark.parametrize("ics", ["QGH", "QRV"])
def test_map_page_draws_offline(server, page, ics):
    geometry = []
    page.on("response", lambda r: geometry.append(r) if "/app/static/lsoas_" in r.url else None)
    page.goto(f"{server}/map?vintage=2022&ics={ics}")
    wait_for_charts(page, 90_000)
    # One SVG path per LSOA, drawn from the geometry file the server wrote and gzipped.
    lsoas = len(layers.load_system(ics, vintage="2022").lsoas)
    assert page.locator(".js-plotly-plot .trace.choropleth path").count() == lsoas
    assert [r.status for r in geometry] == [200]
    assert geometry[0].headers.get("content-encoding") in ("br", "gzip")
    plot = page.locator(".js-plotly-plot").first
    assert plot.bounding_box()["width"] > 400
    # Every place is named on the map, as SVG text (#18).
    shown = set(page.locator(".js-plotly-plot .trace.scattergeo text").all_text_contents())
    assert set(layers.load_system(ics, vintage="2022").places["place_name"]) <= shown, shown
    page.screenshot(path=ARTIFACTS / f"map_{ics}.png")
    assert not page.errors
    assert page.external == [], f"the map asked the internet for {page.external[:3]}"


def test_theme_from_streamlit_config(server, page):
    page.goto(f"{server}/overview?vintage=2022&ics=QGH")
    wait_for_page(page, 60_000)
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).color"
    )
    configured = tomllib.loads((REPO_ROOT / "streamlit_config.toml").read_text())
    hex_colour = configured["theme"]["textColor"].lstrip("#")
    expected = tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    assert colour == f"rgb{expected}"  # tuple repr gives "rgb(11, 12, 12)"


def test_choose_ics_in_sidebar(server, page):
    page.goto(f"{server}/overview?vintage=2022&ics=QGH")
    wait_for_page(page, 60_000)
    page.get_by_role("combobox", name="Integrated Care System").click()
    page.keyboard.type("Coventry")
    page.keyboard.press("Enter")
    page.wait_for_url("**ics=QWU*", timeout=30_000)
    page.wait_for_selector("h1:has-text('Coventry and Warwickshire')", timeout=60_000)


def test_every_page_loads(server, page):
    for file, title, _icon, url_path in PAGE_SPECS:
        if not (PAGES_DIR / file).exists():
            continue
        page.goto(f"{server}/{url_path}?vintage=2022&ics=QWU")
        wait_for_page(page, 60_000)
        assert page.locator("text=Sorry, the").count() == 0, f"{title} failed"
        page.screenshot(path=ARTIFACTS / f"page_{url_path}_QWU.png")
    assert not page.errors
