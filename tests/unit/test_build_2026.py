"""The 2026 build is reproducible, and its registration model has known answers on toys."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers import build_2026
from layers.build import build_tables
from layers.build_2026 import apportion, carry_registrations, nearest_donors, upper_tier_2024
from layers.geodata import VINTAGE_TABLES, read_table, vintage_dir
from tests.conftest import SHARED_DATA, require_shared
from tests.unit.rebuild import TABLE_KEYS, assert_rebuild_matches

KEYS = {
    **TABLE_KEYS,
    "weighted_populations": ["year", "practice_code"],  # three allocation years
    "icb_codes": ["icb_code"],
    "icb_pieces": ["icb24_code", "icb_code"],
    "icb_terminated": ["icb24_code"],
    "pattern_donors": ["practice_code", "donor_rank"],
}
# Herefordshire and Worcestershire (unchanged), Thames Valley (merged, with part of
# Frimley) and Hampshire and Isle of Wight (renumbered; one practice borrows a pattern).
ICBS = ["E54000019", "E54000070", "E54000067"]


@pytest.fixture(scope="module")
def rebuilt():
    require_shared(SHARED_DATA)
    return build_tables(SHARED_DATA, icb_codes=ICBS, vintage="2026")


def test_every_table_is_checked():
    assert set(KEYS) == set(VINTAGE_TABLES["2026"])


@pytest.mark.parametrize("name", list(KEYS))
def test_rebuild_matches_committed(rebuilt, name):
    assert_rebuild_matches(rebuilt[name], name, KEYS[name], vintage="2026")


def test_rebuild_counts(rebuilt):
    lsoas = rebuilt["lsoas"]
    assert lsoas.groupby("icb_code").size().to_dict() == {
        "E54000019": 491,
        "E54000067": 1231,
        "E54000070": 1311,
    }
    assert len(rebuilt["practices"]) == 79 + 147 + 197
    assert len(rebuilt["pattern_donors"]) == 3
    assert int(rebuilt["registrations"]["patients"].sum()) == int(
        rebuilt["practices"]["registered_patients"].sum()
    )
    assert set(rebuilt["icb_pieces"]["icb24_code"]) == {
        "E54000019",
        "E54000034",
        "E54000042",
        "E54000044",
    }


def test_unknown_icb_in_2026_build(monkeypatch):
    require_shared(SHARED_DATA)

    def unsimplified(raw, code_column, tolerance_m, repair=False):
        # The codes are checked against the LSOA table; simplifying England's geometry
        # (most of a build's time, checked by the rebuild above) plays no part.
        return gpd.GeoDataFrame({"lsoa_code": raw[code_column]}, geometry=raw.geometry)

    monkeypatch.setattr(build_2026, "simplified_lsoa_geometry", unsimplified)
    with pytest.raises(ValueError, match="Unknown ICB codes"):
        build_tables(SHARED_DATA, icb_codes=["QGH"], vintage="2026")


def test_manifest_records_the_vintage():
    import json

    manifest = json.loads((vintage_dir("2026") / "manifest.json").read_text())
    assert manifest["vintage"].startswith("April 2026")
    assert manifest["tables"]["lsoas"]["rows"] == 33_755
    assert set(manifest["tables"]) == set(VINTAGE_TABLES["2026"])


# --------------------------------------------------------------------------- toys


def test_carrying_unchanged_merged_and_divided_lsoas():
    # A11 unchanged → A21; B11 divided into B1 (300 residents) and B2 (100); C11 and
    # D11 merged into CD. NO2011 (unknown) passes as it is.
    registrations = pd.DataFrame(
        {
            "practice_code": ["P", "P", "P", "P", "P", "Q"],
            "lsoa_code": ["A11", "B11", "C11", "D11", "NO2011", "B11"],
            "patients": [10, 8, 5, 7, 1, 3],
        }
    )
    lookup = pd.DataFrame(
        {
            "lsoa11_code": ["A11", "B11", "B11", "C11", "D11"],
            "lsoa21_code": ["A21", "B1", "B2", "CD", "CD"],
        }
    )
    population = pd.Series({"A21": 50, "B1": 300, "B2": 100, "CD": 80})
    carried = carry_registrations(registrations, lookup, population)
    got = carried.set_index(["practice_code", "lsoa_code"])["patients"].to_dict()
    assert got == {
        ("P", "A21"): 10.0,
        ("P", "B1"): 6.0,
        ("P", "B2"): 2.0,
        ("P", "CD"): 12.0,
        ("P", "NO2011"): 1.0,
        ("Q", "B1"): 2.25,
        ("Q", "B2"): 0.75,
    }
    totals = carried.groupby("practice_code")["patients"].sum()
    assert totals.to_dict() == {"P": 31.0, "Q": 3.0}


def test_a_divided_lsoa_with_no_residents_splits_evenly():
    registrations = pd.DataFrame({"practice_code": ["P"], "lsoa_code": ["B11"], "patients": [4]})
    lookup = pd.DataFrame({"lsoa11_code": ["B11", "B11"], "lsoa21_code": ["B1", "B2"]})
    carried = carry_registrations(registrations, lookup, pd.Series({"B1": 0, "B2": 0}))
    assert carried["patients"].tolist() == [2.0, 2.0]


def test_apportion_gives_whole_numbers_that_add_up():
    shares = pd.DataFrame(
        {
            "practice_code": ["P", "P", "P", "Q", "Q"],
            "lsoa_code": ["L1", "L2", "L3", "L1", "L2"],
            "weight": [6.0, 2.0, 0.25, 1.0, 1.0],
        }
    )
    out = apportion(shares, pd.Series({"P": 9, "Q": 3}))
    got = out.set_index(["practice_code", "lsoa_code"])["patients"].to_dict()
    # P: exact 6.545, 2.182, 0.273 → floors 6, 2, 0 and one left for the largest
    # remainder (L1, .545). Q: 1.5 each → the tie goes to the lower code, L1.
    assert got == {("P", "L1"): 7, ("P", "L2"): 2, ("Q", "L1"): 2, ("Q", "L2"): 1}
    assert out.groupby("practice_code")["patients"].sum().to_dict() == {"P": 9, "Q": 3}
    with pytest.raises(ValueError, match="weights must be >= 0"):
        apportion(shares.assign(weight=-1.0), pd.Series({"P": 1}))


def test_nearest_donors_by_distance():
    practices = pd.DataFrame(
        {
            "practice_code": ["NEW", "FAR", "NEAR", "MID"],
            "latitude": [52.0, 52.5, 52.001, 52.01],
            "longitude": [-2.0, -2.0, -2.0, -2.0],
        }
    )
    donors = nearest_donors(practices, ["FAR", "NEAR", "MID"], k=2)
    assert donors["donor_practice_code"].tolist() == ["NEAR", "MID"]
    assert donors["distance_km"].tolist() == pytest.approx([0.111, 1.113], abs=0.01)
    assert donors["weight"].tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="at least 3 practices"):
        nearest_donors(practices, ["FAR"], k=3)


def test_upper_tier_2024_is_checked():
    lads = pd.DataFrame({"ltla_code": ["E07000001"], "ltla_name": ["Nowhere"]})
    old = pd.DataFrame(
        {"ltla22_code": ["E07000002"], "utla22_code": ["E10000001"], "utla22_name": ["Shire"]}
    )
    with pytest.raises(ValueError, match="no 2022 county"):
        upper_tier_2024(lads, old)
    abolished = pd.DataFrame(
        {"ltla22_code": ["E07000001"], "utla22_code": ["E10000023"], "utla22_name": ["N Yorks"]}
    )
    with pytest.raises(ValueError, match="abolished in April 2023"):
        upper_tier_2024(lads, abolished)
    real = read_table("lsoas", vintage="2026").drop_duplicates("ltla_code")
    # Every unitary, metropolitan and London authority is its own upper tier; the four
    # unitaries of April 2023 are there; Cumbria, North Yorkshire and Somerset counties
    # are gone.
    own = real["ltla_code"].str[:3].isin(["E06", "E08", "E09"])
    assert (real.loc[own, "utla_code"] == real.loc[own, "ltla_code"]).all()
    assert {"E06000063", "E06000064", "E06000065", "E06000066"} <= set(real["utla_code"])
    assert not {"E10000006", "E10000023", "E10000027"} & set(real["utla_code"])
    assert np.all(real.loc[~own, "utla_code"].str.startswith("E10"))
