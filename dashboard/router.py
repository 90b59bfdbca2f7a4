"""The dashboard's single router: page config, the link's shared state, the sidebar.

This is the Streamlit script that every session runs. ``dashboard/app.py`` serves it
(``st.App``, with compressed static files in front): run ``python -m dashboard`` or
``streamlit run dashboard/app.py``, which read the same ``streamlit_config.toml``. If the
settings in force differ, the router says so.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

# Streamlit puts the script's folder on sys.path; the repository root is needed too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import loaders, runlog, scaffold, sidebar
from dashboard.__main__ import CONFIG_PATH, differing_settings
from dashboard.link import pop_warnings, read_link
from dashboard.page_specs import page_paths
from dashboard.state import GROUPING_DIGEST_KEY, UPLOADS_ICS_KEY, UPLOADS_KEY

# This script runs on every rerun: keep one copy of the root on sys.path, not one a run.
while sys.path.count(sys.path[0]) > 1:
    sys.path.remove(sys.path[0])
# The server's own time for this run, for the opt-in run log (dashboard/runlog.py).
_run_started = time.perf_counter()
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
loaders.open_store_at_start()  # once per process: the scenario library's migrations

# Every promised page must exist: a missing file fails here, it never drops out quietly.
pages = [st.Page(path, title=t, url_path=u) for path, t, u in page_paths()]


def _home() -> None:
    # Streamlit serves the default page at "/" whatever its url_path, so "/" is a
    # redirect and Overview keeps its own /overview address.
    st.switch_page(pages[0], query_params=dict(st.query_params))


page = st.navigation(
    [st.Page(_home, title="Home", url_path="home", default=True), *pages], position="hidden"
)
read_link()

# The server keeps a bounded number of uploaded groupings (loaders.GROUPING_LIMIT): a
# session whose grouping has gone registers it again from its own uploads, or is told to
# upload it again. Before the context, which builds the place definition from it.
grouping_gone = False
digest = st.session_state.get(GROUPING_DIGEST_KEY)
if digest and not loaders.grouping_available(digest):
    held_uploads = st.session_state.get(UPLOADS_KEY)
    grouping = held_uploads.get("place_groupings") if held_uploads is not None else None
    if grouping is not None:
        st.session_state[GROUPING_DIGEST_KEY] = loaders.register_grouping(grouping)
    else:
        st.session_state.pop(GROUPING_DIGEST_KEY)
        grouping_gone = True

ctx = scaffold.context()

# The sidebar's heading goes first, so the sidebar takes its width before any chart is
# drawn: a chart that is resized while it draws can keep redrawing (the England map did).
st.sidebar.markdown("### ICS Population Planner")
sidebar_body = st.sidebar.container()

# Not on the "/" redirect, or the messages would vanish with it.
if page.title != "Home":
    for message in pop_warnings():
        st.warning(message)

if page.title != "Home" and not ctx.presenting:
    from dashboard.sections.scenarios import restore

    restore.draw_banner(ctx)

if grouping_gone:
    st.warning(
        "Your uploaded place groupings are no longer held by the server, so pages use "
        "the sidebar's place definition. Upload them again on the Your data page."
    )

if not ctx.presenting and not st.session_state.get("settings_notice_shown"):
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

uploads = st.session_state.get(UPLOADS_KEY)
if uploads is not None and uploads.kinds and not ctx.presenting:
    held = ", ".join(k.replace("_", " ") for k in uploads.kinds)
    made_for = st.session_state.get(UPLOADS_ICS_KEY)
    st.info(
        f"Uploaded data in use this session: {held}"
        + ("." if made_for == ctx.code else f" (for {made_for}, not this ICS).")
        + " Manage or clear it on the Your data page.",
    )
run_failed = False
try:
    if ctx.presenting:
        # Presentation mode replaces the page with a slide sequence starting at it.
        from dashboard.presentation import run_presentation

        run_presentation(start=page.url_path or "overview")
    else:
        page.run()
except Exception:  # Streamlit's own rerun/stop signals are BaseExceptions and pass through.
    run_failed = True
    log.exception("Page %s failed for ICS %s", page.title, ctx.code)
    st.error(
        f"Sorry, the {page.title} page could not be drawn for {ctx.name} ({ctx.code}). "
        "The problem has been logged; try another ICS or place definition."
    )
finally:
    # Every run must draw the widgets, or Streamlit forgets their state. Drawn after the
    # page, so the page's content (above all its map) reaches the browser first.
    sidebar.draw(sidebar_body, pages, loaders.systems(ctx.vintage))
    runlog.record(
        page.url_path or "home",
        time.perf_counter() - _run_started,
        error=run_failed,
        ics=ctx.code,
        session=getattr(get_script_run_ctx(suppress_warning=True), "session_id", None),
    )
