"""The link's shared state: read once into session state, written back on every run.

``vintage``, ``ics``, ``places`` and ``bands`` are shared by every page (pages add their
own parameters). ``?vintage=2026`` is the default; a link made before the vintages (no
``vintage``, a July 2022 code such as ``?ics=QRV``) opens in the 2022 vintage with a
notice offering the ICB that took the area over in April 2026. The link is the source of
truth when a session starts or when the user opens another link; the sidebar's widgets
are from then on. A value the link gives that cannot be used follows the scaffold's one
rule: a warning that names it, and the default.
"""

from __future__ import annotations

import streamlit as st

import layers
from dashboard import loaders
from dashboard.scaffold import quote
from dashboard.state import (
    BANDS_KEY,
    DEFAULT_ICS_BY_VINTAGE,
    DEFAULT_VINTAGE,
    ICS_KEY,
    PLACES_KEY,
    VINTAGE_KEY,
)
from layers import tiers

#: Query parameters every page shares; the sidebar's links carry them.
SHARED_PARAMS = ("vintage", "ics", "places", "present", "bands", "scenario", "version")
#: Warnings waiting for a page to show them (they survive the "/" redirect).
_PENDING = "link_warnings"
#: The bands text last read from the link, so a rerun does not re-read it.
_BANDS_TEXT = "bands_link_text"


def _warn(message: str) -> None:
    st.session_state.setdefault(_PENDING, []).append(message)


def _other(vintage: str) -> str:
    return "2022" if vintage == "2026" else "2026"


def ics_label(code: str, vintage: str) -> str:
    """An ICS in words with its codes: in 2026 the ONS code and NHS England's beside it.

    For example "West and North London (E54000071 · T04)" or "Herefordshire and
    Worcestershire (QGH)".
    """
    return loaders.system_labels(vintage).get(code, code)


def _vintage_link(code: str, vintage: str) -> str:
    """A markdown link to the same page showing ``code`` in ``vintage``."""
    return f"[{ics_label(code, vintage)}](?vintage={vintage}&ics={code})"


def counterpart(code: str, vintage: str) -> str:
    """The ICS of the other vintage that covers most of ``code``'s area.

    Used when the user switches vintage: a 2022 ICB goes to its largest 2026 successor,
    a 2026 ICB to its largest 2022 predecessor.
    """
    try:
        if vintage == "2022":
            return str(layers.successor_icbs(code)["icb_code"].iloc[0])
        return str(layers.predecessor_icbs(code)["icb_code"].iloc[0])
    except (ValueError, KeyError, IndexError):
        return DEFAULT_ICS_BY_VINTAGE[_other(vintage)]


def _old_link_code(requested: str | None) -> str | None:
    """The 2022 ICB a link without ``vintage`` names by its July 2022 ODS code, if any."""
    if not requested:
        return None
    wanted = requested.strip().upper()
    codes = set(loaders.systems("2022")["icb_code"])
    return wanted if wanted in codes else None


def _read_vintage() -> str:
    """The vintage: from the link on a first run (or a new link), then from the sidebar."""
    if VINTAGE_KEY not in st.session_state:
        requested = st.query_params.get("vintage")
        if requested is None:
            old = _old_link_code(st.query_params.get("ics"))
            chosen = "2022" if old is not None else DEFAULT_VINTAGE
            if old is not None:
                successors = layers.successor_icbs(old)
                offered = " or ".join(
                    _vintage_link(c, "2026") for c in successors["icb_code"].tolist()
                )
                _warn(
                    f"This link names {ics_label(old, '2022')}, an ICB of July 2022, so it "
                    "opens in the July 2022 data. Since 1 April 2026 its area is in "
                    f"{offered}: open that for today's NHS (April 2026 data)."
                )
        else:
            try:
                chosen = layers.vintages.check_vintage(requested)
            except ValueError:
                shown = layers.get_vintage(DEFAULT_VINTAGE).label
                _warn(
                    f"The link asked for data vintage {quote(requested)}, which this "
                    f"dashboard does not have (it has {', '.join(layers.VINTAGES)}); "
                    f"showing the default, {shown}, instead."
                )
                chosen = DEFAULT_VINTAGE
        st.session_state[VINTAGE_KEY] = chosen
    vintage = st.session_state[VINTAGE_KEY]
    st.query_params["vintage"] = vintage
    return vintage


def _read_ics(vintage: str) -> str:
    default = DEFAULT_ICS_BY_VINTAGE[vintage]
    if ICS_KEY not in st.session_state:
        requested = st.query_params.get("ics", default)
        try:
            st.session_state[ICS_KEY] = layers.resolve_ics(requested, vintage=vintage)
        except (layers.AbolishedCodeError, layers.NewCodeError) as problem:
            # The library's message names the successors (or predecessors) in words.
            _warn(
                f"{quote(requested)}: {plain_message(problem)} Showing "
                f"{ics_label(default, vintage)} instead."
            )
            st.session_state[ICS_KEY] = default
        except ValueError:
            n_icbs = layers.get_vintage(vintage).n_icbs
            _warn(
                f"The link asked for ICS {quote(requested)}, which is not one of England's "
                f"{n_icbs} ICB codes in the {vintage} data; showing "
                f"{ics_label(default, vintage)} instead."
            )
            st.session_state[ICS_KEY] = default
    elif st.session_state[ICS_KEY] not in loaders.system_names(vintage):
        # A code of the other vintage (a restored scenario or a switch): its counterpart.
        st.session_state[ICS_KEY] = counterpart(st.session_state[ICS_KEY], _other(vintage))
    return st.session_state[ICS_KEY]


def plain_message(problem: Exception) -> str:
    """A library error's message, safe inside markdown (it may echo the link's value)."""
    from dashboard.scaffold import plain

    return plain(str(problem))


def switch_vintage() -> None:
    """Sidebar callback: keep the same area when the vintage changes, default places."""
    vintage = st.session_state[VINTAGE_KEY]
    code = st.session_state.get(ICS_KEY)
    if code is not None and code not in loaders.system_names(vintage):
        st.session_state[ICS_KEY] = counterpart(code, _other(vintage))
    st.session_state.pop(PLACES_KEY, None)
    st.query_params["vintage"] = vintage
    st.query_params.pop("places", None)


def place_options(code: str, vintage: str = DEFAULT_VINTAGE) -> list[str]:
    """The place definitions the ICS offers: "preset" only where its papers name places."""
    default = loaders.default_place_definition(code, vintage)
    return [d for d in ("preset", "utla", "ltla") if d != "preset" or default == "preset"]


def _read_places(code: str, vintage: str) -> str:
    options = place_options(code, vintage)
    default = loaders.default_place_definition(code, vintage)
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
    vintage = _read_vintage()
    code = _read_ics(vintage)
    _read_places(code, vintage)
    _read_bands()
    st.query_params["ics"] = code


def pop_warnings() -> list[str]:
    """The warnings about the link that a page should show now (once)."""
    return st.session_state.pop(_PENDING, [])
