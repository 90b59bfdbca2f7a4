"""Save as a scenario: the one section every page with a what-if state shows.

A page passes a function that builds its state as a scenario document
(:func:`dashboard.sections.scenarios.documents.page_document`); the section saves it as
a new scenario, or as the next version of the scenario open in this session when the
user is its author. Whatever goes wrong (a bad name, someone else's newer version, the
database down or read-only), the message says so and the page's state stays in this
session untouched, ready to be saved again or as a new scenario.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import loaders, store
from dashboard.scaffold import PageContext, quote
from dashboard.sections.scenarios import account, restore
from dashboard.sections.scenarios.documents import said

_VISIBILITY_WORDS = {
    "shared": "Shared with everyone on this server",
    "private": "Private: only you can see it",
}


def _keys(key: str) -> dict[str, str]:
    return {part: f"scenario_save_{key}_{part}" for part in ("name", "text", "who", "note")}


def _leave(key: str, kind: str, text: str) -> None:
    st.session_state[_keys(key)["note"]] = (kind, text)


def _saved_words(name: str, version: int, scenario_id: str) -> str:
    return (
        f"Saved {quote(name)} as version {version}. The page's address now carries "
        f"`scenario={scenario_id}`: anyone with access to this server who opens it sees "
        "these numbers."
    )


def _save_new(key: str, document: store.ScenarioDocument, system_key) -> None:
    """Callback: save the page's state as a new scenario."""
    keys, state = _keys(key), st.session_state
    user = account.current_user()
    try:
        saved = loaders.scenario_store().save_new(
            document,
            state.get(keys["name"], ""),
            user,
            description=state.get(keys["text"], ""),
            visibility=state.get(keys["who"], "shared"),
        )
    except store.StoreError as problem:
        _leave(key, "error", f"Not saved: {said(problem)} Your changes are still here.")
        return
    restore.mark(saved, 1, user.name, saved.updated_at, document, system_key)
    _leave(key, "success", _saved_words(saved.name, 1, saved.id))


def _save_version(key: str, document: store.ScenarioDocument, system_key) -> None:
    """Callback: save the page's state as the next version of the open scenario."""
    marker = restore.current()
    if marker is None:
        return
    user = account.current_user()
    try:
        saved = loaders.scenario_store().save_version(
            marker.id, document, user, base_version=marker.version
        )
    except store.StoreError as problem:
        # A conflict names who saved the newer version and when; nothing was written.
        _leave(key, "error", said(problem))
        return
    restore.mark(
        saved.scenario, saved.version, saved.saved_by_name, saved.saved_at, document, system_key
    )
    _leave(key, "success", _saved_words(saved.scenario.name, saved.version, saved.scenario.id))


def _show_note(key: str) -> None:
    note = st.session_state.pop(_keys(key)["note"], None)
    if note:
        (st.success if note[0] == "success" else st.error)(note[1])


def _inputs(key: str, user: store.User) -> None:
    keys = _keys(key)
    left, right = st.columns([2, 3])
    left.text_input(
        "Name to save it under",
        key=keys["name"],
        placeholder="e.g. Option B: merge the two Malvern PCNs",
    )
    right.text_area("Description (optional)", key=keys["text"], height=68)
    if user.signed_in:
        st.radio(
            "Who can see it",
            list(_VISIBILITY_WORDS),
            format_func=_VISIBILITY_WORDS.get,
            key=keys["who"],
            horizontal=True,
        )


def _versionable(document: store.ScenarioDocument, user: store.User):
    """The open scenario, if this state can be its next version (same kind, ICS, author)."""
    marker = restore.current()
    if marker is None or marker.author != user.id:
        return None
    if (marker.kind, marker.ics, marker.vintage) != (document.kind, document.ics, document.vintage):
        return None
    return marker


def _buttons(key: str, document: store.ScenarioDocument, system_key, user: store.User) -> None:
    marker = _versionable(document, user)
    columns = st.columns(2)
    if marker is not None:
        unchanged = store.document_json(document, indent=None) == marker.body
        columns[0].button(
            f"Save as version {marker.version + 1} of {quote(marker.name)}",
            key=f"scenario_save_{key}_version",
            type="primary",
            disabled=unchanged,
            help="Nothing has changed since the version that is open."
            if unchanged
            else "Adds a version; the earlier ones are kept.",
            on_click=_save_version,
            args=(key, document, system_key),
        )
    columns[1 if marker is not None else 0].button(
        "Save as a new scenario",
        key=f"scenario_save_{key}_new",
        type="secondary" if marker is not None else "primary",
        on_click=_save_new,
        args=(key, document, system_key),
    )


def draw(ctx: PageContext, build: Callable[[], store.ScenarioDocument], key: str) -> None:
    """The "Save as a scenario" section; ``build`` makes the page's state a document."""
    pending = _keys(key)["note"] in st.session_state
    with st.expander("Save as a scenario (the shared scenario library)", expanded=pending):
        _show_note(key)
        try:
            document = build()
        except store.DocumentError as problem:
            st.warning(f"This page's state cannot be saved as a scenario: {said(problem)}")
            return
        try:
            loaders.scenario_store()
        except store.StoreError as problem:
            st.warning(
                f"Saving is unavailable: {said(problem)} The analysis works as before, and "
                "everything on this page stays in this session."
            )
            st.button(
                "Try the library again",
                key=f"scenario_save_{key}_retry",
                on_click=loaders.forget_store_failure,
            )
            return
        user = account.current_user()
        refusal = account.write_refusal(user)
        if refusal:
            st.info(refusal)
            return
        st.caption(
            "Saves everything this page's numbers depend on (ICS, data vintage, places, "
            "and the what-if itself), never individual-level rows. Each save of an "
            "existing scenario adds a version; nothing is overwritten."
        )
        _inputs(key, user)
        _buttons(key, document, ctx.key, user)
        account.explain(user)
