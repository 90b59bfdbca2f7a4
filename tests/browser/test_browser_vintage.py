"""The data vintage and the Mergers page in headless Chromium.

The vintage switch in the sidebar, a link made before the vintages (``?ics=QRV``), the
merger page and a what-if merge. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlparse

import pytest

from tests.browser_harness import link_params, wait_for_charts, wait_for_script, wait_for_title
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1400, 3000)


def test_vintage_switch_keeps_the_area_and_the_link(server, page):
    page.goto(f"{server}/overview?vintage=2026&ics=E54000071")
    wait_for_title(page, "West and North London ICS")
    assert "NHS England code T04" in page.locator("body").inner_text()
    page.get_by_text("July 2022 (42 ICBs)", exact=True).click()
    wait_for_title(page, "North West London ICS")
    assert link_params(page)["vintage"] == "2022" and link_params(page)["ics"] == "QRV"
    page.get_by_text("April 2026 (36 ICBs)", exact=True).click()
    wait_for_title(page, "West and North London ICS")
    assert link_params(page)["vintage"] == "2026"
    assert link_params(page)["ics"] == "E54000071"


def test_old_link_opens_in_2022_and_offers_the_successor(server, page):
    page.goto(f"{server}/overview?ics=QRV")
    wait_for_title(page, "North West London ICS")
    assert link_params(page)["vintage"] == "2022"
    offer = page.get_by_role("link", name="West and North London (E54000071 · T04)")
    href = offer.get_attribute("href")
    assert parse_qs(urlparse(href).query) == {"vintage": ["2026"], "ics": ["E54000071"]}
    page.goto(urljoin(page.url, href))
    wait_for_title(page, "West and North London ICS")


def test_merger_page_draws_the_map_and_figures(server, page):
    page.goto(f"{server}/mergers?vintage=2026&ics=E54000070")
    page.wait_for_selector("h1", timeout=90_000)
    wait_for_charts(page)
    # Thames Valley is a changed ICB, so it is the merger shown.
    body = page.locator("body").inner_text()
    assert "Thames Valley: its predecessors and the pieces that moved" in body
    assert page.locator(".js-plotly-plot").count() == 4  # map, tiers, need, Core20
    assert "Buckinghamshire, Oxfordshire and Berkshire West" in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "mergers_T05.png", full_page=True)


def test_what_if_merge_from_a_link_and_the_picker(server, page):
    page.goto(f"{server}/mergers?vintage=2026&ics=E54000019&merge=E54000019,E54000071")
    page.wait_for_selector("h1", timeout=90_000)
    wait_for_charts(page)
    heading = page.locator("h3", has_text="What if")
    assert heading.count() == 1
    assert "Herefordshire and Worcestershire" in heading.inner_text()
    assert link_params(page)["merge"] == "E54000019,E54000071"
    page.goto(f"{server}/mergers?vintage=2026&ics=E54000019&merge=E54000019")
    wait_for_script(page)
    assert "needs at least two different ICBs" in page.locator("body").inner_text()
    assert page.locator("h3", has_text="What if").count() == 0
