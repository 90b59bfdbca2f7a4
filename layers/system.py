"""The five-layer model of one Integrated Care System.

``load_system("QGH")`` returns individuals, practices, PCNs, places and the ICS with
consistent keys, built from the ``geodata/`` tables. Two population bases run through
the layers and are never mixed:

* ``resident_population``: ONS mid-2020 residents of the ICS's LSOAs (places, ICS);
* ``registered_patients``: July 2022 GP registrations (practices, PCNs, places, ICS).

Registered lists add up exactly: practices → PCNs (plus practices in no PCN) → places
→ ICS. Residents add up exactly: LSOAs → places → ICS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.geodata import read_table
from layers.geometry import dissolve
from layers.streams import generator

__all__ = [
    "NO_PCN_LABEL",
    "PLACE_DEFINITIONS",
    "System",
    "default_place_definition",
    "list_systems",
    "load_system",
    "place_lookup",
    "resolve_ics",
]

#: Place definitions a user can choose, with the words every page shows.
PLACE_DEFINITIONS: dict[str, str] = {
    "preset": "Places named in the ICS's own planning papers",
    "utla": "Upper-tier local authorities (health and wellbeing board level)",
    "ltla": "Lower-tier local authority districts",
    "custom": "Your own place groupings (uploaded practice → place list)",
}

#: Label for practices that the May 2022 ePCN extract puts in no PCN.
NO_PCN_LABEL = "No PCN in ePCN (May 2022)"

_DETAIL_LEVELS = ("detail", "light")

#: Optional in-memory tables, keyed like ``geodata/``; ``None`` reads ``geodata/``.
Tables = Mapping[str, pd.DataFrame] | None


def _table(name: str, tables: Tables) -> pd.DataFrame:
    if tables is None:
        return read_table(name)
    if name not in tables:
        raise KeyError(f"Table {name!r} is missing from the tables given.")
    return tables[name].copy()


def list_systems(tables: Tables = None) -> pd.DataFrame:
    """List England's 42 ICSs (ICBs as at July 2022).

    Returns
    -------
    DataFrame
        ``icb_code``, ``icb_name``, ``n_lsoas``, ``resident_population``,
        ``registered_patients``, ``has_preset_places``; sorted by name.

    Examples
    --------
    >>> systems = list_systems()
    >>> len(systems)
    42
    >>> systems.set_index("icb_code").loc["QGH", "icb_name"]
    'Herefordshire and Worcestershire'
    """
    lsoas = _table("lsoas", tables)
    practices = _table("practices", tables)
    presets = _table("place_presets", tables)
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
    return table.sort_values("icb_name").reset_index(drop=True)


def resolve_ics(query: str, tables: Tables = None) -> str:
    """Turn an ICB code or name into its NHS ICB code.

    Parameters
    ----------
    query : str
        A code such as ``"QGH"`` (any case) or a name such as
        ``"Herefordshire and Worcestershire"``.

    Returns
    -------
    str
        The NHS ICB code.

    Raises
    ------
    ValueError
        If nothing matches; the message lists the valid codes.

    Examples
    --------
    >>> resolve_ics("qgh")
    'QGH'
    >>> resolve_ics("North West London")
    'QRV'
    """
    if not isinstance(query, str) or not query.strip():
        raise ValueError("An ICS code or name is required, for example 'QGH'.")
    systems = list_systems(tables)
    wanted = query.strip().upper()
    by_code = systems["icb_code"].str.upper() == wanted
    if by_code.any():
        return str(systems.loc[by_code, "icb_code"].iloc[0])
    by_name = systems["icb_name"].str.upper() == wanted
    if by_name.any():
        return str(systems.loc[by_name, "icb_code"].iloc[0])
    valid = ", ".join(f"{c} ({n})" for c, n in zip(systems.icb_code, systems.icb_name, strict=True))
    raise ValueError(f"Unknown ICS {query!r}. Valid ICB codes: {valid}.")


def default_place_definition(code: str, tables: Tables = None) -> str:
    """Return ``"preset"`` where the ICS's papers name its places, else ``"utla"``.

    Examples
    --------
    >>> default_place_definition("QWU"), default_place_definition("QHM")
    ('preset', 'utla')
    """
    presets = _table("place_presets", tables)
    return "preset" if resolve_ics(code, tables) in set(presets["icb_code"]) else "utla"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def place_lookup(code: str, place_definition: str, tables: Tables = None) -> pd.DataFrame:
    """Map each local authority district in an ICS to its place.

    Parameters
    ----------
    code : str
        NHS ICB code.
    place_definition : {"preset", "utla", "ltla"}
        See :data:`PLACE_DEFINITIONS`. A district missing from a preset falls back to
        its upper-tier authority.

    Returns
    -------
    DataFrame
        ``ltla_code``, ``place_code``, ``place_name``; one row per district.

    Examples
    --------
    >>> place_lookup("QWU", "preset").groupby("place_name").size().to_dict()
    {'Coventry': 1, 'Rugby': 1, 'South Warwickshire': 2, 'Warwickshire North': 2}
    """
    if place_definition not in PLACE_DEFINITIONS or place_definition == "custom":
        raise ValueError(
            f"Unknown place definition {place_definition!r}; choose one of "
            "preset, utla, ltla (custom places are given as custom_places)."
        )
    lsoas = _table("lsoas", tables)
    districts = (
        lsoas.loc[lsoas["icb_code"] == code, ["ltla_code", "ltla_name", "utla_code", "utla_name"]]
        .drop_duplicates("ltla_code")
        .sort_values("ltla_code")
        .reset_index(drop=True)
    )
    if districts.empty:
        resolve_ics(code, tables)  # raises the listing error for an unknown code
    if place_definition == "ltla":
        out = districts.rename(columns={"ltla_name": "place_name"})
        out["place_code"] = out["ltla_code"]
    else:
        out = districts.rename(columns={"utla_code": "place_code", "utla_name": "place_name"})
        if place_definition == "preset":
            presets = _table("place_presets", tables)
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

    @property
    def place_definition_label(self) -> str:
        """Plain words for the place definition in use."""
        return PLACE_DEFINITIONS[self.place_definition]

    @cached_property
    def individuals(self) -> pd.DataFrame:
        """Synthetic individuals, generated on first use from :attr:`seed`."""
        from layers.individuals import generate_individuals

        # The national LSOA table, so patients living outside the ICS get their own
        # LSOA's age mix and deprivation.
        lsoas = _table("lsoas", self.tables)
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
) -> System:
    """Load the five layers of one ICS.

    PCN footprints are derived from where each PCN's patients live: every LSOA in the
    ICS goes to the PCN that has the most registered patients living there (ties go to
    the lower PCN code), and a PCN's footprint is the union of its LSOAs. Footprints
    therefore tile the ICS without overlaps; a PCN that is the largest in no LSOA has
    an empty footprint, and ``footprint_lsoas`` is 0.

    A PCN's place is the place where most of its patients live; a practice's place is
    its PCN's place, or, for a practice in no PCN, the place where most of its own
    patients live. Practices in no PCN are kept, with ``pcn_code`` missing and
    ``pcn_name`` set to :data:`NO_PCN_LABEL`.

    Parameters
    ----------
    code : str
        NHS ICB code (``"QGH"``) or ICS name.
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

    Returns
    -------
    System

    Raises
    ------
    ValueError
        For an unknown ICS (listing the valid codes), place definition or detail level.

    Examples
    --------
    >>> qgh = load_system("QGH")
    >>> len(qgh.practices), len(qgh.pcns), qgh.places.place_name.tolist()
    (79, 15, ['Herefordshire', 'Worcestershire'])
    >>> int(qgh.ics.registered_patients.iloc[0])
    817738
    """
    code = resolve_ics(code, tables)
    if detail not in _DETAIL_LEVELS:
        raise ValueError(f"Unknown detail level {detail!r}; choose 'detail' or 'light'.")
    place_definition = place_definition or default_place_definition(code, tables)
    places_by_ltla = place_lookup(code, place_definition, tables)

    lsoa_table = _table("lsoas", tables)
    lsoa_table = lsoa_table[lsoa_table["icb_code"] == code].merge(places_by_ltla, on="ltla_code")
    geometry = _table(f"lsoa_geometry_{detail}", tables)
    lsoas = gpd.GeoDataFrame(
        geometry.merge(lsoa_table, on="lsoa_code", how="inner"), geometry="geometry", crs=4326
    )
    name = str(lsoa_table["icb_name"].iloc[0])

    practice_table = _table("practices", tables)
    practice_table = practice_table[practice_table["icb_code"] == code].reset_index(drop=True)
    registrations = _table("registrations", tables)
    registrations = registrations[
        registrations["practice_code"].isin(practice_table["practice_code"])
    ].reset_index(drop=True)

    resident = registrations.merge(lsoas[["lsoa_code", "place_code"]], on="lsoa_code")
    resident = resident.merge(practice_table[["practice_code", "pcn_code"]], on="practice_code")
    pcn_place = _plurality(resident.dropna(subset=["pcn_code"]), "pcn_code", "place_code")
    practice_place = _plurality(resident, "practice_code", "place_code")
    largest_place = lsoas.groupby("place_code")["population"].sum().idxmax()
    place_names = places_by_ltla.drop_duplicates("place_code").set_index("place_code")["place_name"]

    # A PCN none of whose patients live in the ICS still needs one place, shared by
    # all its practices: the largest.
    pcn_codes = practice_table["pcn_code"]
    pcn_place = pcn_place.reindex(pcn_codes.dropna().unique()).fillna(largest_place)
    practice_table["place_code"] = (
        pcn_codes.map(pcn_place)
        .where(pcn_codes.notna(), practice_table["practice_code"].map(practice_place))
        .fillna(largest_place)
    )
    if custom_places is not None:
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
        place_definition = "custom"
    practice_table["place_name"] = practice_table["place_code"].map(place_names)
    practice_table["pcn_name"] = practice_table["pcn_name"].fillna(NO_PCN_LABEL)
    practices = gpd.GeoDataFrame(
        practice_table,
        geometry=gpd.points_from_xy(practice_table["longitude"], practice_table["latitude"]),
        crs=4326,
    )

    lsoa_pcn = _plurality(resident.dropna(subset=["pcn_code"]), "lsoa_code", "pcn_code")
    lsoas["footprint_pcn_code"] = lsoas["lsoa_code"].map(lsoa_pcn)
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

    place_shapes = dissolve(lsoas[["place_code", "geometry"]], "place_code")
    place_table = lsoas.groupby("place_code", as_index=False).agg(
        resident_population=("population", "sum"), n_lsoas=("lsoa_code", "size")
    )
    practice_counts = practice_table.groupby("place_code").agg(
        registered_patients=("registered_patients", "sum"),
        n_practices=("practice_code", "size"),
    )
    place_table = place_table.join(practice_counts, on="place_code")
    place_table["n_pcns"] = place_table["place_code"].map(pcn_table.groupby("place_code").size())
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
    places = places.sort_values("place_name").reset_index(drop=True)

    ics_shape = dissolve(places.assign(icb_code=code)[["icb_code", "geometry"]], "icb_code")
    ics = gpd.GeoDataFrame(
        {
            "icb_code": [code],
            "icb_name": [name],
            "resident_population": [int(lsoas["population"].sum())],
            "registered_patients": [int(practice_table["registered_patients"].sum())],
            "n_lsoas": [len(lsoas)],
            "n_places": [len(places)],
            "n_pcns": [len(pcns)],
            "n_practices": [len(practices)],
            "n_practices_no_pcn": [int(practice_table["pcn_code"].isna().sum())],
        },
        geometry=list(ics_shape.geometry),
        crs=4326,
    )
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
    )
