"""The build is reproducible: rebuilding one ICS from ../shared/data gives what is committed."""

import geopandas as gpd
import pytest

from layers import build
from layers.build import build_tables, short_icb_name, tidy_name, tidy_pcn_name
from tests.conftest import SHARED_DATA, require_shared
from tests.unit.rebuild import TABLE_KEYS, assert_rebuild_matches

KEYS = TABLE_KEYS


@pytest.fixture(scope="module")
def rebuilt():
    require_shared(SHARED_DATA)
    return build_tables(SHARED_DATA, icb_codes=["QGH"])


@pytest.mark.parametrize("name", list(KEYS))
def test_rebuild_of_qgh_matches_committed(rebuilt, name):
    assert_rebuild_matches(rebuilt[name], name, KEYS[name], vintage="2022")


def test_rebuild_counts(rebuilt):
    assert len(rebuilt["lsoas"]) == 480
    assert len(rebuilt["practices"]) == 79
    assert rebuilt["registrations"]["patients"].sum() == 817_738


def test_unknown_icb_in_build(monkeypatch):
    require_shared(SHARED_DATA)
    # The codes are checked against the LSOA table; England's geometry plays no part (its
    # simplification, most of a build's time, is checked by the rebuild above).
    no_shapes = gpd.GeoDataFrame({"lsoa_code": []}, geometry=[], crs=4326)
    monkeypatch.setattr(build, "_simplified_geometry", lambda source, tolerance: no_shapes)
    with pytest.raises(ValueError, match="Unknown ICB codes"):
        build_tables(SHARED_DATA, icb_codes=["ZZZ"])


def test_missing_source_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_tables(tmp_path / "nowhere")


def test_names():
    assert tidy_pcn_name("CW UNITY PCN") == "CW Unity PCN"
    # the names the issue found title-cased badly, from the ePCN's upper-case source
    assert tidy_pcn_name("HH COLLABORATIVE PCN") == "HH Collaborative PCN"
    assert tidy_pcn_name("BRENT WEST KWH PCN") == "Brent West KWH PCN"
    assert tidy_pcn_name("THE WBC (HEREFORD CITY) PCN") == "The WBC (Hereford City) PCN"
    assert tidy_name(None) is None
    assert short_icb_name("NHS North West London Integrated Care Board") == "North West London"
