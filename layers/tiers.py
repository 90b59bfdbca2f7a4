"""Population tiers: are units the right size for their layer, and what would regrouping do.

ICS plans give each planning layer a design band of population (Herefordshire and
Worcestershire's "Layers of Planning and Delivery", 2019): individual GP practices
c. 1,000-10,000 patients, PCNs 30,000-50,000, place-based alliances 100,000-500,000
and the ICS c. 1 million. This module measures every unit against its band and
models regroupings without touching the real configuration.

Population basis (never mixed):

* practices, PCNs and places: **registered patients** (GP lists, July 2022); a PCN's
  list is the sum of its practices', a place's the sum of the practices placed there;
* the ICS: registered patients (flagged against the band) and ONS mid-2020
  **residents** (reported beside it);
* individuals: one synthetic individual per registered patient.

Practices in no PCN (``pcn_code`` missing) are kept: they count at practice, place
and ICS level and are reported as outside the PCN layer, never dropped.

A what-if is a :class:`Regrouping`, an immutable list of operations
(:class:`MovePractice`, :class:`MergePCNs`, :class:`MovePCNToPlace`).
:func:`apply_regrouping` returns new :class:`TierTables` and never modifies its
inputs. Registered totals are unchanged by any regrouping: patients only move
between units.

Age structure. A practice's age structure is *modelled*: each practice × LSOA
registration count is spread over the LSOA's ONS mid-2020 single-year age mix
(:func:`practice_age_structure`); the sex split is modelled from age
(:data:`layers.individuals.MALE_SHARE_BY_AGE`). The 2026 vintage has Census 2021
residents in six bands only: its LSOA bands are split by :func:`layers.ages.split_bands`
for the structure, and its pyramids are drawn in the six bands
(:func:`layers.ages.pyramid_bands`), never finer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Final

import numpy as np
import pandas as pd
import shapely

from layers._checks import require_frame, require_unique
from layers.ages import AGE_COLUMNS, MAX_AGE, check_age_bands, pyramid_bands, single_year_ages
from layers.format import excerpt
from layers.individuals import age_band_labels, male_share
from layers.risk import RISK_TIERS, assign_risk, risk_tier_table
from layers.streams import DEFAULT_SEED, generator
from layers.system import NO_PCN_LABEL
from layers.vintages import DEFAULT_VINTAGE, get_vintage

if TYPE_CHECKING:
    from layers.system import System

__all__ = [
    "AGE_BANDS_5Y",
    "BANDED_LAYERS",
    "DEFAULT_BANDS",
    "FLAGS",
    "FLAG_LABELS",
    "LAYERS",
    "LAYER_LABELS",
    "MAX_BAND_BOUND",
    "NO_PCN_CODE",
    "NO_PRACTICE",
    "OPERATION_TYPES",
    "POPULATION_BASIS",
    "STATUS_LABELS",
    "UNIT_NAMES",
    "MergePCNs",
    "MovePCNToPlace",
    "MovePractice",
    "Regrouping",
    "RegroupingError",
    "TierTables",
    "age_pyramid",
    "apply_regrouping",
    "describe_regrouping",
    "example_tables",
    "flag_units",
    "format_band",
    "format_bands",
    "individuals_with_risk",
    "located_elsewhere",
    "parse_bands",
    "population_basis",
    "practice_age_structure",
    "pyramid_from_structure",
    "risk_tiers_by_unit",
    "tier_summary",
    "tier_tables",
    "unit_mapping",
    "unit_table",
    "validate_bands",
]

#: The five layers, smallest unit first.
LAYERS: Final = ("individual", "practice", "pcn", "place", "ics")
#: Layers that have a design band (an individual is one person).
BANDED_LAYERS: Final = ("practice", "pcn", "place", "ics")
#: Plain names for the layers.
LAYER_LABELS: Final = MappingProxyType(
    {
        "individual": "Individuals",
        "practice": "GP practices",
        "pcn": "PCNs",
        "place": "Places",
        "ics": "ICS",
    }
)


def population_basis(vintage: str = DEFAULT_VINTAGE) -> MappingProxyType:
    """What each layer's population counts, in a vintage's words.

    Examples
    --------
    >>> population_basis("2026")["practice"]
    'Registered patients (2026/27, modelled)'
    """
    info = get_vintage(vintage)
    when = info.registered_label
    return MappingProxyType(
        {
            "individual": f"Synthetic individuals: one per registered patient ({when})",
            "practice": f"Registered patients ({when})",
            "pcn": f"Registered patients of member practices ({when})",
            "place": f"Registered patients of practices placed there ({when})",
            "ics": f"Registered patients ({when}); residents ({info.population_source}) "
            "shown beside",
        }
    )


#: What each layer's population counts (2022 vintage; see :func:`population_basis`).
POPULATION_BASIS: Final = population_basis("2022")
#: One unit of each layer, in words ("a PCN", "a place").
UNIT_NAMES: Final = MappingProxyType(
    {
        "individual": "individual",
        "practice": "practice",
        "pcn": "PCN",
        "place": "place",
        "ics": "ICS",
    }
)
#: Design bands ``(low, high)`` of registered patients, from the H&W layers of planning
#: (2019). "The ICS c. 1 million" is read as 500,000-1,500,000.
DEFAULT_BANDS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "practice": (1_000, 10_000),
        "pcn": (30_000, 50_000),
        "place": (100_000, 500_000),
        "ics": (500_000, 1_500_000),
    }
)
#: Largest band bound accepted: 100 million people, more than England's 62 million
#: registered patients, so any real band fits and an overflowing one is refused.
MAX_BAND_BOUND: Final = 100_000_000
#: Where a unit sits against its band.
FLAGS: Final = ("below", "within", "above")
#: Plain words for the flags.
FLAG_LABELS: Final = MappingProxyType(
    {"below": "Below band", "within": "Within band", "above": "Above band"}
)
#: Status of a unit with no practice (a district whose residents are all registered in
#: practices placed in neighbouring places, such as the Isles of Scilly with district
#: places): it has no registered patients of its own, so it is not measured against the
#: band, and its ``flag`` is missing.
NO_PRACTICE: Final = "no_practice"
#: Plain words for every status: the three flags and :data:`NO_PRACTICE`.
STATUS_LABELS: Final = MappingProxyType(
    {
        **FLAG_LABELS,
        NO_PRACTICE: "No practice here: residents registered in neighbouring places",
    }
)
#: Unit code used for practices in no PCN when the PCN layer is aggregated.
NO_PCN_CODE: Final = "NO-PCN"
#: Lower edges of 5-year age bands: 0-4 ... 85-89, 90+ (the 2022 vintage's pyramids).
AGE_BANDS_5Y: Final = pyramid_bands("2022")

_PRACTICE_COLUMNS = ("practice_code", "practice_name", "pcn_code", "place_code")
_PCN_COLUMNS = ("pcn_code", "pcn_name", "place_code")
_PLACE_COLUMNS = ("place_code", "place_name")


# --------------------------------------------------------------------------- validation


def _check_layer(layer: object, allowed: Sequence[str]) -> str:
    if layer not in allowed:
        raise ValueError(f"Unknown layer {layer!r}; choose one of {', '.join(allowed)}.")
    return str(layer)


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


# --------------------------------------------------------------------------- bands


def validate_bands(bands: Mapping[str, Sequence[int]]) -> dict[str, tuple[int, int]]:
    """Check design bands and return them as a plain dict of ``(low, high)`` tuples.

    Parameters
    ----------
    bands : mapping
        ``{layer: (low, high)}`` for some of :data:`BANDED_LAYERS`; layers left out
        take :data:`DEFAULT_BANDS`. Bounds are whole numbers with
        ``0 <= low < high <= MAX_BAND_BOUND`` (100 million).

    Returns
    -------
    dict
        One ``(low, high)`` per banded layer, in :data:`BANDED_LAYERS` order.

    Raises
    ------
    TypeError
        If ``bands`` is not a mapping or a bound is not a whole number.
    ValueError
        For an unknown layer, a pair that is not two bounds, a bound over
        :data:`MAX_BAND_BOUND`, or ``low >= high``.

    Examples
    --------
    >>> validate_bands({"pcn": (20_000, 60_000)})["pcn"]
    (20000, 60000)
    >>> validate_bands({"pcn": (50_000, 30_000)})
    Traceback (most recent call last):
    ...
    ValueError: Band for PCNs: the lower bound (50,000) must be below the upper bound (30,000).
    """
    if not isinstance(bands, Mapping):
        raise TypeError(f"bands must be a mapping of layer to (low, high), got {bands!r}")
    unknown = [k for k in bands if k not in BANDED_LAYERS]
    if unknown:
        raise ValueError(f"Unknown layer(s) {unknown} in bands; use {', '.join(BANDED_LAYERS)}.")
    out: dict[str, tuple[int, int]] = {}
    for layer in BANDED_LAYERS:
        pair = bands.get(layer, DEFAULT_BANDS[layer])
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"Band for {LAYER_LABELS[layer]} must be (low, high), got {pair!r}")
        low = _count(pair[0], f"lower bound for {LAYER_LABELS[layer]}")
        high = _count(pair[1], f"upper bound for {LAYER_LABELS[layer]}")
        if high > MAX_BAND_BOUND:
            raise ValueError(
                f"Band for {LAYER_LABELS[layer]}: the upper bound ({excerpt(high)}) is more "
                f"than {MAX_BAND_BOUND:,} people, the largest band accepted."
            )
        if low >= high:
            raise ValueError(
                f"Band for {LAYER_LABELS[layer]}: the lower bound ({low:,}) must be below "
                f"the upper bound ({high:,})."
            )
        out[layer] = (low, high)
    return out


# At most 12 digits before the point and 6 after: anything longer is past any real band
# (and float() of it would not be exact), so it is refused as a number outright.
_NUMBER = re.compile(r"^\s*(\d{1,12}(?:\.\d{1,6})?)\s*([km]?)\s*$", re.IGNORECASE)


def _parse_number(text: str) -> int:
    match = _NUMBER.match(text)
    if not match:
        shown = excerpt(text.strip())
        if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*[km]?\s*", text, re.IGNORECASE):
            raise ValueError(
                f"{shown} is more than {MAX_BAND_BOUND:,} people, the largest band accepted."
            )
        raise ValueError(f"{shown} is not a number (write e.g. 30000, 30k or 1.5m)")
    value, suffix = match.groups()
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[suffix.lower()]
    whole = float(value) * scale
    if not math.isclose(whole, round(whole)):
        raise ValueError(f"{text.strip()!r} is not a whole number of people")
    return round(whole)


def _compact(n: int) -> str:
    for unit, suffix in ((1_000_000, "m"), (1_000, "k")):
        if n >= unit and (n * 10) % unit == 0:
            return f"{n / unit:g}{suffix}"
    return str(n)


def format_band(low: int, high: int, separator: str = "-") -> str:
    """One band in its compact form, as links and slides write it.

    Thousands and millions are written ``k`` and ``m`` where that is exact to one
    decimal place, so :func:`parse_bands` reads the text back to the same numbers.

    Examples
    --------
    >>> format_band(30_000, 50_000), format_band(500_000, 1_500_000, "–")
    ('30k-50k', '500k–1.5m')
    >>> format_band(1_234, 10_000)
    '1234-10k'
    """
    return f"{_compact(int(low))}{separator}{_compact(int(high))}"


def parse_bands(text: str) -> dict[str, tuple[int, int]]:
    """Read bands from their URL form, e.g. ``"1k-10k,30k-50k,100k-500k,500k-1.5m"``.

    Four ``low-high`` ranges separated by commas, in the order of
    :data:`BANDED_LAYERS` (practice, PCN, place, ICS). Numbers are whole people,
    optionally with ``k`` (thousand) or ``m`` (million), up to :data:`MAX_BAND_BOUND`.

    Parameters
    ----------
    text : str
        The URL value.

    Returns
    -------
    dict
        As :func:`validate_bands`.

    Raises
    ------
    ValueError
        With a message saying what is wrong (count of ranges, a bad number, order).

    Examples
    --------
    >>> parse_bands("1000-10000,30k-50k,100k-500k,0.5m-1.5m")["ics"]
    (500000, 1500000)
    >>> parse_bands("1k-10k,30k")
    Traceback (most recent call last):
    ...
    ValueError: Expected 4 ranges (practice, PCN, place, ICS) separated by commas, got 2.
    """
    if not isinstance(text, str):
        raise TypeError(f"bands text must be a string, got {type(text).__name__}")
    parts = text.split(",")
    if len(parts) != len(BANDED_LAYERS):
        raise ValueError(
            f"Expected {len(BANDED_LAYERS)} ranges (practice, PCN, place, ICS) separated by "
            f"commas, got {len(parts)}."
        )
    bands: dict[str, tuple[int, int]] = {}
    for layer, part in zip(BANDED_LAYERS, parts, strict=True):
        bounds = part.split("-")
        if len(bounds) != 2:
            raise ValueError(
                f"Range {part.strip()!r} for {LAYER_LABELS[layer]} must be low-high, e.g. 30k-50k."
            )
        bands[layer] = (_parse_number(bounds[0]), _parse_number(bounds[1]))
    return validate_bands(bands)


def format_bands(bands: Mapping[str, Sequence[int]]) -> str:
    """Write bands in the compact URL form read by :func:`parse_bands`.

    Examples
    --------
    >>> format_bands(DEFAULT_BANDS)
    '1k-10k,30k-50k,100k-500k,500k-1.5m'
    >>> parse_bands(format_bands({"practice": (1_234, 10_000)}))["practice"]
    (1234, 10000)
    """
    checked = validate_bands(bands)
    return ",".join(format_band(lo, hi) for lo, hi in checked.values())


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TierTables:
    """The unit structure of one ICS: which practice is in which PCN and place.

    Populations are not stored for PCNs, places or the ICS: they are summed from the
    practices each time, so a regrouping can never leave them inconsistent.

    Parameters
    ----------
    code, name : str
        ICB code and name.
    practices : DataFrame
        ``practice_code``, ``practice_name``, ``pcn_code`` (missing: in no PCN),
        ``place_code``, ``registered_patients``; other columns (e.g. ``latitude``, and
        ``located_place_code``, the place the practice stands in on the map) are
        kept. For a practice in a PCN, ``place_code`` is set to its PCN's place.
    pcns : DataFrame
        ``pcn_code``, ``pcn_name``, ``place_code``.
    places : DataFrame
        ``place_code``, ``place_name`` and optionally ``resident_population``.
    resident_population : int, optional
        ONS mid-2020 residents of the ICS.
    footprints : DataFrame, optional
        ``footprint_code`` (a PCN of the real configuration, whose footprint is drawn
        on maps) and ``pcn_code`` (the PCN that footprint now belongs to; missing when
        that PCN has been left with no practices). Default: each PCN its own.
    vintage : str, optional
        The data vintage (:mod:`layers.vintages`): it names practices in no PCN
        (:attr:`no_pcn_label`) and each layer's population basis.

    Raises
    ------
    TypeError, ValueError
        For missing columns, duplicate or unknown codes, or invalid patient counts.

    Notes
    -----
    The frames are copied on construction; treat them as read-only (the dashboard
    shares one instance per ICS). :func:`apply_regrouping` returns new tables.
    """

    code: str
    name: str
    practices: pd.DataFrame
    pcns: pd.DataFrame
    places: pd.DataFrame
    resident_population: int | None = None
    footprints: pd.DataFrame | None = field(default=None, repr=False)
    vintage: str = DEFAULT_VINTAGE

    def __post_init__(self) -> None:
        require_frame(self.practices, [*_PRACTICE_COLUMNS, "registered_patients"], "practices")
        require_frame(self.pcns, _PCN_COLUMNS, "pcns")
        require_frame(self.places, _PLACE_COLUMNS, "places")
        if not isinstance(self.code, str) or not isinstance(self.name, str):
            raise TypeError("code and name must be strings")
        require_unique(self.practices["practice_code"], "practices.practice_code")
        require_unique(self.pcns["pcn_code"], "pcns.pcn_code")
        require_unique(self.places["place_code"], "places.place_code")
        patients = self.practices["registered_patients"]
        if (
            not pd.api.types.is_integer_dtype(patients.dtype)
            or patients.isna().any()
            or (patients < 0).any()
        ):
            raise ValueError("practices.registered_patients must be whole numbers >= 0")
        pcn_codes = pd.Index(self.pcns["pcn_code"])
        place_codes = pd.Index(self.places["place_code"])
        in_pcn = self.practices["pcn_code"].notna()
        bad_pcn = ~self.practices.loc[in_pcn, "pcn_code"].isin(pcn_codes)
        if bad_pcn.any():
            codes = self.practices.loc[in_pcn, "pcn_code"][bad_pcn].unique()[:3].tolist()
            raise ValueError(f"practices refer to PCN(s) not in pcns: {codes}")
        if (~self.pcns["place_code"].isin(place_codes)).any():
            codes = self.pcns.loc[~self.pcns["place_code"].isin(place_codes), "place_code"]
            raise ValueError(f"pcns refer to place(s) not in places: {codes.unique()[:3].tolist()}")
        # A practice in a PCN is in its PCN's place.
        practices = self.practices.reset_index(drop=True).copy()
        pcn_place = self.pcns.set_index("pcn_code")["place_code"]
        practices["place_code"] = (
            practices["pcn_code"].map(pcn_place).fillna(practices["place_code"]).astype(object)
        )
        if (
            practices["place_code"].isna().any()
            or (~practices["place_code"].isin(place_codes)).any()
        ):
            raise ValueError("every practice in no PCN needs a place_code found in places")
        practices["registered_patients"] = practices["registered_patients"].astype(np.int64)
        object.__setattr__(self, "practices", practices)
        object.__setattr__(self, "pcns", self.pcns.reset_index(drop=True).copy())
        places = self.places.reset_index(drop=True).copy()
        if "resident_population" not in places.columns:
            places["resident_population"] = pd.array([pd.NA] * len(places), dtype="Int64")
        object.__setattr__(self, "places", places)
        if self.footprints is None:
            footprints = pd.DataFrame(
                {"footprint_code": self.pcns["pcn_code"], "pcn_code": self.pcns["pcn_code"]}
            )
        else:
            require_frame(self.footprints, ["footprint_code", "pcn_code"], "footprints")
            footprints = self.footprints.reset_index(drop=True).copy()
            owners = footprints["pcn_code"].dropna()
            if (~owners.isin(pcn_codes)).any():
                unknown = owners[~owners.isin(pcn_codes)].unique()[:3].tolist()
                raise ValueError(f"footprints belong to PCN(s) not in pcns: {unknown}")
        object.__setattr__(self, "footprints", footprints)

    @property
    def registered_patients(self) -> int:
        """Registered patients of all the ICS's practices."""
        return int(self.practices["registered_patients"].sum())

    @property
    def no_pcn_label(self) -> str:
        """Name shown for practices in no PCN in this vintage's ePCN extract."""
        return get_vintage(self.vintage).no_pcn_label


def _located_place(system: System) -> np.ndarray:
    """The place each practice stands in on the map (None when outside every place)."""
    points = np.asarray(system.practices.geometry.array, dtype=object)
    out = np.full(len(points), None, dtype=object)
    present = np.array([p is not None and not p.is_empty for p in points], dtype=bool)
    if not present.any():
        return out
    shapes = np.asarray(system.places.geometry.array, dtype=object)
    codes = system.places["place_code"].to_numpy(dtype=object)
    tree = shapely.STRtree(shapes)
    point_index, shape_index = tree.query(points[present], predicate="within")
    located = np.full(int(present.sum()), None, dtype=object)
    located[point_index] = codes[shape_index]
    out[present] = located
    return out


def tier_tables(system: System) -> TierTables:
    """The unit structure of a loaded ICS.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system`.

    Returns
    -------
    TierTables
        The ICS's practices (with ``located_place_code``, the place each stands in),
        PCNs and places, its resident population and the system's vintage.

    Examples
    --------
    >>> from layers.system import load_system
    >>> qgh = tier_tables(load_system("QGH", vintage="2022"))
    >>> len(qgh.practices), len(qgh.pcns), len(qgh.places), qgh.registered_patients
    (79, 15, 2, 817738)
    """
    for attribute in ("practices", "pcns", "places", "ics", "code", "name"):
        if not hasattr(system, attribute):
            raise TypeError(f"system must be a layers.System; it has no {attribute!r}")
    practices = pd.DataFrame(system.practices.drop(columns="geometry", errors="ignore"))
    practices["located_place_code"] = _located_place(system)
    keep = [*_PRACTICE_COLUMNS, "registered_patients", "located_place_code"]
    keep += [c for c in ("latitude", "longitude") if c in practices.columns]
    return TierTables(
        code=system.code,
        name=system.name,
        practices=practices[keep],
        pcns=pd.DataFrame(system.pcns[list(_PCN_COLUMNS)]),
        places=pd.DataFrame(system.places[[*_PLACE_COLUMNS, "resident_population"]]),
        resident_population=int(system.ics["resident_population"].iloc[0]),
        vintage=getattr(system, "vintage", DEFAULT_VINTAGE),
    )


def unit_mapping(tables: TierTables, layer: str) -> pd.DataFrame:
    """Each practice's unit in a layer.

    Parameters
    ----------
    tables : TierTables
    layer : {"practice", "pcn", "place", "ics"}

    Returns
    -------
    DataFrame
        ``practice_code``, ``code``, ``name``, one row per practice. Practices in no
        PCN get :data:`NO_PCN_CODE` and :data:`layers.system.NO_PCN_LABEL` at the
        PCN layer.

    Examples
    --------
    >>> toy = example_tables()
    >>> unit_mapping(toy, "pcn")
      practice_code    code                       name
    0            P1       A                      PCN A
    1            P2       A                      PCN A
    2            P3       B                      PCN B
    3            P4  NO-PCN  No PCN in ePCN (May 2022)
    """
    _check_layer(layer, BANDED_LAYERS)
    practices = tables.practices
    out = pd.DataFrame({"practice_code": practices["practice_code"]})
    if layer == "practice":
        out["code"] = practices["practice_code"]
        out["name"] = practices["practice_name"]
    elif layer == "pcn":
        names = tables.pcns.set_index("pcn_code")["pcn_name"]
        out["code"] = practices["pcn_code"].fillna(NO_PCN_CODE).astype(object)
        out["name"] = practices["pcn_code"].map(names).fillna(tables.no_pcn_label).astype(object)
    elif layer == "place":
        names = tables.places.set_index("place_code")["place_name"]
        out["code"] = practices["place_code"]
        out["name"] = practices["place_code"].map(names)
    else:
        out["code"] = tables.code
        out["name"] = tables.name
    return out


def unit_table(tables: TierTables, layer: str) -> pd.DataFrame:
    """The units of one layer with their registered populations.

    Parameters
    ----------
    tables : TierTables
    layer : {"practice", "pcn", "place", "ics"}

    Returns
    -------
    DataFrame
        ``layer``, ``code``, ``name``, ``parent_code``, ``parent_name`` (practice:
        its PCN, or missing and :data:`~layers.system.NO_PCN_LABEL`; PCN: its place;
        place: the ICS), ``registered_patients``, ``n_practices``, ``n_pcns`` and
        ``resident_population`` (places and the ICS; missing otherwise). PCNs are
        real PCNs only: practices in no PCN are not a unit of the PCN layer.

    Examples
    --------
    >>> places = unit_table(example_tables(), "place")
    >>> places[["code", "registered_patients", "n_pcns", "n_practices"]]
      code  registered_patients  n_pcns  n_practices
    0   U1                  125       1            3
    1   U2                  115       1            1
    """
    _check_layer(layer, BANDED_LAYERS)
    return _unit_frame(_unit_columns(tables, layer))


def _unit_columns(tables: TierTables, layer: str) -> dict[str, np.ndarray]:
    _check_layer(layer, BANDED_LAYERS)
    practices = tables.practices
    patients = practices["registered_patients"].to_numpy(dtype=np.int64)
    practice_pcn = practices["pcn_code"].to_numpy(dtype=object)
    in_pcn = pd.notna(practice_pcn)
    pcn_codes = tables.pcns["pcn_code"].to_numpy(dtype=object)
    pcn_places = tables.pcns["place_code"].to_numpy(dtype=object)
    place_codes = tables.places["place_code"].to_numpy(dtype=object)
    place_names = dict(zip(place_codes, tables.places["place_name"].tolist(), strict=True))
    if layer == "practice":
        pcn_names = dict(zip(pcn_codes, tables.pcns["pcn_name"].tolist(), strict=True))
        columns = {
            "code": practices["practice_code"].to_numpy(dtype=object),
            "name": practices["practice_name"].to_numpy(dtype=object),
            "parent_code": np.where(in_pcn, practice_pcn, None),
            "parent_name": [
                pcn_names[c] if ok else tables.no_pcn_label
                for c, ok in zip(practice_pcn, in_pcn, strict=True)
            ],
            "registered_patients": patients,
            "n_practices": np.ones(len(practices), dtype=np.int64),
            "n_pcns": np.full(len(practices), pd.NA, dtype=object),
            "resident_population": np.full(len(practices), pd.NA, dtype=object),
        }
    elif layer == "pcn":
        index = pd.Index(pcn_codes).get_indexer(practice_pcn[in_pcn])
        columns = {
            "code": pcn_codes,
            "name": tables.pcns["pcn_name"].to_numpy(dtype=object),
            "parent_code": pcn_places,
            "parent_name": [place_names[c] for c in pcn_places],
            "registered_patients": np.bincount(
                index, weights=patients[in_pcn], minlength=len(pcn_codes)
            ),
            "n_practices": np.bincount(index, minlength=len(pcn_codes)),
            "n_pcns": np.ones(len(pcn_codes), dtype=np.int64),
            "resident_population": np.full(len(pcn_codes), pd.NA, dtype=object),
        }
    elif layer == "place":
        place_index = pd.Index(place_codes)
        index = place_index.get_indexer(practices["place_code"].to_numpy(dtype=object))
        columns = {
            "code": place_codes,
            "name": tables.places["place_name"].to_numpy(dtype=object),
            "parent_code": np.full(len(place_codes), tables.code, dtype=object),
            "parent_name": np.full(len(place_codes), tables.name, dtype=object),
            "registered_patients": np.bincount(index, weights=patients, minlength=len(place_codes)),
            "n_practices": np.bincount(index, minlength=len(place_codes)),
            "n_pcns": np.bincount(place_index.get_indexer(pcn_places), minlength=len(place_codes)),
            "resident_population": tables.places["resident_population"].to_numpy(),
        }
    else:
        resident = tables.resident_population
        columns = {
            "code": [tables.code],
            "name": [tables.name],
            "parent_code": [None],
            "parent_name": [None],
            "registered_patients": [int(patients.sum())],
            "n_practices": [len(practices)],
            "n_pcns": [len(pcn_codes)],
            "resident_population": [pd.NA if resident is None else resident],
        }
    n = len(columns["code"])
    out = {"layer": np.full(n, layer, dtype=object)}
    out.update({key: np.asarray(value, dtype=object) for key, value in columns.items()})
    return out


def _unit_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    for column in ("registered_patients", "n_practices"):
        frame[column] = frame[column].astype(np.int64)
    for column in ("n_pcns", "resident_population"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


def flag_units(
    tables: TierTables,
    bands: Mapping[str, Sequence[int]] = DEFAULT_BANDS,
    layers: Sequence[str] = BANDED_LAYERS,
) -> pd.DataFrame:
    """Every unit of the chosen layers, flagged below, within or above its band.

    A unit is within its band when ``low <= registered_patients <= high``.

    Parameters
    ----------
    tables : TierTables
    bands : mapping, default :data:`DEFAULT_BANDS`
        See :func:`validate_bands`.
    layers : sequence of str, default :data:`BANDED_LAYERS`

    Returns
    -------
    DataFrame
        The :func:`unit_table` columns plus ``band_low``, ``band_high``, ``flag``
        (ordered categorical ``below`` < ``within`` < ``above``; missing for a unit
        with no practice), ``gap`` (patients below the lower bound, negative, or above
        the upper bound, positive, else 0), ``status`` (the flag, or
        :data:`NO_PRACTICE` for a unit with no practice: it is not flagged undersized;
        words in :data:`STATUS_LABELS`) and ``note`` (for a place with no practice, the
        status in words and any practice that stands there on the map but is placed
        elsewhere with its PCN, see :func:`located_elsewhere`; else empty).

    Examples
    --------
    >>> flags = flag_units(example_tables(), {"practice": (30, 100), "pcn": (100, 200)})
    >>> flags[["layer", "code", "registered_patients", "flag", "gap"]].head(6)
          layer code  registered_patients    flag  gap
    0  practice   P1                   60  within    0
    1  practice   P2                   25   below   -5
    2  practice   P3                  115   above   15
    3  practice   P4                   40  within    0
    4       pcn    A                   85   below  -15
    5       pcn    B                  115  within    0
    """
    checked = validate_bands(bands)
    chosen = [_check_layer(layer, BANDED_LAYERS) for layer in layers]
    parts = [_unit_columns(tables, layer) for layer in chosen]
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    frame = _unit_frame(columns)
    population = frame["registered_patients"].to_numpy()
    sizes = [len(part["code"]) for part in parts]
    low = np.repeat([checked[layer][0] for layer in chosen], sizes).astype(np.int64)
    high = np.repeat([checked[layer][1] for layer in chosen], sizes).astype(np.int64)
    code = np.where(population < low, 0, np.where(population > high, 2, 1))
    # A unit with no practice has no registered patients of its own: it is not undersized.
    empty = frame["n_practices"].to_numpy() == 0
    code = np.where(empty, -1, code)
    frame["band_low"] = low
    frame["band_high"] = high
    frame["flag"] = pd.Categorical.from_codes(code, categories=FLAGS, ordered=True)
    frame["gap"] = np.where(code == 0, population - low, np.where(code == 2, population - high, 0))
    frame["status"] = np.where(empty, NO_PRACTICE, frame["flag"].astype(str)).astype(object)
    frame["note"] = _no_practice_notes(tables, frame, empty)
    return frame


def located_elsewhere(tables: TierTables) -> pd.DataFrame:
    """Practices that stand in one place on the map but are placed in another.

    A practice in a PCN is placed with its PCN (in the place where most of the PCN's
    patients live), so a practice can stand inside one place's boundary and count in
    another's table: St Mary's Health Centre stands on the Isles of Scilly and is placed
    in Cornwall, with its PCN. Pages list these beside the practice table so that the
    table and the map agree.

    Parameters
    ----------
    tables : TierTables
        From :func:`tier_tables` (which adds ``located_place_code``).

    Returns
    -------
    DataFrame
        ``practice_code``, ``practice_name``, ``pcn_name``, ``place_code``,
        ``place_name`` (where it counts), ``located_place_code``,
        ``located_place_name`` (where it stands). Empty when every practice stands in
        its own place, or locations are unknown.

    Examples
    --------
    >>> located_elsewhere(example_tables()).empty
    True
    """
    columns = [
        "practice_code",
        "practice_name",
        "pcn_name",
        "place_code",
        "place_name",
        "located_place_code",
        "located_place_name",
    ]
    practices = tables.practices
    if "located_place_code" not in practices.columns:
        return pd.DataFrame(columns=columns)
    located = practices["located_place_code"]
    moved = practices[located.notna() & (located != practices["place_code"])]
    names = tables.places.set_index("place_code")["place_name"]
    pcn_names = tables.pcns.set_index("pcn_code")["pcn_name"]
    return pd.DataFrame(
        {
            "practice_code": moved["practice_code"].to_numpy(dtype=object),
            "practice_name": moved["practice_name"].to_numpy(dtype=object),
            "pcn_name": moved["pcn_code"].map(pcn_names).fillna(NO_PCN_LABEL).to_numpy(),
            "place_code": moved["place_code"].to_numpy(dtype=object),
            "place_name": moved["place_code"].map(names).to_numpy(dtype=object),
            "located_place_code": moved["located_place_code"].to_numpy(dtype=object),
            "located_place_name": moved["located_place_code"].map(names).to_numpy(dtype=object),
        },
        columns=columns,
    )


def _no_practice_notes(tables: TierTables, frame: pd.DataFrame, empty: np.ndarray) -> list[str]:
    """For each unit with no practice, the status in words and any practice drawn there."""
    notes = [""] * len(frame)
    if not empty.any():
        return notes
    moved = located_elsewhere(tables)
    layer_of = frame["layer"].to_numpy(dtype=object)
    for i in np.flatnonzero(empty):
        note = STATUS_LABELS[NO_PRACTICE] + "."
        if layer_of[i] == "place":
            here = moved[moved["located_place_code"] == frame["code"].iloc[i]]
            for row in here.itertuples(index=False):
                note += (
                    f" {row.practice_name} ({row.practice_code}) stands here on the map but "
                    f"is placed in {row.place_name} with its PCN, {row.pcn_name}."
                )
        notes[i] = note
    return notes


def tier_summary(
    tables: TierTables,
    bands: Mapping[str, Sequence[int]] = DEFAULT_BANDS,
    *,
    n_individuals: int | None = None,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The five layers side by side: how many units, their sizes, and against the band.

    Parameters
    ----------
    tables : TierTables
    bands : mapping, default :data:`DEFAULT_BANDS`
    n_individuals : int, optional
        Count of synthetic individuals, if generated; it must equal the registered
        total (default: the registered total).
    flags : DataFrame, optional
        :func:`flag_units` of the same tables and bands, if already computed.

    Returns
    -------
    DataFrame
        One row per layer of :data:`LAYERS`: ``layer``, ``label``,
        ``population_basis``, ``n_units``, ``median``, ``smallest``, ``largest``
        (registered patients per unit; 1 for an individual), ``band_low``,
        ``band_high``, ``n_below``, ``n_within``, ``n_above``, ``n_no_practice`` (units
        with no practice, not flagged; the sizes are of the others), ``outside_layer``
        (PCN layer: practices in no PCN, which are kept but belong to no PCN) and
        ``outside_layer_patients``, ``registered_patients`` (the layer's total, the
        same for every layer) and ``resident_population`` (ICS row only).

    Raises
    ------
    ValueError
        For invalid bands or an ``n_individuals`` that differs from the registered total.

    Examples
    --------
    >>> summary = tier_summary(example_tables(), {"practice": (30, 100), "pcn": (100, 200)})
    >>> summary[["layer", "n_units", "median", "n_below", "n_within", "n_above"]]
            layer  n_units  median  n_below  n_within  n_above
    0  individual      240     1.0     <NA>      <NA>     <NA>
    1    practice        4    50.0        1         2        1
    2         pcn        2   100.0        1         1        0
    3       place        2   120.0        2         0        0
    4         ics        1   240.0        1         0        0
    >>> int(summary.set_index("layer").loc["pcn", "outside_layer"])
    1
    """
    checked = validate_bands(bands)
    if flags is None:
        flags = flag_units(tables, checked)
    else:
        require_frame(flags, ["layer", "registered_patients", "flag"], "flags")
    registered = tables.registered_patients
    if n_individuals is not None and _count(n_individuals, "n_individuals") != registered:
        raise ValueError(
            f"n_individuals ({n_individuals:,}) must equal the registered patients "
            f"({registered:,}): there is one synthetic individual per registered patient."
        )
    rows = [
        {
            "layer": "individual",
            "n_units": registered if n_individuals is None else n_individuals,
            "median": 1.0,
            "smallest": 1,
            "largest": 1,
            "band_low": pd.NA,
            "band_high": pd.NA,
            "n_below": pd.NA,
            "n_within": pd.NA,
            "n_above": pd.NA,
            "n_no_practice": pd.NA,
            "outside_layer": 0,
            "outside_layer_patients": 0,
        }
    ]
    no_pcn = tables.practices["pcn_code"].isna().to_numpy()
    patients = tables.practices["registered_patients"].to_numpy()
    outside_pcns = (int(no_pcn.sum()), int(patients[no_pcn].sum()))
    rows.extend(
        _banded_row(flags, layer, checked[layer], outside_pcns if layer == "pcn" else (0, 0))
        for layer in BANDED_LAYERS
    )
    return _typed_summary(pd.DataFrame(rows), tables)


def _banded_row(
    flags: pd.DataFrame, layer: str, band: Sequence[int], outside: tuple[int, int]
) -> dict[str, object]:
    """One banded layer's row of :func:`tier_summary`.

    ``outside`` counts the practices (and their patients) that are in no unit of the layer.
    """
    layer_of = flags["layer"].to_numpy(dtype=object)
    population_all = flags["registered_patients"].to_numpy(dtype=np.int64)
    flag_all = flags["flag"].to_numpy(dtype=object)
    mask = layer_of == layer
    flag = flag_all[mask]
    # Sizes are of the units that have practices (a place with none has no patients).
    measured = mask & pd.notna(flag_all)
    population = population_all[measured]
    return {
        "layer": layer,
        "n_units": int(mask.sum()),
        "median": float(np.median(population)) if measured.any() else np.nan,
        "smallest": int(population.min()) if measured.any() else pd.NA,
        "largest": int(population.max()) if measured.any() else pd.NA,
        "band_low": band[0],
        "band_high": band[1],
        "n_below": int((flag == "below").sum()),
        "n_within": int((flag == "within").sum()),
        "n_above": int((flag == "above").sum()),
        "n_no_practice": int(pd.isna(flag).sum()),
        "outside_layer": outside[0],
        "outside_layer_patients": outside[1],
    }


def _typed_summary(out: pd.DataFrame, tables: TierTables) -> pd.DataFrame:
    """The rows of :func:`tier_summary` labelled, typed and with the ICS's totals."""
    registered = tables.registered_patients
    out.insert(1, "label", out["layer"].map(LAYER_LABELS))
    out.insert(2, "population_basis", out["layer"].map(population_basis(tables.vintage)))
    for column in ("n_units", "outside_layer", "outside_layer_patients"):
        out[column] = out[column].astype(np.int64)
    for column in ("smallest", "largest", "band_low", "band_high", "n_below", "n_within"):
        out[column] = out[column].astype("Int64")
    out["n_above"] = out["n_above"].astype("Int64")
    out["n_no_practice"] = out["n_no_practice"].astype("Int64")
    out["median"] = out["median"].astype(float)
    out["registered_patients"] = registered
    out["resident_population"] = pd.array(
        [pd.NA] * (len(out) - 1)
        + [pd.NA if tables.resident_population is None else tables.resident_population],
        dtype="Int64",
    )
    return out


# --------------------------------------------------------------------------- regrouping


class _Step:
    """What every regrouping step shares: its codes are checked, and it says what it does.

    A step lists the fields that must be codes (``_codes``) and how it reads in plain
    words (``_words``, a template over those fields).
    """

    _codes: ClassVar[tuple[str, ...]] = ()
    _words: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for name in self._codes:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(
                    f"{type(self).__name__}.{name} must be a non-empty code, got {value!r}"
                )

    def describe(self) -> str:
        """Plain words, with codes."""
        return self._words.format_map({name: getattr(self, name) for name in self._codes})


@dataclass(frozen=True)
class MovePractice(_Step):
    """Move a practice into another PCN (it takes that PCN's place).

    Parameters
    ----------
    practice_code : str
    to_pcn : str
        Code of a PCN that exists when this step is applied.
    """

    practice_code: str
    to_pcn: str
    _codes = ("practice_code", "to_pcn")
    _words = "Move practice {practice_code} to PCN {to_pcn}"


@dataclass(frozen=True)
class MergePCNs(_Step):
    """Merge PCN ``absorbed`` into PCN ``kept``.

    The merged PCN keeps ``kept``'s code and place; its name is ``name`` or
    ``"<kept name> + <absorbed name>"``. ``absorbed`` ceases to exist.

    Parameters
    ----------
    kept, absorbed : str
        Two different PCN codes.
    name : str, optional
    """

    kept: str
    absorbed: str
    name: str | None = None
    _codes = ("kept", "absorbed")
    _words = "Merge PCN {absorbed} into PCN {kept}"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise ValueError("A merged PCN's name must be non-empty text (or None).")


@dataclass(frozen=True)
class MovePCNToPlace(_Step):
    """Move a PCN, with all its practices, to another place.

    Parameters
    ----------
    pcn_code : str
    to_place : str
    """

    pcn_code: str
    to_place: str
    _codes = ("pcn_code", "to_place")
    _words = "Move PCN {pcn_code} to place {to_place}"


Operation = MovePractice | MergePCNs | MovePCNToPlace
#: Each kind of operation by its name in a saved scenario (see :meth:`Regrouping.to_json`).
OPERATION_TYPES: Final = MappingProxyType(
    {"move_practice": MovePractice, "merge_pcns": MergePCNs, "move_pcn": MovePCNToPlace}
)
_OPERATION_TYPES = tuple(OPERATION_TYPES.values())
_KIND_OF = {operation: kind for kind, operation in OPERATION_TYPES.items()}
#: The longest saved scenario read back (characters): a few hundred steps.
_MAX_JSON = 100_000


@dataclass(frozen=True)
class Regrouping:
    """An immutable what-if scenario: operations applied in order.

    Each method returns a new scenario; the original is unchanged, so a scenario
    can be kept, shared, undone or discarded freely.

    Parameters
    ----------
    operations : tuple of operations
        :class:`MovePractice`, :class:`MergePCNs`, :class:`MovePCNToPlace`.

    Examples
    --------
    >>> base = Regrouping()
    >>> scenario = base.merge_pcns("A", "B").move_practice("P4", "A")
    >>> len(base), len(scenario), len(scenario.undo())
    (0, 2, 1)
    >>> [op.describe() for op in scenario.operations]
    ['Merge PCN B into PCN A', 'Move practice P4 to PCN A']
    """

    operations: tuple[Operation, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.operations, tuple):
            object.__setattr__(self, "operations", tuple(self.operations))
        for op in self.operations:
            if not isinstance(op, _OPERATION_TYPES):
                raise TypeError(
                    "operations must be MovePractice, MergePCNs or MovePCNToPlace, got "
                    f"{type(op).__name__}"
                )

    def __len__(self) -> int:
        return len(self.operations)

    def then(self, operation: Operation) -> Regrouping:
        """A new scenario with ``operation`` added at the end."""
        return Regrouping((*self.operations, operation))

    def move_practice(self, practice_code: str, to_pcn: str) -> Regrouping:
        """Add :class:`MovePractice`."""
        return self.then(MovePractice(practice_code, to_pcn))

    def merge_pcns(self, kept: str, absorbed: str, name: str | None = None) -> Regrouping:
        """Add :class:`MergePCNs`."""
        return self.then(MergePCNs(kept, absorbed, name))

    def move_pcn_to_place(self, pcn_code: str, to_place: str) -> Regrouping:
        """Add :class:`MovePCNToPlace`."""
        return self.then(MovePCNToPlace(pcn_code, to_place))

    def undo(self) -> Regrouping:
        """A new scenario without the last operation (empty stays empty)."""
        return Regrouping(self.operations[:-1])

    def to_json(self) -> str:
        """The scenario as JSON text: its operations in order, each with its kind.

        Examples
        --------
        >>> Regrouping().merge_pcns("A", "B", "AB").to_json()
        '{"operations": [{"kind": "merge_pcns", "kept": "A", "absorbed": "B", "name": "AB"}]}'
        """
        steps = [{"kind": _KIND_OF[type(op)], **asdict(op)} for op in self.operations]
        return json.dumps({"operations": steps}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Regrouping:
        """Read a scenario written by :meth:`to_json`.

        Raises
        ------
        ValueError
            If the text is not such a scenario (it names the step and what is wrong).

        Examples
        --------
        >>> scenario = Regrouping().move_practice("P4", "A").move_pcn_to_place("A", "U2")
        >>> Regrouping.from_json(scenario.to_json()) == scenario
        True
        >>> Regrouping.from_json('{"operations": [{"kind": "split_pcn"}]}')
        Traceback (most recent call last):
        ...
        ValueError: Step 1 of the saved scenario: unknown kind 'split_pcn'; \
use move_practice, merge_pcns, move_pcn.
        """
        if not isinstance(text, str) or len(text) > _MAX_JSON:
            raise ValueError(f"A saved scenario is JSON text of at most {_MAX_JSON:,} characters.")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"The saved scenario is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("operations"), list):
            raise ValueError('A saved scenario is {"operations": [...]}.')
        operations = []
        for step, item in enumerate(data["operations"], start=1):
            kind = item.get("kind") if isinstance(item, dict) else None
            if kind not in OPERATION_TYPES:
                raise ValueError(
                    f"Step {step} of the saved scenario: unknown kind {kind!r}; "
                    f"use {', '.join(OPERATION_TYPES)}."
                )
            fields = {key: value for key, value in item.items() if key != "kind"}
            try:
                operations.append(OPERATION_TYPES[kind](**fields))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"Step {step} of the saved scenario: {exc}") from None
        return cls(tuple(operations))


class RegroupingError(ValueError):
    """An operation of a :class:`Regrouping` cannot be applied.

    Attributes
    ----------
    step : int
        1-based position of the operation.
    operation : object
        The operation.
    """

    def __init__(self, step: int, operation: object, reason: str) -> None:
        self.step = step
        self.operation = operation
        self.reason = reason
        super().__init__(f"Step {step} ({operation.describe()}): {reason}")  # type: ignore[attr-defined]


class _State:
    """Mutable working copy (plain dicts) used inside :func:`apply_regrouping` only."""

    def __init__(self, tables: TierTables) -> None:
        practices = tables.practices
        self.no_pcn_label = tables.no_pcn_label
        codes = practices["practice_code"].tolist()
        self.practice_pcn: dict[str, str | None] = {
            code: (pcn if isinstance(pcn, str) else None)
            for code, pcn in zip(codes, practices["pcn_code"].tolist(), strict=True)
        }
        self.practice_names = dict(zip(codes, practices["practice_name"].tolist(), strict=True))
        pcn_codes = tables.pcns["pcn_code"].tolist()
        self.pcn_name = dict(zip(pcn_codes, tables.pcns["pcn_name"].tolist(), strict=True))
        self.pcn_place = dict(zip(pcn_codes, tables.pcns["place_code"].tolist(), strict=True))
        self.place_names = dict(
            zip(tables.places["place_code"].tolist(), tables.places["place_name"], strict=True)
        )
        footprints = tables.footprints
        self.footprint_owner = dict(
            zip(
                footprints["footprint_code"].tolist(),
                footprints["pcn_code"].astype(object).where(footprints["pcn_code"].notna()),
                strict=True,
            )
        )
        self.gone: dict[str, str] = {}

    def pcn(self, code: str, role: str = "PCN") -> None:
        if code in self.pcn_name:
            return
        if code in self.gone:
            raise ValueError(f"{role} {code} no longer exists: {self.gone[code]}.")
        raise ValueError(f"{code!r} is not a PCN of this ICS.")

    def _retire(self, code: str, owner: str | None, reason: str) -> None:
        del self.pcn_name[code], self.pcn_place[code]
        for footprint, current in self.footprint_owner.items():
            if current == code:
                self.footprint_owner[footprint] = owner
        self.gone[code] = reason

    def apply(self, op: Operation, step: int) -> None:
        if isinstance(op, MovePractice):
            if op.practice_code not in self.practice_pcn:
                raise ValueError(f"{op.practice_code!r} is not a GP practice of this ICS.")
            self.pcn(op.to_pcn)
            current = self.practice_pcn[op.practice_code]
            if current == op.to_pcn:
                raise ValueError(f"practice {op.practice_code} is already in PCN {op.to_pcn}.")
            self.practice_pcn[op.practice_code] = op.to_pcn
            if current is not None and current not in self.practice_pcn.values():
                self._retire(current, None, f"step {step} left it with no practices")
        elif isinstance(op, MergePCNs):
            if op.kept == op.absorbed:
                raise ValueError("a PCN cannot be merged with itself.")
            self.pcn(op.kept)
            self.pcn(op.absorbed)
            for practice, pcn in self.practice_pcn.items():
                if pcn == op.absorbed:
                    self.practice_pcn[practice] = op.kept
            kept_name, absorbed_name = self.pcn_name[op.kept], self.pcn_name[op.absorbed]
            self.pcn_name[op.kept] = op.name or f"{kept_name} + {absorbed_name}"
            self._retire(op.absorbed, op.kept, f"step {step} merged it into {op.kept}")
        else:
            self.pcn(op.pcn_code)
            if op.to_place not in self.place_names:
                raise ValueError(f"{op.to_place!r} is not a place of this ICS.")
            if self.pcn_place[op.pcn_code] == op.to_place:
                raise ValueError(f"PCN {op.pcn_code} is already in place {op.to_place}.")
            self.pcn_place[op.pcn_code] = op.to_place

    def describe(self, op: Operation) -> str:
        def pcn(code: str) -> str:
            return f"{self.pcn_name[code]} ({code})"

        if isinstance(op, MovePractice):
            current = self.practice_pcn[op.practice_code]
            source = pcn(current) if current is not None else self.no_pcn_label
            return (
                f"Move practice {self.practice_names[op.practice_code]} ({op.practice_code}) "
                f"from {source} to {pcn(op.to_pcn)}"
            )
        if isinstance(op, MergePCNs):
            text = f"Merge {pcn(op.absorbed)} into {pcn(op.kept)}"
            return text + (f", named “{op.name}”" if op.name else "")
        return (
            f"Move {pcn(op.pcn_code)} from {self.place_names[self.pcn_place[op.pcn_code]]} to "
            f"{self.place_names[op.to_place]}"
        )


def _run(tables: TierTables, regrouping: Regrouping) -> tuple[_State, list[str]]:
    if not isinstance(tables, TierTables):
        raise TypeError(f"tables must be TierTables, got {type(tables).__name__}")
    if not isinstance(regrouping, Regrouping):
        raise TypeError(f"regrouping must be a Regrouping, got {type(regrouping).__name__}")
    state = _State(tables)
    words = []
    for step, op in enumerate(regrouping.operations, start=1):
        try:
            description = state.describe(op)
        except KeyError:  # an unknown code: apply() below says which
            description = op.describe()
        try:
            state.apply(op, step)
        except ValueError as exc:
            raise RegroupingError(step, op, str(exc)) from None
        words.append(description)
    return state, words


def apply_regrouping(tables: TierTables, regrouping: Regrouping) -> TierTables:
    """Apply a what-if scenario and return new tables; the inputs are never modified.

    Operations run in order and each is checked against the configuration left by
    the ones before it. A PCN left with no practices ceases to exist.

    Parameters
    ----------
    tables : TierTables
        The configuration to start from (usually the real one).
    regrouping : Regrouping

    Returns
    -------
    TierTables
        New tables. Practices, places and patients are the same; only PCN membership,
        PCN names, PCN places and the footprint owners change.

    Raises
    ------
    RegroupingError
        A ``ValueError`` naming the step and the reason: an unknown practice, PCN or
        place code, a PCN merged with itself or already merged away, a move to where
        the unit already is.

    Examples
    --------
    >>> toy = example_tables()
    >>> merged = apply_regrouping(toy, Regrouping().merge_pcns("A", "B"))
    >>> merged.pcns[["pcn_code", "pcn_name", "place_code"]]
      pcn_code       pcn_name place_code
    0        A  PCN A + PCN B         U1
    >>> merged.registered_patients == toy.registered_patients, len(toy.pcns)
    (True, 2)
    >>> try:
    ...     apply_regrouping(toy, Regrouping().merge_pcns("A", "A"))
    ... except RegroupingError as error:
    ...     print(error.step, error.reason)
    1 a PCN cannot be merged with itself.
    """
    state, _ = _run(tables, regrouping)
    if not regrouping.operations:
        return tables
    practices = tables.practices.copy()
    practices["pcn_code"] = pd.array(
        [state.practice_pcn[c] for c in practices["practice_code"].tolist()], dtype=object
    )
    pcns = pd.DataFrame(
        {
            "pcn_code": list(state.pcn_name),
            "pcn_name": list(state.pcn_name.values()),
            "place_code": [state.pcn_place[c] for c in state.pcn_name],
        }
    )
    footprints = pd.DataFrame(
        {
            "footprint_code": list(state.footprint_owner),
            "pcn_code": pd.array(list(state.footprint_owner.values()), dtype=object),
        }
    )
    return replace(tables, practices=practices, pcns=pcns, footprints=footprints)


def describe_regrouping(tables: TierTables, regrouping: Regrouping) -> list[str]:
    """Plain-words description of each operation, with unit names as they stood then.

    Raises
    ------
    RegroupingError
        As :func:`apply_regrouping`.

    Examples
    --------
    >>> scenario = Regrouping().move_practice("P4", "B").merge_pcns("A", "B")
    >>> for line in describe_regrouping(example_tables(), scenario):
    ...     print(line)
    Move practice Four (P4) from No PCN in ePCN (May 2022) to PCN B (B)
    Merge PCN B (B) into PCN A (A)
    """
    return _run(tables, regrouping)[1]


# --------------------------------------------------------------------------- risk tiers


def individuals_with_risk(individuals: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A run's synthetic individuals with their risk tiers, drawn from its ``risk`` stream.

    The one place the risk tiers of a run are drawn: the tiers page, the inequality
    page and the slides all call this, so their counts agree.

    Parameters
    ----------
    individuals : DataFrame
        Synthetic individuals (:attr:`layers.System.individuals`, or generated with the
        ``individuals`` stream of the same ``seed``).
    seed : int, default :data:`layers.streams.DEFAULT_SEED`
        The run's seed.

    Returns
    -------
    DataFrame
        As :func:`layers.risk.assign_risk` with ``generator(seed, "risk")``.

    Examples
    --------
    >>> people = pd.DataFrame({"practice_code": ["P1"] * 3, "age": [5, 70, 90],
    ...                        "imd_decile": [1, 1, 1]})
    >>> a = individuals_with_risk(people)["risk_tier"].tolist()
    >>> a == individuals_with_risk(people)["risk_tier"].tolist()
    True
    """
    return assign_risk(individuals, generator(seed, "risk"))


def risk_tiers_by_unit(
    practice_counts: pd.DataFrame,
    tables: TierTables,
    layer: str,
    *,
    numeric: bool = False,
) -> pd.DataFrame:
    """Disclosure-controlled risk-tier counts per unit, re-aggregated from practices.

    The unrounded practice counts are summed into units first and only then put
    through the disclosure rule, so a unit's figures are never sums of rounded ones.

    Parameters
    ----------
    practice_counts : DataFrame
        **Unrounded** counts ``practice_code``, ``risk_tier``, ``imd_decile``,
        ``people``, e.g. ``aggregate_individuals(assign_risk(people, rng),
        ["practice_code", "risk_tier", "imd_decile"])``. A regrouping only changes
        which unit each practice belongs to, so the individuals are never regenerated.
    tables : TierTables
        The configuration (real or regrouped).
    layer : {"practice", "pcn", "place", "ics"}
    numeric : bool, default False
        As :func:`layers.risk.risk_tier_table`.

    Returns
    -------
    DataFrame
        ``code``, ``name`` then the :func:`layers.risk.risk_tier_table` columns
        (``low``, ``rising``, ``high``, ``total``, ``<tier>_imd_1_2`` and
        ``<tier>_imd_1_2_pct``), after the disclosure rule; sorted by name. Practices
        in no PCN form one row (:data:`NO_PCN_CODE`, last) at the PCN layer.

    Raises
    ------
    ValueError
        If columns are missing or the counts name practices not in ``tables``.

    Examples
    --------
    >>> counts = pd.DataFrame({"practice_code": ["P1", "P2", "P3", "P4"],
    ...                        "risk_tier": ["low", "high", "low", "rising"],
    ...                        "imd_decile": [1, 1, 6, 2], "people": [60, 25, 115, 40]})
    >>> by_pcn = risk_tiers_by_unit(counts, example_tables(), "pcn")
    >>> by_pcn[["code", "low", "rising", "high", "total"]]
         code  low rising high total
    0       A   60      0   25    85
    1       B  115      0    0   115
    2  NO-PCN    0     40    0    40
    """
    require_frame(practice_counts, ["practice_code", "risk_tier", "imd_decile", "people"], "counts")
    _check_layer(layer, BANDED_LAYERS)
    mapping = unit_mapping(tables, layer)
    practice = practice_counts["practice_code"].astype(object).to_numpy()
    position = pd.Index(mapping["practice_code"].astype(object)).get_indexer(practice)
    if (position < 0).any():
        missing = pd.unique(practice[position < 0])[:3].tolist()
        raise ValueError(f"counts name practices not in this ICS, e.g. {missing}")
    tier = pd.Categorical(practice_counts["risk_tier"].astype(str), categories=RISK_TIERS)
    if (tier.codes < 0).any():
        raise ValueError(f"risk_tier must be one of {list(RISK_TIERS)}")
    decile = pd.array(practice_counts["imd_decile"], dtype="Int64").fillna(0).to_numpy()
    if ((decile < 0) | (decile > 10)).any():
        raise ValueError("imd_decile must be 1-10 or missing")
    # Sum the practice counts into (unit, tier, decile) cells with one bincount, so the
    # disclosure-controlled table is built from a few hundred rows whatever the ICS.
    unit_codes, unit_index = np.unique(
        mapping["code"].astype(object).to_numpy(), return_inverse=True
    )
    key = (unit_index[position] * len(RISK_TIERS) + tier.codes) * 11 + decile
    cells = np.bincount(
        key,
        weights=practice_counts["people"].to_numpy(dtype=np.float64),
        minlength=len(unit_codes) * len(RISK_TIERS) * 11,
    )
    present = np.flatnonzero(cells > 0)
    counts = pd.DataFrame(
        {
            "code": pd.Categorical.from_codes(
                present // (len(RISK_TIERS) * 11), categories=unit_codes.astype(object)
            ),
            "risk_tier": pd.Categorical.from_codes(
                (present // 11) % len(RISK_TIERS), categories=RISK_TIERS
            ),
            "imd_decile": pd.array(
                np.where(present % 11 == 0, pd.NA, present % 11).tolist(), dtype="Int64"
            ),
            "people": np.rint(cells[present]).astype(np.int64),
        }
    )
    table = risk_tier_table(counts, "code", numeric=numeric)
    table["code"] = table["code"].astype(object)
    names = mapping.drop_duplicates("code").set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names))
    table["_last"] = table["code"] == NO_PCN_CODE
    table = table.sort_values(["_last", "name", "code"]).drop(columns="_last")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- age


def practice_age_structure(registrations: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Modelled single-year age structure of each practice's registered patients.

    Each practice × LSOA registration count is spread over that LSOA's ONS mid-2020
    age mix. Patients whose LSOA has no age structure (Welsh, ``NO2011``, or not in
    ``lsoas``) take the practice's own mix from its other patients; a practice with
    no such patients takes the mix of all of ``lsoas``. Each practice's total equals
    its registrations exactly.

    Parameters
    ----------
    registrations : DataFrame
        ``practice_code``, ``lsoa_code``, ``patients``.
    lsoas : DataFrame
        ``lsoa_code`` and ``age_0`` ... ``age_90``, or the Census 2021 bands of the 2026
        vintage (split by :func:`layers.ages.split_bands`); pass the England-wide table
        so patients living outside the ICS get their own LSOA's mix.

    Returns
    -------
    DataFrame
        Index ``practice_code`` (sorted), columns ``age_0`` ... ``age_90``: expected
        patients (float). From banded LSOAs, only sums over the Census bands are data;
        draw them with ``age_bands`` of :func:`layers.ages.pyramid_bands`.

    Raises
    ------
    TypeError, ValueError
        For missing columns or negative counts.

    Examples
    --------
    P's 30 patients in L1 split evenly between ages 3 and 70, as L1's residents do, and
    its 10 in Wales (W01, no age structure here) take that same mix.

    >>> regs = pd.DataFrame({"practice_code": ["P", "P", "Q"],
    ...                      "lsoa_code": ["L1", "W01", "L2"], "patients": [30, 10, 5]})
    >>> ages = pd.DataFrame({"lsoa_code": ["L1", "L2"],
    ...                      **{f"age_{a}": [0, 0] for a in range(91)}})
    >>> ages["age_3"], ages["age_70"] = [50, 0], [50, 10]
    >>> structure = practice_age_structure(regs, ages)
    >>> structure.loc["P", ["age_3", "age_70"]].tolist(), float(structure.loc["Q"].sum())
    ([20.0, 20.0], 5.0)
    """
    from scipy import sparse

    require_frame(registrations, ["practice_code", "lsoa_code", "patients"], "registrations")
    require_frame(lsoas, ["lsoa_code"], "lsoas")
    lsoas = single_year_ages(lsoas)
    patients = registrations["patients"].to_numpy(dtype=np.float64)
    if np.isnan(patients).any() or (patients < 0).any():
        raise ValueError("registrations.patients must be counts >= 0 with none missing")
    ages = lsoas[list(AGE_COLUMNS)].to_numpy(dtype=np.float64)
    if (ages < 0).any():
        raise ValueError("lsoas age columns must be counts >= 0")
    totals = ages.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mix = np.where(totals[:, None] > 0, ages / totals[:, None], 0.0)
    national = ages.sum(axis=0)
    national = national / national.sum() if national.sum() > 0 else np.full(91, 1 / 91)

    p_codes, practices = pd.factorize(registrations["practice_code"].astype(str), sort=True)
    lsoa_index = pd.Index(lsoas["lsoa_code"].astype(str))
    row_lsoa = lsoa_index.get_indexer(registrations["lsoa_code"].astype(str))
    known = row_lsoa >= 0
    known[known] = totals[row_lsoa[known]] > 0
    matrix = sparse.csr_matrix(
        (patients[known], (p_codes[known], row_lsoa[known])),
        shape=(len(practices), len(lsoa_index)),
    )
    structure = np.asarray(matrix @ mix)
    all_patients = np.bincount(p_codes, weights=patients, minlength=len(practices))
    known_patients = structure.sum(axis=1)
    scale = np.divide(
        all_patients, known_patients, out=np.zeros_like(all_patients), where=known_patients > 0
    )
    structure *= scale[:, None]
    no_mix = (known_patients <= 0) & (all_patients > 0)
    structure[no_mix] = all_patients[no_mix, None] * national
    return pd.DataFrame(
        structure, index=pd.Index(practices, name="practice_code"), columns=list(AGE_COLUMNS)
    )


def pyramid_from_structure(
    structure: pd.DataFrame,
    mapping: pd.DataFrame | None = None,
    unit_column: str = "code",
    age_bands: Sequence[int] | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    """Age pyramid per unit from practice age structures (see :func:`age_pyramid`).

    Parameters
    ----------
    structure : DataFrame
        From :func:`practice_age_structure`.
    mapping : DataFrame, optional
        ``practice_code`` and ``unit_column`` (e.g. from :func:`unit_mapping`); every
        practice of ``structure`` must be mapped. Default: each practice its own unit.
    unit_column : str, default "code"
    age_bands : sequence of int, optional
        Lower band edges; default :func:`layers.ages.pyramid_bands` of ``vintage``
        (:data:`AGE_BANDS_5Y` for 2022, the six Census bands for 2026). Edges finer
        than the vintage's data are refused (:func:`layers.ages.check_age_bands`).
    vintage : {"2022", "2026"}

    Returns
    -------
    DataFrame
        As :func:`age_pyramid`.

    Examples
    --------
    >>> structure = pd.DataFrame([[10.0] * 91, [0.0] * 90 + [9.0]], index=["P", "Q"],
    ...                          columns=list(AGE_COLUMNS)).rename_axis("practice_code")
    >>> mapping = pd.DataFrame({"practice_code": ["P", "Q"], "code": ["X", "X"]})
    >>> pyramid = pyramid_from_structure(structure, mapping, vintage="2022")
    >>> pyramid.iloc[[0, -1]][["code", "age_band", "people", "share"]]
       code age_band  people     share
    0     X      0-4    50.0  5.440696
    18    X      90+    19.0  2.067465
    """
    if not isinstance(structure, pd.DataFrame):
        raise TypeError(f"structure must be a DataFrame, got {type(structure).__name__}")
    missing = [c for c in AGE_COLUMNS if c not in structure.columns]
    if missing:
        raise ValueError(f"structure is missing age columns, e.g. {missing[:3]}")
    age_bands = check_age_bands(pyramid_bands(vintage) if age_bands is None else age_bands, vintage)
    labels = age_band_labels(age_bands)
    practice = pd.Index(structure.index.astype(str))
    if mapping is None:
        mapping = pd.DataFrame({"practice_code": practice, unit_column: practice})
    require_frame(mapping, ["practice_code", unit_column], "mapping")
    units = pd.Series(
        mapping[unit_column].to_numpy(), index=mapping["practice_code"].astype(str).to_numpy()
    )
    unmapped = ~practice.isin(units.index)
    if unmapped.any():
        raise ValueError(f"mapping has no unit for practices {practice[unmapped][:3].tolist()}")
    values = structure[list(AGE_COLUMNS)].to_numpy(dtype=np.float64)
    male = values * male_share(np.arange(MAX_AGE + 1))
    band = np.searchsorted(np.asarray(age_bands), np.arange(MAX_AGE + 1), side="right") - 1
    n_bands = len(labels)
    onehot = np.zeros((MAX_AGE + 1, n_bands))
    onehot[np.arange(MAX_AGE + 1), band] = 1.0
    codes, uniques = pd.factorize(practice.map(units), sort=True)
    group = np.zeros((len(uniques), len(practice)))
    group[codes, np.arange(len(practice))] = 1.0
    people = group @ values @ onehot
    males = group @ male @ onehot
    total = people.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(total > 0, 100.0 / total, np.nan)
    return pd.DataFrame(
        {
            unit_column: np.repeat(np.asarray(uniques, dtype=object), n_bands),
            "age_band": pd.Categorical(
                np.tile(labels, len(uniques)), categories=labels, ordered=True
            ),
            "people": people.ravel(),
            "female": (people - males).ravel(),
            "male": males.ravel(),
            "share": (people * scale).ravel(),
            "female_share": ((people - males) * scale).ravel(),
            "male_share": (males * scale).ravel(),
        }
    )


def age_pyramid(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    mapping: pd.DataFrame | None = None,
    unit_column: str = "code",
    age_bands: Sequence[int] | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    """Modelled age pyramid for practices or any unit, in the vintage's bands.

    2022: 5-year bands, 0-4 … 85-89, 90+; 2026: the six Census 2021 bands (0–15 …
    65+), never finer. A practice's structure is modelled from its patients' LSOAs
    (registrations × the LSOA's age mix, :func:`practice_age_structure`); a unit's is
    the sum of its practices'. Sex is modelled from age with
    :data:`layers.individuals.MALE_SHARE_BY_AGE`.

    Parameters
    ----------
    registrations, lsoas : DataFrame
        As :func:`practice_age_structure`.
    mapping : DataFrame, optional
        ``practice_code`` and ``unit_column``: each practice's unit (e.g.
        :func:`unit_mapping` for the real or a regrouped configuration). Default: each
        practice its own unit.
    unit_column : str, default "code"
    age_bands : sequence of int, optional
        As :func:`pyramid_from_structure`.
    vintage : {"2022", "2026"}

    Returns
    -------
    DataFrame
        One row per unit × age band: ``unit_column``, ``age_band`` (ordered
        categorical), ``people`` (expected registered patients), ``female``, ``male``,
        ``share``, ``female_share`` and ``male_share`` (% of the unit's patients).

    Raises
    ------
    TypeError, ValueError
        For missing columns, bad counts or practices the mapping leaves out.

    Examples
    --------
    >>> regs = pd.DataFrame({"practice_code": ["P"], "lsoa_code": ["L1"], "patients": [20]})
    >>> ages = pd.DataFrame({"lsoa_code": ["L1"], **{f"age_{a}": [0] for a in range(91)}})
    >>> ages["age_2"], ages["age_90"] = 3, 1
    >>> pyramid = age_pyramid(regs, ages, vintage="2022")
    >>> pyramid.loc[pyramid.people > 0, ["age_band", "people", "share"]]
       age_band  people  share
    0       0-4    15.0   75.0
    18      90+     5.0   25.0
    """
    structure = practice_age_structure(registrations, lsoas)
    return pyramid_from_structure(structure, mapping, unit_column, age_bands, vintage)


# --------------------------------------------------------------------------- example


def example_tables() -> TierTables:
    """A hand-made ICS for examples and tests: 4 practices, PCNs A and B, places U1 and U2.

    Practices P1 (60 patients) and P2 (25) are in PCN A, P3 (115) in PCN B, and P4 (40)
    in no PCN; PCN A and P4 are in place U1 ("North"), PCN B in U2 ("South").

    Examples
    --------
    >>> example_tables().registered_patients
    240
    """
    return TierTables(
        code="QXX",
        name="Toyshire",
        vintage="2022",
        practices=pd.DataFrame(
            {
                "practice_code": ["P1", "P2", "P3", "P4"],
                "practice_name": ["One", "Two", "Three", "Four"],
                "pcn_code": ["A", "A", "B", None],
                "place_code": ["U1", "U1", "U2", "U1"],
                "registered_patients": [60, 25, 115, 40],
            }
        ),
        pcns=pd.DataFrame(
            {"pcn_code": ["A", "B"], "pcn_name": ["PCN A", "PCN B"], "place_code": ["U1", "U2"]}
        ),
        places=pd.DataFrame(
            {
                "place_code": ["U1", "U2"],
                "place_name": ["North", "South"],
                "resident_population": [130, 120],
            }
        ),
        resident_population=250,
    )
