"""The allocation page's session state and its link.

The controls keep their values in session state under the keys below, so they survive
a page switch. The link is read once, the first time the page opens in a session (a
value it cannot use gets the scaffold's one warning, and the default), and written
back on every run: the budget, the method and its parameters, the catalogue preset,
the level and the scenarios compared, so that a shared link reopens the same numbers.
The tab is in the link as ``view`` (:func:`dashboard.scaffold.lazy_tabs`). An edited or
uploaded catalogue, uploaded files and the comparison list live in this session only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard.scaffold import PageContext, vw, warn_link
from dashboard.sections.allocation.common import BUILTIN_COMPARISONS, MAX_SHARE, WORKING
from layers import format as fmt
from layers.allocation import (
    DEFAULT_PRESET,
    DEPRIVATION_MEASURES,
    LEVEL_NAMES,
    METHOD_NAMES,
    POPULATION_COLUMN,
    PRESET_NAMES,
    Scenario,
    budget_to_pence,
    default_catalogue,
    illustrative_budget,
)

#: The working scenario (JSON text) and the ICS it was made for: other pages read them.
SCENARIO_KEY = "allocation_scenario"
SCENARIO_ICS_KEY = "allocation_scenario_ics"
#: The "current allocation" measured against (the Your data page sets it too):
#: ``{"key": (code, place_definition), "name": str, "totals": unit totals}``.
CURRENT_KEY = "alloc_current"

# Widgets (each keeps its value in session state under its key).
NAME = "alloc_name"
METHOD = "alloc_method"
SHARE = "alloc_share"
DEPRIVATION = "alloc_deprivation"
THRESHOLD = "alloc_threshold"
PRESET = "alloc_preset"
LEVEL = "alloc_level"
COMPARE_A = "alloc_compare_a"
COMPARE_B = "alloc_compare_b"
# The page's own state.
#: Population a level-up or equal-per-head scenario shares by (from a loaded file).
POPULATION = "alloc_population_column"
#: The catalogue: ``base`` (the editor's starting table), ``source`` (in words),
#: ``preset`` (a shipped catalogue's name, None for a loaded one), ``edited`` (True once
#: edits were carried over a page switch), ``editor`` (the editor's generation) and
#: ``last`` (the editor's last table).
CATALOGUE = "alloc_catalogue"
#: The last scenario that ran, per ICS and places, for when an input is bad.
LAST_GOOD = "alloc_last_good"
#: Scenarios kept for comparison: name → JSON text.
LIBRARY = "alloc_library"
_LINK_READ = "alloc_link_read"

DEFAULT_METHOD = "weighted_capitation"
DEFAULT_SHARE = 5.0
DEFAULT_DEPRIVATION = "core20_share"
DEFAULT_LEVEL = "place"
DEFAULT_COMPARE = (WORKING, "builtin:equal_per_head")
#: Populations a scenario may share by, in words.
POPULATIONS = {
    POPULATION_COLUMN: "NHS England 2022/23 registered population",
    "registered_patients": "Registered patients (July 2022)",
}
#: Comparison choices a link can name (the comparison list is this session's only).
_COMPARE_NAMES = {
    WORKING: "this page's scenario",
    **{key.split(":", 1)[1]: name for key, name in BUILTIN_COMPARISONS.items()},
}


def budget_key(code: str) -> str:
    """The budget box's key: one budget per ICS."""
    return f"alloc_budget_{code}"


def editor_key() -> str:
    """The catalogue editor's key (a new one starts the editor again from its base)."""
    return f"alloc_editor_{st.session_state[CATALOGUE]['editor']}"


def pretty_budget(budget: float) -> str:
    """Budget text for the input box: whole pounds unless there are pence."""
    return f"{budget:,.0f}" if float(budget) == int(budget) else f"{budget:,.2f}"


def _choice(param: str, names: Mapping[str, str], what: str, default: str) -> str:
    requested = st.query_params.get(param)
    if requested is None:
        return default
    if requested not in names:
        warn_link(what, requested, vw(names[default]))  # the population's words name a year
        return default
    return requested


def _number(param: str, bounds: tuple[float, float], what: str, default: float | None, shown: str):
    requested = st.query_params.get(param)
    if requested is None:
        return default
    try:
        value = float(requested)
    except ValueError:
        value = float("nan")
    if not bounds[0] <= value <= bounds[1]:
        warn_link(what, requested, shown)
        return default
    return value


def _compare_choice(param: str, default: str) -> str:
    linked = {key.removeprefix("builtin:"): key for key in (WORKING, *BUILTIN_COMPARISONS)}
    chosen = _choice(param, _COMPARE_NAMES, "the scenario to compare", default.split(":")[-1])
    return linked[chosen]


def _read_link(code: str, frame: pd.DataFrame) -> None:
    """Set the controls from the link (once per session)."""
    state = st.session_state
    deprivation_names = {column: name for column, (_, name) in DEPRIVATION_MEASURES.items()}
    state[METHOD] = _choice("method", METHOD_NAMES, "the allocation method", DEFAULT_METHOD)
    state[SHARE] = _number(
        "share", (0.0, MAX_SHARE), "a share moved of", DEFAULT_SHARE, f"{DEFAULT_SHARE:g}%"
    )
    state[DEPRIVATION] = _choice(
        "deprivation", deprivation_names, "the deprivation measure", DEFAULT_DEPRIVATION
    )
    state[THRESHOLD] = _number("threshold", (0.0, 1.0), "the threshold", None, "the ICS average")
    state[POPULATION] = _choice("population", POPULATIONS, "the population", POPULATION_COLUMN)
    state[LEVEL] = _choice("level", LEVEL_NAMES, "the level", DEFAULT_LEVEL)
    state[PRESET] = _choice("catalogue", PRESET_NAMES, "the catalogue", DEFAULT_PRESET)
    state[COMPARE_A] = _compare_choice("compare_a", DEFAULT_COMPARE[0])
    state[COMPARE_B] = _compare_choice("compare_b", DEFAULT_COMPARE[1])
    requested = st.query_params.get("budget")
    if requested is not None:
        try:
            pounds = budget_to_pence(requested) / 100
        except (TypeError, ValueError):
            pounds = 0.0
        if pounds > 0:
            state[budget_key(code)] = pretty_budget(pounds)
        else:
            default = fmt.pounds(illustrative_budget(frame))
            warn_link("a budget of", requested, f"the illustrative {default}")


def read_link_once(code: str, frame: pd.DataFrame) -> None:
    """Set the controls from the link, the first time in a session (then never again)."""
    if not st.session_state.get(_LINK_READ):
        _read_link(code, frame)
        st.session_state[_LINK_READ] = True


def reset(code: str) -> None:
    """Every control back to its default, as on a first visit without a link."""
    state = st.session_state
    state.update(
        {
            NAME: "",
            METHOD: DEFAULT_METHOD,
            SHARE: DEFAULT_SHARE,
            DEPRIVATION: DEFAULT_DEPRIVATION,
            THRESHOLD: None,
            POPULATION: POPULATION_COLUMN,
            PRESET: DEFAULT_PRESET,
        }
    )
    state.pop(budget_key(code), None)
    set_catalogue(default_catalogue(DEFAULT_PRESET), PRESET_NAMES[DEFAULT_PRESET], DEFAULT_PRESET)


def init(ctx: PageContext, frame: pd.DataFrame) -> None:
    """Every control's starting value: from the link on the first visit, else defaults."""
    state = st.session_state
    read_link_once(ctx.code, frame)
    state.setdefault(NAME, "")
    state.setdefault(LAST_GOOD, {})
    state.setdefault(LIBRARY, {})
    if budget_key(ctx.code) not in state:
        state[budget_key(ctx.code)] = pretty_budget(illustrative_budget(frame))
    if CATALOGUE not in state:
        set_catalogue(default_catalogue(state[PRESET]), PRESET_NAMES[state[PRESET]], state[PRESET])
    catalogue = state[CATALOGUE]
    # A page switch forgets the editor's edits: start a fresh editor from the last edits.
    last = catalogue["last"]
    if last is not None and editor_key() not in state and not last.equals(catalogue["base"]):
        catalogue.update(base=last, edited=True, editor=catalogue["editor"] + 1)


def set_catalogue(table: pd.DataFrame, source: str, preset: str | None) -> None:
    """Start the editor again from ``table`` (a shipped preset, or a loaded scenario's)."""
    previous = st.session_state.get(CATALOGUE)
    st.session_state[CATALOGUE] = {
        "base": table,
        "source": source,
        "preset": preset,
        "edited": False,
        "editor": previous["editor"] + 1 if previous else 0,
        "last": None,
    }


def catalogue_words(edited: pd.DataFrame) -> str:
    """Where the catalogue in the editor comes from, and whether it was edited."""
    catalogue = st.session_state[CATALOGUE]
    changed = catalogue["edited"] or not edited.equals(catalogue["base"])
    return catalogue["source"] + (" (edited)" if changed else "")


def linked_preset(edited: pd.DataFrame) -> str | None:
    """The shipped catalogue in use, if unedited: only that can be named in a link."""
    catalogue = st.session_state[CATALOGUE]
    unchanged = not catalogue["edited"] and edited.equals(catalogue["base"])
    return catalogue["preset"] if unchanged else None


def apply_scenario(scenario: Scenario, code: str, source: str) -> None:
    """Set every control to a scenario (from callbacks, before the widgets draw)."""
    state = st.session_state
    state[NAME] = scenario.name
    state[budget_key(code)] = pretty_budget(float(scenario.budget))
    state[METHOD] = scenario.method
    parameters = scenario.parameters
    if "share_percent" in parameters:
        state[SHARE] = float(parameters["share_percent"])
    if "deprivation_column" in parameters:
        state[DEPRIVATION] = parameters["deprivation_column"]
    if "threshold" in parameters:
        state[THRESHOLD] = parameters["threshold"]
    state[POPULATION] = parameters.get("population_column", POPULATION_COLUMN)
    catalogue = scenario.catalogue.copy()
    if "note" not in catalogue.columns:
        catalogue["note"] = ""
    set_catalogue(catalogue, source, None)


def _set_or_drop(param: str, value: str | None) -> None:
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = value


def write_link(scenario: Scenario, preset: str | None) -> None:
    """Put every input behind the page's numbers into the link."""
    state = st.session_state
    parameters = scenario.parameters
    share = parameters.get("share_percent")
    threshold = parameters.get("threshold")
    population = parameters.get("population_column", POPULATION_COLUMN)
    budget = f"{float(scenario.budget):.2f}".removesuffix(".00")
    st.query_params["budget"] = budget
    st.query_params["method"] = scenario.method
    _set_or_drop("share", None if share is None else f"{share:g}")
    _set_or_drop("deprivation", parameters.get("deprivation_column"))
    _set_or_drop("threshold", None if threshold is None else f"{threshold:g}")
    _set_or_drop("population", None if population == POPULATION_COLUMN else population)
    _set_or_drop("catalogue", preset)
    st.query_params["level"] = state[LEVEL]
    for param, key, default in zip(
        ("compare_a", "compare_b"), (COMPARE_A, COMPARE_B), DEFAULT_COMPARE, strict=True
    ):
        chosen = state.get(key, default)
        linkable = chosen != default and not chosen.startswith("library:")
        _set_or_drop(param, chosen.removeprefix("builtin:") if linkable else None)


def offered(options: Sequence[str], key: str, default: str) -> None:
    """Reset a choice that is no longer offered (a library entry of another session)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
