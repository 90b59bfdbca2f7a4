"""The five-layer model of one Integrated Care System.

``load_system("QGH")`` returns individuals, practices, PCNs, places and the ICS with
consistent keys, built from the ``geodata/`` tables of one vintage
(:mod:`layers.vintages`). Two population bases run through the layers and are never
mixed:

* ``resident_population``: residents of the ICS's LSOAs (places, ICS): ONS mid-2020 in
  the 2022 vintage, Census 2021 in the 2026 vintage;
* ``registered_patients``: GP registrations (practices, PCNs, places, ICS): July 2022
  in the 2022 vintage; in the 2026 vintage each practice's 2026/27 list, spread over
  LSOAs *modelled from July 2022 patterns*.

Registered lists add up exactly: practices → PCNs (plus practices in no PCN) → places
→ ICS. Residents add up exactly: LSOAs → places → ICS.

ICB codes. The 2022 vintage keys its 42 ICBs by ODS code (``QGH``); the 2026 vintage
its 36 by ONS code (``E54000071``), with NHS England's allocation-file code (``T04``)
and the alternative ODS code reported elsewhere (``Z9B2Z``) beside it.
:func:`resolve_ics` accepts any of them, or a name, in any case. An ICB abolished in
April 2026 asked for in the 2026 vintage raises :class:`AbolishedCodeError` naming its
successors; a 2026 ICB asked for in the 2022 vintage raises :class:`NewCodeError`
naming its predecessors. :func:`successor_icbs` maps a 2022 code to its 2026
successor(s), for old links.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.geodata import read_table
from layers.geometry import dissolve
from layers.streams import generator
from layers.vintages import DEFAULT_VINTAGE, Vintage, check_vintage, get_vintage

__all__ = [
    "NO_PCN_LABEL",
    "PLACE_DEFINITIONS",
    "AbolishedCodeError",
    "NewCodeError",
    "System",
    "UnknownICSError",
    "default_place_definition",
    "list_systems",
    "load_system",
    "place_lookup",
    "predecessor_icbs",
    "resolve_ics",
    "successor_icbs",
]

#: Place definitions a user can choose, with the words every page shows.
PLACE_DEFINITIONS: dict[str, str] = {
    "preset": "Places named in the ICS's own planning papers",
    "utla": "Upper-tier local authorities (health and wellbeing board level)",
    "ltla": "Lower-tier local authority districts",
    "custom": "Your own place groupings (uploaded practice → place list)",
}

#: Label for practices that the May 2022 ePCN extract puts in no PCN (2022 vintage; each
#: vintage's is :attr:`layers.vintages.Vintage.no_pcn_label`).
NO_PCN_LABEL = get_vintage("2022").no_pcn_label

_DETAIL_LEVELS = ("detail", "light")

#: Optional in-memory tables, keyed like ``geodata/``; ``None`` reads ``geodata/``.
Tables = Mapping[str, pd.DataFrame] | None

#: The vintage whose tables record the April 2026 changes (pieces, terminated codes).
_CHANGES_VINTAGE = "2026"


class UnknownICSError(ValueError):
    """No ICB of the vintage has this code or name."""


class AbolishedCodeError(UnknownICSError):
    """An ICB code or name that no longer exists in the vintage asked for.

    Attributes
    ----------
    successors : DataFrame
        From :func:`successor_icbs`: the ICBs that took its area over.
    """

    def __init__(self, message: str, successors: pd.DataFrame) -> None:
        super().__init__(message)
        self.successors = successors


class NewCodeError(UnknownICSError):
    """A 2026 ICB asked for in the 2022 vintage, which predates it.

    Attributes
    ----------
    predecessors : DataFrame
        From :func:`predecessor_icbs`: the 2022 ICBs its area came from.
    """

    def __init__(self, message: str, predecessors: pd.DataFrame) -> None:
        super().__init__(message)
        self.predecessors = predecessors


def _table(
    name: str,
    tables: Tables,
    vintage: str = DEFAULT_VINTAGE,
    where: Mapping[str, Collection[object]] | None = None,
) -> pd.DataFrame:
    """A table (only the rows ``where`` lists, if given) from ``tables`` or ``geodata/``."""
    if tables is None:
        # Filtered as it is read: one ICS never copies (or decodes) England's rows.
        return read_table(name, vintage=vintage, where=where)
    if name not in tables:
        raise KeyError(f"Table {name!r} is missing from the tables given.")
    table = tables[name]
    for column, values in (where or {}).items():
        table = table[table[column].isin(list(values))]
    return table.reset_index(drop=True) if where else table.copy()


def _changes(name: str, tables: Tables) -> pd.DataFrame | None:
    """A table of the April 2026 changes, or None with in-memory tables that lack it."""
    if tables is None:
        return read_table(name, vintage=_CHANGES_VINTAGE)
    return tables[name].copy() if name in tables else None


def _required_pieces(tables: Tables) -> pd.DataFrame:
    """The April 2026 pieces table (:func:`_changes`), which successors and predecessors need.

    Raises
    ------
    KeyError
        If in-memory ``tables`` lack it.
    """
    pieces = _changes("icb_pieces", tables)
    if pieces is None:
        raise KeyError("Table 'icb_pieces' is missing from the tables given.")
    return pieces


def _resolve_with(code: str, tables: Tables, vintage: str) -> str:
    """:func:`resolve_ics` on ``tables`` when they hold the lsoas it reads, else on geodata."""
    return resolve_ics(code, tables if tables is not None and "lsoas" in tables else None, vintage)


def list_systems(tables: Tables = None, vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
    """List England's ICSs in one vintage: 42 as at July 2022, or 36 as at April 2026.

    Parameters
    ----------
    tables : mapping, optional
        In-memory tables keyed like ``geodata/`` (default: the vintage's ``geodata/``).
    vintage : {"2022", "2026"}

    Returns
    -------
    DataFrame
        ``icb_code``, ``icb_name``, ``n_lsoas``, ``resident_population``,
        ``registered_patients``, ``has_preset_places``; sorted by name. The 2026 vintage
        adds ``icb_code_nhse`` (NHS England's allocation-file code, e.g. ``T04``) and
        ``icb_code_ods_alt`` (the 5-character ODS code reported elsewhere, e.g.
        ``Z9B2Z``; see caveat 2 of ``../shared/data/vintage2026/README.md``).

    Examples
    --------
    >>> systems = list_systems(vintage="2022")
    >>> len(systems)
    42
    >>> systems.set_index("icb_code").loc["QGH", "icb_name"]
    'Herefordshire and Worcestershire'
    >>> now = list_systems(vintage="2026").set_index("icb_code")
    >>> len(now), now.loc["E54000071", ["icb_name", "icb_code_nhse"]].tolist()
    (36, ['West and North London', 'T04'])
    """
    vintage = check_vintage(vintage)
    if tables is None:
        # Every link and every new session resolves its ICS through this list; built
        # once per vintage from the committed tables, handed out as a copy.
        return _geodata_systems(vintage).copy()
    return _systems(tables, vintage)


@cache
def _geodata_systems(vintage: str) -> pd.DataFrame:
    return _systems(None, vintage)


def _systems(tables: Tables, vintage: str) -> pd.DataFrame:
    """:func:`list_systems` built from ``tables`` (``geodata/`` if None)."""
    lsoas = _table("lsoas", tables, vintage)
    practices = _table("practices", tables, vintage)
    presets = _table("place_presets", tables, vintage)
    table = (
        lsoas.groupby(["icb_code", "icb_name"], as_index=False)
        .agg(n_lsoas=("lsoa_code", "size"), resident_population=("population", "sum"))
        .merge(
            practices.groupby("icb_code", as_index=False)["registered_patients"].sum(),
            on="icb_code",
            how="left",
        )
    )
    table["has_preset_places"] = table["icb_code"].isin(presets["icb_code"])
    if "icb_code_nhse" in lsoas.columns:
        codes = lsoas.drop_duplicates("icb_code").set_index("icb_code")["icb_code_nhse"]
        table["icb_code_nhse"] = table["icb_code"].map(codes)
        known = None
        if tables is None or "icb_codes" in tables:
            known = _table("icb_codes", tables, vintage)
        alt = known.set_index("icb_code")["icb_code_ods_alt"] if known is not None else {}
        table["icb_code_ods_alt"] = table["icb_code"].map(alt)
    return table.sort_values("icb_name").reset_index(drop=True)


def _aliases(systems: pd.DataFrame, tables: Tables, vintage: str) -> dict[str, str]:
    """Every accepted spelling (upper case) of each ICB of the vintage → its key."""
    aliases: dict[str, str] = {}
    for column in ("icb_code", "icb_code_nhse", "icb_code_ods_alt", "icb_name"):
        if column in systems.columns:
            for alias, key in zip(systems[column], systems["icb_code"], strict=True):
                if isinstance(alias, str) and alias.strip():
                    aliases.setdefault(alias.strip().upper(), key)
    pieces = _changes("icb_pieces", tables)
    if pieces is not None and vintage == "2022":
        # The 2022 ICBs' ONS codes, as the 2024 lookup (same 42 ICBs) records them.
        known = set(systems["icb_code"])
        for ons, ods in zip(pieces["icb24_code"], pieces["icb24_code_nhs"], strict=True):
            if ods in known:
                aliases.setdefault(ons.upper(), ods)
    codes = _changes("icb_codes", tables) if vintage == _CHANGES_VINTAGE else None
    if codes is not None:
        # NHS England's names, e.g. "NHS North Central and West London ICB" for T04.
        for name, key in zip(codes["icb_name_nhse"], codes["icb_code"], strict=True):
            if isinstance(name, str):
                aliases.setdefault(name.upper(), key)
                aliases.setdefault(re.sub(r"^NHS\s+|\s+ICB$", "", name).upper(), key)
    return aliases


def _changed_code(query: str, tables: Tables, vintage: str) -> None:
    """Raise the cross-vintage error for a code that belongs to the other vintage."""
    pieces = _changes("icb_pieces", tables)
    if pieces is None:
        return
    wanted = query.strip().upper()
    if vintage == _CHANGES_VINTAGE:
        old = pieces[
            (pieces["icb24_code"].str.upper() == wanted)
            | (pieces["icb24_code_nhs"].str.upper() == wanted)
            | (pieces["icb24_name"].str.upper() == wanted)
        ]
        terminated = _changes("icb_terminated", tables)
        if old.empty or not old["icb24_code"].isin(terminated["icb24_code"]).any():
            return
        successors = successor_icbs(old["icb24_code_nhs"].iloc[0], tables=tables)
        first = old.iloc[0]
        listed = "; ".join(
            f"{r.icb_name} ({r.icb_code}, NHS England code {r.icb_code_nhse}, "
            f"{r.share_of_lsoas:.0%} of its LSOAs)"
            for r in successors.itertuples()
        )
        abolished = terminated.set_index("icb24_code")["ods_code_abolished"]
        what = (
            "was abolished on 1 April 2026"
            if abolished.get(first.icb24_code, True)
            else "took a new ONS code on 1 April 2026, when its boundary changed"
        )
        raise AbolishedCodeError(
            f"{first.icb24_name} ICB ({first.icb24_code_nhs}, {first.icb24_code}) no longer "
            f"exists in the 2026 vintage: it {what}. Its area is now in: {listed}. Choose one "
            "of those, or the 2022 vintage.",
            successors,
        )
    codes = _changes("icb_codes", tables)
    created = ~codes["icb_code"].isin(pieces["icb24_code"])
    new = codes[
        created & (codes["icb_code"].str.upper() == wanted)
        | created & (codes["icb_code_nhse"].str.upper() == wanted)
        | created & (codes["icb_code_ods_alt"].fillna("").str.upper() == wanted)
        | created & (codes["icb_name"].str.upper() == wanted)
    ]
    if new.empty:
        return
    predecessors = predecessor_icbs(new["icb_code"].iloc[0], tables=tables)
    first = new.iloc[0]
    listed = "; ".join(f"{r.icb_name} ({r.icb_code})" for r in predecessors.itertuples())
    what = (
        "took a new ONS code on 1 April 2026, when its boundary changed,"
        if first.icb_code_nhse in set(pieces["icb24_code_nhs"])
        else "was created on 1 April 2026"
    )
    raise NewCodeError(
        f"{first.icb_name} ICB ({first.icb_code}, NHS England code {first.icb_code_nhse}) "
        f"{what} and is not in the 2022 vintage. In July 2022 its area was in: {listed}. "
        "Choose one of those, or the 2026 vintage.",
        predecessors,
    )


def resolve_ics(query: str, tables: Tables = None, vintage: str = DEFAULT_VINTAGE) -> str:
    """Turn an ICB code or name into the vintage's ICB code.

    Parameters
    ----------
    query : str
        A code (any case): in 2022 the ODS code (``"QGH"``) or ONS code
        (``"E54000019"``); in 2026 the ONS code (``"E54000071"``), NHS England's code
        (``"T04"``, ``"QGH"``) or the alternative ODS code (``"Z9B2Z"``). Or a name such
        as ``"Herefordshire and Worcestershire"``.
    tables : mapping, optional
        In-memory tables (default: ``geodata/``).
    vintage : {"2022", "2026"}

    Returns
    -------
    str
        The ICB code as the vintage keys it (ODS in 2022, ONS in 2026).

    Raises
    ------
    AbolishedCodeError
        In 2026, for an ICB abolished or renumbered on 1 April 2026; names successors.
    NewCodeError
        In 2022, for an ICB created on 1 April 2026; names its predecessors.
    UnknownICSError
        If nothing matches; the message lists the valid codes. All three are
        ``ValueError``.

    Examples
    --------
    >>> resolve_ics("qgh", vintage="2022")
    'QGH'
    >>> resolve_ics("North West London", vintage="2022")
    'QRV'
    >>> resolve_ics("t04", vintage="2026"), resolve_ics("QGH", vintage="2026")
    ('E54000071', 'E54000019')
    >>> try:
    ...     resolve_ics("QRV", vintage="2026")
    ... except AbolishedCodeError as error:
    ...     error.successors["icb_code"].tolist()
    ['E54000071']
    """
    vintage = check_vintage(vintage)
    if not isinstance(query, str) or not query.strip():
        example = get_vintage(vintage).example_icb
        raise UnknownICSError(f"An ICS code or name is required, for example {example!r}.")
    systems = list_systems(tables, vintage)
    wanted = query.strip().upper()
    by_code = systems["icb_code"].str.upper() == wanted
    if by_code.any():
        return str(systems.loc[by_code, "icb_code"].iloc[0])
    by_name = systems["icb_name"].str.upper() == wanted
    if by_name.any():
        return str(systems.loc[by_name, "icb_code"].iloc[0])
    found = _aliases(systems, tables, vintage).get(wanted)
    if found is not None:
        return str(found)
    _changed_code(query, tables, vintage)
    valid = ", ".join(f"{c} ({n})" for c, n in zip(systems.icb_code, systems.icb_name, strict=True))
    raise UnknownICSError(f"Unknown ICS {query!r}. Valid ICB codes: {valid}.")


def successor_icbs(code: str, tables: Tables = None) -> pd.DataFrame:
    """The 2026 ICB(s) that took over the area of a 2022 ICB.

    For a link made before the 2026 vintage (``?ics=QRV``): the 2022 vintage answers
    it, and this names the ICB(s) to offer.

    Parameters
    ----------
    code : str
        A 2022 ICB code or name (see :func:`resolve_ics`).
    tables : mapping, optional
        In-memory tables holding ``icb_pieces`` (default: ``geodata/2026``).

    Returns
    -------
    DataFrame
        One row per successor, largest share first: ``icb_code`` (ONS),
        ``icb_code_nhse``, ``icb_name``, ``n_lsoas`` (2021 LSOAs of the 2022 ICB now in
        it), ``share_of_lsoas`` (0–1) and ``change`` (e.g. "unchanged").

    Examples
    --------
    >>> successor_icbs("QNQ")[["icb_name", "n_lsoas"]].to_numpy().tolist()
    [['Thames Valley', 255], ['Hampshire and Isle of Wight', 105], ['Surrey and Sussex', 95]]
    >>> successor_icbs("qgh")[["icb_code", "share_of_lsoas"]].to_numpy().tolist()
    [['E54000019', 1.0]]
    """
    old = _resolve_with(code, tables, "2022")
    pieces = _required_pieces(tables)
    mine = pieces[pieces["icb24_code_nhs"] == old].copy()
    mine["n_lsoas"] = mine["n_lsoas_published"].astype("int64")
    mine["share_of_lsoas"] = mine["n_lsoas"] / mine["n_lsoas"].sum()
    mine = mine.sort_values(["n_lsoas", "icb_code"], ascending=[False, True])
    columns = ["icb_code", "icb_code_nhse", "icb_name", "n_lsoas", "share_of_lsoas", "change"]
    return mine[columns].reset_index(drop=True)


def predecessor_icbs(code: str, tables: Tables = None) -> pd.DataFrame:
    """The 2022 ICB(s) whose area a 2026 ICB took over.

    Parameters
    ----------
    code : str
        A 2026 ICB code or name (see :func:`resolve_ics`).
    tables : mapping, optional
        In-memory tables holding ``icb_pieces`` (default: ``geodata/2026``).

    Returns
    -------
    DataFrame
        One row per predecessor, largest first: ``icb_code`` (the 2022 ODS code),
        ``icb_code_ons`` (its ONS code), ``icb_name``, ``n_lsoas`` (2021 LSOAs it gave),
        ``whole`` (all of it) and ``change``.

    Examples
    --------
    >>> predecessor_icbs("T04")[["icb_code", "n_lsoas", "whole"]].to_numpy().tolist()
    [['QRV', 1183, True], ['QMJ', 806, True]]
    """
    pieces = _required_pieces(tables)
    new = _resolve_with(code, tables, "2026")
    mine = pieces[pieces["icb_code"] == new]
    total = pieces.groupby("icb24_code")["n_lsoas_published"].sum()
    out = pd.DataFrame(
        {
            "icb_code": mine["icb24_code_nhs"].to_numpy(),
            "icb_code_ons": mine["icb24_code"].to_numpy(),
            "icb_name": mine["icb24_name"].to_numpy(),
            "n_lsoas": mine["n_lsoas_published"].astype("int64").to_numpy(),
            "whole": (
                mine["n_lsoas_published"].to_numpy() == mine["icb24_code"].map(total).to_numpy()
            ),
            "change": mine["change"].to_numpy(),
        }
    )
    return out.sort_values(["n_lsoas", "icb_code"], ascending=[False, True]).reset_index(drop=True)


def default_place_definition(
    code: str, tables: Tables = None, vintage: str = DEFAULT_VINTAGE
) -> str:
    """Return ``"preset"`` where the ICS's papers name its places, else ``"utla"``.

    Examples
    --------
    >>> default_place_definition("QWU", vintage="2022"), default_place_definition("QHM")
    ('preset', 'utla')
    >>> default_place_definition("T04", vintage="2026")
    'preset'
    """
    presets = _table("place_presets", tables, vintage)
    resolved = resolve_ics(code, tables, vintage)
    return "preset" if resolved in set(presets["icb_code"]) else "utla"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def place_lookup(
    code: str, place_definition: str, tables: Tables = None, vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Map each local authority district in an ICS to its place.

    Parameters
    ----------
    code : str
        ICB code as the vintage keys it.
    place_definition : {"preset", "utla", "ltla"}
        See :data:`PLACE_DEFINITIONS`. A district missing from a preset falls back to
        its upper-tier authority.
    tables : mapping, optional
    vintage : {"2022", "2026"}
        Districts and upper-tier authorities are those of 2022 or 2024.

    Returns
    -------
    DataFrame
        ``ltla_code``, ``place_code``, ``place_name``; one row per district.

    Examples
    --------
    >>> place_lookup("QWU", "preset", vintage="2022").groupby("place_name").size().to_dict()
    {'Coventry': 1, 'Rugby': 1, 'South Warwickshire': 2, 'Warwickshire North': 2}
    >>> len(place_lookup("E54000071", "preset", vintage="2026"))
    13
    """
    if place_definition not in PLACE_DEFINITIONS or place_definition == "custom":
        raise ValueError(
            f"Unknown place definition {place_definition!r}; choose one of "
            "preset, utla, ltla (custom places are given as custom_places)."
        )
    vintage = check_vintage(vintage)
    lsoas = _table("lsoas", tables, vintage)
    districts = (
        lsoas.loc[lsoas["icb_code"] == code, ["ltla_code", "ltla_name", "utla_code", "utla_name"]]
        .drop_duplicates("ltla_code")
        .sort_values("ltla_code")
        .reset_index(drop=True)
    )
    if districts.empty:
        resolve_ics(code, tables, vintage)  # raises the listing error for an unknown code
    if place_definition == "ltla":
        out = districts.rename(columns={"ltla_name": "place_name"})
        out["place_code"] = out["ltla_code"]
    else:
        out = districts.rename(columns={"utla_code": "place_code", "utla_name": "place_name"})
        if place_definition == "preset":
            presets = _table("place_presets", tables, vintage)
            preset = presets[presets["icb_code"] == code].set_index("ltla_code")["place_name"]
            if preset.empty:
                raise ValueError(
                    f"ICS {code} has no places named in its papers; use 'utla' or 'ltla'."
                )
            named = out["ltla_code"].map(preset)
            out["place_name"] = named.fillna(out["place_name"])
            out["place_code"] = np.where(
                named.notna(), "place-" + named.fillna("").map(_slug), out["place_code"]
            )
    return out[["ltla_code", "place_code", "place_name"]]


def _plurality(frame: pd.DataFrame, unit: str, target: str) -> pd.Series:
    """For each ``unit``, the ``target`` holding most of its patients (ties: first code)."""
    totals = frame.groupby([unit, target], as_index=False)["patients"].sum()
    totals = totals.sort_values([unit, "patients", target], ascending=[True, False, True])
    return totals.drop_duplicates(unit).set_index(unit)[target]


def _validated_grouping(grouping: pd.DataFrame, practice_codes: pd.Series) -> pd.DataFrame:
    """Check a practice → place grouping against the ICS's practices."""
    missing = {"practice_code", "place_name"} - set(grouping.columns)
    if missing:
        raise ValueError(
            f"custom_places needs columns practice_code and place_name; missing {sorted(missing)}."
        )
    grouping = grouping[["practice_code", "place_name"]].astype(str)
    grouping = grouping.assign(place_name=grouping["place_name"].str.strip())
    if (grouping["place_name"] == "").any():
        raise ValueError("custom_places has blank place names.")
    duplicated = grouping["practice_code"][grouping["practice_code"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"custom_places lists practice(s) twice: {sorted(set(duplicated))}.")
    unknown = sorted(set(grouping["practice_code"]) - set(practice_codes))
    if unknown:
        raise ValueError(f"custom_places has practice codes not in this ICS: {unknown[:10]}.")
    return grouping.reset_index(drop=True)


@dataclass
class System:
    """The five layers of one ICS, with consistent keys.

    Attributes
    ----------
    code, name : str
        NHS ICB code and short name.
    place_definition : str
        Key of :data:`PLACE_DEFINITIONS` in use.
    lsoas, practices, pcns, places, ics : GeoDataFrame
        See ``docs/CONTRACT.md`` for the columns.
    registrations : DataFrame
        Practice × LSOA registrations of the ICS's practices (all residences).
    seed : int
        Seed for the synthetic individuals.
    tables : mapping, optional
        In-memory tables the system was built from (``None``: ``geodata/``).
    vintage : str
        The data vintage (:mod:`layers.vintages`); :attr:`vintage_info` describes it.
    """

    code: str
    name: str
    place_definition: str
    lsoas: gpd.GeoDataFrame
    practices: gpd.GeoDataFrame
    pcns: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    ics: gpd.GeoDataFrame
    registrations: pd.DataFrame
    seed: int = field(default=2022)
    tables: Tables = field(default=None, repr=False)
    vintage: str = field(default=DEFAULT_VINTAGE)

    @property
    def place_definition_label(self) -> str:
        """Plain words for the place definition in use."""
        return PLACE_DEFINITIONS[self.place_definition]

    @property
    def vintage_info(self) -> Vintage:
        """The :class:`~layers.vintages.Vintage` of this system's data."""
        return get_vintage(self.vintage)

    @cached_property
    def individuals(self) -> pd.DataFrame:
        """Synthetic individuals, generated on first use from :attr:`seed`."""
        from layers.individuals import generate_individuals

        # The national LSOA table, so patients living outside the ICS get their own
        # LSOA's age mix and deprivation. A banded vintage's ages are split inside
        # generate_individuals (layers.ages.split_bands).
        lsoas = _table("lsoas", self.tables, self.vintage)
        return generate_individuals(
            self.registrations,
            lsoas,
            lsoas.set_index("lsoa_code")["imd_decile"],
            rng=generator(self.seed, "individuals"),
        )


def load_system(
    code: str,
    place_definition: str | None = None,
    detail: str = "detail",
    seed: int = 2022,
    tables: Tables = None,
    custom_places: pd.DataFrame | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> System:
    """Load the five layers of one ICS in one data vintage.

    PCN footprints are derived from where each PCN's patients live: every LSOA in the
    ICS goes to the PCN that has the most registered patients living there (ties go to
    the lower PCN code), and a PCN's footprint is the union of its LSOAs. In the 2026
    vintage "registered patients living there" are *modelled from July 2022 patterns*. Footprints
    therefore tile the ICS without overlaps; a PCN that is the largest in no LSOA has
    an empty footprint, and ``footprint_lsoas`` is 0.

    A PCN's place is the place where most of its patients live; a practice's place is
    its PCN's place, or, for a practice in no PCN, the place where most of its own
    patients live. Practices in no PCN are kept, with ``pcn_code`` missing and
    ``pcn_name`` set to the vintage's :attr:`~layers.vintages.Vintage.no_pcn_label`
    (:data:`NO_PCN_LABEL` in 2022).

    Parameters
    ----------
    code : str
        ICB code or name, as :func:`resolve_ics` accepts (``"QGH"``, ``"T04"``...).
    place_definition : {"preset", "utla", "ltla"}, optional
        Defaults to :func:`default_place_definition`.
    detail : {"detail", "light"}
        Geometry level.
    seed : int
        Seed for the synthetic individuals layer.
    tables : mapping of str to DataFrame, optional
        In-memory tables keyed like ``geodata/`` (for tests and what-if data); by
        default the committed ``geodata/`` files are read.
    custom_places : DataFrame, optional
        A user's own place groupings: ``practice_code`` → ``place_name``. Listed
        practices go to the named place; practices not listed keep their place under
        ``place_definition``. A PCN goes to the place holding most of its practices'
        registered patients, and an LSOA to the place whose practices have most
        patients living there (LSOAs with none keep their place), so places still
        tile the ICS. ``place_definition`` is then reported as ``"custom"``.
    vintage : {"2022", "2026"}
        The data vintage (:mod:`layers.vintages`).

    Returns
    -------
    System

    Raises
    ------
    ValueError
        For an unknown vintage, an unknown ICS (listing the valid codes; see
        :func:`resolve_ics` for abolished and new codes), place definition or detail
        level.

    Examples
    --------
    >>> qgh = load_system("QGH", vintage="2022")
    >>> len(qgh.practices), len(qgh.pcns), qgh.places.place_name.tolist()
    (79, 15, ['Herefordshire', 'Worcestershire'])
    >>> int(qgh.ics.registered_patients.iloc[0])
    817738
    >>> wnl = load_system("T04", vintage="2026")
    >>> wnl.code, len(wnl.lsoas), len(wnl.practices), len(wnl.places)
    ('E54000071', 1989, 521, 13)
    """
    vintage = check_vintage(vintage)
    code = resolve_ics(code, tables, vintage)
    if detail not in _DETAIL_LEVELS:
        raise ValueError(f"Unknown detail level {detail!r}; choose 'detail' or 'light'.")
    place_definition = place_definition or default_place_definition(code, tables, vintage)
    places_by_ltla = place_lookup(code, place_definition, tables, vintage)

    name, lsoas, practice_table, registrations = _ics_rows(
        code, detail, places_by_ltla, tables, vintage
    )
    resident = registrations.merge(lsoas[["lsoa_code", "place_code"]], on="lsoa_code")
    resident = resident.merge(practice_table[["practice_code", "pcn_code"]], on="practice_code")
    pcn_place, largest_place = _assign_places(resident, practice_table, lsoas)
    place_names = places_by_ltla.drop_duplicates("place_code").set_index("place_code")["place_name"]
    if custom_places is not None:
        pcn_place, place_names = _apply_custom_places(
            custom_places, practice_table, registrations, lsoas, place_names
        )
        place_definition = "custom"
    practice_table["place_name"] = practice_table["place_code"].map(place_names)
    practice_table["pcn_name"] = practice_table["pcn_name"].fillna(
        get_vintage(vintage).no_pcn_label
    )
    practices = gpd.GeoDataFrame(
        practice_table,
        geometry=gpd.points_from_xy(practice_table["longitude"], practice_table["latitude"]),
        crs=4326,
    )

    lsoa_pcn = _plurality(resident.dropna(subset=["pcn_code"]), "lsoa_code", "pcn_code")
    lsoas["footprint_pcn_code"] = lsoas["lsoa_code"].map(lsoa_pcn)
    pcn_places = pcn_place, largest_place, place_names
    pcns = _pcn_layer(practice_table, pcn_places, lsoas)
    places = _place_layer(lsoas, practice_table, pcns, place_names)
    ics = _ics_layer(code, name, lsoas, practice_table, pcns, places)
    return System(
        code=code,
        name=name,
        place_definition=place_definition,
        lsoas=lsoas,
        practices=practices,
        pcns=pcns,
        places=places,
        ics=ics,
        registrations=registrations,
        seed=seed,
        tables=tables,
        vintage=vintage,
    )


def _apply_custom_places(
    custom_places: pd.DataFrame,
    practice_table: pd.DataFrame,
    registrations: pd.DataFrame,
    lsoas: gpd.GeoDataFrame,
    place_names: pd.Series,
) -> tuple[pd.Series, pd.Series]:
    """Move the listed practices to the user's places, and PCNs and LSOAs after them.

    Updates ``practice_table["place_code"]`` and the places of ``lsoas`` in place;
    returns each PCN's place and the place names (custom places included).
    """
    grouping = _validated_grouping(custom_places, practice_table["practice_code"])
    custom_codes = "custom-" + grouping["place_name"].map(_slug)
    practice_table["place_code"] = (
        practice_table["practice_code"]
        .map(dict(zip(grouping["practice_code"], custom_codes, strict=True)))
        .fillna(practice_table["place_code"])
    )
    place_names = pd.concat(
        [place_names, pd.Series(grouping["place_name"].to_numpy(), index=custom_codes)]
    )
    place_names = place_names[~place_names.index.duplicated(keep="last")]
    registered = practice_table.dropna(subset=["pcn_code"]).rename(
        columns={"registered_patients": "patients"}
    )
    pcn_place = _plurality(registered, "pcn_code", "place_code")
    by_practice_place = registrations.merge(
        practice_table[["practice_code", "place_code"]], on="practice_code"
    )
    lsoa_place = _plurality(by_practice_place, "lsoa_code", "place_code")
    lsoas["place_code"] = lsoas["lsoa_code"].map(lsoa_place).fillna(lsoas["place_code"])
    lsoas["place_name"] = lsoas["place_code"].map(place_names)
    return pcn_place, place_names


def _assign_places(
    resident: pd.DataFrame, practice_table: pd.DataFrame, lsoas: gpd.GeoDataFrame
) -> tuple[pd.Series, str]:
    """Give each practice its place (``practice_table["place_code"]``, set in place).

    A PCN's place is where most of its patients live; a practice's is its PCN's, or
    for a practice in no PCN where most of its own patients live. Returns each PCN's
    place and the largest place (by residents).
    """
    pcn_place = _plurality(resident.dropna(subset=["pcn_code"]), "pcn_code", "place_code")
    practice_place = _plurality(resident, "practice_code", "place_code")
    largest_place = lsoas.groupby("place_code")["population"].sum().idxmax()
    # A PCN none of whose patients live in the ICS still needs one place, shared by
    # all its practices: the largest.
    pcn_codes = practice_table["pcn_code"]
    pcn_place = pcn_place.reindex(pcn_codes.dropna().unique()).fillna(largest_place)
    practice_table["place_code"] = (
        pcn_codes.map(pcn_place)
        .where(pcn_codes.notna(), practice_table["practice_code"].map(practice_place))
        .fillna(largest_place)
    )
    return pcn_place, largest_place


def _ics_rows(
    code: str, detail: str, places_by_ltla: pd.DataFrame, tables: Tables, vintage: str
) -> tuple[str, gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """The ICS's name, its LSOAs (with shapes and places), practices and registrations."""
    # Filtered reads: only this ICS's rows of the national tables are decoded and held.
    lsoa_table = _table("lsoas", tables, vintage, where={"icb_code": [code]})
    lsoa_table = lsoa_table.merge(places_by_ltla, on="ltla_code")
    geometry = _table(
        f"lsoa_geometry_{detail}", tables, vintage, where={"lsoa_code": lsoa_table["lsoa_code"]}
    )
    lsoas = gpd.GeoDataFrame(
        geometry.merge(lsoa_table, on="lsoa_code", how="inner"), geometry="geometry", crs=4326
    )
    practice_table = _table("practices", tables, vintage, where={"icb_code": [code]})
    practice_table = practice_table.reset_index(drop=True)
    registrations = _table(
        "registrations", tables, vintage, where={"practice_code": practice_table["practice_code"]}
    ).reset_index(drop=True)
    return str(lsoa_table["icb_name"].iloc[0]), lsoas, practice_table, registrations


def _pcn_layer(
    practice_table: pd.DataFrame,
    pcn_places: tuple[pd.Series, str, pd.Series],
    lsoas: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """PCNs with their places and footprints (the LSOAs where each is the largest).

    ``pcn_places`` is each PCN's place code, the place of a PCN with none (the largest)
    and the place names.
    """
    pcn_place, largest_place, place_names = pcn_places
    in_pcn = practice_table.dropna(subset=["pcn_code"])
    pcn_table = in_pcn.groupby(["pcn_code", "pcn_name"], as_index=False).agg(
        registered_patients=("registered_patients", "sum"),
        n_practices=("practice_code", "size"),
    )
    pcn_table["place_code"] = pcn_table["pcn_code"].map(pcn_place).fillna(largest_place)
    pcn_table["place_name"] = pcn_table["place_code"].map(place_names)
    footprints = dissolve(
        lsoas.dropna(subset=["footprint_pcn_code"])[["footprint_pcn_code", "geometry"]],
        "footprint_pcn_code",
    ).rename(columns={"footprint_pcn_code": "pcn_code"})
    footprint_counts = lsoas["footprint_pcn_code"].value_counts()
    pcns = gpd.GeoDataFrame(
        pcn_table.merge(footprints, on="pcn_code", how="left"), geometry="geometry", crs=4326
    )
    pcns["footprint_lsoas"] = pcns["pcn_code"].map(footprint_counts).fillna(0).astype(int)
    return pcns


def _place_layer(
    lsoas: gpd.GeoDataFrame,
    practice_table: pd.DataFrame,
    pcns: pd.DataFrame,
    place_names: pd.Series,
) -> gpd.GeoDataFrame:
    """Places with their residents, registered patients, counts and shapes, by name."""
    place_shapes = dissolve(lsoas[["place_code", "geometry"]], "place_code")
    place_table = lsoas.groupby("place_code", as_index=False).agg(
        resident_population=("population", "sum"), n_lsoas=("lsoa_code", "size")
    )
    practice_counts = practice_table.groupby("place_code").agg(
        registered_patients=("registered_patients", "sum"),
        n_practices=("practice_code", "size"),
    )
    place_table = place_table.join(practice_counts, on="place_code")
    place_table["n_pcns"] = place_table["place_code"].map(pcns.groupby("place_code").size())
    place_table[["registered_patients", "n_practices", "n_pcns"]] = (
        place_table[["registered_patients", "n_practices", "n_pcns"]].fillna(0).astype("int64")
    )
    place_table["place_name"] = place_table["place_code"].map(place_names)
    places = gpd.GeoDataFrame(
        place_table.merge(place_shapes, on="place_code"), geometry="geometry", crs=4326
    )[
        [
            "place_code",
            "place_name",
            "resident_population",
            "registered_patients",
            "n_lsoas",
            "n_pcns",
            "n_practices",
            "geometry",
        ]
    ]
    return places.sort_values("place_name").reset_index(drop=True)


def _ics_layer(
    code: str,
    name: str,
    lsoas: gpd.GeoDataFrame,
    practice_table: pd.DataFrame,
    pcns: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """The ICS as one row: its totals and counts, and the union of its places."""
    ics_shape = dissolve(places.assign(icb_code=code)[["icb_code", "geometry"]], "icb_code")
    return gpd.GeoDataFrame(
        {
            "icb_code": [code],
            "icb_name": [name],
            "resident_population": [int(lsoas["population"].sum())],
            "registered_patients": [int(practice_table["registered_patients"].sum())],
            "n_lsoas": [len(lsoas)],
            "n_places": [len(places)],
            "n_pcns": [len(pcns)],
            "n_practices": [len(practice_table)],
            "n_practices_no_pcn": [int(practice_table["pcn_code"].isna().sum())],
        },
        geometry=list(ics_shape.geometry),
        crs=4326,
    )
