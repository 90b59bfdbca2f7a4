"""The link's shared state: read once into session state, written back on every run.

``ics``, ``places`` and ``bands`` are shared by every page (pages add their own
parameters). The link is the source of truth when a session starts or when the user
opens another link; the sidebar's widgets are from then on. A value the link gives that
cannot be used follows the scaffold's one rule: a warning that names it, and the default.
"""

from __future__ import annotations

import streamlit as st

import layers
from dashboard import loaders
from dashboard.scaffold import quote
from dashboard.state import BANDS_KEY, DEFAULT_ICS, ICS_KEY, PLACES_KEY
from layers import tiers

#: Query parameters every page shares; the sidebar's links carry them.
SHARED_PARAMS = ("ics", "places", "present", "bands", "scenario", "version")
#: Warnings waiting for a page to show them (they survive the "/" redirect).
_PENDING = "link_warnings"
#: The bands text last read from the link, so a rerun does not re-read it.
_BANDS_TEXT = "bands_link_text"


def _warn(message: str) -> None:
    st.session_state.setdefault(_PENDING, []).append(message)


def _read_ics() -> str:
    if ICS_KEY not in st.session_state:
        requested = st.query_params.get("ics", DEFAULT_ICS)
        try:
            st.session_state[ICS_KEY] = layers.resolve_ics(requested)
        except ValueError:
            names = loaders.system_names()
            _warn(
                f"The link asked for ICS {quote(requested)}, which is not one of England's "
                f"42 ICB codes; showing {names[DEFAULT_ICS]} ({DEFAULT_ICS}) instead."
            )
            st.session_state[ICS_KEY] = DEFAULT_ICS
    return st.session_state[ICS_KEY]


def place_options(code: str) -> list[str]:
    """The place definitions the ICS offers: "preset" only where its papers name places."""
    default = loaders.default_place_definition(code)
    return [d for d in ("preset", "utla", "ltla") if d != "preset" or default == "preset"]


def _read_places(code: str) -> str:
    options = place_options(code)
    default = loaders.default_place_definition(code)
    if st.session_state.get(PLACES_KEY) not in options:
        requested = st.query_params.get("places")
        if requested is not None and requested not in options:
            _warn(
                f"The link asked for places {quote(requested)}, which this ICS does not "
                f"offer; showing {layers.PLACE_DEFINITIONS[default].lower()} instead."
            )
        st.session_state[PLACES_KEY] = requested if requested in options else default
    chosen = st.session_state[PLACES_KEY]
    if chosen == default:
        st.query_params.pop("places", None)
    else:
        st.query_params["places"] = chosen
    return chosen


def _read_bands() -> None:
    requested = st.query_params.get("bands")
    if requested is not None and requested != st.session_state.get(_BANDS_TEXT):
        st.session_state[_BANDS_TEXT] = requested
        try:
            st.session_state[BANDS_KEY] = tiers.parse_bands(requested)
        except (TypeError, ValueError) as problem:
            _warn(
                f"The link's design bands {quote(requested)} could not be read "
                f"({problem}). Showing the default bands instead."
            )
            st.session_state[BANDS_KEY] = dict(tiers.DEFAULT_BANDS)
    st.session_state.setdefault(BANDS_KEY, dict(tiers.DEFAULT_BANDS))


def write_bands(bands: dict[str, tuple[int, int]]) -> None:
    """Keep edited bands in session state and in the link (absent when the defaults)."""
    st.session_state[BANDS_KEY] = dict(bands)
    if bands == dict(tiers.DEFAULT_BANDS):
        st.query_params.pop("bands", None)
        st.session_state[_BANDS_TEXT] = None
    else:
        text = tiers.format_bands(bands)
        st.query_params["bands"] = text
        st.session_state[_BANDS_TEXT] = text


def _read_scenario() -> None:
    """``?scenario=<id>`` (``&version=<n>``): open it if it is not the one open already.

    Before the ICS and places: a scenario sets them. A link that also names another ICS
    or vintage than the scenario's is refused with a warning, never guessed.
    """
    from dashboard.sections.scenarios import restore  # the library loads only when needed

    requested, version = st.query_params.get("scenario"), st.query_params.get("version")
    if requested is None or restore.is_open(requested, version):
        restore.keep_in_link()
        return
    problem = restore.open_from_link(
        requested, version, st.query_params.get("ics"), st.query_params.get("vintage")
    )
    if problem:
        _warn(problem)


def read_link() -> None:
    """Read the shared parameters into session state and write them back to the link."""
    _read_scenario()
    code = _read_ics()
    _read_places(code)
    _read_bands()
    st.query_params["ics"] = code


def pop_warnings() -> list[str]:
    """The warnings about the link that a page should show now (once)."""
    return st.session_state.pop(_PENDING, [])
