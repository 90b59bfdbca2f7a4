"""How numbers read, everywhere: pages, tables, figures, slides and exports.

One rule each, so the same budget never reads two ways:

* money: :func:`pounds` (whole pounds), :func:`per_head` (pounds and pence),
  :func:`compact_pounds` (headlines: ``£2.31bn``, ``£45.6m``);
* shares: :func:`share` takes a **fraction** (0–1); :func:`percent` takes a value
  already in **percent** (0–100), as disclosure-controlled shares are;
* counts: :func:`count`, with thousands separators;
* words: :func:`plural` (``1 PCN``, ``2 PCNs``);
* a value quoted in a message: :func:`excerpt` (its ``repr``, cut short);
* column headers in exports: :func:`column_label` (``pcn_code`` reads ``PCN code``),
  from :data:`COLUMN_LABELS` for the internal names the pages export.

A disclosure marker (``"*"``) passes through unchanged, and a missing value reads
:data:`MISSING`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from numbers import Real
from types import MappingProxyType
from typing import Concatenate, Final, ParamSpec

__all__ = [
    "COLUMN_LABELS",
    "MISSING",
    "column_label",
    "compact_pounds",
    "count",
    "excerpt",
    "number",
    "per_head",
    "percent",
    "plural",
    "pounds",
    "share",
]

#: What a missing or non-finite value reads as.
MISSING = "n/a"

_P = ParamSpec("_P")


def _finite(value: object) -> float | None:
    """``value`` as a float, or ``None`` if it is missing or not finite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number_ = float(value)  # numpy scalars, Decimals and pandas NA-free numbers
    except (TypeError, ValueError):
        return None
    return number_ if math.isfinite(number_) else None


def _number_format(
    write: Callable[Concatenate[float, _P], str],
) -> Callable[Concatenate[object, _P], str]:
    """One rule for every number format: text passes through, a missing value reads MISSING.

    Text is a disclosure marker such as ``*`` and is shown as it is; anything that is not a
    finite number reads :data:`MISSING`; ``write`` formats the rest, as a float.
    """

    @functools.wraps(write)
    def formatted(value: object, *args: _P.args, **kwargs: _P.kwargs) -> str:
        if isinstance(value, str):
            return value
        amount = _finite(value)
        return MISSING if amount is None else write(amount, *args, **kwargs)

    return formatted


@_number_format
def pounds(amount: float) -> str:
    """Whole pounds with thousands separators.

    Examples
    --------
    >>> pounds(12345.4), pounds(-1500), pounds(float("nan"))
    ('£12,345', '-£1,500', 'n/a')
    """
    sign = "-" if round(amount) < 0 else ""
    return f"{sign}£{abs(amount):,.0f}"


@_number_format
def per_head(amount: float) -> str:
    """Pounds and pence, for amounts per head.

    Examples
    --------
    >>> per_head(1500.826), per_head(None)
    ('£1,500.83', 'n/a')
    """
    sign = "-" if round(amount, 2) < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@_number_format
def compact_pounds(amount: float) -> str:
    """Pounds in the words committees read: billions, millions, else whole pounds.

    Examples
    --------
    >>> compact_pounds(2_312_000_000), compact_pounds(45_600_000), compact_pounds(12_345.4)
    ('£2.31bn', '£45.6m', '£12,345')
    """
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if size >= 1e9:
        return f"{sign}£{size / 1e9:,.2f}bn"
    if size >= 1e6:
        return f"{sign}£{size / 1e6:,.1f}m"
    return pounds(amount)


@_number_format
def share(fraction: float, decimals: int = 1) -> str:
    """A fraction (0–1) as a percentage.

    Examples
    --------
    >>> share(0.2134), share(0.5, 0), share("*")
    ('21.3%', '50%', '*')
    """
    return f"{fraction:.{decimals}%}"


@_number_format
def percent(amount: float, decimals: int = 1) -> str:
    """A value already in percent (0–100), such as a disclosure-controlled share.

    Examples
    --------
    >>> percent(21.34), percent("*"), percent(None)
    ('21.3%', '*', 'n/a')
    """
    return f"{amount:.{decimals}f}%"


@_number_format
def count(amount: float) -> str:
    """A whole number with thousands separators.

    Examples
    --------
    >>> count(193615), count(12.6), count("*"), count(float("nan"))
    ('193,615', '13', '*', 'n/a')
    """
    return f"{round(amount):,}"


@_number_format
def number(amount: float, decimals: int, *, sign: bool = False) -> str:
    """A number with thousands separators and fixed decimals.

    Examples
    --------
    >>> number(1.23456, 3), number(0.5, 2, sign=True), number(None, 1)
    ('1.235', '+0.50', 'n/a')
    """
    return f"{amount:{'+' if sign else ''},.{decimals}f}"


def plural(n: int | Real, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun, singular for exactly one.

    Examples
    --------
    >>> plural(1, "PCN"), plural(3, "PCN"), plural(2, "practice"), plural(0, "ICS", "ICSs")
    ('1 PCN', '3 PCNs', '2 practices', '0 ICSs')
    """
    word = singular if n == 1 else (plural_form or f"{singular}s")
    return f"{count(n)} {word}"


def excerpt(value: object, limit: int = 40) -> str:
    """A value as a message quotes it: its ``repr``, cut to ``limit`` characters.

    A 5,000-digit number or a 100,000-character name must not fill a message (and
    Python refuses to write an integer of more than 4,300 digits at all).

    Examples
    --------
    >>> excerpt("North"), excerpt("x" * 100, 12), excerpt(10**5000)
    ("'North'", "'xxxxxxx...'", 'an integer of more than 4,300 digits')
    """
    try:
        text = repr(value)
    except ValueError:
        return "an integer of more than 4,300 digits"
    if len(text) <= limit:
        return text
    quote = text[-1] if text[-1] in "'\"" else ""
    return text[: limit - 3 - len(quote)] + "..." + quote


_RISK_TIERS = ("low", "rising", "high")

#: Column headers in words for the internal column names the pages export (CSV, XLSX).
COLUMN_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # units and their names
        "icb_code": "ICB code",
        "icb_name": "ICS",
        "place_code": "Place code",
        "place_name": "Place",
        "pcn_code": "PCN code",
        "pcn_name": "PCN",
        "practice_code": "Practice code",
        "practice_name": "GP practice",
        "lsoa_code": "LSOA code",
        "lsoa_name": "LSOA",
        "unit": "Unit",
        "unit_code": "Unit code",
        "unit_name": "Unit",
        "code": "Code",
        "name": "Name",
        "layer": "Layer",
        "label": "Layer",
        "parent_code": "Part of (code)",
        "parent_name": "Part of",
        "postcode": "Postcode",
        "latitude": "Latitude",
        "longitude": "Longitude",
        # people
        "registered_patients": "Registered patients (Jul 2022)",
        "resident_population": "Residents (ONS mid-2020)",
        "population": "Population",
        "people": "People",
        "patients": "Patients",
        "female": "Female",
        "male": "Male",
        "age_band": "Age band",
        "list_size": "List size",
        "n_lsoas": "LSOAs",
        "n_practices": "GP practices",
        "n_pcns": "PCNs",
        "n_places": "Places",
        "n_units": "Units",
        # bands and flags
        "practices_in_band": "GP practices within band",
        "pcns_in_band": "PCNs within band",
        "places_in_band": "Places within band",
        "band_low": "Band from",
        "band_high": "Band to",
        "flag": "Against band",
        "gap": "Patients beyond band",
        "median": "Median",
        "smallest": "Smallest",
        "largest": "Largest",
        "n_below": "Below band",
        "n_within": "Within band",
        "n_above": "Above band",
        "outside_layer": "Outside the layer",
        "outside_layer_patients": "Patients outside the layer",
        "population_basis": "Population basis",
        # deprivation, need and money
        "imd_decile": "IMD decile",
        "core20_share": "Core20 share",
        "need_index": "Need index",
        "alignment": "Alignment",
        "share": "Share",
        "pounds": "£",
        "pence": "Pence",
        "pounds_per_head": "£ per head",
        "pounds_per_weighted_head": "£ per weighted head",
        "weighted_population": "Weighted population",
        "service": "Service",
        "tier": "Commissioned by",
        "component": "Need component",
        "share_percent": "Share of budget (%)",
        "note": "Note",
        # uploads
        "row": "Row",
        "reason": "Reason",
        "column": "Column",
        "required": "Required",
        "type": "Type",
        "rules": "Rules",
        "example": "Example",
        # risk tiers: counts, then shares in IMD deciles 1-2
        "total": "Total",
        **{tier: f"{tier.capitalize()} risk" for tier in _RISK_TIERS},
        **{f"{t}_imd_1_2": f"{t.capitalize()} risk in IMD deciles 1–2" for t in _RISK_TIERS},
        **{
            f"{t}_imd_1_2_pct": f"{t.capitalize()} risk in IMD deciles 1–2 (%)" for t in _RISK_TIERS
        },
    }
)

#: Words written in capitals when an internal name not in COLUMN_LABELS is spelled out.
_ACRONYMS: Final = {
    "ccg": "CCG",
    "gp": "GP",
    "icb": "ICB",
    "ics": "ICS",
    "imd": "IMD",
    "la": "LA",
    "lsoa": "LSOA",
    "lsoas": "LSOAs",
    "ltla": "LTLA",
    "nhs": "NHS",
    "ons": "ONS",
    "pcn": "PCN",
    "pcns": "PCNs",
    "rii": "RII",
    "sii": "SII",
    "utla": "UTLA",
}
_INTERNAL_NAME: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def column_label(name: object) -> str:
    """A column header in words: :data:`COLUMN_LABELS`, else the internal name spelled out.

    Headers that are already words (capitals or spaces) are kept as they are.

    Examples
    --------
    >>> column_label("pcn_code"), column_label("ccg21_name"), column_label("Home share (%)")
    ('PCN code', 'CCG21 name', 'Home share (%)')
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if not _INTERNAL_NAME.match(text):
        return text
    words = []
    for word in text.split("_"):
        prefix = re.match(r"^[a-z]+", word)
        stem = prefix.group(0) if prefix else ""
        words.append(_ACRONYMS[stem] + word[len(stem) :] if stem in _ACRONYMS else word)
    spelled = " ".join(words)
    return spelled[0].upper() + spelled[1:]
