"""The dashboard's single router: page config, the shared sidebar and navigation.

Run with ``python -m dashboard`` (or ``streamlit run dashboard/app.py`` from the
repository root, which reads the same ``streamlit_config.toml`` through
``.streamlit/config.toml``). If the settings in force differ, the router says so.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st

# Streamlit puts the script's folder on sys.path; the repository root is needed too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import layers
from dashboard import loaders
from dashboard.__main__ import CONFIG_PATH, differing_settings
from dashboard.common import DEFAULT_ICS
from dashboard.page_specs import PAGE_SPECS, PAGES_DIR

#: Query parameters every page shares; pages add their own (e.g. colour on /map).
SHARED_PARAMS = ("ics", "places", "present", "bands")
log = logging.getLogger("ics_planner")

st.set_page_config(
    page_title="ICS Population Planner",
    layout="wide",
    initial_sidebar_state="expanded",
)


@st.cache_resource(show_spinner=False)
def _settings_check() -> tuple[str, ...]:
    """Once per server: create the static folder, compare the settings with the file."""
    loaders.STATIC_DIR.mkdir(exist_ok=True)
    differences = tuple(differing_settings(st.get_option))
    if differences:
        log.warning(
            "Settings in force differ from %s: %s. Launch with `python -m dashboard`.",
            CONFIG_PATH.name,
            "; ".join(differences),
        )
    return differences


_settings_differences = _settings_check()

# A page is routed once its file exists in views/.
pages = [
    st.Page(PAGES_DIR / f, title=t, icon=i, url_path=u)
    for f, t, i, u in PAGE_SPECS
    if (PAGES_DIR / f).exists()
]


def _home() -> None:
    # Streamlit serves the default page at "/" whatever its url_path, so "/" is a
    # redirect and Overview keeps its own /overview address.
    st.switch_page(pages[0], query_params=dict(st.query_params))


page = st.navigation(
    [st.Page(_home, title="Home", url_path="home", default=True), *pages], position="hidden"
)

systems = loaders.systems()
codes = systems["icb_code"].tolist()
names = dict(zip(systems["icb_code"], systems["icb_name"], strict=True))

# The URL is the source of truth on first load, so a shared link reopens the same view.
if "ics" not in st.session_state:
    requested = st.query_params.get("ics", DEFAULT_ICS)
    try:
        st.session_state["ics"] = layers.resolve_ics(requested)
    except ValueError:
        st.session_state["ics"] = DEFAULT_ICS
        st.session_state["bad_ics_link"] = requested

code = st.session_state["ics"]
default_definition = loaders.default_place_definition(code)
place_options = [
    d for d in ("preset", "utla", "ltla") if d != "preset" or default_definition == "preset"
]
if st.session_state.get("place_definition") not in place_options:
    requested_places = st.query_params.get("places")
    st.session_state["place_definition"] = (
        requested_places if requested_places in place_options else default_definition
    )
place_definition = st.session_state["place_definition"]

st.query_params["ics"] = code
if place_definition == default_definition:
    st.query_params.pop("places", None)
else:
    st.query_params["places"] = place_definition


# The sidebar's heading goes first, so the sidebar takes its width before any chart is
# drawn: a chart that is resized while it draws can keep redrawing (the England map did).
st.sidebar.markdown("### ICS Population Planner")
sidebar_body = st.sidebar.container()


def sidebar() -> None:
    """The shared sidebar's body: page links, the ICS selector, the place definition.

    It is drawn after the page: its widgets' values are already in session state, and
    the page's content (above all its map) then reaches the browser first.
    """
    with sidebar_body:
        # Links carry the view's state, so opening one in a new tab keeps the same ICS.
        shared = {k: v for k, v in st.query_params.items() if k in SHARED_PARAMS}
        for target in pages:
            st.page_link(target, query_params=shared)
        st.divider()
        st.selectbox(
            "Integrated Care System (type a name or code)",
            codes,
            key="ics",
            format_func=lambda c: f"{names[c]} ({c})",
            help="England's 42 ICSs, as Integrated Care Boards at 1 July 2022.",
        )
        st.radio(
            "Places are",
            place_options,
            key="place_definition",
            format_func=lambda d: {
                "preset": "Named in the ICS's papers",
                "utla": "Upper-tier authorities",
                "ltla": "Lower-tier districts",
            }[d],
            help="Which local units count as 'places'. Every page says which is in use.",
        )
        st.caption(f"Data: {layers.DATA_VINTAGE}.")


# Not on the "/" redirect, or the message would vanish with it.
if "bad_ics_link" in st.session_state and page.title != "Home":
    st.warning(
        f"The link asked for ICS {st.session_state.pop('bad_ics_link')!r}, which is not one "
        f"of England's 42 ICB codes; showing {names[DEFAULT_ICS]} ({DEFAULT_ICS}) instead."
    )


presenting = st.query_params.get("present") == "1"
if not presenting and not st.session_state.get("settings_notice_shown"):
    # Once per session: say why maps load slowly, or what else differs, and the fix.
    st.session_state["settings_notice_shown"] = True
    if not loaders.static_serving():
        st.info(
            "Static file serving is off, so maps carry their geometry inline and load more "
            "slowly. Start the dashboard with `python -m dashboard` (or `streamlit run "
            "dashboard/app.py` from the repository folder) to use the project's settings."
        )
    elif _settings_differences:
        st.info(
            "This server runs with settings that differ from streamlit_config.toml ("
            + "; ".join(_settings_differences)
            + "). Start it with `python -m dashboard` to use the project's settings."
        )

# The server keeps a bounded number of uploaded groupings: a session whose grouping has
# gone registers it again from its own uploads, or is told to upload it again.
grouping_digest = st.session_state.get("grouping_digest")
if grouping_digest and not loaders.grouping_available(grouping_digest):
    held_uploads = st.session_state.get("uploads")
    grouping = held_uploads.get("place_groupings") if held_uploads is not None else None
    if grouping is not None:
        st.session_state["grouping_digest"] = loaders.register_grouping(grouping)
    else:
        st.session_state.pop("grouping_digest")
        st.warning(
            "Your uploaded place groupings are no longer held by the server, so pages use "
            "the sidebar's place definition. Upload them again on the Your data page."
        )

uploads = st.session_state.get("uploads")
if uploads is not None and uploads.kinds and not presenting:
    held = ", ".join(k.replace("_", " ") for k in uploads.kinds)
    applies = st.session_state.get("uploads_ics") == code
    st.info(
        f"Uploaded data in use this session: {held}"
        + ("." if applies else f" (for {st.session_state.get('uploads_ics')}, not this ICS).")
        + " Manage or clear it on the Your data page.",
    )
try:
    if presenting:
        # Presentation mode replaces the page with a slide sequence starting at it.
        from dashboard.presentation import run_presentation

        run_presentation(start=page.url_path or "overview")
    else:
        page.run()
except Exception:  # Streamlit's own rerun/stop signals are BaseExceptions and pass through.
    log.exception("Page %s failed for ICS %s", page.title, code)
    st.error(
        f"Sorry, the {page.title} page could not be drawn for {names[code]} ({code}). "
        "The problem has been logged; try another ICS or place definition."
    )
finally:
    # Every run must draw the widgets, or Streamlit forgets their state.
    sidebar()
