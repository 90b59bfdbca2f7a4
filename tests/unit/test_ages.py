"""The one documented split of Census 2021 age bands into single years."""

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from layers.ages import (
    AGE_COLUMNS,
    BAND_COLUMNS,
    ENGLAND_MID2020_BY_AGE,
    banded_ages,
    check_age_bands,
    pyramid_bands,
    single_year_ages,
    split_bands,
)
from layers.geodata import read_table
from layers.vintages import CENSUS_AGE_BANDS

EDGES = (*CENSUS_AGE_BANDS, 91)


def _bands(rows):
    return pd.DataFrame(rows, columns=list(BAND_COLUMNS)).assign(
        lsoa_code=[f"L{i}" for i in range(len(rows))]
    )


def test_england_shape_is_the_2022_vintage_total():
    lsoas = read_table("lsoas", vintage="2022")
    assert list(ENGLAND_MID2020_BY_AGE) == [int(lsoas[c].sum()) for c in AGE_COLUMNS]
    assert sum(ENGLAND_MID2020_BY_AGE) == 56_550_138


def test_split_keeps_every_band_total_exactly():
    frame = _bands([[0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], [1234, 567, 890, 1500, 999, 2600]])
    split = split_bands(frame)
    singles = split[list(AGE_COLUMNS)].to_numpy()
    assert singles.dtype.kind == "i" and (singles >= 0).all()
    for b, column in enumerate(BAND_COLUMNS):
        years = [f"age_{a}" for a in range(EDGES[b], EDGES[b + 1])]
        assert (split[years].sum(axis=1) == frame[column]).all()
    assert (singles[0] == 0).all()


def test_split_follows_englands_shape_within_a_band():
    # A band of exactly England's 65+ residents splits into England's 65+ single years.
    england = np.asarray(ENGLAND_MID2020_BY_AGE)
    row = [int(england[lo:hi].sum()) for lo, hi in pairwise(EDGES)]
    split = split_bands(_bands([row]))
    assert split[list(AGE_COLUMNS)].iloc[0].tolist() == england.tolist()


def test_split_rounds_by_largest_remainder():
    # 2 people aged 16-24 over 9 years with shares from England: the two largest
    # single-year shares of 16-24 get one each.
    split = split_bands(_bands([[0, 2, 0, 0, 0, 0]]))
    england = np.asarray(ENGLAND_MID2020_BY_AGE[16:25])
    expected = sorted((16 + np.argsort(-england, kind="stable")[:2]).tolist())
    got = [a for a in range(16, 25) if split[f"age_{a}"].iloc[0] == 1]
    assert got == expected


def test_split_refuses_bad_counts():
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        split_bands(_bands([[1.5, 0, 0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        split_bands(_bands([[-1, 0, 0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="lsoas has no ages"):
        single_year_ages(pd.DataFrame({"lsoa_code": ["L1"], "population": [5]}))


def test_banded_ages_agree_across_vintages_layouts():
    old = read_table("lsoas", vintage="2022")
    bands = banded_ages(old)
    assert (bands[list(BAND_COLUMNS)].sum(axis=1) == old["population"]).all()
    new = read_table("lsoas", vintage="2026")
    assert banded_ages(new).equals(new[["lsoa_code", *BAND_COLUMNS]])
    # Splitting and re-banding the 2026 table gives the published bands back.
    resplit = banded_ages(
        split_bands(new.drop(columns=["lsoa_name"])).drop(columns=list(BAND_COLUMNS))
    )
    assert (resplit[list(BAND_COLUMNS)].to_numpy() == new[list(BAND_COLUMNS)].to_numpy()).all()


def test_no_precision_is_invented_in_pyramid_bands():
    assert pyramid_bands("2026") == CENSUS_AGE_BANDS
    assert pyramid_bands("2022") == tuple(range(0, 91, 5))
    assert check_age_bands([0, 65], "2026") == (0, 65)
    with pytest.raises(ValueError, match="must be among 0, 16, 25, 35, 50, 65"):
        check_age_bands(range(0, 91, 5), "2026")
    assert check_age_bands(range(0, 91, 5), "2022") == tuple(range(0, 91, 5))
