"""A scenario's history: every version, open any of them, and compare two.

The comparison reuses the pages' own views, never a new drawing: for an allocation,
the Service allocation page's side-by-side table and its differences by place and by
PCN in £ (:func:`dashboard.sections.allocation.compare.side_by_side`); for a tiers
scenario, the units whose band flag changes and the Population tiers page's band counts
chart for each version; for an uploaded grouping, the practices that change place.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders, store
from dashboard.exports import COUNT, show_figure, show_table
from dashboard.scaffold import PageContext, warn_link
from dashboard.sections.allocation import compare as allocation_compare
from dashboard.sections.allocation.common import Run
from dashboard.sections.scenarios import actions, documents
from dashboard.state import SystemKey
from layers import tiers
from layers.figures import tiers as tier_figures
from layers.flag_changes import flag_changes


def _system_key(document: store.ScenarioDocument, name: str) -> SystemKey:
    """The system a version's numbers come from (its uploaded grouping registered)."""
    key = SystemKey(document.ics, document.place_definition, document.vintage)
    if document.place_groupings is None:
        return key
    digest = loaders.register_grouping(documents.grouping_report(document, name).accepted)
    return key._replace(place_definition=f"custom:{document.place_definition}:{digest}")


def _allocations(ctx: PageContext, first: store.ScenarioDocument, second, key: SystemKey) -> None:
    frame = loaders.allocation_frame(key)
    scenario_json = first.allocation.to_json()
    allocations = loaders.allocation_run(key, scenario_json)
    run = Run(frame, first.allocation, scenario_json, allocations, "place")
    system_ctx = PageContext(key, loaders.system_names(key.vintage)[key.code], ctx.bands, False)
    allocation_compare.side_by_side(system_ctx, run, first.allocation, second.allocation)


def _tiers(first: store.ScenarioDocument, second: store.ScenarioDocument, key: SystemKey) -> None:
    real = loaders.tier_tables(key)
    flags = [
        tiers.flag_units(tiers.apply_regrouping(real, doc.regrouping), doc.bands)
        for doc in (first, second)
    ]
    changes = flag_changes(*flags)
    st.subheader("Units whose band flag changes: A → B")
    if changes.empty:
        st.info("Every unit has the same registered patients and band flag in A and B.")
    else:
        table = pd.DataFrame(
            {
                "Layer": changes["layer"].map(tiers.LAYER_LABELS),
                "Unit": changes["name"],
                "Code": changes["code"],
                "A: registered patients": changes["registered_patients_a"],
                "B: registered patients": changes["registered_patients_b"],
                "Change": changes["change"],
            }
        )
        show_table(
            table,
            f"Band flag changes {key.code}",
            "library_flag_changes",
            formats={c: COUNT for c in ("A: registered patients", "B: registered patients")},
        )
    columns = st.columns(2)
    for column, label, doc, flagged in zip(columns, "AB", (first, second), flags, strict=True):
        title = f"Version {label}: units below, within and above their band"
        with column:
            show_figure(
                tier_figures.band_counts(flagged, doc.bands, title), title, f"library_bands_{label}"
            )


def _groupings(first: store.ScenarioDocument, second: store.ScenarioDocument) -> None:
    a, b = first.place_groupings_frame(), second.place_groupings_frame()
    both = pd.merge(a, b, on="practice_code", how="outer", suffixes=(" in A", " in B"))
    moved = both[both["place_name in A"].fillna("") != both["place_name in B"].fillna("")]
    st.subheader("Practices whose place changes: A → B")
    if moved.empty:
        st.info("Every practice has the same place in A and B.")
        return
    table = moved.rename(
        columns={"practice_code": "Practice", "place_name in A": "A", "place_name in B": "B"}
    )
    show_table(table, "Practices that change place", "library_grouping_changes")


def _compare(ctx: PageContext, first: store.ScenarioVersion, second: store.ScenarioVersion) -> None:
    a, b = first.document, second.document
    if (a.place_definition, a.place_groupings) != (b.place_definition, b.place_groupings) and (
        a.kind != "place_grouping"
    ):
        st.info(
            "These versions use different places, so their numbers cannot be set side by "
            "side by place. Open each of them to see its numbers."
        )
        return
    try:
        documents.check_fits(a)
        key = _system_key(a, first.scenario.name)
    except (documents.CannotOpenError, store.DocumentError) as problem:
        st.info(f"These versions cannot be compared here: {documents.said(problem)}")
        return
    if a.kind == "allocation":
        _allocations(ctx, a, b, key)
    elif a.kind == "tiers":
        _tiers(a, b, key)
    elif a.kind == "place_grouping":
        _groupings(a, b)
    else:
        st.info("What-if merges are compared on the Mergers page.")


#: The two versions compared, in the link.
COMPARED = ("version_a", "version_b")


def _compared(scenario_id: str, param: str, numbers: list[int], default: int) -> str:
    """The session key of one compared version, set from the link on a first visit."""
    key = f"library_{param}_{scenario_id}"
    linked = st.query_params.get(param)
    if key not in st.session_state:
        chosen = numbers[default]
        if linked is not None:
            if linked.isdigit() and int(linked) in numbers:
                chosen = int(linked)
            else:
                warn_link("version", linked, f"version {chosen}")
        st.session_state[key] = chosen
    return key


def draw(
    ctx: PageContext, library: store.ScenarioStore, user: store.User, summary: store.ScenarioSummary
) -> None:
    """The versions table; open one; compare two."""
    history = library.versions(summary.id, user)
    st.subheader("Versions")
    table = pd.DataFrame(
        {
            "Version": [v.version for v in history],
            "Saved by": [v.saved_by_name for v in history],
            "Saved (UTC)": [f"{v.saved_at:%Y-%m-%d %H:%M}" for v in history],
        }
    )
    show_table(table, f"Versions of {summary.name}", "library_versions")
    numbers = [v.version for v in history]
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    chosen = left.selectbox("Version", numbers, key=f"library_version_{summary.id}")
    if right.button("Open this version", key="library_open_version", disabled=summary.archived):
        actions.open_scenario(summary, user, chosen)
    if len(numbers) < 2:
        for param in COMPARED:
            st.query_params.pop(param, None)
        st.caption("Compare versions once there are two: save the scenario again from its page.")
        return
    st.subheader("Compare two versions")
    a, b = (
        column.selectbox(f"Version {label}", numbers, key=_compared(summary.id, param, numbers, i))
        # A the version before, B the newest: A → B reads as what the last save changed.
        for column, label, param, i in zip(st.columns(2), "AB", COMPARED, (1, 0), strict=True)
    )
    for param, value in zip(COMPARED, (a, b), strict=True):
        st.query_params[param] = str(value)
    if a == b:
        st.info("Choose two different versions to compare.")
        return
    _compare(
        ctx, library.get_version(summary.id, user, a), library.get_version(summary.id, user, b)
    )
