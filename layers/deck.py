"""Slide decks for scrutiny committees and boards: PowerPoint and PDF from the same slides.

Each slide (:class:`layers.slides.Slide`) becomes one 16:9 page with its title, its
one-line takeaway, its figure as an image, and a footer naming the source, the data
date, the Open Government Licence attribution and the scenario.

Figures are rendered by kaleido through Debian's Chromium (``/usr/bin/chromium``), all
in one browser session, so a six-slide deck needs one browser start. The PDF is made of
one kaleido ``format="pdf"`` page per slide, each a plain plotly figure carrying the
rendered image and the slide's text as real (searchable, selectable) text, joined into
one file with ``pypdf``. Both builders take a ``progress`` callback, called in the
caller's thread as ``progress(fraction_done, message)``.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import textwrap
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import plotly.graph_objects as go

from layers.maps import OFFLINE_TOPOJSON_URL
from layers.slides import Slide

__all__ = [
    "FIGURE_HEIGHT_PX",
    "FIGURE_WIDTH_PX",
    "SLIDE_HEIGHT_PX",
    "SLIDE_WIDTH_PX",
    "Deck",
    "FigureRenderer",
    "build_deck",
    "build_pdf",
    "build_pptx",
    "footer_lines",
    "slide_page_figure",
]

#: PDF page size in CSS pixels (96 per inch): 16:9, 16.7 in x 9.4 in.
SLIDE_WIDTH_PX = 1600
SLIDE_HEIGHT_PX = 900
#: Size at which a slide's figure is rendered (then scaled by 1.5: 2250 px wide, ~180 dpi).
FIGURE_WIDTH_PX = 1500
FIGURE_HEIGHT_PX = 620
_SCALE = 1.5
# PowerPoint geometry, in inches, on a 13.333 x 7.5 in (16:9) slide.
_PPT_WIDTH, _PPT_HEIGHT = 13.333, 7.5
_PPT_MARGIN = 0.45
_PPT_FIGURE_TOP = 1.6
_PPT_FOOTER_TOP = 6.4
_TEXT_COLOUR = (0x21, 0x2B, 0x32)  # NHS Black, 15.4:1 on white
_MUTED_COLOUR = (0x42, 0x55, 0x63)  # NHS Dark Grey, 7.6:1 on white
_ACCENT_COLOUR = (0x00, 0x5E, 0xB8)  # NHS Blue

Progress = Callable[[float, str], None]
_T = TypeVar("_T")


def _check_slides(slides: Sequence[Slide]) -> list[Slide]:
    if isinstance(slides, Slide) or not isinstance(slides, Sequence):
        raise TypeError("slides must be a list of Slide objects")
    slides = list(slides)
    if not slides:
        raise ValueError("slides is empty; a deck needs at least one slide")
    bad = [i for i, s in enumerate(slides) if not isinstance(s, Slide)]
    if bad:
        raise TypeError(f"slides[{bad[0]}] is not a Slide (from layers.slides)")
    return slides


def _check_progress(progress: Progress | None) -> Progress:
    if progress is None:
        return lambda fraction, message: None
    if not callable(progress):
        raise TypeError("progress must be a callable taking (fraction, message), or None")
    return progress


def _check_images(images: Sequence[bytes] | None, n: int) -> list[bytes] | None:
    if images is None:
        return None
    images = list(images)
    if len(images) != n or not all(isinstance(i, bytes | bytearray) for i in images):
        raise ValueError(f"images must be {n} PNG byte strings, one per slide")
    return images


def _check_inputs(
    slides: Sequence[Slide], progress: Progress | None, images: Sequence[bytes] | None = None
) -> tuple[list[Slide], Progress, list[bytes] | None]:
    """The arguments every builder takes, checked: slides, a progress callback, images."""
    slides = _check_slides(slides)
    return slides, _check_progress(progress), _check_images(images, len(slides))


def footer_lines(slide: Slide, number: int | None = None, total: int | None = None) -> list[str]:
    """The footer every slide carries: source, data date, scenario, then the licence.

    Parameters
    ----------
    slide : Slide
        The slide.
    number, total : int, optional
        Slide number and count, shown as ``"3 / 6"`` when both are given.

    Returns
    -------
    list of str
        Two lines.

    Examples
    --------
    >>> from layers.slides import example_slide
    >>> first, second = footer_lines(example_slide(), 1, 6)
    >>> first.startswith("Source: Toy source. Data: Toy date. Scenario: Toy scenario.")
    True
    >>> "Open Government Licence" in second
    True
    """
    if not isinstance(slide, Slide):
        raise TypeError(f"slide must be a Slide, got {type(slide).__name__}")
    first = f"Source: {slide.source}. Data: {slide.data_date}. Scenario: {slide.scenario_name}."
    if number is not None and total is not None:
        first += f"   Slide {number} of {total}"
    return [first, slide.attribution]


# --------------------------------------------------------------------------- rendering


class FigureRenderer:
    """One kaleido browser session that renders plotly figures to bytes.

    Kaleido is asynchronous; the session runs on an event loop in a private thread,
    and :meth:`render` blocks the caller until a figure is done, so callers (such as a
    Streamlit script) can report progress between figures from their own thread.

    Use as a context manager::

        with FigureRenderer() as renderer:
            png = renderer.render(figure, "png", 1500, 620)
    """

    def __init__(self, timeout: float = 120.0, tabs: int = 2) -> None:
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if isinstance(tabs, bool) or not isinstance(tabs, int) or tabs < 1:
            raise ValueError(f"tabs must be a whole number of at least 1, got {tabs!r}")
        self._timeout = float(timeout)
        self._tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    def _call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("FigureRenderer is not open; use it in a with block")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __enter__(self) -> FigureRenderer:
        import kaleido

        from layers.export import chromium_path, export_unavailable_reason

        browser = chromium_path()
        if browser is None:
            raise RuntimeError(export_unavailable_reason())
        # kaleido would otherwise look for (or try to download) a Chrome of its own.
        os.environ.setdefault("BROWSER_PATH", str(browser))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="deck-kaleido", daemon=True
        )
        self._thread.start()

        async def _open() -> Any:
            # mathjax=False: no LaTeX in these figures, and no request for it online.
            session = kaleido.Kaleido(n=self._tabs, timeout=self._timeout, mathjax=False)
            await session.open()
            return session

        try:
            self._kaleido = self._call(_open())
        except BaseException:
            self._stop_loop()
            raise
        return self

    def render(
        self, figure: go.Figure, fmt: str, width: int, height: int, scale: float = _SCALE
    ) -> bytes:
        """Render one figure as ``png``, ``svg`` or ``pdf`` bytes."""
        if not isinstance(figure, go.Figure):
            raise TypeError(f"figure must be a plotly Figure, got {type(figure).__name__}")
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"Unknown format {fmt!r}; choose 'png', 'svg' or 'pdf'.")
        options = {"format": fmt, "width": int(width), "height": int(height), "scale": scale}
        return bytes(
            self._call(self._kaleido.calc_fig(figure, opts=options, topojson=OFFLINE_TOPOJSON_URL))
        )

    def render_many(
        self,
        figures: Sequence[go.Figure],
        fmt: str,
        width: int,
        height: int,
        scale: float = _SCALE,
        done: Callable[[int], None] | None = None,
    ) -> list[bytes]:
        """Render figures concurrently (one per browser tab), returned in order.

        ``done(i)`` is called in the caller's thread as figure ``i`` is collected.
        """
        if self._loop is None:
            raise RuntimeError("FigureRenderer is not open; use it in a with block")
        for figure in figures:
            if not isinstance(figure, go.Figure):
                raise TypeError(f"figure must be a plotly Figure, got {type(figure).__name__}")
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"Unknown format {fmt!r}; choose 'png', 'svg' or 'pdf'.")
        options = {"format": fmt, "width": int(width), "height": int(height), "scale": scale}
        futures = [
            asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(figure, opts=options, topojson=OFFLINE_TOPOJSON_URL),
                self._loop,
            )
            for figure in figures
        ]
        out = []
        for i, future in enumerate(futures):
            out.append(bytes(future.result()))
            if done is not None:
                done(i)
        return out

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=30)
            self._loop.close()
        self._loop = None
        self._thread = None

    def __exit__(self, *exc: object) -> None:
        try:
            if self._kaleido is not None:
                self._call(self._kaleido.close())
        finally:
            self._kaleido = None
            self._stop_loop()


def _render_images(
    renderer: FigureRenderer, slides: list[Slide], progress: Progress, share: float
) -> list[bytes]:
    """PNG of each slide's figure, reporting progress over ``[0, share]``."""
    n = len(slides)
    progress(0.0, f"Drawing slide 1 of {n}: {slides[0].title}")
    return renderer.render_many(
        [slide.figure for slide in slides],
        "png",
        FIGURE_WIDTH_PX,
        FIGURE_HEIGHT_PX,
        done=lambda i: progress(
            share * (i + 1) / n,
            f"Drawing slide {i + 2} of {n}: {slides[i + 1].title}"
            if i + 1 < n
            else "Figures drawn",
        ),
    )


def _render_pages(
    renderer: FigureRenderer,
    slides: list[Slide],
    images: list[bytes],
    progress: Progress,
    start: float,
    share: float,
) -> list[bytes]:
    """One PDF page per slide, reporting progress over ``[start, start + share]``."""
    n = len(slides)
    progress(start, f"PDF page 1 of {n}")
    return renderer.render_many(
        [
            slide_page_figure(slide, image, i + 1, n)
            for i, (slide, image) in enumerate(zip(slides, images, strict=True))
        ],
        "pdf",
        SLIDE_WIDTH_PX,
        SLIDE_HEIGHT_PX,
        1,
        done=lambda i: progress(start + share * (i + 1) / n, f"PDF page {i + 1} of {n} laid out"),
    )


# --------------------------------------------------------------------------- PowerPoint


def build_pptx(
    slides: Sequence[Slide],
    progress: Progress | None = None,
    images: Sequence[bytes] | None = None,
) -> bytes:
    """Build a 16:9 PowerPoint deck, one slide per :class:`~layers.slides.Slide`.

    Each slide has a real title (so screen readers and PowerPoint's outline see it),
    the takeaway, the figure as a picture with alternative text, and the footer of
    :func:`footer_lines`.

    Parameters
    ----------
    slides : sequence of Slide
        The slides, in order.
    progress : callable, optional
        Called as ``progress(fraction_done, message)``.
    images : sequence of bytes, optional
        Pre-rendered PNG of each slide's figure (as :func:`build_deck` passes); by
        default the figures are rendered here.

    Returns
    -------
    bytes
        The ``.pptx`` file.

    Raises
    ------
    TypeError, ValueError
        If ``slides`` is not a non-empty list of slides, or ``images`` does not match.
    """
    slides, report, images = _check_inputs(slides, progress, images)
    if images is None:
        with FigureRenderer() as renderer:
            images = _render_images(renderer, slides, report, 0.8)
    report(0.85, "Writing the PowerPoint file")
    data = _pptx_bytes(slides, images)
    report(1.0, "PowerPoint ready")
    return data


def _pptx_bytes(slides: list[Slide], images: list[bytes]) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width = Inches(_PPT_WIDTH)
    deck.slide_height = Inches(_PPT_HEIGHT)
    title_only = deck.slide_layouts[5]
    width = _PPT_WIDTH - 2 * _PPT_MARGIN
    for number, (slide, image) in enumerate(zip(slides, images, strict=True), start=1):
        page = deck.slides.add_slide(title_only)
        title = page.shapes.title
        title.left, title.top = Inches(_PPT_MARGIN), Inches(0.3)
        title.width, title.height = Inches(width), Inches(0.75)
        title.text = slide.title
        paragraph = title.text_frame.paragraphs[0]
        paragraph.alignment = 1  # left
        paragraph.font.size = Pt(32)
        paragraph.font.bold = True
        paragraph.font.color.rgb = RGBColor(*_ACCENT_COLOUR)

        box = page.shapes.add_textbox(Inches(_PPT_MARGIN), Inches(1.0), Inches(width), Inches(0.55))
        box.name = "Takeaway"
        box.text_frame.word_wrap = True
        box.text_frame.text = slide.takeaway
        box.text_frame.paragraphs[0].font.size = Pt(22)
        box.text_frame.paragraphs[0].font.color.rgb = RGBColor(*_TEXT_COLOUR)

        height = _PPT_FOOTER_TOP - _PPT_FIGURE_TOP - 0.08
        fit_width = min(width, height * FIGURE_WIDTH_PX / FIGURE_HEIGHT_PX)
        picture = page.shapes.add_picture(
            io.BytesIO(image),
            Inches(_PPT_MARGIN + (width - fit_width) / 2),
            Inches(_PPT_FIGURE_TOP),
            width=Inches(fit_width),
        )
        picture.name = "Figure"
        picture._element.nvPicPr.cNvPr.set("descr", slide.alt_text)

        footer = page.shapes.add_textbox(
            Inches(_PPT_MARGIN),
            Inches(_PPT_FOOTER_TOP),
            Inches(width),
            Inches(_PPT_HEIGHT - _PPT_FOOTER_TOP - 0.05),
        )
        footer.name = "Footer"
        footer.text_frame.word_wrap = True
        source, licence = footer_lines(slide, number, len(slides))
        lines = [(note, 10, _TEXT_COLOUR) for note in slide.notes]
        lines += [(source, 9, _MUTED_COLOUR), (licence, 8, _MUTED_COLOUR)]
        for i, (line, size, colour) in enumerate(lines):
            paragraph = (
                footer.text_frame.paragraphs[0] if i == 0 else footer.text_frame.add_paragraph()
            )
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.font.color.rgb = RGBColor(*colour)
    deck.core_properties.title = slides[0].deck_title
    deck.core_properties.author = "ICS Population Planner"
    deck.core_properties.subject = f"Scenario: {slides[0].scenario_name}"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF


def _wrap(text: str, width: int) -> str:
    """Break text into lines of at most ``width`` characters, joined by ``<br>``.

    Examples
    --------
    >>> _wrap("one two three", 8)
    'one two<br>three'
    """
    return "<br>".join(textwrap.wrap(text, width)) or text


def slide_page_figure(
    slide: Slide, image: bytes, number: int | None = None, total: int | None = None
) -> go.Figure:
    r"""One 16:9 PDF page as a plotly figure: the slide's text and its rendered figure.

    Parameters
    ----------
    slide : Slide
        The slide.
    image : bytes
        PNG of the slide's figure.
    number, total : int, optional
        Slide number and count for the footer.

    Returns
    -------
    plotly.graph_objects.Figure
        ``SLIDE_WIDTH_PX`` x ``SLIDE_HEIGHT_PX``, no axes; text as annotations.

    Examples
    --------
    >>> from layers.slides import example_slide
    >>> page = slide_page_figure(example_slide(), b"\x89PNG", 1, 6)
    >>> [a.text for a in page.layout.annotations][:2]
    ['Toy title', 'Toy takeaway']
    >>> page.layout.width, page.layout.height
    (1600, 900)
    """
    if not isinstance(slide, Slide):
        raise TypeError(f"slide must be a Slide, got {type(slide).__name__}")
    if not isinstance(image, bytes | bytearray) or not image:
        raise ValueError("image must be non-empty PNG bytes")
    left = 0.035
    lines = footer_lines(slide, number, total)
    licence = textwrap.wrap(lines[1], 240)
    source = textwrap.wrap(lines[0], 185)
    notes = textwrap.wrap(" ".join(slide.notes), 185)
    # Text blocks stacked up from the bottom edge, in pixels: (lines, size, colour, bold).
    # Plotly does not wrap text, so lines are wrapped here (Arial: about 0.5 em a glyph).
    blocks = [(licence, 12, "#425563"), (source, 15, "#425563"), (notes, 15, "#212B32")]
    y = 8.0
    placed = []
    for block, size, colour in blocks:
        if block:
            placed.append(("<br>".join(block), y, size, colour))
            y += len(block) * size * 1.3 + 6
    top_px = 165.0
    figure = go.Figure()
    figure.add_layout_image(
        source="data:image/png;base64," + base64.b64encode(bytes(image)).decode("ascii"),
        xref="paper",
        yref="paper",
        x=0.5,
        y=1 - top_px / SLIDE_HEIGHT_PX,
        sizex=1 - 2 * left,
        sizey=(SLIDE_HEIGHT_PX - top_px - y - 8) / SLIDE_HEIGHT_PX,
        xanchor="center",
        yanchor="top",
        sizing="contain",
        layer="above",
    )
    texts = [
        (slide.title, 1 - 45 / SLIDE_HEIGHT_PX, "middle", 40, "#005EB8", True),
        (_wrap(slide.takeaway, 105), 1 - 105 / SLIDE_HEIGHT_PX, "middle", 26, "#212B32", False),
    ]
    texts += [(t, y_px / SLIDE_HEIGHT_PX, "bottom", size, c, False) for t, y_px, size, c in placed]
    for text, y_paper, anchor, size, colour, bold in texts:
        figure.add_annotation(
            text=text,
            xref="paper",
            yref="paper",
            x=left,
            y=y_paper,
            xanchor="left",
            yanchor=anchor,
            showarrow=False,
            align="left",
            font={
                "size": size,
                "color": colour,
                "family": "Arial, Helvetica, sans-serif",
                "weight": "bold" if bold else "normal",
            },
        )
    figure.update_layout(
        width=SLIDE_WIDTH_PX,
        height=SLIDE_HEIGHT_PX,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False, "range": [0, 1]},
        yaxis={"visible": False, "range": [0, 1]},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    return figure


def build_pdf(
    slides: Sequence[Slide],
    progress: Progress | None = None,
    images: Sequence[bytes] | None = None,
) -> bytes:
    """Build a PDF with one 16:9 page per slide, the same content as :func:`build_pptx`.

    Parameters
    ----------
    slides, progress, images
        As for :func:`build_pptx`, which raises the same errors.

    Returns
    -------
    bytes
        The ``.pdf`` file.
    """
    slides, report, images = _check_inputs(slides, progress, images)
    with FigureRenderer() as renderer:
        start = 0.0
        if images is None:
            images = _render_images(renderer, slides, report, 0.7)
            start = 0.7
        pages = _render_pages(renderer, slides, images, report, start, 0.95 - start)
    data = _join_pdfs(pages, slides[0].deck_title)
    report(1.0, "PDF ready")
    return data


def _join_pdfs(pages: list[bytes], title: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in pages:
        writer.append(PdfReader(io.BytesIO(page)))
    writer.add_metadata({"/Title": title, "/Author": "ICS Population Planner"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- both


@dataclass(frozen=True)
class Deck:
    """A built deck: the PowerPoint and PDF files of the same slides."""

    pptx: bytes
    pdf: bytes
    seconds: float


def build_deck(slides: Sequence[Slide], progress: Progress | None = None) -> Deck:
    """Build the PowerPoint and the PDF together, rendering each figure once.

    Parameters
    ----------
    slides, progress
        As for :func:`build_pptx`; they are checked the same way.

    Returns
    -------
    Deck
        ``pptx`` and ``pdf`` bytes and the build time in seconds.
    """
    import time

    started = time.perf_counter()
    slides, report, _ = _check_inputs(slides, progress)
    with FigureRenderer() as renderer:
        images = _render_images(renderer, slides, report, 0.75)
        pages = _render_pages(renderer, slides, images, report, 0.75, 0.15)
    report(0.92, "Writing the PowerPoint file")
    pptx = _pptx_bytes(slides, images)
    report(0.97, "Writing the PDF file")
    pdf = _join_pdfs(pages, slides[0].deck_title)
    report(1.0, "Deck ready")
    return Deck(pptx=pptx, pdf=pdf, seconds=time.perf_counter() - started)
