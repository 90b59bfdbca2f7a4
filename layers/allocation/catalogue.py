"""Service catalogue: which tier commissions each service, its share of the budget, its need.

A catalogue is a DataFrame with one row per service and the columns

``service``
    Unique name of the service line, following the rules for every name
    (:mod:`layers.names`: no control or invisible characters, no leading ``=``, ``+``,
    ``-`` or ``@``, at most 100 characters); stored in its normalised form.
``tier``
    The tier that commissions it: ``"ics"``, ``"place"``, ``"pcn"`` or ``"practice"``.
``component``
    The NHS England need component whose weighted population shares it out:
    one of :data:`COMPONENTS`.
``share_percent``
    Its share of the ICS budget in per cent, from 0 to 100. Shares sum to 100.

An optional ``note`` column is carried through untouched.

Three catalogues ship with the library (:func:`default_catalogue`): the neutral
default, whose services are commissioned by the ICB itself as the law sets it out, and
two presets whose tiers follow the seed papers (NW London; Coventry & Warwickshire).
All three share their money the same way, by NHS England's own 2022/23 formula (see
:func:`default_catalogue` for the derivation), so they differ only in who commissions.
:data:`PRESET_NAMES`, :data:`TIER_NAMES` and :data:`COMPONENT_NAMES` say each code in
words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from layers._checks import MissingColumnsError, require_frame
from layers.format import excerpt
from layers.names import InvalidNameError, clean_name

__all__ = [
    "CATALOGUE_COLUMNS",
    "COMPONENTS",
    "COMPONENT_COLUMNS",
    "COMPONENT_NAMES",
    "DEFAULT_PRESET",
    "OVERALL_COLUMN",
    "POPULATION_COLUMN",
    "PRESETS",
    "PRESET_NAMES",
    "TIERS",
    "TIER_NAMES",
    "CatalogueError",
    "default_catalogue",
    "tier_shares",
    "validate_catalogue",
]

#: Commissioning tiers, from the whole system down to the single practice.
TIERS: tuple[str, ...] = ("ics", "place", "pcn", "practice")
#: The tiers in words.
TIER_NAMES: dict[str, str] = {"ics": "ICS", "place": "Place", "pcn": "PCN", "practice": "Practice"}

#: NHS England need components, as named in the catalogue.
COMPONENTS: tuple[str, ...] = (
    "general_acute",
    "community",
    "mental_health",
    "maternity",
    "prescribing",
    "primary_medical_care",
    "health_inequalities",
)

#: The need components in words.
COMPONENT_NAMES: dict[str, str] = {
    "general_acute": "General & acute",
    "community": "Community",
    "mental_health": "Mental health",
    "maternity": "Maternity",
    "prescribing": "Prescribing",
    "primary_medical_care": "Primary medical care",
    "health_inequalities": "Health inequalities",
}

#: Weighted-population column (``weighted_populations`` table) behind each component.
#: Primary medical care uses NHS England's final PMC weighted population, the one its
#: primary medical care allocations use (the AIF tool's "Weighted Primary Care").
COMPONENT_COLUMNS: dict[str, str] = {
    "general_acute": "wp_general_acute",
    "community": "wp_community",
    "mental_health": "wp_mental_health",
    "maternity": "wp_maternity",
    "prescribing": "wp_prescribing",
    "primary_medical_care": "wp_primary_medical_care_final",
    "health_inequalities": "wp_health_inequalities",
}

#: NHS England's overall (core, "Final WP") weighted population.
OVERALL_COLUMN = "wp_core"

#: NHS England's GP-registered population for 2022/23, the denominator of its need indices.
POPULATION_COLUMN = "wp_population"

CATALOGUE_COLUMNS: tuple[str, ...] = ("service", "tier", "component", "share_percent")

# Shares must add to 100 % within this many percentage points (float noise only).
_SHARE_TOLERANCE = 1e-6

_ICB = (
    "Neutral default: commissioned by the ICB, which holds the commissioning duty since the "
    "Health and Care Act 2022; nothing is delegated to places"
)
_NWL = (
    "NW London (seed 000): acute and specialist care commissioned once for the ICS; "
    "locally focused health commissioned at borough (place) level"
)
_CW = (
    "Coventry & Warwickshire (seed 002): ~80% of commissioning work at place, "
    "20% strategic at ICS level"
)
_PC = "Primary care held by PCNs and practices (seeds 001, 004)"

# Money shares (%). The six core components are NHS England's 2022/23 implied weights,
# scaled to 91 % of the budget; primary medical care takes the other 9 % (illustrative).
_Row = tuple[str, str, str, float, str]


def _local_and_primary_care(note: str) -> list[_Row]:
    """The rows both presets share: local care by place, primary care as in seeds 001, 004."""
    return [
        ("Community services", "place", "community", 5.0, note),
        ("Mental health services", "place", "mental_health", 10.0, note),
        ("Maternity services", "place", "maternity", 3.0, note),
        ("Health inequalities and unmet need", "place", "health_inequalities", 9.0, note),
        ("PCN network services", "pcn", "primary_medical_care", 2.0, _PC),
        ("General practice contracts", "practice", "primary_medical_care", 7.0, _PC),
        ("Practice prescribing budgets", "practice", "prescribing", 8.0, _PC),
    ]


_ROWS: dict[str, list[_Row]] = {
    "nw_london": [
        ("Acute and specialist hospital care", "ics", "general_acute", 56.0, _NWL),
        *_local_and_primary_care(_NWL),
    ],
    "coventry_warwickshire": [
        ("Specialised and planned acute care", "ics", "general_acute", 20.0, _CW),
        ("Urgent and local acute care", "place", "general_acute", 36.0, _CW),
        *_local_and_primary_care(_CW),
    ],
}

# The neutral catalogue: NW London's services and money, all but primary care and
# prescribing commissioned by the ICB itself (nothing delegated to places).
_ROWS = {
    "neutral": [
        (service, "ics", need, share, _ICB)
        if tier in ("ics", "place")
        else (service, tier, need, share, note)
        for service, tier, need, share, note in _ROWS["nw_london"]
    ],
    **_ROWS,
}

#: Names of the shipped catalogues; the first is the default.
PRESETS: tuple[str, ...] = tuple(_ROWS)
#: The catalogue every ICS starts from: no ICS's own arrangements.
DEFAULT_PRESET = "neutral"
#: The shipped catalogues in words: the neutral default, then the seed papers' presets.
PRESET_NAMES: dict[str, str] = {
    "neutral": "Neutral (no ICS's own arrangements): the ICB commissions all but primary "
    "care and prescribing",
    "nw_london": "Preset from NW London's papers: acute and specialist care once for the "
    "ICS, local care by place",
    "coventry_warwickshire": "Preset from Coventry & Warwickshire's papers: 20% of the "
    "money at ICS, the rest by place",
}


class CatalogueError(ValueError):
    """A service catalogue breaks the schema: the message says which row and why."""


def default_catalogue(preset: str = DEFAULT_PRESET) -> pd.DataFrame:
    """Return a shipped service catalogue.

    ``"neutral"``, the default, assumes no ICS's own arrangements: the ICB, which holds
    the commissioning duty since the Health and Care Act 2022, commissions hospital,
    community, mental health and maternity care and the health inequalities fund
    itself; primary care sits with PCNs (the network contract) and practices (their
    contracts and prescribing budgets). The presets' tiers follow the
    seed papers. ``"nw_london"`` follows NW London's commissioning
    reform (seed 000): acute and specialist care is commissioned once for the whole ICS,
    and locally focused health (community, mental health, maternity) at borough, i.e.
    place, level; primary care sits with PCNs and practices (seeds 001, 004).
    ``"coventry_warwickshire"`` follows Coventry & Warwickshire (seed 002), where about
    80 % of commissioning work moves to place and 20 % stays strategic at ICS level:
    acute care is split so that exactly 20 % of the money stays at the ICS. The seed's
    80/20 describes commissioning work, not money; the preset uses it as a proxy.

    Money shares: a least-squares fit of NHS England's 2022/23 core weighted population
    ("Final WP") on its six component weighted populations over all 6,554 practices
    (R² = 0.99995) gives the implied weights G&A 61.9 %, community 5.1 %, mental health
    10.6 %, maternity 3.2 %, health inequalities 10.0 %, prescribing 9.1 %. Scaled to
    91 % and rounded they give 56, 5, 10, 3, 9 and 8 %. Primary medical care, allocated
    separately by NHS England, takes an illustrative 9 % (2 % PCN, 7 % practices).
    Community is 5 % because NHS England's community model covers half of community
    services; the other half runs through the G&A model.

    Parameters
    ----------
    preset : str, default "neutral"
        One of :data:`PRESETS`.

    Returns
    -------
    DataFrame
        Columns ``service``, ``tier``, ``component``, ``share_percent``, ``note``.

    Raises
    ------
    ValueError
        If ``preset`` is not one of :data:`PRESETS`.

    Examples
    --------
    >>> from layers.allocation.catalogue import default_catalogue, tier_shares
    >>> default_catalogue()["share_percent"].sum()
    np.float64(100.0)
    >>> tier_shares(default_catalogue())["share_percent"].tolist()
    [83.0, 0.0, 2.0, 15.0]
    >>> tier_shares(default_catalogue("coventry_warwickshire"))["share_percent"].tolist()
    [20.0, 63.0, 2.0, 15.0]
    """
    if not isinstance(preset, str) or preset not in _ROWS:
        raise ValueError(f"unknown catalogue preset {preset!r}; expected one of {_quoted(PRESETS)}")
    return pd.DataFrame(_ROWS[preset], columns=[*CATALOGUE_COLUMNS, "note"])


def validate_catalogue(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Check a service catalogue and return a clean copy.

    Parameters
    ----------
    catalogue : DataFrame
        Columns ``service``, ``tier``, ``component``, ``share_percent`` (others kept).

    Returns
    -------
    DataFrame
        A copy with a fresh index, ``share_percent`` as float and text columns as str.

    Raises
    ------
    TypeError
        If ``catalogue`` is not a DataFrame.
    CatalogueError
        If a column is missing, the catalogue is empty, a service name is blank,
        repeated or breaks the name rules (:func:`layers.names.name_problem`), a tier or
        component is unknown, a share is not a number from 0 to 100, or the shares do
        not sum to 100 %. Rows are numbered from 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.allocation.catalogue import validate_catalogue
    >>> bad = pd.DataFrame({"service": ["GP"], "tier": ["practice"],
    ...                     "component": ["dental"], "share_percent": [100]})
    >>> validate_catalogue(bad)
    Traceback (most recent call last):
    ...
    layers.allocation.catalogue.CatalogueError: catalogue row 1 (service 'GP'): component 'dental' is not one of 'general_acute', 'community', 'mental_health', 'maternity', 'prescribing', 'primary_medical_care', 'health_inequalities'
    """  # noqa: E501
    try:
        require_frame(catalogue, CATALOGUE_COLUMNS, "catalogue")
    except MissingColumnsError as error:
        raise CatalogueError(str(error)) from None
    if len(catalogue) == 0:
        raise CatalogueError("catalogue has no services; expected at least one row")
    out = catalogue.reset_index(drop=True).copy()
    shares: list[float] = []
    services: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(out.itertuples(index=False), start=1):
        service = row.service
        if not isinstance(service, str) or not service.strip():
            raise CatalogueError(f"catalogue row {i}: service name is blank; expected text")
        try:
            service = clean_name(service, "service name")
        except InvalidNameError as error:
            raise CatalogueError(f"catalogue row {i}: {error}") from None
        services.append(service)
        where = f"catalogue row {i} (service {service!r})"
        if service in seen:
            raise CatalogueError(f"{where}: service name is repeated; names must be unique")
        seen.add(service)
        if row.tier not in TIERS:
            raise CatalogueError(f"{where}: tier {row.tier!r} is not one of {_quoted(TIERS)}")
        if row.component not in COMPONENTS:
            raise CatalogueError(
                f"{where}: component {row.component!r} is not one of {_quoted(COMPONENTS)}"
            )
        share = row.share_percent
        if isinstance(share, bool) or not isinstance(share, (int, float, np.integer, np.floating)):
            raise CatalogueError(f"{where}: share_percent {share!r} is not a number")
        # Compared as given: float() of a 5,000-digit integer overflows.
        if not 0 <= share <= 100:
            raise CatalogueError(
                f"{where}: share_percent {excerpt(share)} must be between 0 and 100"
            )
        shares.append(float(share))
    total = math.fsum(shares)
    if abs(total - 100.0) > _SHARE_TOLERANCE:
        raise CatalogueError(f"catalogue shares sum to {total:g}%, expected 100%")
    out["share_percent"] = np.asarray(shares, dtype=float)
    out["service"] = services
    for column in ("service", "tier", "component"):
        out[column] = out[column].astype(str)
    return out


def tier_shares(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Sum a catalogue's shares by commissioning tier, in tier order.

    Parameters
    ----------
    catalogue : DataFrame
        A service catalogue (see :func:`validate_catalogue`).

    Returns
    -------
    DataFrame
        Columns ``tier`` and ``share_percent``, one row for each of :data:`TIERS`.

    Examples
    --------
    >>> from layers.allocation.catalogue import default_catalogue, tier_shares
    >>> tier_shares(default_catalogue("nw_london"))
           tier  share_percent
    0       ics           56.0
    1     place           27.0
    2       pcn            2.0
    3  practice           15.0
    """
    cat = validate_catalogue(catalogue)
    sums = cat.groupby("tier")["share_percent"].sum()
    return pd.DataFrame(
        {"tier": list(TIERS), "share_percent": [float(sums.get(t, 0.0)) for t in TIERS]}
    )


def _quoted(values: Iterable[object]) -> str:
    return ", ".join(repr(v) for v in values)
