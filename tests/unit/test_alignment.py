"""layers.alignment on the hand-built toy geography, against figures worked by hand.

Toy (see layers/alignment/examples.py): LSOAs L1, L2 in Townham (E07000001), L3, L4
in Fieldshire (E07000002); L1-L3 in ICB QAA, L4 (9 km², rural) in QBB. Patients:

    practice  PCN     ICB   L1   L2   L3   L4  Wales unknown
    A00001    U00001  QAA  600  300  100    .    .     .
    A00002    U00001  QAA  200  200    .    .    .     .
    A00003    U00002  QAA    .  600  100  300    .     .
    A00004    (none)  QAA   80    .    .    .   15     5
    A00005    U00003  QBB    .   50  300  700    .     .
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from layers import alignment as al
from layers.alignment.examples import toy_geography

TOWN, FIELD = "E07000001", "E07000002"


@pytest.fixture
def toy():
    return toy_geography()


def _args(toy):
    return toy.registrations, toy.lsoas, toy.practices


def _share(frame, unit, la):
    row = frame[(frame["unit_code"] == unit) & (frame["la_code"] == la)]
    return float(row["share"].iloc[0])


# -- residence --------------------------------------------------------------------


def test_residence_shares_by_pcn(toy):
    shares = al.residence_shares(*_args(toy))
    assert _share(shares, "U00001", TOWN) == pytest.approx(1300 / 1400)
    assert _share(shares, "U00001", FIELD) == pytest.approx(100 / 1400)
    assert _share(shares, "U00002", TOWN) == pytest.approx(0.6)
    assert _share(shares, "U00003", FIELD) == pytest.approx(1000 / 1050)
    # the practice in no PCN is its own unit, with its Welsh and unknown residents
    assert _share(shares, "A00004", TOWN) == pytest.approx(0.80)
    assert _share(shares, "A00004", "W92000004") == pytest.approx(0.15)
    assert _share(shares, "A00004", "unknown") == pytest.approx(0.05)
    assert shares.groupby("unit_code")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert shares["patients"].sum() == toy.registrations["patients"].sum()


def test_residence_shares_by_practice(toy):
    shares = al.residence_shares(*_args(toy), by="practice")
    assert set(shares["unit_code"]) == {"A00001", "A00002", "A00003", "A00004", "A00005"}
    assert _share(shares, "A00001", TOWN) == pytest.approx(0.9)
    assert _share(shares, "A00002", TOWN) == pytest.approx(1.0)


def test_home_authorities_and_threshold(toy):
    home = al.home_authorities(*_args(toy)).set_index("unit_code")
    assert home.loc["U00001", "home_la_code"] == TOWN
    assert home.loc["U00001", "home_share"] == pytest.approx(1300 / 1400)
    assert home.loc["U00001", "n_practices"] == 2
    assert home.loc["U00002", "second_la_code"] == FIELD
    assert home.loc["U00002", "second_share"] == pytest.approx(0.4)
    assert home.loc["A00004", "unit_type"] == "practice_no_pcn"
    assert home.loc["A00004", "n_authorities"] == 2  # Townham and Wales; unknown is no authority
    assert home["straddles"].to_dict() == {
        "A00004": True,
        "U00001": False,
        "U00002": True,
        "U00003": False,
    }
    assert home["patients"].sum() == 3550  # nobody dropped
    # the threshold is editable: 95% makes U00001 (92.9%) straddle too
    strict = al.home_authorities(*_args(toy), threshold=0.95).set_index("unit_code")
    assert strict.loc["U00001", "straddles"]
    assert not strict.loc["U00003", "straddles"]  # 95.2%
    # a share equal to the threshold does not straddle (A00001 has exactly 90%)
    by_practice = al.home_authorities(*_args(toy), by="practice").set_index("unit_code")
    assert by_practice.loc["A00001", "home_share"] == pytest.approx(0.9)
    assert not by_practice.loc["A00001", "straddles"]


def test_upper_tier_level(toy):
    home = al.home_authorities(*_args(toy), la_level="utla").set_index("unit_code")
    assert (home["home_la_code"] == "E10000001").all()
    assert home.loc["U00002", "home_share"] == pytest.approx(1.0)
    assert home["straddles"].tolist() == [True, False, False, False]  # only A00004 (Wales)


def test_icb_filter(toy):
    home = al.home_authorities(*_args(toy), icb_code="QBB")
    assert home["unit_code"].tolist() == ["U00003"]


def test_unit_names_when_present(toy):
    practices = toy.practices.assign(
        pcn_name=["One PCN", "One PCN", "Two PCN", None, "Three PCN"],
        practice_name=["P1", "P2", "P3", "Lone Surgery", "P5"],
    )
    home = al.home_authorities(toy.registrations, toy.lsoas, practices).set_index("unit_code")
    assert home.loc["U00001", "unit_name"] == "One PCN"
    assert home.loc["A00004", "unit_name"] == "Lone Surgery"


def test_authority_coterminosity_both_ways(toy):
    cot = al.authority_coterminosity(*_args(toy)).set_index("la_code")
    # Townham residents: L1 880 + L2 1150; all but A00005's 50 are at Townham-homed units
    assert cot.loc[TOWN, "resident_patients"] == 2030
    assert cot.loc[TOWN, "residents_at_home_units"] == 1980
    assert cot.loc[TOWN, "residents_coterminosity"] == pytest.approx(1980 / 2030)
    assert cot.loc[TOWN, "n_home_units"] == 3  # U00001, U00002, A00004
    assert cot.loc[TOWN, "home_unit_patients"] == 2500
    assert cot.loc[TOWN, "home_units_coterminosity"] == pytest.approx(1980 / 2500)
    # Fieldshire residents: L3 500 + L4 1000; U00003 (home Fieldshire) has 1000 of them
    assert cot.loc[FIELD, "residents_coterminosity"] == pytest.approx(1000 / 1500)
    assert cot.loc[FIELD, "home_units_coterminosity"] == pytest.approx(1000 / 1050)
    assert cot.loc[FIELD, "population"] == 1500


def test_coterminosity_restricted_to_icb_authorities(toy):
    cot = al.authority_coterminosity(*_args(toy), icb_code="QBB")
    assert cot["la_code"].tolist() == [FIELD]


# -- overlap ----------------------------------------------------------------------


def test_overlap_matrix(toy):
    matrix = al.overlap_matrix(*_args(toy))
    assert matrix.loc["U00001", TOWN] == 1300
    assert matrix.loc["U00002", FIELD] == 400
    assert matrix.loc["A00004", "W92000004"] == 15
    assert list(matrix.columns[-2:]) == ["W92000004", "unknown"]
    assert int(matrix.to_numpy().sum()) == 3550
    rows = al.overlap_matrix(*_args(toy), normalize="unit")
    assert rows.sum(axis=1).to_numpy() == pytest.approx(1.0)
    cols = al.overlap_matrix(*_args(toy), normalize="authority")
    assert cols.sum(axis=0).to_numpy() == pytest.approx(1.0)
    assert cols.loc["U00003", FIELD] == pytest.approx(1000 / 1500)


def test_straddling_units(toy):
    out = al.straddling_units(*_args(toy))
    assert out["unit_code"].tolist() == ["U00002", "A00004"]
    assert out["split"].iloc[0] == "Townham 60.0%; Fieldshire 40.0%"
    none = al.straddling_units(*_args(toy), threshold=0.5)
    assert none.empty


# -- area -------------------------------------------------------------------------


def _authorities(toy):
    return al.authority_polygons(toy.lsoa_geometry, toy.lsoas)


def test_authority_polygons_and_area_shares(toy):
    las = _authorities(toy)
    assert las["n_lsoas"].tolist() == [2, 2]
    assert (las.area / 1e6).round(6).tolist() == [2.0, 10.0]
    shares = al.area_shares(toy.footprints, las)
    assert _share(shares, "U00002", FIELD) == pytest.approx(0.9)
    assert _share(shares, "U00002", TOWN) == pytest.approx(0.1)
    assert _share(shares, "U00001", TOWN) == pytest.approx(1.0)
    assert shares.groupby("unit_code")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_area_shares_in_geographic_crs_are_measured_projected(toy):
    las = _authorities(toy).to_crs(4326)
    shares = al.area_shares(toy.footprints.to_crs(4326), las)
    assert _share(shares, "U00002", FIELD) == pytest.approx(0.9, abs=1e-3)
    assert shares["area_km2"].sum() == pytest.approx(1 + 10 + 10, rel=1e-3)


def test_area_shares_crs_errors(toy):
    las = _authorities(toy)
    with pytest.raises(ValueError, match="CRS mismatch"):
        al.area_shares(toy.footprints.to_crs(4326), las)
    no_crs = gpd.GeoDataFrame({"unit_code": ["X"]}, geometry=[box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="no CRS"):
        al.area_shares(no_crs, las)
    with pytest.raises(TypeError, match="GeoDataFrame"):
        al.area_shares(pd.DataFrame({"unit_code": ["X"]}), las)


def test_plurality_footprints(toy):
    fp = al.plurality_footprints(toy.registrations, toy.lsoa_geometry, toy.practices)
    assert fp["unit_code"].tolist() == ["U00001", "U00002", "U00003"]
    assert fp["n_lsoas"].tolist() == [1, 1, 2]
    assert (fp.area / 1e6).round(6).tolist() == [1.0, 1.0, 10.0]
    # among QAA's units only: L3 is a tie (U00001 100, U00002 100) → lowest code
    own = al.plurality_footprints(
        toy.registrations, toy.lsoa_geometry, toy.practices, icb_code="QAA"
    ).set_index("unit_code")
    assert own.loc["U00001", "n_lsoas"] == 2  # L1, L3
    assert own.loc["U00002", "n_lsoas"] == 2  # L2, L4


def test_compare_alignment_categories(toy):
    las = _authorities(toy)
    squares = dict(zip(toy.lsoa_geometry["lsoa_code"], toy.lsoa_geometry.geometry, strict=True))
    footprints = gpd.GeoDataFrame(
        {"unit_code": ["U00001", "U00002", "U00003"]},
        geometry=[
            squares["E01000001"].union(squares["E01000003"]),  # half town, half field
            squares["E01000002"].union(squares["E01000004"]),  # mostly rural field
            squares["E01000001"],  # all town, though patients live in Fieldshire
        ],
        crs="EPSG:27700",
    )
    residence = al.residence_shares(*_args(toy))
    out = al.compare_alignment(residence, al.area_shares(footprints, las))
    out = out.set_index("unit_code")
    assert out["category"].to_dict() == {
        "A00004": "no_footprint",
        "U00001": "straddle_differs",
        "U00002": "sparse_area",
        "U00003": "patients_outside_footprint",
    }
    assert out.loc["U00002", "area_home_code"] == FIELD
    assert out.loc["U00002", "residence_home_code"] == TOWN
    assert out.loc["U00002", "residence_share_in_area_home"] == pytest.approx(0.4)
    assert out.loc["U00002", "area_share_in_residence_home"] == pytest.approx(0.1)
    assert "sparsely populated" in out.loc["U00002", "explanation"]
    assert "beyond the footprint" in out.loc["U00003", "explanation"]
    assert out.loc["U00001", "area_straddles"] and not out.loc["U00001", "residence_straddles"]
    assert pd.isna(out.loc["A00004", "area_straddles"])


# -- flows ------------------------------------------------------------------------


def test_ics_flow_summary(toy):
    row = al.ics_flow_summary(*_args(toy), "QAA").iloc[0]
    assert row["n_practices"] == 4
    assert row["n_practices_no_pcn"] == 1
    assert row["practice_patients"] == 2500
    assert row["practice_patients_resident"] == 2180
    assert row["practice_resident_share"] == pytest.approx(0.872)
    assert row["inflow_patients"] == 320  # 300 from QBB, 15 Wales, 5 unknown
    assert row["resident_patients"] == 2530
    assert row["resident_retention_share"] == pytest.approx(2180 / 2530)
    assert row["outflow_patients"] == 350
    other = al.ics_flow_summary(*_args(toy), "QBB").iloc[0]
    assert other["practice_resident_share"] == pytest.approx(700 / 1050)
    assert other["resident_retention_share"] == pytest.approx(700 / 1000)


def test_cross_boundary_flows(toy):
    flows = al.cross_boundary_flows(*_args(toy), "QAA")
    outflow = flows[flows["direction"] == "outflow"].set_index("other_code")
    inflow = flows[flows["direction"] == "inflow"].set_index("other_code")
    assert outflow.loc["QBB", "patients"] == 350
    assert outflow.loc["QBB", "share"] == pytest.approx(350 / 2530)
    assert outflow.loc["QBB", "other_name"] == "Beta"
    assert inflow["patients"].to_dict() == {"QBB": 300, "W92000004": 15, "unknown": 5}
    assert inflow.loc["QBB", "share"] == pytest.approx(300 / 2500)


def test_place_flows(toy):
    flows = al.place_flows(*_args(toy), "QAA", places=toy.places)
    got = flows.set_index(["from_name", "to_name"])["patients"].to_dict()
    assert got == {
        ("Town", "Town"): 1980,
        ("Town", "Beta"): 50,
        ("Country", "Town"): 200,
        ("Country", "Beta"): 300,
        ("Beta", "Town"): 300,
        ("Wales", "Town"): 15,
        ("Unknown LSOA", "Town"): 5,
    }
    country = flows[(flows["from_name"] == "Country") & (flows["to_name"] == "Beta")].iloc[0]
    assert country["share_of_from"] == pytest.approx(0.6)
    assert np.isnan(country["share_of_to"])
    # default places are the ICB's authorities, at the chosen level
    by_la = al.place_flows(*_args(toy), "QAA")
    assert set(by_la["from_code"]) >= {TOWN, FIELD}
    by_utla = al.place_flows(*_args(toy), "QAA", la_level="utla")
    assert "E10000001" in set(by_utla["to_code"])


def test_place_flows_uses_practice_place_code(toy):
    practices = toy.practices.assign(place_code=[None, None, "Country", None, None])
    flows = al.place_flows(toy.registrations, toy.lsoas, practices, "QAA", places=toy.places)
    got = flows.set_index(["from_code", "to_code"])["patients"].to_dict()
    assert got[("Country", "Country")] == 100  # A00003's L3 patients
    assert got[("Town", "Country")] == 600  # A00003's L2 patients


def test_flow_concentration(toy):
    conc = al.flow_concentration(*_args(toy), "QAA")
    out = conc[(conc["from_code"] == "QAA") & (conc["to_code"] == "QBB")].set_index("lsoa_code")
    assert out["patients"].to_dict() == {"E01000003": 300, "E01000002": 50}
    assert out.loc["E01000003", "share_of_flow"] == pytest.approx(300 / 350)
    assert out.loc["E01000003", "share_of_lsoa"] == pytest.approx(300 / 500)
    assert out.loc["E01000002", "share_of_lsoa"] == pytest.approx(50 / 1150)
    assert conc.groupby(["from_code", "to_code"])["share_of_flow"].sum().to_numpy() == (
        pytest.approx(1.0)
    )
    assert not (conc["from_code"] == conc["to_code"]).any()
    places = al.flow_concentration(*_args(toy), "QAA", level="place", places=toy.places)
    row = places[(places["from_code"] == "Country") & (places["to_code"] == "Town")].iloc[0]
    assert row["lsoa_code"] == "E01000003"
    assert row["patients"] == 200


# -- lineage ----------------------------------------------------------------------


def test_merger_lineage(toy):
    ccg = al.merger_lineage(toy.lsoas, "QAA", vintage="2022").set_index("ccg21_code")
    assert ccg.loc["E38000001", "whole"]
    assert ccg.loc["E38000001", "share_of_icb"] == pytest.approx(2200 / 2800)
    assert not ccg.loc["E38000002", "whole"]
    assert ccg.loc["E38000002", "share_of_predecessor"] == pytest.approx(600 / 1500)
    assert ccg.loc["E38000002", "other_icbs"] == "QBB"
    stp = al.merger_lineage(toy.lsoas, "QAA", level="stp", vintage="2022").iloc[0]
    assert stp["stp21_code"] == "E54000001"
    assert stp["n_ccgs"] == 2
    assert stp["share_of_predecessor"] == pytest.approx(2800 / 3700)


def test_split_authorities(toy):
    split = al.split_authorities(toy.lsoas)
    assert split["la_code"].unique().tolist() == [FIELD]
    assert split.set_index("icb_code")["share_of_la"].to_dict() == pytest.approx(
        {"QBB": 0.6, "QAA": 0.4}
    )
    county = al.split_authorities(toy.lsoas, la_level="utla", icb_code="QBB")
    assert county["population"].tolist() == [2800, 900]
    unsplit = toy.lsoas.assign(icb_code="QAA")
    assert al.split_authorities(unsplit).empty


# -- summary ----------------------------------------------------------------------


def test_place_summary(toy):
    card = al.place_summary(*_args(toy), "QAA", places=toy.places, vintage="2022").set_index(
        "place_name"
    )
    town, country = card.loc["Town"], card.loc["Country"]
    assert town["la_codes"] == TOWN
    assert town["n_lsoas"] == 2 and town["population"] == 2200
    assert town["resident_patients"] == 2030
    assert town["residents_at_icb_practices_share"] == pytest.approx(1980 / 2030)
    assert town["residents_coterminosity"] == pytest.approx(1980 / 2030)
    assert (town["n_home_units"], town["n_home_pcns"], town["n_home_no_pcn_practices"]) == (
        3,
        2,
        1,
    )
    assert town["home_units_coterminosity"] == pytest.approx(1980 / 2500)
    assert town["straddling"] == "A00004 (80% here); U00002 (60% here)"
    assert town["top_outflow"] == "Beta 2.5%"
    assert country["resident_patients"] == 500
    assert country["residents_at_icb_practices_share"] == pytest.approx(0.4)
    assert country["n_home_units"] == 0
    assert country["split_authorities"] == "Fieldshire"
    assert country["ccg21_names"] == "NHS Field CCG"


def test_place_summary_defaults_to_authorities(toy):
    card = al.place_summary(*_args(toy), "QAA", vintage="2022")
    assert card["place_code"].tolist() == [TOWN, FIELD]
    assert card["place_name"].tolist() == ["Townham", "Fieldshire"]


def test_alignment_figures_matches_the_single_functions(toy):
    las = _authorities(toy)
    figures = al.alignment_figures(
        *_args(toy),
        "QAA",
        places=toy.places,
        footprints=toy.footprints,
        authorities=las,
        vintage="2022",
    )
    args = _args(toy)
    singles = {
        "residence_shares": al.residence_shares(*args, icb_code="QAA"),
        "home_authorities": al.home_authorities(*args, icb_code="QAA"),
        "practice_home_authorities": al.home_authorities(*args, by="practice", icb_code="QAA"),
        "straddling_units": al.straddling_units(*args, icb_code="QAA"),
        "overlap_matrix": al.overlap_matrix(*args, icb_code="QAA"),
        "authority_coterminosity": al.authority_coterminosity(*args, icb_code="QAA"),
        "flow_summary": al.ics_flow_summary(*args, "QAA"),
        "cross_boundary_flows": al.cross_boundary_flows(*args, "QAA"),
        "place_flows": al.place_flows(*args, "QAA", places=toy.places),
        "flow_concentration": al.flow_concentration(*args, "QAA"),
        "merger_lineage": al.merger_lineage(toy.lsoas, "QAA", vintage="2022"),
        "split_authorities": al.split_authorities(toy.lsoas, icb_code="QAA"),
        "place_summary": al.place_summary(*args, "QAA", places=toy.places, vintage="2022"),
    }
    for name, expected in singles.items():
        pd.testing.assert_frame_equal(figures[name], expected, obj=name)
    assert figures["alignment_comparison"].set_index("unit_code").loc["U00002", "category"] == (
        "sparse_area"
    )


# -- validation -------------------------------------------------------------------


def test_input_validation(toy):
    reg, lsoas, practices = _args(toy)
    with pytest.raises(TypeError, match="registrations must be a pandas DataFrame"):
        al.residence_shares(reg.to_dict(), lsoas, practices)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['patients'\]"):
        al.residence_shares(reg.drop(columns="patients"), lsoas, practices)
    with pytest.raises(TypeError, match="must be numeric"):
        al.residence_shares(reg.assign(patients=reg["patients"].astype(str)), lsoas, practices)
    with pytest.raises(ValueError, match="negative"):
        al.residence_shares(reg.assign(patients=-reg["patients"]), lsoas, practices)
    with pytest.raises(ValueError, match="la_level must be one of"):
        al.residence_shares(reg, lsoas, practices, la_level="county")
    with pytest.raises(ValueError, match="by must be one of"):
        al.residence_shares(reg, lsoas, practices, by="ccg")
    for bad in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"threshold must be a share in \(0, 1\]"):
            al.home_authorities(reg, lsoas, practices, threshold=bad)
    for bad in ("0.9", True):
        with pytest.raises(TypeError, match="threshold must be a number"):
            al.home_authorities(reg, lsoas, practices, threshold=bad)
    with pytest.raises(ValueError, match="icb_code 'QZZ' is not in"):
        al.home_authorities(reg, lsoas, practices, icb_code="QZZ")
    with pytest.raises(TypeError, match="icb_code must be a string"):
        al.ics_flow_summary(reg, lsoas, practices, 42)
    with pytest.raises(ValueError, match="not in practices"):
        al.residence_shares(reg, lsoas, practices.iloc[1:])
    with pytest.raises(ValueError, match="must be unique"):
        al.residence_shares(reg, pd.concat([lsoas, lsoas.iloc[:1]]), practices)
    with pytest.raises(ValueError, match="normalize must be"):
        al.overlap_matrix(reg, lsoas, practices, normalize="rows")
    with pytest.raises(ValueError, match="level must be 'icb' or 'place'"):
        al.flow_concentration(reg, lsoas, practices, "QAA", level="lsoa")
    with pytest.raises(ValueError, match="level must be 'ccg' or 'stp'"):
        al.merger_lineage(lsoas, "QAA", level="region", vintage="2022")


def test_places_validation(toy):
    reg, lsoas, practices = _args(toy)
    with pytest.raises(ValueError, match="ltla_code or a utla_code"):
        al.place_flows(reg, lsoas, practices, "QAA", places=pd.DataFrame({"place_name": ["X"]}))
    twice = pd.DataFrame({"place_name": ["A", "B"], "ltla_code": [TOWN, TOWN]})
    with pytest.raises(ValueError, match="more than one place"):
        al.place_summary(reg, lsoas, practices, "QAA", places=twice, vintage="2022")
    unknown = pd.DataFrame({"place_name": ["A"], "ltla_code": ["E07999999"]})
    with pytest.raises(ValueError, match="not in lsoas"):
        al.place_summary(reg, lsoas, practices, "QAA", places=unknown, vintage="2022")
    other = toy.places.assign(icb_code="QBB")
    with pytest.raises(ValueError, match="no rows for ICB 'QAA'"):
        al.place_summary(reg, lsoas, practices, "QAA", places=other, vintage="2022")


def test_upper_tier_places(toy):
    places = pd.DataFrame({"place_name": ["Shire"], "utla_code": ["E10000001"]})
    card = al.place_summary(*_args(toy), "QAA", places=places, vintage="2022").iloc[0]
    assert card["la_codes"] == "E10000001"
    assert card["resident_patients"] == 2530
    # U00003 has 350 patients in Shire's part of QAA but 700 in QBB: homed in QBB
    assert card["n_home_units"] == 3
    assert card["residents_coterminosity"] == pytest.approx(2180 / 2530)


def test_missing_english_lsoa_warns_and_counts_as_unknown(toy):
    with pytest.warns(UserWarning, match="England-wide lsoas"):
        shares = al.residence_shares(toy.registrations, toy.lsoas.iloc[:3], toy.practices)
    u3 = shares[shares["unit_code"] == "U00003"].set_index("la_code")
    assert u3.loc["unknown", "patients"] == 700
