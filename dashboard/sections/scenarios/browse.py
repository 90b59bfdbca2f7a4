"""The library's list: filter by ICS and author, search by name, current or archived.

The table lists every scenario this user may see (shared ones, and their own private
ones); names, authors and descriptions are shown as text and neutralised in downloads.
One scenario is chosen below the table for the actions and versions sections.
"""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, store
from dashboard.exports import show_table
from dashboard.scaffold import warn_link

#: Session key of the chosen scenario's id (set by actions that make a new one).
CHOSEN = "library_chosen"
#: The chosen scenario in the link (``scenario=`` is the one open in the session).
LINK = "item"
_SHOW = {"current": "Current", "archived": "Archived (restore them here)"}


def _offered(key: str, options: list[str]) -> None:
    """Forget a choice that is no longer offered (an author whose scenarios went)."""
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)


def _filters(library: store.ScenarioStore, user: store.User) -> dict:
    # Saved scenarios may be of either vintage: both vintages' ICSs are offered.
    names = {**loaders.system_names("2022"), **loaders.system_names("2026")}
    authors = dict(library.authors(user))
    columns = st.columns([3, 2, 3, 2])
    ics = columns[0].selectbox(
        "ICS",
        ["", *names],
        format_func=lambda code: f"{names[code]} ({code})" if code else "All ICSs",
        key="library_ics",
    )
    _offered("library_author", ["", *authors])
    author = columns[1].selectbox(
        "Author",
        ["", *authors],
        format_func=lambda who: authors[who] if who else "Everyone",
        key="library_author",
    )
    search = columns[2].text_input(
        "Search by name", key="library_search", max_chars=store.MAX_NAME_LENGTH
    )
    shown = columns[3].radio("Show", list(_SHOW), format_func=_SHOW.get, key="library_show")
    return {
        "ics": ics or None,
        "author": author or None,
        "search": search.strip() or None,
        "archived_only": shown == "archived",
    }


def _label(summary: store.ScenarioSummary) -> str:
    return (
        f"{summary.name} · {summary.ics} · {summary.author_name} · "
        f"{summary.updated_at:%d %b %Y %H:%M}"
    )


def draw(library: store.ScenarioStore, user: store.User) -> store.ScenarioSummary | None:
    """The filters, the table and the choice of one scenario (None if none is listed)."""
    filters = _filters(library, user)
    summaries = library.list_scenarios(user, **filters)
    if not summaries:
        linked = st.query_params.pop(LINK, None)
        if linked is not None:
            warn_link("the scenario", linked, "the library")
        filtered = any(v for k, v in filters.items() if k != "archived_only")
        st.info(
            "No scenario matches these filters."
            if filtered or filters["archived_only"]
            else "No scenario has been saved yet. Save one from the Population tiers, "
            "Service allocation or Your data page (“Save as a scenario”), or import a file "
            "below."
        )
        return None
    show_table(
        store.library_table(summaries),
        "Scenario library",
        "library",
        height=min(35 * (len(summaries) + 1) + 3, 400),
    )
    by_id = {summary.id: summary for summary in summaries}
    _offered(CHOSEN, list(by_id))
    linked = st.query_params.get(LINK)
    if CHOSEN not in st.session_state and linked is not None:  # the link, on a first visit
        if linked in by_id:
            st.session_state[CHOSEN] = linked
        else:
            warn_link("the scenario", linked, "the most recently saved one")
    chosen = st.selectbox(
        f"Scenario ({len(summaries)} listed)",
        list(by_id),
        format_func=lambda scenario_id: _label(by_id[scenario_id]),
        key=CHOSEN,
    )
    st.query_params[LINK] = chosen
    return by_id[chosen]
