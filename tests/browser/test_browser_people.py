"""Aggregates of the user's own records in Chromium: upload them, see the tiers page change.

The files are made with the library as a user makes them (:mod:`tests.people_files`);
expected figures come from the library reading the same file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from layers import format as fmt
from layers.people import upload_risk_tiers, validate_aggregates_upload
from tests.browser_harness import wait_for_charts, wait_for_script
from tests.conftest import ARTIFACTS
from tests.people_files import make_files

pytestmark = pytest.mark.viewport(1400, 2400)
UPLOADER = ".st-key-upload_aggregates input[type='file']"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_files(tmp_path_factory.mktemp("people_browser"))


def high_risk(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    expect(metric).to_be_visible(timeout=90_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def open_risk_tab(page) -> None:
    """Open the risk tab once the page has settled (a click on a moving page can miss)."""
    wait_for_charts(page, 120_000)
    page.get_by_role("tab", name="People at risk").click()
    page.wait_for_function(
        "() => new URLSearchParams(window.location.search).get('view') === 'People at risk'",
        timeout=30_000,
    )
    wait_for_charts(page, 120_000)
    assert {"vintage=2022", "ics=QGH"} <= set(urlsplit(page.url).query.split("&")), page.url


def go_to(page, link: str, path: str) -> None:
    """Follow a sidebar link once the page has settled, and wait for the next page."""
    wait_for_script(page, 120_000)
    page.wait_for_timeout(500)
    page.get_by_role("link", name=link).click()
    page.wait_for_url(re.compile(rf"/{path}\?"), timeout=60_000)
    wait_for_script(page, 120_000)


def test_uploaded_aggregates_change_the_tiers_page(server, page, files):
    published = upload_risk_tiers(
        validate_aggregates_upload(files.aggregates.read_bytes()), "ics", "QGH"
    ).iloc[0]
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH")
    page.wait_for_selector("h1", timeout=90_000)
    open_risk_tab(page)
    synthetic = high_risk(page, "High risk (ICS)")

    go_to(page, "Your data", "data")
    page.locator(UPLOADER).set_input_files(files.aggregates)
    apply = page.get_by_role("button", name="Apply these aggregates")
    expect(apply).to_be_visible(timeout=60_000)
    expect(page.get_by_text("passed the disclosure check")).to_be_visible()
    apply.click()
    expect(page.get_by_text("Applied: your aggregates")).to_be_visible(timeout=60_000)

    go_to(page, "Population tiers", "tiers")
    open_risk_tab(page)
    ours = high_risk(page, "High risk (ICS, your data)")
    assert ours == fmt.count(published["high"]) and ours != synthetic
    label = page.locator('[data-testid="stAlert"]', has_text="Your data: aggregates uploaded")
    expect(label).to_be_visible()
    titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
    assert any(t.endswith("(your data)") for t in titles), titles
    assert not page.errors
    assert page.external == [], f"the page asked the internet for {page.external[:3]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tiers_risk_your_data.png", full_page=True)


def test_person_level_rows_are_refused(server, page, files):
    page.goto(f"{server}/data?vintage=2022&ics=QGH")
    page.wait_for_selector("text=Your risk tiers", timeout=90_000)
    page.locator(UPLOADER).set_input_files(files.person_level)
    refusal = page.locator('[data-testid="stAlert"]', has_text="was not used")
    expect(refusal).to_be_visible(timeout=60_000)
    assert re.search(r"holds person-level rows", refusal.inner_text())
    expect(page.get_by_role("button", name="Apply these aggregates")).to_have_count(0)
    assert not page.errors
