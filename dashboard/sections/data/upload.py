"""One kind of upload: its schema, the file, what was accepted and rejected, apply/clear.

Uploads live only in this browser session; the built-in data is never modified.
"""

from __future__ import annotations

import streamlit as st

import layers
from dashboard import loaders
from dashboard.exports import show_table
from dashboard.scaffold import PageContext, plain
from dashboard.state import GROUPING_DIGEST_KEY, UPLOADS_ICS_KEY, UPLOADS_KEY
from layers import format as fmt
from layers.uploads import (
    SCHEMAS,
    SessionData,
    UploadError,
    UploadReport,
    describe_schema,
    template_csv,
    validate_boundaries,
    validate_budgets,
    validate_place_groupings,
    validate_practice_list,
)

ACCEPT = {
    "place_groupings": ["csv"],
    "practice_list": ["csv"],
    "budgets": ["csv"],
    "boundaries": ["geojson", "json", "gpkg", "zip"],
}
EFFECT = {
    "place_groupings": "Every page then uses your places (practices you leave out keep "
    "their place under the sidebar's definition).",
    "practice_list": "The Overview page then compares your list with the registrations "
    "of the data vintage in use (list sizes and PCN membership).",
    "budgets": "The Service allocation page then measures distance from target against "
    "your current budgets instead of equal per head.",
    "boundaries": "The Map page then draws your proposed boundaries over the five layers.",
}
#: The allocation page's "current allocation" (distance from target) made from budgets.
CURRENT_ALLOCATION_KEY = "alloc_current"
#: The outcome of the last apply or clear, shown once (every upload section sets it).
MESSAGE_KEY = "data_message"


def session_data() -> SessionData:
    """The session's uploaded data (empty at first)."""
    return st.session_state.get(UPLOADS_KEY, SessionData())


def _validate(ctx: PageContext, kind: str, upload) -> UploadReport:
    raw = upload.getvalue()
    if kind == "place_groupings":
        practices = loaders.system(ctx.key).practices["practice_code"]
        return validate_place_groupings(raw, practices, filename=upload.name)
    if kind == "practice_list":
        return validate_practice_list(
            raw, layers.read_table("pcns", vintage=ctx.vintage)["pcn_code"], filename=upload.name
        )
    if kind == "budgets":
        return validate_budgets(raw, loaders.allocation_frame(ctx.key), filename=upload.name)
    return validate_boundaries(raw, upload.name)


def _apply(kind: str, ctx: PageContext) -> None:
    report = st.session_state.pop(f"pending_{kind}")
    st.session_state[UPLOADS_KEY] = session_data().apply(report)
    st.session_state[UPLOADS_ICS_KEY] = ctx.code
    if kind == "place_groupings":
        st.session_state[GROUPING_DIGEST_KEY] = loaders.register_grouping(report.accepted)
    if kind == "budgets":
        st.session_state[CURRENT_ALLOCATION_KEY] = {
            "key": (ctx.code, ctx.place_definition),
            "name": report.filename or "your budgets",
            "totals": report.accepted.reset_index(drop=True),
        }
    st.session_state[MESSAGE_KEY] = f"Applied: {report.summary}"


def _clear(kind: str) -> None:
    st.session_state[UPLOADS_KEY] = session_data().clear(kind)
    if kind == "place_groupings":
        st.session_state.pop(GROUPING_DIGEST_KEY, None)
    if kind == "budgets":
        st.session_state.pop(CURRENT_ALLOCATION_KEY, None)
    st.session_state[MESSAGE_KEY] = f"Cleared your {SCHEMAS[kind].title.lower()}."


def show_message() -> None:
    """The outcome of the last apply or clear, once."""
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.success(message)


def _schema(kind: str) -> None:
    schema = SCHEMAS[kind]
    with st.expander("What the file must contain"):
        show_table(describe_schema(kind), f"{schema.title} upload schema", f"schema_{kind}")
        if kind != "boundaries":
            st.download_button(
                "Download a template",
                data=template_csv(kind),
                file_name=f"{kind}_template.csv",
                mime="text/csv",
                key=f"template_{kind}",
                on_click="ignore",
            )


def draw(ctx: PageContext, kind: str) -> None:
    """The section for one kind of upload."""
    schema = SCHEMAS[kind]
    held = session_data().get(kind)
    st.subheader(schema.title)
    st.caption(EFFECT[kind])
    if held is not None:
        st.info(f"In use this session: {fmt.count(len(held))} {schema.title.lower()} row(s).")
        st.button("Clear", key=f"clear_{kind}", on_click=_clear, args=(kind,))
    _schema(kind)
    upload = st.file_uploader(
        f"Upload {schema.title.lower()}", type=ACCEPT[kind], key=f"upload_{kind}"
    )
    if upload is None:
        st.session_state.pop(f"pending_{kind}", None)
        return
    with st.spinner(f"Checking {upload.name}…"):
        try:
            report = _validate(ctx, kind, upload)
        except UploadError as problem:
            st.error(f"{plain(upload.name)} was not used: {plain(problem)}")
            return
    st.session_state[f"pending_{kind}"] = report
    (st.warning if len(report.rejected) else st.success)(report.summary)
    for warning in report.warnings:
        st.caption(f"Note: {plain(warning)}")
    if len(report.rejected):
        rejected = report.rejected.rename(columns={"row": "Row", "reason": "Why rejected"})
        show_table(rejected, f"Rejected rows of {upload.name}", f"rejected_{kind}")
    st.button(
        f"Apply {fmt.count(len(report.accepted))} accepted row(s)",
        key=f"apply_{kind}",
        type="primary",
        on_click=_apply,
        args=(kind, ctx),
    )
