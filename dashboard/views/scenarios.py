"""Scenario library: every saved what-if this user may see, its versions, and files.

Open, duplicate, rename, share, archive and restore scenarios; see and compare their
versions; export and import scenario files. The storage is :mod:`dashboard.store`,
opened once per server process (:func:`dashboard.loaders.scenario_store`).
"""

import streamlit as st

from dashboard import loaders, scaffold, store
from dashboard.sections.scenarios import account, actions, browse, transfer, versions
from dashboard.sections.scenarios.documents import said

ctx = scaffold.context()
scaffold.start(ctx, "Scenario library")
st.markdown(
    "What-ifs saved from the Population tiers, Service allocation and Your data pages "
    "(“Save as a scenario”), kept on this server for the whole team. Each save of a "
    "scenario is a new version and nothing is deleted: archived scenarios can be "
    "restored. Opening a scenario replaces this session's what-ifs with it until you go "
    "back to the real configuration; its link (`?scenario=…`) opens it for anyone."
)

try:
    library = loaders.scenario_store()
except store.CorruptStore as problem:
    library = None
    st.error(
        f"{said(problem)} Every other page works as before; scenarios cannot be saved "
        "or opened until the file is replaced."
    )
except store.StoreUnavailable as problem:
    library = None
    st.warning(
        f"The scenario library is unavailable: {said(problem)} Every other page works "
        "as before, and what you have open stays in this session."
    )
    st.button("Try the library again", on_click=loaders.forget_store_failure)

if library is not None:
    user = account.current_user()
    account.explain(user)
    try:
        chosen = browse.draw(library, user)
        if chosen is not None:
            st.divider()
            actions.draw(library, user, chosen)
            versions.draw(ctx, library, user, chosen)
        st.divider()
        transfer.draw(ctx, library, user)
    except store.StoreUnavailable as problem:  # the database went away while drawing
        st.warning(f"The scenario library stopped answering: {said(problem)}")

scaffold.finish(ctx)
