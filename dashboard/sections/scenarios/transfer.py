"""Import a scenario file into the library, with the same checks as opening one.

A file exported from any library, or an allocation scenario saved from the Service
allocation page (which names no ICS: it is read as this page's ICS, vintage and
places). The file is checked completely (its format and version, every value, its
uploaded grouping against the ICS's practices, and that this dashboard can open it)
before anything is saved; a bad file saves nothing and says why.
"""

from __future__ import annotations

import streamlit as st

from dashboard import store
from dashboard.scaffold import PageContext, quote
from dashboard.sections.allocation.common import leave_message, show_message
from dashboard.sections.allocation.files import MAX_SCENARIO_BYTES
from dashboard.sections.scenarios import account, browse, documents

FILE = "library_import_file"
NAME = "library_import_name"
WHO = "library_import_who"
MESSAGE = "library_import_message"


def _import(ctx: PageContext, library: store.ScenarioStore, user: store.User) -> None:
    """Callback of the Import button."""
    state = st.session_state
    upload = state.get(FILE)
    if upload is None:
        return
    try:
        data = upload.getvalue()
        if len(data) > MAX_SCENARIO_BYTES:
            raise store.DocumentError(
                f"the file is {len(data) / 1e6:.1f} MB; a scenario file is a few kB"
            )
        parsed = store.read_document(
            data,
            ics=ctx.code,
            vintage=ctx.vintage,
            place_definition=documents.base_places(ctx),
        )
        documents.check_fits(parsed.document)
        name = (state.get(NAME) or "").strip() or parsed.name
        if parsed.document.place_groupings is not None:
            documents.grouping_report(parsed.document, name or upload.name)
        if name is None:
            raise store.InvalidNameError("the file has no name: type one above")
        saved = library.save_new(
            parsed.document,
            name,
            user,
            description=parsed.description,
            visibility=state.get(WHO, "shared"),
        )
    except (store.StoreError, documents.CannotOpenError) as problem:
        reason = documents.said(problem)
        leave_message(MESSAGE, "error", f"{quote(upload.name)} was not imported: {reason}")
        return
    state[browse.CHOSEN] = saved.id
    state["library_show"] = "current"
    leave_message(
        MESSAGE,
        "success",
        f"Imported {quote(saved.name)} ({saved.kind_label}, "
        f"{documents.describe_system(saved.ics, saved.vintage)}); it is chosen above.",
    )


def draw(ctx: PageContext, library: store.ScenarioStore, user: store.User) -> None:
    """The import section."""
    st.subheader("Import a scenario file")
    show_message(MESSAGE)
    refusal = account.write_refusal(user)
    if refusal:
        st.info(refusal)
        return
    st.caption(
        "A file exported from a scenario library (“Export JSON” above), or an allocation "
        f"scenario saved from the Service allocation page (imported for {ctx.name}, with "
        "this session's places). It is checked completely before anything is saved."
    )
    left, right = st.columns([3, 2])
    left.file_uploader("Scenario file (JSON)", type=["json"], max_upload_size=2, key=FILE)
    right.text_input("Name (blank: the file's own)", key=NAME)
    if user.signed_in:
        st.radio(
            "Who can see it",
            ["shared", "private"],
            format_func={"shared": "Shared with everyone", "private": "Only me"}.get,
            key=WHO,
            horizontal=True,
        )
    st.button(
        "Import",
        key="library_import",
        disabled=st.session_state.get(FILE) is None,
        on_click=_import,
        args=(ctx, library, user),
    )
