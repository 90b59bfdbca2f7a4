"""A hand-built toy geography with known overlaps, for examples and tests.

Four square LSOAs in two local authorities and two ICBs (BNG metres)::

    y 2km +------+
          |  L3  |               LA B "Fieldshire" = L3 + L4 (L4 is 9 km², rural)
    y 1km +------+------+        LA A "Townham"    = L1 + L2 (town)
          |  L1  |  L2  |  +-----------+ L4 (x 2-5 km, y 0-3 km)
    y 0   +------+------+  ...
          x 0    1      2  km

ICB QAA = L1, L2, L3; ICB QBB = L4. Both authorities sit in one county (UTLA
E10000001). Practices A00001 and A00002 form PCN U00001, A00003 is PCN U00002,
A00004 is in no PCN, A00005 (ICB QBB) is PCN U00003.
"""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

__all__ = ["ToyGeography", "toy_figures", "toy_geography"]

_X0, _Y0 = 400_000.0, 300_000.0
_KM = 1_000.0


class ToyGeography(NamedTuple):
    """Tables of the toy geography, shaped like the ``geodata/`` tables."""

    registrations: pd.DataFrame
    lsoas: pd.DataFrame
    practices: pd.DataFrame
    lsoa_geometry: gpd.GeoDataFrame
    footprints: gpd.GeoDataFrame
    places: pd.DataFrame


def _square(x0: float, y0: float, x1: float, y1: float):
    return box(_X0 + x0 * _KM, _Y0 + y0 * _KM, _X0 + x1 * _KM, _Y0 + y1 * _KM)


def toy_geography() -> ToyGeography:
    """Return the toy geography.

    Returns
    -------
    ToyGeography
        ``registrations`` (practice_code, lsoa_code, patients; one Welsh and one
        unknown residence), ``lsoas``, ``practices`` (pcn_code None for A00004),
        ``lsoa_geometry`` and PCN ``footprints`` (EPSG:27700), and ``places``
        (icb_code, place_name, ltla_code).

    Examples
    --------
    >>> toy = toy_geography()
    >>> int(toy.registrations["patients"].sum()), len(toy.lsoas), len(toy.practices)
    (3550, 4, 5)
    """
    registrations = pd.DataFrame(
        [
            ("A00001", "E01000001", 600),
            ("A00001", "E01000002", 300),
            ("A00001", "E01000003", 100),
            ("A00002", "E01000001", 200),
            ("A00002", "E01000002", 200),
            ("A00003", "E01000002", 600),
            ("A00003", "E01000003", 100),
            ("A00003", "E01000004", 300),
            ("A00004", "E01000001", 80),
            ("A00004", "W01000001", 15),
            ("A00004", "NO2011", 5),
            ("A00005", "E01000002", 50),
            ("A00005", "E01000003", 300),
            ("A00005", "E01000004", 700),
        ],
        columns=["practice_code", "lsoa_code", "patients"],
    )
    lsoas = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004"],
            "icb_code": ["QAA", "QAA", "QAA", "QBB"],
            "icb_name": ["Alpha", "Alpha", "Alpha", "Beta"],
            "ltla_code": ["E07000001", "E07000001", "E07000002", "E07000002"],
            "ltla_name": ["Townham", "Townham", "Fieldshire", "Fieldshire"],
            "utla_code": ["E10000001"] * 4,
            "utla_name": ["Shire County"] * 4,
            "population": [1000, 1200, 600, 900],
            "ccg21_code": ["E38000001", "E38000001", "E38000002", "E38000002"],
            "ccg21_name": ["NHS Town CCG", "NHS Town CCG", "NHS Field CCG", "NHS Field CCG"],
            "stp21_code": ["E54000001"] * 4,
            "stp21_name": ["Shire STP"] * 4,
        }
    )
    practices = pd.DataFrame(
        {
            "practice_code": ["A00001", "A00002", "A00003", "A00004", "A00005"],
            "pcn_code": ["U00001", "U00001", "U00002", None, "U00003"],
            "icb_code": ["QAA", "QAA", "QAA", "QAA", "QBB"],
        }
    )
    squares = [_square(0, 0, 1, 1), _square(1, 0, 2, 1), _square(0, 1, 1, 2), _square(2, 0, 5, 3)]
    lsoa_geometry = gpd.GeoDataFrame(
        {"lsoa_code": lsoas["lsoa_code"]}, geometry=squares, crs="EPSG:27700"
    )
    footprints = gpd.GeoDataFrame(
        {"unit_code": ["U00001", "U00002", "U00003"]},
        geometry=[
            squares[0],
            squares[1].union(squares[3]),
            squares[2].union(squares[3]),
        ],
        crs="EPSG:27700",
    )
    places = pd.DataFrame(
        {
            "icb_code": ["QAA", "QAA"],
            "place_name": ["Town", "Country"],
            "ltla_code": ["E07000001", "E07000002"],
        }
    )
    return ToyGeography(registrations, lsoas, practices, lsoa_geometry, footprints, places)


def toy_figures(threshold: float = 0.9) -> dict[str, pd.DataFrame]:
    """Every alignment table of the toy ICB QAA, area-based tables included.

    :func:`layers.alignment.alignment_figures` on :func:`toy_geography` (lower-tier
    authorities, the toy's two places), for examples of what reads those tables.

    Examples
    --------
    >>> figures = toy_figures()
    >>> figures["straddling_units"]["unit_code"].tolist(), "area_shares" in figures
    (['U00002', 'A00004'], True)
    """
    from layers.alignment.area import authority_polygons
    from layers.alignment.summary import alignment_figures

    toy = toy_geography()
    return alignment_figures(
        toy.registrations,
        toy.lsoas,
        toy.practices,
        "QAA",
        places=toy.places,
        threshold=threshold,
        vintage="2022",  # the toy has the July 2022 vintage's columns (CCGs, STPs)
        footprints=toy.footprints,
        authorities=authority_polygons(toy.lsoa_geometry, toy.lsoas),
    )
