"""The indicator, unit and allocation scenario that the decile, measure and ranking share.

They are read from the link, drawn as controls and written back to the link: ``indicator``,
``unit`` (``ics``, ``place:<code>`` or ``pcn:<code>``) and, for £ per head, ``scenario``:
``default`` or the reference of the allocation scenario used
(:func:`layers.indicators.scenario_reference`; absent for the default), since a link
cannot carry a whole scenario. A link naming a scenario this session does not have gets
the one bad-link warning and the default scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import streamlit as st

import layers
from dashboard import loaders, risk_source
from dashboard.risk_source import RiskSource
from dashboard.scaffold import PageContext, link_choice, plain, vinfo, warn_link
from layers import format as fmt
from layers import indicators
from layers.allocation import ILLUSTRATIVE_POUNDS_PER_HEAD, ScenarioError
from layers.people import upload_at_risk_indicator

#: Words for the SII's units, by indicator unit.
SII_UNITS = {"%": "percentage points", "km": "km", "£": "£ per head", "patients": "patients"}
DEFAULT_INDICATOR = "aged_65_plus"
#: The allocation page's current scenario (JSON text), set by that page.
SCENARIO_KEY = "allocation_scenario"
#: The link names the allocation scenario as ``allocation=`` (``scenario=`` is the library's).
SCENARIO_PARAM = "allocation"
#: The ICS and places the ``unit`` in the link was last set for, so that a switch of ICS
#: resets it quietly while a bad link is explained.
_UNIT_VIEW_KEY = "inequality_unit_view"
_DEFAULT_WORDS = (
    "its default scenario: weighted capitation of an illustrative budget "
    f"({fmt.pounds(ILLUSTRATIVE_POUNDS_PER_HEAD)} per registered patient) over the default service "
    "catalogue. The budget sets the scale of £ figures and of the SII, not the shape of the "
    "gradient (RII, concentration index and Gini do not depend on it)"
)


@dataclass(frozen=True)
class Choice:
    """One indicator for one unit, under one allocation scenario (and whose risk tiers)."""

    indicator: str
    level: str
    unit: str
    unit_name: str
    scenario_json: str
    #: The at-risk indicator's source: the user's uploaded aggregates, or synthetic.
    risk: RiskSource = field(default_factory=RiskSource)

    @property
    def spec(self) -> indicators.Indicator:
        """The indicator's definition (the at-risk one named as your data when it is)."""
        if self.risk.own:
            return upload_at_risk_indicator(self.risk.upload.vintage)
        return indicators.indicator_spec(self.indicator, vinfo().key)

    @property
    def loader_args(self) -> tuple:
        """What the cached inequality loaders take after the scenario: whose risk tiers."""
        return (self.risk.digest, self.risk.upload)

    @property
    def unit_words(self) -> str:
        """The SII's units in words."""
        return SII_UNITS[self.spec.unit]

    @property
    def decimals(self) -> int:
        """Decimals of values, limits and the SII (one more than the indicator's)."""
        return self.spec.decimals + 1

    @property
    def areas(self) -> str:
        """What the measures are computed over: "LSOAs" or "practices"."""
        return "LSOAs" if self.spec.basis == "lsoa" else "practices"

    def with_scenario(self, scenario_json: str) -> Choice:
        """The same choice under another scenario."""
        return replace(self, scenario_json=scenario_json)


def unit_names(ctx: PageContext) -> dict[str, dict[str, str]]:
    """Code → name of the units at each level."""
    system = loaders.system(ctx.key)
    return {
        "ics": {ctx.code: f"{ctx.name} ICS"},
        "place": dict(zip(system.places["place_code"], system.places["place_name"], strict=True)),
        "pcn": dict(zip(system.pcns["pcn_code"], system.pcns["pcn_name"], strict=True)),
    }


def _requested_unit(ctx: PageContext, names: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The level and unit the link asks for; a bad one is explained (unless the ICS changed)."""
    requested = st.query_params.get("unit", "ics")
    level, _, code = requested.partition(":")
    view = f"{ctx.code}|{ctx.place_definition}"
    switched = st.session_state.get(_UNIT_VIEW_KEY, view) != view
    st.session_state[_UNIT_VIEW_KEY] = view
    if requested == "ics" or (level in ("place", "pcn") and code in names[level]):
        return (level, code) if requested != "ics" else ("ics", ctx.code)
    if not switched:
        warn_link("the unit", requested, "the whole ICS")
    return "ics", ctx.code


def _unit(ctx: PageContext, spec: indicators.Indicator, column) -> tuple[str, str, str]:
    """The level and unit controls: (level, unit code, unit name)."""
    names = unit_names(ctx)
    requested_level, requested_code = _requested_unit(ctx, names)
    levels = list(indicators.UNIT_LEVELS)
    level = column[0].radio(
        "Summarise for",
        levels,
        index=levels.index(requested_level),
        format_func=indicators.UNIT_LEVELS.get,
        horizontal=True,
        key=f"ineq_level_{ctx.code}_{ctx.place_definition}",
    )
    if level == "ics":
        column[1].markdown(f"**{ctx.name} ICS**, all {spec.basis.replace('lsoa', 'LSOA')}s")
        return level, ctx.code, names["ics"][ctx.code]
    options = sorted(names[level], key=names[level].get)
    unit = column[1].selectbox(
        indicators.UNIT_LEVELS[level],
        options,
        index=options.index(requested_code) if level == requested_level else 0,
        format_func=lambda code: f"{names[level][code]} ({code})",
        key=f"ineq_unit_{ctx.code}_{ctx.place_definition}_{level}",
    )
    return level, unit, names[level][unit]


def _current_scenario() -> str | None:
    """The allocation page's current scenario as canonical JSON; None (said why) if none."""
    stored = st.session_state.get(SCENARIO_KEY)
    if stored is None:
        st.info(
            "No allocation scenario has been set on the Service allocation page in this "
            f"session, so £ per head uses {_DEFAULT_WORDS}."
        )
        return None
    try:
        return indicators.scenario_text(stored)
    except ScenarioError as exc:
        st.warning(
            f"The allocation page's current scenario could not be read ({plain(exc)}); "
            f"£ per head uses {_DEFAULT_WORDS}."
        )
        return None


def scenario(indicator: str) -> str:
    """The scenario £ per head uses (``DEFAULT_SCENARIO`` for the default), kept in the link.

    No ``allocation`` in the link means the allocation page's current scenario, if any; a
    link made with one names it by reference. ``default`` keeps the default scenario,
    as after a link whose scenario this session does not have.
    """
    if indicator != "pounds_per_head":
        st.query_params.pop(SCENARIO_PARAM, None)
        return loaders.DEFAULT_SCENARIO
    requested = st.query_params.get(SCENARIO_PARAM)
    current = _current_scenario()
    reference = indicators.scenario_reference(current) if current else None
    if requested not in (None, "default", reference):
        warn_link("the allocation scenario", requested, "the default scenario")
        requested = "default"
    if current is None or requested == "default":
        if requested == "default":
            st.caption("£ per head uses the default scenario, as the link asks.")
            st.query_params[SCENARIO_PARAM] = "default"
        return loaders.DEFAULT_SCENARIO
    name = layers.allocation.Scenario.from_json(current).name
    st.caption(f"£ per head from the allocation page's current scenario, “{plain(name)}”.")
    st.query_params[SCENARIO_PARAM] = reference
    return current


def read(ctx: PageContext) -> Choice:
    """Draw the indicator and unit controls and say which data and scenario they use."""
    # The indicators the vintage has (road distance to a GP is an IoD2019 one: 2022 only).
    offered = indicators.indicators_for(ctx.vintage)
    keys = list(offered)
    columns = st.columns([3, 2, 3])
    label = offered[DEFAULT_INDICATOR].label
    if st.session_state.get("ineq_indicator") not in (None, *keys):
        st.session_state.pop("ineq_indicator")  # one of the other vintage's
    indicator = columns[0].selectbox(
        "Indicator",
        keys,
        index=keys.index(link_choice("indicator", keys, "the indicator", DEFAULT_INDICATOR, label)),
        format_func=lambda key: offered[key].label,
        key="ineq_indicator",
    )
    spec = offered[indicator]
    level, unit, unit_name = _unit(ctx, spec, columns[1:])
    st.query_params["indicator"] = indicator
    st.query_params["unit"] = "ics" if level == "ics" else f"{level}:{unit}"
    basis_words = {
        "lsoa": "Each LSOA counts its residents"
        + (
            "; a PCN counts its registered patients at the value of the LSOA they live in"
            if level == "pcn"
            else ""
        )
        + ".",
        "practice": "Each practice sits in its **patient-weighted** IMD decile (where its "
        "registered patients live).",
    }[spec.basis]
    risk = risk_source.choose(ctx) if indicator == "at_risk" else RiskSource()
    chosen = Choice(indicator, level, unit, unit_name, loaders.DEFAULT_SCENARIO, risk)
    st.caption(f"Source: {chosen.spec.source}. {basis_words}")
    return chosen.with_scenario(scenario(indicator))
