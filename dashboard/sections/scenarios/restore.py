"""Opening a saved scenario into the session, saying it is open, and closing it.

A scenario opens from its link (``?scenario=<id>``, optionally ``&version=<n>``, read
once by :mod:`dashboard.link`) or from the library page, which opens the same link. It
sets what its document holds, exactly as the pages' own controls would: the ICS, the
place definition, uploaded groupings (rebuilt as an upload report, applied to the
session and registered with the server), the design bands, the tiers regrouping and
the allocation page's controls. Everything is checked before anything changes, so a
scenario that cannot be opened changes nothing.

While it is open, every page says so (:func:`draw_banner`), and "Back to the real
configuration" undoes what it set. The open scenario is the base of the next save: a
new version must start from it (:class:`~dashboard.store.ConflictError` otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from dashboard import loaders, store
from dashboard.scaffold import PageContext, plain, quote
from dashboard.sections.allocation import state as allocation_state
from dashboard.sections.mergers import hooks as _merge_hooks  # noqa: F401 (registers "merge")
from dashboard.sections.scenarios import account, documents
from dashboard.sections.tiers import whatif
from dashboard.state import (
    GROUPING_DIGEST_KEY,
    ICS_KEY,
    PLACES_KEY,
    UPLOADS_ICS_KEY,
    UPLOADS_KEY,
    VINTAGE_KEY,
    SystemKey,
)
from layers import tiers
from layers.uploads import SessionData

#: Session key of the open scenario (an :class:`OpenScenario`).
OPEN_KEY = "scenario_open"
#: A note for the next run's banner (the scenario was closed, and why).
NOTICE_KEY = "scenario_notice"
#: The link's parameters: the scenario's id and, when one was asked for, its version.
PARAMS = ("scenario", "version")


@dataclass(frozen=True)
class OpenScenario:
    """The scenario open in this session, and the system its what-ifs were applied to."""

    id: str
    name: str
    kind: str
    author: str
    author_name: str
    version: int
    latest: int
    pinned: bool
    saved_by_name: str
    saved_at: datetime
    body: str
    key: SystemKey

    @property
    def ics(self) -> str:
        """The scenario's ICS."""
        return self.key.code

    @property
    def vintage(self) -> str:
        """The scenario's data vintage."""
        return self.key.vintage

    def document(self) -> store.ScenarioDocument:
        """The document as it was opened (or saved)."""
        return store.parse_document(self.body)


def current() -> OpenScenario | None:
    """The scenario open in this session, if any."""
    return st.session_state.get(OPEN_KEY)


def is_open(requested: str, version: str | None) -> bool:
    """Whether the link's scenario (and version) is the one already open."""
    marker = current()
    if marker is None or marker.id != requested:
        return False
    return version is None or version == str(marker.version)


def keep_in_link() -> None:
    """An open scenario stays in the link (pages' links carry it; this restores it)."""
    marker = current()
    if marker is not None:
        st.query_params["scenario"] = marker.id
        if marker.pinned:
            st.query_params["version"] = str(marker.version)


def _drop_params() -> None:
    for param in PARAMS:
        st.query_params.pop(param, None)


def _parse_version(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise documents.CannotOpenError(f"its version {quote(text)} is not a version number")
    return int(text)


def open_from_link(
    requested: str,
    version_text: str | None,
    linked_ics: str | None = None,
    linked_vintage: str | None = None,
) -> str | None:
    """Open the link's scenario; None, or a message saying why it was not opened.

    On failure nothing in the session changes and the link loses ``scenario=``.
    """
    try:
        version = _parse_version(version_text)
        found = _fetch(requested, version)
        documents.check_fits(found.document, linked_ics, linked_vintage)
        apply(found, pinned=version is not None)
    except (documents.CannotOpenError, store.DocumentError) as problem:
        _drop_params()
        return f"The link's scenario {quote(requested)} was not opened: {documents.said(problem)}"
    except store.ScenarioNotFoundError:
        _drop_params()
        return (
            f"The link asked for scenario {quote(requested)}, which does not exist or is "
            "private to someone else (the link may be mistyped). The page shows the real "
            "configuration."
        )
    except store.StoreError as problem:
        _drop_params()
        return (
            f"The link's scenario {quote(requested)} was not opened: {documents.said(problem)} "
            "The page shows the real configuration."
        )
    return None


def _fetch(scenario_id: str, version: int | None) -> store.ScenarioVersion:
    """The scenario's version from the library (archived ones refused), as this user."""
    library = loaders.scenario_store()
    user = account.current_user()
    summary = library.get(scenario_id, user)
    if summary.archived:
        raise documents.CannotOpenError(
            f"“{plain(summary.name)}” is archived. Its author can restore it on the "
            "Scenario library page"
        )
    try:
        return library.get_version(scenario_id, user, version)
    except store.ScenarioNotFoundError as problem:  # the scenario exists; that version not
        raise documents.CannotOpenError(plain(str(problem).rstrip("."))) from None


def apply(found: store.ScenarioVersion, pinned: bool) -> None:
    """Set the session to a scenario's version (checked first: a failure changes nothing).

    Raises
    ------
    dashboard.store.DocumentError, documents.CannotOpenError
        If the document does not fit this ICS's data any more.
    """
    document, summary = found.document, found.scenario
    base = SystemKey(document.ics, document.place_definition, document.vintage)
    report, key = None, base
    if document.place_groupings is not None:
        report = documents.grouping_report(document, summary.name)
        digest = loaders.register_grouping(report.accepted)
        key = SystemKey(base.code, f"custom:{base.place_definition}:{digest}", base.vintage)
    if document.kind == "tiers":
        try:
            tiers.apply_regrouping(loaders.tier_tables(key), document.regrouping)
        except tiers.RegroupingError as problem:
            reason = f"its regrouping no longer applies: {problem.reason}"
            raise documents.CannotOpenError(reason) from None
    session = st.session_state
    session[ICS_KEY], session[PLACES_KEY] = base.code, base.place_definition
    session[VINTAGE_KEY] = base.vintage
    _set_groupings(base.code, report, key)
    if document.bands is not None:
        from dashboard.link import write_bands

        write_bands(dict(document.bands))
    if document.kind == "tiers":
        session.setdefault(whatif.SCENARIOS, {})[key] = document.regrouping
    if document.allocation is not None:
        _set_allocation(document.allocation, key, summary.name)
    if document.kind in documents.KIND_HOOKS:
        documents.KIND_HOOKS[document.kind].apply(document)
    mark(summary, found.version, found.saved_by_name, found.saved_at, document, key, pinned)


def _set_groupings(code: str, report, key: SystemKey) -> None:
    """The document's groupings as this session's upload; none if it has none."""
    session = st.session_state
    held = session.get(UPLOADS_KEY) or SessionData()
    if report is not None:
        session[UPLOADS_KEY] = held.apply(report)
        session[UPLOADS_ICS_KEY] = code
        session[GROUPING_DIGEST_KEY] = key.place_definition.rsplit(":", 1)[1]
    elif held.get("place_groupings") is not None and session.get(UPLOADS_ICS_KEY) == code:
        # The scenario's numbers were made without them.
        session[UPLOADS_KEY] = held.clear("place_groupings")
        session.pop(GROUPING_DIGEST_KEY, None)


def _set_allocation(scenario, key: SystemKey, name: str) -> None:
    frame = loaders.allocation_frame(key)
    allocation_state.read_link_once(key.code, frame)  # the link's other settings first
    allocation_state.apply_scenario(scenario, key.code, f"saved scenario “{name}”")
    st.session_state[allocation_state.SCENARIO_KEY] = scenario.to_json()
    st.session_state[allocation_state.SCENARIO_ICS_KEY] = key.code


def mark(
    summary: store.ScenarioSummary,
    version: int,
    saved_by_name: str,
    saved_at: datetime,
    document: store.ScenarioDocument,
    key: SystemKey,
    pinned: bool = False,
) -> None:
    """Record ``summary`` at ``version`` as the open scenario, and put it in the link."""
    st.session_state[OPEN_KEY] = OpenScenario(
        id=summary.id,
        name=summary.name,
        kind=summary.kind,
        author=summary.author,
        author_name=summary.author_name,
        version=version,
        latest=max(version, summary.latest_version),
        pinned=pinned,
        saved_by_name=saved_by_name,
        saved_at=saved_at,
        body=store.document_json(document, indent=None),
        key=key,
    )
    _drop_params()
    keep_in_link()


def close() -> None:
    """Back to the real configuration: undo what the open scenario set, and forget it."""
    marker = st.session_state.pop(OPEN_KEY, None)
    _drop_params()
    if marker is None:
        return
    document = marker.document()
    session = st.session_state
    if document.kind == "tiers":
        session.get(whatif.SCENARIOS, {}).pop(marker.key, None)
    if document.bands is not None:
        from dashboard.link import write_bands

        write_bands(dict(tiers.DEFAULT_BANDS))
    if document.allocation is not None:
        allocation_state.reset(marker.ics)
        if session.get(allocation_state.SCENARIO_ICS_KEY) == marker.ics:
            session.pop(allocation_state.SCENARIO_KEY, None)
    if document.kind in documents.KIND_HOOKS:
        documents.KIND_HOOKS[document.kind].close(document)
    if document.place_groupings is not None and session.get(UPLOADS_ICS_KEY) == marker.ics:
        held = session.get(UPLOADS_KEY) or SessionData()
        session[UPLOADS_KEY] = held.clear("place_groupings")
        session.pop(GROUPING_DIGEST_KEY, None)


def draw_banner(ctx: PageContext) -> None:
    """Say which scenario is open, with "Back to the real configuration"."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice)
    marker = current()
    if marker is None:
        return
    if (marker.ics, marker.vintage) != (ctx.code, ctx.vintage):
        # The user chose another ICS: the scenario's what-ifs no longer describe the page.
        close()
        st.session_state[NOTICE_KEY] = (
            f"Scenario {quote(marker.name)} was closed: it is for "
            f"{documents.describe_system(marker.ics, marker.vintage)}."
        )
        st.rerun()
    version = f"version {marker.version}" + (
        f" of {marker.latest}" if marker.latest > marker.version else ""
    )
    text, button = st.columns([5, 2], vertical_alignment="center")
    text.info(
        f"**Scenario open: {quote(marker.name)}** ({store.KINDS[marker.kind].lower()}; "
        f"{version}, saved by {plain(marker.saved_by_name)} on "
        f"{marker.saved_at:%d %b %Y %H:%M} UTC). The pages show it, not the real "
        "configuration."
    )
    button.button(
        "Back to the real configuration",
        key="scenario_close",
        on_click=close,
        help="Close the scenario: the pages show the real configuration again.",
    )
