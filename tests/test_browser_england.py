"""The England page in headless Chromium: all LSOAs drawn from a static file, drill-down."""

from __future__ import annotations

import pytest

from tests.browser_harness import (
    MAP_DRAWN_JS,
    chromium_available,
    dashboard_server,
    launch_chromium,
)
from tests.conftest import ARTIFACTS, IN_CI

pytestmark = pytest.mark.browser

if not chromium_available():
    if IN_CI:
        raise RuntimeError("CI=true but Chromium/Playwright are missing: install them in .ci/run")
    pytest.skip("Debian chromium or playwright is not installed", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def page():
    with dashboard_server() as (url, _process), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.base = url
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        yield page
        browser.close()


def test_england_map_draws_every_lsoa(page):
    geometry_responses = []
    page.on(
        "response", lambda r: geometry_responses.append(r) if "england_lsoas_" in r.url else None
    )
    page.goto(f"{page.base}/england")
    page.wait_for_function(MAP_DRAWN_JS, timeout=120_000)
    drawn = page.evaluate("document.querySelector('.js-plotly-plot')._fullData[0].locations.length")
    assert drawn == 32_844
    assert geometry_responses and geometry_responses[0].status == 200
    assert geometry_responses[0].headers.get("content-encoding") == "gzip"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "england.png")
    assert not page.errors


def test_england_map_settles_once_drawn(page):
    # A chart resized while MapLibre was still tiling kept redrawing every few seconds
    # when the sidebar arrived after the page; it must draw and then stay put.
    page.add_init_script(
        """window.__replots = 0;
        setInterval(() => {
          for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            if (!gd.__counted && gd.on) {
              gd.__counted = true;
              gd.on('plotly_afterplot', () => { window.__replots += 1; });
            }
          }
        }, 20);"""
    )
    page.goto(f"{page.base}/england")
    page.wait_for_function(MAP_DRAWN_JS, timeout=120_000)
    page.wait_for_timeout(10_000)  # one more draw is fine: the page grows a scrollbar
    settled = page.evaluate("window.__replots")
    page.wait_for_timeout(8_000)
    assert settled <= 3 and page.evaluate("window.__replots") == settled
    assert page.evaluate("(" + MAP_DRAWN_JS + ")()")


def test_drill_into_an_ics(page):
    page.goto(f"{page.base}/england")
    page.wait_for_selector("text=National league table", timeout=120_000)
    page.get_by_role("combobox", name="Drill into an ICS").click()
    page.keyboard.type("North West London")
    page.keyboard.press("Enter")
    page.wait_for_url("**/map?ics=QRV*", timeout=60_000)
    page.wait_for_function(MAP_DRAWN_JS, timeout=90_000)
    assert "North West London" in page.locator("h1").first.inner_text()
