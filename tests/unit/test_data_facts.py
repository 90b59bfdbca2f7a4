"""The committed geodata against the known facts in ../shared/data/README.md."""

import pandas as pd
import pytest

import layers
from layers.geodata import GEODATA_DIR, read_table

# ICB: LSOAs, mid-2020 population, practices in ePCN with Jul 2022 registrations, PCNs,
# registered patients at those practices, LADs, places named in the papers.
KNOWN = {
    "QGH": (480, 791_685, 79, 15, 817_738, 7, 2),
    "QRV": (1153, 2_111_469, 346, 45, 2_768_504, 8, 8),
    "QWU": (534, 963_173, 118, 19, 1_053_050, 6, 4),
    "QU9": (1011, 1_723_447, 157, 48, 1_945_687, 9, 3),
}


def test_england_totals():
    lsoas = read_table("lsoas", vintage="2022")
    assert len(lsoas) == 32_844
    assert lsoas["icb_code"].nunique() == 42
    assert lsoas["population"].sum() == 56_550_138
    registrations = read_table("registrations", vintage="2022")
    assert len(registrations) == 865_965
    assert registrations["patients"].sum() == 61_768_942
    assert registrations["practice_code"].nunique() == 6_484
    # 99.93% English LSOA, 0.04% unknown, 0.02% Welsh (data README).
    share = registrations.groupby(registrations["lsoa_code"].str[:3])["patients"].sum()
    share = share / share.sum()
    assert share["E01"] == pytest.approx(0.9993, abs=5e-5)
    assert share["NO2"] == pytest.approx(0.0004, abs=5e-5)
    assert share["W01"] == pytest.approx(0.0002, abs=5e-5)


def test_practices_in_no_pcn_are_kept():
    practices = read_table("practices", vintage="2022")
    no_pcn = practices[practices["pcn_code"].isna()]
    assert len(no_pcn) == 78
    assert no_pcn["registered_patients"].sum() == 332_411
    assert not no_pcn["icb_code"].isna().any()
    assert (~no_pcn["in_epcn"]).all()


def test_single_year_ages_sum_to_population():
    lsoas = read_table("lsoas", vintage="2022")
    ages = lsoas[[f"age_{a}" for a in range(91)]].sum(axis=1)
    assert (ages == lsoas["population"]).all()


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_known_facts(code):
    n_lsoas, residents, practices_in_pcn, n_pcns, patients, n_lads, n_places = KNOWN[code]
    system = layers.load_system(code, vintage="2022")
    assert len(system.lsoas) == n_lsoas
    assert system.ics.resident_population.iloc[0] == residents
    in_pcn = system.practices[system.practices["pcn_code"].notna()]
    assert len(in_pcn) == practices_in_pcn
    assert in_pcn["registered_patients"].sum() == patients
    assert len(system.pcns) == n_pcns
    assert system.lsoas["ltla_code"].nunique() == n_lads
    assert len(system.places) == n_places
    assert len(layers.load_system(code, "ltla", vintage="2022").places) == n_lads


def test_qgh_places_by_definition():
    assert layers.load_system("QGH", "utla", vintage="2022").places.place_name.tolist() == [
        "Herefordshire, County of",
        "Worcestershire",
    ]
    assert layers.load_system("QGH", vintage="2022").places.place_name.tolist() == [
        "Herefordshire",
        "Worcestershire",
    ]
    assert layers.load_system("QWU", vintage="2022").places.place_name.tolist() == [
        "Coventry",
        "Rugby",
        "South Warwickshire",
        "Warwickshire North",
    ]
    assert layers.load_system("QU9", vintage="2022").places.place_name.tolist() == [
        "Berkshire West",
        "Buckinghamshire",
        "Oxfordshire",
    ]


@pytest.mark.parametrize(
    ("vintage", "code"),
    [(v, c) for v in layers.VINTAGES for c in layers.list_systems(vintage=v)["icb_code"]],
)
def test_populations_add_up_across_tiers(vintage, code):
    system = layers.load_system(code, detail="light", vintage=vintage)
    ics = system.ics.iloc[0]
    practices = system.practices
    assert practices["registered_patients"].sum() == ics.registered_patients
    assert system.places["registered_patients"].sum() == ics.registered_patients
    no_pcn = practices.loc[practices["pcn_code"].isna(), "registered_patients"].sum()
    assert system.pcns["registered_patients"].sum() + no_pcn == ics.registered_patients
    assert system.places["resident_population"].sum() == ics.resident_population
    assert system.lsoas["population"].sum() == ics.resident_population
    by_pcn = practices.dropna(subset=["pcn_code"]).groupby("pcn_code")["registered_patients"]
    pd.testing.assert_series_equal(
        by_pcn.sum().sort_index(),
        system.pcns.set_index("pcn_code")["registered_patients"].sort_index(),
        check_names=False,
    )
    listed = practices.set_index("practice_code")["registered_patients"]
    registered = system.registrations.groupby("practice_code")["patients"].sum()
    # A 2026/27 list that rounds to 0 has no registrations.
    assert (listed == registered.reindex(listed.index, fill_value=0)).all()
    # Every PCN lives in exactly one place, and every practice follows its PCN.
    pcn_place = system.pcns.set_index("pcn_code")["place_code"]
    in_pcn = practices.dropna(subset=["pcn_code"])
    assert (in_pcn["pcn_code"].map(pcn_place) == in_pcn["place_code"]).all()


def test_geodata_within_size_budget():
    total = sum(p.stat().st_size for p in GEODATA_DIR.rglob("*") if p.is_file())
    assert total <= 80 * 1024 * 1024, f"geodata/ is {total / 2**20:.1f} MB, over 80 MB"
