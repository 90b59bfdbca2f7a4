"""Files the allocation page reads: scenarios (JSON) and a current allocation (CSV).

Each reader is a widget callback: it runs before the page draws, checks the file
completely, and either changes the page's state or leaves a message saying why not
(and nothing else changes). A current allocation goes through the same validated
budgets path as the Your data page (:func:`layers.uploads.validate_budgets`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.scaffold import PageContext, SystemKey, plain
from dashboard.sections.allocation import state
from dashboard.sections.allocation.common import (
    MAX_SHARE,
    Run,
    bullet_lines,
    leave_message,
    variant,
)
from layers.allocation import DEPRIVATION_MEASURES, Scenario, ScenarioError, run_scenario
from layers.uploads import UploadError, validate_budgets

#: A scenario file is a few kB; refuse anything this large before parsing it.
MAX_SCENARIO_BYTES = 2_000_000
# Uploaders and the messages their callbacks leave.
LOAD = "alloc_load"
LOAD_MESSAGE = "alloc_message"
COMPARE_UPLOAD = "alloc_compare_upload"
COMPARE_MESSAGE = "alloc_compare_message"
CURRENT_UPLOAD = "alloc_current_upload"
CURRENT_MESSAGE = "alloc_current_message"
#: The largest file an uploader takes, in MB.
MAX_UPLOAD_MB = 2


def uploader(
    place: object,
    label: str,
    kind: str,
    key: str,
    read: Callable[[SystemKey], None],
    system: SystemKey,
    **options: object,
) -> None:
    """A file uploader whose callback reads the file, for this ICS and places.

    Parameters
    ----------
    place : object
        Where to draw it: ``st`` or a column.
    label : str
        The uploader's label.
    kind : str
        The file type taken, e.g. ``"json"`` or ``"csv"``.
    key : str
        The uploader's key, which its callback reads the file from.
    read : Callable[[SystemKey], None]
        The callback (:func:`load_scenario`, :func:`add_files_to_library` or
        :func:`load_current`); it checks the file and leaves a message.
    system : SystemKey
        The ICS and place definition the file is read for.
    **options : object
        Further keywords for ``file_uploader``, e.g. ``help``.
    """
    place.file_uploader(
        label,
        type=[kind],
        max_upload_size=MAX_UPLOAD_MB,
        key=key,
        on_change=read,
        args=(system,),
        **options,
    )


def _scenario_bytes(file: object) -> bytes:
    data = file.getvalue()
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"the file is {len(data) / 1e6:.1f} MB; a scenario file is a few kB "
            f"(limit {MAX_SCENARIO_BYTES / 1e6:.0f} MB)"
        )
    return data


def check_page_can_show(scenario: Scenario) -> None:
    """Raise ScenarioError if the page's controls cannot represent the scenario."""
    parameters = scenario.parameters
    share = parameters.get("share_percent")
    if share is not None and share > MAX_SHARE:
        raise ScenarioError(
            f"its share moved is {share:g}%, above this page's limit of {MAX_SHARE:g}%"
        )
    column = parameters.get("deprivation_column")
    if column is not None:
        scale = parameters.get("deprivation_scale")
        if column not in DEPRIVATION_MEASURES or DEPRIVATION_MEASURES[column][0] != scale:
            offered = ", ".join(f"{c} ({s})" for c, (s, _) in DEPRIVATION_MEASURES.items())
            raise ScenarioError(
                f"its deprivation measure {column!r} read as {scale!r} is not one this page "
                f"offers ({offered})"
            )
    population = parameters.get("population_column")
    if population is not None and population not in state.POPULATIONS:
        raise ScenarioError(f"its population {population!r} is not one this page offers")


def load_scenario(key: SystemKey) -> None:
    """Callback: load an uploaded scenario into the controls, or say why not."""
    file = st.session_state.get(LOAD)
    if file is None:
        return
    try:
        scenario, _ = run_scenario(_scenario_bytes(file), loaders.allocation_frame(key))
        check_page_can_show(scenario)
    except ScenarioError as exc:
        leave_message(
            LOAD_MESSAGE,
            "error",
            f"Could not load **{plain(file.name)}**: {plain(exc)}. Nothing was changed.",
        )
        return
    state.apply_scenario(scenario, key.code, f"scenario file {file.name}")
    leave_message(LOAD_MESSAGE, "success", f"Loaded scenario “{scenario.name}” from {file.name}.")


def add_to_library(scenario_json: str) -> None:
    """Callback: keep the working scenario in the comparison list.

    The choices stay as they are: the kept copy equals the working scenario until its
    settings change, so comparing the two now would show nothing but zeros.
    """
    scenario = Scenario.from_json(scenario_json)
    library = st.session_state[state.LIBRARY]
    name, suffix = scenario.name, 2
    while name in library and library[name] != scenario_json:
        name = f"{scenario.name} ({suffix})"
        suffix += 1
    library[name] = scenario_json
    leave_message(
        COMPARE_MESSAGE,
        "success",
        f"Added “{name}” to the comparison list. Change the settings above, then choose it "
        "as scenario A or B to compare it with them.",
    )


def add_files_to_library(key: SystemKey) -> None:
    """Callback: add uploaded scenario files to the comparison list, checking each."""
    files = st.session_state.get(COMPARE_UPLOAD) or []
    frame = loaders.allocation_frame(key)
    added, problems = [], []
    for file in files:
        try:
            scenario, _ = run_scenario(_scenario_bytes(file), frame)
        except ScenarioError as exc:
            problems.append(f"{plain(file.name)}: {plain(exc)}")
            continue
        st.session_state[state.LIBRARY][scenario.name] = scenario.to_json()
        added.append(scenario.name)
    if added:
        st.session_state[state.COMPARE_B] = f"library:{added[-1]}"
    text = "Added " + ", ".join(f"“{plain(n)}”" for n in added) + "." if added else ""
    if problems:
        leave_message(
            COMPARE_MESSAGE,
            "error",
            (text + " " if text else "")
            + "Not added (nothing else changed):\n"
            + "\n".join(f"- {p}" for p in problems),
        )
    elif added:
        leave_message(COMPARE_MESSAGE, "success", text)


def load_current(key: SystemKey) -> None:
    """Callback: take a 'current allocation' CSV, validated as Your data's budgets are."""
    file = st.session_state.get(CURRENT_UPLOAD)
    if file is None:
        return
    try:
        report = validate_budgets(
            file.getvalue(), loaders.allocation_frame(key), filename=file.name
        )
    except UploadError as exc:
        leave_message(
            CURRENT_MESSAGE,
            "error",
            f"Could not use **{file.name}**: {bullet_lines(exc)}\n\n"
            "The current allocation is unchanged.",
        )
        return
    totals = report.accepted.reset_index(drop=True)
    st.session_state[state.CURRENT_KEY] = {
        "key": (key.code, key.place_definition),
        "name": file.name,
        "totals": totals,
    }
    notes = "".join(f"\n\nNote: {warning}" for warning in report.warnings)
    leave_message(
        CURRENT_MESSAGE,
        "success",
        f"Using {file.name} (by {totals['level'].iloc[0]}) as the current allocation.{notes}",
    )


def clear_current() -> None:
    """Callback: go back to equal per head as the current allocation."""
    st.session_state.pop(state.CURRENT_KEY, None)
    leave_message(CURRENT_MESSAGE, "success", "Back to equal per head as the current allocation.")


@dataclass(frozen=True)
class Current:
    """The allocation the scenario is measured against."""

    #: Allocations (equal per head) or unit totals (an upload).
    money: pd.DataFrame
    label: str
    #: The uploaded unit totals, or None for equal per head.
    uploaded: pd.DataFrame | None
    #: Equal per head of the scenario's budget and catalogue, as JSON text.
    equal_json: str

    @property
    def level(self) -> str:
        """The level the current allocation is given at."""
        return "practice" if self.uploaded is None else str(self.uploaded["level"].iloc[0])


def current_allocation(ctx: PageContext, run: Run) -> Current:
    """The uploaded current allocation for this ICS and places, else equal per head."""
    entry = st.session_state.get(state.CURRENT_KEY)
    equal_json = variant(run.scenario, "equal_per_head", "Equal per head")
    if entry and entry["key"] == (ctx.code, ctx.place_definition):
        return Current(entry["totals"], entry["name"], entry["totals"], equal_json)
    equal = loaders.allocation_run(ctx.key, equal_json)
    return Current(equal, "Equal per head", None, equal_json)
