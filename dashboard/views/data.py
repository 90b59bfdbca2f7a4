"""Your data: upload local files, see what was accepted and rejected, then apply or discard.

Uploads live only in this browser session; the built-in data is never modified.
"""

import streamlit as st

from dashboard import scaffold
from dashboard.sections.data import aggregates, upload
from dashboard.sections.scenarios import save
from dashboard.sections.scenarios.documents import page_document, page_groupings
from dashboard.state import UPLOADS_ICS_KEY
from layers.uploads import SCHEMAS

ctx = scaffold.context()
made_for = st.session_state.get(UPLOADS_ICS_KEY)
if made_for not in (None, ctx.code) and upload.session_data().kinds:
    st.warning(
        f"Your uploads were made for ICS {made_for}; they apply only when that ICS is "
        "chosen. Clear them below to upload for this ICS."
    )
st.title("Your data")
scaffold.place_note(ctx)
st.markdown(
    "Bring your own place groupings, practice list, budgets or proposed boundaries, and "
    "the risk-tier aggregates of your own records. "
    "Each file is checked against the schema below and you see exactly what was "
    "accepted and rejected (with spreadsheet row numbers, header = row 1) **before** "
    "anything is applied. Uploads stay in this browser session only and can be cleared "
    f"at any time; the built-in data is never changed. Files up to "
    f"{st.get_option('server.maxUploadSize')} MB; zips are checked before extraction."
)
upload.show_message()
for kind in SCHEMAS:
    upload.draw(ctx, kind)
    if kind == "place_groupings" and page_groupings(ctx) is not None:
        save.draw(ctx, lambda: page_document(ctx, "place_grouping"), "data")
aggregates.draw()
scaffold.finish(ctx)
