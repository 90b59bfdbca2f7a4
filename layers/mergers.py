"""The April 2026 ICB mergers seen both ways, and what-if merges of any ICBs.

On 1 April 2026, 12 ICBs were abolished and 6 created (36 remain); Hampshire and Isle
of Wight kept its ODS code but took a new ONS code when it gained Hart and Rushmoor
from Frimley. That makes 13 ONS codes terminated and 7 new (:func:`national_changes`).

For an ICB of April 2026 that changed (:func:`changed_icbs`):

* :func:`merger_pieces`: which old ICB (or sub-ICB location) each piece came from, with
  its LSOAs, residents, practices and registered patients;
* :func:`merger_figures`: before against after: each tier against its design band
  (each predecessor ICB of 2024 whole, against the merged ICB), each predecessor's
  need index inside the merged ICB, Core20 shares, and the councils spanned and the
  ICB's alignment with them;
* :func:`merger_geometry`: the new ICB's outline, its predecessors' outlines and the
  pieces that moved, for a map drawn elsewhere.

:func:`what_if_merge` treats any ICBs of *one* vintage as one hypothetical system and
returns the same figures, each member against the merged whole. Bad input (one ICB,
none, unknown codes, ICBs of different vintages) raises :class:`MergeError`.

Registered patients in the 2026 vintage are 2026/27 lists; where they are placed by
where patients live they are *modelled from July 2022 patterns*. Need is NHS England's
2026/27 core weighted population per head (2022/23 in the 2022 vintage). Everything is
returned as frames; figures are drawn elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.allocation.catalogue import COMPONENT_COLUMNS, COMPONENTS, OVERALL_COLUMN
from layers.allocation.years import weighted_populations
from layers.deprivation import is_core20
from layers.geodata import read_table
from layers.geometry import dissolve
from layers.system import AbolishedCodeError, NewCodeError, resolve_ics
from layers.tiers import DEFAULT_BANDS, validate_bands
from layers.vintages import check_vintage, get_vintage

__all__ = [
    "MERGER_VINTAGE",
    "MergeError",
    "MergeFigures",
    "changed_icbs",
    "merger_figures",
    "merger_geometry",
    "merger_pieces",
    "national_changes",
    "what_if_merge",
]

#: The vintage whose ICBs came out of the April 2026 changes.
MERGER_VINTAGE = "2026"

_POPULATION = "wp_population"


class MergeError(ValueError):
    """A merge (real or what-if) that cannot be shown, with the reason in plain words."""


@dataclass(frozen=True)
class MergeFigures:
    """Before-and-after figures of one merged system (real or hypothetical).

    Every frame has one row per member (a predecessor ICB, or an ICB of a what-if) and
    one for the merged system (``role`` ``"member"`` / ``"merged"``).

    Attributes
    ----------
    code, name : str
        The merged system's code (a what-if's codes joined by ``+``) and name.
    vintage : str
        The data vintage.
    members : DataFrame
        ``member_code``, ``member_name`` and, for a real merger, ``change`` (whole,
        split part, renumbered).
    tiers : DataFrame
        Size against the design bands: ``residents``, ``registered_patients``,
        ``n_lsoas``, ``n_practices``, ``n_pcns``, ``n_councils`` (upper tier), the ICS
        band and ``ics_flag`` (below / within / above), and the share of practices,
        PCNs (registered patients) and councils (residents, as places) within their
        bands.
    need : DataFrame
        Each member's need inside the merged system: ``population`` (NHS England's
        registered population), ``overall_index`` and one ``<component>_index`` per
        component (1 = the merged system's average), and ``fair_share`` (share of the
        merged core weighted population) against ``population_share``.
    core20 : DataFrame
        ``residents``, ``core20_residents`` and ``core20_share`` (0–1).
    councils : DataFrame
        ``n_councils`` and ``n_districts`` spanned, how many lie wholly inside
        (``n_councils_whole``, ``n_districts_whole``), ``coterminous_share`` (residents
        living in councils wholly inside) and ``split_councils`` (names).
    notes : tuple of str
        What the figures rest on (vintage, modelled registrations, imputations).
    """

    code: str
    name: str
    vintage: str
    members: pd.DataFrame
    tiers: pd.DataFrame
    need: pd.DataFrame
    core20: pd.DataFrame
    councils: pd.DataFrame
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- national


def changed_icbs() -> pd.DataFrame:
    """The 7 ICBs of April 2026 whose area or code changed, with their predecessors.

    Returns
    -------
    DataFrame
        ``icb_code`` (ONS), ``icb_code_nhse``, ``icb_code_ods_alt``, ``icb_name``,
        ``status`` and ``predecessors`` (ODS codes of the 2024 ICBs it took from).

    Examples
    --------
    >>> changed = changed_icbs()
    >>> len(changed), changed["icb_code"].tolist()[:2]
    (7, ['E54000065', 'E54000066'])
    """
    codes = read_table("icb_codes", vintage=MERGER_VINTAGE)
    pieces = read_table("icb_pieces", vintage=MERGER_VINTAGE)
    moved = pieces[pieces["change"] != "unchanged"]
    changed = codes[codes["icb_code"].isin(moved["icb_code"])].copy()
    predecessors = moved.groupby("icb_code")["icb24_code_nhs"].agg(lambda c: ", ".join(sorted(c)))
    changed["predecessors"] = changed["icb_code"].map(predecessors)
    columns = ["icb_code", "icb_code_nhse", "icb_code_ods_alt", "icb_name", "status"]
    return changed[[*columns, "predecessors"]].sort_values("icb_code").reset_index(drop=True)


def national_changes() -> pd.DataFrame:
    """England's 13 terminated ICB ONS codes and 7 new ones (1 April 2026).

    Returns
    -------
    DataFrame
        One row per code: ``change`` (``"terminated"`` or ``"new"``), ``icb_code``
        (ONS), ``ods_code``, ``icb_name``, ``ods_code_abolished`` (terminated codes:
        False for Hampshire and Isle of Wight, renumbered), ``n_lsoas`` (2021 LSOAs)
        and ``links`` (successors of a terminated code; predecessors of a new one).

    Examples
    --------
    >>> table = national_changes()
    >>> table["change"].value_counts().to_dict()
    {'terminated': 13, 'new': 7}
    """
    pieces = read_table("icb_pieces", vintage=MERGER_VINTAGE)
    terminated = read_table("icb_terminated", vintage=MERGER_VINTAGE)
    codes = read_table("icb_codes", vintage=MERGER_VINTAGE)
    old_lsoas = pieces.groupby("icb24_code")["n_lsoas_published"].sum()
    new_lsoas = pieces.groupby("icb_code")["n_lsoas_published"].sum()
    gone = pd.DataFrame(
        {
            "change": "terminated",
            "icb_code": terminated["icb24_code"],
            "ods_code": terminated["icb24_code_nhs"],
            "icb_name": terminated["icb24_name"],
            "ods_code_abolished": terminated["ods_code_abolished"],
            "n_lsoas": terminated["icb24_code"].map(old_lsoas),
            "links": terminated["successors"],
        }
    )
    new = codes[~codes["icb_code"].isin(pieces["icb24_code"])]
    links = pieces.groupby("icb_code").apply(
        lambda g: "; ".join(
            f"{r.icb24_code_nhs} {r.icb24_code} ({r.n_lsoas_published} LSOAs)"
            for r in g.sort_values("icb24_code").itertuples()
        ),
        include_groups=False,
    )
    born = pd.DataFrame(
        {
            "change": "new",
            "icb_code": new["icb_code"],
            "ods_code": new["icb_code_nhse"],
            "icb_name": new["icb_name"],
            "ods_code_abolished": pd.NA,
            "n_lsoas": new["icb_code"].map(new_lsoas),
            "links": new["icb_code"].map(links),
        }
    )
    out = pd.concat([gone, born], ignore_index=True)
    out["n_lsoas"] = out["n_lsoas"].astype("int64")
    return out


def _changed_code(code: str) -> str:
    resolved = resolve_ics(code, vintage=MERGER_VINTAGE)
    changed = changed_icbs()
    if resolved not in set(changed["icb_code"]):
        raise MergeError(
            f"{resolved} did not change on 1 April 2026; the ICBs that did are "
            + ", ".join(
                f"{c} ({n})" for c, n in zip(changed.icb_code, changed.icb_name, strict=True)
            )
            + ". Use what_if_merge to see any ICBs together."
        )
    return resolved


# --------------------------------------------------------------------------- pieces


def merger_pieces(code: str, level: str = "icb24") -> pd.DataFrame:
    """The pieces a changed April 2026 ICB was made from.

    Parameters
    ----------
    code : str
        A changed 2026 ICB (any code or name :func:`layers.resolve_ics` accepts).
    level : {"icb24", "sicbl"}
        Pieces by old ICB, or by old ICB and sub-ICB location (April 2024).

    Returns
    -------
    DataFrame
        One row per piece: ``icb24_code``, ``icb24_code_nhs``, ``icb24_name`` (and
        ``sicbl_code``, ``sicbl_name`` at ``"sicbl"``), ``change``, ``whole`` (all of
        the old unit came here), ``n_lsoas``, ``residents`` (Census 2021),
        ``n_practices`` and ``registered_patients`` (2026/27 lists of the practices the
        piece brought, by their 2025/26 ICB and sub-ICB), largest first.

    Raises
    ------
    MergeError
        If the ICB did not change; :func:`layers.resolve_ics` errors for bad codes.

    Examples
    --------
    >>> merger_pieces("T05")[["icb24_code_nhs", "n_lsoas", "n_practices"]].to_numpy().tolist()
    [['QU9', 1056, 155], ['QNQ', 255, 42]]
    """
    if level not in ("icb24", "sicbl"):
        raise MergeError(f"Unknown piece level {level!r}; choose 'icb24' or 'sicbl'.")
    new = _changed_code(code)
    lsoas = read_table("lsoas", vintage=MERGER_VINTAGE)
    practices = read_table("practices", vintage=MERGER_VINTAGE)
    pieces = read_table("icb_pieces", vintage=MERGER_VINTAGE)
    keys = ["icb24_code"] if level == "icb24" else ["icb24_code", "sicbl_code"]
    mine = lsoas[lsoas["icb_code"] == new]
    table = mine.groupby(keys, as_index=False).agg(
        n_lsoas=("lsoa_code", "size"), residents=("population", "sum")
    )
    everywhere = (
        lsoas[lsoas["icb24_code"].isin(table["icb24_code"])]
        .groupby(keys, as_index=False)
        .agg(n_everywhere=("lsoa_code", "size"))
    )
    table = table.merge(everywhere, on=keys, how="left")
    table["whole"] = table["n_lsoas"] == table["n_everywhere"]
    members = practices[practices["icb_code"] == new].copy()
    if level == "sicbl":
        # A practice whose sub-ICB is not among the LSOA pieces goes to its old ICB's
        # largest piece here.
        known = set(zip(table["icb24_code"], table["sicbl_code"], strict=True))
        largest = table.sort_values("n_lsoas", ascending=False).drop_duplicates("icb24_code")
        fallback = largest.set_index("icb24_code")["sicbl_code"]
        pair = list(zip(members["icb24_code"], members["sicbl_code"], strict=True))
        members["sicbl_code"] = [s if (i, s) in known else fallback.get(i) for i, s in pair]
    counts = members.groupby(keys).agg(
        n_practices=("practice_code", "size"), registered_patients=("registered_patients", "sum")
    )
    table = table.join(counts, on=keys)
    table[["n_practices", "registered_patients"]] = (
        table[["n_practices", "registered_patients"]].fillna(0).astype("int64")
    )
    names = lsoas.drop_duplicates("icb24_code").set_index("icb24_code")
    table["icb24_code_nhs"] = table["icb24_code"].map(names["icb24_code_nhs"])
    table["icb24_name"] = table["icb24_code"].map(names["icb24_name"])
    change = pieces[pieces["icb_code"] == new].set_index("icb24_code")["change"]
    table["change"] = table["icb24_code"].map(change)
    columns = ["icb24_code", "icb24_code_nhs", "icb24_name"]
    if level == "sicbl":
        sub_names = lsoas.drop_duplicates("sicbl_code").set_index("sicbl_code")["sicbl_name"]
        table["sicbl_name"] = table["sicbl_code"].map(sub_names)
        columns += ["sicbl_code", "sicbl_name"]
    columns += ["change", "whole", "n_lsoas", "residents", "n_practices", "registered_patients"]
    table = table.sort_values(["n_lsoas", *keys], ascending=[False, *[True] * len(keys)])
    return table[columns].reset_index(drop=True)


# --------------------------------------------------------------------------- figures


def _flag(value: float, band: tuple[int, int]) -> str:
    return "below" if value < band[0] else "above" if value > band[1] else "within"


def _in_band(sizes: pd.Series, band: tuple[int, int]) -> float:
    if sizes.empty:
        return float("nan")
    return float(((sizes >= band[0]) & (sizes <= band[1])).mean())


def _figures(
    name: str,
    code: str,
    vintage: str,
    member_lsoas: Mapping[str, pd.Series],
    member_practices: Mapping[str, pd.Series],
    need_practices: Mapping[str, pd.Series],
    members: pd.DataFrame,
    bands: Mapping[str, Sequence[int]],
    notes: list[str],
) -> MergeFigures:
    """Figures for each member (its own area and practices) and the merged system.

    ``member_lsoas`` and ``member_practices`` are boolean masks over the national
    tables for each unit, the merged one under ``code``; ``need_practices`` masks the
    merged system's practices by member, for need inside the merged system.
    """
    checked = validate_bands(bands)
    lsoas = read_table("lsoas", vintage=vintage)
    practices = read_table("practices", vintage=vintage)
    weighted = weighted_populations(vintage)
    tier_rows, core_rows, council_rows = [], [], []
    utla_size = lsoas.groupby("utla_code").size()
    ltla_size = lsoas.groupby("ltla_code").size()
    utla_names = lsoas.drop_duplicates("utla_code").set_index("utla_code")["utla_name"]
    for unit, mask in member_lsoas.items():
        role = "merged" if unit == code else "member"
        area = lsoas[mask]
        staff = practices[member_practices[unit]]
        pcn_sizes = staff.dropna(subset=["pcn_code"]).groupby("pcn_code")["registered_patients"]
        councils = area.groupby("utla_code")["population"].sum()
        residents = int(area["population"].sum())
        registered = int(staff["registered_patients"].sum())
        tier_rows.append(
            {
                "role": role,
                "code": unit,
                "residents": residents,
                "registered_patients": registered,
                "n_lsoas": len(area),
                "n_practices": len(staff),
                "n_pcns": int(staff["pcn_code"].nunique()),
                "n_councils": len(councils),
                "ics_band_low": checked["ics"][0],
                "ics_band_high": checked["ics"][1],
                "ics_flag": _flag(registered, checked["ics"]),
                "practices_in_band": _in_band(staff["registered_patients"], checked["practice"]),
                "pcns_in_band": _in_band(pcn_sizes.sum(), checked["pcn"]),
                "councils_in_place_band": _in_band(councils, checked["place"]),
            }
        )
        core = int(area.loc[is_core20(area["imd_decile"]), "population"].sum())
        core_rows.append(
            {
                "role": role,
                "code": unit,
                "residents": residents,
                "core20_residents": core,
                "core20_share": core / residents if residents else float("nan"),
            }
        )
        in_utla = area.groupby("utla_code").size()
        in_ltla = area.groupby("ltla_code").size()
        whole_utla = in_utla.index[
            in_utla.to_numpy() == utla_size.reindex(in_utla.index).to_numpy()
        ]
        whole_ltla = in_ltla.index[
            in_ltla.to_numpy() == ltla_size.reindex(in_ltla.index).to_numpy()
        ]
        split = sorted(utla_names.reindex(in_utla.index.difference(whole_utla)).tolist())
        inside = int(area.loc[area["utla_code"].isin(whole_utla), "population"].sum())
        council_rows.append(
            {
                "role": role,
                "code": unit,
                "n_councils": len(in_utla),
                "n_councils_whole": len(whole_utla),
                "n_districts": len(in_ltla),
                "n_districts_whole": len(whole_ltla),
                "coterminous_share": inside / residents if residents else float("nan"),
                "split_councils": ", ".join(split),
            }
        )

    need = _need_inside(weighted, practices, need_practices, code)
    if need.attrs.get("imputed"):
        notes.append(
            f"{need.attrs['imputed']} practice(s) missing from NHS England's file are counted "
            "at the merged system's average need."
        )
    label = dict(zip(members["member_code"], members["member_name"], strict=True)) | {code: name}

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(frame)
        frame.insert(2, "name", frame["code"].map(label))
        return frame

    return MergeFigures(
        code=code,
        name=name,
        vintage=vintage,
        members=members.reset_index(drop=True),
        tiers=named(pd.DataFrame(tier_rows)),
        need=named(need),
        core20=named(pd.DataFrame(core_rows)),
        councils=named(pd.DataFrame(council_rows)),
        notes=tuple(notes),
    )


def _need_inside(
    weighted: pd.DataFrame,
    practices: pd.DataFrame,
    need_practices: Mapping[str, pd.Series],
    code: str,
) -> pd.DataFrame:
    """Need indices of each member's practices relative to the merged system's."""
    columns = [*(COMPONENT_COLUMNS[c] for c in COMPONENTS), OVERALL_COLUMN]
    merged = practices[need_practices[code]][["practice_code", "registered_patients"]]
    frame = merged.merge(
        weighted[["practice_code", _POPULATION, *columns]], on="practice_code", how="left"
    )
    missing = frame[_POPULATION].isna().to_numpy()
    present = ~missing
    frame.loc[present, columns] = frame.loc[present, columns].fillna(0.0)
    if missing.any():
        # As layers.allocation.practice_frame: a practice new since NHS England's file
        # gets the system's average need for its list.
        listed = frame.loc[missing, "registered_patients"].to_numpy(dtype=float)
        population = frame.loc[present, _POPULATION].sum()
        frame.loc[missing, _POPULATION] = listed
        for column in columns:
            frame.loc[missing, column] = listed * frame.loc[present, column].sum() / population
    rate = frame[columns].sum() / frame[_POPULATION].sum()
    rows = []
    for unit, mask in need_practices.items():
        part = frame[frame["practice_code"].isin(practices.loc[mask, "practice_code"])]
        population = float(part[_POPULATION].sum())
        row = {
            "role": "merged" if unit == code else "member",
            "code": unit,
            "population": population,
            "population_share": population / float(frame[_POPULATION].sum()),
            "fair_share": float(part[OVERALL_COLUMN].sum() / frame[OVERALL_COLUMN].sum()),
        }
        for component, column in [
            *zip(COMPONENTS, columns, strict=False),
            ("overall", OVERALL_COLUMN),
        ]:
            row[f"{component}_index"] = (
                float(part[column].sum() / population / rate[column]) if population else np.nan
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["imputed"] = int(missing.sum())
    return out


def merger_figures(code: str, bands: Mapping[str, Sequence[int]] = DEFAULT_BANDS) -> MergeFigures:
    """What the April 2026 change did to one ICB: each predecessor before, the ICB after.

    A predecessor "before" is its whole 2024 area and all its practices (by their
    2025/26 ICB), including any part that went to another ICB; its need index is
    measured on the practices it brought *into* the merged ICB.

    Parameters
    ----------
    code : str
        A changed 2026 ICB.
    bands : mapping, default :data:`layers.tiers.DEFAULT_BANDS`
        Design bands by tier.

    Returns
    -------
    MergeFigures

    Examples
    --------
    >>> wnl = merger_figures("T04")
    >>> wnl.tiers[["role", "code", "ics_flag"]].to_numpy().tolist()
    [['member', 'E54000027', 'above'], ['member', 'E54000028', 'above'], ['merged', \
'E54000071', 'above']]
    >>> float(wnl.need["population_share"].iloc[:2].sum())
    1.0
    """
    new = _changed_code(code)
    lsoas = read_table("lsoas", vintage=MERGER_VINTAGE)
    practices = read_table("practices", vintage=MERGER_VINTAGE)
    pieces = read_table("icb_pieces", vintage=MERGER_VINTAGE)
    mine = pieces[pieces["icb_code"] == new].sort_values("icb24_code")
    name = str(mine["icb_name"].iloc[0])
    members = pd.DataFrame(
        {
            "member_code": mine["icb24_code"].to_numpy(),
            "member_code_nhs": mine["icb24_code_nhs"].to_numpy(),
            "member_name": mine["icb24_name"].to_numpy(),
            "change": mine["change"].to_numpy(),
        }
    )
    member_lsoas = {m: lsoas["icb24_code"] == m for m in members["member_code"]}
    member_lsoas[new] = lsoas["icb_code"] == new
    member_practices = {m: practices["icb24_code"] == m for m in members["member_code"]}
    member_practices[new] = practices["icb_code"] == new
    need_practices = {
        m: (practices["icb_code"] == new) & (practices["icb24_code"] == m)
        for m in members["member_code"]
    }
    need_practices[new] = practices["icb_code"] == new
    info = get_vintage(MERGER_VINTAGE)
    notes = [
        f"Data: {info.data_line}.",
        "Before: each predecessor ICB's whole April 2024 area and practices (by their "
        "2025/26 ICB); after: the ICB of April 2026. Practice lists are 2026/27 for both.",
        f"Need: NHS England {info.default_allocation_year} weighted populations; each "
        "predecessor's index covers the practices it brought, relative to the merged ICB.",
    ]
    return _figures(
        name, new, MERGER_VINTAGE, member_lsoas, member_practices, need_practices, members,
        bands, notes,
    )  # fmt: skip


def what_if_merge(
    codes: Iterable[str],
    vintage: str,
    bands: Mapping[str, Sequence[int]] = DEFAULT_BANDS,
) -> MergeFigures:
    """Any ICBs of one vintage treated as one hypothetical system, member by member.

    Parameters
    ----------
    codes : iterable of str
        Two or more ICBs of ``vintage`` (any code or name :func:`layers.resolve_ics`
        accepts; duplicates count once).
    vintage : {"2022", "2026"}
        Their vintage; every code must be an ICB of it.
    bands : mapping, default :data:`layers.tiers.DEFAULT_BANDS`

    Returns
    -------
    MergeFigures
        ``code`` is the members' codes joined by ``+`` (sorted); ``name`` their names
        joined by " + ".

    Raises
    ------
    MergeError
        For fewer than two distinct ICBs, an unknown code, or a code of the other
        vintage (the message says which, and what it is in the other vintage).
    layers.vintages.UnknownVintageError
        For an unknown vintage.

    Examples
    --------
    >>> merged = what_if_merge(["QGH", "QWU"], vintage="2022")
    >>> merged.code, merged.tiers["ics_flag"].tolist()
    ('QGH+QWU', ['within', 'within', 'above'])
    >>> what_if_merge(["QGH"], vintage="2022")
    Traceback (most recent call last):
    ...
    layers.mergers.MergeError: A what-if merge needs at least two different ICBs; got QGH.
    """
    vintage = check_vintage(vintage)
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise MergeError("Give the ICBs to merge as a list of codes, e.g. ['QGH', 'QWU'].")
    given = [str(c) for c in codes]
    resolved: list[str] = []
    problems: list[str] = []
    other = "2022" if vintage == "2026" else "2026"
    for query in given:
        try:
            resolved.append(resolve_ics(query, vintage=vintage))
        except (AbolishedCodeError, NewCodeError):
            problems.append(
                f"{query!r} is an ICB of the {other} vintage, not of {vintage}; a what-if "
                "merge takes ICBs of one vintage"
            )
        except ValueError:
            problems.append(f"{query!r} is not an ICB of the {vintage} vintage")
    if problems:
        raise MergeError("Cannot merge: " + "; ".join(problems) + ".")
    chosen = sorted(set(resolved))
    if len(chosen) < 2:
        shown = ", ".join(chosen) if chosen else "none"
        raise MergeError(f"A what-if merge needs at least two different ICBs; got {shown}.")
    lsoas = read_table("lsoas", vintage=vintage)
    practices = read_table("practices", vintage=vintage)
    names = lsoas.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
    code = "+".join(chosen)
    members = pd.DataFrame({"member_code": chosen, "member_name": names.reindex(chosen).tolist()})
    member_lsoas = {m: lsoas["icb_code"] == m for m in chosen}
    member_lsoas[code] = lsoas["icb_code"].isin(chosen)
    member_practices = {m: practices["icb_code"] == m for m in chosen}
    member_practices[code] = practices["icb_code"].isin(chosen)
    info = get_vintage(vintage)
    notes = [
        f"Data: {info.data_line}.",
        "A hypothetical system: each member ICB as it is, against all of them together.",
        f"Need: NHS England {info.default_allocation_year} weighted populations, each "
        "member relative to the merged system.",
    ]
    return _figures(
        " + ".join(members["member_name"]), code, vintage, member_lsoas, member_practices,
        member_practices, members, bands, notes,
    )  # fmt: skip


# --------------------------------------------------------------------------- geometry


def merger_geometry(code: str, detail: str = "light") -> dict[str, gpd.GeoDataFrame]:
    """Shapes for a merger map: the new ICB, its predecessors' outlines, the moved pieces.

    Parameters
    ----------
    code : str
        A changed 2026 ICB.
    detail : {"light", "detail"}
        Geometry level (as :func:`layers.load_system`).

    Returns
    -------
    dict of str to GeoDataFrame (EPSG:4326)
        ``"icb"``: the new ICB (``icb_code``, ``icb_name``); ``"predecessors"``: each
        predecessor's whole 2024 area (``icb24_code``, ``icb24_code_nhs``,
        ``icb24_name``); ``"pieces"``: the new ICB's LSOAs dissolved by predecessor
        (``icb24_code``, ``moved``: True where the LSOAs changed ICB code).

    Examples
    --------
    >>> shapes = merger_geometry("T05")
    >>> len(shapes["predecessors"]), shapes["pieces"]["moved"].tolist()
    (2, [True, True])
    """
    if detail not in ("light", "detail"):
        raise MergeError(f"Unknown detail level {detail!r}; choose 'light' or 'detail'.")
    new = _changed_code(code)
    lsoas = read_table("lsoas", vintage=MERGER_VINTAGE)
    geometry = read_table(f"lsoa_geometry_{detail}", vintage=MERGER_VINTAGE)
    mine = lsoas[lsoas["icb_code"] == new]
    before = lsoas[lsoas["icb24_code"].isin(mine["icb24_code"])]
    shaped = geometry.merge(
        before[["lsoa_code", "icb_code", "icb24_code", "icb_changed"]], on="lsoa_code"
    )
    predecessors = dissolve(shaped[["icb24_code", "geometry"]], "icb24_code")
    names = before.drop_duplicates("icb24_code").set_index("icb24_code")
    predecessors["icb24_code_nhs"] = predecessors["icb24_code"].map(names["icb24_code_nhs"])
    predecessors["icb24_name"] = predecessors["icb24_code"].map(names["icb24_name"])
    inside = shaped[shaped["icb_code"] == new]
    pieces = dissolve(inside[["icb24_code", "geometry"]], "icb24_code")
    pieces["moved"] = pieces["icb24_code"].map(inside.groupby("icb24_code")["icb_changed"].all())
    outline = dissolve(inside.assign(icb_code=new)[["icb_code", "geometry"]], "icb_code")
    outline["icb_name"] = str(mine["icb_name"].iloc[0])
    return {
        "icb": outline[["icb_code", "icb_name", "geometry"]],
        "predecessors": predecessors[["icb24_code", "icb24_code_nhs", "icb24_name", "geometry"]],
        "pieces": pieces[["icb24_code", "moved", "geometry"]],
    }
