"""Upload a valid place grouping in Chromium and see the Population tiers page change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import layers
from tests.conftest import ARTIFACTS


def units_outside(page) -> tuple[int, int]:
    metric = page.locator('[data-testid="stMetric"]', has_text="Units outside their band")
    expect(metric).to_be_visible(timeout=90_000)
    found = re.search(r"(\d+) of (\d+)", metric.inner_text())
    return int(found.group(1)), int(found.group(2))


@pytest.mark.viewport(1400, 1000)
def test_uploaded_grouping_changes_the_tiers_page(server, page, tmp_path):
    codes = sorted(layers.load_system("QGH", vintage="2022").practices["practice_code"])
    grouping = tmp_path / "localities.csv"
    grouping.write_text(
        "practice_code,place_name\n"
        + "\n".join(f"{c},Locality {i % 3 + 1}" for i, c in enumerate(codes))
        + "\n"
    )
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH")
    _, units_before = units_outside(page)  # 79 practices + 15 PCNs + 2 places + ICS

    page.get_by_role("link", name="Your data").click()
    page.wait_for_selector("text=Place groupings", timeout=60_000)
    page.locator('input[type="file"]').first.set_input_files(grouping)
    apply = page.get_by_role("button", name=re.compile(r"Apply 79 accepted"))
    expect(apply).to_be_visible(timeout=60_000)
    apply.click()
    expect(page.get_by_text("Applied: Place groupings")).to_be_visible(timeout=60_000)

    page.get_by_role("link", name="Population tiers").click()
    expect(page.get_by_text("Your own place groupings").first).to_be_visible(timeout=90_000)
    _, units_after = units_outside(page)
    assert units_after == units_before + 1  # 3 localities instead of 2 places
    expect(page.get_by_text("Uploaded data in use this session")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "tiers_with_uploaded_grouping.png", full_page=True)
