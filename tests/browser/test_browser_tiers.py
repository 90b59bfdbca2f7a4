"""The Population tiers page in headless Chromium: offline drawing, what-if, URL bands.

Screenshots go to tests/artifacts/. In CI (CI=true) a missing browser is a failure.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_harness import wait_for_charts, wait_for_script
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1400, 5600)


def settle(page) -> None:
    page.wait_for_selector("h1", timeout=90_000)
    page.wait_for_timeout(300)
    wait_for_script(page, 120_000)
    wait_for_charts(page, 90_000)
    page.wait_for_timeout(1000)


def open_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()
    page.wait_for_function(
        f"() => new URLSearchParams(window.location.search).get('view') === {label!r}",
        timeout=30_000,
    )
    settle(page)


def titles(page) -> list[str]:
    return page.locator(".js-plotly-plot .gtitle").all_text_contents()


def test_tiers_page_draws_offline(server, page):
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH")
    settle(page)
    assert "Population tiers" in page.locator("h1").first.inner_text()
    assert page.locator(".js-plotly-plot").count() == 2  # the ladder and the band counts
    open_tab(page, "Units outside their band")
    # the map is drawn (one SVG path per PCN footprint) and wide
    tier_map = page.locator(".js-plotly-plot", has=page.locator(".trace.choropleth")).first
    assert tier_map.locator(".geo").first.bounding_box()["width"] > 400
    assert tier_map.locator(".trace.choropleth path").count() > 10
    assert page.locator("h3", has_text="Units outside their band").count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tiers_QGH.png", full_page=True)
    open_tab(page, "Age structure")
    assert page.locator(".js-plotly-plot").count() == 1
    open_tab(page, "People at risk")
    assert page.locator(".js-plotly-plot").count() == 2
    assert any(t.startswith("People at rising and high risk by PCN") for t in titles(page))
    assert not page.errors
    assert page.external == [], f"the page asked the internet for {page.external[:3]}"


def test_merge_with_the_keyboard_then_reset(server, page):
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH")
    settle(page)
    page.get_by_text("Merge two PCNs", exact=True).click()
    settle(page)
    apply = page.get_by_role("button", name="Apply change")
    apply.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Showing a what-if scenario with 1 change(s)", timeout=60_000)
    settle(page)
    assert any(t.endswith("(scenario)") for t in titles(page))  # the band counts
    assert any(t.endswith("what-if scenario") for t in titles(page))  # the ladder
    open_tab(page, "Units outside their band")
    assert page.locator("text=PCNs against their band").first.is_visible()
    assert any(t.endswith("(scenario)") for t in titles(page))  # the map
    page.screenshot(path=ARTIFACTS / "tiers_QGH_merge.png", full_page=True)
    page.get_by_role("button", name="Reset to the real configuration").click()
    page.wait_for_selector("text=No changes: the figures show the real configuration")
    assert {"vintage=2022", "ics=QGH"} <= set(urlsplit(page.url).query.split("&"))
    assert not page.errors


def test_bands_in_the_link_and_practice_map(server, page):
    page.goto(
        f"{server}/tiers?vintage=2022&ics=QRV&bands=1k-12k,30k-60k,100k-500k,500k-3m"
        "&view=Units+outside+their+band"
    )
    settle(page)
    page.wait_for_selector("text=GP practices 1,000–12,000 · PCNs 30,000–60,000")
    map_choice = page.locator('[data-testid="stRadio"]').filter(has_text="PCN footprints")
    map_choice.get_by_text("GP practices", exact=True).click()
    settle(page)
    assert "GP practices against their band" in page.content()
    page.wait_for_function("() => window.location.search.includes('tiers_map_layer=GP')")
    assert "bands=1k-12k" in page.url
    page.screenshot(path=ARTIFACTS / "tiers_QRV_practices.png", full_page=True)
    # The link reopens the same tab, bands and map.
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    settle(page)
    assert "GP practices against their band" in page.content()
    page.wait_for_selector("text=GP practices 1,000–12,000 · PCNs 30,000–60,000")
    assert not page.errors
    assert page.external == []


def test_malformed_bands_link_warns(server, page):
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH&bands=10-20-30")
    settle(page)
    assert page.locator("text=could not be read").count() == 1
    assert page.locator("text=Sorry, the").count() == 0
    page.wait_for_function("() => !window.location.search.includes('bands=')", timeout=30_000)
