"""What-if merge: any ICBs of the vintage in use as one hypothetical system.

The choice is in the link (``?merge=E54000071,E54000019``). A link that names one ICB,
none, an unknown code or a code of the other vintage gets the library's message (the
codes quoted) and no figures; the picker then starts empty.
"""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.link import ics_label
from dashboard.scaffold import PageContext, plain, quote
from dashboard.sections.mergers import before_after
from dashboard.sections.mergers.hooks import LINK_TEXT_KEY as _LINK_TEXT
from dashboard.sections.mergers.hooks import PICK_KEY
from layers.mergers import MergeError


def parse(text: str | None) -> list[str]:
    """The codes of a ``merge`` link value: comma-separated, blanks dropped.

    Examples
    --------
    >>> parse("E54000071, e54000019,,")
    ['E54000071', 'e54000019']
    >>> parse(None)
    []
    """
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _read_link(ctx: PageContext, options: list[str]) -> None:
    """Read ``?merge=`` into the picker when the link is new; warn if it cannot be used."""
    requested = st.query_params.get("merge")
    if PICK_KEY in st.session_state and requested == st.session_state.get(_LINK_TEXT):
        return
    st.session_state[_LINK_TEXT] = requested
    codes = parse(requested)
    if requested is None:
        st.session_state.setdefault(PICK_KEY, [])
        return
    try:
        merged = loaders.what_if_merge(tuple(codes), ctx.vintage, ctx.bands)
    except MergeError as problem:
        st.warning(
            f"The link asked for a what-if merge of {quote(requested)}, which cannot be "
            f"shown: {plain(problem)} Pick two or more ICBs of the {ctx.vintage} data below."
        )
        st.session_state[PICK_KEY] = []
        return
    st.session_state[PICK_KEY] = [c for c in merged.code.split("+") if c in options]


def draw(ctx: PageContext) -> None:
    """The picker and, for two or more ICBs, the merged system's figures."""
    names = loaders.system_names(ctx.vintage)
    options = sorted(names, key=names.get)
    _read_link(ctx, options)
    # ICBs of another vintage (after a switch) are not offered: drop them.
    st.session_state[PICK_KEY] = [c for c in st.session_state[PICK_KEY] if c in options]
    chosen = st.multiselect(
        f"ICBs to merge ({ctx.info.n_icbs} ICBs of {ctx.info.icb_date})",
        options,
        key=PICK_KEY,
        format_func=lambda c: ics_label(c, ctx.vintage),
        help="Any ICBs of the data vintage in use, seen as one hypothetical system.",
    )
    text = ",".join(sorted(chosen))
    if chosen:
        st.query_params["merge"] = text
    else:
        st.query_params.pop("merge", None)
    st.session_state[_LINK_TEXT] = text or None
    if len(chosen) < 2:
        st.info(
            "Pick two or more ICBs to see them as one system: tiers against bands, each "
            "one's need inside the merged system, Core20 and councils."
            + (f" {names[chosen[0]]} alone is not a merger." if chosen else "")
        )
        return
    try:
        merged = loaders.what_if_merge(tuple(sorted(chosen)), ctx.vintage, ctx.bands)
    except MergeError as problem:
        st.warning(f"This what-if merge cannot be shown: {plain(problem)}")
        return
    st.subheader(f"What if {merged.name} merged?")
    from dashboard.sections.scenarios import save
    from dashboard.sections.scenarios.documents import page_document

    codes = tuple(sorted(chosen))
    save.draw(ctx, lambda: page_document(ctx, "merge", merge=codes), "merge")
    from dashboard.exports import show_figure

    show_figure(
        loaders.what_if_map(tuple(sorted(chosen)), ctx.vintage), "What-if map", "whatif_map"
    )
    before_after.draw(merged, "whatif")
