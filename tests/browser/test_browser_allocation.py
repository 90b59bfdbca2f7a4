"""Service allocation page in headless Chromium: map, catalogue edits, methods, scenarios.

Screenshots go to tests/artifacts/. In CI (CI=true) these tests must run.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser_harness import wait_for_charts, wait_for_script
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1400, 1000)


def idle(page) -> None:
    page.wait_for_timeout(300)
    wait_for_script(page, 60_000)


def open_page(page, server: str, query: str = "vintage=2022&ics=QRV") -> None:
    page.goto(f"{server}/allocation?{query}")
    page.wait_for_selector("h1:has-text('Service allocation')", timeout=90_000)
    wait_for_charts(page, 90_000)
    idle(page)


def edit_share(page, row: int, value: str, expect: str) -> None:
    """Type a share into the catalogue editor (row from 0) and wait for ``expect``."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    for _attempt in range(4):
        box = grid.bounding_box()
        # Click the row's service cell (below the 35 px header), then move to the share.
        page.mouse.click(box["x"] + 120, box["y"] + 35 + 35 * row + 17)
        page.wait_for_timeout(200)
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        editor = page.locator("input.gdg-input")
        try:
            editor.wait_for(timeout=3_000)
        except Exception:  # the grid was redrawing; try again
            page.keyboard.press("Escape")
            continue
        editor.fill(value)
        page.keyboard.press("Enter")
        try:
            page.wait_for_selector(f"text={expect}", timeout=20_000)
        except Exception:
            continue
        idle(page)
        return
    raise AssertionError(f"could not set catalogue row {row} to {value}")


def scenario_uploader(page):
    return (
        page.locator('[data-testid="stFileUploader"]')
        .filter(has_text="Load a scenario")
        .locator('input[type="file"]')
    )


def test_page_draws_offline_with_map(server, page):
    open_page(page, server)
    # Waits (up to 5 s) rather than counts at once: CI once counted 0 on a loaded machine.
    expect(page.locator("text=your input, not a published allocation")).to_have_count(1)
    title = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')].map(g => g.layout.title.text)"
    )
    assert any("£ per head by place" in t for t in title)
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / "allocation_QRV.png", full_page=True)
    assert not page.errors
    assert page.external == [], f"the page asked the internet for {page.external[:3]}"


def test_edit_the_catalogue(server, page):
    open_page(page, server)
    # The neutral catalogue, in words: nothing delegated to places.
    expect(page.locator("text=ICS 83% · Place 0% · PCN 2% · Practice 15%")).to_have_count(1)
    # 46 + 5 + ... = 90%: refused with the reason, the last good catalogue stays in use.
    edit_share(page, 0, "46", "catalogue shares sum to 90%")
    assert page.locator("text=ICS 83% · Place 0%").count() == 1
    edit_share(page, 6, "17", "ICS 73% · Place 0% · PCN 2% · Practice 25%")
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert page.locator("text=(edited)").count() == 1
    assert not page.errors


def test_a_link_reopens_every_input(server, page):
    query = (
        "vintage=2022&ics=QRV&budget=3250000000.50&method=inequality_level_up&share=7.5"
        "&deprivation=imd_decile&threshold=0.35&catalogue=coventry_warwickshire&level=pcn"
    )
    open_page(page, server, query)
    assert page.locator('[data-testid="stAlert"]').count() == 0  # no bad-link warning
    budget = page.get_by_role("textbox", name="ICS budget in £ (your input, not a published")
    assert budget.input_value() == "3,250,000,000.50"
    assert page.locator("text=Patient-weighted IMD 2019 decile").count() >= 1
    assert page.locator("text=ICS 20% · Place 63%").count() == 1
    page.wait_for_selector("text=Who gains and who loses", timeout=60_000)
    for pair in query.split("&"):
        assert pair in page.url, (pair, page.url)
    assert not page.errors


def test_switch_method(server, page):
    open_page(page, server)
    page.get_by_role("combobox", name="Allocation method").click()
    page.keyboard.type("zero-sum")
    page.keyboard.press("Enter")
    page.wait_for_url("**method=inequality_zero_sum*", timeout=30_000)
    page.wait_for_selector("text=Who gains and who loses", timeout=60_000)
    page.wait_for_selector("text=gains equal losses to the penny", timeout=30_000)
    idle(page)
    page.screenshot(path=ARTIFACTS / "allocation_QRV_zero_sum.png")
    assert not page.errors


def test_save_and_reload_a_scenario(server, page, tmp_path):
    open_page(page, server)
    page.get_by_role("textbox", name="Scenario name").fill("Browser round trip")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Scenario: Browser round trip", timeout=30_000)
    idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Save scenario (JSON)").click()
    saved = json.loads(download.value.path().read_text())
    assert saved["name"] == "Browser round trip"
    assert saved["method"] == "weighted_capitation"
    assert download.value.suggested_filename == "browser_round_trip.json"

    # Reload an edited copy: every control follows it.
    saved.update(
        name="Level up from file", method="inequality_level_up", parameters={"share_percent": 7.5}
    )
    edited = tmp_path / "level_up.json"
    edited.write_text(json.dumps(saved))
    scenario_uploader(page).set_input_files(edited)
    page.wait_for_selector("text=Loaded scenario “Level up from file”", timeout=60_000)
    idle(page)
    assert page.get_by_role("textbox", name="Scenario name").input_value() == "Level up from file"
    page.wait_for_url("**method=inequality_level_up*", timeout=30_000)
    assert "share=7.5" in page.url

    # A malformed file: a clear message, and nothing changes.
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    scenario_uploader(page).set_input_files(broken)
    page.wait_for_selector("text=Nothing was changed", timeout=60_000)
    idle(page)
    assert page.locator("text=is not valid JSON").count() >= 1
    assert page.get_by_role("textbox", name="Scenario name").input_value() == "Level up from file"
    page.screenshot(path=ARTIFACTS / "allocation_QRV_bad_upload.png")
    assert not page.errors


@pytest.mark.parametrize("view", ["Need+indices", "Distance+from+target", "Former+CCGs"])
def test_tabs_draw(server, page, view):
    page.goto(f"{server}/allocation?vintage=2022&ics=QRV&view={view}")
    page.wait_for_selector("h1:has-text('Service allocation')", timeout=90_000)
    wait_for_charts(page, 90_000)
    idle(page)
    assert page.locator("text=Sorry, the").count() == 0
    if view == "Former+CCGs":
        assert page.locator("text=NHS Central London (Westminster) CCG").count() >= 1
    page.screenshot(path=ARTIFACTS / f"allocation_QRV_{view.split('+')[0].lower()}.png")
    assert not page.errors
