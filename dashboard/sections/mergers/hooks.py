"""Save and reopen a what-if merge through the scenario library (kind ``"merge"``).

Registered in :data:`dashboard.sections.scenarios.documents.KIND_HOOKS` on import;
``restore`` imports this module, so the hooks exist before the router reads a link.
"""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, store
from dashboard.scaffold import quote
from dashboard.sections.scenarios import documents

#: The what-if picker's session key and the link text last read (see ``whatif``).
PICK_KEY = "merge_pick"
LINK_TEXT_KEY = "merge_link_text"


def check(document: store.ScenarioDocument) -> None:
    """Refuse a merge whose ICBs are not all ICBs of the document's vintage."""
    names = loaders.system_names(document.vintage)
    unknown = [code for code in document.merge or () if code not in names]
    if unknown:
        raise documents.CannotOpenError(
            f"its what-if merge names {', '.join(quote(c) for c in unknown)}, not ICBs of "
            f"the {document.vintage} data"
        )


def apply(document: store.ScenarioDocument) -> None:
    """Put the saved ICBs in the what-if picker and the link."""
    codes = sorted(document.merge or ())
    text = ",".join(codes)
    st.session_state[PICK_KEY] = codes
    st.session_state[LINK_TEXT_KEY] = text
    st.query_params["merge"] = text


def close(document: store.ScenarioDocument) -> None:
    """Back to no what-if merge."""
    st.session_state[PICK_KEY] = []
    st.session_state[LINK_TEXT_KEY] = None
    st.query_params.pop("merge", None)


documents.KIND_HOOKS["merge"] = documents.KindHooks(check=check, apply=apply, close=close)
