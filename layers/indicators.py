"""Indicators by national IMD decile, and where their inequalities are widest.

Every indicator is first a tidy frame with one row per **LSOA** or per **practice**,
built by :func:`build_indicator` from the tables its entry in :data:`INDICATORS` names
(:data:`INPUTS`):

* an id column, ``lsoa_code`` or ``practice_code``;
* ``imd_rank`` (1 = most deprived of 32,844 LSOAs for IMD 2019 in the 2022 vintage, of
  33,755 for IMD 2025 in the 2026 vintage) and ``imd_decile`` (national, 1 = most
  deprived). A practice takes the deprivation of where its registered patients live
  (:func:`layers.deprivation.practice_deprivation`: patient-weighted mean rank and the
  national decile it falls in);
* ``value`` on its natural scale (a proportion in 0-1, km, £, patients);
* ``population`` (the denominator, and the population weight of the inequality
  measures), ``weight`` (what averages ``value`` within a decile) and, for
  proportions, ``count`` (the numerator).

Units. An indicator is then attached to units (the ICS, its places or its PCNs) with
:func:`unit_membership` and :func:`unit_rows`:

* ICS and places are made of LSOAs, so LSOA indicators count their **residents**;
* PCNs are **patient-weighted**: an LSOA indicator counts each of the PCN's registered
  patients at the value of the LSOA they live in (practice × LSOA registrations,
  England-wide, so patients living outside the ICS count too);
* practice indicators count the practices of the unit, each in its own
  patient-weighted decile.

Then :func:`by_decile` sums each unit's rows by decile, with 95% confidence limits
(Wilson score for proportions, as PHEindicatormethods ``phe_proportion``; a
between-area standard error for means), :func:`decile_sii` fits the slope and relative
index of inequality (:func:`layers.inequality.slope_index_of_inequality`, the
PHEindicatormethods ``phe_sii`` method), :func:`summary_measures` adds the
population-weighted concentration indices and Gini over the unit's LSOAs or practices,
and :func:`inequality_ranking` ranks places and PCNs, most unequal first.

At-risk prevalence is **modelled**: synthetic individuals with the documented risk
model of :mod:`layers.risk`, aggregated to counts per practice (never individual
rows). Counts from individuals must go through :mod:`layers.disclosure` before they
are shown; :func:`decile_display_table` does that. The figures are drawn by
:mod:`layers.figures.inequality`.

Vintages. :func:`indicators_for` lists what a vintage offers, with its sources: in the
2026 vintage ages come in Census 2021 bands (the 65+ and 0–15 shares are the published
bands, never split), and road distance to a GP surgery is not available.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import format as fmt
from layers._checks import require_frame
from layers.ages import BAND_COLUMNS, has_bands, has_single_years
from layers.allocation import Scenario, ScenarioError
from layers.deprivation import resident_deprivation, unit_deprivation
from layers.disclosure import shares_from_rounded, suppress_counts
from layers.individuals import aggregate_individuals
from layers.inequality import (
    absolute_concentration_index,
    concentration_index,
    gini,
    slope_index_of_inequality,
)
from layers.risk import assign_risk
from layers.streams import DEFAULT_SEED, generator
from layers.vintages import CENSUS_AGE_BANDS, DEFAULT_VINTAGE, get_vintage

__all__ = [
    "DECILE_LABELS",
    "INDICATORS",
    "INPUTS",
    "MEASURES",
    "UNIT_LEVELS",
    "Indicator",
    "aged_0_15",
    "aged_65_plus",
    "at_risk_counts",
    "at_risk_prevalence",
    "build_indicator",
    "by_decile",
    "core20_areas",
    "decile_display_table",
    "decile_sii",
    "gp_distance",
    "indicator_spec",
    "indicators_for",
    "inequality_ranking",
    "patients_by_decile",
    "patients_per_practice",
    "pcn_deprivation",
    "pounds_per_head",
    "practice_risk_counts",
    "scenario_reference",
    "scenario_text",
    "share_aged",
    "summary_measures",
    "unit_membership",
    "unit_rows",
]

#: Decile labels for charts and tables, 1 = most deprived (national IMD 2019).
DECILE_LABELS: Final = {
    d: {1: "1 (most deprived)", 10: "10 (least)"}.get(d, str(d)) for d in range(1, 11)
}

#: Unit levels an indicator can be summarised at.
UNIT_LEVELS: Final = {"ics": "Whole ICS", "place": "Place", "pcn": "PCN"}

#: Measures :func:`inequality_ranking` can rank by.
MEASURES: Final = {
    "sii": "Slope index of inequality (SII)",
    "ci": "Relative concentration index",
}

_Z95 = NormalDist().inv_cdf(0.975)
_MIN_QUANTILES = 5
_ID_COLUMNS = ("lsoa_code", "practice_code")
_AT_RISK_TIERS = ("rising", "high")


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures and how to show it.

    Attributes
    ----------
    key : str
        Identifier (also the ``?indicator=`` URL value).
    label : str
        Plain-language name.
    axis : str
        Axis title with units.
    unit : str
        Short unit for numbers: ``"%"``, ``"km"``, ``"£"``, ``"patients"``.
    kind : {"proportion", "mean"}
        Proportions are summed as count / population with Wilson limits; means are
        weighted means with a between-area standard error.
    basis : {"lsoa", "practice"}
        What each row of the tidy frame is.
    scale : float
        Display multiplier (100 turns a proportion into %).
    decimals : int
        Decimals to show.
    source : str
        Where the figures come from, for captions.
    modelled : bool
        True when the figures come from synthetic individuals.
    inputs : tuple of str
        The tables it is built from (keys of :data:`INPUTS`), in the order
        ``builder`` takes them.
    builder : callable
        Makes the tidy frame from ``inputs``; call it through :func:`build_indicator`.
    """

    key: str
    label: str
    axis: str
    unit: str
    kind: str
    basis: str
    scale: float
    decimals: int
    source: str
    modelled: bool = False
    inputs: tuple[str, ...] = ("lsoas",)
    builder: Callable[..., pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    def fmt(self, value: float) -> str:
        """Format a value on the natural scale for display, with its unit.

        Examples
        --------
        >>> INDICATORS["aged_65_plus"].fmt(0.2134)
        '21.3%'
        >>> INDICATORS["pounds_per_head"].fmt(1234.5)
        '£1,234'
        """
        if value is None or not np.isfinite(value):
            return "n/a"
        shown = value * self.scale
        if self.unit == "%":
            return f"{shown:,.{self.decimals}f}%"
        if self.unit == "£":
            return fmt.pounds(shown) if self.decimals == 0 else fmt.per_head(shown)
        return f"{shown:,.{self.decimals}f} {self.unit}"


# --------------------------------------------------------------------------- checks


#: What the 2026 vintage's indicators are made from. Road distance to a GP surgery is an
#: IoD2019 indicator on 2011 LSOAs; the IoD2025 files in the data have domain scores,
#: not the underlying indicators, so the 2026 vintage does not offer it.
_SOURCES_2026: Final = {
    "aged_65_plus": "Census 2021 LSOA population (the 65+ band, as published)",
    "aged_0_15": "Census 2021 LSOA population (the 0–15 band, as published)",
    "pounds_per_head": "the allocation scenario over NHS England 2026/27 weighted populations; "
    "per head of NHS England's 2026/27 registered population",
    "list_size": "NHS England 2026/27 registered lists (rounded to whole patients)",
}


def indicators_for(vintage: str = DEFAULT_VINTAGE) -> dict[str, Indicator]:
    """The indicators a vintage offers, with that vintage's sources.

    Examples
    --------
    >>> sorted(set(indicators_for("2022")) - set(indicators_for("2026")))
    ['gp_distance']
    >>> indicators_for("2026")["aged_65_plus"].source
    'Census 2021 LSOA population (the 65+ band, as published)'
    """
    if get_vintage(vintage).key == "2022":
        return dict(INDICATORS)
    out = {}
    for key, spec in INDICATORS.items():
        if key == "gp_distance":
            continue
        out[key] = replace(spec, source=_SOURCES_2026.get(key, spec.source))
    return out


def indicator_spec(key: str | Indicator, vintage: str = DEFAULT_VINTAGE) -> Indicator:
    """The :class:`Indicator` of a key the vintage offers (an Indicator passes through).

    Raises
    ------
    ValueError
        For a key that is not an indicator, or one the vintage does not offer.

    Examples
    --------
    >>> indicator_spec("gp_distance", "2022").unit
    'km'
    >>> indicator_spec("nope")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: Unknown indicator 'nope'; choose one of aged_65_plus, ...
    """
    if isinstance(key, Indicator):
        return key
    offered = indicators_for(vintage)
    if key not in offered:
        if key in INDICATORS:
            raise ValueError(
                f"The indicator {key!r} is not available in the {vintage} vintage "
                "(road distance to a GP surgery is an IoD2019 indicator on 2011 LSOAs); "
                f"choose one of {', '.join(offered)}."
            )
        raise ValueError(f"Unknown indicator {key!r}; choose one of {', '.join(INDICATORS)}.")
    return offered[key]


def _id_column(frame: pd.DataFrame) -> str:
    found = [c for c in _ID_COLUMNS if c in frame.columns]
    if len(found) != 1:
        raise ValueError(
            "an indicator frame needs exactly one of the id columns lsoa_code or "
            f"practice_code; found {found or 'neither'}"
        )
    return found[0]


def _practice_decile(deprivation: pd.DataFrame) -> pd.DataFrame:
    """``practice_code``, ``imd_rank``, ``imd_decile`` from practice_deprivation output."""
    require_frame(deprivation, ["practice_code", "mean_imd_rank", "imd_decile"], "deprivation")
    out = deprivation[["practice_code", "mean_imd_rank", "imd_decile"]].rename(
        columns={"mean_imd_rank": "imd_rank"}
    )
    return out.dropna(subset=["imd_rank", "imd_decile"]).astype({"imd_decile": "int64"})


# --------------------------------------------------------------------------- indicators


def share_aged(lsoas: pd.DataFrame, min_age: int, max_age: int | None = None) -> pd.DataFrame:
    """Share of each LSOA's residents aged ``min_age`` to ``max_age`` (inclusive).

    Parameters
    ----------
    lsoas : DataFrame
        ``lsoa_code``, ``imd_rank``, ``imd_decile``, ``population`` and the single-year
        columns ``age_0`` … ``age_90`` (90 = 90 and over) of the 2022 ``lsoas`` table,
        or the Census 2021 band columns of the 2026 table. Bands are summed as they are
        (never split), so with bands the range must start and end on band edges.
    min_age : int
        Youngest age counted (0-90).
    max_age : int, optional
        Oldest age counted; ``None`` means 90 and over.

    Returns
    -------
    DataFrame
        ``lsoa_code``, ``imd_rank``, ``imd_decile``, ``value`` (proportion),
        ``count`` (residents in the age range), ``population``, ``weight``
        (= population). LSOAs with no residents are left out.

    Raises
    ------
    ValueError
        On a bad age range, a range that splits a Census band, or missing columns.

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["A", "B"], "imd_rank": [10, 30000],
    ...     "imd_decile": [1, 10], "population": [100, 50],
    ...     **{f"age_{a}": [0, 0] for a in range(91)}})
    >>> lsoas[["age_70", "age_30"]] = [[25, 75], [40, 10]]
    >>> share_aged(lsoas, 65)[["lsoa_code", "value", "count"]]
      lsoa_code  value  count
    0         A   0.25     25
    1         B   0.80     40
    """
    if isinstance(min_age, bool) or not isinstance(min_age, (int, np.integer)):
        raise TypeError(f"min_age must be a whole number of years, got {min_age!r}")
    top = 90 if max_age is None else max_age
    if not 0 <= min_age <= top <= 90:
        raise ValueError(f"ages must satisfy 0 <= min_age <= max_age <= 90; got {min_age}, {top}")
    ages = [f"age_{a}" for a in range(min_age, top + 1)]
    if not has_single_years(lsoas) and has_bands(lsoas):
        edges = (*CENSUS_AGE_BANDS, 91)
        if min_age not in edges or top + 1 not in edges:
            raise ValueError(
                f"Ages {min_age}–{top} split a Census 2021 band; with banded ages the range "
                f"must start at one of {CENSUS_AGE_BANDS} and end just before one (or at 90+)."
            )
        ages = [
            c for c, lo in zip(BAND_COLUMNS, CENSUS_AGE_BANDS, strict=True) if min_age <= lo <= top
        ]
    require_frame(lsoas, ["lsoa_code", "imd_rank", "imd_decile", "population", *ages], "lsoas")
    count = lsoas[ages].sum(axis=1).to_numpy()
    population = lsoas["population"].to_numpy()
    keep = population > 0
    out = pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"].to_numpy()[keep],
            "imd_rank": lsoas["imd_rank"].to_numpy()[keep],
            "imd_decile": lsoas["imd_decile"].to_numpy()[keep].astype("int64"),
            "value": count[keep] / population[keep],
            "count": count[keep],
            "population": population[keep],
        }
    )
    out["weight"] = out["population"]
    return out


def aged_65_plus(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Share of residents aged 65 and over, per LSOA (see :func:`share_aged`).

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["A"], "imd_rank": [5], "imd_decile": [1],
    ...     "population": [4], **{f"age_{a}": [0] for a in range(91)}})
    >>> lsoas[["age_64", "age_90"]] = [[3, 1]]
    >>> float(aged_65_plus(lsoas)["value"].iloc[0])
    0.25
    >>> banded = pd.DataFrame({"lsoa_code": ["A"], "imd_rank": [5], "imd_decile": [1],
    ...     "population": [10], "age_0_15": [2], "age_16_24": [1], "age_25_34": [1],
    ...     "age_35_49": [1], "age_50_64": [1], "age_65_plus": [4]})
    >>> float(aged_65_plus(banded)["value"].iloc[0])
    0.4
    """
    return share_aged(lsoas, 65)


def aged_0_15(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Share of residents aged 0 to 15, per LSOA (see :func:`share_aged`).

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["A"], "imd_rank": [5], "imd_decile": [1],
    ...     "population": [4], **{f"age_{a}": [0] for a in range(91)}})
    >>> lsoas[["age_15", "age_16"]] = [[1, 3]]
    >>> float(aged_0_15(lsoas)["value"].iloc[0])
    0.25
    """
    return share_aged(lsoas, 0, 15)


def gp_distance(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Road distance to a GP surgery (IoD 2019 indicator, km), per LSOA.

    Parameters
    ----------
    lsoas : DataFrame
        ``lsoa_code``, ``imd_rank``, ``imd_decile``, ``gp_distance_km``, ``population``.

    Returns
    -------
    DataFrame
        ``lsoa_code``, ``imd_rank``, ``imd_decile``, ``value`` (km), ``population``
        and ``weight`` (= population: decile values are population-weighted means).
        LSOAs with no residents or no distance are left out.

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["A", "B"], "imd_rank": [1, 2],
    ...     "imd_decile": [1, 1], "gp_distance_km": [0.5, 2.0], "population": [300, 0]})
    >>> gp_distance(lsoas)[["lsoa_code", "value", "weight"]]
      lsoa_code  value  weight
    0         A    0.5     300
    """
    if "gp_distance_km" not in lsoas.columns and has_bands(lsoas):
        raise ValueError(
            "Road distance to a GP surgery is not available in the 2026 vintage: it is an "
            "IoD2019 indicator on 2011 LSOAs, and the IoD2025 files hold no indicators."
        )
    require_frame(
        lsoas,
        ["lsoa_code", "imd_rank", "imd_decile", "gp_distance_km", "population"],
        "lsoas",
    )
    keep = (lsoas["population"] > 0) & lsoas["gp_distance_km"].notna()
    if (lsoas.loc[keep, "gp_distance_km"] < 0).any():
        raise ValueError("gp_distance_km has negative distances")
    frame = lsoas.loc[keep]
    out = pd.DataFrame(
        {
            "lsoa_code": frame["lsoa_code"].to_numpy(),
            "imd_rank": frame["imd_rank"].to_numpy(),
            "imd_decile": frame["imd_decile"].to_numpy().astype("int64"),
            "value": frame["gp_distance_km"].to_numpy(dtype=float),
            "population": frame["population"].to_numpy(),
        }
    )
    out["weight"] = out["population"]
    return out


def at_risk_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """People and people at rising or high risk per practice, from aggregate counts.

    Parameters
    ----------
    counts : DataFrame
        Unrounded counts with ``practice_code``, ``risk_tier`` and ``people`` (other
        key columns, e.g. ``imd_decile``, are summed over), as
        ``aggregate_individuals(people, ["practice_code", "risk_tier", ...])`` gives.

    Returns
    -------
    DataFrame
        One row per practice with people: ``practice_code``, ``people``, ``at_risk``
        (rising or high risk tier) and ``high``. **Unrounded**: aggregate further, or
        pass through :mod:`layers.disclosure`, before showing any of them.

    Examples
    --------
    >>> counts = pd.DataFrame({"practice_code": ["A", "A", "A", "B"],
    ...     "risk_tier": ["low", "rising", "high", "low"], "people": [70, 20, 10, 5]})
    >>> at_risk_counts(counts)
      practice_code  people  at_risk  high
    0             A     100       30    10
    1             B       5        0     0
    """
    require_frame(counts, ["practice_code", "risk_tier", "people"], "counts")
    tiers = counts["risk_tier"].astype(str)
    unknown = sorted(set(tiers) - {"low", "rising", "high"})
    if unknown:
        raise ValueError(f"risk_tier must be low, rising or high; found {unknown}")
    if (counts["people"] < 0).any():
        raise ValueError("counts has negative numbers of people")
    frame = pd.DataFrame(
        {
            "practice_code": counts["practice_code"].astype(str).to_numpy(),
            "people": counts["people"].to_numpy(np.int64),
            "at_risk": np.where(tiers.isin(_AT_RISK_TIERS), counts["people"], 0).astype(np.int64),
            "high": np.where(tiers == "high", counts["people"], 0).astype(np.int64),
        }
    )
    out = frame.groupby("practice_code", as_index=False, sort=True).sum()
    return out[out["people"] > 0].reset_index(drop=True)


def practice_risk_counts(individuals: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Draw risk tiers for synthetic individuals and count them per practice (unrounded).

    Parameters
    ----------
    individuals : DataFrame
        Synthetic individuals (``practice_code``, ``age``, ``imd_decile``), e.g.
        :attr:`layers.System.individuals`.
    rng : numpy.random.Generator
        Draws the risk tiers (:func:`layers.risk.assign_risk`). Use a stream other than
        the one that generated the individuals.

    Returns
    -------
    DataFrame
        As :func:`at_risk_counts`.

    Raises
    ------
    TypeError
        If ``individuals`` is not a DataFrame or ``rng`` not a numpy Generator.
    ValueError
        If ``individuals`` lacks one of the columns.

    Examples
    --------
    >>> people = pd.DataFrame({"practice_code": ["A"] * 3 + ["B"],
    ...                        "age": [90, 90, 5, 90], "imd_decile": [1, 1, 1, 10]})
    >>> out = practice_risk_counts(people, np.random.default_rng(0))
    >>> out["people"].tolist(), bool((out["at_risk"] <= out["people"]).all())
    ([3, 1], True)
    """
    require_frame(individuals, ["practice_code", "age", "imd_decile"], "individuals")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    risk = assign_risk(individuals[["practice_code", "age", "imd_decile"]], rng)
    return at_risk_counts(aggregate_individuals(risk, ["practice_code", "risk_tier"]))


def at_risk_prevalence(risk_counts: pd.DataFrame, deprivation: pd.DataFrame) -> pd.DataFrame:
    """Modelled at-risk prevalence per practice, in its patient-weighted IMD decile.

    Parameters
    ----------
    risk_counts : DataFrame
        ``practice_code``, ``people``, ``at_risk`` (from :func:`practice_risk_counts`).
    deprivation : DataFrame
        ``practice_code``, ``mean_imd_rank``, ``imd_decile``
        (:func:`layers.deprivation.practice_deprivation`).

    Returns
    -------
    DataFrame
        ``practice_code``, ``imd_rank``, ``imd_decile``, ``value`` (proportion),
        ``count`` (at risk), ``population`` (people), ``weight`` (= people).
        Practices with no English IMD are left out.

    Examples
    --------
    >>> counts = pd.DataFrame({"practice_code": ["A", "B"], "people": [100, 50],
    ...                        "at_risk": [30, 5]})
    >>> dep = pd.DataFrame({"practice_code": ["A", "B"], "mean_imd_rank": [100.0, 30000.0],
    ...                     "imd_decile": [1, 10]})
    >>> at_risk_prevalence(counts, dep)[["practice_code", "imd_decile", "value"]]
      practice_code  imd_decile  value
    0             A           1    0.3
    1             B          10    0.1
    """
    require_frame(risk_counts, ["practice_code", "people", "at_risk"], "risk_counts")
    if (risk_counts["at_risk"] > risk_counts["people"]).any() or (risk_counts["at_risk"] < 0).any():
        raise ValueError("at_risk must be between 0 and people for every practice")
    frame = risk_counts[risk_counts["people"] > 0].merge(
        _practice_decile(deprivation), on="practice_code", how="inner"
    )
    out = pd.DataFrame(
        {
            "practice_code": frame["practice_code"].to_numpy(),
            "imd_rank": frame["imd_rank"].to_numpy(dtype=float),
            "imd_decile": frame["imd_decile"].to_numpy(),
            "value": frame["at_risk"].to_numpy() / frame["people"].to_numpy(),
            "count": frame["at_risk"].to_numpy(),
            "population": frame["people"].to_numpy(),
        }
    )
    out["weight"] = out["population"]
    return out


def patients_per_practice(practices: pd.DataFrame, deprivation: pd.DataFrame) -> pd.DataFrame:
    """Registered patients (list size) per practice, in its patient-weighted IMD decile.

    Each practice counts once in its decile's mean (``weight`` = 1); its patients are
    its population for the SII and the concentration indices.

    Parameters
    ----------
    practices : DataFrame
        ``practice_code``, ``registered_patients``.
    deprivation : DataFrame
        As :func:`at_risk_prevalence`.

    Returns
    -------
    DataFrame
        ``practice_code``, ``imd_rank``, ``imd_decile``, ``value`` (patients),
        ``population`` (patients), ``weight`` (1).

    Examples
    --------
    >>> practices = pd.DataFrame({"practice_code": ["A", "B"],
    ...                           "registered_patients": [8000, 3000]})
    >>> dep = pd.DataFrame({"practice_code": ["A", "B"], "mean_imd_rank": [10.0, 20.0],
    ...                     "imd_decile": [1, 1]})
    >>> patients_per_practice(practices, dep)[["value", "population", "weight"]].sum().tolist()
    [11000.0, 11000.0, 2.0]
    """
    require_frame(practices, ["practice_code", "registered_patients"], "practices")
    frame = practices.loc[
        practices["registered_patients"] > 0, ["practice_code", "registered_patients"]
    ].merge(_practice_decile(deprivation), on="practice_code", how="inner")
    patients = frame["registered_patients"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "practice_code": frame["practice_code"].to_numpy(),
            "imd_rank": frame["imd_rank"].to_numpy(dtype=float),
            "imd_decile": frame["imd_decile"].to_numpy(),
            "value": patients,
            "population": patients,
            "weight": np.ones(len(frame)),
        }
    )


# --------------------------------------------------------------------------- allocation glue


def scenario_text(value: object) -> str:
    """Check the allocation page's stored scenario and return it as canonical JSON.

    Parameters
    ----------
    value : Scenario, str, bytes or dict
        A :class:`~layers.allocation.Scenario`, its JSON text, or the decoded JSON (the
        allocation page keeps the JSON text in ``st.session_state["allocation_scenario"]``).

    Returns
    -------
    str
        Compact JSON of the scenario: equal scenarios give equal text, so it is a
        stable cache key.

    Raises
    ------
    ScenarioError
        If the value is not a readable scenario (the message says why).

    Examples
    --------
    >>> from layers.allocation import default_catalogue
    >>> s = Scenario("Mine", 1000, default_catalogue())
    >>> scenario_text(s.to_json(indent=4)) == scenario_text(s.to_dict()) == scenario_text(s)
    True
    >>> scenario_text("{")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ScenarioError: scenario is not valid JSON: ...
    """
    if isinstance(value, Scenario):
        scenario = value
    elif isinstance(value, (str, bytes, bytearray)):
        scenario = Scenario.from_json(value)
    elif isinstance(value, Mapping):
        scenario = Scenario.from_dict(dict(value))
    else:
        raise ScenarioError(
            f"the stored allocation scenario is a {type(value).__name__}; expected scenario JSON"
        )
    return scenario.to_json(indent=None)


def scenario_reference(scenario_json: str) -> str:
    """A short, stable reference to a scenario, for a link (its content, hashed).

    A link cannot carry a whole scenario, so it names it by this reference: the page
    that opens the link uses the scenario only if it has one with the same reference.

    Parameters
    ----------
    scenario_json : str
        Canonical JSON from :func:`scenario_text`.

    Examples
    --------
    >>> from layers.allocation import default_catalogue
    >>> text = scenario_text(Scenario("Mine", 1000, default_catalogue()))
    >>> ref = scenario_reference(text)
    >>> len(ref), ref == scenario_reference(scenario_text(text)), ref.isalnum()
    (12, True, True)
    """
    if not isinstance(scenario_json, str) or not scenario_json.strip():
        raise ValueError("scenario_json must be the scenario's JSON text")
    return hashlib.sha256(scenario_json.encode("utf-8")).hexdigest()[:12]


def pounds_per_head(funding: pd.DataFrame, deprivation: pd.DataFrame) -> pd.DataFrame:
    """Allocation £ per head per practice, in its patient-weighted IMD decile.

    Parameters
    ----------
    funding : DataFrame
        ``practice_code``, ``pounds`` and ``population`` (NHS England's 2022/23
        registered population), as :func:`layers.allocation.practice_funding` returns.
    deprivation : DataFrame
        As :func:`at_risk_prevalence`.

    Returns
    -------
    DataFrame
        ``practice_code``, ``imd_rank``, ``imd_decile``, ``value`` (£ per head),
        ``population`` and ``weight`` (both the registered population, so a decile's
        value is its £ over its heads). Practices with no population, or no English
        IMD, are left out.

    Examples
    --------
    >>> funding = pd.DataFrame({"practice_code": ["A", "B"], "pounds": [3000.0, 1000.0],
    ...                         "population": [1000.0, 0.0]})
    >>> dep = pd.DataFrame({"practice_code": ["A", "B"], "mean_imd_rank": [1.0, 2.0],
    ...                     "imd_decile": [1, 1]})
    >>> pounds_per_head(funding, dep)[["practice_code", "value", "population"]]
      practice_code  value  population
    0             A    3.0      1000.0
    """
    require_frame(funding, ["practice_code", "pounds", "population"], "funding")
    frame = funding[["practice_code", "pounds", "population"]].merge(
        _practice_decile(deprivation), on="practice_code"
    )
    frame = frame[frame["population"].fillna(0) > 0]
    heads = frame["population"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "practice_code": frame["practice_code"].to_numpy(),
            "imd_rank": frame["imd_rank"].to_numpy(dtype=float),
            "imd_decile": frame["imd_decile"].to_numpy(),
            "value": frame["pounds"].to_numpy(dtype=float) / heads,
            "population": heads,
            "weight": heads,
        }
    )


# --------------------------------------------------------------------------- registry


def _modelled_at_risk(risk_counts: pd.DataFrame, deprivation: pd.DataFrame) -> pd.DataFrame:
    """At-risk prevalence from practice × risk tier counts (:func:`at_risk_counts`)."""
    return at_risk_prevalence(at_risk_counts(risk_counts), deprivation)


#: What indicators are built from: the keyword arguments of :func:`build_indicator`.
INPUTS: Final = {
    "lsoas": "England's lsoas table (ages, IMD and road distance to a GP for every LSOA)",
    "deprivation": "practice_deprivation(registrations, lsoas) of the ICS's practices",
    "risk_counts": "unrounded practice × risk tier counts of synthetic individuals "
    "(practice_code, risk_tier, people)",
    "funding": "£ and population of each practice under an allocation scenario "
    "(layers.allocation.practice_funding)",
    "practices": "the ICS's practices (practice_code, registered_patients)",
}

#: The indicators of the inequality page, keyed by :attr:`Indicator.key`.
INDICATORS: Final[dict[str, Indicator]] = {
    i.key: i
    for i in (
        Indicator(
            key="aged_65_plus",
            label="Population aged 65 and over",
            axis="Residents aged 65+ (% of population)",
            unit="%", kind="proportion", basis="lsoa", scale=100.0, decimals=1,
            source="ONS mid-2020 LSOA population estimates",
            builder=aged_65_plus,
        ),
        Indicator(
            key="aged_0_15",
            label="Population aged 0 to 15",
            axis="Residents aged 0–15 (% of population)",
            unit="%", kind="proportion", basis="lsoa", scale=100.0, decimals=1,
            source="ONS mid-2020 LSOA population estimates",
            builder=aged_0_15,
        ),
        Indicator(
            key="at_risk",
            label="Modelled at-risk prevalence (rising or high risk)",
            axis="Modelled at-risk prevalence (% of registered patients)",
            unit="%", kind="proportion", basis="practice", scale=100.0, decimals=1,
            source="synthetic individuals and the documented risk model of layers.risk "
            "(modelled, not observed): rising risk = 2+ long-term conditions, high risk = "
            "moderate or severe frailty",
            modelled=True, inputs=("risk_counts", "deprivation"), builder=_modelled_at_risk,
        ),
        Indicator(
            key="pounds_per_head",
            label="Allocation £ per head",
            axis="Allocation (£ per head of registered population)",
            unit="£", kind="mean", basis="practice", scale=1.0, decimals=0,
            source="the allocation scenario over NHS England 2022/23 weighted populations; "
            "per head of NHS England's 2022/23 registered population",
            inputs=("funding", "deprivation"), builder=pounds_per_head,
        ),
        Indicator(
            key="gp_distance",
            label="Road distance to a GP surgery",
            axis="Mean road distance to a GP surgery (km)",
            unit="km", kind="mean", basis="lsoa", scale=1.0, decimals=2,
            source="English Indices of Deprivation 2019 indicator 'road distance to a GP "
            "surgery' (km), population-weighted",
            builder=gp_distance,
        ),
        Indicator(
            key="list_size",
            label="Registered patients per practice",
            axis="Registered patients per practice (mean list size)",
            unit="patients", kind="mean", basis="practice", scale=1.0, decimals=0,
            source="NHS Digital patients registered at a GP practice, July 2022",
            inputs=("practices", "deprivation"), builder=patients_per_practice,
        ),
    )
}  # fmt: skip


def build_indicator(indicator: str | Indicator, **tables: pd.DataFrame) -> pd.DataFrame:
    """An indicator's tidy frame, built from the tables it needs (:attr:`Indicator.inputs`).

    Parameters
    ----------
    indicator : str or Indicator
        Key of :data:`INDICATORS`.
    **tables : DataFrame
        Tables by their :data:`INPUTS` names; tables the indicator does not need are
        ignored.

    Returns
    -------
    DataFrame
        One row per LSOA or practice, as described at the top of this module.

    Raises
    ------
    ValueError
        For an unknown indicator or input, or an input the indicator needs that is
        not given.

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["A"], "imd_rank": [5], "imd_decile": [1],
    ...     "population": [4], **{f"age_{a}": [0] for a in range(91)}})
    >>> lsoas[["age_64", "age_90"]] = [[3, 1]]
    >>> build_indicator("aged_65_plus", lsoas=lsoas)["value"].tolist()
    [0.25]
    >>> build_indicator("list_size", lsoas=lsoas)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: list_size is built from practices, deprivation; not given: practices, ...
    """
    spec = indicator_spec(indicator)
    unknown = sorted(set(tables) - set(INPUTS))
    if unknown:
        raise ValueError(f"Unknown input(s) {unknown}; indicators are built from {list(INPUTS)}.")
    missing = [name for name in spec.inputs if tables.get(name) is None]
    if missing:
        raise ValueError(
            f"{spec.key} is built from {', '.join(spec.inputs)}; not given: {', '.join(missing)}."
        )
    if spec.builder is None:
        raise ValueError(f"{spec.key} has no builder.")
    return spec.builder(*(tables[name] for name in spec.inputs))


# --------------------------------------------------------------------------- deprivation


def pcn_deprivation(
    practices: pd.DataFrame, deprivation: pd.DataFrame, vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Patient-weighted Core20 share and IMD decile of each PCN.

    A PCN's figures pool the registrations of its practices: its Core20 share is the
    share of its patients (with an English LSOA) living in national deciles 1-2, and its
    decile is the national decile of its patients' mean IMD rank.

    Parameters
    ----------
    practices : DataFrame
        ``practice_code``, ``pcn_code`` (missing when in no PCN).
    deprivation : DataFrame
        From :func:`layers.deprivation.practice_deprivation`.
    vintage : {"2022", "2026"}
        Places the mean rank in a national decile (:func:`~layers.deprivation.decile_of_rank`).

    Returns
    -------
    DataFrame
        ``pcn_code``, ``patients_with_imd``, ``core20_patients``, ``core20_share``,
        ``mean_imd_rank``, ``imd_decile``. Practices in no PCN are not in any row.

    Examples
    --------
    >>> practices = pd.DataFrame({"practice_code": ["A", "B", "C"],
    ...                           "pcn_code": ["P", "P", None]})
    >>> dep = pd.DataFrame({"practice_code": ["A", "B", "C"],
    ...     "patients_with_imd": [30, 10, 5], "core20_patients": [30, 0, 5],
    ...     "mean_imd_rank": [100.0, 30000.0, 50.0]})
    >>> pcn_deprivation(practices, dep)[["pcn_code", "core20_share", "imd_decile"]]
      pcn_code  core20_share  imd_decile
    0        P          0.75           3
    """
    require_frame(practices, ["practice_code", "pcn_code"], "practices")
    require_frame(
        deprivation,
        ["practice_code", "patients_with_imd", "core20_patients", "mean_imd_rank"],
        "deprivation",
    )
    frame = practices[["practice_code", "pcn_code"]].dropna().merge(deprivation, on="practice_code")
    frame = frame.assign(rank_total=frame["mean_imd_rank"].fillna(0) * frame["patients_with_imd"])
    return unit_deprivation(frame, "pcn_code", vintage)


def patients_by_decile(registrations: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Registered patients by the national IMD decile of the LSOA they live in.

    Parameters
    ----------
    registrations : DataFrame
        ``practice_code``, ``lsoa_code``, ``patients``.
    lsoas : DataFrame
        ``lsoa_code``, ``imd_decile`` (England-wide, so patients living outside the ICS
        count too; Welsh and unknown addresses have no decile and are left out).

    Returns
    -------
    DataFrame
        ``imd_decile`` 1-10 and ``patients`` (0 where none).

    Examples
    --------
    >>> regs = pd.DataFrame({"practice_code": ["A", "A", "B"],
    ...                      "lsoa_code": ["L1", "W01", "L1"], "patients": [3, 4, 5]})
    >>> lsoas = pd.DataFrame({"lsoa_code": ["L1"], "imd_decile": [2]})
    >>> patients_by_decile(regs, lsoas).query("patients > 0")
       imd_decile  patients
    1           2         8
    """
    require_frame(registrations, ["lsoa_code", "patients"], "registrations")
    require_frame(lsoas, ["lsoa_code", "imd_decile"], "lsoas")
    joined = registrations.merge(lsoas[["lsoa_code", "imd_decile"]], on="lsoa_code")
    sums = joined.groupby("imd_decile")["patients"].sum()
    sums = sums.reindex(range(1, 11), fill_value=0)
    return pd.DataFrame({"imd_decile": range(1, 11), "patients": sums.to_numpy(np.int64)})


# --------------------------------------------------------------------------- units


def unit_membership(
    level: str,
    basis: str,
    *,
    lsoas: pd.DataFrame | None = None,
    practices: pd.DataFrame | None = None,
    registrations: pd.DataFrame | None = None,
    ics_code: str = "ICS",
) -> pd.DataFrame:
    """Which LSOAs or practices make up each unit, and with how many patients.

    Parameters
    ----------
    level : {"ics", "place", "pcn"}
        Unit level.
    basis : {"lsoa", "practice"}
        What the indicator's rows are.
    lsoas : DataFrame, optional
        The ICS's LSOAs with ``lsoa_code`` and ``place_code`` (LSOA basis, ICS and
        place levels).
    practices : DataFrame, optional
        The ICS's practices with ``practice_code``, ``pcn_code``, ``place_code``
        (practice basis; and LSOA basis at PCN level).
    registrations : DataFrame, optional
        ``practice_code``, ``lsoa_code``, ``patients`` (LSOA basis at PCN level).
    ics_code : str, default "ICS"
        Unit code of the whole ICS.

    Returns
    -------
    DataFrame
        ``unit_code`` and the id column (``lsoa_code`` or ``practice_code``); at PCN
        level on an LSOA basis also ``patients``: the PCN's registered patients living
        in that LSOA, which replace the LSOA's residents as its population.

    Examples
    --------
    >>> practices = pd.DataFrame({"practice_code": ["A", "B", "C"],
    ...     "pcn_code": ["P", "P", None], "place_code": ["X", "X", "Y"]})
    >>> regs = pd.DataFrame({"practice_code": ["A", "B", "C"],
    ...     "lsoa_code": ["L1", "L1", "L2"], "patients": [3, 4, 5]})
    >>> unit_membership("pcn", "lsoa", practices=practices, registrations=regs)
      unit_code lsoa_code  patients
    0         P        L1         7
    >>> unit_membership("place", "practice", practices=practices)["unit_code"].tolist()
    ['X', 'X', 'Y']
    """
    if level not in UNIT_LEVELS:
        raise ValueError(f"Unknown unit level {level!r}; choose one of {', '.join(UNIT_LEVELS)}.")
    if basis == "lsoa":
        if level == "pcn":
            require_frame(practices, ["practice_code", "pcn_code"], "practices")
            require_frame(
                registrations, ["practice_code", "lsoa_code", "patients"], "registrations"
            )
            pcn_of = practices[["practice_code", "pcn_code"]].dropna()
            joined = registrations.merge(pcn_of, on="practice_code")
            out = joined.groupby(["pcn_code", "lsoa_code"], as_index=False, observed=True)[
                "patients"
            ].sum()
            out = out[out["patients"] > 0].rename(columns={"pcn_code": "unit_code"})
            return out[["unit_code", "lsoa_code", "patients"]].reset_index(drop=True)
        require_frame(lsoas, ["lsoa_code", "place_code"], "lsoas")
        unit = ics_code if level == "ics" else lsoas["place_code"].to_numpy()
        return pd.DataFrame({"unit_code": unit, "lsoa_code": lsoas["lsoa_code"].to_numpy()})
    if basis == "practice":
        require_frame(practices, ["practice_code", "pcn_code", "place_code"], "practices")
        column = {"ics": None, "place": "place_code", "pcn": "pcn_code"}[level]
        frame = practices if column is None else practices.dropna(subset=[column])
        unit = ics_code if column is None else frame[column].astype(str).to_numpy()
        return pd.DataFrame(
            {"unit_code": unit, "practice_code": frame["practice_code"].to_numpy()}
        ).reset_index(drop=True)
    raise ValueError(f"Unknown basis {basis!r}; choose 'lsoa' or 'practice'.")


def unit_rows(indicator: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Attach an indicator's rows to units.

    Parameters
    ----------
    indicator : DataFrame
        A tidy indicator frame (see the module docstring).
    membership : DataFrame
        From :func:`unit_membership` (same id column). When it has ``patients``, they
        become each row's ``population`` and ``weight``, and ``count`` is rescaled to
        ``value × patients``: the unit's patients living in the LSOA.

    Returns
    -------
    DataFrame
        ``unit_code`` then the indicator's columns, one row per unit and LSOA or
        practice. Rows in no unit, and members with no indicator value, are left out.

    Examples
    --------
    >>> ind = pd.DataFrame({"lsoa_code": ["L1", "L2"], "imd_rank": [1, 2],
    ...     "imd_decile": [1, 1], "value": [0.5, 0.1], "count": [50, 10],
    ...     "population": [100, 100], "weight": [100, 100]})
    >>> members = pd.DataFrame({"unit_code": ["P"], "lsoa_code": ["L1"], "patients": [8]})
    >>> unit_rows(ind, members)[["unit_code", "value", "count", "population"]]
      unit_code  value  count  population
    0         P    0.5    4.0           8
    """
    require_frame(
        indicator, ["imd_rank", "imd_decile", "value", "population", "weight"], "indicator"
    )
    key = _id_column(indicator)
    require_frame(membership, ["unit_code", key], "membership")
    rows = membership.merge(indicator, on=key, how="inner")
    if "patients" in membership.columns:
        rows["population"] = rows["patients"]
        rows["weight"] = rows["patients"]
        if "count" in rows.columns:
            rows["count"] = rows["value"] * rows["patients"]
        rows = rows.drop(columns="patients")
    rows = rows[rows["population"] > 0]
    return rows.reset_index(drop=True)


# --------------------------------------------------------------------------- deciles


def _wilson(count: np.ndarray, n: np.ndarray, z: float = _Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of count / n (PHEindicatormethods ``wilson_lower/upper``)."""
    p = count / n
    centre = 2 * count + z**2
    spread = z * np.sqrt(np.maximum(z**2 + 4 * count * (1 - p), 0))
    denom = 2 * (n + z**2)
    return (centre - spread) / denom, (centre + spread) / denom


def by_decile(rows: pd.DataFrame, indicator: str | Indicator) -> pd.DataFrame:
    """Sum an indicator by national IMD decile within each unit.

    Parameters
    ----------
    rows : DataFrame
        From :func:`unit_rows` (``unit_code`` plus the indicator columns).
    indicator : str or Indicator
        Key of :data:`INDICATORS`, which says whether it is a proportion or a mean.

    Returns
    -------
    DataFrame
        One row per unit and decile present: ``unit_code``, ``imd_decile``, ``label``,
        ``population``, ``n_areas`` (LSOAs or practices), ``value``, ``lower_cl``,
        ``upper_cl`` (95%), ``se`` (natural scale), ``count`` (proportions only),
        ``population_share`` and ``cum_mid`` (the decile's midpoint in the unit's
        cumulative population, most deprived first: the SII's x).

        Proportions: ``value`` = Σ count / Σ population with Wilson score limits.
        Means: ``value`` = Σ weight·x / Σ weight with the standard error of a weighted
        mean across areas, ``sqrt(n/(n-1) Σ w²(x - mean)²) / Σ w`` (0 when the decile
        has one area: no variation is observed), and limits mean ± 1.96 SE.

    Examples
    --------
    >>> rows = pd.DataFrame({"unit_code": "U", "lsoa_code": ["a", "b", "c"],
    ...     "imd_rank": [1, 2, 4000], "imd_decile": [1, 1, 2], "value": [0.2, 0.4, 0.1],
    ...     "count": [20, 40, 10], "population": [100, 100, 100],
    ...     "weight": [100, 100, 100]})
    >>> out = by_decile(rows, "aged_65_plus")
    >>> out[["imd_decile", "population", "value", "cum_mid"]].round(4)
       imd_decile  population  value  cum_mid
    0           1         200    0.3   0.3333
    1           2         100    0.1   0.8333
    >>> bool(out["lower_cl"].iloc[0] < 0.3 < out["upper_cl"].iloc[0])
    True
    """
    spec = indicator_spec(indicator)
    columns = ["unit_code", "imd_decile", "value", "population", "weight"]
    if spec.kind == "proportion":
        columns.append("count")
    require_frame(rows, columns, "rows")
    frame = rows[columns].copy()
    frame["wx"] = frame["weight"] * frame["value"]
    groups = frame.groupby(["unit_code", "imd_decile"], sort=True)
    agg = {"population": ("population", "sum"), "n_areas": ("value", "size")}
    if spec.kind == "proportion":
        agg["count"] = ("count", "sum")
    else:
        agg.update(wx=("wx", "sum"), w=("weight", "sum"))
    out = groups.agg(**agg).reset_index()
    out = out[out["population"] > 0].reset_index(drop=True)
    if spec.kind == "proportion":
        n = out["population"].to_numpy(dtype=float)
        count = out["count"].to_numpy(dtype=float)
        out["value"] = count / n
        out["lower_cl"], out["upper_cl"] = _wilson(count, n)
        out["se"] = np.sqrt(out["value"] * (1 - out["value"]) / n)
    else:
        out["value"] = out["wx"] / out["w"]
        resid = frame.merge(
            out[["unit_code", "imd_decile", "value"]], on=["unit_code", "imd_decile"]
        )
        resid["sq"] = (resid["weight"] * (resid["value_x"] - resid["value_y"])) ** 2
        sq = resid.groupby(["unit_code", "imd_decile"], sort=True)["sq"].sum().to_numpy()
        n_areas = out["n_areas"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(n_areas > 1, n_areas / np.maximum(n_areas - 1, 1), 0.0)
            out["se"] = np.sqrt(factor * sq) / out["w"]
        out["lower_cl"] = out["value"] - _Z95 * out["se"]
        out["upper_cl"] = out["value"] + _Z95 * out["se"]
        out = out.drop(columns=["wx", "w"])
    total = out.groupby("unit_code")["population"].transform("sum")
    out["population_share"] = out["population"] / total
    out["cum_mid"] = out.groupby("unit_code")["population_share"].cumsum() - (
        out["population_share"] / 2
    )
    out["label"] = out["imd_decile"].map(DECILE_LABELS)
    order = ["unit_code", "imd_decile", "label", "population", "n_areas", "value"]
    order += ["lower_cl", "upper_cl", "se"]
    if spec.kind == "proportion":
        order.append("count")
    return out[[*order, "population_share", "cum_mid"]]


_NO_SII: Final = {
    "sii": math.nan,
    "sii_lower": math.nan,
    "sii_upper": math.nan,
    "rii": math.nan,
    "rii_lower": math.nan,
    "rii_upper": math.nan,
    "intercept": math.nan,
}


def decile_sii(
    deciles: pd.DataFrame,
    indicator: str | Indicator,
    *,
    repetitions: int = 100_000,
    rng: np.random.Generator | None = None,
) -> dict[str, Any]:
    """SII and RII with 95% limits for one unit's deciles (PHEindicatormethods method).

    Proportions are fitted as ``phe_sii`` value type 2 with the Wilson limits (the
    simulation runs on the logit scale); means as value type 0 with their standard
    errors. The SII is multiplied by the indicator's display scale (percentage points
    for %), and follows PHE's sign: least deprived minus most deprived.

    Parameters
    ----------
    deciles : DataFrame
        Rows of :func:`by_decile` for **one** unit.
    indicator : str or Indicator
        Key of :data:`INDICATORS`.
    repetitions : int, default 100000
        Simulations for the confidence limits (PHE's default).
    rng : numpy.random.Generator, optional
        For the simulation (a fixed seed if None, so results are reproducible).

    Returns
    -------
    dict
        ``sii``, ``sii_lower``, ``sii_upper``, ``rii``, ``rii_lower``, ``rii_upper``,
        ``intercept`` (fitted value at the most deprived end, display scale),
        ``n_deciles`` and ``note`` (why the SII is missing, else ``""``). The SII needs
        at least 5 deciles with residents or patients.

    Examples
    --------
    >>> deciles = pd.DataFrame({"unit_code": "U", "imd_decile": range(1, 11),
    ...     "population": 1000, "value": np.linspace(0.30, 0.12, 10), "se": 0.001})
    >>> deciles["lower_cl"] = deciles["value"] - 0.002
    >>> deciles["upper_cl"] = deciles["value"] + 0.002
    >>> out = decile_sii(deciles, "aged_65_plus", repetitions=1000)
    >>> round(out["sii"], 6), out["n_deciles"]
    (-20.0, 10)
    >>> decile_sii(deciles.head(4), "aged_65_plus")["note"]
    'needs 5 or more deciles with people; this unit has 4'
    """
    spec = indicator_spec(indicator)
    require_frame(
        deciles, ["imd_decile", "population", "value", "lower_cl", "upper_cl", "se"], "deciles"
    )
    if "unit_code" in deciles.columns and deciles["unit_code"].nunique() > 1:
        raise ValueError("deciles must hold one unit; filter by unit_code first")
    frame = deciles[deciles["population"] > 0].sort_values("imd_decile")
    n = len(frame)
    if n < _MIN_QUANTILES:
        return {
            **_NO_SII,
            "n_deciles": n,
            "note": f"needs {_MIN_QUANTILES} or more deciles with people; this unit has {n}",
        }
    rng = rng if rng is not None else generator(DEFAULT_SEED, "sii")
    value = frame["value"].to_numpy(dtype=float)
    lower = frame["lower_cl"].to_numpy(dtype=float)
    upper = frame["upper_cl"].to_numpy(dtype=float)
    args: dict[str, Any] = {
        "quantile": frame["imd_decile"].to_numpy(),
        "population": frame["population"].to_numpy(dtype=float),
        "value": value,
        "multiplier": spec.scale,
        "repetitions": repetitions,
        "rng": rng,
    }
    inside = ((value > 0) & (value < 1) & (lower > 0) & (upper < 1)).all()
    if spec.kind == "proportion" and inside:
        args.update(value_type=2, lower_cl=lower, upper_cl=upper)
    else:
        # means, and proportions at 0 or 1 (no logit): normal scale with the SE
        args.update(value_type=0, se=np.maximum((upper - lower) / (2 * _Z95), 0))
    try:
        res = slope_index_of_inequality(**args)
    except ValueError as exc:
        return {**_NO_SII, "n_deciles": n, "note": str(exc)}
    (sii_lo, sii_hi), (rii_lo, rii_hi) = res.sii_ci[0.95], res.rii_ci[0.95]
    return {
        "sii": res.sii,
        "sii_lower": sii_lo,
        "sii_upper": sii_hi,
        "rii": res.rii,
        "rii_lower": rii_lo,
        "rii_upper": rii_hi,
        "intercept": res.intercept,
        "n_deciles": n,
        "note": "",
    }


def summary_measures(
    rows: pd.DataFrame,
    indicator: str | Indicator,
    *,
    repetitions: int = 100_000,
    rng: np.random.Generator | None = None,
    deciles: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every inequality measure for one unit: SII, RII, concentration indices, Gini.

    Parameters
    ----------
    rows : DataFrame
        :func:`unit_rows` for **one** unit (its LSOAs or practices).
    indicator : str or Indicator
        Key of :data:`INDICATORS`.
    repetitions : int, default 100000
        Simulations behind the SII/RII limits.
    rng : numpy.random.Generator, optional
        For the SII simulation.
    deciles : DataFrame, optional
        The unit's :func:`by_decile` rows, if already computed.

    Returns
    -------
    dict
        The :func:`decile_sii` keys, plus ``concentration_index`` (relative, -1 to 1;
        negative = concentrated among the more deprived), ``absolute_concentration_index``
        (display units: mean × relative index), ``gini`` (0-1), ``mean`` (population-
        weighted, display units), ``population``, ``n_areas`` and ``ci_note`` (why a
        measure is missing). The concentration indices rank the unit's LSOAs (or
        practices, by their patients' mean IMD rank) from most to least deprived and
        weight them by population; the Gini weights the same rows by population.

    Examples
    --------
    >>> rows = pd.DataFrame({"unit_code": "U", "lsoa_code": list("abcdefghij"),
    ...     "imd_rank": range(1, 11), "imd_decile": range(1, 11),
    ...     "value": np.linspace(0.3, 0.12, 10), "population": 1000, "weight": 1000})
    >>> rows["count"] = rows["value"] * 1000
    >>> out = summary_measures(rows, "aged_65_plus", repetitions=1000)
    >>> bool(out["concentration_index"] < 0 < out["gini"]), round(out["mean"], 1)
    (True, 21.0)
    """
    spec = indicator_spec(indicator)
    require_frame(rows, ["imd_rank", "imd_decile", "value", "population", "weight"], "rows")
    if "unit_code" in rows.columns and rows["unit_code"].nunique() > 1:
        raise ValueError("rows must hold one unit; filter by unit_code first")
    if rows.empty:
        raise ValueError("rows is empty: the unit has no areas with this indicator")
    if deciles is None:
        deciles = by_decile(rows.assign(unit_code="unit"), spec)
    out = decile_sii(deciles, spec, repetitions=repetitions, rng=rng)
    value = rows["value"].to_numpy(dtype=float)
    population = rows["population"].to_numpy(dtype=float)
    rank = rows["imd_rank"].to_numpy(dtype=float)
    notes = []
    ci = aci = g = math.nan
    if len(rows) < 2 or np.unique(rank).size < 2:
        notes.append("the concentration index needs two or more areas of different deprivation")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                aci = absolute_concentration_index(value, rank, population) * spec.scale
                ci = concentration_index(value, rank, population)
            except ValueError as exc:
                notes.append(str(exc))
    try:
        g = gini(value, population)
    except ValueError as exc:
        notes.append(str(exc))
    total = population.sum()
    if spec.kind == "proportion":
        mean = float(rows["count"].sum() / total) if total > 0 else math.nan
    else:
        w = rows["weight"].to_numpy(dtype=float)
        mean = float((w * value).sum() / w.sum()) if w.sum() > 0 else math.nan
    out.update(
        concentration_index=ci,
        absolute_concentration_index=aci,
        gini=g,
        mean=mean * spec.scale,
        population=float(total),
        n_areas=len(rows),
        ci_note="; ".join(notes),
    )
    return out


def inequality_ranking(
    rows: pd.DataFrame,
    indicator: str | Indicator,
    measure: str = "sii",
    *,
    names: pd.DataFrame | None = None,
    repetitions: int = 10_000,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Rank units by how unequal an indicator is across deprivation, most unequal first.

    Parameters
    ----------
    rows : DataFrame
        :func:`unit_rows` for many units, with a ``level`` column (e.g. ``"place"``,
        ``"pcn"``) alongside ``unit_code``.
    indicator : str or Indicator
        Key of :data:`INDICATORS`.
    measure : {"sii", "ci"}, default "sii"
        Rank by the size of the slope index of inequality, or of the relative
        concentration index.
    names : DataFrame, optional
        ``level``, ``unit_code``, ``unit_name`` to label the rows.
    repetitions : int, default 10000
        Simulations behind each unit's SII limits.
    rng : numpy.random.Generator, optional
        Shared by the units in order (a fixed seed if None).

    Returns
    -------
    DataFrame
        One row per unit: ``rank`` (1 = most unequal), ``level``, ``unit_code``,
        ``unit_name``, ``population``, ``n_areas`` (LSOAs or practices), ``n_deciles``,
        ``sii``, ``sii_lower``,
        ``sii_upper``, ``rii``, ``concentration_index``, ``gini``, ``direction`` (the
        gradient in words) and ``note``. Sorted by the absolute value of ``measure``,
        largest first; units where it cannot be computed come last, unranked.

    Examples
    --------
    >>> rows = pd.DataFrame({"level": "place", "unit_code": ["X"] * 5 + ["Y"] * 5,
    ...     "lsoa_code": list("abcdefghij"), "imd_rank": [1, 4000, 7000, 10000, 14000] * 2,
    ...     "imd_decile": [1, 2, 3, 4, 5] * 2, "population": 1000, "weight": 1000,
    ...     "value": [0.30, 0.25, 0.20, 0.15, 0.10, 0.21, 0.20, 0.20, 0.20, 0.19]})
    >>> rows["count"] = rows["value"] * 1000
    >>> out = inequality_ranking(rows, "aged_65_plus", repetitions=1000)
    >>> out[["rank", "unit_code"]].to_dict("list")
    {'rank': [1, 2], 'unit_code': ['X', 'Y']}
    >>> out["direction"].iloc[0]
    'higher in more deprived areas'
    """
    spec = indicator_spec(indicator)
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure {measure!r}; choose one of {', '.join(MEASURES)}.")
    require_frame(rows, ["level", "unit_code"], "rows")
    rng = rng if rng is not None else generator(DEFAULT_SEED, "sii")
    records = []
    # one by_decile over every unit: pandas overhead per call dominates small units
    keyed = rows.assign(
        unit_code=rows["level"].astype(str) + "\x1f" + rows["unit_code"].astype(str)
    )
    deciles = dict(tuple(by_decile(keyed, spec).groupby("unit_code", sort=False)))
    for key, frame in keyed.groupby("unit_code", sort=True):
        level, unit = str(key).split("\x1f", 1)
        unit_deciles = deciles.get(key, pd.DataFrame(columns=["imd_decile", "population"]))
        res = summary_measures(frame, spec, repetitions=repetitions, rng=rng, deciles=unit_deciles)
        records.append(
            {
                "level": level,
                "unit_code": unit,
                "population": res["population"],
                "n_areas": res["n_areas"],
                "n_deciles": res["n_deciles"],
                "sii": res["sii"],
                "sii_lower": res["sii_lower"],
                "sii_upper": res["sii_upper"],
                "rii": res["rii"],
                "concentration_index": res["concentration_index"],
                "gini": res["gini"],
                "note": "; ".join(n for n in (res["note"], res["ci_note"]) if n),
            }
        )
    columns = ["rank", "level", "unit_code", "unit_name", "population", "n_areas", "n_deciles"]
    columns.append("sii")
    columns += ["sii_lower", "sii_upper", "rii", "concentration_index", "gini", "direction"]
    columns.append("note")
    if not records:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(records)
    key = out["sii" if measure == "sii" else "concentration_index"]
    out["direction"] = np.select(
        [key < 0, key > 0],
        ["higher in more deprived areas", "higher in less deprived areas"],
        "no gradient",
    )
    out.loc[key.isna(), "direction"] = ""
    out = out.assign(_size=key.abs()).sort_values(
        ["_size", "level", "unit_code"], ascending=[False, True, True], na_position="last"
    )
    ranked = out["_size"].notna().to_numpy()
    out["rank"] = pd.array(np.cumsum(ranked), dtype="Int64")
    out.loc[~ranked, "rank"] = pd.NA
    if names is not None:
        require_frame(names, ["level", "unit_code", "unit_name"], "names")
        out = out.merge(
            names[["level", "unit_code", "unit_name"]], on=["level", "unit_code"], how="left"
        )
    else:
        out["unit_name"] = out["unit_code"]
    return out[columns].reset_index(drop=True)


def decile_display_table(
    deciles: pd.DataFrame, indicator: str | Indicator, vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """A unit's decile table as shown and exported, disclosure-controlled where needed.

    Parameters
    ----------
    deciles : DataFrame
        :func:`by_decile` rows for one unit.
    indicator : str or Indicator
        Key of :data:`INDICATORS`.
    vintage : {"2022", "2026"}
        Names the allocation year of the registered population.

    Returns
    -------
    DataFrame
        ``IMD decile``, ``Population`` (or people), the value and its 95% limits in
        display units, and for proportions the count. For a **modelled** indicator
        (from synthetic individuals) both counts follow :mod:`layers.disclosure` (0
        stays 0, 1-7 shown as ``"*"``, others rounded to 5) and the percentage is
        computed from the rounded counts; limits are left out. Published figures stay
        exact.

    Examples
    --------
    >>> deciles = pd.DataFrame({"imd_decile": [1, 2], "population": [103, 6],
    ...     "count": [31, 2], "value": [31 / 103, 2 / 6], "lower_cl": [0.2, 0.1],
    ...     "upper_cl": [0.4, 0.7], "se": [0.05, 0.2]})
    >>> decile_display_table(deciles, "at_risk").iloc[:, :4].to_dict("list")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'IMD decile': ['1 (most deprived)', '2'], 'Registered patients (modelled)': [105, '*'],
     'At risk (modelled)': [30, '*'], 'Modelled at-risk prevalence (%)': [28.6, '*']}
    """
    spec = indicator_spec(indicator, vintage)
    require_frame(deciles, ["imd_decile", "population", "value", "lower_cl", "upper_cl"], "deciles")
    label = spec.axis.split(" (")[0]
    unit = spec.unit if spec.unit != "£" else "£ per head"
    out = pd.DataFrame({"IMD decile": deciles["imd_decile"].map(DECILE_LABELS).to_numpy()})
    if spec.modelled:
        require_frame(deciles, ["count"], "deciles")
        people = np.rint(deciles["population"].to_numpy(dtype=float)).astype(np.int64)
        count = np.rint(deciles["count"].to_numpy(dtype=float)).astype(np.int64)
        out["Registered patients (modelled)"] = suppress_counts(pd.Series(people)).to_numpy()
        out["At risk (modelled)"] = suppress_counts(pd.Series(count)).to_numpy()
        out[f"{label} (%)"] = shares_from_rounded(count, people).to_numpy()
        return out
    population_label = {
        "lsoa": "Population",
        "practice": "Registered patients"
        if spec.key != "pounds_per_head"
        else f"Registered population (NHS England {get_vintage(vintage).default_allocation_year})",
    }[spec.basis]
    out[population_label] = np.rint(deciles["population"].to_numpy(dtype=float)).astype(np.int64)
    if "n_areas" in deciles.columns:
        out["LSOAs" if spec.basis == "lsoa" else "Practices"] = deciles["n_areas"].to_numpy()
    if spec.kind == "proportion" and "count" in deciles.columns:
        out["Count"] = np.rint(deciles["count"].to_numpy(dtype=float)).astype(np.int64)
    for column, source in ((f"{label} ({unit})", "value"), ("Lower 95% CL", "lower_cl")):
        out[column] = (deciles[source].to_numpy(dtype=float) * spec.scale).round(spec.decimals + 1)
    out["Upper 95% CL"] = (deciles["upper_cl"].to_numpy(dtype=float) * spec.scale).round(
        spec.decimals + 1
    )
    return out


# --------------------------------------------------------------------------- maps


def core20_areas(lsoas: gpd.GeoDataFrame, units: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Residents' Core20 share of each unit made of LSOAs, with the unit's shape.

    Parameters
    ----------
    lsoas : GeoDataFrame
        The ICS's LSOAs: ``population``, ``imd_decile`` and the unit column ``by``
        (``place_code``, or ``footprint_pcn_code`` for PCN footprints).
    units : GeoDataFrame
        The units with their code column (``place_code`` or ``pcn_code``), a name
        column (``place_name`` or ``pcn_name``) and geometry.
    by : {"place_code", "footprint_pcn_code"}
        Unit column of ``lsoas``.

    Returns
    -------
    GeoDataFrame
        ``code``, ``name``, ``residents``, ``core20_residents``, ``core20_share``
        (0-1) and geometry; units with no residents (empty PCN footprints) are left
        out.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> lsoas = pd.DataFrame({"place_code": ["a", "a", "b"], "population": [10, 30, 5],
    ...                       "imd_decile": [2, 7, 1]})
    >>> units = gpd.GeoDataFrame({"place_code": ["a", "b"], "place_name": ["A", "B"]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> core20_areas(lsoas, units, "place_code")[["code", "core20_share"]]
      code  core20_share
    0    a          0.25
    1    b          1.00
    """
    kinds = {
        "place_code": ("place_code", "place_name"),
        "footprint_pcn_code": ("pcn_code", "pcn_name"),
    }
    if by not in kinds:
        raise ValueError(f"by must be one of {', '.join(kinds)}; got {by!r}")
    code, name = kinds[by]
    require_frame(units, [code, name, "geometry"], "units")
    shares = resident_deprivation(lsoas.dropna(subset=[by]), by)
    shares = shares.rename(columns={by: "code", "population": "residents"})
    shapes = units[[code, name, "geometry"]].rename(columns={code: "code", name: "name"})
    out = shapes.merge(shares[["code", "residents", "core20_residents", "core20_share"]], on="code")
    out = out[(out["residents"] > 0) & out.geometry.notna() & ~out.geometry.is_empty]
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=units.crs)
