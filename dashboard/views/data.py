"""Your data: upload local files, see what was accepted and rejected, then apply or discard.

Uploads live only in this browser session; the built-in data is never modified.
"""

import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import table_downloads
from layers.uploads import (
    SCHEMAS,
    SessionData,
    UploadError,
    describe_schema,
    template_csv,
    validate_boundaries,
    validate_budgets,
    validate_place_groupings,
    validate_practice_list,
)

ctx = scaffold.context()
code, system_key = ctx.code, ctx.key
system = loaders.system(
    system_key._replace(place_definition=loaders.default_place_definition(code))
)
session: SessionData = st.session_state.get("uploads", SessionData())
if st.session_state.get("uploads_ics") not in (None, code) and session.kinds:
    st.warning(
        f"Your uploads were made for ICS {st.session_state['uploads_ics']}; they apply only "
        "when that ICS is chosen. Clear them below to upload for this ICS."
    )

st.title("Your data")
scaffold.place_note(ctx)
st.markdown(
    "Bring your own place groupings, practice list, budgets or proposed boundaries. "
    "Each file is checked against the schema below and you see exactly what was "
    "accepted and rejected (with spreadsheet row numbers, header = row 1) **before** "
    "anything is applied. Uploads stay in this browser session only and can be cleared "
    f"at any time; the built-in data is never changed. Files up to "
    f"{st.get_option('server.maxUploadSize')} MB; zips are checked before extraction."
)


def validate(kind: str, upload) -> layers.uploads.UploadReport:
    """Run the validator for one kind of upload."""
    raw = upload.getvalue()
    if kind == "place_groupings":
        return validate_place_groupings(
            raw, system.practices["practice_code"], filename=upload.name
        )
    if kind == "practice_list":
        return validate_practice_list(
            raw, layers.read_table("pcns")["pcn_code"], filename=upload.name
        )
    if kind == "budgets":
        return validate_budgets(raw, loaders.allocation_frame(system_key), filename=upload.name)
    return validate_boundaries(raw, upload.name)


def apply(kind: str) -> None:
    """Apply the pending report of one kind to the session (a new SessionData)."""
    report = st.session_state.pop(f"pending_{kind}")
    updated = st.session_state.get("uploads", SessionData()).apply(report)
    st.session_state["uploads"] = updated
    st.session_state["uploads_ics"] = code
    if kind == "place_groupings":
        st.session_state["grouping_digest"] = loaders.register_grouping(report.accepted)
    if kind == "budgets":
        # The allocation page's "current allocation" (distance from target) uses these.
        st.session_state["alloc_current"] = {
            "key": (code, ctx.place_definition),
            "name": report.filename or "your budgets",
            "totals": report.accepted.reset_index(drop=True),
        }
    st.session_state["data_message"] = f"Applied: {report.summary}"


def clear(kind: str) -> None:
    """Drop one kind of upload from the session."""
    st.session_state["uploads"] = st.session_state.get("uploads", SessionData()).clear(kind)
    if kind == "place_groupings":
        st.session_state.pop("grouping_digest", None)
    if kind == "budgets":
        st.session_state.pop("alloc_current", None)
    st.session_state["data_message"] = f"Cleared your {SCHEMAS[kind].title.lower()}."


if message := st.session_state.pop("data_message", None):
    st.success(message)

ACCEPT = {
    "place_groupings": ["csv"],
    "practice_list": ["csv"],
    "budgets": ["csv"],
    "boundaries": ["geojson", "json", "gpkg", "zip"],
}
EFFECT = {
    "place_groupings": "Every page then uses your places (practices you leave out keep "
    "their place under the sidebar's definition).",
    "practice_list": "The Overview page then compares your list with the July 2022 "
    "registrations (list sizes and PCN membership).",
    "budgets": "The Service allocation page then measures distance from target against "
    "your current budgets instead of equal per head.",
    "boundaries": "The Map page then draws your proposed boundaries over the five layers.",
}

for kind, schema in SCHEMAS.items():
    held = session.get(kind)
    st.subheader(schema.title)
    st.caption(EFFECT[kind])
    if held is not None:
        st.info(f"In use this session: {len(held):,} {schema.title.lower()} row(s).")
        st.button("Clear", key=f"clear_{kind}", on_click=clear, args=(kind,))
    with st.expander("What the file must contain"):
        schema_table = describe_schema(kind)
        st.dataframe(schema_table, hide_index=True)
        table_downloads(schema_table, f"{schema.title} upload schema", f"schema_{kind}")
        if kind != "boundaries":
            st.download_button(
                "Download a template",
                data=template_csv(kind),
                file_name=f"{kind}_template.csv",
                mime="text/csv",
                key=f"template_{kind}",
                on_click="ignore",
            )
    upload = st.file_uploader(
        f"Upload {schema.title.lower()}", type=ACCEPT[kind], key=f"upload_{kind}"
    )
    if upload is None:
        st.session_state.pop(f"pending_{kind}", None)
        continue
    with st.spinner(f"Checking {upload.name}…"):
        try:
            report = validate(kind, upload)
        except UploadError as problem:
            st.error(f"{upload.name} was not used: {problem}")
            continue
    st.session_state[f"pending_{kind}"] = report
    (st.warning if len(report.rejected) else st.success)(report.summary)
    for warning in report.warnings:
        st.caption(f"Note: {warning}")
    if len(report.rejected):
        rejected = report.rejected.rename(columns={"row": "Row", "reason": "Why rejected"})
        st.dataframe(rejected, hide_index=True)
        table_downloads(rejected, f"Rejected rows of {upload.name}", f"rejected_{kind}")
    st.button(
        f"Apply {len(report.accepted):,} accepted row(s)",
        key=f"apply_{kind}",
        type="primary",
        on_click=apply,
        args=(kind,),
    )

scaffold.finish(ctx)
