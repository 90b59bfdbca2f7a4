"""The slide deck: open the PowerPoint and the PDF and check what a committee gets.

Figures are rendered by kaleido through Debian Chromium; in CI (CI=true) a missing
browser is a failure, elsewhere these tests are skipped.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image

import layers
from layers import slides
from layers.deck import (
    SLIDE_HEIGHT_PX,
    SLIDE_WIDTH_PX,
    build_deck,
    build_pdf,
    build_pptx,
    footer_lines,
    slide_page_figure,
)
from tests.browser_harness import chromium_available
from tests.conftest import ARTIFACTS, IN_CI

pptx = pytest.importorskip("pptx")
pypdf = pytest.importorskip("pypdf")

if not chromium_available():
    if IN_CI:
        raise RuntimeError("CI=true but Chromium is missing: kaleido needs it for the deck")
    pytest.skip("Debian chromium is not installed", allow_module_level=True)


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def qgh_deck():
    built = slides.build_slides(layers.load_system("QGH", detail="light", vintage="2022"))
    progress = []
    deck = build_deck(built, progress=lambda done, message: progress.append((done, message)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "deck_QGH.pptx").write_bytes(deck.pptx)
    (ARTIFACTS / "deck_QGH.pdf").write_bytes(deck.pdf)
    return built, deck, progress


def test_pptx_has_one_slide_per_view_with_title_takeaway_picture_and_footer(qgh_deck):
    built, deck, _ = qgh_deck
    presentation = pptx.Presentation(io.BytesIO(deck.pptx))
    assert len(presentation.slides) == len(built) == 6
    assert presentation.slide_width / presentation.slide_height == pytest.approx(16 / 9, 0.01)
    for slide, page in zip(built, presentation.slides, strict=True):
        assert page.shapes.title.text == slide.title
        pictures = [s for s in page.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1
        image = Image.open(io.BytesIO(pictures[0].image.blob))
        assert image.width >= 1500 and image.height >= 600
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == slide.alt_text
        text = "\n".join(s.text_frame.text for s in page.shapes if s.has_text_frame)
        assert slide.takeaway in text
        assert f"Scenario: {slide.scenario_name}" in text
        assert f"Data: {slide.data_date}" in text
        assert "Open Government Licence v3.0" in text
        assert f"Source: {slide.source}" in text
        for note in slide.notes:
            assert note in text
    assert presentation.core_properties.title == built[0].deck_title


def test_pdf_has_the_same_slides_with_images_and_searchable_takeaways(qgh_deck):
    built, deck, _ = qgh_deck
    reader = pypdf.PdfReader(io.BytesIO(deck.pdf))
    assert len(reader.pages) == 6
    for slide, page in zip(built, reader.pages, strict=True):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width / height == pytest.approx(16 / 9, 0.01)
        assert len(page.images) >= 1
        text = _normal(page.extract_text())
        assert _normal(slide.title) in text
        assert _normal(slide.takeaway) in text
        assert "Open Government Licence v3.0" in text
        assert _normal(f"Scenario: {slide.scenario_name}") in text
    assert reader.metadata.title == built[0].deck_title


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_pdf_pages_render_to_pictures(qgh_deck, tmp_path):
    _, deck, _ = qgh_deck
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(deck.pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 6
    for path in pages:
        image = Image.open(path).convert("L")
        assert image.width / image.height == pytest.approx(16 / 9, 0.02)
        # Not blank: a real page has dark text and a drawn figure.
        histogram = image.histogram()
        dark = sum(histogram[:100]) / (image.width * image.height)
        assert 0.005 < dark < 0.6, path.name
    shutil.copy(pages[0], ARTIFACTS / "deck_QGH_page1.png")


def test_progress_rises_to_one(qgh_deck):
    _, deck, progress = qgh_deck
    fractions = [f for f, _ in progress]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and fractions[0] == 0.0
    assert any("slide 6 of 6" in m for _, m in progress)
    assert deck.seconds > 0


def test_separate_builders_match_and_accept_images():
    small = [slides.example_slide(), slides.example_slide()]
    pptx_bytes = build_pptx(small)  # draws its own figures
    presentation = pptx.Presentation(io.BytesIO(pptx_bytes))
    assert len(presentation.slides) == 2
    # The PDF from the PowerPoint's own pictures: nothing is drawn twice.
    pictures = [
        s.image.blob for page in presentation.slides for s in page.shapes if s.shape_type == 13
    ]
    assert len(pictures) == 2
    assert len(pypdf.PdfReader(io.BytesIO(build_pdf(small, images=pictures))).pages) == 2
    with pytest.raises(ValueError, match="2 PNG"):
        build_pptx(small, images=[b"png"])


def test_builders_validate_their_input():
    with pytest.raises(ValueError, match="empty"):
        build_pptx([])
    with pytest.raises(TypeError, match="Slide"):
        build_pdf([object()])
    with pytest.raises(TypeError, match="progress"):
        build_pptx([slides.example_slide()], progress="yes")
    with pytest.raises(ValueError, match="PNG"):
        slide_page_figure(slides.example_slide(), b"")


def test_page_figure_is_16_by_9_with_the_footer():
    page = slide_page_figure(slides.example_slide(), b"\x89PNG", 2, 6)
    assert (page.layout.width, page.layout.height) == (SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX)
    texts = " ".join(a.text for a in page.layout.annotations).replace("<br>", " ")
    first, licence = footer_lines(slides.example_slide(), 2, 6)
    assert "Slide 2 of 6" in first and _normal(first) in _normal(texts)
    assert _normal(licence) in _normal(texts)
