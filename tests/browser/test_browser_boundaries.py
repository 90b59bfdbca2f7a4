"""The Boundary alignment page in headless Debian Chromium: draws offline, keeps its
state in the URL, and its CSV / XLSX / PDF downloads are what they say.

Screenshots go to tests/artifacts/. In CI (CI=true) these tests must run.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.browser_harness import wait_for_charts, wait_for_script
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1400, 1100)


SLOW = 180_000  # ms: the first load of an ICS computes the alignment tables


def open_section(page, server: str, query: str, heading: str) -> None:
    page.goto(f"{server}/boundaries?{query}")
    page.wait_for_selector(f"h3:has-text('{heading}')", timeout=SLOW)
    wait_for_script(page, SLOW)


def download(page, label: str, nth: int = 0) -> Path:
    button = page.locator('[data-testid="stDownloadButton"] button:visible', has_text=label).nth(
        nth
    )
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=SLOW) as info:
        button.click()
    return Path(info.value.path())


def read_csv_export(path: Path) -> pd.DataFrame:
    """A CSV download as a plain read_csv opens it (the title and licence are not in it)."""
    text = path.read_text(encoding="utf-8-sig")
    assert not text.startswith("#"), "a CSV download holds only the table"
    return pd.read_csv(io.StringIO(text), dtype=str)


def assert_disclosed(values: pd.Series | np.ndarray) -> None:
    """Every count is * or a multiple of 5 that is 0 or at least 10."""
    for value in pd.Series(values).astype(str):
        if value in ("*", "nan"):
            continue
        number = float(value)
        assert number == int(number) and int(number) % 5 == 0, value
        assert not 1 <= number <= 7, value


def test_page_draws_offline_and_keeps_state_in_the_url(server, page):
    open_section(page, server, "vintage=2022&ics=QGH&straddle=85", "1. Residence-based alignment")
    wait_for_charts(page, SLOW)
    assert "straddle=85" in page.url and "la=utla" in page.url
    # The map can now be drawn before the rest of the page (plotly is preloaded).
    page.wait_for_selector("text=PCNs straddling (under 85%)", timeout=SLOW)
    assert page.locator("text=PCNs straddling (under 85%)").count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "boundaries_QGH_residence.png")

    # The slider is keyboard-reachable: one step right is 86%, and the link follows.
    slider = page.get_by_role("slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**straddle=86*", timeout=SLOW)
    page.wait_for_selector("text=PCNs straddling (under 86%)", timeout=SLOW)

    page.get_by_role("tab", name="Lineage").click()
    page.wait_for_url("**section=Lineage*", timeout=SLOW)
    page.wait_for_selector("h3:has-text('5. Merger lineage')", timeout=SLOW)
    # Labelled map: the former CCG's name is SVG text on the figure.
    page.wait_for_selector(
        ".js-plotly-plot .annotation-text:has-text('Herefordshire and Worcestershire')",
        timeout=SLOW,
    )
    page.screenshot(path=ARTIFACTS / "boundaries_QGH_lineage.png")
    assert "straddle=86" in page.url
    assert not page.errors
    assert page.external == [], f"the page asked the internet for {page.external[:3]}"


def test_overlap_exports_apply_the_disclosure_rule(server, page):
    open_section(page, server, "vintage=2022&ics=QRV&section=Overlap", "2. Overlap matrix")
    wait_for_charts(page, SLOW)
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / "boundaries_QRV_overlap.png")

    matrix = read_csv_export(download(page, "CSV", 0))
    assert {"PCN", "Code", "Type", "Total (rounded)", "Ealing", "Rest of England"} <= set(
        matrix.columns
    )
    counts = matrix.drop(columns=["PCN", "Code", "Type"])
    assert (counts == "*").to_numpy().any(), "cells of 1-7 patients are suppressed"
    for column in counts.columns:
        assert_disclosed(counts[column])

    workbook = pd.read_excel(download(page, "XLSX", 0), sheet_name=None)
    assert list(workbook) == ["Data", "About"]
    about = workbook["About"]["About"].astype(str).tolist()
    assert about[0].startswith("QRV PCN x authority overlap utla patients")
    assert any("Open Government Licence" in line for line in about)
    data = workbook["Data"]
    assert len(data) == len(matrix)
    for column in data.columns.drop(["PCN", "Code", "Type"]):
        assert_disclosed(data[column].to_numpy())

    straddlers = read_csv_export(download(page, "CSV", 1))
    assert "U19803" in set(straddlers["Code"])  # Babylon GP at Hand
    for column in ("Patients (rounded)", "Home patients (rounded)", "Second patients (rounded)"):
        assert_disclosed(straddlers[column])
    xlsx = pd.read_excel(download(page, "XLSX", 1), sheet_name="Data")
    assert xlsx["Code"].tolist() == straddlers["Code"].tolist()
    assert not page.errors


def test_place_card_downloads_as_one_pdf_page_and_xlsx(server, page):
    pypdf = pytest.importorskip("pypdf")
    open_section(page, server, "vintage=2022&ics=QGH&section=Place+cards", "6. Place cards")
    wait_for_charts(page, SLOW)
    page.screenshot(path=ARTIFACTS / "boundaries_QGH_card.png")

    pdf = pypdf.PdfReader(download(page, "PDF"))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Herefordshire: boundary alignment card" in text
    assert "North & West Herefordshire PCN" in text

    book = pd.read_excel(download(page, "XLSX", 0), sheet_name=None)
    assert list(book) == ["Card", "Units", "About"]
    assert book["Card"].set_index("Item").loc["Place", "Value"] == "Herefordshire"
    assert not page.errors


def test_flow_map_draws_offline(server, page):
    open_section(page, server, "vintage=2022&ics=QRV&section=Flows", "4. Cross-boundary flows")
    wait_for_charts(page, SLOW)
    flow_map = page.locator(".js-plotly-plot", has=page.locator(".trace.choropleth")).first
    assert flow_map.locator(".geo").first.bounding_box()["width"] > 400
    assert flow_map.locator(".trace.choropleth path").count() > 10  # one per LSOA
    assert "flow=icb" in page.url
    page.screenshot(path=ARTIFACTS / "boundaries_QRV_flows.png")
    assert not page.errors
    assert page.external == [], f"the map asked the internet for {page.external[:3]}"
