"""The five-layer model on a hand-made toy ICS whose answers are worked out by hand.

Registrations by LSOA and PCN (see ``toy_tables``):

* L1: PCN A 70            → footprint A
* L2: PCN A 5, PCN B 40   → B
* L3: PCN A 10, PCN B 15 (P4, in no PCN, 30 — not a PCN) → B
* L4: PCN B 60 (+ 10 from QYY's P5, not a QXX PCN) → B

PCN A lives 80 in U1, 5 in U2 → place U1; PCN B 100 in U2, 15 in U1 → U2.
P4 (no PCN) lives 30 in U1 (10 outside England/unknown) → U1.
"""

import pandas as pd
import pytest

from layers.system import NO_PCN_LABEL, list_systems, load_system, place_lookup, resolve_ics

# Areas here are in square degrees on purpose: the toy compares like with like.
pytestmark = pytest.mark.filterwarnings("ignore:Geometry is in a geographic CRS")


def test_places_and_populations_add_up(toy_tables):
    system = load_system("QXX", "utla", tables=toy_tables, vintage="2022")
    places = system.places.set_index("place_code")
    assert places.loc["U1", "resident_population"] == 400
    assert places.loc["U2", "resident_population"] == 600
    assert places.loc["U1", "registered_patients"] == 60 + 25 + 40
    assert places.loc["U2", "registered_patients"] == 115
    assert system.ics.registered_patients.iloc[0] == 240
    assert system.ics.resident_population.iloc[0] == 1000
    assert system.practices.registered_patients.sum() == 240
    assert places.registered_patients.sum() == 240


def test_pcn_footprints_follow_where_patients_live(toy_tables):
    system = load_system("QXX", "utla", tables=toy_tables, vintage="2022")
    pcns = system.pcns.set_index("pcn_code")
    assert pcns.loc["A", "footprint_lsoas"] == 1
    assert pcns.loc["B", "footprint_lsoas"] == 3
    # Footprints tile the ICS: areas add up to the ICS outline's.
    assert pcns.geometry.area.sum() == pytest.approx(system.ics.geometry.area.iloc[0])
    assert pcns.geometry.area["A"] == pytest.approx(0.01)
    assert pcns.loc["A", "place_code"] == "U1"
    assert pcns.loc["B", "place_code"] == "U2"
    assert pcns.loc["A", "registered_patients"] == 85
    assert pcns.loc["B", "registered_patients"] == 115


def test_practice_in_no_pcn_is_kept_and_placed(toy_tables):
    system = load_system("QXX", "utla", tables=toy_tables, vintage="2022")
    p4 = system.practices.set_index("practice_code").loc["P4"]
    assert p4.pcn_name == NO_PCN_LABEL
    assert p4.place_code == "U1"
    assert system.ics.n_practices_no_pcn.iloc[0] == 1
    in_pcn = system.pcns.registered_patients.sum()
    assert in_pcn + p4.registered_patients == system.ics.registered_patients.iloc[0]


def test_places_nest_exactly_inside_the_ics(toy_tables):
    system = load_system("QXX", "utla", tables=toy_tables, vintage="2022")
    ics = system.ics.geometry.iloc[0]
    assert system.places.geometry.area.sum() == pytest.approx(ics.area)
    for place in system.places.geometry:
        assert place.difference(ics).area == pytest.approx(0, abs=1e-12)
    assert system.places.set_index("place_code").geometry.area["U1"] == pytest.approx(0.02)


def test_place_definitions(toy_tables):
    assert load_system("QXX", tables=toy_tables, vintage="2022").place_definition == "preset"
    assert load_system("QXX", tables=toy_tables, vintage="2022").places.place_name.tolist() == [
        "Whole"
    ]
    assert len(load_system("QXX", "ltla", tables=toy_tables, vintage="2022").places) == 2
    lookup = place_lookup("QXX", "utla", tables=toy_tables, vintage="2022")
    assert dict(zip(lookup.ltla_code, lookup.place_code, strict=True)) == {"D1": "U1", "D2": "U2"}
    with pytest.raises(ValueError, match="Unknown place definition 'county'"):
        load_system("QXX", "county", tables=toy_tables, vintage="2022")
    with pytest.raises(ValueError, match="no places named in its papers"):
        load_system("QYY", "preset", tables=toy_tables, vintage="2022")


def test_unknown_ics_lists_the_valid_codes(toy_tables):
    with pytest.raises(ValueError, match=r"Unknown ICS 'QZZ'.*QYY \(Elsewhere\), QXX \(Toy"):
        load_system("QZZ", tables=toy_tables, vintage="2022")
    with pytest.raises(ValueError, match="code or name is required"):
        resolve_ics("  ", tables=toy_tables, vintage="2022")
    assert resolve_ics("toyshire", tables=toy_tables, vintage="2022") == "QXX"


def test_other_ics_is_filtered_out(toy_tables):
    system = load_system("QXX", "utla", tables=toy_tables, vintage="2022")
    assert "P5" not in set(system.practices.practice_code)
    assert "L5" not in set(system.lsoas.lsoa_code)
    assert set(system.registrations.practice_code) == {"P1", "P2", "P3", "P4"}
    assert list_systems(toy_tables, vintage="2022").icb_code.tolist() == [
        "QYY",
        "QXX",
    ]  # sorted by name


def test_bad_detail_level(toy_tables):
    with pytest.raises(ValueError, match="Unknown detail level"):
        load_system("QXX", detail="huge", tables=toy_tables, vintage="2022")


def test_custom_place_groupings(toy_tables):
    """P1 and P3 go to "North"; P2 and P4 stay in their utla places (U1)."""
    grouping = pd.DataFrame({"practice_code": ["P1", "P3"], "place_name": ["North", "North"]})
    system = load_system("QXX", "utla", tables=toy_tables, custom_places=grouping, vintage="2022")
    assert system.place_definition == "custom"
    practices = system.practices.set_index("practice_code")
    assert practices.loc["P1", "place_name"] == "North"
    assert practices.loc["P2", "place_code"] == "U1"
    # PCN A: P1 60 (North) vs P2 25 (U1) → North; PCN B: P3 only → North.
    assert set(system.pcns["place_name"]) == {"North"}
    # LSOAs by their patients' practices' places: L1 P1 50 + P2 20 → North 50 vs U1 20;
    # L2 P2 5 vs P3 40 → North; L3 P1 10 + P3 15 = 25 (North) vs P4 30 (U1) → U1; L4 → North.
    lsoa_place = system.lsoas.set_index("lsoa_code")["place_name"].to_dict()
    assert lsoa_place == {"L1": "North", "L2": "North", "L3": "County U1", "L4": "North"}
    places = system.places.set_index("place_name")
    assert places.loc["North", "resident_population"] == 100 + 200 + 400
    assert places.loc["North", "registered_patients"] == 60 + 115
    assert places["registered_patients"].sum() == 240
    assert places["resident_population"].sum() == 1000


@pytest.mark.parametrize(
    ("grouping", "message"),
    [
        ({"practice_code": ["P5"], "place_name": ["X"]}, "not in this ICS: \\['P5'\\]"),
        ({"practice_code": ["P1", "P1"], "place_name": ["X", "Y"]}, "twice"),
        ({"practice_code": ["P1"], "place_name": ["  "]}, "blank place names"),
        ({"practice_code": ["P1"]}, "missing \\['place_name'\\]"),
    ],
)
def test_custom_place_groupings_are_validated(toy_tables, grouping, message):
    with pytest.raises(ValueError, match=message):
        load_system(
            "QXX",
            "utla",
            tables=toy_tables,
            custom_places=pd.DataFrame(grouping),
            vintage="2022",
        )


def test_custom_is_not_a_place_definition(toy_tables):
    with pytest.raises(ValueError, match="custom places are given as custom_places"):
        load_system("QXX", "custom", tables=toy_tables, vintage="2022")
