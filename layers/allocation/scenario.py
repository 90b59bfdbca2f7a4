"""Scenarios: a named budget, catalogue, method and parameters, saved as versioned JSON.

The JSON looks like::

    {
      "format": "ics-allocation-scenario",
      "version": 1,
      "name": "Weighted capitation 2022/23",
      "budget": 3456789012.34,
      "method": "weighted_capitation",
      "parameters": {},
      "catalogue": [
        {"service": "...", "tier": "ics", "component": "general_acute",
         "share_percent": 56.0, "note": "..."},
        ...
      ]
    }

``budget`` is in pounds, from £0 to :data:`~layers.allocation.methods.MAX_POUNDS`
(£1 trillion). Loading checks everything, so a scenario that loads also runs (given a
practice frame with the columns it needs). JSON is read and written strictly
(:mod:`layers.strict_json`): at most 64 levels of nesting, integers of at most 20
digits, no NaN or Infinity; a number outside those limits is a :class:`ScenarioError`.
The name follows the rules for every name (:mod:`layers.names`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from layers import strict_json
from layers.names import InvalidNameError, clean_name

from ._docs import allocation_doc
from .catalogue import CATALOGUE_COLUMNS, POPULATION_COLUMN, CatalogueError, validate_catalogue
from .methods import allocate, budget_to_pence, validate_parameters
from .views import compare_allocations

__all__ = [
    "SCENARIO_FORMAT",
    "SCENARIO_KEYS",
    "SCENARIO_VERSION",
    "Scenario",
    "ScenarioError",
    "ScenarioVersionError",
    "compare_scenarios",
]

SCENARIO_FORMAT = "ics-allocation-scenario"
SCENARIO_VERSION = 1
SCENARIO_KEYS: tuple[str, ...] = (
    "format",
    "version",
    "name",
    "budget",
    "method",
    "parameters",
    "catalogue",
)


class ScenarioError(ValueError):
    """A scenario file is malformed: bad JSON, missing keys or invalid contents."""


class ScenarioVersionError(ScenarioError):
    """A scenario file is of another format or a version this library cannot read."""


@dataclass(frozen=True, eq=False)
class Scenario:
    """One allocation scenario.

    Parameters
    ----------
    name : str
        Label shown to users.
    budget : int, float, Decimal or str
        ICS budget in pounds (whole pence); stored as a Decimal.
    catalogue : DataFrame
        Service catalogue (checked and copied).
    method : str, default "weighted_capitation"
        A key of :data:`~layers.allocation.methods.METHODS`.
    parameters : mapping, optional
        The method's parameters; missing ones take their defaults.

    Raises
    ------
    ScenarioError
        If the name is blank, the budget, catalogue, method or parameters are invalid.

    Examples
    --------
    >>> from layers.allocation import Scenario, default_catalogue, example_practices
    >>> s = Scenario("Fair shares", 1000, default_catalogue(), "inequality_zero_sum",
    ...              {"share_percent": 2})
    >>> Scenario.from_json(s.to_json()) == s
    True
    >>> int(s.run(example_practices())["pence"].sum())
    100000
    """

    name: str
    budget: Decimal | int | float | str
    catalogue: pd.DataFrame = field(compare=False)
    method: str = "weighted_capitation"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScenarioError(f"scenario name must be non-empty text, got {self.name!r}")
        try:
            name = clean_name(self.name, "scenario name")
        except InvalidNameError as exc:
            raise ScenarioError(str(exc)) from None
        try:
            pence = budget_to_pence(self.budget)
            catalogue = validate_catalogue(self.catalogue)
            parameters = validate_parameters(self.method, self.parameters)
        except CatalogueError as exc:
            raise ScenarioError(f"scenario catalogue is invalid: {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ScenarioError(str(exc)) from exc
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "budget", Decimal(pence) / 100)
        object.__setattr__(self, "catalogue", catalogue)
        object.__setattr__(self, "parameters", parameters)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable contents: not hashable

    @property
    def budget_pence(self) -> int:
        """The budget in whole pence."""
        return int(self.budget * 100)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dictionary, with ``format`` and ``version``."""
        records = []
        for row in self.catalogue.to_dict(orient="records"):
            records.append({k: _plain(v) for k, v in row.items()})
        return {
            "format": SCENARIO_FORMAT,
            "version": SCENARIO_VERSION,
            "name": self.name,
            "budget": float(self.budget),
            "method": self.method,
            "parameters": {k: _plain(v) for k, v in self.parameters.items()},
            "catalogue": records,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise to strict JSON text (see the module docstring for the layout)."""
        return strict_json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> Scenario:
        """Build a scenario from a decoded JSON object, checking every field.

        Raises
        ------
        ScenarioVersionError
            If ``format`` or ``version`` is not one this library reads.
        ScenarioError
            If it is not an object, a key is missing or unexpected, or a value is invalid.
        """
        if not isinstance(data, dict):
            raise ScenarioError(
                f"scenario must be a JSON object with keys {', '.join(SCENARIO_KEYS)}; "
                f"got {type(data).__name__}"
            )
        missing = [k for k in SCENARIO_KEYS if k not in data]
        if "format" in data and data["format"] != SCENARIO_FORMAT:
            raise ScenarioVersionError(
                f"file format is {data['format']!r}, not {SCENARIO_FORMAT!r}; "
                "this is not an allocation scenario"
            )
        if "version" in data and (
            isinstance(data["version"], bool) or data["version"] != SCENARIO_VERSION
        ):
            raise ScenarioVersionError(
                f"scenario version {data['version']!r} is not supported; "
                f"this library reads version {SCENARIO_VERSION}"
            )
        if missing:
            raise ScenarioError(
                f"scenario is missing key(s) {', '.join(missing)}; "
                f"expected {', '.join(SCENARIO_KEYS)}"
            )
        extra = [k for k in data if k not in SCENARIO_KEYS]
        if extra:
            raise ScenarioError(f"scenario has unexpected key(s) {', '.join(map(str, extra))}")
        catalogue = data["catalogue"]
        if not isinstance(catalogue, list) or not all(isinstance(r, dict) for r in catalogue):
            raise ScenarioError("scenario catalogue must be a list of objects, one per service")
        for i, row in enumerate(catalogue, start=1):
            absent = [c for c in CATALOGUE_COLUMNS if c not in row]
            if absent:
                raise ScenarioError(
                    f"scenario catalogue entry {i} is missing key(s) {', '.join(absent)}"
                )
        parameters = data["parameters"]
        if not isinstance(parameters, dict):
            raise ScenarioError("scenario parameters must be a JSON object of name to value")
        budget = data["budget"]
        if isinstance(budget, bool) or not isinstance(budget, (int, float, str)):
            raise ScenarioError(f"scenario budget must be a number of pounds, got {budget!r}")
        frame = pd.DataFrame(catalogue)
        return cls(
            name=data["name"],
            budget=budget,
            catalogue=frame,
            method=data["method"],
            parameters=parameters,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """Load a scenario from JSON text.

        Raises
        ------
        TypeError
            If ``text`` is not str or bytes.
        ScenarioError
            If the text is not valid JSON or the scenario is malformed.
        ScenarioVersionError
            If it is another format or version.
        """
        if not isinstance(text, (str, bytes, bytearray)):
            raise TypeError(f"scenario JSON must be text, got {type(text).__name__}")
        try:
            data = strict_json.loads(text)
        except strict_json.JsonLimitError as exc:
            raise ScenarioError(f"scenario cannot be read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                f"scenario is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"scenario is not valid JSON: {exc.reason}") from None
        return cls.from_dict(data)

    def run(self, practices: pd.DataFrame) -> pd.DataFrame:
        """Allocate this scenario over a practice frame.

        Parameters
        ----------
        practices : DataFrame
            Practice frame of the ICS (see
            :func:`~layers.allocation.methods.validate_practices`).

        Returns
        -------
        DataFrame
            Allocations from :func:`~layers.allocation.methods.allocate`.
        """
        return allocate(practices, self.catalogue, self.budget, self.method, self.parameters)


def _plain(value: object) -> object:
    """Turn numpy scalars and NaN into plain JSON values."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


@allocation_doc
def compare_scenarios(
    first: Scenario,
    second: Scenario,
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Run two scenarios and show the difference for each place, PCN or practice.

    Parameters
    ----------
    first, second : Scenario
        The scenarios; changes are ``second`` − ``first``.
    %(by_unit)s

    Returns
    -------
    DataFrame
        As :func:`~layers.allocation.views.compare_allocations`, with ``base`` the first
        scenario and ``other`` the second.

    Raises
    ------
    TypeError
        If either is not a :class:`Scenario`.

    Examples
    --------
    >>> from layers.allocation import Scenario, default_catalogue, example_practices
    >>> from layers.allocation.scenario import compare_scenarios
    >>> a = Scenario("Per head", 1000, default_catalogue(), "equal_per_head")
    >>> b = Scenario("By need", 1000, default_catalogue())
    >>> compare_scenarios(a, b, example_practices())[["place_code", "change_pounds"]]
      place_code  change_pounds
    0          X         -140.0
    1          Y          140.0
    """
    for scenario in (first, second):
        if not isinstance(scenario, Scenario):
            raise TypeError(f"expected a Scenario, got {type(scenario).__name__}")
    return compare_allocations(
        first.run(practices), second.run(practices), practices, level, population_column
    )
