"""The 2026 vintage against the facts in issue 15 and ../shared/data/vintage2026/README.md."""

from functools import cache

import numpy as np
import pandas as pd
import pytest

import layers
from layers.geodata import read_table
from layers.vintages import UnknownVintageError

V = "2026"


@cache
def _system(code: str) -> layers.System:
    return layers.load_system(code, detail="light", vintage=V)


def test_england_facts():
    lsoas = read_table("lsoas", vintage=V)
    assert len(lsoas) == 33_755
    assert lsoas["lsoa_code"].is_unique
    assert lsoas["icb_code"].nunique() == 36
    assert lsoas["icb_code"].str.startswith("E54").all()
    assert int(lsoas["population"].sum()) == 56_489_608
    assert int(lsoas["icb_changed"].sum()) == 10_207
    bands = list(layers.ages.BAND_COLUMNS)
    assert (lsoas[bands].sum(axis=1) == lsoas["population"]).all()
    # No single years are stored: the data has six bands only.
    assert "age_30" not in lsoas.columns
    assert lsoas["imd_rank"].min() == 1 and lsoas["imd_rank"].max() == 33_755
    assert lsoas["imd_score"].notna().all()
    assert lsoas["utla_code"].nunique() == 153 and lsoas["ltla_code"].nunique() == 296


def test_practices_and_registrations():
    practices = read_table("practices", vintage=V)
    assert len(practices) == 6_281
    assert practices[["latitude", "longitude"]].notna().all().all()
    assert practices["icb_code"].nunique() == 36
    # The ePCN of Oct 2024 has no active PCN for 95 practices: kept, placed by their ICB.
    no_pcn = practices[practices["pcn_code"].isna()]
    assert len(no_pcn) == 95
    assert int(no_pcn["registered_patients"].sum()) == 260_432
    assert not (no_pcn["in_epcn"]).any() and no_pcn["icb_code"].notna().all()
    # Registered lists are the 2026/27 projected lists, rounded; modelled registrations add
    # up to them exactly, practice by practice.
    assert int(practices["registered_patients"].sum()) == 63_916_225
    registrations = read_table("registrations", vintage=V)
    assert registrations["patients"].dtype.kind == "i" and (registrations["patients"] > 0).all()
    by_practice = registrations.groupby("practice_code")["patients"].sum()
    listed = practices.set_index("practice_code")["registered_patients"]
    pd.testing.assert_series_equal(
        by_practice.reindex(listed.index, fill_value=0),
        listed,
        check_names=False,
        check_dtype=False,
    )
    english = registrations["lsoa_code"].str.startswith("E01")
    assert (
        registrations.loc[english, "lsoa_code"]
        .isin(read_table("lsoas", vintage=V)["lsoa_code"])
        .all()
    )


def test_practices_with_no_2022_pattern_take_their_neighbours():
    practices = read_table("practices", vintage=V).set_index("practice_code")
    donors = read_table("pattern_donors", vintage=V)
    borrowed = practices.index[practices["pattern_basis"] == "nearest practices"]
    assert sorted(donors["practice_code"].unique()) == sorted(borrowed)
    assert len(borrowed) == 12
    assert (donors.groupby("practice_code").size() == 3).all()
    assert (donors.groupby("practice_code")["weight"].sum().round(12) == 1).all()
    # Donors had a July 2022 pattern and are the nearest ones.
    assert (
        practices.loc[donors["donor_practice_code"], "pattern_basis"] == "July 2022 pattern"
    ).all()
    assert (donors.groupby("practice_code")["distance_km"].is_monotonic_increasing).all()


@pytest.mark.parametrize(
    ("code", "n_lsoas", "n_practices", "name"),
    [
        ("E54000071", 1_989, 521, "West and North London"),
        ("E54000070", 1_311, 197, "Thames Valley"),
    ],
)
def test_merged_icbs(code, n_lsoas, n_practices, name):
    system = _system(code)
    assert system.name == name
    assert len(system.lsoas) == n_lsoas
    assert len(system.practices) == n_practices
    assert system.vintage == V


def test_west_and_north_london_preset_is_its_13_boroughs():
    assert layers.default_place_definition("T04", vintage=V) == "preset"
    places = layers.load_system("T04", detail="light", vintage=V).places
    boroughs = read_table("lsoas", vintage=V).query("icb_code == 'E54000071'")["ltla_name"]
    assert sorted(places["place_name"]) == sorted(boroughs.unique())
    assert len(places) == 13


def test_thames_valley_keeps_bobs_places_and_east_berkshire_councils():
    places = _system("E54000070").places.set_index("place_name")
    assert sorted(places.index) == [
        "Berkshire West",
        "Bracknell Forest",
        "Buckinghamshire",
        "Oxfordshire",
        "Slough",
        "Windsor and Maidenhead",
    ]


def test_practices_in_no_pcn_are_labelled_by_the_2026_epcn():
    practices = _system("E54000071").practices
    no_pcn = practices[practices["pcn_code"].isna()]
    assert len(no_pcn) == 9
    assert (no_pcn["pcn_name"] == "No PCN in ePCN (Oct 2024)").all()


def test_list_systems_carries_nhse_and_alternative_codes():
    systems = layers.list_systems(vintage=V).set_index("icb_code")
    assert len(systems) == 36
    assert systems.loc["E54000071", "icb_code_nhse"] == "T04"
    assert systems.loc["E54000071", "icb_code_ods_alt"] == "Z9B2Z"
    assert systems.loc["E54000019", "icb_code_nhse"] == "QGH"
    assert systems["icb_code_nhse"].is_unique
    assert systems.loc["E54000070", "n_lsoas"] == 1_311
    # 2022 keeps its columns exactly.
    assert list(layers.list_systems(vintage="2022").columns) == [
        "icb_code",
        "icb_name",
        "n_lsoas",
        "resident_population",
        "registered_patients",
        "has_preset_places",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("E54000071", "E54000071"),
        ("e54000071", "E54000071"),
        ("T04", "E54000071"),
        ("z9b2z", "E54000071"),
        ("West and North London", "E54000071"),
        ("north central and west london", "E54000071"),
        ("QGH", "E54000019"),
        ("herefordshire and worcestershire", "E54000019"),
        ("QRL", "E54000067"),
    ],
)
def test_resolve_in_2026(query, expected):
    assert layers.resolve_ics(query, vintage=V) == expected


def test_resolve_2022_accepts_ons_codes():
    assert layers.resolve_ics("E54000019", vintage="2022") == "QGH"
    assert layers.resolve_ics("e54000027", vintage="2022") == "QRV"


def test_abolished_code_in_2026_names_its_successors():
    with pytest.raises(layers.AbolishedCodeError) as caught:
        layers.resolve_ics("QRV", vintage=V)
    message = str(caught.value)
    assert "North West London" in message and "West and North London (E54000071" in message
    assert "T04" in message and "abolished on 1 April 2026" in message
    assert caught.value.successors["icb_code"].tolist() == ["E54000071"]
    with pytest.raises(layers.AbolishedCodeError, match=r"Thames Valley.*Hampshire.*Surrey"):
        layers.load_system("Frimley", vintage=V)
    # Hampshire and Isle of Wight's old ONS code: renumbered, not abolished.
    with pytest.raises(layers.AbolishedCodeError, match="took a new ONS code"):
        layers.resolve_ics("E54000042", vintage=V)
    assert isinstance(caught.value, ValueError)


def test_2026_code_in_2022_names_its_predecessors():
    with pytest.raises(layers.NewCodeError) as caught:
        layers.resolve_ics("T05", vintage="2022")
    message = str(caught.value)
    assert "Thames Valley" in message and "created on 1 April 2026" in message
    assert "Buckinghamshire, Oxfordshire and Berkshire West (QU9)" in message
    assert "Frimley (QNQ)" in message
    assert set(caught.value.predecessors["icb_code"]) == {"QU9", "QNQ"}
    with pytest.raises(layers.NewCodeError, match=r"North West London.*North Central London"):
        layers.load_system("E54000071", vintage="2022")


def test_unknown_code_lists_the_vintage_codes():
    with pytest.raises(layers.UnknownICSError, match=r"Unknown ICS 'ZZZ'\. Valid ICB codes: E54"):
        layers.resolve_ics("ZZZ", vintage=V)
    with pytest.raises(layers.UnknownICSError, match="required, for example 'E54000019'"):
        layers.resolve_ics("  ", vintage=V)


def test_unknown_vintage_is_a_clear_error():
    with pytest.raises(UnknownVintageError, match="Unknown data vintage '2019'; choose one of"):
        layers.load_system("QGH", vintage="2019")
    with pytest.raises(UnknownVintageError):
        read_table("lsoas", vintage=["2026"])
    with pytest.raises(ValueError, match="Unknown geodata table 'icb_codes' in the 2022 vintage"):
        read_table("icb_codes", vintage="2022")


def test_successors_for_old_links():
    frimley = layers.successor_icbs("QNQ")
    assert frimley["icb_code"].tolist() == ["E54000070", "E54000067", "E54000069"]
    assert frimley["n_lsoas"].tolist() == [255, 105, 95]
    assert frimley["share_of_lsoas"].sum() == pytest.approx(1.0)
    unchanged = layers.successor_icbs("QGH")
    assert unchanged[["icb_code", "change"]].to_numpy().tolist() == [["E54000019", "unchanged"]]
    # Every 2022 ICB has at least one successor, and the pieces tile 2021 England.
    total = sum(
        layers.successor_icbs(c)["n_lsoas"].sum()
        for c in layers.list_systems(vintage="2022")["icb_code"]
    )
    assert total == 33_755


def test_individuals_of_a_banded_vintage_match_the_lists():
    system = layers.load_system("E54000019", detail="light", vintage=V)
    people = system.individuals
    assert len(people) == int(system.ics.registered_patients.iloc[0])
    assert people["age"].between(0, 90).all()
    # Ages drawn from the split keep the Census bands' weight: 65+ share of patients
    # within 1.5 points of the residents' share of the ICS.
    residents = system.lsoas["age_65_plus"].sum() / system.lsoas["population"].sum()
    assert float((people["age"] >= 65).mean()) == pytest.approx(residents, abs=0.015)
    assert people["imd_decile"].notna().mean() > 0.99


def test_pyramids_of_2026_are_drawn_in_the_six_bands():
    system = _system("E54000019")
    national = read_table("lsoas", vintage=V)
    pyramid = layers.tiers.age_pyramid(system.registrations, national, vintage=V)
    assert list(pyramid["age_band"].cat.categories) == [
        "0-15",
        "16-24",
        "25-34",
        "35-49",
        "50-64",
        "65+",
    ]
    # The bands' totals are the registrations spread over the LSOAs' bands, exactly.
    regs = system.registrations.merge(national, on="lsoa_code")
    share = regs["age_65_plus"] / regs["population"]
    expected = (regs["patients"] * share).groupby(regs["practice_code"]).sum()
    got = pyramid[pyramid["age_band"] == "65+"].set_index("code")["people"]
    english = system.registrations["lsoa_code"].str.startswith("E01")
    whole = system.registrations[english].groupby("practice_code")["patients"].sum()
    everyone = system.registrations.groupby("practice_code")["patients"].sum()
    # Practices whose every patient lives in England carry no imputed mix.
    only_english = whole.index[whole == everyone.reindex(whole.index)]
    np.testing.assert_allclose(got[only_english], expected[only_english], rtol=1e-9)
    with pytest.raises(ValueError, match="Census 2021 bands only"):
        layers.tiers.age_pyramid(system.registrations, national, age_bands=[0, 5, 65], vintage=V)


def test_indicators_use_the_published_bands():
    lsoas = read_table("lsoas", vintage=V)
    aged = layers.indicators.aged_65_plus(lsoas).set_index("lsoa_code")
    expected = lsoas.set_index("lsoa_code")
    np.testing.assert_allclose(
        aged["value"],
        expected.loc[aged.index, "age_65_plus"] / expected.loc[aged.index, "population"],
    )
    with pytest.raises(ValueError, match="split a Census 2021 band"):
        layers.indicators.share_aged(lsoas, 70)
    with pytest.raises(ValueError, match="not available in the 2026 vintage"):
        layers.indicators.gp_distance(lsoas)
    assert "gp_distance" not in layers.indicators.indicators_for(V)


def test_core20_and_deciles_use_imd_2025():
    lsoas = read_table("lsoas", vintage=V)
    core20 = layers.deprivation.is_core20(lsoas["imd_decile"])
    # IMD 2025 deciles cut England's 33,755 LSOAs into tenths.
    assert int(core20.sum()) == pytest.approx(0.2 * 33_755, abs=2)
    rank_decile = layers.deprivation.decile_of_rank(lsoas["imd_rank"].astype(float), V)
    assert (rank_decile == lsoas["imd_decile"]).mean() > 0.999


def test_vintage_words_follow_the_system():
    system = _system("E54000071")
    figure = layers.maps.system_map(system, layers=["lsoas"])
    assert figure.data[0].colorbar.title.text.startswith("IMD 2025 decile")
    assert "modelled from July 2022 patterns" in figure.layout.annotations[0].text
    tables = layers.tiers.tier_tables(system)
    summary = layers.tiers.tier_summary(tables)
    assert summary.set_index("layer").loc["practice", "population_basis"] == (
        "Registered patients (2026/27, modelled)"
    )
