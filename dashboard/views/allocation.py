"""Service allocation: share the ICS budget by need, across tiers and services.

Controls at the top build a *scenario* (name, budget, method and its parameters, service
catalogue); the tabs show it. Every scenario that runs is kept as Scenario JSON in
``st.session_state["allocation_scenario"]`` (with ``"allocation_scenario_ics"``), so
other pages can use it through :func:`layers.allocation.practice_funding`.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads, table_downloads
from layers.allocation import (
    COMPONENTS,
    ILLUSTRATIVE_POUNDS_PER_HEAD,
    INDEX_COLUMNS,
    LEVELS,
    METHODS,
    POPULATION_COLUMN,
    PRESETS,
    TIERS,
    CatalogueError,
    Scenario,
    ScenarioError,
    allocation_summary,
    budget_to_pence,
    compare_allocations,
    default_catalogue,
    default_scenario,
    distance_from_target,
    former_ccg_funding,
    funding_spread,
    illustrative_budget,
    run_scenario,
    validate_catalogue,
    validate_current_allocation,
    weighted_head_spread,
)
from layers.maps import OFFLINE_TOPOJSON_URL, geo_view

#: Session keys other pages read.
SCENARIO_KEY = "allocation_scenario"
SCENARIO_ICS_KEY = "allocation_scenario_ics"

PRICES = "2022/23 prices"
MAX_SHARE = 50.0
MAX_UPLOAD_BYTES = 2_000_000

METHOD_LABELS = {
    "equal_per_head": "Equal per head",
    "weighted_capitation": "NHS England weighted capitation",
    "inequality_level_up": "Weighted capitation + inequality adjustment (level up)",
    "inequality_zero_sum": "Weighted capitation + inequality adjustment (zero-sum)",
}
METHOD_HELP = {
    "equal_per_head": "Every registered patient (NHS England 2022/23 list) carries the same £, "
    "whatever their need.",
    "weighted_capitation": "Each service is shared by its NHS England 2022/23 need component: "
    "a practice's weighted population for that component.",
    "inequality_level_up": "A share of each service is ring-fenced and given only to practices "
    "more deprived than the threshold; every other practice keeps the same proportion of its "
    "weighted-capitation amount, so nobody falls further than that share.",
    "inequality_zero_sum": "A share of each service moves from less to more deprived practices, "
    "in proportion to how far each is from the ICS average; gains equal losses exactly.",
}
INEQUALITY_METHODS = ("inequality_level_up", "inequality_zero_sum")
DEPRIVATION = {
    "core20_share": ("share", "Core20 share (patients in England's most deprived 20% of LSOAs)"),
    "imd_decile": ("imd_decile", "Patient-weighted IMD 2019 decile"),
}
PRESET_LABELS = {
    "nw_london": "NW London: acute and specialist care once for the ICS, local care by place",
    "coventry_warwickshire": "Coventry & Warwickshire: 20% of the money at ICS, the rest local",
}
TIER_LABELS = {"ics": "ICS", "place": "Place", "pcn": "PCN", "practice": "Practice"}
LEVEL_LABELS = {"place": "Place", "pcn": "PCN", "practice": "Practice"}
UNIT_PLURALS = {
    "place": "places",
    "pcn": "PCNs (and practices in no PCN)",
    "practice": "practices",
}
COMPONENT_LABELS = {
    "general_acute": "General & acute",
    "community": "Community",
    "mental_health": "Mental health",
    "maternity": "Maternity",
    "prescribing": "Prescribing",
    "primary_medical_care": "Primary medical care",
    "health_inequalities": "Health inequalities",
}
TABS = ["Allocation", "Need indices", "Distance from target", "Former CCGs", "Compare scenarios"]
# Okabe-Ito, colour-blind safe; patterns repeat the meaning for print and colour blindness.
TIER_COLOURS = {"ics": "#0072B2", "place": "#E69F00", "pcn": "#009E73", "practice": "#CC79A7"}
TIER_PATTERNS = {"ics": "", "place": "/", "pcn": ".", "practice": "x"}
BUILTIN_COMPARISONS = {
    "builtin:equal_per_head": "Equal per head (same budget and catalogue)",
    "builtin:weighted_capitation": "Weighted capitation (same budget and catalogue)",
}
WORKING = "working"

ss = st.session_state


# ----------------------------------------------------------------------------- helpers


def pounds(value: float) -> str:
    """£ with thousands separators and no pence."""
    return f"£{value:,.0f}"


def compact_pounds(value: float) -> str:
    """£ in millions or billions, for headline figures."""
    if abs(value) >= 1e9:
        return f"£{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f} m"
    return pounds(value)


def per_head(value: float) -> str:
    """£ per head with pence."""
    return "n/a" if value != value else f"£{value:,.2f}"


def slug(text: str) -> str:
    """File-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "scenario"


def auto_name(method: str, parameters: dict) -> str:
    """A scenario name from its method, for when the user leaves the name blank."""
    if method in INEQUALITY_METHODS:
        kind = "level up" if method == "inequality_level_up" else "zero-sum"
        return f"Weighted capitation + {parameters['share_percent']:g}% {kind}"
    return METHOD_LABELS[method]


def threshold_text(parameters: dict) -> str:
    """The level-up threshold in words."""
    if "threshold" not in parameters:
        return "—"
    value = parameters["threshold"]
    return "ICS average" if value is None else f"{value:g}"


def pretty_budget(budget: float) -> str:
    """Budget text for the input box: whole pounds unless there are pence."""
    return f"{budget:,.0f}" if float(budget) == int(budget) else f"{budget:,.2f}"


def bullet_lines(message: str) -> str:
    """A multi-line library message as a markdown list."""
    lines = [line for line in str(message).split("\n") if line.strip()]
    if len(lines) == 1:
        return lines[0]
    return lines[0] + "\n" + "\n".join(f"- {line}" for line in lines[1:])


def finish(
    fig: go.Figure,
    title: str,
    height: int,
    x_title: str = "",
    y_title: str = "",
    note: str = f"Money in {PRICES}; the budget is a user input.",
) -> None:
    """Title, axis titles with units, and the data note under the title."""
    fig.update_layout(
        title={
            "text": title,
            "x": 0.01,
            "subtitle": {
                "text": f"{note} Data: {layers.DATA_VINTAGE}.",
                "font": {"size": 11, "color": "#425563"},
            },
        },
        height=height,
        margin={"l": 10, "r": 70, "t": 80, "b": 80},
        xaxis={
            "title": {"text": x_title},
            "gridcolor": "#e8edee",
            "zerolinecolor": "#768692",
            "automargin": True,
        },
        yaxis={"title": {"text": y_title}, "gridcolor": "#e8edee", "automargin": True},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
    )


def padded_range(values: object, pad: float = 0.18) -> list[float]:
    """An axis range with room for text labels beyond the longest bars."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if not len(array):
        return [-1.0, 1.0]
    low, high = min(0.0, float(array.min())), max(0.0, float(array.max()))
    span = (high - low) or 1.0
    return [low - pad * span if low < 0 else low, high + pad * span if high > 0 else high]


def hatch(shapes: object) -> dict:
    """A white pattern over the bar colour (meaning not by colour alone)."""
    return {"shape": shapes, "fgcolor": "rgba(255,255,255,0.65)", "fillmode": "overlay"}


def show_figure(fig: go.Figure, title: str, key: str) -> None:
    """Draw a figure with its PNG and SVG downloads."""
    # The empty topology keeps the SVG map offline; other charts ignore it.
    st.plotly_chart(
        fig, key=key, config={"displaylogo": False, "topojsonURL": OFFLINE_TOPOJSON_URL}
    )
    figure_downloads(fig, title, key)


def show_table(table: pd.DataFrame, title: str, key: str, formats: dict | None = None) -> None:
    """Draw a table with its CSV and XLSX downloads."""
    config = {}
    for column, fmt in (formats or {}).items():
        if column in table.columns:
            config[column] = st.column_config.NumberColumn(column, format=fmt)
    st.dataframe(table, hide_index=True, column_config=config, key=f"{key}_table")
    table_downloads(table, title, key)


MONEY = "%,.0f"
MONEY_HEAD = "%,.2f"
PERCENT = "%.1f%%"


def name_lookups(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Place, practice and PCN names by code, built once per run."""
    by_practice = frame.set_index("practice_code")
    return {
        "place": frame.drop_duplicates("place_code").set_index("place_code")["place_name"],
        "practice": by_practice["practice_name"],
        "pcn": by_practice["pcn_name"],
    }


def unit_names(table: pd.DataFrame, level: str, names: dict[str, pd.Series]) -> pd.DataFrame:
    """Readable name, code and place columns for units at ``level``."""
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


def variant(scenario: Scenario, method: str, name: str) -> str:
    """JSON of the same budget and catalogue under another method (no parameters)."""
    data = scenario.to_dict()
    data.update(name=name, method=method, parameters={})
    return json.dumps(data, indent=2, ensure_ascii=False)


def tier_split(catalogue: pd.DataFrame) -> pd.Series:
    """Share of the budget (%) by tier, for a catalogue already validated."""
    sums = catalogue.groupby("tier")["share_percent"].sum()
    return pd.Series({t: float(sums.get(t, 0.0)) for t in TIERS})


# ----------------------------------------------------------------------------- state


def init_state(code: str, frame: pd.DataFrame) -> None:
    """Defaults for every control, from the URL on first load."""
    query = st.query_params
    if "alloc_method" not in ss:
        requested = query.get("method")
        ss["alloc_method"] = requested if requested in METHODS else "weighted_capitation"
    if "alloc_share" not in ss:
        try:
            share = float(query.get("share", 5.0))
        except ValueError:
            share = 5.0
        ss["alloc_share"] = share if 0 <= share <= MAX_SHARE else 5.0
    if "alloc_level" not in ss:
        requested = query.get("level")
        ss["alloc_level"] = requested if requested in LEVELS else "place"
    if "alloc_preset" not in ss:
        requested = query.get("catalogue")
        ss["alloc_preset"] = requested if requested in PRESETS else "nw_london"
    ss.setdefault("alloc_deprivation", "core20_share")
    ss.setdefault("alloc_threshold", None)
    ss.setdefault("alloc_name", "")
    ss.setdefault("alloc_population_column", POPULATION_COLUMN)
    if "alloc_catalogue_base" not in ss:
        ss["alloc_catalogue_base"] = default_catalogue(ss["alloc_preset"])
        ss["alloc_catalogue_source"] = f"shipped preset: {PRESET_LABELS[ss['alloc_preset']]}"
    ss.setdefault("alloc_editor_n", 0)
    ss.setdefault("alloc_last_good", {})
    ss.setdefault("alloc_library", {})
    budget_key = f"alloc_budget_{code}"
    if budget_key not in ss:
        ss[budget_key] = pretty_budget(illustrative_budget(frame))
    # A page switch forgets the editor's edits; start a fresh editor from the last edits.
    edited = ss.get("alloc_catalogue_edited")
    if (
        edited is not None
        and f"alloc_editor_{ss['alloc_editor_n']}" not in ss
        and not edited.equals(ss["alloc_catalogue_base"])
    ):
        ss["alloc_catalogue_base"] = edited
        if not ss["alloc_catalogue_source"].endswith("(edited)"):
            ss["alloc_catalogue_source"] += " (edited)"
        ss["alloc_editor_n"] += 1


def reset_catalogue() -> None:
    """Callback: the preset changed, so the editor starts again from it."""
    ss["alloc_catalogue_base"] = default_catalogue(ss["alloc_preset"])
    ss["alloc_catalogue_source"] = f"shipped preset: {PRESET_LABELS[ss['alloc_preset']]}"
    ss["alloc_catalogue_edited"] = None
    ss["alloc_editor_n"] += 1


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
        if column not in DEPRIVATION or DEPRIVATION[column][0] != scale:
            offered = ", ".join(f"{c} ({s})" for c, (s, _) in DEPRIVATION.items())
            raise ScenarioError(
                f"its deprivation measure {column!r} read as {scale!r} is not one this page "
                f"offers ({offered})"
            )


def apply_scenario(scenario: Scenario, code: str, source: str) -> None:
    """Set every control to a scenario (called from callbacks, before widgets draw)."""
    ss["alloc_name"] = scenario.name
    ss[f"alloc_budget_{code}"] = pretty_budget(scenario.budget)
    ss["alloc_method"] = scenario.method
    parameters = scenario.parameters
    if "share_percent" in parameters:
        ss["alloc_share"] = float(parameters["share_percent"])
    if "deprivation_column" in parameters:
        ss["alloc_deprivation"] = parameters["deprivation_column"]
    if "threshold" in parameters:
        ss["alloc_threshold"] = parameters["threshold"]
    ss["alloc_population_column"] = parameters.get("population_column", POPULATION_COLUMN)
    catalogue = scenario.catalogue.copy()
    if "note" not in catalogue.columns:
        catalogue["note"] = ""
    ss["alloc_catalogue_base"] = catalogue
    ss["alloc_catalogue_source"] = source
    ss["alloc_catalogue_edited"] = None
    ss["alloc_editor_n"] += 1


def read_upload(file: object) -> bytes:
    """The bytes of an uploaded file, refusing very large ones."""
    data = file.getvalue()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            f"the file is {len(data) / 1e6:.1f} MB; a scenario file is a few kB "
            f"(limit {MAX_UPLOAD_BYTES / 1e6:.0f} MB)"
        )
    return data


def load_scenario(code: str, place_definition: str) -> None:
    """Callback: load an uploaded scenario into the controls, or say why not."""
    file = ss.get("alloc_load")
    if file is None:
        return
    frame = loaders.allocation_frame(system_key)
    try:
        scenario, _ = run_scenario(read_upload(file), frame)
        check_page_can_show(scenario)
    except ScenarioError as exc:
        ss["alloc_message"] = (
            "error",
            f"Could not load **{file.name}**: {exc}. Nothing was changed.",
        )
        return
    apply_scenario(scenario, code, f"scenario file {file.name}")
    ss["alloc_message"] = ("success", f"Loaded scenario “{scenario.name}” from {file.name}.")


def add_to_library(scenario_json: str) -> None:
    """Callback: keep the working scenario in the comparison list."""
    scenario = Scenario.from_json(scenario_json)
    name = scenario.name
    library = ss["alloc_library"]
    suffix = 2
    while name in library and library[name] != scenario_json:
        name = f"{scenario.name} ({suffix})"
        suffix += 1
    library[name] = scenario_json
    ss["alloc_compare_b"] = f"library:{name}"
    ss["alloc_compare_message"] = ("success", f"Added “{name}” to the comparison list.")


def add_files_to_library(code: str, place_definition: str) -> None:
    """Callback: add uploaded scenario files to the comparison list, checking each."""
    files = ss.get("alloc_compare_upload") or []
    frame = loaders.allocation_frame(system_key)
    added, problems = [], []
    for file in files:
        try:
            scenario, _ = run_scenario(read_upload(file), frame)
        except ScenarioError as exc:
            problems.append(f"{file.name}: {exc}")
            continue
        ss["alloc_library"][scenario.name] = scenario.to_json()
        added.append(scenario.name)
    if added:
        ss["alloc_compare_b"] = f"library:{added[-1]}"
    text = "Added " + ", ".join(f"“{n}”" for n in added) + "." if added else ""
    if problems:
        ss["alloc_compare_message"] = (
            "error",
            (text + " " if text else "")
            + "Not added (nothing else changed):\n"
            + "\n".join(f"- {p}" for p in problems),
        )
    elif added:
        ss["alloc_compare_message"] = ("success", text)


def load_current(code: str, place_definition: str) -> None:
    """Callback: read a 'current allocation' CSV, or say what is wrong with it."""
    file = ss.get("alloc_current_upload")
    if file is None:
        return
    frame = loaders.allocation_frame(system_key)
    try:
        data = file.getvalue()
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValueError(f"the file is {len(data) / 1e6:.1f} MB, over the 2 MB limit")
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        totals = validate_current_allocation(table, frame)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        ss["alloc_current_message"] = (
            "error",
            f"Could not use **{file.name}**: {bullet_lines(exc)}\n\n"
            "The current allocation is unchanged.",
        )
        return
    ss["alloc_current"] = {"key": (code, place_definition), "name": file.name, "totals": totals}
    ss["alloc_current_message"] = (
        "success",
        f"Using {file.name} (by {totals['level'].iloc[0]}) as the current allocation.",
    )


def clear_current() -> None:
    """Callback: go back to equal per head as the current allocation."""
    ss.pop("alloc_current", None)
    ss["alloc_current_message"] = ("success", "Back to equal per head as the current allocation.")


def show_message(key: str) -> None:
    """Show (once) a message a callback left."""
    message = ss.pop(key, None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(text)


# ----------------------------------------------------------------------------- page

ctx = scaffold.context()
code, place_definition, system_key = ctx.code, ctx.place_definition, ctx.key
system = loaders.system(system_key)
frame = loaders.allocation_frame(system_key)
names = name_lookups(frame)
init_state(code, frame)

st.title(f"Service allocation: {system.name} ICS")
st.caption(
    "Share the ICS budget by need, down the tiers ICS → places → PCNs → practices, explain "
    f"it, and compare scenarios. Money is in {PRICES}; “per head” is per registered patient "
    "in NHS England's 2022/23 population."
)
scaffold.place_note(ctx)

# --- scenario controls
with st.container(border=True):
    st.markdown("**Scenario**")
    left, middle, right = st.columns([3, 3, 4])
    name_input = left.text_input(
        "Scenario name",
        key="alloc_name",
        placeholder="Blank: named after the method",
        help="Shown in titles and saved with the scenario.",
        persist_state="session",
    )
    budget_key = f"alloc_budget_{code}"
    budget_text = middle.text_input(
        "ICS budget in £ (your input, not a published allocation)",
        key=budget_key,
        help=(
            f"The starting figure is illustrative: £{ILLUSTRATIVE_POUNDS_PER_HEAD:,} per "
            "registered patient (NHS England 2022/23 list), rounded. Type your own budget, "
            "e.g. 4,250,000,000."
        ),
        persist_state="session",
    )
    method = right.selectbox(
        "Allocation method",
        list(METHODS),
        key="alloc_method",
        format_func=METHOD_LABELS.get,
        persist_state="session",
    )
    st.caption(METHOD_HELP[method] + " Each service is shared ICS → places → PCNs → practices.")
    parameters: dict = {}
    if method in INEQUALITY_METHODS:
        share_col, deprivation_col, threshold_col = st.columns([3, 3, 4])
        share = share_col.slider(
            "Share of each service moved towards the most deprived (%)",
            0.0,
            MAX_SHARE,
            step=0.5,
            key="alloc_share",
            persist_state="session",
        )
        deprivation = deprivation_col.radio(
            "Deprivation measure",
            list(DEPRIVATION),
            key="alloc_deprivation",
            format_func=lambda c: DEPRIVATION[c][1],
            persist_state="session",
        )
        parameters = {
            "share_percent": float(share),
            "deprivation_column": deprivation,
            "deprivation_scale": DEPRIVATION[deprivation][0],
        }
        if method == "inequality_level_up":
            threshold = threshold_col.number_input(
                "Threshold: deprivation (0–1) above which practices share the fund",
                min_value=0.0,
                max_value=1.0,
                step=0.05,
                key="alloc_threshold",
                placeholder="Blank: the ICS average",
                help="0–1, 1 = most deprived. Blank uses the population-weighted ICS average.",
                persist_state="session",
            )
            parameters["threshold"] = threshold
            parameters["population_column"] = ss["alloc_population_column"]

# Problems with the inputs are reported here, between the controls and the catalogue.
problems_box = st.container()

# --- catalogue
with st.expander("Service catalogue: which tier commissions each service, and its share", True):
    st.selectbox(
        "Start from a shipped catalogue",
        list(PRESETS),
        key="alloc_preset",
        format_func=PRESET_LABELS.get,
        on_change=reset_catalogue,
        persist_state="session",
        help="Changing this replaces the table below with the preset.",
    )
    editor_key = f"alloc_editor_{ss['alloc_editor_n']}"
    edited = st.data_editor(
        ss["alloc_catalogue_base"],
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "service": st.column_config.TextColumn("Service", required=True),
            "tier": st.column_config.SelectboxColumn(
                "Tier that commissions it",
                options=list(TIERS),
                required=True,
                help="ics, place, pcn or practice",
            ),
            "component": st.column_config.SelectboxColumn(
                "NHS England need component",
                options=list(COMPONENTS),
                required=True,
                help="The weighted population that shares this service out.",
            ),
            "share_percent": st.column_config.NumberColumn(
                "Share of budget (%)", min_value=0.0, max_value=100.0, format="%.2f"
            ),
            "note": st.column_config.TextColumn("Source / note", width="large"),
        },
    )
    ss["alloc_catalogue_edited"] = edited
    table_downloads(edited, f"Service catalogue {code}", "alloc_catalogue")
    st.caption(
        f"Catalogue: {ss['alloc_catalogue_source']}"
        + (
            ""
            if edited.equals(ss["alloc_catalogue_base"])
            or ss["alloc_catalogue_source"].endswith("(edited)")
            else " (edited)"
        )
        + ". Add or delete rows with the table's toolbar; shares must add up to 100%."
    )
    with st.popover("Where the default catalogues come from"):
        st.markdown(
            """
**Tiers** follow the seed papers. NW London's commissioning reform commissions *acute
and specialist care once* for the whole ICS and *locally focused health at borough
(place) level*; primary care sits with PCNs and practices. Coventry & Warwickshire
expects *about 80% of commissioning work* to sit with its four places and 20% with the
strategic ICS: its preset keeps exactly 20% of the money at ICS level (the paper's 80/20
is about work, not money, so this is a proxy).

**Money shares** come from NHS England's own 2022/23 formula: a least-squares fit of
the core weighted population (“Final WP”) on its six component weighted populations over
all 6,554 practices (R² = 0.99995) gives implied weights G&A 61.9%, community 5.1%,
mental health 10.6%, maternity 3.2%, health inequalities 10.0%, prescribing 9.1%. Scaled
to 91% and rounded: 56, 5, 10, 3, 9 and 8%. Primary medical care, allocated separately
by NHS England, takes an illustrative 9% (2% PCN, 7% practices).
"""
        )

# --- build the scenario; bad input keeps the last scenario that worked
last_good_key = f"{code}|{place_definition}"


def last_good() -> Scenario:
    """The last scenario that ran for this ICS (or the default), for bad input."""
    text = ss["alloc_last_good"].get(last_good_key)
    return Scenario.from_json(text) if text else default_scenario(frame)


problems: list[str] = []
try:
    catalogue = validate_catalogue(edited)
except (CatalogueError, TypeError) as exc:
    problems.append(f"**Catalogue:** {exc}.")
    catalogue = last_good().catalogue
try:
    budget = budget_to_pence(budget_text) / 100
    if budget <= 0:
        raise ValueError("the budget must be more than £0")
except (TypeError, ValueError) as exc:
    problems.append(f"**Budget:** {exc}. Type pounds, e.g. 4,250,000,000.")
    budget = float(last_good().budget)
scenario_name = name_input.strip() or auto_name(method, parameters)
try:
    scenario = Scenario(scenario_name, budget, catalogue, method, parameters)
    allocations = loaders.allocation_run(system_key, scenario.to_json())
except (ScenarioError, ValueError) as exc:
    problems.append(f"**Method:** {exc}.")
    scenario = last_good()
    allocations = loaders.allocation_run(system_key, scenario.to_json())
if problems:
    problems_box.error(
        "\n\n".join(problems)
        + f"\n\nThe figures below still show the last scenario that worked: “{scenario.name}”."
    )
scenario_json = scenario.to_json()
ss["alloc_last_good"][last_good_key] = scenario_json
if ss.get(SCENARIO_KEY) != scenario_json or ss.get(SCENARIO_ICS_KEY) != code:
    ss[SCENARIO_KEY] = scenario_json
    ss[SCENARIO_ICS_KEY] = code

# Shareable view state.
st.query_params["method"] = scenario.method
if scenario.method in INEQUALITY_METHODS:
    st.query_params["share"] = f"{scenario.parameters['share_percent']:g}"
else:
    st.query_params.pop("share", None)
# A shipped catalogue, unedited, can be named in a link; an edited or loaded one cannot.
if ss["alloc_catalogue_source"].startswith("shipped preset") and edited.equals(
    ss["alloc_catalogue_base"]
):
    st.query_params["catalogue"] = ss["alloc_preset"]
else:
    st.query_params.pop("catalogue", None)

# --- save and load
save_col, load_col = st.columns([2, 3])
with save_col:
    st.download_button(
        "Save scenario (JSON)",
        data=scenario_json,
        file_name=f"{slug(scenario.name)}.json",
        mime="application/json",
        key="alloc_save",
        on_click="ignore",
        help="Download this scenario (name, budget, method, parameters and catalogue).",
    )
    st.caption(
        f"Scenario: **{scenario.name}** · budget {pounds(float(scenario.budget))} (input) · "
        f"{METHOD_LABELS[scenario.method]}"
    )
load_col.file_uploader(
    "Load a scenario (JSON saved from this page)",
    type=["json"],
    max_upload_size=2,
    key="alloc_load",
    on_change=load_scenario,
    args=(code, place_definition),
    help="A file that is malformed or cannot run for this ICS changes nothing.",
)
with load_col:
    show_message("alloc_message")

level = st.segmented_control(
    "Show by",
    list(LEVELS),
    key="alloc_level",
    format_func=LEVEL_LABELS.get,
    required=True,
    persist_state="session",
)
st.query_params["level"] = level

summary = allocation_summary(allocations, frame, level)
place_summary = summary if level == "place" else allocation_summary(allocations, frame, "place")
population = float(frame[POPULATION_COLUMN].sum())

tabs = st.tabs(TABS, key="view", bind="query-params")

# ============================================================================ allocation
with tabs[0]:
    if tabs[0].open:
        cols = st.columns(4)
        cols[0].metric(
            "ICS budget (your input)",
            compact_pounds(float(scenario.budget)),
            help=f"{pounds(float(scenario.budget))}: an input, not a published allocation.",
        )
        cols[1].metric("ICS £ per head", per_head(float(scenario.budget) / population))
        spread = funding_spread(place_summary)
        cols[2].metric(
            "Spread across places (CV of £ per weighted head)",
            f"{spread['cv'].iloc[0]:.3f}",
            help="Coefficient of variation: 0 means every place gets the same £ per weighted head.",
        )
        no_pcn = int(frame["pcn_code"].isna().sum())
        cols[3].metric(
            "Practices in no PCN",
            f"{no_pcn}",
            help="Allocated directly at the PCN tier and shown under their own name.",
        )

        # How the money flows down the tiers, by place.
        order = place_summary.sort_values("pounds_per_head")
        place_labels = unit_names(order, "place", names)["Place"]
        fig = go.Figure()
        for tier in TIERS:
            values = order[f"{tier}_pence"].to_numpy() / 100 / order["population"].to_numpy()
            fig.add_trace(
                go.Bar(
                    y=place_labels,
                    x=values,
                    cliponaxis=False,
                    orientation="h",
                    name=f"Commissioned by {TIER_LABELS[tier]}",
                    marker={
                        "color": TIER_COLOURS[tier],
                        "pattern": hatch(TIER_PATTERNS[tier]),
                    },
                    text=[f"£{v:,.0f}" for v in values],
                    textposition="inside",
                    insidetextanchor="middle",
                    hovertemplate="%{y}<br>" + TIER_LABELS[tier] + ": £%{x:,.2f} per head"
                    "<extra></extra>",
                )
            )
        fig.add_trace(
            go.Scatter(
                y=place_labels,
                x=order["pounds_per_head"],
                cliponaxis=False,
                mode="text",
                text=[f"  £{v:,.0f}" for v in order["pounds_per_head"]],
                textposition="middle right",
                showlegend=False,
                hoverinfo="skip",
            )
        )
        title = f"{scenario.name}: £ per head by place and commissioning tier"
        fig.update_layout(barmode="stack", uniformtext={"minsize": 9, "mode": "hide"})
        finish(fig, title, 120 + 45 * len(order), f"£ per head ({PRICES})")
        show_figure(fig, title, "alloc_tiers")
        shares = tier_split(scenario.catalogue)
        st.caption(
            "Every service is shared to places, then to PCNs within each place, then to "
            "practices within each PCN, rounding to the penny at each tier so that every "
            "total adds up exactly. Budget by tier: "
            + " · ".join(f"{TIER_LABELS[t]} {s:g}%" for t, s in shares.items())
            + "."
        )

        if scenario.method in INEQUALITY_METHODS:
            st.subheader("Who gains and who loses against plain weighted capitation")
            plain_json = variant(scenario, "weighted_capitation", "Weighted capitation")
            base = loaders.allocation_run(system_key, plain_json)
            change = compare_allocations(base, allocations, frame, level)
            gains = change["change_pence"] > 0
            losses = change["change_pence"] < 0
            st.markdown(
                f"{int(gains.sum())} of {len(change)} {UNIT_PLURALS[level]} gain "
                f"{pounds(change.loc[gains, 'change_pounds'].sum())}; {int(losses.sum())} lose "
                f"{pounds(-change.loc[losses, 'change_pounds'].sum())}"
                + (
                    " (zero-sum: gains equal losses to the penny)."
                    if scenario.method == "inequality_zero_sum"
                    else "."
                )
            )
            table = pd.concat(
                [
                    unit_names(change, level, names),
                    pd.DataFrame(
                        {
                            "Outcome": change["outcome"],
                            "Weighted capitation £": change["base_pence"] / 100,
                            "This scenario £": change["other_pence"] / 100,
                            "Change £": change["change_pounds"],
                            "Change £ per head": change["change_per_head"],
                            "Change %": change["change_percent"],
                        }
                    ),
                ],
                axis=1,
            ).sort_values("Change £", ascending=False)
            show_table(
                table,
                f"{scenario.name} gains and losses by {level}",
                "alloc_gains",
                {
                    "Weighted capitation £": MONEY,
                    "This scenario £": MONEY,
                    "Change £": MONEY,
                    "Change £ per head": MONEY_HEAD,
                    "Change %": "%.2f%%",
                },
            )

        # Map of £ per head: places, or PCN footprints for PCNs and practices.
        map_level = "place" if level == "place" else "pcn"
        shown = summary if level == map_level else allocation_summary(allocations, frame, "pcn")
        if map_level == "place":
            locations = shown["place_code"]
            labels = unit_names(shown, "place", names)["Place"]
        else:
            with_footprint = set(system.pcns.loc[~system.pcns.geometry.is_empty, "pcn_code"])
            shown = shown[shown["unit_code"].isin(with_footprint)]
            locations = shown["unit_code"]
            labels = shown["pcn_name"]
        map_title = f"{scenario.name}: £ per head by {'place' if map_level == 'place' else 'PCN'}"
        choropleth = go.Figure(
            go.Choropleth(
                geojson=loaders.allocation_geojson(system_key, map_level),
                locations=locations,
                z=shown["pounds_per_head"],
                colorscale="Cividis",
                colorbar={
                    "title": {"text": f"£ per head<br>({PRICES})"},
                    "tickprefix": "£",
                    "tickformat": ",.0f",
                },
                marker={"line": {"width": 1, "color": "white"}, "opacity": 0.9},
                customdata=np.column_stack(
                    [labels, shown["pounds"], shown["population"], shown["pounds_per_head"]]
                ),
                hovertemplate="<b>%{customdata[0]}</b><br>%{location}<br>£%{customdata[1]:,.0f}"
                "<br>Population (NHS England 2022/23): %{customdata[2]:,.0f}"
                "<br>£%{customdata[3]:,.2f} per head<extra></extra>",
                name="£ per head",
            )
        )
        choropleth.update_layout(
            geo=geo_view(system.ics.total_bounds),
            height=560,
            margin={"l": 0, "r": 0, "t": 90, "b": 10},
            title={
                "text": map_title,
                "x": 0.01,
                "subtitle": {
                    "text": f"Money in {PRICES}; the budget is a user input. Data: "
                    f"{layers.DATA_VINTAGE}.<br>Contains OS data © Crown copyright.",
                    "font": {"size": 11, "color": "#425563"},
                },
            },
            uirevision=f"{code}-{map_level}",
        )
        show_figure(choropleth, map_title, "alloc_map")
        if map_level == "pcn":
            hidden = len(summary) - len(shown) if level == "pcn" else None
            st.caption(
                "PCN footprints are the LSOAs where each PCN has more registered patients "
                "than any other; £ per head is per registered patient. Practices in no PCN"
                + (f" and PCNs with no footprint ({hidden} units)" if hidden else "")
                + " have no area on the map and are in the table. "
                + (
                    "Practices have no areas, so the map shows their PCNs."
                    if level == "practice"
                    else ""
                )
            )
        else:
            st.caption("Hover a place for its figures; the table below has every value.")

        table = pd.concat(
            [
                unit_names(summary, level, names),
                pd.DataFrame(
                    {
                        "£": summary["pounds"],
                        "£ per head": summary["pounds_per_head"],
                        "£ per weighted head": summary["pounds_per_weighted_head"],
                        "Population (NHS England 2022/23)": summary["population"],
                        "Weighted population": summary["weighted_population"],
                        **{
                            f"Commissioned by {TIER_LABELS[t]} £": summary[f"{t}_pence"] / 100
                            for t in TIERS
                        },
                    }
                ),
            ],
            axis=1,
        )
        show_table(
            table,
            f"{scenario.name} allocation by {level}",
            "alloc_summary",
            {
                "£": MONEY,
                "£ per head": MONEY_HEAD,
                "£ per weighted head": MONEY_HEAD,
                "Population (NHS England 2022/23)": "%,.0f",
                "Weighted population": "%,.0f",
                **{f"Commissioned by {TIER_LABELS[t]} £": MONEY for t in TIERS},
            },
        )
        st.caption(
            "Weighted population: the catalogue's mix of NHS England need components, scaled "
            "so that it adds up to the ICS population; pure weighted capitation gives every "
            "unit the same £ per weighted head."
        )

# ============================================================================ need
with tabs[1]:
    if tabs[1].open:
        st.markdown(
            "NHS England's relative need index: a unit's weighted population per head for a "
            "component, divided by the ICS's. **1.20 means 20% more need per head than the "
            "ICS average.** The overall index uses the core weighted population (“Final WP”)."
        )
        labels = {f"{c}_index": COMPONENT_LABELS[c] for c in COMPONENTS}
        labels["overall_index"] = "Overall (core)"
        place_need = loaders.allocation_need(system_key, "place")
        place_labels = unit_names(place_need, "place", names)["Place"]
        matrix = place_need[list(INDEX_COLUMNS)].to_numpy(dtype=float)
        heat = go.Figure(
            go.Heatmap(
                z=matrix,
                x=[labels[c] for c in INDEX_COLUMNS],
                y=place_labels,
                colorscale="Cividis",
                zmid=1.0,
                text=np.round(matrix, 2),
                texttemplate="%{text:.2f}",
                colorbar={"title": {"text": "Need index<br>(1 = ICS average)"}},
                hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>",
            )
        )
        need_title = f"{system.name}: NHS England need index by place and component (2022/23)"
        finish(
            heat,
            need_title,
            160 + 40 * len(place_need),
            "Need component",
            note="Index 1 = ICS average need per head; NHS England 2022/23 weighted populations.",
        )
        show_figure(heat, need_title, "alloc_need_heat")
        for need_level, need_key in (("place", "alloc_need_place"), ("pcn", "alloc_need_pcn")):
            need = (
                place_need if need_level == "place" else loaders.allocation_need(system_key, "pcn")
            )
            st.subheader(f"Need indices by {'place' if need_level == 'place' else 'PCN'}")
            table = pd.concat(
                [
                    unit_names(need, need_level, names),
                    pd.DataFrame({"Population (NHS England 2022/23)": need["population"]}),
                    need[list(INDEX_COLUMNS)].rename(columns=labels),
                ],
                axis=1,
            )
            show_table(
                table,
                f"{system.name} need indices by {need_level}",
                need_key,
                {
                    "Population (NHS England 2022/23)": "%,.0f",
                    **dict.fromkeys(labels.values(), "%.3f"),
                },
            )

# ============================================================================ distance
current_entry = ss.get("alloc_current")
uploaded_current = (
    current_entry["totals"]
    if current_entry and current_entry["key"] == (code, place_definition)
    else None
)
equal_json = variant(scenario, "equal_per_head", "Equal per head")
current = (
    uploaded_current
    if uploaded_current is not None
    else loaders.allocation_run(system_key, equal_json)
)
current_label = current_entry["name"] if uploaded_current is not None else "Equal per head"

with tabs[2]:
    if tabs[2].open:
        show_message("alloc_current_message")
        st.markdown(
            f"How far a **current** allocation is from **{scenario.name}**. Like NHS England's "
            "distance from target, targets are compared as shares of the current total; a "
            "positive distance means over target."
        )
        up_col, template_col = st.columns([3, 2])
        up_col.file_uploader(
            "Upload a current allocation (CSV: one key column — place_code, pcn_code or "
            "practice_code — and pounds)",
            type=["csv"],
            max_upload_size=2,
            key="alloc_current_upload",
            on_change=load_current,
            args=(code, place_definition),
        )
        equal_by_practice = allocation_summary(
            loaders.allocation_run(system_key, equal_json), frame, "practice"
        )
        template = pd.DataFrame(
            {
                "practice_code": equal_by_practice["practice_code"],
                "practice_name": equal_by_practice["practice_name"],
                "pounds": equal_by_practice["pounds"].round(2),
            }
        )
        template_col.download_button(
            "Template: equal per head by practice (CSV)",
            data=template.to_csv(index=False),
            file_name=f"current_allocation_template_{code}.csv",
            mime="text/csv",
            key="alloc_current_template",
            on_click="ignore",
        )
        if uploaded_current is not None:
            template_col.button("Use equal per head instead", on_click=clear_current)
            total = uploaded_current["pence"].sum() / 100
            st.info(
                f"Current allocation: **{current_label}** (by "
                f"{uploaded_current['level'].iloc[0]}), total {pounds(total)}."
                + (
                    f" The scenario budget is {pounds(float(scenario.budget))}; distances "
                    "compare shares, so the gap in totals does not count."
                    if abs(total - float(scenario.budget)) > 0.005 * float(scenario.budget)
                    else ""
                )
            )
        else:
            st.caption(
                "Current allocation: equal per head of the same budget (default). Upload "
                "your own to replace it."
            )

        st.subheader("Spread of £ per weighted head across places")
        spread = weighted_head_spread(current, allocations, frame, "place")
        rows = spread.set_index("allocation")
        cols = st.columns(4)
        cols[0].metric("Range, current", per_head(rows.loc["current", "range"]), help=current_label)
        cols[1].metric("CV, current", f"{rows.loc['current', 'cv']:.3f}")
        cols[2].metric(
            "Range, this scenario", per_head(rows.loc["target", "range"]), help=scenario.name
        )
        cols[3].metric("CV, this scenario", f"{rows.loc['target', 'cv']:.3f}", help=scenario.name)
        spread_table = pd.DataFrame(
            {
                "Allocation": [current_label, scenario.name],
                "Lowest place": rows["lowest_unit"]
                .map(frame.drop_duplicates("place_code").set_index("place_code")["place_name"])
                .to_numpy(),
                "Lowest £ per weighted head": rows["lowest"].to_numpy(),
                "Highest place": rows["highest_unit"]
                .map(frame.drop_duplicates("place_code").set_index("place_code")["place_name"])
                .to_numpy(),
                "Highest £ per weighted head": rows["highest"].to_numpy(),
                "Range £": rows["range"].to_numpy(),
                "Highest ÷ lowest": rows["ratio"].to_numpy(),
                "Coefficient of variation": rows["cv"].to_numpy(),
            }
        )
        show_table(
            spread_table,
            f"{scenario.name} spread of funding across places",
            "alloc_spread",
            {
                "Lowest £ per weighted head": MONEY_HEAD,
                "Highest £ per weighted head": MONEY_HEAD,
                "Range £": MONEY_HEAD,
                "Highest ÷ lowest": "%.3f",
                "Coefficient of variation": "%.4f",
            },
        )
        st.caption(
            "Weighted heads are the chosen catalogue's mix of need components. The "
            "coefficient of variation is the standard deviation over the mean, each place "
            "counting once: 0 means no postcode lottery between places."
        )

        st.subheader(f"Distance from target by {'PCN' if level == 'pcn' else level}")
        shown_level = level
        current_level = (
            uploaded_current["level"].iloc[0] if uploaded_current is not None else "practice"
        )
        if LEVELS.index(current_level) < LEVELS.index(level):
            shown_level = current_level
            st.info(
                f"The current allocation is by {current_level}, so distances are shown by "
                f"{current_level}."
            )
        distance = distance_from_target(current, allocations, frame, shown_level)
        table = pd.concat(
            [
                unit_names(distance, shown_level, names),
                pd.DataFrame(
                    {
                        "Current £": distance["current_pounds"],
                        "Target £": distance["target_pounds"],
                        "Current − target £": distance["difference_pounds"],
                        "Distance from target %": distance["distance_percent"],
                        "Current £ per head": distance["current_per_head"],
                        "Target £ per head": distance["target_per_head"],
                    }
                ),
            ],
            axis=1,
        ).sort_values("Distance from target %")
        chart = table.dropna(subset=["Distance from target %"])
        if len(chart) > 40:
            chart = chart.reindex(
                chart["Distance from target %"].abs().sort_values(ascending=False).index[:40]
            ).sort_values("Distance from target %")
        bars = go.Figure(
            go.Bar(
                y=chart.iloc[:, 0],
                x=chart["Distance from target %"],
                orientation="h",
                marker={
                    "color": np.where(chart["Distance from target %"] >= 0, "#E69F00", "#0072B2"),
                    "pattern": hatch(
                        np.where(chart["Distance from target %"] >= 0, "/", "").tolist()
                    ),
                },
                text=[f"{v:+.1f}%" for v in chart["Distance from target %"]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:+.2f}% from target<extra></extra>",
            )
        )
        distance_title = f"{current_label} against {scenario.name}: distance from target"
        finish(
            bars,
            distance_title + (" (40 furthest units)" if len(table) > 40 else ""),
            140 + 22 * len(chart),
            "Distance from target (%; over target > 0, hatched)",
        )
        bars.update_xaxes(range=padded_range(chart["Distance from target %"]))
        show_figure(bars, distance_title, "alloc_distance_chart")
        show_table(
            table,
            f"{scenario.name} distance from target by {shown_level}",
            "alloc_distance",
            {
                "Current £": MONEY,
                "Target £": MONEY,
                "Current − target £": MONEY,
                "Distance from target %": "%.2f%%",
                "Current £ per head": MONEY_HEAD,
                "Target £ per head": MONEY_HEAD,
            },
        )

# ============================================================================ former CCGs
with tabs[3]:
    if tabs[3].open:
        n_ccgs = frame["former_ccg_code"].nunique()
        st.markdown(
            f"The same ICS seen through its **{n_ccgs} former CCGs**: how much per head each "
            f"would get under the current allocation ({current_label}) and under the unified "
            f"formula ({scenario.name}). Merging CCGs was meant to end “postcode lotteries”: "
            "a single formula funds the same need the same way wherever a patient lives."
        )
        with st.expander("How practices are given a former CCG", expanded=False):
            st.markdown(
                """
Each practice goes to the former CCG where most of its registered patients live
(plurality of July 2022 registrations by LSOA, counting patients who live inside the ICS;
ties go to the lower code). LSOAs are mapped to CCGs with the ONS April 2021 LSOA → CCG
lookup. That lookup already shows **NHS North West London CCG** (8 CCGs merged in April
2021), **NHS Coventry and Warwickshire CCG** (3, April 2021) and **NHS Herefordshire and
Worcestershire CCG** (4, April 2020) as single CCGs, as does NHS England's 2022/23 file.
For those three the page splits each merged CCG back into its former CCGs by local
authority district, because each former CCG was made of whole districts (NW London's were
its boroughs). The one exception is NHS West London CCG, which also covered the Queen's
Park and Paddington wards of Westminster; here they count with Central London
(Westminster).
"""
            )
        if n_ccgs == 1:
            st.info(
                f"In the April 2021 lookup {system.name} was already a single CCG "
                f"({frame['former_ccg_name'].iloc[0]}), and this page splits only the merged "
                "CCGs of NW London, Coventry & Warwickshire and Herefordshire & Worcestershire "
                "back into their former CCGs, so there is one unit to show."
            )
        if uploaded_current is not None and uploaded_current["level"].iloc[0] != "practice":
            st.info(
                f"Your current allocation is by {uploaded_current['level'].iloc[0]}; grouping "
                "by former CCG needs one by practice, so this view uses equal per head."
            )
            merger_current = loaders.allocation_run(system_key, equal_json)
            merger_label = "Equal per head"
        else:
            merger_current, merger_label = current, current_label
        merger = former_ccg_funding(merger_current, allocations, frame)
        merger = merger.sort_values("unified_per_head")
        dumbbell = go.Figure()
        for _, row in merger.iterrows():
            dumbbell.add_shape(
                type="line",
                x0=row["current_per_head"],
                x1=row["unified_per_head"],
                y0=row["former_ccg_name"],
                y1=row["former_ccg_name"],
                line={"color": "#aeb7bd", "width": 3},
                layer="below",
            )
        dumbbell.add_trace(
            go.Scatter(
                x=merger["current_per_head"],
                y=merger["former_ccg_name"],
                mode="markers",
                name=f"Current: {merger_label}",
                marker={"symbol": "circle", "size": 13, "color": "#0072B2"},
                hovertemplate="%{y}<br>Current: £%{x:,.2f} per head<extra></extra>",
            )
        )
        dumbbell.add_trace(
            go.Scatter(
                x=merger["unified_per_head"],
                y=merger["former_ccg_name"],
                mode="markers+text",
                cliponaxis=False,
                name=f"Unified formula: {scenario.name}",
                marker={"symbol": "diamond", "size": 14, "color": "#D55E00"},
                text=[f"{v:+.1f}%" for v in merger["difference_percent"]],
                textposition=[
                    "middle right" if v >= 0 else "middle left"
                    for v in merger["difference_per_head"]
                ],
                hovertemplate="%{y}<br>Unified: £%{x:,.2f} per head<extra></extra>",
            )
        )
        merger_title = f"{system.name}: £ per head by former CCG, {merger_label} vs {scenario.name}"
        finish(dumbbell, merger_title, 180 + 42 * len(merger), f"£ per head ({PRICES})")
        both = np.concatenate([merger["current_per_head"], merger["unified_per_head"]])
        margin = 0.12 * (np.nanmax(both) - np.nanmin(both) or 1.0)
        dumbbell.update_xaxes(range=[np.nanmin(both) - margin, np.nanmax(both) + margin])
        show_figure(dumbbell, merger_title, "alloc_merger_chart")
        st.caption("Labels: change from current to unified, % of current £ per head.")
        lottery = pd.DataFrame(
            {
                "former_ccg_code": merger["former_ccg_code"],
                "pounds_per_weighted_head": merger["current_per_weighted_head"],
            }
        )
        unified_spread = pd.DataFrame(
            {
                "former_ccg_code": merger["former_ccg_code"],
                "pounds_per_weighted_head": merger["unified_per_weighted_head"],
            }
        )
        before, after = funding_spread(lottery), funding_spread(unified_spread)
        st.markdown(
            f"£ per weighted head across former CCGs ranges **{per_head(before['lowest'].iloc[0])}"
            f"–{per_head(before['highest'].iloc[0])}** (CV {before['cv'].iloc[0]:.3f}) under "
            f"{merger_label} and **{per_head(after['lowest'].iloc[0])}–"
            f"{per_head(after['highest'].iloc[0])}** (CV {after['cv'].iloc[0]:.3f}) under "
            f"{scenario.name}."
        )
        table = pd.DataFrame(
            {
                "Former CCG": merger["former_ccg_name"],
                "Code": merger["former_ccg_code"],
                "Practices": merger["n_practices"],
                "Population (NHS England 2022/23)": merger["population"],
                "Current £": merger["current_pounds"],
                "Unified £": merger["unified_pounds"],
                "Current £ per head": merger["current_per_head"],
                "Unified £ per head": merger["unified_per_head"],
                "Difference £ per head": merger["difference_per_head"],
                "Difference %": merger["difference_percent"],
                "Current £ per weighted head": merger["current_per_weighted_head"],
                "Unified £ per weighted head": merger["unified_per_weighted_head"],
            }
        )
        show_table(
            table,
            f"{system.name} funding by former CCG",
            "alloc_merger",
            {
                "Population (NHS England 2022/23)": "%,.0f",
                "Current £": MONEY,
                "Unified £": MONEY,
                "Current £ per head": MONEY_HEAD,
                "Unified £ per head": MONEY_HEAD,
                "Difference £ per head": MONEY_HEAD,
                "Difference %": "%.2f%%",
                "Current £ per weighted head": MONEY_HEAD,
                "Unified £ per weighted head": MONEY_HEAD,
            },
        )

# ============================================================================ compare
with tabs[4]:
    if tabs[4].open:
        show_message("alloc_compare_message")
        st.markdown(
            "Compare two scenarios side by side. The list holds this page's scenario, two "
            "built-in baselines with the same budget and catalogue, and any scenario you add."
        )
        add_col, upload_col = st.columns([2, 3])
        add_col.button(
            "Add this scenario to the list",
            on_click=add_to_library,
            args=(scenario_json,),
            help="Keep the current settings to compare after you change them.",
        )
        upload_col.file_uploader(
            "Add scenario files to compare (JSON)",
            type=["json"],
            accept_multiple_files=True,
            max_upload_size=2,
            key="alloc_compare_upload",
            on_change=add_files_to_library,
            args=(code, place_definition),
        )
        options = {WORKING: f"This page's scenario: {scenario.name}", **BUILTIN_COMPARISONS}
        options.update({f"library:{n}": n for n in ss["alloc_library"]})
        if ss.get("alloc_compare_a") not in options:
            ss["alloc_compare_a"] = WORKING
        if ss.get("alloc_compare_b") not in options:
            ss["alloc_compare_b"] = "builtin:equal_per_head"
        a_col, b_col = st.columns(2)
        choice_a = a_col.selectbox(
            "Scenario A",
            list(options),
            key="alloc_compare_a",
            format_func=options.get,
            persist_state="session",
        )
        choice_b = b_col.selectbox(
            "Scenario B",
            list(options),
            key="alloc_compare_b",
            format_func=options.get,
            persist_state="session",
        )

        def resolve(choice: str) -> Scenario:
            """The Scenario behind a list entry."""
            if choice == WORKING:
                return scenario
            if choice.startswith("builtin:"):
                method_b = choice.split(":", 1)[1]
                return Scenario(
                    BUILTIN_COMPARISONS[choice], scenario.budget, scenario.catalogue, method_b
                )
            return Scenario.from_json(ss["alloc_library"][choice.split(":", 1)[1]])

        try:
            first, second = resolve(choice_a), resolve(choice_b)
            first_alloc = loaders.allocation_run(system_key, first.to_json())
            second_alloc = loaders.allocation_run(system_key, second.to_json())
        except (ScenarioError, ValueError) as exc:
            st.error(f"These scenarios cannot be compared for {system.name}: {exc}.")
        else:

            def describe(s: Scenario) -> dict:
                """The facts of a scenario, as text for the side-by-side table."""
                p = s.parameters
                shares = tier_split(s.catalogue)
                return {
                    "Name": s.name,
                    "Method": METHOD_LABELS[s.method],
                    "Budget (input)": pounds(float(s.budget)),
                    "£ per head": per_head(float(s.budget) / population),
                    "Share moved": f"{p['share_percent']:g}%" if "share_percent" in p else "—",
                    "Deprivation measure": DEPRIVATION[p["deprivation_column"]][1]
                    if p.get("deprivation_column") in DEPRIVATION
                    else p.get("deprivation_column", "—"),
                    "Threshold": threshold_text(p),
                    "Services": f"{len(s.catalogue)}",
                    **{f"{TIER_LABELS[t]} tier share": f"{shares[t]:g}%" for t in TIERS},
                }

            side = pd.DataFrame({"A": describe(first), "B": describe(second)})
            side.insert(0, "", side.index)
            st.dataframe(
                side, hide_index=True, key="alloc_side_by_side", height=35 * (len(side) + 1) + 3
            )
            table_downloads(side, f"Scenarios {first.name} and {second.name}", "alloc_side")

            for compare_level, compare_key in (
                ("place", "alloc_compare_place"),
                ("pcn", "alloc_compare_pcn"),
            ):
                change = compare_allocations(second_alloc, first_alloc, frame, compare_level)
                label = "place" if compare_level == "place" else "PCN"
                st.subheader(f"Differences by {label}: A − B")
                table = pd.concat(
                    [
                        unit_names(change, compare_level, names),
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
                if compare_level == "place":
                    diff = go.Figure(
                        go.Bar(
                            y=table["Place"],
                            x=table["A − B £ per head"],
                            orientation="h",
                            marker={
                                "color": np.where(
                                    table["A − B £ per head"] >= 0, "#009E73", "#CC79A7"
                                ),
                                "pattern": hatch(
                                    np.where(table["A − B £ per head"] >= 0, "/", "").tolist()
                                ),
                            },
                            text=[f"{v:+,.2f}" for v in table["A − B £ per head"]],
                            textposition="outside",
                            cliponaxis=False,
                            hovertemplate="%{y}: £%{x:+,.2f} per head<extra></extra>",
                        )
                    )
                    diff_title = f"A ({first.name}) − B ({second.name}): £ per head by place"
                    finish(
                        diff,
                        diff_title,
                        160 + 40 * len(table),
                        f"Difference, £ per head ({PRICES}); A more than B > 0, hatched",
                    )
                    diff.update_xaxes(range=padded_range(table["A − B £ per head"]))
                    show_figure(diff, diff_title, "alloc_compare_chart")
                show_table(
                    table,
                    f"Scenario differences by {compare_level}",
                    compare_key,
                    {
                        "A £": MONEY,
                        "B £": MONEY,
                        "A £ per head": MONEY_HEAD,
                        "B £ per head": MONEY_HEAD,
                        "A − B £": MONEY,
                        "A − B £ per head": MONEY_HEAD,
                        "A − B % of B": "%.2f%%",
                    },
                )

scaffold.finish(ctx)
