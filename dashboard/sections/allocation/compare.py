"""The Compare scenarios tab: two scenarios side by side, and their differences.

The list holds the page's scenario, two baselines with its budget and catalogue, and any
scenario the user kept or uploaded this session. Two entries that share the money the
same way are said to be the same, never drawn as a chart of zeros.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import MONEY, MONEY_PER_HEAD, show_figure, show_table
from dashboard.scaffold import PageContext, plain
from dashboard.sections.allocation import files, state
from dashboard.sections.allocation.common import (
    BUILTIN_COMPARISONS,
    WORKING,
    Run,
    describe,
    level_words,
    named_choice,
    same_allocation,
    show_message,
    unit_names,
)
from layers.allocation import Scenario, ScenarioError
from layers.figures import allocation as figures


def _options(run: Run) -> dict[str, str]:
    """Every scenario on the list, by key, in words."""
    options = {WORKING: f"This page's scenario: {run.scenario.name}", **BUILTIN_COMPARISONS}
    options.update({f"library:{name}": name for name in st.session_state[state.LIBRARY]})
    return options


def _resolve(choice: str, run: Run) -> Scenario:
    """The scenario behind a list entry."""
    if choice == WORKING:
        return run.scenario
    if choice.startswith("builtin:"):
        scenario = run.scenario
        return Scenario(
            BUILTIN_COMPARISONS[choice],
            scenario.budget,
            scenario.catalogue,
            choice.removeprefix("builtin:"),
        )
    return Scenario.from_json(st.session_state[state.LIBRARY][choice.removeprefix("library:")])


def _choose(ctx: PageContext, run: Run) -> tuple[str, str]:
    """The list, what to add to it, and the two choices."""
    add_col, upload_col = st.columns([2, 3])
    add_col.button(
        "Add this scenario to the list",
        on_click=files.add_to_library,
        args=(run.json,),
        help="Keep the current settings to compare after you change them.",
    )
    files.uploader(
        upload_col,
        "Add scenario files to compare (JSON)",
        "json",
        files.COMPARE_UPLOAD,
        files.add_files_to_library,
        ctx.key,
        accept_multiple_files=True,
    )
    options = _options(run)
    state.offered(options, state.COMPARE_A, state.DEFAULT_COMPARE[0])
    state.offered(options, state.COMPARE_B, state.DEFAULT_COMPARE[1])
    a_col, b_col = st.columns(2)
    chosen = [
        named_choice(label, options, options, key, widget=column.selectbox)
        for column, label, key in (
            (a_col, "Scenario A", state.COMPARE_A),
            (b_col, "Scenario B", state.COMPARE_B),
        )
    ]
    return chosen[0], chosen[1]


def differences(ctx: PageContext, run: Run, first: Scenario, second: Scenario) -> None:
    """A − B by place (chart and table) and by PCN (table)."""
    first_json, second_json = first.to_json(), second.to_json()
    for level in ("place", "pcn"):
        change = loaders.allocation_change(ctx.key, second_json, first_json, level)
        st.subheader(f"Differences by {level_words(level)}: A − B")
        table = pd.concat(
            [
                unit_names(change, level, run),
                pd.DataFrame(
                    {
                        "A £": change["other_pence"] / 100,
                        "B £": change["base_pence"] / 100,
                        "A £ per head": change["other_pence"] / 100 / change["population"],
                        "B £ per head": change["base_pence"] / 100 / change["population"],
                        "A − B £": change["change_pounds"],
                        "A − B £ per head": change["change_per_head"],
                        "A − B % of B": change["change_percent"],
                        "A vs B": change["outcome"],
                    }
                ),
            ],
            axis=1,
        ).sort_values("A − B £ per head")
        if level == "place":
            title = f"A ({first.name}) − B ({second.name}): £ per head by place"
            figure = figures.difference_bars(
                table["Place"], table["A − B £ per head"], title, data_line=ctx.info.data_line
            )
            show_figure(figure, title, "alloc_compare_chart")
        show_table(
            table,
            f"Scenario differences by {level}",
            f"alloc_compare_{level}",
            {
                "A £": MONEY,
                "B £": MONEY,
                "A £ per head": MONEY_PER_HEAD,
                "B £ per head": MONEY_PER_HEAD,
                "A − B £": MONEY,
                "A − B £ per head": MONEY_PER_HEAD,
                "A − B % of B": "%.2f%%",
            },
        )


def draw(ctx: PageContext, run: Run) -> None:
    """The Compare scenarios tab."""
    show_message(files.COMPARE_MESSAGE)
    st.markdown(
        "Compare two scenarios side by side. The list holds this page's scenario, two "
        "built-in baselines with the same budget and catalogue, and any scenario you add."
    )
    choice_a, choice_b = _choose(ctx, run)
    try:
        first, second = _resolve(choice_a, run), _resolve(choice_b, run)
        loaders.allocation_run(ctx.key, first.to_json())
        loaders.allocation_run(ctx.key, second.to_json())
    except (ScenarioError, ValueError) as exc:
        st.error(f"These scenarios cannot be compared for {ctx.name}: {plain(exc)}.")
        return
    side_by_side(ctx, run, first, second)


def side_by_side(ctx: PageContext, run: Run, first: Scenario, second: Scenario) -> None:
    """Two scenarios' facts side by side, then their differences (or that there are none).

    The scenario library compares two versions of a saved scenario with it too.
    """
    side = pd.DataFrame(
        {"A": describe(first, run.population), "B": describe(second, run.population)}
    )
    side.insert(0, "", side.index)
    show_table(
        side,
        f"Scenarios {first.name} and {second.name}",
        "alloc_side",
        height=35 * (len(side) + 1) + 3,
    )
    if same_allocation(first, second):
        st.info(
            "A and B share the money in exactly the same way (same budget, catalogue, "
            "method and parameters), so there is no difference to show. Choose another "
            "scenario, or change the settings above after adding this one to the list."
        )
        return
    differences(ctx, run, first, second)
