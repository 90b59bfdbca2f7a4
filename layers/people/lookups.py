"""The small tables the engines join to: practice → PCN → place → ICS, LSOA → IMD decile.

They come from the product's own data of the stated vintage, through the same code
as every page: :func:`layers.load_system` decides each practice's PCN and place (a
practice in no PCN is the unit :data:`layers.tiers.NO_PCN_CODE` of its ICS at the PCN
layer, as on the tiers page), and the ``lsoas`` table gives each LSOA's IMD decile.
Geometry is not needed, so the systems are built over point stand-ins for the LSOA
shapes (the dissolves are then instant; no code or key changes).

Known LSOAs are the vintage's English LSOAs, with their decile, plus the Welsh LSOAs
that GP registrations of that vintage name (decile unknown, as in
:mod:`layers.individuals`: IoD2019 covers England only).

Vintages: those of :mod:`layers.vintages`, ``"2022"`` (LSOA 2011, IMD 2019) and
``"2026"`` (LSOA 2021, IMD 2025; registrations modelled from July 2022 patterns).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.geodata import GEOMETRY_TABLES, TABLES, read_table
from layers.people.errors import ExtractError
from layers.people.tiering import model_table
from layers.system import load_system
from layers.tiers import tier_tables, unit_mapping
from layers.vintages import DEFAULT_VINTAGE, VINTAGES

__all__ = [
    "LSOA_YEAR_OF_VINTAGE",
    "VINTAGE_OF_LSOA_YEAR",
    "Lookups",
    "load_lookups",
    "system_tables",
]

#: The LSOA code set of each data vintage (from :mod:`layers.vintages`).
LSOA_YEAR_OF_VINTAGE: Final = MappingProxyType({k: v.lsoa_year for k, v in VINTAGES.items()})
#: The data vintage that fits each LSOA code set.
VINTAGE_OF_LSOA_YEAR: Final = MappingProxyType({y: v for v, y in LSOA_YEAR_OF_VINTAGE.items()})


@dataclass(frozen=True)
class Lookups:
    """Lookups of one vintage, small enough to send to every worker.

    Attributes
    ----------
    vintage : str
        ``"2022"`` or ``"2026"``.
    lsoa_year : int
        The LSOA code set of the vintage.
    practices : pandas.DataFrame
        ``practice_code``, ``pcn_code`` (``NO-PCN`` for practices in no PCN),
        ``place_code``, ``icb_code`` and the names ``practice_name``, ``pcn_name``,
        ``place_name``, ``icb_name``; one row per practice, sorted by code. Row order
        is the practice index the engines use.
    lsoas : pandas.DataFrame
        ``lsoa_code`` and ``imd_decile`` (int8, 0 = unknown), sorted by code.
    model : pandas.DataFrame
        :func:`layers.people.tiering.model_table`.
    """

    vintage: str
    lsoa_year: int
    practices: pd.DataFrame
    lsoas: pd.DataFrame
    model: pd.DataFrame

    def __post_init__(self) -> None:
        if self.practices["practice_code"].duplicated().any():
            raise ValueError("practices has duplicate practice codes")
        if self.lsoas["lsoa_code"].duplicated().any():
            raise ValueError("lsoas has duplicate LSOA codes")


#: The LSOA columns building a system needs (the 91 age columns are not copied 42 times).
_SYSTEM_LSOA_COLUMNS: Final = (
    "lsoa_code",
    "icb_code",
    "icb_name",
    "ltla_code",
    "ltla_name",
    "utla_code",
    "utla_name",
    "population",
    "imd_decile",
)


def system_tables(vintage: str, slim: bool = True) -> dict[str, pd.DataFrame]:
    """The ``geodata/`` tables of a vintage for :func:`layers.load_system`, without shapes.

    LSOA shapes are replaced by points (a system's dissolves are then instant); with
    ``slim`` only the LSOA columns a system's structure needs are kept.

    """
    tables = {
        name: read_table(name, vintage=vintage) for name in TABLES if name not in GEOMETRY_TABLES
    }
    if slim:
        tables["lsoas"] = tables["lsoas"][list(_SYSTEM_LSOA_COLUMNS)]
    codes = tables["lsoas"]["lsoa_code"]
    points = gpd.GeoDataFrame(
        {"lsoa_code": codes.to_numpy()},
        geometry=gpd.points_from_xy(np.zeros(len(codes)), np.zeros(len(codes))),
        crs=4326,
    )
    tables["lsoa_geometry_light"] = points
    return tables


def _practice_units(code: str, tables: dict[str, pd.DataFrame], vintage: str) -> pd.DataFrame:
    system = load_system(code, detail="light", tables=tables, vintage=vintage)
    structure = tier_tables(system)
    out = unit_mapping(structure, "practice").rename(
        columns={"code": "practice_code_", "name": "practice_name"}
    )
    for layer in ("pcn", "place", "ics"):
        mapping = unit_mapping(structure, layer)
        out[f"{'icb' if layer == 'ics' else layer}_code"] = mapping["code"].to_numpy()
        out[f"{'icb' if layer == 'ics' else layer}_name"] = mapping["name"].to_numpy()
    return out.drop(columns="practice_code_")


def load_lookups(
    vintage: str = DEFAULT_VINTAGE, practice_codes: Iterable[str] | None = None
) -> Lookups:
    """Build the lookups of a vintage, for the systems of the practices given.

    Parameters
    ----------
    vintage : {"2022", "2026"}, default :data:`layers.vintages.DEFAULT_VINTAGE`
    practice_codes : iterable of str, optional
        Practices in the extract: only their systems are loaded (all 42 by default).
        Codes the vintage does not know are ignored here (the engines reject their rows).

    Returns
    -------
    Lookups

    Raises
    ------
    ExtractError
        If the vintage is unknown.

    Examples
    --------
    >>> lookups = load_lookups("2022", ["M81062", "M85001"])
    >>> lookups.practices[["practice_code", "icb_code"]].drop_duplicates("icb_code").shape[0]
    1
    >>> lookups.lsoa_year, len(lookups.lsoas) > 32_844
    (2011, True)
    """
    if vintage not in LSOA_YEAR_OF_VINTAGE:
        raise ExtractError(
            f"Unknown data vintage {vintage!r}; choose {' or '.join(LSOA_YEAR_OF_VINTAGE)}."
        )
    tables = system_tables(vintage)
    practice_table = tables["practices"]
    if practice_codes is None:
        icbs = sorted(practice_table["icb_code"].dropna().unique())
    else:
        wanted = practice_table["practice_code"].isin(set(practice_codes))
        icbs = sorted(practice_table.loc[wanted, "icb_code"].dropna().unique())
    try:
        frames = [_practice_units(code, tables, vintage) for code in icbs]
    except KeyError:  # a newer System needs more LSOA columns: build from the full tables
        tables = system_tables(vintage, slim=False)
        frames = [_practice_units(code, tables, vintage) for code in icbs]
    columns = ["practice_code", "pcn_code", "place_code", "icb_code"]
    names = ["practice_name", "pcn_name", "place_name", "icb_name"]
    practices = (
        pd.concat(frames, ignore_index=True)[columns + names]
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns + names})
    )
    practices = practices.sort_values("practice_code").reset_index(drop=True)

    lsoas = tables["lsoas"][["lsoa_code", "imd_decile"]]
    registered = pd.Series(tables["registrations"]["lsoa_code"].unique())
    welsh = registered[registered.str.match(r"^W01\d{6}$")]
    known = pd.DataFrame(
        {
            "lsoa_code": np.concatenate([lsoas["lsoa_code"].to_numpy(), welsh.to_numpy()]),
            "imd_decile": np.concatenate(
                [lsoas["imd_decile"].fillna(0).to_numpy(), np.zeros(len(welsh))]
            ).astype(np.int8),
        }
    )
    known = known.drop_duplicates("lsoa_code").sort_values("lsoa_code").reset_index(drop=True)
    return Lookups(
        vintage=vintage,
        lsoa_year=LSOA_YEAR_OF_VINTAGE[vintage],
        practices=practices.astype(dict.fromkeys(columns + names, object)),
        lsoas=known.astype({"lsoa_code": object}),
        model=model_table(),
    )
