"""Build the compact ``geodata/`` tables from the raw open data in ``../shared/data``.

Run from the repository root::

    python -m layers.build                  # both vintages, into geodata/2022 and geodata/2026
    python -m layers.build --vintage 2026   # one vintage
    python -m layers.build --source DIR --out DIR

The dashboard and the library read only what this writes; nothing reads the raw
folder at run time. :func:`build_tables` returns the tables in memory so that a test
can rebuild one ICS and compare it with the committed files. The 2022 vintage is built
here; the 2026 vintage in :mod:`layers.build_2026`, which shares the geometry helpers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.geodata import TABLES
from layers.geometry import COORDINATE_GRID_DEG, dissolve
from layers.vintages import VINTAGES, check_vintage

__all__ = [
    "COMMON_TABLES",
    "DETAIL_TOLERANCE_M",
    "LIGHT_TOLERANCE_M",
    "NEED_COMPONENT_COLUMNS",
    "PRACTICE_COLUMNS",
    "PRIMARY_CARE_COLUMNS",
    "build_tables",
    "finish_tables",
    "july_2022_registrations",
    "keep_icbs",
    "main",
    "pick_columns",
    "short_icb_name",
    "simplified_lsoa_geometry",
    "tidy_name",
    "tidy_pcn_name",
    "write_tables",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "geodata"

#: Coverage-simplification tolerance (metres, EPSG:27700) for the ICS-zoom geometry.
DETAIL_TOLERANCE_M = 75.0
#: Coverage-simplification tolerance (metres) for the lighter England-view geometry.
LIGHT_TOLERANCE_M = 300.0

_ACRONYMS = {"PCN", "GP", "NHS", "ICB", "CCG", "UK", "HC", "MC", "PMS", "APMS", "GPS", "II"}
_SMALL_WORDS = {"and", "of", "the", "on", "upon", "in", "at", "by", "with", "for"}

#: The tables every vintage has (:data:`layers.geodata.TABLES`) that are built from raw
#: files; the ICB outlines are made from them (:func:`finish_tables`).
COMMON_TABLES = tuple(t for t in TABLES if t != "icb_geometry_light")

#: Columns of the practices table, in order (the 2026 build adds its own codes to these).
PRACTICE_COLUMNS = (
    "practice_code",
    "practice_name",
    "postcode",
    "latitude",
    "longitude",
    "pcn_code",
    "pcn_name",
    "icb_code",
    "sicbl_code",
    "registered_patients",
    "in_epcn",
)

#: NHS England need components named alike in every allocation file, in table order.
NEED_COMPONENT_COLUMNS = {
    "G&A WP": "wp_general_acute",
    "CS WP": "wp_community",
    "MH WP": "wp_mental_health",
    "Mat WP": "wp_maternity",
    "Health Ineq WP": "wp_health_inequalities",
    "Prescr WP": "wp_prescribing",
}
#: Primary medical care weighted populations, named alike in every allocation file.
PRIMARY_CARE_COLUMNS = {
    "Primary Medical Care WP": "wp_primary_medical_care",
    "Final PMC WP": "wp_primary_medical_care_final",
}

_WEIGHTED_COLUMNS = {
    "Practice_Code": "practice_code",
    "Patients": "nhse_patients",
    "pop 2022/23": "wp_population",
    **NEED_COMPONENT_COLUMNS,
    "Final WP": "wp_core",
    **PRIMARY_CARE_COLUMNS,
    "CCG21": "ccg21_code",
}


def tidy_name(name: str | float | None, *, initials: bool = False) -> str | None:
    """Title-case an upper-case NHS organisation name, keeping acronyms.

    A name that is already in mixed case is the source's own casing and is kept as it
    is. In an upper-case name, known acronyms stay upper case, small words are lower
    case, and every other word is capitalised at its first letter, also after a bracket
    or quote. With ``initials`` (PCN names, which are often built from initials), words
    with no vowels (``HH``, ``KWH``, ``WBC``) and one short word in brackets (``(ACF)``)
    stay upper case too; practice names use abbreviations such as ``CTR`` and surnames
    such as ``NG`` that this rule would misread.

    Parameters
    ----------
    name : str or None
        A name such as ``"SOUTH WORCESTERSHIRE PCN"``.
    initials : bool, default False
        Keep words that read as initials upper case.

    Returns
    -------
    str or None
        The tidied name, or ``None`` for a missing name.

    Examples
    --------
    >>> tidy_name("EVESHAM AND PERSHORE PCN")
    'Evesham and Pershore PCN'
    >>> tidy_name("ST. JOHN'S HOUSE GP SURGERY")
    "St. John's House GP Surgery"
    >>> tidy_name("THE WBC (HEREFORD CITY) PCN", initials=True)
    'The WBC (Hereford City) PCN'
    >>> tidy_name("BRENT WEST KWH PCN", initials=True), tidy_name("SOUTH (IW) PCN", initials=True)
    ('Brent West KWH PCN', 'South (IW) PCN')
    >>> tidy_name("HH COLLABORATIVE PCN", initials=True), tidy_name("Dr Knowles' Surgery")
    ('HH Collaborative PCN', "Dr Knowles' Surgery")
    >>> tidy_name("HONITON/OTTERY/SID VALLEY")
    'Honiton/Ottery/Sid Valley'
    >>> tidy_name("DRS LAMBERT & NG"), tidy_name("ULVERSTON HEALTH CENTRE (MURRAY)")
    ('Drs Lambert & Ng', 'Ulverston Health Centre (Murray)')
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    text = str(name).strip()
    if any(ch.islower() for ch in text):
        return text  # mixed case: the source's own casing
    out = []
    for i, word in enumerate(text.split()):
        bare = re.sub(r"[^A-Za-z]", "", word).upper()
        bracketed = word.startswith("(") and word.endswith(")") and len(bare) <= 3
        if bare in _ACRONYMS or (initials and (_is_initials(bare) or bracketed)):
            out.append(word.upper())
        elif i > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("".join(_capitalise(part) for part in re.split(r"([-/])", word)))
    return " ".join(out)


def tidy_pcn_name(name: str | float | None) -> str | None:
    """A PCN's name, tidied with initials kept (see :func:`tidy_name`)."""
    return tidy_name(name, initials=True)


#: Short words with no vowels that are abbreviations read as words, not initials.
_NOT_INITIALS = {"ST", "DR", "MR", "MRS", "MS", "SQ", "RD", "ND", "TH", "LTD", "Y"}


def _is_initials(bare: str) -> bool:
    """Whether an upper-case word is a run of initials (letters, no vowels: "HH", "KWH")."""
    return len(bare) >= 2 and bare not in _NOT_INITIALS and not re.search(r"[AEIOUY]", bare)


def _capitalise(word: str) -> str:
    """Lower case, the first letter upper after any opening punctuation.

    Examples
    --------
    >>> _capitalise("(HEREFORD"), _capitalise("1ST"), _capitalise("O'NEILL")
    ('(Hereford', '1st', "O'neill")
    """
    return re.sub(r"^([^A-Za-z0-9]*)([a-z])", lambda m: m[1] + m[2].upper(), word.lower())


def short_icb_name(name: str) -> str:
    """Drop the "NHS … Integrated Care Board" wrapper from an ICB name.

    Examples
    --------
    >>> short_icb_name("NHS Herefordshire and Worcestershire Integrated Care Board")
    'Herefordshire and Worcestershire'
    """
    return re.sub(r"^NHS\s+|\s+Integrated Care Board$", "", name.strip())


def pick_columns(
    table: pd.DataFrame, columns: dict[str, str], *, icb_names: Iterable[str] = ()
) -> pd.DataFrame:
    """Keep only the named columns of a raw table, renamed, in the order given.

    Parameters
    ----------
    table : DataFrame
        A raw source table.
    columns : dict
        Source column name → our column name.
    icb_names : iterable of str, optional
        Our columns that hold ICB names, shortened with :func:`short_icb_name`.

    Returns
    -------
    DataFrame
        One column per entry of ``columns``.

    Raises
    ------
    KeyError
        If a source column is missing.

    Examples
    --------
    >>> raw = pd.DataFrame({"PRACTICE_CODE": ["A81001"], "X": [1], "ICB_CODE": ["QHM"]})
    >>> pick_columns(raw, {"ICB_CODE": "icb_code", "PRACTICE_CODE": "practice_code"})
      icb_code practice_code
    0      QHM        A81001
    """
    picked = table[list(columns)].rename(columns=columns)
    for column in icb_names:
        picked[column] = picked[column].map(short_icb_name)
    return picked


def _read_csv(source: Path, relative: str, **kwargs) -> pd.DataFrame:
    path = source / relative
    if not path.exists():
        raise FileNotFoundError(
            f"Raw input {path} is missing; the build reads ../shared/data (see its README)."
        )
    return pd.read_csv(path, **kwargs)


def _lsoa_table(source: Path) -> pd.DataFrame:
    icb = _read_csv(source, "lookups/lookup_lsoa11_sicbl22_icb22_ltla22.csv", dtype=str)
    utla = _read_csv(source, "lookups/lookup_ltla22_utla22.csv", dtype=str)
    ccg = _read_csv(source, "lookups/lookup_lsoa11_ccg21_stp21_ltla21.csv", dtype=str)
    imd = _read_csv(source, "deprivation/imd2019_lsoa11_ranks_deciles.csv")
    indicators = _read_csv(
        source,
        "deprivation/imd2019_lsoa11_indicators.csv",
        usecols=["lsoa11_code", "road_distance_to_a_gp_surgery_indicator_km"],
    )
    population = _read_csv(source, "population/population_mid2020_lsoa11_syoa_persons.csv")

    table = pick_columns(
        icb,
        {
            "lsoa11_code": "lsoa_code",
            "lsoa11_name": "lsoa_name",
            "icb22_code_h": "icb_code",
            "icb22_name": "icb_name",
            "sicbl22_code_h": "sicbl_code",
            "ltla22_code": "ltla_code",
            "ltla22_name": "ltla_name",
        },
        icb_names=["icb_name"],
    )
    table = table.merge(
        pick_columns(
            utla,
            {"ltla22_code": "ltla_code", "utla22_code": "utla_code", "utla22_name": "utla_name"},
        ),
        on="ltla_code",
        how="left",
        validate="many_to_one",
    )
    if table["utla_code"].isna().any():
        missing = sorted(table.loc[table["utla_code"].isna(), "ltla_code"].unique())
        raise ValueError(f"LAD 2022 codes with no upper-tier authority: {missing}")

    ccg = pick_columns(
        ccg,
        {
            "lsoa11_code": "lsoa_code",
            "ccg21_code": "ccg21_code",
            "ccg21_name": "ccg21_name",
            "stp21_code": "stp21_code",
            "stp21_name": "stp21_name",
        },
    )
    table = table.merge(ccg, on="lsoa_code", how="left", validate="one_to_one")

    imd = pick_columns(
        imd, {"lsoa11_code": "lsoa_code", "IMD_rank": "imd_rank", "IMD_decile": "imd_decile"}
    )
    table = table.merge(imd, on="lsoa_code", how="left", validate="one_to_one")
    indicators = indicators.rename(
        columns={
            "lsoa11_code": "lsoa_code",
            "road_distance_to_a_gp_surgery_indicator_km": "gp_distance_km",
        }
    )
    table = table.merge(indicators, on="lsoa_code", how="left", validate="one_to_one")

    ages = population.drop(columns=["lsoa11_name"]).rename(
        columns={"lsoa11_code": "lsoa_code", "total_population": "population", "90+": "90"}
    )
    age_columns = {str(a): f"age_{a}" for a in range(91)}
    ages = ages.rename(columns=age_columns)
    count_columns = [*age_columns.values(), "population"]
    ages[count_columns] = ages[count_columns].astype("int32")
    if not (ages[list(age_columns.values())].sum(axis=1) == ages["population"]).all():
        raise ValueError("Single-year ages do not sum to the LSOA total population.")
    table = table.merge(ages, on="lsoa_code", how="left", validate="one_to_one")
    if table[["imd_decile", "population"]].isna().any().any():
        raise ValueError("Some LSOAs lack IMD 2019 or mid-2020 population.")
    table["imd_rank"] = table["imd_rank"].astype("int32")
    table["imd_decile"] = table["imd_decile"].astype("int8")
    return table.sort_values("lsoa_code").reset_index(drop=True)


def july_2022_registrations(source: Path) -> pd.DataFrame:
    """NHS Digital's patients registered at each practice by LSOA 2011, July 2022.

    The raw file with ``practice_code``, ``lsoa_code`` and ``patients`` named so; both
    vintages start from it (the 2026 vintage carries it to LSOA 2021).
    """
    return pd.read_parquet(source / "primary_care/gp-reg-pat-prac-lsoa-all_2022-07.parquet").rename(
        columns={
            "OrganisationCode": "practice_code",
            "LSOA11CD": "lsoa_code",
            "Patient": "patients",
        }
    )


def _practice_tables(source: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    registrations = july_2022_registrations(source)[["practice_code", "lsoa_code", "patients"]]
    registrations["patients"] = registrations["patients"].astype("int32")
    registrations = registrations.sort_values(["practice_code", "lsoa_code"]).reset_index(drop=True)

    links = _read_csv(source, "primary_care/practice_pcn_subicb_icb_2022.csv", dtype=str)
    epraccur = _read_csv(source, "primary_care/epraccur_2022-06.csv", dtype=str).set_index(
        "ORG_CODE"
    )
    coords = _read_csv(source, "primary_care/practice_coords_2022.csv", dtype={"ORG_CODE": str})
    coords = coords.drop_duplicates("ORG_CODE").set_index("ORG_CODE")

    list_sizes = registrations.groupby("practice_code")["patients"].sum()
    practices = pd.DataFrame(
        {
            "practice_code": list_sizes.index,
            "registered_patients": list_sizes.to_numpy().astype("int64"),
        }
    )
    links = links.set_index("PRACTICE_CODE")
    in_epcn = practices["practice_code"].isin(links.index)
    practices["in_epcn"] = in_epcn.to_numpy()
    code = practices["practice_code"]
    practices["pcn_code"] = code.map(links["PCN_CODE"])
    practices["pcn_name"] = code.map(links["PCN_NAME"]).map(tidy_pcn_name)
    # A practice in no PCN is placed by its commissioner, as the data README asks.
    practices["icb_code"] = code.map(links["ICB_CODE"]).fillna(
        code.map(epraccur["HIGH_LEVEL_HEALTH_GEOGRAPHY"])
    )
    practices["sicbl_code"] = code.map(links["PRACTICE_SUB_ICB_CODE"]).fillna(
        code.map(epraccur["COMMISSIONER"])
    )
    practices["practice_name"] = (
        code.map(epraccur["NAME"]).fillna(code.map(links["PRACTICE_NAME"])).map(tidy_name)
    )
    practices["postcode"] = code.map(epraccur["POSTCODE"]).fillna(code.map(coords["POSTCODE"]))
    practices["latitude"] = code.map(coords["LATITUDE"]).astype("float64")
    practices["longitude"] = code.map(coords["LONGITUDE"]).astype("float64")
    if practices["icb_code"].isna().any():
        raise ValueError(
            "Practices with no ICB: "
            + ", ".join(practices.loc[practices.icb_code.isna(), "practice_code"])
        )
    practices = (
        practices[list(PRACTICE_COLUMNS)].sort_values("practice_code").reset_index(drop=True)
    )

    pcns = (
        links.reset_index()[["PCN_CODE", "PCN_NAME", "ICB_CODE", "PCN_SUB_ICB_CODE"]]
        .drop_duplicates("PCN_CODE")
        .rename(
            columns={
                "PCN_CODE": "pcn_code",
                "PCN_NAME": "pcn_name",
                "ICB_CODE": "icb_code",
                "PCN_SUB_ICB_CODE": "sicbl_code",
            }
        )
        .sort_values("pcn_code")
        .reset_index(drop=True)
    )
    pcns["pcn_name"] = pcns["pcn_name"].map(tidy_pcn_name)
    return practices, pcns, registrations


def _weighted_populations(source: Path) -> pd.DataFrame:
    raw = _read_csv(
        source,
        "allocation/nhse_practice_weighted_populations_2022-23.csv",
        dtype={"Practice_Code": str, "CCG21": str},
    )
    table = raw[list(_WEIGHTED_COLUMNS)].rename(columns=_WEIGHTED_COLUMNS)
    table["nhse_patients"] = table["nhse_patients"].astype("int64")
    return table.sort_values("practice_code").reset_index(drop=True)


def simplified_lsoa_geometry(
    raw: gpd.GeoDataFrame, code_column: str, tolerance_m: float, repair: bool = False
) -> gpd.GeoDataFrame:
    """Coverage-simplify England's LSOAs in EPSG:27700, then snap to the 1e-5° grid.

    Parameters
    ----------
    raw : GeoDataFrame
        Every English LSOA, in EPSG:27700.
    code_column : str
        The LSOA code column of ``raw`` (``LSOA11CD`` or ``LSOA21CD``).
    tolerance_m : float
        :data:`DETAIL_TOLERANCE_M` or :data:`LIGHT_TOLERANCE_M`.
    repair : bool, default False
        Make polygons that simplification or reprojection left invalid valid before
        snapping (the 2021 super-generalised LSOAs need it at 300 m; the 2022 build,
        whose output is committed, does not).

    Returns
    -------
    GeoDataFrame
        ``lsoa_code`` and geometry in EPSG:4326, sorted by code.
    """
    if raw.crs is None or raw.crs.to_epsg() != 27700:
        raise ValueError(f"Expected LSOA boundaries in EPSG:27700, got {raw.crs}.")
    # Simplify the whole coverage at once so that shared edges stay shared.
    simplified = shapely.coverage_simplify(raw.geometry.to_numpy(), tolerance_m)
    wgs84 = gpd.GeoSeries(simplified, crs=27700).to_crs(4326).to_numpy()
    if repair:
        invalid = ~shapely.is_valid(wgs84)
        wgs84[invalid] = shapely.make_valid(wgs84[invalid])
    snapped = shapely.set_precision(wgs84, COORDINATE_GRID_DEG)
    snapped = shapely.make_valid(snapped)
    if shapely.is_empty(snapped).any():
        raise ValueError(f"Simplifying at {tolerance_m} m emptied some LSOAs.")
    frame = gpd.GeoDataFrame({"lsoa_code": raw[code_column].to_numpy()}, geometry=snapped, crs=4326)
    return frame.sort_values("lsoa_code").reset_index(drop=True)


def _simplified_geometry(source: Path, tolerance_m: float) -> gpd.GeoDataFrame:
    raw = gpd.read_file(source / "boundaries/lsoa11_bgc_england_27700.gpkg", engine="pyogrio")
    return simplified_lsoa_geometry(raw, "LSOA11CD", tolerance_m)


def _icb_geometry(lsoas: pd.DataFrame, geometry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    joined = geometry.merge(lsoas[["lsoa_code", "icb_code", "icb_name"]], on="lsoa_code")
    return dissolve(joined, ["icb_code", "icb_name"], overlay=True)


def build_tables(
    source: Path | str = DEFAULT_SOURCE,
    icb_codes: Iterable[str] | None = None,
    vintage: str = "2022",
) -> dict[str, pd.DataFrame]:
    """Read the raw data and return every ``geodata/<vintage>/`` table in memory.

    Parameters
    ----------
    source : path
        The raw data folder (``../shared/data``).
    icb_codes : iterable of str, optional
        Keep only rows belonging to these ICBs (codes as the vintage keys them: ``"QGH"``
        in 2022, ``"E54000019"`` in 2026). Geometry is still simplified for all of
        England first, because coverage simplification of a subset would treat its
        outer edge differently; the result is then filtered.
    vintage : {"2022", "2026"}
        Which vintage to build (2026: :func:`layers.build_2026.build_tables_2026`).

    Returns
    -------
    dict of str to DataFrame
        Keyed by table name, as listed in ``docs/CONTRACT.md``.
    """
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"Raw data folder {source} does not exist.")
    if check_vintage(vintage) == "2026":
        from layers.build_2026 import build_tables_2026

        return build_tables_2026(source, icb_codes)
    lsoas = _lsoa_table(source)
    practices, pcns, registrations = _practice_tables(source)
    weighted = _weighted_populations(source)
    presets = pick_columns(
        _read_csv(source, "places/seed_place_presets.csv", dtype=str),
        {"icb22_code_h": "icb_code", "place_name": "place_name", "ltla22_code": "ltla_code"},
    )
    detail = _simplified_geometry(source, DETAIL_TOLERANCE_M)
    light = _simplified_geometry(source, LIGHT_TOLERANCE_M)

    common = (lsoas, practices, pcns, registrations, weighted, presets, detail, light)
    return finish_tables(dict(zip(COMMON_TABLES, common, strict=True)), icb_codes)


def finish_tables(
    tables: dict[str, pd.DataFrame], icb_codes: Iterable[str] | None
) -> dict[str, pd.DataFrame]:
    """Keep only some ICBs (all when ``icb_codes`` is None) and add the ICB outlines.

    Only the :data:`COMMON_TABLES` are cut to the ICBs (:func:`keep_icbs`); a vintage's
    own tables pass through for its builder to filter.
    """
    if icb_codes is not None:
        tables = keep_icbs(tables, icb_codes)
    tables["icb_geometry_light"] = _icb_geometry(tables["lsoas"], tables["lsoa_geometry_light"])
    return tables


def keep_icbs(tables: dict[str, pd.DataFrame], icb_codes: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Keep only the rows of some ICBs in the tables every vintage has.

    LSOAs, practices, PCNs and place presets by ``icb_code``; registrations and
    weighted populations by the kept practices; geometry by the kept LSOAs. Other
    tables pass through for the caller to filter.

    Raises
    ------
    ValueError
        For a code that is not an ICB of the tables.
    """
    wanted = set(icb_codes)
    unknown = wanted - set(tables["lsoas"]["icb_code"])
    if unknown:
        raise ValueError(f"Unknown ICB codes: {sorted(unknown)}")
    out = dict(tables)
    for name in ("lsoas", "practices", "pcns", "place_presets"):
        out[name] = _rows(tables[name], tables[name]["icb_code"].isin(wanted))
    kept = out["practices"]["practice_code"]
    for name in ("registrations", "weighted_populations"):
        out[name] = _rows(tables[name], tables[name]["practice_code"].isin(kept))
    for name in ("lsoa_geometry_detail", "lsoa_geometry_light"):
        out[name] = _rows(tables[name], tables[name]["lsoa_code"].isin(out["lsoas"]["lsoa_code"]))
    return out


def _rows(table: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    return table[keep].reset_index(drop=True)


_MANIFEST_VINTAGE = {
    "2022": "July 2022 (ICBs as at 1 July 2022; LSOA 2011; IMD 2019; ONS mid-2020)",
    "2026": (
        "April 2026 (36 ICBs as at 1 April 2026; LSOA 2021; IMD 2025; Census 2021 in 6 age "
        "bands; NHS England 2026/27-2028/29; registrations modelled from July 2022 patterns)"
    ),
}


def write_tables(
    tables: dict[str, pd.DataFrame], out: Path | str = DEFAULT_OUT / "2022", vintage: str = "2022"
) -> dict:
    """Write one vintage's tables as zstd-compressed (Geo)Parquet and a ``manifest.json``.

    Parameters
    ----------
    tables : dict of str to DataFrame
        From :func:`build_tables`.
    out : path
        The vintage's folder, e.g. ``geodata/2026``.
    vintage : {"2022", "2026"}

    Returns
    -------
    dict
        The manifest: row counts and file sizes per table.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "vintage": _MANIFEST_VINTAGE[check_vintage(vintage)],
        "detail_tolerance_m": DETAIL_TOLERANCE_M,
        "light_tolerance_m": LIGHT_TOLERANCE_M,
        "tables": {},
    }
    for name, table in tables.items():
        path = out / f"{name}.parquet"
        if isinstance(table, gpd.GeoDataFrame):
            table.to_parquet(path, compression="zstd", index=False, write_covering_bbox=False)
        else:
            table.to_parquet(path, compression="zstd", index=False)
        manifest["tables"][name] = {"rows": len(table), "bytes": path.stat().st_size}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build every table and print a size summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="geodata/ root")
    parser.add_argument("--vintage", choices=[*VINTAGES, "all"], default="all")
    args = parser.parse_args(argv)
    for vintage in VINTAGES if args.vintage == "all" else [args.vintage]:
        started = time.perf_counter()
        tables = build_tables(args.source, vintage=vintage)
        manifest = write_tables(tables, args.out / vintage, vintage)
        total = sum(t["bytes"] for t in manifest["tables"].values())
        print(f"vintage {vintage}")
        for name, info in manifest["tables"].items():
            print(f"{name:24s} {info['rows']:>9,d} rows {info['bytes'] / 1e6:7.2f} MB")
        elapsed = time.perf_counter() - started
        print(f"{'total':24s} {'':>14s} {total / 1e6:7.2f} MB in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
