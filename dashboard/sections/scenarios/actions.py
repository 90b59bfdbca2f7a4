"""One scenario: what it is, and open, duplicate, rename, share, archive, restore, export.

Only its author may rename, share, archive or restore it (the store refuses anyone
else, and the page does not offer it); anyone who can see it may open, duplicate and
export it. Opening goes through the scenario's link, so the library and a shared link
open a scenario the same way.
"""

from __future__ import annotations

import streamlit as st

import layers
from dashboard import loaders, store
from dashboard.scaffold import plain, quote
from dashboard.sections.allocation.common import leave_message, show_message
from dashboard.sections.scenarios import account, browse, documents, restore
from layers.export import file_stem

#: Session key of the message an action leaves for the next run.
MESSAGE = "library_message"


def _run(action, success: str) -> None:
    """Run a store call from a callback; leave its outcome (or why not) as the message."""
    try:
        result = action()
    except store.StoreError as problem:
        leave_message(MESSAGE, "error", f"Nothing was changed: {documents.said(problem)}")
        return
    if isinstance(result, store.ScenarioSummary):
        st.session_state[browse.CHOSEN] = result.id
        if result.archived:  # keep it in view: the list switches to the archived ones
            st.session_state["library_show"] = "archived"
        elif st.session_state.get("library_show") == "archived":
            st.session_state["library_show"] = "current"
    leave_message(MESSAGE, "success", success)


def open_scenario(summary: store.ScenarioSummary, user: store.User, version: int | None) -> None:
    """Open a version (the latest if None) on its kind's page, through its link."""
    try:
        found = loaders.scenario_store().get_version(summary.id, user, version)
        documents.check_fits(found.document)
    except (store.StoreError, documents.CannotOpenError) as problem:
        st.error(f"{quote(summary.name)} cannot be opened here: {documents.said(problem)}")
        return
    restore.close()  # a fresh start: the link opens it again, whatever was open before
    params = {"scenario": summary.id, "ics": summary.ics}
    if version is not None:
        params["version"] = str(version)
    st.switch_page(documents.PAGE_OF_KIND[summary.kind], query_params=params)


def _facts(summary: store.ScenarioSummary) -> None:
    places = layers.PLACE_DEFINITIONS[summary.place_definition]
    who = "shared with everyone" if summary.visibility == "shared" else "private (only its author)"
    st.markdown(
        f"**{plain(summary.name)}** · {summary.kind_label} · "
        f"{documents.describe_system(summary.ics, summary.vintage)} · places: {places}  \n"
        f"By {plain(summary.author_name)}, {who} · {summary.latest_version} version(s), the "
        f"last saved {summary.updated_at:%d %b %Y %H:%M} UTC"
        + (" · **archived**" if summary.archived else "")
    )
    if summary.description:
        st.caption("  \n".join(plain(line) for line in summary.description.splitlines()))


def _common(summary: store.ScenarioSummary, user: store.User, library) -> None:
    columns = st.columns(3)
    if columns[0].button(
        "Open",
        key="library_open",
        type="primary",
        disabled=summary.archived,
        help="Restore it before opening it." if summary.archived else "The latest version.",
    ):
        open_scenario(summary, user, None)
    refusal = account.write_refusal(user)
    columns[1].button(
        "Duplicate",
        key="library_duplicate",
        disabled=refusal is not None,
        help=refusal or "A copy of the latest version, as your own scenario.",
        on_click=lambda: _run(
            lambda: library.duplicate(summary.id, user),
            f"Duplicated {quote(summary.name)}: the copy is yours, and chosen below.",
        ),
    )
    stem = file_stem(summary.name, default="scenario", max_length=60)
    columns[2].download_button(
        "Export JSON",
        data=lambda: library.export_json(summary.id, user),
        file_name=f"{stem}.json",
        mime="application/json",
        key="library_export",
        on_click="ignore",
        help="The latest version as a scenario file, to import on another server.",
    )


def _author_only(summary: store.ScenarioSummary, user: store.User, library) -> None:
    if summary.author != user.id or account.write_refusal(user):
        st.caption(
            f"Only its author, {plain(summary.author_name)}, can rename, share or archive "
            "it. Duplicate it to make a copy of your own."
        )
        return
    if summary.archived:
        st.button(
            "Restore",
            key="library_restore",
            on_click=lambda: _run(
                lambda: library.restore(summary.id, user), f"Restored {quote(summary.name)}."
            ),
        )
        return
    with st.expander("Rename, describe, share or archive"):
        name_key, text_key = f"library_name_{summary.id}", f"library_text_{summary.id}"
        st.text_input("Name", value=summary.name, key=name_key)
        st.text_area("Description", value=summary.description, key=text_key)
        state = st.session_state
        columns = st.columns(3)
        columns[0].button(
            "Rename",
            key="library_rename",
            on_click=lambda: _run(
                lambda: library.rename(summary.id, user, state[name_key], state[text_key]),
                "Renamed and described as typed.",
            ),
        )
        if user.signed_in:
            other = "private" if summary.visibility == "shared" else "shared"
            columns[1].button(
                "Make it private" if other == "private" else "Share it with everyone",
                key="library_visibility",
                on_click=lambda: _run(
                    lambda: library.set_visibility(summary.id, user, other),
                    f"{quote(summary.name)} is now {other}.",
                ),
            )
        columns[2].button(
            "Archive",
            key="library_archive",
            help="Hidden from the list; never deleted. You can restore it.",
            on_click=lambda: _run(
                lambda: library.archive(summary.id, user),
                f"Archived {quote(summary.name)}; restore it from the archived list.",
            ),
        )


def draw(library, user: store.User, summary: store.ScenarioSummary) -> None:
    """What the chosen scenario is, and what this user can do with it."""
    show_message(MESSAGE)
    _facts(summary)
    _common(summary, user, library)
    _author_only(summary, user, library)
