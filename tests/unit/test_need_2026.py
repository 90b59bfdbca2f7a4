"""2026/27 need indices against an independent computation from NHS England's raw file.

The raw CSV is read with plain pandas: for a practice p in ICB i and a component c,
index = (WP_c(p) / pop(p)) / (WP_c(i) / pop(i)), pop being "Registered Patients".
"""

from functools import cache

import numpy as np
import pandas as pd
import pytest

import layers
from layers.allocation import need_indices, need_over_years, practice_frame
from layers.geodata import read_table
from tests.conftest import SHARED_DATA, require_shared

RAW = SHARED_DATA / "vintage2026/allocation/nhse_practice_weighted_populations_2026-27.csv"
COMPONENTS = {
    "general_acute_index": "G&A WP",
    "community_index": "CS WP",
    "mental_health_index": "MH WP",
    "maternity_index": "Mat WP",
    "prescribing_index": "Prescr WP",
    "primary_medical_care_index": "Final PMC WP",
    "health_inequalities_index": "Health Ineq WP",
    "overall_index": "Core WP",
}
SAMPLE = ["T04", "T05", "T07", "QGH", "QHM", "QE1"]


@cache
def _raw_indices() -> pd.DataFrame:
    raw = pd.read_csv(require_shared(RAW), encoding="utf-8-sig", dtype={"Practice_Code": str})
    columns = ["Registered Patients", *COMPONENTS.values()]
    totals = raw.groupby("ICB")[columns].sum()
    out = pd.DataFrame({"practice_code": raw["Practice_Code"], "icb": raw["ICB"]})
    for index, column in COMPONENTS.items():
        icb_rate = (totals[column] / totals["Registered Patients"]).reindex(raw["ICB"])
        out[index] = (raw[column] / raw["Registered Patients"]).to_numpy() / icb_rate.to_numpy()
    return out.set_index("practice_code")


@cache
def _frame(code: str, year: str | None = None) -> pd.DataFrame:
    system = layers.load_system(code, detail="light", vintage="2026")
    return practice_frame(
        system,
        read_table("weighted_populations", vintage="2026"),
        read_table("lsoas", vintage="2026"),
        year=year,
    )


@pytest.mark.parametrize("code", SAMPLE)
def test_practice_need_indices_match_the_raw_file(code):
    ours = need_indices(_frame(code), "practice").set_index("practice_code")
    raw = _raw_indices()
    expected = raw[
        raw["icb"]
        == layers.list_systems(vintage="2026")
        .set_index("icb_code")
        .loc[layers.resolve_ics(code, vintage="2026"), "icb_code_nhse"]
    ]
    assert sorted(ours.index) == sorted(expected.index)
    for column in COMPONENTS:
        np.testing.assert_allclose(
            ours[column].to_numpy(), expected.loc[ours.index, column].to_numpy(), rtol=0, atol=1e-6
        )


@pytest.mark.parametrize("code", layers.list_systems(vintage="2026")["icb_code"].tolist())
def test_population_weighted_mean_need_index_is_one(code):
    frame = _frame(code)
    assert not frame["wp_imputed"].any()
    for level in ("place", "pcn"):
        units = need_indices(frame, level)
        mean = np.average(units["overall_index"], weights=units["population"])
        assert mean == pytest.approx(1.0, abs=1e-9)


def test_later_years_are_selectable_and_differ():
    first = need_indices(_frame("T05"), "place").set_index("place_code")
    last = need_indices(_frame("T05", "2028/29"), "place").set_index("place_code")
    assert not np.allclose(first["overall_index"], last["overall_index"])
    raw = pd.read_csv(
        SHARED_DATA / "vintage2026/allocation/nhse_practice_weighted_populations_2028-29.csv",
        encoding="utf-8-sig",
    )
    tv = raw[raw["ICB"] == "T05"]
    assert last["population"].sum() == pytest.approx(tv["Registered Patients"].sum())
    with pytest.raises(ValueError, match="Unknown allocation year '2030/31'"):
        _frame("T05", "2030/31")


def test_three_year_view_shows_who_gains_and_loses():
    system = layers.load_system("T04", detail="light", vintage="2026")
    moves = need_over_years(system, "place", budget=1_000_000)
    assert len(moves) == 13
    for year in ("2026_27", "2027_28", "2028_29"):
        assert moves[f"fair_share_{year}"].sum() == pytest.approx(1.0)
        assert moves[f"fair_share_pounds_{year}"].sum() == pytest.approx(1_000_000)
    assert moves["fair_share_change"].sum() == pytest.approx(0.0, abs=1e-12)
    gains = moves["fair_share_change"] > 0
    assert (moves.loc[gains, "outcome"] == "gains").all()
    assert (moves.loc[moves["fair_share_change"] < 0, "outcome"] == "loses").all()
    assert moves["fair_share_change"].is_monotonic_decreasing
    # A fair share is the unit's share of the ICS's core weighted population.
    raw = pd.read_csv(RAW, encoding="utf-8-sig")
    practices = system.practices.set_index("practice_code")["place_code"]
    mine = raw[raw["Practice_Code"].isin(practices.index)]
    by_place = mine.groupby(mine["Practice_Code"].map(practices))["Core WP"].sum()
    share = (by_place / by_place.sum()).reindex(moves["place_code"]).to_numpy()
    np.testing.assert_allclose(moves["fair_share_2026_27"], share, atol=1e-12)
    pcns = need_over_years(system, "pcn", years=("2026/27", "2028/29"))
    assert len(pcns) == 77 + int(system.ics.n_practices_no_pcn.iloc[0])
    with pytest.raises(ValueError, match="Unknown allocation year"):
        need_over_years(system, years=("2025/26",))
