"""Presentation mode: the key views of one ICS as slides, for a projector.

The router calls :func:`run_presentation` instead of the page when the URL has
``present=1``. URL contract (shareable, bookmarkable):

* ``present=1`` switches presentation mode on; any other value (or none) is off;
* ``slide=<key>`` picks the slide: ``overview``, ``map``, ``tiers``, ``allocation``,
  ``inequality`` or ``alignment``. Without it, the slide of the page in the URL path is
  shown (``/tiers?present=1`` opens the tiers slide; ``/boundaries`` opens alignment;
  other pages open the overview);
* ``ics`` and ``places`` keep their usual meaning; presentation mode never changes them.

Example: ``/tiers?ics=QGH&present=1`` or ``/overview?ics=QRV&present=1&slide=map``.
The allocation scenario is the one the allocation page keeps in
``st.session_state["allocation_scenario"]`` (JSON text) when it was made for this ICS,
else the allocation page's default scenario.

Next and Previous move through the six slides (also PageDown / PageUp, which presenter
clickers send); Exit presentation drops ``present`` and ``slide`` and returns to the
page. The deck button builds the PowerPoint and PDF of the same slides, with progress.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from dashboard import loaders, risk_source, scaffold
from dashboard.exports import figure_exports_note
from layers.allocation import ScenarioError
from layers.export import export_unavailable_reason, file_stem
from layers.indicators import scenario_text
from layers.maps import OFFLINE_TOPOJSON_URL
from layers.slides import SLIDE_KEYS, SLIDE_TITLES

#: Which slide each page opens on.
PAGE_SLIDES = {
    "overview": "overview",
    "map": "map",
    "tiers": "tiers",
    "allocation": "allocation",
    "inequality": "inequality",
    "boundaries": "alignment",
}

#: Large type (body >= 28 px), black on white, a thick focus ring; controls hidden.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #FFFFFF; }
[data-testid="stMainBlockContainer"] { max-width: 96vw; padding-top: 1.5rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] button, [data-testid="stMain"] a,
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
    font-size: 28px !important; color: #000000 !important; line-height: 1.35;
}
[data-testid="stMain"] h1 { font-size: 56px !important; color: #003087 !important; }
.st-key-takeaway p { font-size: 36px !important; font-weight: 600; color: #000000 !important; }
[data-testid="stMain"] button {
    min-height: 64px; padding: 0.4rem 1.4rem; border: 3px solid #000000;
}
/* The key hint (PageDown) in a button: black on white, now that the buttons are on
   screen and read with the slide. */
[data-testid="stMain"] button kbd {
    color: #000000 !important; background: #FFFFFF !important; opacity: 1 !important;
    font-size: 16px !important; padding: 0 0.3rem; border-radius: 4px;
}
[data-testid="stMain"] button:focus-visible, [data-testid="stMain"] a:focus-visible {
    outline: 6px solid #FFB81C !important; outline-offset: 3px; box-shadow: 0 0 0 9px #000000;
}
/* One screen per slide: the page is a column exactly as high as the window, and the
   figure's box takes what the title, takeaway, notes and buttons leave. Nothing
   scrolls, so Next and Previous always land at the top of the new slide. */
[data-testid="stMainBlockContainer"] {
    height: 100vh; box-sizing: border-box; padding: 0.75rem 2vw 0.5rem !important;
}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {
    height: 100%; flex-wrap: nowrap; gap: 0.5rem;
}
[data-testid="stMain"] h1 { padding: 0 !important; line-height: 1.15; }
.st-key-slide_figure_box {
    flex: 1 1 0 !important; min-height: 200px; height: auto !important; overflow: hidden;
}
.st-key-slide_figure_box > div, .st-key-slide_figure_box [data-testid="stPlotlyChart"] {
    height: 100% !important;
}
</style>
"""
#: The deck download's media type.
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _set_slide(key: str) -> None:
    st.query_params["slide"] = key


def _exit() -> None:
    for name in ("present", "slide"):
        st.query_params.pop(name, None)


def _requested_slide(start: str) -> str:
    requested = st.query_params.get("slide")
    if requested is None:
        return PAGE_SLIDES.get(start, "overview")
    if requested in SLIDE_KEYS:
        return requested
    # The one bad-link rule: the value is quoted, so a link can never inject markdown.
    scaffold.warn_link("the slide", requested, f"the {PAGE_SLIDES.get(start, 'overview')} slide")
    return PAGE_SLIDES.get(start, "overview")


def _scenario(code: str) -> str:
    """The allocation page's scenario for this ICS as canonical JSON, or "" for the default.

    The allocation page keeps its scenario with the ICS it was made for; a scenario made
    for another ICS (its budget is that ICS's) is not used.
    """
    stored = st.session_state.get("allocation_scenario")
    made_for = st.session_state.get("allocation_scenario_ics", code)
    if stored is None or made_for != code:
        return ""
    try:
        return scenario_text(stored)
    except ScenarioError as exc:
        st.warning(
            f"The allocation scenario could not be read ({scaffold.plain(exc)}); using the default."
        )
        return ""


def _risk(ctx: scaffold.PageContext, slide_key: str) -> risk_source.RiskSource:
    """Whose risk tiers a slide shows: the tiers and inequality slides follow the pages."""
    if slide_key not in ("tiers", "inequality"):
        return risk_source.RiskSource()
    return risk_source.choose(ctx, by_place=slide_key == "tiers")


def _file_stem(name: str, code: str) -> str:
    return file_stem(f"{name}_{code}_briefing")


def run_presentation(start: str = "overview") -> None:
    """Draw the current slide with navigation and the deck export.

    Parameters
    ----------
    start : str
        URL path of the page presentation mode was opened from.
    """
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    ctx = scaffold.context()
    code = ctx.code
    key = _requested_slide(start)
    scenario_json = _scenario(code)
    position = SLIDE_KEYS.index(key)
    risk = _risk(ctx, key)
    with st.spinner("Preparing the slide…"):
        try:
            slide = loaders.presentation_slide(
                ctx.key, key, scenario_json, risk.digest, risk.upload
            )
        except ScenarioError as exc:
            st.warning(f"{scaffold.plain(exc)}. Showing the default scenario instead.")
            scenario_json = ""
            slide = loaders.presentation_slide(
                ctx.key, key, scenario_json, risk.digest, risk.upload
            )

    with st.container(key="slide_meta"):
        st.markdown(
            f"Slide {position + 1} of {len(SLIDE_KEYS)}: {SLIDE_TITLES[key]} · "
            f"{slide.ics_name} ICS ({code}) · Scenario: {slide.scenario_name}"
        )
    st.title(slide.title, anchor=False)
    with st.container(key="takeaway"):
        st.markdown(slide.takeaway)
    # The figure fills its box (the window's height less the text around it), however
    # tall the screen; the deck renders the same figure at its own fixed size.
    on_screen = go.Figure(slide.figure).update_layout(height=None, autosize=True)
    with st.container(key="slide_figure_box", height="stretch"):
        st.plotly_chart(
            on_screen,
            height="stretch",
            theme=None,  # the slide's own large, dark type, as in the deck
            config={
                "displaylogo": False,
                "displayModeBar": False,
                "scrollZoom": False,
                "topojsonURL": OFFLINE_TOPOJSON_URL,  # the map slide is an SVG geo map
            },
            key=f"slide_figure_{key}",
        )
    # Notes and sources fold away, so the slide fits one screen; the deck prints them.
    with st.expander("Notes and sources", key="slide_footer"):
        for note in slide.notes:
            st.markdown(note)
        if risk.note:
            st.markdown(risk.note)
        st.markdown(
            f"Places: {ctx.place_label}.  \n"
            f"Source: {slide.source}.  \nData: {slide.data_date}.  \n{ctx.info.sources}"
        )

    previous_key = SLIDE_KEYS[position - 1] if position > 0 else None
    next_key = SLIDE_KEYS[position + 1] if position + 1 < len(SLIDE_KEYS) else None
    with st.container(horizontal=True, key="slide_nav", gap="medium"):
        # Page Up / Page Down step through the slides, as a presentation clicker does.
        steps = (
            ("Previous", previous_key, "PageUp", "secondary", "Page Up"),
            ("Next", next_key, "PageDown", "primary", "Page Down"),
        )
        for word, target, shortcut, kind, key_name in steps:
            st.button(
                f"{word}: {SLIDE_TITLES[target]}" if target else word,
                on_click=_set_slide,
                args=(target,),
                disabled=target is None,
                shortcut=shortcut,
                type=kind,
                key=f"slide_{word.lower()}",
                help=f"{word} slide ({key_name})",
            )
        st.button(
            "Exit presentation",
            on_click=_exit,
            key="slide_exit",
            help="Back to the page, with the sidebar and controls",
        )
    with st.expander("Slide deck (PowerPoint and PDF)", key="slide_deck"):
        _deck_export(ctx, scenario_json)


def _deck_export(ctx: scaffold.PageContext, scenario_json: str) -> None:
    """One click builds the PowerPoint and PDF of the six slides, with progress."""
    from layers.deck import build_deck

    system_key = ctx.key
    risks = {slide_key: _risk(ctx, slide_key) for slide_key in SLIDE_KEYS}
    wanted = (*system_key, scenario_json, *(r.digest for r in risks.values()))
    built = st.session_state.get("presentation_deck")
    missing = export_unavailable_reason()
    if st.button(
        "Build the slide deck (PowerPoint and PDF)",
        key="deck_build",
        help=missing or "Six slides with titles, takeaways, figures, sources and the scenario name",
        disabled=missing is not None,
    ):
        started = time.perf_counter()
        with st.status("Building the slide deck…", expanded=True) as status:
            bar = st.progress(0.0, text="Preparing the slides")
            slides = []
            for i, slide_key in enumerate(SLIDE_KEYS):
                bar.progress(
                    0.25 * i / len(SLIDE_KEYS), text=f"Preparing: {SLIDE_TITLES[slide_key]}"
                )
                risk = risks[slide_key]
                slides.append(
                    loaders.presentation_slide(
                        system_key, slide_key, scenario_json, risk.digest, risk.upload
                    )
                )
            deck = build_deck(
                slides,
                progress=lambda done, message: bar.progress(0.25 + 0.75 * done, text=message),
            )
            seconds = time.perf_counter() - started
            status.update(label=f"Slide deck ready ({seconds:.0f} s)", state="complete")
        built = {
            "key": wanted,
            "pptx": deck.pptx,
            "pdf": deck.pdf,
            "stem": _file_stem(slides[0].ics_name, system_key.code),
        }
        st.session_state["presentation_deck"] = built
    if missing:
        figure_exports_note(missing)
    if built and built.get("key") == wanted:
        with st.container(horizontal=True, key="deck_downloads", gap="medium"):
            files = (
                ("Download PowerPoint (.pptx)", "pptx", PPTX_MIME),
                ("Download PDF", "pdf", "application/pdf"),
            )
            for label, suffix, mime in files:
                st.download_button(
                    label,
                    data=built[suffix],
                    file_name=f"{built['stem']}.{suffix}",
                    mime=mime,
                    key=f"deck_{suffix}",
                    on_click="ignore",
                )
