"""Tests for layers.individuals: synthetic people from registrations and LSOA ages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers.individuals import (
    AGE_COLUMNS,
    INDIVIDUAL_COLUMNS,
    MALE_SHARE_BY_AGE,
    age_band_labels,
    aggregate_individuals,
    aggregate_individuals_many,
    generate_individuals,
    generate_individuals_chunked,
    male_share,
    write_individuals_parquet,
)

# chi-square 99.9% critical value, 90 degrees of freedom (scipy.stats.chi2.ppf(0.999, 90))
CHI2_999_DF90 = 137.208


def ages_frame(structures: dict[str, dict[int, int]]) -> pd.DataFrame:
    rows = []
    for code, by_age in structures.items():
        row = {"lsoa_code": code, **dict.fromkeys(AGE_COLUMNS, 0)}
        for age, n in by_age.items():
            row[f"age_{age}"] = n
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def tiny() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two practices x three English LSOAs, plus Welsh and unknown residences."""
    registrations = pd.DataFrame(
        {
            "practice_code": ["P1", "P1", "P1", "P1", "P2", "P2", "P2"],
            "lsoa_code": ["E01", "E02", "W01000001", "NO2011", "E02", "E03", "E01"],
            "patients": [5, 7, 3, 2, 4, 6, 0],
        }
    )
    lsoa_ages = ages_frame(
        {
            "E01": {30: 10},  # everyone is 30
            "E02": {0: 5, 80: 5},  # half babies, half 80
            "E03": {50: 1, 90: 3},
        }
    )
    imd = pd.DataFrame({"lsoa_code": ["E01", "E02", "E03"], "imd_decile": [1, 2, 10]})
    return registrations, lsoa_ages, imd


def rows_of(people: pd.DataFrame) -> dict[tuple[str, str], int]:
    counts = people.groupby(["practice_code", "lsoa_code"], observed=True).size()
    return {k: int(v) for k, v in counts.items()}


# --------------------------------------------------------------------------- totals


def test_every_registration_row_yields_exactly_its_patients(tiny) -> None:
    reg, ages, imd = tiny
    people = generate_individuals(reg, ages, imd, np.random.default_rng(1))
    assert len(people) == reg["patients"].sum() == 27
    expected = {(p, lsoa): n for p, lsoa, n in reg.itertuples(index=False, name=None) if n > 0}
    assert rows_of(people) == expected
    assert people.groupby("practice_code", observed=True).size().to_dict() == {"P1": 17, "P2": 10}


def test_columns_and_compact_dtypes(tiny) -> None:
    people = generate_individuals(*tiny, np.random.default_rng(1))
    assert tuple(people.columns) == INDIVIDUAL_COLUMNS
    assert isinstance(people["practice_code"].dtype, pd.CategoricalDtype)
    assert isinstance(people["lsoa_code"].dtype, pd.CategoricalDtype)
    assert people["age"].dtype == np.int8
    assert people["sex"].cat.categories.tolist() == ["F", "M"]
    assert people["imd_decile"].dtype == "Int8"
    assert people.index.equals(pd.RangeIndex(len(people)))


def test_known_lsoas_draw_from_their_own_age_structure_and_decile(tiny) -> None:
    people = generate_individuals(*tiny, np.random.default_rng(2))
    by_lsoa = people.groupby("lsoa_code", observed=True)
    assert set(by_lsoa.get_group("E01")["age"]) == {30}
    assert set(by_lsoa.get_group("E02")["age"]) <= {0, 80}
    assert set(by_lsoa.get_group("E03")["age"]) <= {50, 90}
    decile = people.drop_duplicates("lsoa_code").set_index("lsoa_code")["imd_decile"]
    assert decile[["E01", "E02", "E03"]].tolist() == [1, 2, 10]
    assert decile[["W01000001", "NO2011"]].isna().all()


def test_unknown_lsoas_use_the_practice_mix_by_default(tiny) -> None:
    reg, ages, imd = tiny
    # P1's known rows: 5 people in E01 (age 30), 7 in E02 (0 or 80): mix is 5/12 at 30
    big = reg.copy()
    big.loc[big["lsoa_code"] == "W01000001", "patients"] = 12_000
    people = generate_individuals(big, ages, imd, np.random.default_rng(3))
    welsh = people.loc[people["lsoa_code"] == "W01000001", "age"]
    assert len(welsh) == 12_000
    assert set(welsh) == {0, 30, 80}
    assert abs((welsh == 30).mean() - 5 / 12) < 0.02


def test_unknown_lsoas_national_mix_and_raise(tiny) -> None:
    reg, ages, imd = tiny
    big = reg.copy()
    big.loc[big["lsoa_code"] == "NO2011", "patients"] = 20_000
    people = generate_individuals(big, ages, imd, np.random.default_rng(4), unknown_lsoa="national")
    unknown = people.loc[people["lsoa_code"] == "NO2011", "age"]
    # national mix is the population-weighted sum of all rows: 10 + 10 + 4 people
    expected = {0: 5 / 24, 30: 10 / 24, 50: 1 / 24, 80: 5 / 24, 90: 3 / 24}
    observed = unknown.value_counts(normalize=True).to_dict()
    assert set(observed) == set(expected)
    for age, share in expected.items():
        assert abs(observed[age] - share) < 0.015
    with pytest.raises(ValueError, match="no age structure"):
        generate_individuals(reg, ages, imd, np.random.default_rng(4), unknown_lsoa="raise")


def test_practice_with_no_known_rows_falls_back_to_national_mix() -> None:
    reg = pd.DataFrame(
        {"practice_code": ["A", "B"], "lsoa_code": ["E01", "NO2011"], "patients": [1, 5000]}
    )
    ages = ages_frame({"E01": {10: 1, 70: 1}})
    people = generate_individuals(reg, ages, pd.Series({"E01": 3}), np.random.default_rng(5))
    b_ages = people.loc[people["practice_code"] == "B", "age"]
    assert set(b_ages) == {10, 70}
    assert abs((b_ages == 10).mean() - 0.5) < 0.03


def test_empty_lsoa_in_age_table_is_treated_as_unknown() -> None:
    reg = pd.DataFrame(
        {"practice_code": ["A", "A"], "lsoa_code": ["E01", "E02"], "patients": [4, 3]}
    )
    ages = ages_frame({"E01": {40: 9}, "E02": {}})
    people = generate_individuals(
        reg, ages, pd.Series({"E01": 1, "E02": 2}), np.random.default_rng(0)
    )
    assert (people["age"] == 40).all()
    assert people.loc[people["lsoa_code"] == "E02", "imd_decile"].tolist() == [2, 2, 2]


def test_lsoa_imd_decile_accepts_series_and_missing_lsoas(tiny) -> None:
    reg, ages, _ = tiny
    series = pd.Series({"E01": 1, "E02": 2})  # E03 not given -> missing
    people = generate_individuals(reg, ages, series, np.random.default_rng(1))
    assert people.loc[people["lsoa_code"] == "E03", "imd_decile"].isna().all()
    assert (people.loc[people["lsoa_code"] == "E02", "imd_decile"] == 2).all()


# --------------------------------------------------------------------------- determinism


def test_same_seed_identical_different_seed_different(tiny) -> None:
    reg, ages, imd = tiny
    big = reg.assign(patients=reg["patients"] * 50)
    a = generate_individuals(big, ages, imd, np.random.default_rng(123))
    b = generate_individuals(big, ages, imd, np.random.default_rng(123))
    c = generate_individuals(big, ages, imd, np.random.default_rng(124))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert rows_of(a) == rows_of(c)  # only ages and sexes differ


def test_output_does_not_depend_on_input_row_order(tiny) -> None:
    reg, ages, imd = tiny
    shuffled = reg.sample(frac=1.0, random_state=7)
    a = generate_individuals(reg, ages, imd, np.random.default_rng(9))
    b = generate_individuals(shuffled, ages.iloc[::-1], imd, np.random.default_rng(9))
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- distributions


def test_age_distribution_of_big_sample_matches_lsoa_structure() -> None:
    age = np.arange(91)
    structure = np.round(400 * np.exp(-(((age - 40) / 30) ** 2)) + 20).astype(int)
    ages = pd.DataFrame([{"lsoa_code": "E01", **dict(zip(AGE_COLUMNS, structure, strict=True))}])
    n = 300_000
    reg = pd.DataFrame({"practice_code": ["P"], "lsoa_code": ["E01"], "patients": [n]})
    people = generate_individuals(reg, ages, pd.Series({"E01": 4}), np.random.default_rng(11))
    observed = np.bincount(people["age"].to_numpy(), minlength=91)
    expected = n * structure / structure.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert chi2 < CHI2_999_DF90


def test_each_lsoa_keeps_its_own_age_structure() -> None:
    ages = ages_frame(
        {"YOUNG": {a: 10 for a in range(0, 20)}, "OLD": {a: 10 for a in range(70, 91)}}
    )
    reg = pd.DataFrame(
        {"practice_code": ["P", "P"], "lsoa_code": ["YOUNG", "OLD"], "patients": [5000, 5000]}
    )
    people = generate_individuals(reg, ages, pd.Series(dtype=float), np.random.default_rng(2))
    young = people.loc[people["lsoa_code"] == "YOUNG", "age"]
    old = people.loc[people["lsoa_code"] == "OLD", "age"]
    assert young.between(0, 19).all() and old.between(70, 90).all()
    # every age of each band appears (inverse CDF covers the whole support)
    assert young.nunique() == 20 and old.nunique() == 21


def test_sex_ratio_follows_the_model() -> None:
    ages = ages_frame({"E01": {2: 1, 50: 1, 90: 1}})
    n = 240_000
    reg = pd.DataFrame({"practice_code": ["P"], "lsoa_code": ["E01"], "patients": [n]})
    people = generate_individuals(reg, ages, pd.Series({"E01": 4}), np.random.default_rng(8))
    share = people.assign(m=people["sex"] == "M").groupby("age")["m"].mean()
    for age in (2, 50, 90):
        assert abs(share[age] - male_share(age)) < 0.006


def test_male_share_table() -> None:
    assert male_share([0, 14, 15, 89, 90]).tolist() == [0.512, 0.512, 0.51, 0.395, 0.32]
    assert MALE_SHARE_BY_AGE[0][0] == 0
    # monotone non-increasing after childhood
    table = male_share(np.arange(91))
    assert np.all(np.diff(table) <= 0)
    with pytest.raises(ValueError, match="0 to 90"):
        male_share([91])


# --------------------------------------------------------------------------- chunks


def test_chunks_hold_whole_practices_and_match_totals(tiny) -> None:
    reg, ages, imd = tiny
    many = pd.concat(
        [reg.assign(practice_code=reg["practice_code"] + f"-{i}") for i in range(10)],
        ignore_index=True,
    )
    chunks = list(
        generate_individuals_chunked(many, ages, imd, np.random.default_rng(0), chunk_people=40)
    )
    assert len(chunks) > 3
    assert all(len(c) <= 40 for c in chunks)
    seen: set[str] = set()
    for chunk in chunks:
        practices = set(chunk["practice_code"].astype(str))
        assert not practices & seen  # no practice split across chunks
        seen |= practices
        assert chunk["practice_code"].cat.categories.equals(
            chunks[0]["practice_code"].cat.categories
        )
    whole = pd.concat(chunks, ignore_index=True)
    assert rows_of(whole) == {
        (p, lsoa): n for p, lsoa, n in many.itertuples(index=False, name=None) if n > 0
    }


def test_single_chunk_equals_generate_individuals(tiny) -> None:
    reg, ages, imd = tiny
    one = list(
        generate_individuals_chunked(reg, ages, imd, np.random.default_rng(5), chunk_people=10**9)
    )
    assert len(one) == 1
    pd.testing.assert_frame_equal(
        one[0], generate_individuals(reg, ages, imd, np.random.default_rng(5))
    )


def test_chunked_is_deterministic_and_oversized_practice_gets_own_chunk(tiny) -> None:
    reg, ages, imd = tiny
    run = lambda seed: list(  # noqa: E731
        generate_individuals_chunked(reg, ages, imd, np.random.default_rng(seed), chunk_people=3)
    )
    a, b = run(1), run(1)
    assert [len(c) for c in a] == [17, 10]  # each practice exceeds 3, so one chunk each
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_parquet_round_trip(tiny, tmp_path: Path) -> None:
    reg, ages, imd = tiny
    chunks = list(
        generate_individuals_chunked(reg, ages, imd, np.random.default_rng(3), chunk_people=5)
    )
    path = tmp_path / "people.parquet"
    assert write_individuals_parquet(iter(chunks), path) == 27
    back = pd.read_parquet(path)
    whole = pd.concat(chunks, ignore_index=True)
    assert back["age"].tolist() == whole["age"].tolist()
    assert back["practice_code"].astype(str).tolist() == whole["practice_code"].astype(str).tolist()
    assert back["imd_decile"].isna().sum() == whole["imd_decile"].isna().sum() == 5
    with pytest.raises(ValueError, match="empty"):
        write_individuals_parquet([], tmp_path / "none.parquet")
    with pytest.raises(ValueError, match="differ"):
        write_individuals_parquet([whole, whole[["age"]]], tmp_path / "bad.parquet")


# --------------------------------------------------------------------------- aggregation


def test_aggregate_by_practice_pcn_lsoa_and_age_band(tiny) -> None:
    reg, ages, imd = tiny
    people = generate_individuals(reg, ages, imd, np.random.default_rng(1))
    by_practice = aggregate_individuals(people, ["practice_code"])
    assert by_practice.set_index("practice_code")["people"].to_dict() == {"P1": 17, "P2": 10}

    lookup = pd.DataFrame({"practice_code": ["P1"], "pcn_code": ["U1"]})  # P2 unmapped
    by_pcn = aggregate_individuals(people, ["pcn_code"], practice_lookup=lookup)
    assert by_pcn["people"].sum() == 27  # unmapped practice kept, not dropped
    assert by_pcn.loc[by_pcn["pcn_code"] == "U1", "people"].item() == 17
    assert by_pcn["pcn_code"].isna().sum() == 1

    lsoa_lookup = pd.DataFrame(
        {"lsoa_code": ["E01", "E02", "E03"], "ltla_code": ["L1", "L1", "L2"]}
    )
    by_ltla = aggregate_individuals(people, ["ltla_code"], lsoa_lookup=lsoa_lookup)
    assert by_ltla.dropna().set_index("ltla_code")["people"].to_dict() == {"L1": 16, "L2": 6}

    bands = aggregate_individuals(people, ["age_band"], age_bands=[0, 18, 65])
    assert bands["age_band"].astype(str).tolist() == sorted(
        bands["age_band"].astype(str).tolist(), key=["0-17", "18-64", "65+"].index
    )
    assert bands["people"].sum() == 27


def test_aggregate_chunks_equals_aggregate_of_whole(tiny) -> None:
    reg, ages, imd = tiny
    chunks = list(
        generate_individuals_chunked(reg, ages, imd, np.random.default_rng(2), chunk_people=5)
    )
    whole = pd.concat(chunks, ignore_index=True)
    keys = ["practice_code", "age_band", "sex"]
    a = aggregate_individuals(iter(chunks), keys)
    b = aggregate_individuals(whole, keys)
    pd.testing.assert_frame_equal(
        a.astype({k: str for k in keys}), b.astype({k: str for k in keys})
    )


def test_aggregate_many_in_one_pass_equals_separate_calls(tiny) -> None:
    reg, ages, imd = tiny
    chunks = list(
        generate_individuals_chunked(reg, ages, imd, np.random.default_rng(4), chunk_people=5)
    )
    lookup = pd.DataFrame({"practice_code": ["P1", "P2"], "icb_code": ["Q1", "Q1"]})
    groupings = {"practice": ["practice_code", "sex"], "icb": ["icb_code"], "lsoa": ["lsoa_code"]}
    passes = 0

    def counted():
        nonlocal passes
        for chunk in chunks:
            passes += 1
            yield chunk

    tables = aggregate_individuals_many(counted(), groupings, practice_lookup=lookup)
    assert passes == len(chunks)  # each chunk read once for all three tables
    assert tables["icb"]["people"].tolist() == [27]
    for name, by in groupings.items():
        separate = aggregate_individuals(chunks, by, practice_lookup=lookup)
        pd.testing.assert_frame_equal(
            tables[name].astype({k: str for k in by}), separate.astype({k: str for k in by})
        )
    with pytest.raises(ValueError, match="groupings"):
        aggregate_individuals_many(chunks, {})


@pytest.mark.parametrize("n_keys", [1, 2, 4])
def test_aggregate_matches_pandas_for_small_and_huge_key_spaces(n_keys: int) -> None:
    # 1 key: bincount path; 2 keys of 70,000 values: sort path; 4 keys: > 2**62 codes
    rng = np.random.default_rng(0)
    n = 70_000
    frame = pd.DataFrame({f"k{i}": rng.permutation(n) for i in range(n_keys)})
    frame["k0"] = frame["k0"] % 1000
    frame.loc[::7, "k0"] = np.nan  # a missing key is counted, not dropped
    by = list(frame.columns)
    got = aggregate_individuals(frame, by)
    want = frame.groupby(by, dropna=False).size().rename("people").reset_index()
    assert got["people"].sum() == n
    pd.testing.assert_frame_equal(
        got.astype(float), want.astype(float), check_dtype=False, check_like=True
    )


def test_age_band_labels() -> None:
    assert age_band_labels([0, 5, 18, 90]) == ["0-4", "5-17", "18-89", "90+"]
    assert age_band_labels([0, 1]) == ["0", "1+"]
    for bad in ([5, 10], [0, 10, 10], [0, 95], [0, 2.5]):
        with pytest.raises(ValueError, match="edges"):
            age_band_labels(bad)


# --------------------------------------------------------------------------- validation


def test_input_validation(tiny) -> None:
    reg, ages, imd = tiny
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="Generator"):
        generate_individuals(reg, ages, imd, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing column"):
        generate_individuals(reg.drop(columns="patients"), ages, imd, rng)
    with pytest.raises(ValueError, match="missing column"):
        generate_individuals(reg, ages.drop(columns="age_90"), imd, rng)
    with pytest.raises(ValueError, match="non-negative whole"):
        generate_individuals(reg.assign(patients=-reg["patients"]), ages, imd, rng)
    with pytest.raises(ValueError, match="non-negative whole"):
        generate_individuals(reg.assign(patients=reg["patients"] + 0.5), ages, imd, rng)
    with pytest.raises(ValueError, match="missing values"):
        generate_individuals(reg.assign(patients=np.nan), ages, imd, rng)
    with pytest.raises(ValueError, match="duplicate lsoa_code"):
        generate_individuals(reg, pd.concat([ages, ages]), imd, rng)
    with pytest.raises(ValueError, match="1 to 10"):
        generate_individuals(reg, ages, imd.assign(imd_decile=[0, 2, 11]), rng)
    with pytest.raises(ValueError, match="duplicate LSOA"):
        generate_individuals(reg, ages, pd.concat([imd, imd]), rng)
    with pytest.raises(TypeError, match="lsoa_imd_decile"):
        generate_individuals(reg, ages, [1, 2, 3], rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown_lsoa"):
        generate_individuals(reg, ages, imd, rng, unknown_lsoa="wales")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing codes"):
        generate_individuals(reg.assign(lsoa_code=None), ages, imd, rng)
    with pytest.raises(ValueError, match="chunk_people"):
        generate_individuals_chunked(reg, ages, imd, rng, chunk_people=0)
    with pytest.raises(ValueError, match="by"):
        aggregate_individuals(pd.DataFrame({"age": [1]}), [])
    with pytest.raises(ValueError, match="cannot group by"):
        aggregate_individuals(pd.DataFrame({"age": [1]}), ["pcn_code"])


# --------------------------------------------------------------------------- real data


@pytest.mark.slow
def test_real_ics_totals_match_registrations_exactly() -> None:
    geodata = pytest.importorskip("layers.geodata")
    if not (geodata.vintage_dir("2022") / "registrations.parquet").exists():
        pytest.skip("geodata/ not built")
    lsoas = geodata.read_table("lsoas", vintage="2022")
    practices = geodata.read_table("practices", vintage="2022")
    reg = geodata.read_table("registrations", vintage="2022")
    reg = reg[
        reg["practice_code"].isin(practices.loc[practices["icb_code"] == "QGH", "practice_code"])
    ]
    people = generate_individuals(reg, lsoas, lsoas, np.random.default_rng(2022))
    assert len(people) == reg["patients"].sum()
    counts = aggregate_individuals(people, ["practice_code", "lsoa_code"])
    merged = reg.groupby(["practice_code", "lsoa_code"], as_index=False)["patients"].sum()
    merged = merged[merged["patients"] > 0].merge(
        counts.astype({"practice_code": str, "lsoa_code": str}), how="outer"
    )
    assert (merged["patients"] == merged["people"]).all()
