"""The April 2026 mergers seen both ways, and what-if merges, on the real 2026 data."""

import numpy as np
import pytest

import layers
from layers.geodata import read_table
from layers.mergers import (
    MergeError,
    changed_icbs,
    merger_figures,
    merger_geometry,
    merger_pieces,
    national_changes,
    what_if_merge,
)


def test_national_table_of_terminated_and_new_codes():
    table = national_changes()
    terminated = table[table["change"] == "terminated"]
    new = table[table["change"] == "new"]
    assert len(terminated) == 13 and len(new) == 7
    assert sorted(new["icb_code"]) == [f"E540000{n}" for n in range(65, 72)]
    abolished = set(terminated.loc[terminated["ods_code_abolished"].astype(bool), "ods_code"])
    assert abolished == {
        "QH8", "QHG", "QJG", "QM7", "QMJ", "QMM", "QNQ", "QNX", "QRV", "QU9", "QUE", "QXU",
    }  # fmt: skip
    # Hampshire and Isle of Wight keeps QRL but its ONS code E54000042 ends.
    assert terminated.set_index("icb_code").loc["E54000042", "ods_code"] == "QRL"
    # The new ICBs' LSOAs are the LSOAs the terminated codes gave away, and more.
    lsoas = read_table("lsoas", vintage="2026")
    for row in new.itertuples():
        assert row.n_lsoas == int((lsoas["icb_code"] == row.icb_code).sum())
    assert len(changed_icbs()) == 7


@pytest.mark.parametrize(
    ("code", "pieces"),
    [
        ("T04", {"QRV": (1183, 345), "QMJ": (806, 176)}),
        ("T05", {"QU9": (1056, 155), "QNQ": (255, 42)}),
        ("T07", {"QNX": (1029, 156), "QXU": (624, 100), "QNQ": (95, 11)}),
        ("QRL", {"QRL": (1126, 133), "QNQ": (105, 14)}),
    ],
)
def test_pieces_match_the_published_merger_table(code, pieces):
    table = merger_pieces(code).set_index("icb24_code_nhs")
    assert {k: (r.n_lsoas, r.n_practices) for k, r in table.iterrows()} == pieces
    system = layers.load_system(code, detail="light", vintage="2026")
    assert table["n_lsoas"].sum() == len(system.lsoas)
    assert table["residents"].sum() == system.ics.resident_population.iloc[0]
    assert table["n_practices"].sum() == len(system.practices)
    assert table["registered_patients"].sum() == system.ics.registered_patients.iloc[0]
    by_sub = merger_pieces(code, level="sicbl")
    assert by_sub["n_lsoas"].sum() == table["n_lsoas"].sum()
    assert by_sub["n_practices"].sum() == table["n_practices"].sum()


def test_frimley_was_split_three_ways():
    whole = {
        c: merger_pieces(c).set_index("icb24_code_nhs").loc["QNQ", "whole"]
        for c in ("T05", "T07", "QRL")
    }
    assert whole == {"T05": False, "T07": False, "QRL": False}
    assert bool(merger_pieces("T04")["whole"].all())


def test_merger_figures_before_and_after():
    wnl = merger_figures("West and North London")
    tiers = wnl.tiers.set_index("code")
    assert list(tiers["role"]) == ["member", "member", "merged"]
    merged = tiers.loc["E54000071"]
    assert merged["residents"] == tiers.loc[["E54000027", "E54000028"], "residents"].sum()
    assert merged["residents"] == 3_503_215 and merged["registered_patients"] > 3_000_000
    assert merged["ics_flag"] == "above" and merged["n_councils"] == 13
    need = wnl.need.set_index("code")
    assert need.loc["E54000071", "overall_index"] == pytest.approx(1.0)
    members = need.loc[["E54000027", "E54000028"]]
    # Population-weighted, the predecessors' indices average the merged ICB's (1).
    assert np.average(members["overall_index"], weights=members["population"]) == pytest.approx(1)
    assert members["fair_share"].sum() == pytest.approx(1.0)
    core20 = wnl.core20.set_index("code")
    assert (
        core20.loc["E54000071", "core20_residents"]
        == core20.loc[["E54000027", "E54000028"], "core20_residents"].sum()
    )
    councils = wnl.councils.set_index("code")
    assert councils.loc["E54000071", "coterminous_share"] == pytest.approx(1.0)
    assert any("modelled from July 2022 patterns" in note for note in wnl.notes)


def test_hampshire_became_coterminous_with_its_councils():
    hiow = merger_figures("E54000067").councils.set_index("code")
    # Before, Frimley and HIOW each split Hampshire; after, HIOW holds all of it.
    assert "Hampshire" in hiow.loc["E54000034", "split_councils"]
    assert "Hampshire" in hiow.loc["E54000042", "split_councils"]
    assert hiow.loc["E54000067", "split_councils"] == ""
    assert hiow.loc["E54000067", "n_councils_whole"] == hiow.loc["E54000067", "n_councils"]


def test_unchanged_icb_is_not_a_merger():
    with pytest.raises(MergeError, match="did not change on 1 April 2026"):
        merger_figures("QGH")
    with pytest.raises(layers.AbolishedCodeError):
        merger_pieces("QRV")


def test_merger_geometry_nests():
    shapes = merger_geometry("T07")
    assert set(shapes["predecessors"]["icb24_code_nhs"]) == {"QNQ", "QNX", "QXU"}
    pieces, outline = shapes["pieces"], shapes["icb"].geometry.iloc[0]
    assert pieces.geometry.union_all().symmetric_difference(outline).area < 1e-9
    assert pieces.set_index("icb24_code")["moved"].all()
    frimley = shapes["predecessors"].set_index("icb24_code_nhs").geometry["QNQ"]
    assert frimley.difference(outline).area > 0  # most of Frimley went elsewhere


def test_what_if_merge_in_each_vintage():
    old = what_if_merge(["QGH", "qwu", "QGH"], vintage="2022")
    assert old.code == "QGH+QWU" and old.vintage == "2022"
    tiers = old.tiers.set_index("code")
    assert tiers.loc["QGH", "residents"] == 791_685
    assert tiers.loc["QGH+QWU", "residents"] == 791_685 + 963_173
    assert (
        tiers.loc["QGH+QWU", "registered_patients"]
        == tiers.loc[["QGH", "QWU"], "registered_patients"].sum()
    )
    need = old.need.set_index("code")
    members = need.loc[["QGH", "QWU"]]
    assert np.average(members["overall_index"], weights=members["population"]) == pytest.approx(1)
    new = what_if_merge(["South East London", "E54000031"], vintage="2026")
    assert new.code == "E54000030+E54000031"
    assert new.tiers.set_index("code").loc[new.code, "n_lsoas"] == 1040 + 878


@pytest.mark.parametrize(
    ("codes", "vintage", "message"),
    [
        (["QGH"], "2022", "at least two different ICBs; got QGH"),
        (["QGH", "qgh"], "2022", "at least two different ICBs; got QGH"),
        ([], "2026", "at least two different ICBs; got none"),
        (["QGH", "ZZZ"], "2022", "'ZZZ' is not an ICB of the 2022 vintage"),
        (["QRV", "T05"], "2026", "'QRV' is an ICB of the 2022 vintage, not of 2026"),
        (["E54000071", "QGH"], "2022", "'E54000071' is an ICB of the 2026 vintage, not of 2022"),
        ("QGH", "2022", "as a list of codes"),
    ],
)
def test_what_if_merge_errors(codes, vintage, message):
    with pytest.raises(MergeError, match=message):
        what_if_merge(codes, vintage=vintage)


def test_what_if_merge_unknown_vintage():
    with pytest.raises(layers.UnknownVintageError):
        what_if_merge(["QGH", "QWU"], vintage="2024")
