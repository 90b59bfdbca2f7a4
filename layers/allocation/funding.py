"""Funding per practice for a scenario, spread of £ per weighted head, former-CCG funding.

These are the pieces the dashboard pages share:

* :func:`practice_funding` gives £ and £ per head per practice for a scenario (or the
  default scenario); the inequality page reads it.
* :func:`default_scenario` and :func:`illustrative_budget` make the scenario a page
  starts from. The budget is an *input*: an illustrative £ per registered patient,
  never a published allocation.
* :func:`run_scenario` runs a scenario on an ICS and says clearly when it cannot.
* :func:`weighted_head_spread` and :func:`former_ccg_funding` summarise a current
  allocation against the chosen method.
"""

from __future__ import annotations

import math

import pandas as pd

from ._docs import allocation_doc
from .catalogue import DEFAULT_PRESET, POPULATION_COLUMN, default_catalogue
from .scenario import Scenario, ScenarioError
from .views import (
    _per_head,
    allocation_summary,
    distance_from_target,
    funding_spread,
    merger_view,
)

__all__ = [
    "ILLUSTRATIVE_POUNDS_PER_HEAD",
    "default_scenario",
    "former_ccg_funding",
    "illustrative_budget",
    "practice_funding",
    "run_scenario",
    "weighted_head_spread",
]

#: £ per registered patient behind the illustrative default budget (an input, not a
#: published figure; users type their own).
ILLUSTRATIVE_POUNDS_PER_HEAD = 1500


def illustrative_budget(
    practices: pd.DataFrame,
    pounds_per_head: float = ILLUSTRATIVE_POUNDS_PER_HEAD,
    population_column: str = POPULATION_COLUMN,
) -> int:
    """An illustrative ICS budget in whole pounds: £ per head × population, 3 significant figures.

    It gives a page a budget to start from and is never a published allocation: users
    type their own.

    Parameters
    ----------
    practices : DataFrame
        Practice frame of the ICS.
    pounds_per_head : float, default 1500
        Pounds per registered patient.
    population_column : str, default "wp_population"
        Population column (NHS England 2022/23 registered population).

    Returns
    -------
    int
        Pounds.

    Raises
    ------
    ValueError
        If the column is missing, the population is not positive or the rate is
        negative or not finite.

    Examples
    --------
    >>> from layers.allocation import example_practices
    >>> illustrative_budget(example_practices())  # 4,000 people × £1,500
    6000000
    >>> illustrative_budget(example_practices(), 1234.5)
    4940000
    """
    if not isinstance(practices, pd.DataFrame) or population_column not in practices.columns:
        raise ValueError(f"practices must be a DataFrame with a {population_column!r} column")
    if isinstance(pounds_per_head, bool) or not isinstance(pounds_per_head, (int, float)):
        raise TypeError(f"pounds_per_head must be a number, got {pounds_per_head!r}")
    if not math.isfinite(pounds_per_head) or pounds_per_head < 0:
        raise ValueError(f"pounds_per_head must be a finite number ≥ 0, got {pounds_per_head!r}")
    population = float(pd.to_numeric(practices[population_column], errors="coerce").sum())
    if not population > 0:
        raise ValueError(f"practices have no population in {population_column!r}")
    return int(float(f"{population * pounds_per_head:.3g}"))


def default_scenario(practices: pd.DataFrame, preset: str = DEFAULT_PRESET) -> Scenario:
    """The scenario a page starts from: weighted capitation of an illustrative budget.

    Parameters
    ----------
    practices : DataFrame
        Practice frame of the ICS (sets the illustrative budget).
    preset : str, default "neutral"
        Shipped catalogue (see :func:`~layers.allocation.catalogue.default_catalogue`).

    Returns
    -------
    Scenario
        "Weighted capitation (default)" of the preset's catalogue, with the
        :func:`illustrative_budget` of the practices.

    Examples
    --------
    >>> from layers.allocation import example_practices
    >>> s = default_scenario(example_practices())
    >>> s.name, s.method, int(s.budget)
    ('Weighted capitation (default)', 'weighted_capitation', 6000000)
    """
    return Scenario(
        name="Weighted capitation (default)",
        budget=illustrative_budget(practices),
        catalogue=default_catalogue(preset),
        method="weighted_capitation",
    )


def _as_scenario(scenario: Scenario | str | bytes | None, practices: pd.DataFrame) -> Scenario:
    if scenario is None:
        return default_scenario(practices)
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, bytes, bytearray)):
        return Scenario.from_json(scenario)
    raise TypeError(
        f"scenario must be a Scenario, its JSON text or None, got {type(scenario).__name__}"
    )


def run_scenario(
    scenario: Scenario | str | bytes | None, practices: pd.DataFrame
) -> tuple[Scenario, pd.DataFrame]:
    """Run a scenario on an ICS, turning any failure into a :class:`ScenarioError`.

    Parameters
    ----------
    scenario : Scenario, JSON text or None
        None means :func:`default_scenario`.
    practices : DataFrame
        Practice frame of the ICS.

    Returns
    -------
    scenario : Scenario
    allocations : DataFrame
        From :func:`~layers.allocation.methods.allocate`.

    Raises
    ------
    ScenarioError
        If the JSON is malformed, or the scenario is valid but cannot run on this ICS
        (e.g. a deprivation column the practices lack, or a zero-sum share too large
        for this ICS); the message names the scenario and the reason.
    TypeError
        If ``scenario`` is not a Scenario, JSON text or None.

    Examples
    --------
    >>> from layers.allocation import example_practices
    >>> bad = default_scenario(example_practices()).to_dict()
    >>> bad.update(method="inequality_zero_sum", parameters={"share_percent": 90})
    >>> import json
    >>> run_scenario(json.dumps(bad), example_practices())
    Traceback (most recent call last):
    ...
    layers.allocation.scenario.ScenarioError: scenario 'Weighted capitation (default)' cannot run for this ICS: share_percent 90 is too large for a zero-sum adjustment: practice 'A' would get less than nothing for service 'Acute and specialist hospital care'; the largest feasible share is 30.00%
    """  # noqa: E501
    scenario = _as_scenario(scenario, practices)
    try:
        return scenario, scenario.run(practices)
    except (TypeError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise ScenarioError(
            f"scenario {scenario.name!r} cannot run for this ICS: {message}"
        ) from exc


def practice_funding(
    practices: pd.DataFrame,
    scenario: Scenario | str | bytes | None = None,
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """£ and £ per head for every practice under a scenario.

    This is what other pages call to use the allocation page's scenario: pass the
    practice frame (:func:`~layers.allocation.frame.practice_frame`) and the scenario,
    e.g. the JSON text the dashboard keeps in ``st.session_state["allocation_scenario"]``;
    ``None`` gives :func:`default_scenario`.

    Parameters
    ----------
    practices : DataFrame
        Practice frame of the ICS.
    scenario : Scenario, JSON text or None
        The scenario; None means the default.
    population_column : str, default "wp_population"
        Population for £ per head (NHS England's 2022/23 registered population).

    Returns
    -------
    DataFrame
        One row per practice, sorted by code: ``practice_code``, ``pcn_code``,
        ``place_code`` (and ``practice_name`` when given), ``pounds``, ``population``,
        ``weighted_population``, ``pounds_per_head``, ``pounds_per_weighted_head``.
        ``pounds`` sums to the scenario's budget exactly.

    Raises
    ------
    ScenarioError
        If the scenario is malformed or cannot run on these practices.
    TypeError
        If ``scenario`` is not a Scenario, JSON text or None.

    Examples
    --------
    Weighted capitation shares £6m in proportion to the catalogue-implied weighted
    populations 1045 : 1395 : 1560 (see ``allocation_summary``).

    >>> from layers.allocation import example_practices
    >>> f = practice_funding(example_practices())
    >>> f[["practice_code", "pounds", "pounds_per_head"]].round(2)
      practice_code     pounds  pounds_per_head
    0             A  1567500.0          1567.50
    1             B  2092500.0          1046.25
    2             C  2340000.0          2340.00
    >>> float(f["pounds"].sum())
    6000000.0
    """
    scenario, allocations = run_scenario(scenario, practices)
    summary = allocation_summary(allocations, practices, "practice", population_column)
    keep = [c for c in ("practice_code", "practice_name", "pcn_code", "place_code") if c in summary]
    return summary[
        [
            *keep,
            "pounds",
            "population",
            "weighted_population",
            "pounds_per_head",
            "pounds_per_weighted_head",
        ]
    ].reset_index(drop=True)


@allocation_doc
def weighted_head_spread(
    current: pd.DataFrame,
    target: pd.DataFrame,
    practices: pd.DataFrame,
    level: str = "place",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Spread of £ per weighted head across units, for a current and a target allocation.

    Both are measured against the weighted population the *target's* catalogue implies
    (see :func:`~layers.allocation.views.allocation_summary`), so pure weighted
    capitation has no spread at all.

    Parameters
    ----------
    current : DataFrame
        Allocations or unit totals (e.g. a user's CSV); not finer than ``level``.
    target : DataFrame
        Allocations from the chosen method.
    %(practices)s
    %(level)s
    population_column : str, default "wp_population"
        Population the weighted population is scaled to.

    Returns
    -------
    DataFrame
        Two rows, ``allocation`` = "current" and "target", with the columns of
        :func:`~layers.allocation.views.funding_spread` (``range``, ``ratio``, ``cv``...).

    Examples
    --------
    Weighted heads (default catalogue): place X 2440, Y 1560. Equal per head gives X
    £3,000 and Y £1,000: £1.2295 and £0.6410 per weighted head, range 0.588.

    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> p, cat = example_practices(), default_catalogue()
    >>> now, goal = allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000)
    >>> weighted_head_spread(now, goal, p)[["allocation", "range", "cv"]].round(3)
      allocation  range     cv
    0    current  0.588  0.315
    1     target  0.000  0.000
    """
    summary = allocation_summary(target, practices, level, population_column)
    distance = distance_from_target(current, target, practices, level, population_column)
    code = summary.columns[0]
    weighted = summary["weighted_population"].to_numpy(dtype=float)
    rows = []
    for label, pounds in (
        ("current", distance["current_pounds"].to_numpy(dtype=float)),
        ("target", summary["pounds"].to_numpy(dtype=float)),
    ):
        per_head = _per_head(pounds, weighted)
        spread = funding_spread(
            pd.DataFrame({code: summary[code], "pounds_per_weighted_head": per_head})
        )
        rows.append(spread.assign(allocation=label))
    out = pd.concat(rows, ignore_index=True)
    return out[["allocation", *[c for c in out.columns if c != "allocation"]]]


@allocation_doc
def former_ccg_funding(
    current: pd.DataFrame,
    unified: pd.DataFrame,
    practices: pd.DataFrame,
    by: str = "former_ccg_code",
    name_column: str = "former_ccg_name",
    population_column: str = POPULATION_COLUMN,
) -> pd.DataFrame:
    """Funding by former CCG: current allocation against the unified formula, per head.

    The :func:`~layers.allocation.views.merger_view` of the two allocations, with each
    former CCG's name and its £ per weighted head under both, so that a CCG's gain or
    loss can be read against its need.

    Parameters
    ----------
    current : DataFrame
        Allocations, or unit totals by practice.
    unified : DataFrame
        Allocations of the whole ICS under the chosen method.
    practices : DataFrame
        Practice frame with the ``by`` and ``name_column`` columns (see
        :func:`~layers.allocation.frame.practice_frame`).
    by, name_column : str
        Former CCG code and name columns.
    %(population_column)s

    Returns
    -------
    DataFrame
        The columns of :func:`~layers.allocation.views.merger_view`, the CCG name after
        the code, then ``weighted_population`` (the unified catalogue's),
        ``current_per_weighted_head`` and ``unified_per_weighted_head``.

    Examples
    --------
    >>> from layers.allocation import allocate, default_catalogue, example_practices
    >>> p = example_practices().assign(former_ccg_code=["C1", "C2", "C2"],
    ...                                former_ccg_name=["One", "Two", "Two"])
    >>> cat = default_catalogue()
    >>> m = former_ccg_funding(allocate(p, cat, 4000, "equal_per_head"), allocate(p, cat, 4000), p)
    >>> m[["former_ccg_name", "current_per_head", "unified_per_head"]].round(3)
      former_ccg_name  current_per_head  unified_per_head
    0             One               1.0             1.045
    1             Two               1.0             0.985
    """
    if not isinstance(practices, pd.DataFrame) or name_column not in practices.columns:
        raise ValueError(f"practices must be a DataFrame with a {name_column!r} column")
    view = merger_view(current, unified, practices, by, population_column)
    names = practices.assign(**{by: practices[by].astype(str)}).groupby(by)[name_column].first()
    view.insert(1, name_column, view[by].map(names).to_numpy())
    summary = allocation_summary(unified, practices, "practice", population_column)
    group = practices.set_index(practices["practice_code"].astype(str))[by].astype(str)
    weighted = summary.groupby(summary["practice_code"].map(group))["weighted_population"].sum()
    view["weighted_population"] = view[by].map(weighted).to_numpy(dtype=float)
    for column in ("current", "unified"):
        view[f"{column}_per_weighted_head"] = _per_head(
            view[f"{column}_pounds"], view["weighted_population"]
        )
    return view
