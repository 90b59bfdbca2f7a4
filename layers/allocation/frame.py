"""The practice frame that allocation reads: one row per practice of an ICS.

:func:`practice_frame` joins, for every practice of a :class:`~layers.system.System`:

* its tiers (``practice_code``, ``pcn_code``, ``place_code`` and names) from
  :func:`~layers.system.load_system`; practices in no PCN are kept;
* NHS England's weighted populations (``weighted_populations`` table): 2022/23 in the
  2022 vintage; 2026/27, 2027/28 or 2028/29 (``year``) in the 2026 vintage;
* patient-weighted deprivation from :func:`layers.deprivation.practice_deprivation`
  (``core20_share``, and ``imd_decile`` as a float) in the vintage's IMD;
* the practice's *former CCG*, by where its patients live (:func:`practice_former_ccgs`).
  In the 2026 vintage the lineage is the April 2024 sub-ICB location the patients'
  LSOAs belonged to (:attr:`layers.vintages.Vintage.lineage`); the columns keep the
  ``former_ccg_*`` names so that pages work unchanged.

Former CCGs
-----------
The ONS April 2021 LSOA → CCG lookup (``ccg21_code``/``ccg21_name`` in the ``lsoas``
table) already shows three of the seed ICSs as one merged CCG each: NHS North West
London CCG (8 CCGs merged in April 2021), NHS Coventry and Warwickshire CCG (3, April
2021) and NHS Herefordshire and Worcestershire CCG (4, April 2020). NHS England's
2022/23 file has the same merged codes. For those three, :data:`FORMER_CCG_SPLITS` maps
each local authority district to its pre-merger CCG: those CCGs were made of whole
districts, except that NHS West London CCG also held the Queen's Park and Paddington
wards of Westminster, which this district-level split puts in NHS Central London
(Westminster) CCG. Every other LSOA keeps its April 2021 CCG.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.deprivation import practice_deprivation
from layers.vintages import DEFAULT_VINTAGE, get_vintage

from .catalogue import COMPONENT_COLUMNS, OVERALL_COLUMN, POPULATION_COLUMN, _quoted

__all__ = [
    "DEPRIVATION_MEASURES",
    "FORMER_CCG_SPLITS",
    "FRAME_COLUMNS",
    "WEIGHTED_COLUMNS",
    "former_ccg_lookup",
    "practice_former_ccgs",
    "practice_frame",
]

#: NHS England weighted-population columns carried into the frame.
WEIGHTED_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            POPULATION_COLUMN,
            *COMPONENT_COLUMNS.values(),
            OVERALL_COLUMN,
            "wp_primary_medical_care",
        ]
    )
)

# The frame's columns taken as they are from the system's practices table.
_PRACTICE_COLUMNS = (
    "practice_code",
    "practice_name",
    "pcn_code",
    "pcn_name",
    "place_code",
    "place_name",
    "registered_patients",
)

#: Columns of :func:`practice_frame`, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    *_PRACTICE_COLUMNS,
    *WEIGHTED_COLUMNS,
    "wp_imputed",
    "core20_share",
    "imd_decile",
    "deprivation_imputed",
    "former_ccg_code",
    "former_ccg_name",
    "former_ccg_share",
)

#: The frame's deprivation columns an inequality method can read: column → (its
#: ``deprivation_scale``, what it is in words).
DEPRIVATION_MEASURES: dict[str, tuple[str, str]] = {
    "core20_share": ("share", "Core20 share (patients in England's most deprived 20% of LSOAs)"),
    "imd_decile": ("imd_decile", "Patient-weighted IMD 2019 decile"),
}

_UNKNOWN_CCG = ("unknown", "Not known (no patients in English LSOAs)")

_NWL = "NHS North West London CCG"
_CW = "NHS Coventry and Warwickshire CCG"
_HW = "NHS Herefordshire and Worcestershire CCG"

# Each former CCG (ODS code, name) once, with the LAD 2022 districts it covered.
# The seed papers name the mergers: NW London's "eight CCGs" (seeds 000, 001),
# Coventry & Warwickshire's "3 local CCGs" (seed 002), Herefordshire &
# Worcestershire "moving from four CCGs" (seed 004).
_FORMER_CCG_DISTRICTS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    "E38000256": {  # NHS North West London CCG
        ("07P", "NHS Brent CCG"): ("E09000005",),
        ("07W", "NHS Ealing CCG"): ("E09000009",),
        ("08C", "NHS Hammersmith and Fulham CCG"): ("E09000013",),
        ("08E", "NHS Harrow CCG"): ("E09000015",),
        ("08G", "NHS Hillingdon CCG"): ("E09000017",),
        ("07Y", "NHS Hounslow CCG"): ("E09000018",),
        ("08Y", "NHS West London CCG"): ("E09000020",),
        ("09A", "NHS Central London (Westminster) CCG"): ("E09000033",),
    },
    "E38000251": {  # NHS Coventry and Warwickshire CCG
        ("05A", "NHS Coventry and Rugby CCG"): ("E08000026", "E07000220"),
        ("05H", "NHS Warwickshire North CCG"): ("E07000218", "E07000219"),
        ("05R", "NHS South Warwickshire CCG"): ("E07000221", "E07000222"),
    },
    "E38000236": {  # NHS Herefordshire and Worcestershire CCG
        ("05F", "NHS Herefordshire CCG"): ("E06000019",),
        ("05J", "NHS Redditch and Bromsgrove CCG"): ("E07000234", "E07000236"),
        ("06D", "NHS Wyre Forest CCG"): ("E07000239",),
        ("05T", "NHS South Worcestershire CCG"): ("E07000235", "E07000237", "E07000238"),
    },
}
#: Pre-merger CCGs of the CCGs that had already merged by April 2021, by district.
#: Keys: April 2021 CCG code (ONS) → LAD 2022 code → (former CCG ODS code, name).
FORMER_CCG_SPLITS: dict[str, dict[str, tuple[str, str]]] = {
    merged: {district: former for former, districts in by_ccg.items() for district in districts}
    for merged, by_ccg in _FORMER_CCG_DISTRICTS.items()
}


def former_ccg_lookup(
    lsoas: pd.DataFrame,
    splits: Mapping[str, Mapping[str, tuple[str, str]]] = FORMER_CCG_SPLITS,
    columns: tuple[str, str] = ("ccg21_code", "ccg21_name"),
) -> pd.DataFrame:
    """Map each LSOA to its former CCG, splitting CCGs that had merged by April 2021.

    Parameters
    ----------
    lsoas : DataFrame
        ``lsoa_code``, ``ltla_code`` and the two ``columns`` (the ``lsoas`` table).
    splits : mapping, default :data:`FORMER_CCG_SPLITS`
        April 2021 CCG code → district code → (former CCG code, name).
    columns : (str, str), default ("ccg21_code", "ccg21_name")
        The lineage unit's code and name columns: the 2026 vintage uses
        ``("sicbl_code", "sicbl_name")``, its April 2024 sub-ICB locations, with no
        splits.

    Returns
    -------
    DataFrame
        ``lsoa_code``, ``former_ccg_code``, ``former_ccg_name``, ``former_ccg_basis``
        (``"ccg21"``: the April 2021 lookup; ``"district"``: a pre-merger CCG found from
        the LSOA's district).

    Raises
    ------
    ValueError
        If a column is missing, or an LSOA of a split CCG lies in a district the split
        does not cover.

    Examples
    --------
    >>> lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2", "L3"],
    ...     "ltla_code": ["D1", "D2", "D3"], "ccg21_code": ["M", "M", "C"],
    ...     "ccg21_name": ["Merged CCG", "Merged CCG", "Other CCG"]})
    >>> splits = {"M": {"D1": ("01A", "Old One CCG"), "D2": ("02B", "Old Two CCG")}}
    >>> former_ccg_lookup(lsoas, splits)
      lsoa_code former_ccg_code former_ccg_name former_ccg_basis
    0        L1             01A     Old One CCG         district
    1        L2             02B     Old Two CCG         district
    2        L3               C       Other CCG            ccg21
    """
    code_column, name_column = columns
    require_frame(lsoas, ("lsoa_code", "ltla_code", code_column, name_column), "lsoas")
    if not isinstance(splits, Mapping):
        raise TypeError(f"splits must be a mapping, got {type(splits).__name__}")
    ccg = lsoas[code_column].astype(str).to_numpy(dtype=object)
    code = ccg.copy()
    name = lsoas[name_column].astype(str).to_numpy(dtype=object)
    basis = np.full(len(lsoas), "ccg21", dtype=object)
    districts = lsoas["ltla_code"].astype(str).to_numpy(dtype=object)
    for merged, by_district in splits.items():
        rows = np.flatnonzero(ccg == merged)
        if not len(rows):
            continue
        found = [by_district.get(d) for d in districts[rows]]
        lost = sorted({d for d, f in zip(districts[rows], found, strict=True) if f is None})
        if lost:
            raise ValueError(
                f"CCG {merged!r} is split by district, but district(s) {_quoted(lost[:5])} "
                "have no former CCG in the split"
            )
        code[rows] = [f[0] for f in found]
        name[rows] = [f[1] for f in found]
        basis[rows] = "district"
    return pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"].astype(str).to_numpy(dtype=object),
            "former_ccg_code": code,
            "former_ccg_name": name,
            "former_ccg_basis": basis,
        }
    )


def practice_former_ccgs(
    registrations: pd.DataFrame,
    lookup: pd.DataFrame,
    within: pd.Series | list[str] | None = None,
) -> pd.DataFrame:
    """Give each practice the former CCG where most of its patients live (plurality).

    Patients living in ``within`` (the ICS's LSOAs) count first, so a practice near the
    ICS boundary goes to a former CCG of its own ICS; a practice with no patients there
    falls back to all its patients. Ties go to the lower CCG code. Patients in Wales or
    at an unknown address have no CCG; a practice with only such patients gets
    ``"unknown"``.

    Parameters
    ----------
    registrations : DataFrame
        ``practice_code``, ``lsoa_code``, ``patients``.
    lookup : DataFrame
        From :func:`former_ccg_lookup`.
    within : sequence of str, optional
        LSOA codes whose patients count first.

    Returns
    -------
    DataFrame
        One row per practice in ``registrations``, sorted by code: ``practice_code``,
        ``former_ccg_code``, ``former_ccg_name`` and ``former_ccg_share`` (the share of
        the counted patients living in that former CCG, 0-1).

    Examples
    --------
    >>> regs = pd.DataFrame({"practice_code": ["A", "A", "A", "B"],
    ...     "lsoa_code": ["L1", "L2", "L3", "L3"], "patients": [30, 10, 50, 5]})
    >>> lookup = pd.DataFrame({"lsoa_code": ["L1", "L2", "L3"],
    ...     "former_ccg_code": ["C1", "C2", "C3"], "former_ccg_name": ["One", "Two", "Three"],
    ...     "former_ccg_basis": "ccg21"})
    >>> practice_former_ccgs(regs, lookup, within=["L1", "L2"])
      practice_code former_ccg_code former_ccg_name  former_ccg_share
    0             A              C1             One              0.75
    1             B              C3           Three              1.00
    """
    require_frame(registrations, ("practice_code", "lsoa_code", "patients"), "registrations")
    require_frame(lookup, ("lsoa_code", "former_ccg_code", "former_ccg_name"), "lookup")
    practices = pd.Index(registrations["practice_code"].astype(str).unique()).sort_values()
    joined = registrations[["practice_code", "lsoa_code", "patients"]].merge(
        lookup[["lsoa_code", "former_ccg_code", "former_ccg_name"]], on="lsoa_code", how="inner"
    )
    joined["practice_code"] = joined["practice_code"].astype(str)
    joined["inside"] = joined["lsoa_code"].isin(pd.Index(within)) if within is not None else True
    # Use a practice's patients inside the ICS when it has any, else all its patients.
    has_inside = joined.groupby("practice_code")["inside"].transform("any")
    counted = joined[joined["inside"] | ~has_inside]
    totals = counted.groupby(
        ["practice_code", "former_ccg_code", "former_ccg_name"], as_index=False
    )["patients"].sum()
    totals["share"] = totals["patients"] / totals.groupby("practice_code")["patients"].transform(
        "sum"
    )
    totals = totals.sort_values(
        ["practice_code", "patients", "former_ccg_code"], ascending=[True, False, True]
    ).drop_duplicates("practice_code")
    best = totals.set_index("practice_code").reindex(practices)
    return pd.DataFrame(
        {
            "practice_code": practices.to_numpy(dtype=object),
            "former_ccg_code": best["former_ccg_code"].fillna(_UNKNOWN_CCG[0]).to_numpy(object),
            "former_ccg_name": best["former_ccg_name"].fillna(_UNKNOWN_CCG[1]).to_numpy(object),
            "former_ccg_share": best["share"].to_numpy(dtype=float),
        }
    )


def _one_year(weighted: pd.DataFrame, year: str | None, years: tuple[str, ...]) -> pd.DataFrame:
    """The rows of one allocation year (tables without a ``year`` column have one)."""
    if "year" not in weighted.columns:
        if year is not None and year != years[0]:
            raise ValueError(
                f"Allocation year {year!r} is not in this weighted_populations table "
                f"(it holds {years[0]} only)."
            )
        return weighted
    held = sorted(weighted["year"].astype(str).unique())
    chosen = year if year is not None else (years[0] if years[0] in held else held[0])
    if chosen not in held:
        raise ValueError(f"Unknown allocation year {year!r}; choose one of {', '.join(held)}.")
    return weighted[weighted["year"] == chosen]


def practice_frame(
    system: object,
    weighted_populations: pd.DataFrame,
    lsoas: pd.DataFrame,
    splits: Mapping[str, Mapping[str, tuple[str, str]]] = FORMER_CCG_SPLITS,
    year: str | None = None,
) -> pd.DataFrame:
    """Build the practice frame of one ICS for the allocation methods and views.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system` (its ``practices``, ``registrations`` and
        ``lsoas`` are read, never modified); its ``vintage`` says which IMD and lineage
        the ``lsoas`` table has.
    weighted_populations : DataFrame
        The vintage's ``weighted_populations`` table: ``practice_code`` and every
        column of :data:`WEIGHTED_COLUMNS`; in the 2026 vintage also ``year``.
    lsoas : DataFrame
        The vintage's England-wide ``lsoas`` table (``lsoa_code``, ``ltla_code``, the
        lineage columns, ``imd_rank``, ``imd_decile``), so that patients living outside
        the ICS count towards deprivation.
    splits : mapping, default :data:`FORMER_CCG_SPLITS`
        Pre-merger CCGs by district (see :func:`former_ccg_lookup`; 2022 vintage only).
    year : str, optional
        Allocation year when ``weighted_populations`` holds several (a ``year``
        column): ``"2026/27"``, ``"2027/28"`` or ``"2028/29"``; default the vintage's
        first (:attr:`layers.vintages.Vintage.default_allocation_year`).

    Returns
    -------
    DataFrame
        One row per practice of the ICS, sorted by ``practice_code``, with the columns
        of :data:`FRAME_COLUMNS`. Practices in no PCN are kept (``pcn_code`` None).
        A practice missing from NHS England's 2022/23 file (new since) gets ICS-average
        need for its July 2022 list: ``wp_population`` = registered patients and each
        weighted population at the ICS's rate per head; ``wp_imputed`` is True. A
        practice with no patients in English LSOAs gets the ICS's patient-weighted
        mean deprivation and ``deprivation_imputed`` True.

    Raises
    ------
    TypeError
        If ``system`` is not a System-like object or a table is not a DataFrame.
    ValueError
        If a table lacks a column, the year is not in the table, or no practice of the
        ICS has weighted populations.

    Examples
    --------
    >>> from layers import load_system, read_table
    >>> frame = practice_frame(load_system("QWU", vintage="2022"),
    ...     read_table("weighted_populations", vintage="2022"), read_table("lsoas", vintage="2022"))
    >>> len(frame), int(frame["wp_imputed"].sum()), frame["former_ccg_name"].nunique()
    (120, 1, 3)
    >>> tv = load_system("T05", vintage="2026")
    >>> later = practice_frame(tv, read_table("weighted_populations", vintage="2026"),
    ...                        read_table("lsoas", vintage="2026"), year="2028/29")
    >>> len(later), int(later["wp_imputed"].sum()), sorted(later["former_ccg_code"].unique())
    (197, 0, ['10Q', '14Y', '15A', 'D4U1Y'])
    """
    for attribute in ("practices", "registrations", "lsoas"):
        if not isinstance(getattr(system, attribute, None), pd.DataFrame):
            raise TypeError(
                f"system must be a System from layers.load_system (no {attribute!r} table); "
                f"got {type(system).__name__}"
            )
    vintage = get_vintage(getattr(system, "vintage", DEFAULT_VINTAGE))
    lineage = next(iter(vintage.lineage.values()))[:2]
    require_frame(
        weighted_populations, ("practice_code", *WEIGHTED_COLUMNS), "weighted_populations"
    )
    weighted_populations = _one_year(weighted_populations, year, vintage.allocation_years)
    require_frame(
        lsoas,
        ("lsoa_code", "ltla_code", *lineage, "imd_rank", "imd_decile"),
        "lsoas",
    )
    keep = list(_PRACTICE_COLUMNS)
    require_frame(pd.DataFrame(system.practices), keep, "system.practices")
    frame = pd.DataFrame(system.practices[keep]).copy()
    frame["practice_code"] = frame["practice_code"].astype(str)
    frame["pcn_code"] = pd.Series(
        [None if pd.isna(v) else str(v) for v in frame["pcn_code"]], index=frame.index, dtype=object
    )
    frame = frame.sort_values("practice_code").reset_index(drop=True)
    frame = _with_weights(frame, weighted_populations)
    frame = _with_deprivation(frame, practice_deprivation(system.registrations, lsoas, vintage.key))
    lookup = former_ccg_lookup(
        lsoas, splits if vintage.key == "2022" else {}, columns=(lineage[0], lineage[1])
    )
    former = practice_former_ccgs(
        system.registrations, lookup, within=system.lsoas["lsoa_code"].astype(str)
    ).set_index("practice_code")
    for column in ("former_ccg_code", "former_ccg_name", "former_ccg_share"):
        frame[column] = frame["practice_code"].map(former[column])
    frame["former_ccg_code"] = frame["former_ccg_code"].fillna(_UNKNOWN_CCG[0])
    frame["former_ccg_name"] = frame["former_ccg_name"].fillna(_UNKNOWN_CCG[1])
    return frame[list(FRAME_COLUMNS)]


def _with_weights(frame: pd.DataFrame, weighted_populations: pd.DataFrame) -> pd.DataFrame:
    """Join NHS England's weighted populations to the practices.

    A practice missing from them gets ICS-average need for its registered list
    (``wp_imputed``).
    """
    weights = weighted_populations[["practice_code", *WEIGHTED_COLUMNS]].copy()
    weights["practice_code"] = weights["practice_code"].astype(str)
    weights = weights.drop_duplicates("practice_code")
    frame = frame.merge(weights, on="practice_code", how="left", validate="one_to_one")
    missing = frame[POPULATION_COLUMN].isna().to_numpy()
    if missing.all():
        raise ValueError(
            "no practice of this ICS is in weighted_populations; cannot allocate by need"
        )
    # NHS England leaves the maternity weighted population blank for a few tiny practices.
    present = ~missing
    frame.loc[present, list(WEIGHTED_COLUMNS)] = frame.loc[present, list(WEIGHTED_COLUMNS)].fillna(
        0.0
    )
    if missing.any():
        population = frame.loc[present, POPULATION_COLUMN].sum()
        listed = frame.loc[missing, "registered_patients"].to_numpy(dtype=float)
        for column in WEIGHTED_COLUMNS:
            rate = frame.loc[present, column].sum() / population if population > 0 else 1.0
            frame.loc[missing, column] = listed * rate
    frame["wp_imputed"] = missing
    return frame


def _with_deprivation(frame: pd.DataFrame, deprivation: pd.DataFrame) -> pd.DataFrame:
    """Add each practice's Core20 share and IMD decile.

    A practice with no patients in English LSOAs gets the ICS's patient-weighted mean
    (``deprivation_imputed``).
    """
    deprivation["practice_code"] = deprivation["practice_code"].astype(str)
    deprivation = deprivation.set_index("practice_code")
    core20 = frame["practice_code"].map(deprivation["core20_share"]).astype(float)
    decile = frame["practice_code"].map(deprivation["imd_decile"].astype(float)).astype(float)
    unknown = core20.isna().to_numpy() | decile.isna().to_numpy()
    if unknown.any():
        weight = frame["registered_patients"].to_numpy(dtype=float)
        ok = ~unknown
        if ok.any() and weight[ok].sum() > 0:
            core20[unknown] = float(np.average(core20[ok], weights=weight[ok]))
            decile[unknown] = float(np.average(decile[ok], weights=weight[ok]))
        else:
            core20[unknown], decile[unknown] = 0.0, 10.0
    frame["core20_share"] = core20.to_numpy(dtype=float)
    frame["imd_decile"] = decile.to_numpy(dtype=float)
    frame["deprivation_imputed"] = unknown
    return frame
