"""The England page in headless Chromium: all LSOAs drawn from a static file, drill-down."""

from __future__ import annotations

import pytest
import shapely

from layers import england
from layers.geodata import read_table
from tests.browser.conftest import watch
from tests.browser_harness import MAP_DRAWN_JS, wait_for_charts
from tests.conftest import ARTIFACTS


@pytest.fixture(scope="module")
def page(server, browser):
    """One page for the module: the England map is drawn once and then explored."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.base = server
    watch(page)
    yield page
    context.close()
    assert not page.errors, f"JavaScript errors: {page.errors[:3]}"
    assert not page.external, f"the page asked the internet for {page.external[:3]}"


#: Paths and rings ("M" commands) of the England choropleth's SVG.
COUNT_RINGS_JS = """() => {
  const paths = document.querySelectorAll('.js-plotly-plot .trace.choropleth path');
  let rings = 0;
  for (const path of paths) rings += ((path.getAttribute('d') || '').match(/M/g) || []).length;
  return [paths.length, rings];
}"""

#: Page coordinates of a lon/lat on the first plotly geo map.
PROJECT_JS = """([lon, lat]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const geo = gd._fullLayout.geo._subplot;
  const [x, y] = geo.projection([lon, lat]);  // already in the plot's own pixels
  const box = gd.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_england_map_draws_every_lsoa(page):
    geometry_responses = []
    page.on(
        "response", lambda r: geometry_responses.append(r) if "england_lsoas_" in r.url else None
    )
    page.goto(f"{page.base}/england?vintage=2022")
    wait_for_charts(page, 120_000)
    parts = shapely.get_parts(read_table("lsoa_geometry_light", vintage="2022").geometry.to_numpy())
    rings = len(parts) + int(shapely.get_num_interior_rings(parts).sum())
    # One path per ICS and decile, holding every ring of every LSOA polygon.
    assert page.evaluate(COUNT_RINGS_JS) == [len(england.england_groups(vintage="2022")), rings]
    assert rings > 32_844
    assert geometry_responses and geometry_responses[0].status == 200
    assert geometry_responses[0].headers.get("content-encoding") in ("br", "gzip")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "england.png")
    assert not page.errors


def test_hover_names_the_ics_and_a_click_opens_its_map(page):
    worcester = (-2.22, 52.19)
    icbs = read_table("icb_geometry_light", vintage="2022")
    expected = icbs.loc[icbs.contains(shapely.Point(worcester)), "icb_code"].item()
    classes = england.england_lsoa_classes("imd_decile", vintage="2022").set_index("lsoa_code")
    light = read_table("lsoa_geometry_light", vintage="2022")
    under = light.loc[light.contains(shapely.Point(worcester)), "lsoa_code"].item()
    page.goto(f"{page.base}/england?vintage=2022")
    wait_for_charts(page, 120_000)
    x, y = page.evaluate(PROJECT_JS, list(worcester))
    page.mouse.move(x, y)
    hover = page.locator(".hovertext").first
    hover.wait_for(timeout=10_000)
    text = hover.text_content()
    assert f"({expected})" in text
    assert f"IMD 2019 decile {classes.loc[under, 'class_label']}:" in text
    page.mouse.click(x, y)
    page.wait_for_url(f"**/map?vintage=2022&ics={expected}*", timeout=60_000)
    wait_for_charts(page, 90_000)
    assert expected == "QGH" and "Herefordshire" in page.locator("h1").first.inner_text()
    assert not page.errors


def test_england_map_settles_once_drawn(page):
    # A chart resized while it was still drawing kept redrawing every few seconds
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
    page.goto(f"{page.base}/england?vintage=2022")
    wait_for_charts(page, 120_000)
    page.wait_for_timeout(10_000)  # one more draw is fine: the page grows a scrollbar
    settled = page.evaluate("window.__replots")
    page.wait_for_timeout(8_000)
    assert settled <= 3 and page.evaluate("window.__replots") == settled
    assert page.evaluate("(" + MAP_DRAWN_JS + ")()")


def test_drill_into_an_ics(page):
    page.goto(f"{page.base}/england?vintage=2022")
    page.wait_for_selector("text=National league table", timeout=120_000)
    page.get_by_role("combobox", name="Drill into an ICS").click()
    page.keyboard.type("North West London")
    page.keyboard.press("Enter")
    page.wait_for_url("**/map?vintage=2022&ics=QRV*", timeout=60_000)
    wait_for_charts(page, 90_000)
    assert "North West London" in page.locator("h1").first.inner_text()
