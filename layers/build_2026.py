"""Build the 2026 vintage's ``geodata/2026/`` tables from ``../shared/data``.

The raw inputs are described in ``../shared/data/vintage2026/README.md``. What is
built, and how:

* ``lsoas``: the 33,755 English LSOAs of 2021 → ICB26 (the derived lookup's resolved
  ``icb26_code``, keyed by ONS code, with the NHS England allocation-file code beside
  it) → sub-ICB and ICB of April 2024 (the lineage) → LAD24 → upper tier (derived
  here, :func:`upper_tier_2024`); IMD 2025 scores, ranks and deciles; Census 2021
  residents in 6 age bands (no single years are invented here).
* ``practices``, ``pcns``: the 6,281 practices of NHS England's 2026/27 file, with
  their coordinates and ICB, and their PCNs from the October 2024 ePCN. Practices in
  no PCN are kept and placed by their ICB.
* ``registrations``: **modelled from July 2022 patterns** (:func:`carry_registrations`,
  :func:`apportion`): each practice's rounded 2026/27 list is spread over 2021 LSOAs in
  the pattern of where its patients lived in July 2022. A practice with no July 2022
  pattern takes the mean pattern of its nearest practices (``pattern_donors``).
* ``weighted_populations``: NHS England 2026/27, 2027/28 and 2028/29, one row per
  practice and ``year``, with the 2022/23 table's column names.
* ``place_presets``, ``icb_codes``, ``icb_pieces``, ``icb_terminated``, geometry.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.ages import BAND_COLUMNS
from layers.build import (
    COMMON_TABLES,
    DETAIL_TOLERANCE_M,
    LIGHT_TOLERANCE_M,
    NEED_COMPONENT_COLUMNS,
    PRACTICE_COLUMNS,
    PRIMARY_CARE_COLUMNS,
    _read_csv,
    _rows,
    finish_tables,
    july_2022_registrations,
    pick_columns,
    short_icb_name,
    simplified_lsoa_geometry,
    tidy_name,
    tidy_pcn_name,
)

__all__ = [
    "ALLOCATION_FILES",
    "N_PATTERN_DONORS",
    "apportion",
    "build_tables_2026",
    "carry_registrations",
    "nearest_donors",
    "upper_tier_2024",
]

#: NHS England weighted-population files of the 2026 vintage, by allocation year.
ALLOCATION_FILES = {
    "2026/27": "vintage2026/allocation/nhse_practice_weighted_populations_2026-27.csv",
    "2027/28": "vintage2026/allocation/nhse_practice_weighted_populations_2027-28.csv",
    "2028/29": "vintage2026/allocation/nhse_practice_weighted_populations_2028-29.csv",
}

#: A practice with no July 2022 pattern takes the mean pattern of this many neighbours.
N_PATTERN_DONORS = 3

# "Registered Patients" is the projected list, the denominator the 2022/23 file calls
# "pop 2022/23"; "Core WP" is 2022/23's "Final WP".
_WEIGHTED_COLUMNS_2026 = {
    "Practice_Code": "practice_code",
    "Registered Patients": "wp_population",
    **NEED_COMPONENT_COLUMNS,
    "Core WP": "wp_core",
    **PRIMARY_CARE_COLUMNS,
    "ICB": "icb_code_nhse",
}

#: The 2022 place presets carried into 2026: 2022 ICB (ODS) → 2026 ICB (ONS). North West
#: London's 8 boroughs become West and North London's 13 (each borough its own place,
#: as the NW London papers named them); BOB's 3 places stay inside Thames Valley, whose
#: East Berkshire districts (from Frimley) fall back to their own unitary authorities.
_PRESET_SUCCESSORS = {
    "QGH": "E54000019",
    "QWU": "E54000018",
    "QU9": "E54000070",
    "QRV": "E54000071",
}
_BOROUGH_PRESET_ICB = "E54000071"

# The four unitary authorities created in April 2023 (Cumbria, North Yorkshire, Somerset).
_UNITARIES_2023 = {"E06000063", "E06000064", "E06000065", "E06000066"}


def upper_tier_2024(lads: pd.DataFrame, lad22_to_utla22: pd.DataFrame) -> pd.DataFrame:
    """Each lower-tier authority of 2024 → its upper-tier authority, derived and checked.

    Derived as the 2022 build's lookup was: a unitary authority, metropolitan district
    or London borough (``E06``, ``E08``, ``E09``) is its own upper tier; a shire district
    (``E07``) keeps its 2022 county. The four unitaries created in April 2023 are their
    own upper tier. Checks: every district has a county, no county abolished in 2023
    remains, and every unitary is its own upper tier in 2022 where it existed.

    Parameters
    ----------
    lads : DataFrame
        ``ltla_code``, ``ltla_name`` (LAD 2024), one row each.
    lad22_to_utla22 : DataFrame
        ``ltla22_code``, ``utla22_code``, ``utla22_name`` (``lookups/lookup_ltla22_utla22.csv``).

    Returns
    -------
    DataFrame
        ``ltla_code``, ``utla_code``, ``utla_name``.

    Raises
    ------
    ValueError
        If a check fails.

    Examples
    --------
    >>> lads = pd.DataFrame({"ltla_code": ["E07000234", "E06000066", "E09000005"],
    ...                      "ltla_name": ["Bromsgrove", "Somerset", "Brent"]})
    >>> old = pd.DataFrame({"ltla22_code": ["E07000234", "E09000005"],
    ...                     "utla22_code": ["E10000034", "E09000005"],
    ...                     "utla22_name": ["Worcestershire", "Brent"]})
    >>> upper_tier_2024(lads, old)["utla_name"].tolist()
    ['Worcestershire', 'Somerset', 'Brent']
    """
    old = lad22_to_utla22.set_index("ltla22_code")
    codes = lads["ltla_code"].astype(str)
    unitary = codes.str[:3].isin(["E06", "E08", "E09"])
    utla_code = codes.where(unitary, codes.map(old["utla22_code"]))
    utla_name = lads["ltla_name"].where(unitary, codes.map(old["utla22_name"]))
    missing = codes[utla_code.isna()]
    if not missing.empty:
        raise ValueError(f"Shire districts of 2024 with no 2022 county: {sorted(missing)}")
    known = unitary & codes.isin(old.index) & ~codes.isin(_UNITARIES_2023)
    if (codes[known].map(old["utla22_code"]) != codes[known]).any():
        raise ValueError("A 2024 unitary authority was not its own upper tier in 2022.")
    if not codes[unitary & ~codes.isin(old.index)].isin(_UNITARIES_2023).all():
        raise ValueError("A 2024 unitary authority is neither in 2022 nor created in 2023.")
    counties = utla_code[~unitary]
    if not counties.str.startswith("E10").all():
        raise ValueError("A shire district's upper tier is not a county (E10).")
    abolished = {"E10000006", "E10000023", "E10000027"}  # Cumbria, N Yorkshire, Somerset
    if counties.isin(abolished).any():
        raise ValueError("A 2024 district still sits in a county abolished in April 2023.")
    return pd.DataFrame(
        {"ltla_code": codes.to_numpy(), "utla_code": utla_code.to_numpy(), "utla_name": utla_name}
    ).reset_index(drop=True)


def carry_registrations(
    registrations: pd.DataFrame, lookup: pd.DataFrame, population21: pd.Series
) -> pd.DataFrame:
    """Carry practice × LSOA 2011 counts to LSOA 2021 through the best-fit lookup.

    An LSOA 2011 that maps to one LSOA 2021 (unchanged, or merged with others) passes
    its count whole; one that was divided passes it to its 2021 pieces in proportion to
    their Census 2021 residents (equal shares where all are empty). Codes the lookup
    does not know (``NO2011``, unknown addresses) pass unchanged.

    Parameters
    ----------
    registrations : DataFrame
        ``practice_code``, ``lsoa_code`` (2011), ``patients``.
    lookup : DataFrame
        ``lsoa11_code``, ``lsoa21_code`` (``vintage2021/lookup_lsoa11_lsoa21_ltla22.csv``).
    population21 : Series
        Census 2021 residents indexed by LSOA 2021 code.

    Returns
    -------
    DataFrame
        ``practice_code``, ``lsoa_code`` (2021), ``patients`` (float: a divided LSOA's
        count is shared), summed per practice and LSOA, sorted. Per practice, the total
        equals the input's.

    Examples
    --------
    ``A`` is unchanged, ``B`` was divided into ``B1`` (30 residents) and ``B2`` (10),
    and ``C`` and ``D`` merged into ``CD``:

    >>> regs = pd.DataFrame({"practice_code": ["P"] * 5,
    ...     "lsoa_code": ["A", "B", "C", "D", "NO2011"], "patients": [10, 8, 3, 1, 2]})
    >>> lookup = pd.DataFrame({"lsoa11_code": ["A", "B", "B", "C", "D"],
    ...                        "lsoa21_code": ["A", "B1", "B2", "CD", "CD"]})
    >>> pop = pd.Series({"A": 100, "B1": 30, "B2": 10, "CD": 50})
    >>> carry_registrations(regs, lookup, pop)
      practice_code lsoa_code  patients
    0             P         A      10.0
    1             P        B1       6.0
    2             P        B2       2.0
    3             P        CD       4.0
    4             P    NO2011       2.0
    """
    pairs = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    weight = pairs["lsoa21_code"].map(population21).fillna(0).astype(float)
    total = weight.groupby(pairs["lsoa11_code"]).transform("sum")
    pieces = pairs.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    pairs = pairs.assign(share=np.where(total > 0, weight / total.where(total > 0), 1.0 / pieces))
    counted = registrations[["practice_code", "lsoa_code", "patients"]].merge(
        pairs, left_on="lsoa_code", right_on="lsoa11_code", how="left"
    )
    unknown = counted["lsoa21_code"].isna()
    counted["lsoa21_code"] = counted["lsoa21_code"].where(~unknown, counted["lsoa_code"])
    counted["patients"] = counted["patients"] * counted["share"].where(~unknown, 1.0)
    carried = counted.groupby(["practice_code", "lsoa21_code"], as_index=False, sort=True)[
        "patients"
    ].sum()
    return carried.rename(columns={"lsoa21_code": "lsoa_code"})[
        ["practice_code", "lsoa_code", "patients"]
    ].astype({"patients": "float64"})


def apportion(shares: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Whole-number counts per practice × LSOA, summing exactly to each practice's total.

    Largest-remainder rounding: each practice's total is shared in proportion to its
    ``weight`` column, rounded down, and the units left over go to the rows with the
    largest remainders (ties: the lower LSOA code). Rows that get 0 are dropped.

    Parameters
    ----------
    shares : DataFrame
        ``practice_code``, ``lsoa_code``, ``weight`` (>= 0, any scale).
    totals : Series of int
        Each practice's total, indexed by practice code; practices with no rows in
        ``shares`` are ignored.

    Returns
    -------
    DataFrame
        ``practice_code``, ``lsoa_code``, ``patients`` (int32), sorted.

    Examples
    --------
    >>> shares = pd.DataFrame({"practice_code": ["P", "P", "P", "Q"],
    ...     "lsoa_code": ["L1", "L2", "L3", "L1"], "weight": [1.0, 1.0, 1.0, 5.0]})
    >>> out = apportion(shares, pd.Series({"P": 10, "Q": 3}))
    >>> out["patients"].tolist(), out.groupby("practice_code")["patients"].sum().tolist()
    ([4, 3, 3, 3], [10, 3])
    """
    frame = shares[["practice_code", "lsoa_code", "weight"]].copy()
    frame = frame[frame["practice_code"].isin(totals.index)]
    if (frame["weight"] < 0).any():
        raise ValueError("apportion: weights must be >= 0.")
    weight_sum = frame.groupby("practice_code")["weight"].transform("sum")
    total = frame["practice_code"].map(totals).astype(float)
    exact = np.where(weight_sum > 0, total * frame["weight"] / weight_sum.where(weight_sum > 0), 0)
    floor = np.floor(exact)
    frame["patients"] = floor.astype(np.int64)
    frame["remainder"] = exact - floor
    left = (totals - frame.groupby("practice_code")["patients"].sum()).reindex(
        frame["practice_code"]
    )
    frame["left"] = left.fillna(0).to_numpy().round().astype(np.int64)
    frame = frame.sort_values(
        ["practice_code", "remainder", "lsoa_code"], ascending=[True, False, True]
    )
    rank = frame.groupby("practice_code").cumcount()
    frame["patients"] += (rank < frame["left"]).astype(np.int64)
    out = frame.loc[frame["patients"] > 0, ["practice_code", "lsoa_code", "patients"]]
    out = out.astype({"patients": "int32"}).sort_values(["practice_code", "lsoa_code"])
    return out.reset_index(drop=True)


def nearest_donors(
    practices: pd.DataFrame, with_pattern: Iterable[str], k: int = N_PATTERN_DONORS
) -> pd.DataFrame:
    """For each practice with no pattern, its ``k`` nearest practices that have one.

    Distances are straight lines between the practices' coordinates in the British
    National Grid (EPSG:27700); ties go to the lower practice code.

    Parameters
    ----------
    practices : DataFrame
        ``practice_code``, ``latitude``, ``longitude`` of every practice.
    with_pattern : iterable of str
        Codes of the practices that have a July 2022 pattern.
    k : int
        Donors per practice.

    Returns
    -------
    DataFrame
        ``practice_code``, ``donor_rank`` (1 = nearest), ``donor_practice_code``,
        ``distance_km``, ``weight`` (1/k: the pattern is the donors' mean).

    Examples
    --------
    >>> practices = pd.DataFrame({"practice_code": ["NEW", "A", "B", "C"],
    ...     "latitude": [52.0, 52.0, 52.0, 52.1], "longitude": [-2.0, -2.01, -1.9, -2.0]})
    >>> nearest_donors(practices, ["A", "B", "C"], k=2)[["donor_practice_code", "donor_rank"]]
      donor_practice_code  donor_rank
    0                   A           1
    1                   B           2
    """
    points = gpd.GeoSeries(
        gpd.points_from_xy(practices["longitude"], practices["latitude"]), crs=4326
    ).to_crs(27700)
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    codes = practices["practice_code"].astype(str).to_numpy()
    has = np.isin(codes, list(with_pattern))
    if has.sum() < k:
        raise ValueError(f"nearest_donors needs at least {k} practices with a pattern.")
    donors_xy, donor_codes = xy[has], codes[has]
    rows = []
    for i in np.flatnonzero(~has):
        distance = np.hypot(*(donors_xy - xy[i]).T)
        order = np.lexsort((donor_codes, distance))[:k]
        for rank, j in enumerate(order, start=1):
            rows.append((codes[i], rank, donor_codes[j], distance[j] / 1000, 1.0 / k))
    return pd.DataFrame(
        rows,
        columns=["practice_code", "donor_rank", "donor_practice_code", "distance_km", "weight"],
    )


def _lsoa_table(source: Path) -> pd.DataFrame:
    lookup = _read_csv(source, "vintage2026/derived/lsoa21_to_icb26_derived.csv", dtype=str)
    codes = _read_csv(source, "vintage2026/derived/icb26_codes.csv", dtype=str)
    utla22 = _read_csv(source, "lookups/lookup_ltla22_utla22.csv", dtype=str)
    imd = _read_csv(source, "vintage2021/imd2025_lsoa21_scores_ranks_deciles.csv")
    census = _read_csv(source, "vintage2026/population/census2021_lsoa21_age6_persons.csv")

    codes = codes.set_index("icb26_code_ons")
    table = pd.DataFrame(
        {
            "lsoa_code": lookup["lsoa21_code"],
            "lsoa_name": lookup["lsoa21_name"],
            "icb_code": lookup["icb26_code"],
            "icb_name": lookup["icb26_code"].map(codes["icb26_name_ons"]).map(short_icb_name),
            "icb_code_nhse": lookup["icb26_code"].map(codes["icb26_code_ods"]),
            "sicbl_code": lookup["sicbl24_code_nhs"],
            "sicbl_name": lookup["sicbl24_name"],
            "ltla_code": lookup["ltla24_code"],
            "ltla_name": lookup["ltla24_name"],
            "icb24_code": lookup["icb24_code"],
            "icb24_code_nhs": lookup["icb24_code_nhs"],
            "icb24_name": lookup["icb24_name"].map(short_icb_name),
        }
    )
    if table[["icb_name", "icb_code_nhse"]].isna().any().any():
        raise ValueError("Some LSOAs' ICB26 codes are not in icb26_codes.csv.")
    table["icb_changed"] = (table["icb_code"] != table["icb24_code"]).to_numpy()
    lads = table[["ltla_code", "ltla_name"]].drop_duplicates("ltla_code")
    table = table.merge(
        upper_tier_2024(lads, utla22), on="ltla_code", how="left", validate="many_to_one"
    )

    imd = pick_columns(
        imd,
        {
            "lsoa21_code": "lsoa_code",
            "IMD_rank": "imd_rank",
            "IMD_decile": "imd_decile",
            "IMD_score": "imd_score",
        },
    )
    table = table.merge(imd, on="lsoa_code", how="left", validate="one_to_one")

    census = census[census["LSOA21CD"].str.startswith("E")].rename(
        columns={"LSOA21CD": "lsoa_code", "total_sum_of_bands": "population"}
    )
    bands = list(BAND_COLUMNS)
    if not (census[bands].sum(axis=1) == census["population"]).all():
        raise ValueError("Census 2021 age bands do not sum to the LSOA total.")
    table = table.merge(
        census[["lsoa_code", "population", *bands]], on="lsoa_code", how="left", validate="1:1"
    )
    if table[["imd_decile", "imd_score", "population"]].isna().any().any():
        raise ValueError("Some LSOAs lack IMD 2025 or Census 2021 population.")
    table[["imd_rank", "population", *bands]] = table[["imd_rank", "population", *bands]].astype(
        "int32"
    )
    table["imd_decile"] = table["imd_decile"].astype("int8")
    table["imd_score"] = table["imd_score"].astype("float64")
    return table.sort_values("lsoa_code").reset_index(drop=True)


def _epcn_links(source: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = source / "vintage2026/primary_care/ePCN_2024-10.xlsx"
    if not path.exists():
        raise FileNotFoundError(f"Raw input {path} is missing; see ../shared/data/README.md.")
    sheets = pd.read_excel(path, sheet_name=["PCNDetails", "PCN Core Partner Details"], dtype=str)
    details = sheets["PCNDetails"]
    links = sheets["PCN Core Partner Details"]
    links.columns = [" ".join(str(c).split()) for c in links.columns]
    active = links[links["Practice to PCN Relationship End Date"].isna()]
    if active["Partner Organisation Code"].duplicated().any():
        raise ValueError("A practice has two active PCN links in the ePCN extract.")
    active = pick_columns(
        active,
        {
            "Partner Organisation Code": "practice_code",
            "PCN Code": "pcn_code",
            "Practice Parent Sub ICB Loc Code": "sicbl_code",
        },
    )
    details = pick_columns(
        details,
        {"PCN Code": "pcn_code", "PCN Name": "pcn_name", "Current Sub ICB Loc Code": "sub"},
    )
    return active, details


def _practice_tables(
    source: Path, lsoas: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    alloc = _read_csv(source, ALLOCATION_FILES["2026/27"], encoding="utf-8-sig", dtype={"ICB": str})
    p2i = _read_csv(source, "vintage2026/derived/practice_to_icb26_2026-27.csv", dtype=str)
    p2i = p2i.set_index("practice_code")
    active, details = _epcn_links(source)
    links = active.set_index("practice_code")
    names = details.set_index("pcn_code")

    code = alloc["Practice_Code"].astype(str)
    list_size = alloc["Registered Patients"].astype(float)
    practices = pd.DataFrame(
        {
            "practice_code": code,
            "practice_name": alloc["GP_Practice_Name"].map(tidy_name),
            "postcode": alloc["Practice_Postcode"],
            "latitude": alloc["Latitude"].astype("float64"),
            "longitude": alloc["Longitude"].astype("float64"),
            "pcn_code": code.map(links["pcn_code"]),
            "icb_code": code.map(p2i["icb26_code_ons"]),
            "icb_code_nhse": alloc["ICB"],
            "sicbl_code": code.map(links["sicbl_code"]).fillna(
                code.map(p2i["sicbl_code_ods_2022"])
            ),
            "registered_patients": list_size.round().astype("int64"),
            "in_epcn": code.isin(links.index).to_numpy(),
            "icb24_code": code.map(p2i["icb25_code_ons"]),
            "list_size_2026_27": list_size,
        }
    )
    practices["pcn_name"] = (
        practices["pcn_code"]
        .map(names["pcn_name"])
        .map(lambda name: tidy_name(name, initials=True))
    )
    if practices[["icb_code", "icb24_code"]].isna().any().any():
        raise ValueError("Practices of the 2026/27 file missing from practice_to_icb26.")
    nhse_of_ons = lsoas.drop_duplicates("icb_code").set_index("icb_code")["icb_code_nhse"]
    if (practices["icb_code"].map(nhse_of_ons) != practices["icb_code_nhse"]).any():
        raise ValueError("A practice's ONS and NHS England ICB codes disagree.")
    # The 2022 columns, with the NHS England ICB code beside the ONS one and the
    # 2024 ICB and 2026/27 list size at the end.
    after_icb = PRACTICE_COLUMNS.index("icb_code") + 1
    practices = practices[
        [
            *PRACTICE_COLUMNS[:after_icb],
            "icb_code_nhse",
            *PRACTICE_COLUMNS[after_icb:],
            "icb24_code",
            "list_size_2026_27",
        ]
    ]

    # A PCN belongs to the ICB26 holding most of its member practices' patients.
    members = practices.dropna(subset=["pcn_code"])
    by_icb = members.groupby(["pcn_code", "icb_code"], as_index=False)["list_size_2026_27"].sum()
    by_icb = by_icb.sort_values(
        ["pcn_code", "list_size_2026_27", "icb_code"], ascending=[True, False, True]
    ).drop_duplicates("pcn_code")
    pcns = pd.DataFrame(
        {
            "pcn_code": by_icb["pcn_code"].to_numpy(),
            "pcn_name": by_icb["pcn_code"].map(names["pcn_name"]).map(tidy_pcn_name).to_numpy(),
            "icb_code": by_icb["icb_code"].to_numpy(),
            "sicbl_code": by_icb["pcn_code"].map(names["sub"]).to_numpy(),
        }
    )
    pcns = pcns.sort_values("pcn_code").reset_index(drop=True)

    registrations, donors = _modelled_registrations(source, practices, lsoas)
    # A practice with no sub-ICB in the ePCN or the 2022 table takes the April 2024
    # sub-ICB where most of its (modelled) patients live.
    home = registrations.merge(lsoas[["lsoa_code", "sicbl_code"]], on="lsoa_code")
    home = home.groupby(["practice_code", "sicbl_code"], as_index=False)["patients"].sum()
    home = home.sort_values(
        ["practice_code", "patients", "sicbl_code"], ascending=[True, False, True]
    ).drop_duplicates("practice_code")
    practices["sicbl_code"] = practices["sicbl_code"].fillna(
        practices["practice_code"].map(home.set_index("practice_code")["sicbl_code"])
    )
    practices = practices.assign(
        pattern_basis=np.where(
            practices["practice_code"].isin(donors["practice_code"]),
            "nearest practices",
            "July 2022 pattern",
        )
    )
    return (
        practices.sort_values("practice_code").reset_index(drop=True),
        pcns,
        registrations,
        donors,
    )


def _modelled_registrations(
    source: Path, practices: pd.DataFrame, lsoas: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    july2022 = july_2022_registrations(source)
    lookup = _read_csv(source, "vintage2021/lookup_lsoa11_lsoa21_ltla22.csv", dtype=str)
    census = _read_csv(source, "vintage2026/population/census2021_lsoa21_age6_persons.csv")
    population21 = census.set_index("LSOA21CD")["total_sum_of_bands"]

    wanted = set(practices["practice_code"])
    july2022 = july2022[july2022["practice_code"].isin(wanted)]
    pattern = carry_registrations(july2022, lookup, population21)
    donors = nearest_donors(practices, set(pattern["practice_code"]))
    borrowed = donors.merge(
        pattern.rename(columns={"practice_code": "donor_practice_code"}), on="donor_practice_code"
    )
    # A donor's pattern counts as shares of its own list, so large donors do not dominate.
    donor_total = borrowed.groupby("donor_practice_code")["patients"].transform("sum")
    borrowed["patients"] = borrowed["weight"] * borrowed["patients"] / donor_total
    borrowed = borrowed.groupby(["practice_code", "lsoa_code"], as_index=False)["patients"].sum()
    shares = pd.concat([pattern, borrowed], ignore_index=True).rename(
        columns={"patients": "weight"}
    )
    totals = practices.set_index("practice_code")["registered_patients"]
    registrations = apportion(shares, totals)
    got = registrations.groupby("practice_code")["patients"].sum().reindex(totals.index).fillna(0)
    if not (got.astype(np.int64) == totals).all():
        raise ValueError("Modelled registrations do not add up to the rounded list sizes.")
    return registrations, donors


def _weighted_populations(source: Path) -> pd.DataFrame:
    parts = []
    for year, relative in ALLOCATION_FILES.items():
        raw = _read_csv(source, relative, encoding="utf-8-sig", dtype={"Practice_Code": str})
        table = raw[list(_WEIGHTED_COLUMNS_2026)].rename(columns=_WEIGHTED_COLUMNS_2026)
        parts.append(table.assign(year=year))
    table = pd.concat(parts, ignore_index=True)
    columns = ["year", *(c for c in table.columns if c != "year")]
    return table[columns].sort_values(["year", "practice_code"]).reset_index(drop=True)


def _place_presets(source: Path, lsoas: pd.DataFrame) -> pd.DataFrame:
    seed = _read_csv(source, "places/seed_place_presets.csv", dtype=str)
    presets = pd.DataFrame(
        {
            "icb_code": seed["icb22_code_h"].map(_PRESET_SUCCESSORS),
            "place_name": seed["place_name"],
            "ltla_code": seed["ltla22_code"],
        }
    )
    boroughs = lsoas.loc[lsoas["icb_code"] == _BOROUGH_PRESET_ICB, ["ltla_code", "ltla_name"]]
    boroughs = boroughs.drop_duplicates("ltla_code")
    boroughs = boroughs[~boroughs["ltla_code"].isin(presets["ltla_code"])]
    presets = pd.concat(
        [
            presets,
            pd.DataFrame(
                {
                    "icb_code": _BOROUGH_PRESET_ICB,
                    "place_name": boroughs["ltla_name"].to_numpy(),
                    "ltla_code": boroughs["ltla_code"].to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )
    own = set(zip(lsoas["icb_code"], lsoas["ltla_code"], strict=True))
    stray = [
        (i, c)
        for i, c in zip(presets["icb_code"], presets["ltla_code"], strict=True)
        if (i, c) not in own
    ]
    if stray:
        raise ValueError(f"Preset districts no longer in their 2026 ICB: {stray}")
    return presets.sort_values(["icb_code", "place_name", "ltla_code"]).reset_index(drop=True)


def _icb_codes(source: Path) -> pd.DataFrame:
    raw = _read_csv(source, "vintage2026/derived/icb26_codes.csv", dtype=str)
    table = pd.DataFrame(
        {
            "icb_code": raw["icb26_code_ons"],
            "icb_code_nhse": raw["icb26_code_ods"],
            "icb_code_ods_alt": raw["icb26_code_ods_alt_reported"],
            "icb_name": raw["icb26_name_ons"].map(short_icb_name),
            "icb_name_nhse": raw["icb26_name_nhse"],
            "region_code": raw["region_code_ods"],
            "region_name": raw["region_name"],
            "status": raw["status"],
            "formed_from": raw["formed_from_icb24"],
        }
    )
    return table.sort_values("icb_code").reset_index(drop=True)


#: The April 2024 ICB's columns, as the derived 2026 files name them.
_ICB24_COLUMNS = {
    "icb24_code": "icb24_code",
    "icb24_code_nhs": "icb24_code_nhs",
    "icb24_name": "icb24_name",
}


def _icb_pieces(source: Path) -> pd.DataFrame:
    raw = _read_csv(source, "vintage2026/derived/icb24_to_icb26_pieces.csv", dtype=str)
    table = pick_columns(
        raw,
        {
            **_ICB24_COLUMNS,
            "icb26_code": "icb_code",
            "icb26_code_ods": "icb_code_nhse",
            "icb26_name": "icb_name",
            "change": "change",
            "sicbl24": "sicbl_codes",
            "lsoa21": "n_lsoas_published",
        },
        icb_names=["icb24_name", "icb_name"],
    )
    table["n_lsoas_published"] = table["n_lsoas_published"].astype("int64")
    return table.sort_values(["icb_code", "icb24_code"]).reset_index(drop=True)


def _icb_terminated(source: Path) -> pd.DataFrame:
    raw = _read_csv(source, "vintage2026/derived/icb24_terminated.csv", dtype=str)
    table = pick_columns(
        raw,
        {**_ICB24_COLUMNS, "ods_code_abolished": "ods_code_abolished", "successors": "successors"},
        icb_names=["icb24_name"],
    )
    table["ods_code_abolished"] = table["ods_code_abolished"].eq("True")
    return table.sort_values("icb24_code", ignore_index=True)


def _check_against_published(
    lsoas: pd.DataFrame, practices: pd.DataFrame, pieces: pd.DataFrame
) -> None:
    """The tables reproduce the counts the derived files publish."""
    counted = lsoas.groupby(["icb24_code", "icb_code"]).size()
    published = pieces.set_index(["icb24_code", "icb_code"])["n_lsoas_published"]
    if not counted.sort_index().equals(published.sort_index()):
        raise ValueError("LSOA counts per ICB24 → ICB26 piece differ from the published pieces.")
    if int(lsoas["icb_changed"].sum()) != 10_207:
        raise ValueError(f"{int(lsoas['icb_changed'].sum())} LSOAs changed ICB, not 10,207.")
    if len(practices) != 6_281 or practices["icb_code"].nunique() != 36:
        raise ValueError("Expected 6,281 practices in 36 ICBs.")


def build_tables_2026(
    source: Path | str, icb_codes: Iterable[str] | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`layers.build.build_tables` for the 2026 vintage.

    Parameters
    ----------
    source, icb_codes
        As for :func:`layers.build.build_tables`; ICBs by their ONS codes (such as
        ``"E54000019"``). Geometry and the registration model run for all of England
        first, then are filtered.

    Returns
    -------
    dict of str to DataFrame
        Keyed by table name (``docs/CONTRACT.md``).
    """
    source = Path(source)
    lsoas = _lsoa_table(source)
    practices, pcns, registrations, donors = _practice_tables(source, lsoas)
    weighted = _weighted_populations(source)
    presets = _place_presets(source, lsoas)
    codes = _icb_codes(source)
    pieces = _icb_pieces(source)
    terminated = _icb_terminated(source)
    _check_against_published(lsoas, practices, pieces)
    raw = gpd.read_file(
        source / "vintage2026/boundaries/lsoa21_bsc_england_27700.gpkg", engine="pyogrio"
    )
    detail = simplified_lsoa_geometry(raw, "LSOA21CD", DETAIL_TOLERANCE_M, repair=True)
    light = simplified_lsoa_geometry(raw, "LSOA21CD", LIGHT_TOLERANCE_M, repair=True)
    if set(detail["lsoa_code"]) != set(lsoas["lsoa_code"]):
        raise ValueError("LSOA 2021 boundaries and the LSOA lookup hold different codes.")

    common = (lsoas, practices, pcns, registrations, weighted, presets, detail, light)
    tables = dict(zip(COMMON_TABLES, common, strict=True)) | {
        "icb_codes": codes,
        "icb_pieces": pieces,
        "icb_terminated": terminated,
        "pattern_donors": donors,
    }
    tables = finish_tables(tables, icb_codes)
    if icb_codes is not None:
        wanted = set(tables["lsoas"]["icb_code"])
        mine = tables["practices"]["practice_code"]
        tables["pattern_donors"] = _rows(donors, donors["practice_code"].isin(mine))
        tables["icb_codes"] = _rows(codes, codes["icb_code"].isin(wanted))
        tables["icb_pieces"] = _rows(pieces, pieces["icb_code"].isin(wanted))
        kept = tables["icb_pieces"]["icb24_code"]
        tables["icb_terminated"] = _rows(terminated, terminated["icb24_code"].isin(kept))
    return tables
