"""Presentation mode in headless Chromium: large type, no controls, keyboard navigation,
the offline map slide, exit, and the deck download.
"""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlparse

import pytest

from tests.browser_harness import link_params, wait_for_charts, wait_for_page
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1600, 1000)


def test_tiers_link_opens_the_tiers_slide_full_screen(server, page):
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH&present=1")
    wait_for_page(page)
    page.wait_for_selector("h1:has-text('Population tiers: unit sizes and people at risk')")
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "present_tiers_QGH.png")
    # Controls are hidden: no sidebar (ICS selector), no header toolbar.
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    # Large type, black on white.
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] p')]
             .filter(p => p.offsetParent !== null && p.innerText.trim())
             .map(p => parseFloat(getComputedStyle(p).fontSize))"""
    )
    assert sizes and min(sizes) >= 28, sizes
    takeaway = page.locator(".st-key-takeaway p").first
    assert "7 of 15 PCNs are above 50,000 patients" in takeaway.inner_text()
    assert takeaway.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    assert page.locator("text=Slide 3 of 6").count() == 1
    assert link_params(page) == {"ics": "QGH", "present": "1", "vintage": "2022"}
    assert not page.errors


def test_keyboard_moves_through_the_slides(server, page):
    page.goto(f"{server}/tiers?vintage=2022&ics=QGH&present=1")
    wait_for_page(page)
    # Tab reaches the Next button, and Enter presses it.
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.innerText || ''")
        if label.startswith("Next"):
            break
    else:
        pytest.fail("Tab never reached the Next button")
    focus_ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert focus_ring == "6px"
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Sharing the budget')", timeout=90_000)
    assert link_params(page)["slide"] == "allocation"
    # Presenter clickers send Page Up / Page Down.
    page.locator("h1").click()
    page.keyboard.press("PageDown")
    page.wait_for_selector("h1:has-text('The deprivation gap')", timeout=90_000)
    page.keyboard.press("PageUp")
    page.wait_for_selector("h1:has-text('Sharing the budget')", timeout=90_000)
    assert link_params(page) == {
        "ics": "QGH",
        "present": "1",
        "slide": "allocation",
        "vintage": "2022",
    }
    assert not page.errors


def test_map_slide_draws_offline(server, page):
    page.goto(f"{server}/overview?vintage=2022&ics=QRV&present=1&slide=map")
    wait_for_charts(page, 90_000)
    page.wait_for_selector("h1:has-text('Where deprivation is in North West London')")
    page.screenshot(path=ARTIFACTS / "present_map_QRV.png")
    assert page.external == [], page.external[:3]
    assert not page.errors


def test_bad_slide_in_link_warns_and_exit_returns_to_the_page(server, page):
    page.goto(f"{server}/boundaries?vintage=2022&ics=QWU&present=1&slide=nope")
    wait_for_page(page)
    page.wait_for_selector("text=which this page cannot show", timeout=60_000)
    page.wait_for_selector("h1:has-text('How PCNs fit council boundaries')")
    page.get_by_role("button", name="Exit presentation").click()
    page.wait_for_function("() => !location.search.includes('present')", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('h1').innerText.includes('How PCNs fit')", timeout=90_000
    )
    wait_for_page(page)
    page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=30_000)
    page.screenshot(path=ARTIFACTS / "present_exit_QWU.png")
    assert link_params(page)["ics"] == "QWU" and "slide" not in link_params(page)
    assert urlparse(page.url).path.endswith("/boundaries")


def test_deck_builds_with_progress_and_downloads(server, page):
    page.goto(f"{server}/overview?vintage=2022&ics=QWU&present=1")
    wait_for_page(page)
    # The deck folds away on screen: open it first.
    page.get_by_text("Slide deck (PowerPoint and PDF)", exact=True).click()
    page.get_by_role("button", name="Build the slide deck (PowerPoint and PDF)").click()
    page.wait_for_selector('[data-testid="stProgress"]', timeout=60_000)
    page.wait_for_selector("text=Slide deck ready", timeout=240_000)
    with page.expect_download(timeout=60_000) as pptx_info:
        page.get_by_role("button", name="Download PowerPoint (.pptx)").click()
    pptx = pptx_info.value
    assert pptx.suggested_filename.endswith(".pptx")
    with zipfile.ZipFile(io.BytesIO(open(pptx.path(), "rb").read())) as archive:
        slides = [n for n in archive.namelist() if n.startswith("ppt/slides/slide")]
        assert len([n for n in slides if n.endswith(".xml")]) == 6
    with page.expect_download(timeout=60_000) as pdf_info:
        page.get_by_role("button", name="Download PDF").click()
    assert open(pdf_info.value.path(), "rb").read(5) == b"%PDF-"
    assert not page.errors


#: The page's height beyond the window, in CSS pixels, that still counts as no scroll.
SCROLL_TOLERANCE = 2


@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(1440, 900, marks=pytest.mark.viewport(1440, 900)),
        pytest.param(1920, 1080, marks=pytest.mark.viewport(1920, 1080)),
    ],
)
def test_every_slide_fits_the_screen_and_next_lands_at_the_top(server, page, width, height):
    """Each of the six slides fits the window without scrolling; Next lands at the top."""
    from layers.slides import SLIDE_KEYS, SLIDE_TITLES

    shots = ARTIFACTS / f"present_fit_{width}x{height}"
    shots.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/overview?ics=QGH&present=1")
    for number, key in enumerate(SLIDE_KEYS):
        page.wait_for_selector(
            f"text=Slide {number + 1} of {len(SLIDE_KEYS)}: {SLIDE_TITLES[key]}", timeout=120_000
        )
        wait_for_page(page)
        wait_for_charts(page, 120_000)
        page.wait_for_timeout(500)  # the figure resizes to its box once drawn
        page.screenshot(path=shots / f"{number + 1}_{key}.png")
        size = page.evaluate(
            """() => ({scroll: document.scrollingElement.scrollHeight,
                       window: window.innerHeight, y: window.scrollY,
                       main: document.querySelector('[data-testid="stMain"]').scrollHeight,
                       figure: document.querySelector('.st-key-slide_figure_box')
                                       .getBoundingClientRect().height})"""
        )
        assert size["window"] == height
        assert size["scroll"] <= height + SCROLL_TOLERANCE, (key, size)
        assert size["main"] <= height + SCROLL_TOLERANCE, (key, size)
        assert size["y"] == 0, (key, size)
        # The figure has real room, not a sliver squeezed out by the text around it.
        assert size["figure"] >= 0.3 * height, (key, size)
        # The Next button is on screen, above the fold.
        box = page.get_by_role("button", name=re.compile("^Next")).bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, (key, box)
        if number + 1 < len(SLIDE_KEYS):
            page.get_by_role("button", name=re.compile("^Next")).click()
            page.wait_for_function(
                f"() => location.search.includes('slide={SLIDE_KEYS[number + 1]}')",
                timeout=60_000,
            )
            assert page.evaluate("() => window.scrollY") == 0
