"""Your risk tiers: aggregates of your own records, checked, shown, then applied or cleared.

The file is what ``python -m layers.people aggregate`` wrote inside the secure data
environment: disclosure-controlled counts only. :func:`layers.people.validate_aggregates_upload`
re-checks it here; a person-level file, or one that fails the check, is refused with the
reasons and nothing else changes. Accepted aggregates are kept in this session only.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from dashboard.risk_source import HeldAggregates, covered, held
from dashboard.scaffold import plain, quote
from dashboard.sections.data.upload import MESSAGE_KEY
from dashboard.state import AGGREGATES_KEY
from layers import format as fmt
from layers.people import AggregatesUpload, validate_aggregates_upload
from layers.uploads import UploadError

_PENDING = "pending_aggregates"
EFFECT = (
    "The Population tiers page's “People at risk” tab and the Inequality page's at-risk "
    "indicator (and their slides) then show your published counts instead of the synthetic "
    "individuals', labelled as your data, wherever the file covers the ICS and vintage shown."
)
HOW = """
Make the file **inside your secure data environment**, where the person-level extract
lives (schema: `python -m layers.people schema`):

```bash
python -m layers.people aggregate EXTRACT --out aggregates.parquet
python -m layers.people check aggregates.parquet
```

Only that Parquet file may be uploaded: counts by practice, PCN, place and ICS × risk
tier, IMD decile and age band, with 0 kept, 1 to 7 suppressed and others rounded to 5.
It is checked again here; a file with person-level rows, or any count or total that
breaks the rule, is refused.
"""


def _facts(upload: AggregatesUpload, filename: str) -> pd.DataFrame:
    """What the file holds, in words (plain text: nothing from the file is rendered)."""
    cells = upload.cells
    rows = [
        ("File", filename),
        ("ICSs covered", covered(upload)),
        ("Data vintage", upload.vintage),
        ("Cells", f"{fmt.count(len(cells))} ({fmt.count(int(cells['people'].isna().sum()))} *)"),
        ("Rule applied (as the file states it)", str(upload.metadata.get("rule", "not stated"))),
        ("Engine", upload.engine),
        ("Made on", upload.created),
    ]
    return pd.DataFrame(rows, columns=["About the file", "Value"])


def _sentence(name: object) -> str:
    """``rows_read`` → "Rows read"; "reject: null LSOA" keeps its capitals."""
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def _counts(upload: AggregatesUpload) -> pd.DataFrame:
    """The file's row and reject counts (rounded, as it records them)."""
    summary = dict(upload.metadata.get("summary") or {})
    return pd.DataFrame(
        {
            "Rows of the extract (rounded to 5)": [_sentence(k) for k in summary],
            "People": [fmt.count(v) for v in summary.values()],
        }
    )


def _apply() -> None:
    kept: HeldAggregates = st.session_state.pop(_PENDING)
    st.session_state[AGGREGATES_KEY] = kept
    st.session_state[MESSAGE_KEY] = (
        f"Applied: your aggregates for {covered(kept.upload)} ({kept.upload.vintage} vintage)."
    )


def _clear() -> None:
    st.session_state.pop(AGGREGATES_KEY, None)
    st.session_state[MESSAGE_KEY] = "Cleared your aggregates: pages show the synthetic individuals."


def draw() -> None:
    """The section: what is in use, how to make the file, the upload and its check."""
    st.subheader("Your risk tiers (aggregates of your own records)")
    st.caption(EFFECT)
    kept = held()
    if kept is not None:
        st.info(
            f"In use this session: {quote(kept.filename)}, aggregates for "
            f"{covered(kept.upload)} ({kept.upload.vintage} vintage)."
        )
        st.button("Clear", key="clear_aggregates", on_click=_clear)
    with st.expander("How to make the file"):
        st.markdown(HOW)
    upload = st.file_uploader(
        "Upload aggregates (.parquet)", type=["parquet"], key="upload_aggregates"
    )
    if upload is None:
        st.session_state.pop(_PENDING, None)
        return
    raw = upload.getvalue()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    if kept is not None and kept.digest == digest:
        st.caption(f"{quote(upload.name)} is the file in use.")
        return
    pending: HeldAggregates | None = st.session_state.get(_PENDING)
    if pending is None or pending.digest != digest:  # a rerun does not check it again
        with st.spinner(f"Checking {quote(upload.name)}…"):
            try:
                accepted = validate_aggregates_upload(raw)
            except UploadError as problem:
                st.session_state.pop(_PENDING, None)
                # The reasons may name a file's own values: shown as plain text.
                lines = [plain(line) for line in str(problem).splitlines()]
                st.error("  \n".join([f"{quote(upload.name)} was not used.", *lines]))
                return
        pending = HeldAggregates(accepted, digest, upload.name)
        st.session_state[_PENDING] = pending
    accepted = pending.upload
    st.success(
        f"{quote(upload.name)} passed the disclosure check: aggregates for "
        f"{covered(accepted)} ({accepted.vintage} vintage)."
    )
    st.dataframe(_facts(accepted, upload.name), hide_index=True, key="aggregates_facts")
    st.dataframe(_counts(accepted), hide_index=True, key="aggregates_counts")
    st.button("Apply these aggregates", key="apply_aggregates", type="primary", on_click=_apply)
