"""The scenario: its name, budget, method and parameters, checked into a run.

:func:`draw` shows the controls and the catalogue, builds the scenario and runs it. Bad
input is reported between the controls and the catalogue, and the page keeps showing
the last scenario that worked. The scenario is kept for other pages (as JSON text in
session state) and in the link, and can be saved and loaded as a file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.scaffold import PageContext
from dashboard.sections.allocation import catalogue, files, state
from dashboard.sections.allocation.common import (
    INEQUALITY_METHODS,
    MAX_SHARE,
    METHOD_HELP,
    Run,
    auto_name,
    named_choice,
    show_message,
)
from layers import format as fmt
from layers.allocation import (
    DEPRIVATION_MEASURES,
    ILLUSTRATIVE_POUNDS_PER_HEAD,
    LEVEL_NAMES,
    LEVELS,
    METHOD_NAMES,
    METHODS,
    CatalogueError,
    Scenario,
    ScenarioError,
    budget_to_pence,
    default_scenario,
    validate_catalogue,
)
from layers.export import file_stem

_METHODS_WITH_POPULATION = ("equal_per_head", "inequality_level_up")


def _parameters(method: str) -> dict:
    """The method's parameter controls; their values as the method's parameters."""
    parameters: dict = {}
    if method in _METHODS_WITH_POPULATION:
        parameters["population_column"] = st.session_state[state.POPULATION]
    if method not in INEQUALITY_METHODS:
        return parameters
    share_col, deprivation_col, threshold_col = st.columns([3, 3, 4])
    share = share_col.slider(
        "Share of each service moved towards the most deprived (%)",
        0.0,
        MAX_SHARE,
        step=0.5,
        key=state.SHARE,
        persist_state="session",
    )
    deprivation = deprivation_col.radio(
        "Deprivation measure",
        list(DEPRIVATION_MEASURES),
        key=state.DEPRIVATION,
        format_func=lambda column: DEPRIVATION_MEASURES[column][1],
        persist_state="session",
    )
    parameters.update(
        share_percent=float(share),
        deprivation_column=deprivation,
        deprivation_scale=DEPRIVATION_MEASURES[deprivation][0],
    )
    if method == "inequality_level_up":
        parameters["threshold"] = threshold_col.number_input(
            "Threshold: deprivation (0–1) above which practices share the fund",
            min_value=0.0,
            max_value=1.0,
            # Blank by default, never 0: a browser that reports the input before it
            # has taken the value from the link sends its default back.
            value=None,
            step=0.05,
            key=state.THRESHOLD,
            placeholder="Blank: the ICS average",
            help="0–1, 1 = most deprived. Blank uses the population-weighted ICS average.",
            persist_state="session",
        )
    return parameters


def _inputs(code: str, vintage: str) -> tuple[str, str, str, dict]:
    """The scenario box: name, budget text, method and its parameters."""
    with st.container(border=True):
        st.markdown("**Scenario**")
        left, middle, right = st.columns([3, 3, 4])
        name = left.text_input(
            "Scenario name",
            key=state.NAME,
            placeholder="Blank: named after the method",
            help="Shown in titles and saved with the scenario.",
            persist_state="session",
        )
        budget = middle.text_input(
            "ICS budget in £ (your input, not a published allocation)",
            key=state.budget_key(code),
            help=(
                "The starting figure is illustrative: "
                f"{fmt.pounds(ILLUSTRATIVE_POUNDS_PER_HEAD)} per registered patient (NHS "
                f"England {loaders.allocation_year(vintage)} list), rounded. Type your own "
                "budget, e.g. 4,250,000,000."
            ),
            persist_state="session",
        )
        method = named_choice(
            "Allocation method", METHODS, METHOD_NAMES, state.METHOD, widget=right.selectbox
        )
        st.caption(METHOD_HELP[method] + " Each service is shared ICS → places → PCNs → practices.")
        return name, budget, method, _parameters(method)


def _build(
    ctx: PageContext, frame: pd.DataFrame, inputs: tuple[str, str, str, dict], edited
) -> tuple[Scenario, pd.DataFrame, list[str]]:
    """The scenario the inputs make and its allocations; bad input keeps the last good one."""
    name, budget_text, method, parameters = inputs
    text = st.session_state[state.LAST_GOOD].get(f"{ctx.code}|{ctx.place_definition}")
    last_good = Scenario.from_json(text) if text else default_scenario(frame)
    problems: list[str] = []
    try:
        table = validate_catalogue(edited)
    except (CatalogueError, TypeError) as exc:
        problems.append(f"**Catalogue:** {exc}.")
        table = last_good.catalogue
    try:
        budget = budget_to_pence(budget_text) / 100
        if budget <= 0:
            raise ValueError("the budget must be more than £0")
    except (TypeError, ValueError) as exc:
        problems.append(f"**Budget:** {exc}. Type pounds, e.g. 4,250,000,000.")
        budget = float(last_good.budget)
    try:
        scenario = Scenario(
            name.strip() or auto_name(method, parameters), budget, table, method, parameters
        )
        allocations = loaders.allocation_run(ctx.key, scenario.to_json())
    except (ScenarioError, ValueError) as exc:
        problems.append(f"**Method:** {exc}.")
        scenario = last_good
        allocations = loaders.allocation_run(ctx.key, scenario.to_json())
    return scenario, allocations, problems


def _keep(ctx: PageContext, scenario_json: str) -> None:
    """Keep the scenario that ran, for bad input next time and for other pages."""
    session = st.session_state
    session[state.LAST_GOOD][f"{ctx.code}|{ctx.place_definition}"] = scenario_json
    if session.get(state.SCENARIO_KEY) != scenario_json or session.get(state.SCENARIO_ICS_KEY) != (
        ctx.code
    ):
        session[state.SCENARIO_KEY] = scenario_json
        session[state.SCENARIO_ICS_KEY] = ctx.code


def _save_and_load(ctx: PageContext, scenario: Scenario, scenario_json: str) -> None:
    """Save the scenario as JSON; load one back."""
    save_col, load_col = st.columns([2, 3])
    with save_col:
        stem = file_stem(scenario.name, default="scenario")
        st.download_button(
            "Save scenario (JSON)",
            data=scenario_json,
            file_name=f"{stem}.json",
            mime="application/json",
            key="alloc_save",
            on_click="ignore",
            help="Download this scenario (name, budget, method, parameters and catalogue).",
        )
        st.caption(
            f"Scenario: **{scenario.name}** · budget {fmt.pounds(float(scenario.budget))} "
            f"(input) · {METHOD_NAMES[scenario.method]}"
        )
    files.uploader(
        load_col,
        "Load a scenario (JSON saved from this page)",
        "json",
        files.LOAD,
        files.load_scenario,
        ctx.key,
        help="A file that is malformed or cannot run for this ICS changes nothing.",
    )
    with load_col:
        show_message(files.LOAD_MESSAGE)


def draw(ctx: PageContext, frame: pd.DataFrame) -> Run:
    """The scenario's controls and catalogue, then save and load, then the level."""
    inputs = _inputs(ctx.code, ctx.vintage)
    problems_box = st.container()  # between the controls and the catalogue
    edited = catalogue.draw(ctx)
    scenario, allocations, problems = _build(ctx, frame, inputs, edited)
    if problems:
        problems_box.error(
            "\n\n".join(problems)
            + f"\n\nThe figures below still show the last scenario that worked: “{scenario.name}”."
        )
    scenario_json = scenario.to_json()
    _keep(ctx, scenario_json)
    _save_and_load(ctx, scenario, scenario_json)
    level = named_choice(
        "Show by", LEVELS, LEVEL_NAMES, state.LEVEL, widget=st.segmented_control, required=True
    )
    state.write_link(scenario, state.linked_preset(edited))
    return Run(frame, scenario, scenario_json, allocations, level)
