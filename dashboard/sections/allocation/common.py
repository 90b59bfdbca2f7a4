"""What the allocation page's sections share: the run they draw from, names, wording."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import loaders
from layers import format as fmt
from layers.allocation import (
    CATALOGUE_COLUMNS,
    DEPRIVATION_MEASURES,
    METHOD_NAMES,
    POPULATION_COLUMN,
    TIER_NAMES,
    TIERS,
    Scenario,
)

#: The tabs, in the link as ``view``.
TABS = (
    "Allocation",
    "Need indices",
    "Three years",
    "Distance from target",
    "Former CCGs",
    "Compare scenarios",
)
INEQUALITY_METHODS = ("inequality_level_up", "inequality_zero_sum")
#: The largest share the page's slider moves towards the most deprived.
MAX_SHARE = 50.0
METHOD_HELP = {
    "equal_per_head": "Every registered patient (NHS England's list for the allocation year) "
    "carries the same £, whatever their need.",
    "weighted_capitation": "Each service is shared by its NHS England need component (for the "
    "allocation year): a practice's weighted population for that component.",
    "inequality_level_up": "A share of each service is ring-fenced and given only to practices "
    "more deprived than the threshold; every other practice keeps the same proportion of its "
    "weighted-capitation amount, so nobody falls further than that share.",
    "inequality_zero_sum": "A share of each service moves from less to more deprived practices, "
    "in proportion to how far each is from the ICS average; gains equal losses exactly.",
}
UNIT_PLURALS = {
    "place": "places",
    "pcn": "PCNs (and practices in no PCN)",
    "practice": "practices",
}
#: Comparison baselines: the working scenario's budget and catalogue under another method.
BUILTIN_COMPARISONS = {
    "builtin:equal_per_head": "Equal per head (same budget and catalogue)",
    "builtin:weighted_capitation": "Weighted capitation (same budget and catalogue)",
}
#: The comparison list's entry for the page's own scenario.
WORKING = "working"


def population_label(vintage: str) -> str:
    """The population column's heading: NHS England's list for the allocation year shown.

    Examples
    --------
    >>> population_label("2022")
    'Population (NHS England 2022/23)'
    """
    return f"Population (NHS England {loaders.allocation_year(vintage)})"


@dataclass(frozen=True)
class Run:
    """What every tab draws from: the practice frame, the working scenario, the level."""

    frame: pd.DataFrame
    scenario: Scenario
    json: str
    allocations: pd.DataFrame
    level: str

    @property
    def population(self) -> float:
        """The ICS's population (NHS England's list for the allocation year)."""
        return float(self.frame[POPULATION_COLUMN].sum())

    @property
    def budget(self) -> float:
        """The scenario's budget in pounds."""
        return float(self.scenario.budget)

    @cached_property
    def names(self) -> dict[str, pd.Series]:
        """Place, practice and PCN names by code (built once per run)."""
        by_practice = self.frame.set_index("practice_code")
        places = self.frame.drop_duplicates("place_code").set_index("place_code")
        return {
            "place": places["place_name"],
            "practice": by_practice["practice_name"],
            "pcn": by_practice["pcn_name"],
        }


def unit_names(table: pd.DataFrame, level: str, run: Run) -> pd.DataFrame:
    """Name, code and place columns, in words, for units at ``level``."""
    names = run.names
    place = table["place_code"].map(names["place"]).to_numpy()
    if level == "place":
        return pd.DataFrame({"Place": place, "Code": table["place_code"].to_numpy()})
    if level == "pcn":
        in_pcn = table["in_pcn"].to_numpy(dtype=bool)
        alone = table["unit_code"].map(names["practice"]).astype(str) + " (practice in no PCN)"
        return pd.DataFrame(
            {
                "PCN": np.where(in_pcn, table["pcn_name"].to_numpy(dtype=object), alone),
                "Code": table["unit_code"].to_numpy(),
                "Place": place,
            }
        )
    return pd.DataFrame(
        {
            "Practice": table["practice_code"].map(names["practice"]).to_numpy(),
            "Code": table["practice_code"].to_numpy(),
            "PCN": table["practice_code"].map(names["pcn"]).to_numpy(),
            "Place": place,
        }
    )


def named_choice(
    label: str,
    codes: Iterable[str],
    names: Mapping[str, str],
    key: str,
    *,
    widget: Callable[..., object] = st.selectbox,
    **options: object,
) -> str:
    """A choice among ``codes`` that shows their ``names``, kept for the session.

    Parameters
    ----------
    label : str
        The widget's label.
    codes : Iterable[str]
        The codes offered, in order; the widget returns one of them.
    names : Mapping[str, str]
        Each code in words, as the widget shows it.
    key : str
        The widget's key (the link's query parameter, where the page binds one).
    widget : Callable[..., object], optional
        The Streamlit widget to draw, e.g. a column's ``selectbox`` or
        ``st.segmented_control``; ``st.selectbox`` by default.
    **options : object
        Further keywords for the widget, e.g. ``help`` or ``on_change``.

    Returns
    -------
    str
        The chosen code.
    """
    return widget(
        label,
        list(codes),
        key=key,
        format_func=names.get,
        persist_state="session",
        **options,
    )


def level_words(level: str) -> str:
    """``"place"``, ``"PCN"`` or ``"practice"``, inside a sentence."""
    return "PCN" if level == "pcn" else level


def variant(scenario: Scenario, method: str, name: str) -> str:
    """JSON of the same budget and catalogue under another method (its defaults)."""
    data = scenario.to_dict()
    data.update(name=name, method=method, parameters={})
    return json.dumps(data, indent=2, ensure_ascii=False)


def same_allocation(first: Scenario, second: Scenario) -> bool:
    """Whether two scenarios share the money identically (names and notes aside)."""

    def money(scenario: Scenario) -> tuple:
        catalogue = scenario.catalogue[list(CATALOGUE_COLUMNS)]
        return (
            scenario.budget,
            scenario.method,
            json.dumps(scenario.to_dict()["parameters"], sort_keys=True),
            catalogue.to_json(orient="records"),
        )

    return money(first) == money(second)


def tier_split(catalogue: pd.DataFrame) -> pd.Series:
    """Share of the budget (%) by tier, for a catalogue already validated."""
    sums = catalogue.groupby("tier")["share_percent"].sum()
    return pd.Series({t: float(sums.get(t, 0.0)) for t in TIERS})


def tier_split_words(catalogue: pd.DataFrame) -> str:
    """``"ICS 83% · Place 0% · PCN 2% · Practice 15%"``."""
    shares = tier_split(catalogue)
    return " · ".join(f"{TIER_NAMES[t]} {s:g}%" for t, s in shares.items())


def auto_name(method: str, parameters: dict) -> str:
    """A scenario name from its method, for when the user leaves the name blank."""
    if method in INEQUALITY_METHODS:
        kind = "level up" if method == "inequality_level_up" else "zero-sum"
        return f"Weighted capitation + {parameters['share_percent']:g}% {kind}"
    return METHOD_NAMES[method]


def describe(scenario: Scenario, population: float) -> dict[str, str]:
    """The facts of a scenario in words, for the side-by-side table."""
    parameters = scenario.parameters
    shares = tier_split(scenario.catalogue)
    column = parameters.get("deprivation_column")
    return {
        "Name": scenario.name,
        "Method": METHOD_NAMES[scenario.method],
        "Budget (input)": fmt.pounds(float(scenario.budget)),
        "£ per head": fmt.per_head(float(scenario.budget) / population),
        "Share moved": f"{parameters['share_percent']:g}%"
        if "share_percent" in parameters
        else "—",
        "Deprivation measure": DEPRIVATION_MEASURES[column][1]
        if column in DEPRIVATION_MEASURES
        else (column or "—"),
        "Threshold": threshold_words(parameters),
        "Services": f"{len(scenario.catalogue)}",
        **{f"{TIER_NAMES[t]} tier share": f"{shares[t]:g}%" for t in TIERS},
    }


def threshold_words(parameters: dict) -> str:
    """The level-up threshold in words."""
    if "threshold" not in parameters:
        return "—"
    value = parameters["threshold"]
    return "ICS average" if value is None else f"{value:g}"


def bullet_lines(message: object) -> str:
    """A multi-line library message as a markdown list."""
    lines = [line for line in str(message).split("\n") if line.strip()]
    if len(lines) == 1:
        return lines[0]
    return lines[0] + "\n" + "\n".join(f"- {line}" for line in lines[1:])


def leave_message(key: str, kind: str, text: str) -> None:
    """Leave a message (``"success"`` or ``"error"``) for the next run to show."""
    st.session_state[key] = (kind, text)


def show_message(key: str) -> None:
    """Show, once, a message a callback left."""
    message = st.session_state.pop(key, None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(text)
