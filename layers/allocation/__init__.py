"""Service allocation: share an ICS budget by need, across tiers and services.

- ``catalogue``: service catalogue (tier, share of budget, NHS England need component).
- ``methods``: allocation methods in a registry (``METHODS``), exact to the penny at
  every tier.
- ``need``: NHS England relative need indices per place, PCN or practice.
- ``views``: £ and £ per head by unit, distance from target, funding spread, merger view.
- ``scenario``: versioned JSON scenarios and scenario comparison.
- ``frame``: the practice frame of an ICS (tiers, weighted populations, deprivation,
  former CCG by where patients live).
- ``funding``: £ per head per practice for a scenario (for other pages), the default
  scenario and illustrative budget, spread of £ per weighted head, former-CCG funding.
- ``years``: weighted populations by allocation year (2026/27–2028/29 in the 2026
  vintage) and how need indices and fair shares move across them.

Examples
--------
>>> from layers.allocation import allocate, allocation_summary, default_catalogue
>>> from layers.allocation import example_practices
>>> practices = example_practices()
>>> out = allocate(practices, default_catalogue(), 1_000_000)
>>> allocation_summary(out, practices, "place")[["place_code", "pounds"]]
  place_code    pounds
0          X  610000.0
1          Y  390000.0
"""

from .catalogue import (
    CATALOGUE_COLUMNS,
    COMPONENT_COLUMNS,
    COMPONENT_NAMES,
    COMPONENTS,
    DEFAULT_PRESET,
    OVERALL_COLUMN,
    POPULATION_COLUMN,
    PRESET_NAMES,
    PRESETS,
    TIER_NAMES,
    TIERS,
    CatalogueError,
    default_catalogue,
    tier_shares,
    validate_catalogue,
)
from .frame import (
    DEPRIVATION_MEASURES,
    FORMER_CCG_SPLITS,
    FRAME_COLUMNS,
    WEIGHTED_COLUMNS,
    former_ccg_lookup,
    practice_former_ccgs,
    practice_frame,
)
from .funding import (
    ILLUSTRATIVE_POUNDS_PER_HEAD,
    default_scenario,
    former_ccg_funding,
    illustrative_budget,
    practice_funding,
    run_scenario,
    weighted_head_spread,
)
from .methods import (
    ALLOCATION_COLUMNS,
    DEPRIVATION_SCALES,
    LEVEL_NAMES,
    LEVELS,
    MAX_POUNDS,
    METHOD_NAMES,
    METHODS,
    allocate,
    budget_to_pence,
    equal_per_head,
    example_practices,
    inequality_level_up,
    inequality_zero_sum,
    largest_remainder,
    pounds_amount,
    pounds_to_pence,
    validate_parameters,
    validate_practices,
    weighted_capitation,
)
from .need import INDEX_COLUMNS, need_indices, unit_keys
from .scenario import (
    SCENARIO_FORMAT,
    SCENARIO_KEYS,
    SCENARIO_VERSION,
    Scenario,
    ScenarioError,
    ScenarioVersionError,
    compare_scenarios,
)
from .views import (
    allocation_summary,
    compare_allocations,
    distance_from_target,
    funding_spread,
    merger_view,
    unit_totals,
    validate_current_allocation,
)
from .years import allocation_years, need_over_years, weighted_populations, year_suffix

__all__ = [
    "ALLOCATION_COLUMNS",
    "CATALOGUE_COLUMNS",
    "COMPONENTS",
    "COMPONENT_COLUMNS",
    "COMPONENT_NAMES",
    "DEFAULT_PRESET",
    "DEPRIVATION_MEASURES",
    "DEPRIVATION_SCALES",
    "FORMER_CCG_SPLITS",
    "FRAME_COLUMNS",
    "ILLUSTRATIVE_POUNDS_PER_HEAD",
    "INDEX_COLUMNS",
    "LEVELS",
    "LEVEL_NAMES",
    "MAX_POUNDS",
    "METHODS",
    "METHOD_NAMES",
    "OVERALL_COLUMN",
    "POPULATION_COLUMN",
    "PRESETS",
    "PRESET_NAMES",
    "SCENARIO_FORMAT",
    "SCENARIO_KEYS",
    "SCENARIO_VERSION",
    "TIERS",
    "TIER_NAMES",
    "WEIGHTED_COLUMNS",
    "CatalogueError",
    "Scenario",
    "ScenarioError",
    "ScenarioVersionError",
    "allocate",
    "allocation_summary",
    "allocation_years",
    "budget_to_pence",
    "compare_allocations",
    "compare_scenarios",
    "default_catalogue",
    "default_scenario",
    "distance_from_target",
    "equal_per_head",
    "example_practices",
    "former_ccg_funding",
    "former_ccg_lookup",
    "funding_spread",
    "illustrative_budget",
    "inequality_level_up",
    "inequality_zero_sum",
    "largest_remainder",
    "merger_view",
    "need_indices",
    "need_over_years",
    "pounds_amount",
    "pounds_to_pence",
    "practice_former_ccgs",
    "practice_frame",
    "practice_funding",
    "run_scenario",
    "tier_shares",
    "unit_keys",
    "unit_totals",
    "validate_catalogue",
    "validate_current_allocation",
    "validate_parameters",
    "validate_practices",
    "weighted_capitation",
    "weighted_head_spread",
    "weighted_populations",
    "year_suffix",
]
