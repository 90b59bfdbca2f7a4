"""Tests for layers.tiers: bands, tier figures, what-if regrouping, age pyramids, risk.

Hand-made tables with answers worked by hand, the toy ICS of conftest through
``load_system``, and real-data facts checked against ``../shared/data``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layers
from layers import tiers
from layers.disclosure import SUPPRESSED
from layers.individuals import AGE_COLUMNS, aggregate_individuals, generate_individuals
from layers.risk import assign_risk, risk_tier_counts
from tests.conftest import SHARED_DATA, require_shared

# --------------------------------------------------------------------------- fixtures


def hand_tables() -> tiers.TierTables:
    """:func:`layers.tiers.example_tables` with its places coded N (North) and S (South).

    PCN A (P1 60, P2 25) in North, B (P3 115) in South, P4 (40) in no PCN.
    Totals: A 85, B 115; North 125 (P1, P2, P4), South 115; ICS 240 registered.
    """
    toy = tiers.example_tables()

    def recoded(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(place_code=frame["place_code"].map({"U1": "N", "U2": "S"}))

    return tiers.TierTables(
        code=toy.code,
        name=toy.name,
        practices=recoded(toy.practices),
        pcns=recoded(toy.pcns),
        places=recoded(toy.places),
        resident_population=toy.resident_population,
        vintage="2022",  # its labels are the July 2022 vintage's
    )


TOY_BANDS = {"practice": (30, 100), "pcn": (100, 200), "place": (100, 120), "ics": (200, 300)}


def snapshot(tables: tiers.TierTables) -> dict[str, pd.DataFrame]:
    return {
        name: getattr(tables, name).copy(deep=True)
        for name in ("practices", "pcns", "places", "footprints")
    }


def assert_unchanged(tables: tiers.TierTables, before: dict[str, pd.DataFrame]) -> None:
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(tables, name), frame)


def layer_totals(tables: tiers.TierTables) -> dict[str, int]:
    """Registered patients summed at each layer (PCNs plus the practices in none)."""
    pcn = tiers.unit_table(tables, "pcn")["registered_patients"].sum()
    no_pcn = tables.practices.loc[tables.practices["pcn_code"].isna(), "registered_patients"]
    return {
        "practice": int(tiers.unit_table(tables, "practice")["registered_patients"].sum()),
        "pcn+no_pcn": int(pcn + no_pcn.sum()),
        "place": int(tiers.unit_table(tables, "place")["registered_patients"].sum()),
        "ics": int(tiers.unit_table(tables, "ics")["registered_patients"].iloc[0]),
    }


@pytest.fixture(scope="module")
def qgh() -> tiers.TierTables:
    return tiers.tier_tables(layers.load_system("QGH", vintage="2022"))


@pytest.fixture(scope="module")
def qrv() -> tiers.TierTables:
    return tiers.tier_tables(layers.load_system("QRV", vintage="2022"))


# --------------------------------------------------------------------------- bands


def test_default_bands_are_the_plans_and_immutable():
    assert dict(tiers.DEFAULT_BANDS) == {
        "practice": (1_000, 10_000),
        "pcn": (30_000, 50_000),
        "place": (100_000, 500_000),
        "ics": (500_000, 1_500_000),
    }
    with pytest.raises(TypeError):
        tiers.DEFAULT_BANDS["pcn"] = (1, 2)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000-10000,30000-50000,100000-500000,500000-1500000", tiers.DEFAULT_BANDS),
        ("1k-10k,30k-50k,100k-500k,0.5m-1.5m", tiers.DEFAULT_BANDS),
        (" 2K - 12k , 25k-60k,100k-1M,1m-3m ", None),
    ],
)
def test_parse_bands(text, expected):
    parsed = tiers.parse_bands(text)
    if expected is not None:
        assert parsed == dict(expected)
    else:
        assert parsed == {
            "practice": (2_000, 12_000),
            "pcn": (25_000, 60_000),
            "place": (100_000, 1_000_000),
            "ics": (1_000_000, 3_000_000),
        }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1k-10k,30k-50k", "Expected 4 ranges"),
        ("1k-10k,30k-50k,100k-500k,500k-1.5m,1-2", "Expected 4 ranges"),
        ("1k-10k,30k,100k-500k,500k-1.5m", "must be low-high"),
        ("1k-10k,abc-50k,100k-500k,500k-1.5m", "is not a number"),
        ("1k-10k,-5-50k,100k-500k,500k-1.5m", "must be low-high"),
        ("1k-10k,50k-30k,100k-500k,500k-1.5m", "must be below the upper bound"),
        ("1k-10k,30k-30k,100k-500k,500k-1.5m", "must be below the upper bound"),
        ("1.0005k-10k,30k-50k,100k-500k,500k-1.5m", "not a whole number"),
        ("", "Expected 4 ranges"),
    ],
)
def test_parse_bands_rejects_malformed_values(text, message):
    with pytest.raises(ValueError, match=message):
        tiers.parse_bands(text)


@given(
    st.lists(
        st.tuples(st.integers(0, 5_000_000), st.integers(1, 5_000_000)), min_size=4, max_size=4
    )
)
def test_format_then_parse_round_trips(pairs):
    bands = {
        layer: (min(a, b), max(a, b) + (a == b))
        for layer, (a, b) in zip(tiers.BANDED_LAYERS, pairs, strict=True)
    }
    assert tiers.parse_bands(tiers.format_bands(bands)) == bands


def test_format_bands_is_compact():
    assert tiers.format_bands(tiers.DEFAULT_BANDS) == "1k-10k,30k-50k,100k-500k,500k-1.5m"
    assert tiers.format_bands({"practice": (1_234, 12_500)}).startswith("1234-12.5k,")


def test_validate_bands_errors():
    with pytest.raises(ValueError, match="Unknown layer"):
        tiers.validate_bands({"region": (1, 2)})
    with pytest.raises(TypeError, match="whole number"):
        tiers.validate_bands({"pcn": (1.5, 2)})
    with pytest.raises(TypeError, match="whole number"):
        tiers.validate_bands({"pcn": (True, 2)})
    with pytest.raises(ValueError, match=">= 0"):
        tiers.validate_bands({"pcn": (-1, 2)})
    with pytest.raises(ValueError, match=r"\(low, high\)"):
        tiers.validate_bands({"pcn": (1, 2, 3)})
    with pytest.raises(TypeError, match="mapping"):
        tiers.validate_bands([(1, 2)])  # type: ignore[arg-type]
    assert tiers.validate_bands({})["ics"] == (500_000, 1_500_000)


# --------------------------------------------------------------------------- tier figures


def test_tier_summary_by_hand():
    summary = tiers.tier_summary(hand_tables(), TOY_BANDS).set_index("layer")
    assert summary.index.tolist() == list(tiers.LAYERS)
    # practices 25, 40, 60, 115 against 30-100: one below, two within, one above
    assert summary.loc["practice", ["n_units", "smallest", "largest"]].tolist() == [4, 25, 115]
    assert summary.loc["practice", "median"] == 50.0
    assert summary.loc["practice", ["n_below", "n_within", "n_above"]].tolist() == [1, 2, 1]
    # PCNs 85 and 115 against 100-200; P4 is outside the PCN layer with 40 patients
    assert summary.loc["pcn", ["n_units", "smallest", "largest"]].tolist() == [2, 85, 115]
    assert summary.loc["pcn", ["n_below", "n_within", "n_above"]].tolist() == [1, 1, 0]
    assert summary.loc["pcn", ["outside_layer", "outside_layer_patients"]].tolist() == [1, 40]
    # places North 125 (above 100-120) and South 115 (within)
    assert summary.loc["place", ["n_below", "n_within", "n_above"]].tolist() == [0, 1, 1]
    assert summary.loc["ics", "median"] == 240.0
    assert summary.loc["ics", "resident_population"] == 250
    assert summary.loc["individual", "n_units"] == 240
    assert (summary["registered_patients"] == 240).all()
    assert summary.loc["individual", "population_basis"].startswith("Synthetic individuals")
    assert "Registered patients" in summary.loc["pcn", "population_basis"]


def test_n_individuals_must_match_registered():
    assert tiers.tier_summary(hand_tables(), n_individuals=240)["n_units"].iloc[0] == 240
    with pytest.raises(ValueError, match="one synthetic individual per registered patient"):
        tiers.tier_summary(hand_tables(), n_individuals=239)


@pytest.mark.parametrize(
    ("population", "flag", "gap"),
    [(29, "below", -1), (30, "within", 0), (100, "within", 0), (101, "above", 1)],
)
def test_band_edges_are_inclusive(population, flag, gap):
    tables = hand_tables()
    practices = tables.practices.assign(registered_patients=[population, 25, 115, 40]).astype(
        {"registered_patients": "int64"}
    )
    flags = tiers.flag_units(dataclasses.replace(tables, practices=practices), TOY_BANDS)
    row = flags[flags["code"] == "P1"].iloc[0]
    assert (row["flag"], row["gap"]) == (flag, gap)


def test_flag_units_columns_and_parents():
    flags = tiers.flag_units(hand_tables(), TOY_BANDS)
    assert flags["layer"].value_counts().to_dict() == {
        "practice": 4,
        "pcn": 2,
        "place": 2,
        "ics": 1,
    }
    practice = flags[flags["layer"] == "practice"].set_index("code")
    assert practice.loc["P4", "parent_name"] == layers.NO_PCN_LABEL
    assert pd.isna(practice.loc["P4", "parent_code"])
    assert practice.loc["P1", "parent_name"] == "PCN A"
    place = flags[flags["layer"] == "place"].set_index("code")
    assert place.loc["N", ["n_pcns", "n_practices", "resident_population"]].tolist() == [1, 3, 130]
    assert flags["flag"].cat.categories.tolist() == list(tiers.FLAGS)


def test_unit_mapping_keeps_practices_in_no_pcn():
    mapping = tiers.unit_mapping(hand_tables(), "pcn").set_index("practice_code")
    assert mapping.loc["P4", "code"] == tiers.NO_PCN_CODE
    assert mapping.loc["P4", "name"] == layers.NO_PCN_LABEL
    assert len(mapping) == 4
    with pytest.raises(ValueError, match="Unknown layer"):
        tiers.unit_mapping(hand_tables(), "individual")


def test_tier_tables_validation():
    good = hand_tables()
    with pytest.raises(ValueError, match="not in pcns"):
        dataclasses.replace(good, practices=good.practices.assign(pcn_code=["A", "A", "Z", None]))
    with pytest.raises(ValueError, match="duplicate"):
        dataclasses.replace(good, pcns=pd.concat([good.pcns, good.pcns]))
    with pytest.raises(ValueError, match="missing column"):
        dataclasses.replace(good, places=good.places.drop(columns="place_name"))
    with pytest.raises(ValueError, match="whole numbers"):
        dataclasses.replace(
            good, practices=good.practices.assign(registered_patients=[1.5, 2.0, 3.0, 4.0])
        )
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.code = "QYY"  # type: ignore[misc]


def test_practice_place_follows_its_pcn():
    tables = hand_tables()
    practices = tables.practices.assign(place_code=["S", "N", "S", "N"])  # P1 says S, PCN A is N
    fixed = dataclasses.replace(tables, practices=practices)
    assert fixed.practices.set_index("practice_code").loc["P1", "place_code"] == "N"


def test_toy_system_through_load_system(toy_tables):
    system = layers.load_system("QXX", "preset", tables=toy_tables, vintage="2022")
    tables = tiers.tier_tables(system)
    summary = tiers.tier_summary(tables, TOY_BANDS).set_index("layer")
    assert summary.loc["practice", "n_units"] == 4  # P5 is in another ICB
    assert summary.loc["pcn", "n_units"] == 2
    assert summary.loc["pcn", "outside_layer"] == 1  # P4, in no PCN, is kept
    assert summary.loc["place", "n_units"] == 1
    assert summary.loc["ics", "median"] == 240.0
    assert summary.loc["ics", "resident_population"] == 1000


# --------------------------------------------------------------------------- regrouping


def test_regrouping_is_immutable():
    base = tiers.Regrouping()
    one = base.merge_pcns("A", "B")
    two = one.move_practice("P4", "A").move_pcn_to_place("A", "S")
    assert (len(base), len(one), len(two)) == (0, 1, 3)
    assert two.undo().undo() == one
    assert base.undo() == base
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.operations = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.operations[0].kept = "Z"  # type: ignore[misc]
    assert isinstance(two.operations, tuple)
    assert hash(two) == hash(tiers.Regrouping(list(two.operations)))
    with pytest.raises(TypeError, match="MovePractice"):
        tiers.Regrouping(("merge", "A", "B"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty code"):
        tiers.MovePractice("", "A")


def test_regrouping_json_round_trips_and_applies_the_same():
    tables = hand_tables()
    scenario = tiers.Regrouping().move_practice("P4", "B").merge_pcns("A", "B", "Nörth & South")
    scenario = scenario.move_pcn_to_place("A", "S")
    text = scenario.to_json()
    back = tiers.Regrouping.from_json(text)
    assert back == scenario
    assert tiers.unit_table(tiers.apply_regrouping(tables, back), "pcn").equals(
        tiers.unit_table(tiers.apply_regrouping(tables, scenario), "pcn")
    )
    assert tiers.Regrouping.from_json(tiers.Regrouping().to_json()) == tiers.Regrouping()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "operations"),
        ('{"operations": [{"kind": "merge_pcns", "kept": "A"}]}', "Step 1 .*absorbed"),
        ('{"operations": [{"kind": "move_pcn", "pcn_code": "", "to_place": "S"}]}', "Step 1"),
        ('{"operations": [1]}', "unknown kind"),
        ("[" * 200_000, "at most"),
    ],
)
def test_a_bad_saved_regrouping_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        tiers.Regrouping.from_json(text)


def test_apply_never_mutates_inputs():
    tables = hand_tables()
    before = snapshot(tables)
    scenario = tiers.Regrouping().move_practice("P4", "B").merge_pcns("A", "B", "North & South")
    scenario = scenario.move_pcn_to_place("A", "S")
    out = tiers.apply_regrouping(tables, scenario)
    assert out is not tables
    assert_unchanged(tables, before)
    # and the output does not share mutable state with the input
    out.practices.loc[0, "registered_patients"] = 999
    assert_unchanged(tables, before)
    assert tiers.apply_regrouping(tables, tiers.Regrouping()) is tables


def test_move_practice_into_a_pcn():
    tables = hand_tables()
    out = tiers.apply_regrouping(tables, tiers.Regrouping().move_practice("P4", "B"))
    pcns = tiers.unit_table(out, "pcn").set_index("code")["registered_patients"]
    places = tiers.unit_table(out, "place").set_index("code")["registered_patients"]
    assert pcns.to_dict() == {"A": 85, "B": 155}
    assert places.to_dict() == {"N": 85, "S": 155}  # P4 follows PCN B to South
    assert out.practices["pcn_code"].notna().all()
    assert layer_totals(out) == layer_totals(tables) == dict.fromkeys(layer_totals(out), 240)


def test_moving_the_last_practice_dissolves_the_pcn():
    tables = hand_tables()
    out = tiers.apply_regrouping(tables, tiers.Regrouping().move_practice("P3", "A"))
    assert out.pcns["pcn_code"].tolist() == ["A"]
    owner = out.footprints.set_index("footprint_code")["pcn_code"]
    assert owner["A"] == "A" and pd.isna(owner["B"])
    # South keeps its registered count at 0 but stays a place
    places = tiers.unit_table(out, "place").set_index("code")
    assert places.loc["S", "registered_patients"] == 0
    with pytest.raises(tiers.RegroupingError, match="no longer exists: step 1 left it") as info:
        tiers.apply_regrouping(
            tables, tiers.Regrouping().move_practice("P3", "A").merge_pcns("A", "B")
        )
    assert info.value.step == 2


def test_merge_pcns_across_places():
    tables = hand_tables()
    out = tiers.apply_regrouping(tables, tiers.Regrouping().merge_pcns("B", "A"))
    assert out.pcns.to_dict("records") == [
        {"pcn_code": "B", "pcn_name": "PCN B + PCN A", "place_code": "S"}
    ]
    practices = out.practices.set_index("practice_code")
    assert practices.loc[["P1", "P2", "P3"], "place_code"].tolist() == ["S", "S", "S"]
    assert practices.loc["P4", "place_code"] == "N"  # in no PCN: keeps its own place
    assert out.footprints.set_index("footprint_code")["pcn_code"].to_dict() == {"A": "B", "B": "B"}
    assert tiers.unit_table(out, "pcn")["registered_patients"].tolist() == [200]
    assert layer_totals(out) == layer_totals(tables)
    named = tiers.apply_regrouping(tables, tiers.Regrouping().merge_pcns("B", "A", "Big"))
    assert named.pcns["pcn_name"].tolist() == ["Big"]


def test_move_pcn_to_place():
    tables = hand_tables()
    out = tiers.apply_regrouping(tables, tiers.Regrouping().move_pcn_to_place("A", "S"))
    places = tiers.unit_table(out, "place").set_index("code")
    assert places["registered_patients"].to_dict() == {"N": 40, "S": 200}
    assert places["n_pcns"].to_dict() == {"N": 0, "S": 2}
    assert places["resident_population"].to_dict() == {"N": 130, "S": 120}  # residents fixed
    assert layer_totals(out) == layer_totals(tables)


@pytest.mark.parametrize(
    ("regrouping", "step", "message"),
    [
        (tiers.Regrouping().move_practice("P9", "A"), 1, "'P9' is not a GP practice"),
        (tiers.Regrouping().move_practice("P1", "Z"), 1, "'Z' is not a PCN"),
        (tiers.Regrouping().move_practice("P1", "A"), 1, "already in PCN A"),
        (tiers.Regrouping().merge_pcns("A", "A"), 1, "cannot be merged with itself"),
        (tiers.Regrouping().merge_pcns("A", "Z"), 1, "'Z' is not a PCN"),
        (tiers.Regrouping().move_pcn_to_place("A", "X"), 1, "'X' is not a place"),
        (tiers.Regrouping().move_pcn_to_place("A", "N"), 1, "already in place N"),
        (
            tiers.Regrouping().merge_pcns("A", "B").move_practice("P1", "B"),
            2,
            "B no longer exists: step 1 merged it into A",
        ),
        (
            tiers.Regrouping().merge_pcns("A", "B").move_pcn_to_place("B", "N"),
            2,
            "no longer exists",
        ),
    ],
)
def test_invalid_operations_give_clear_errors(regrouping, step, message):
    tables = hand_tables()
    before = snapshot(tables)
    with pytest.raises(tiers.RegroupingError, match=message) as info:
        tiers.apply_regrouping(tables, regrouping)
    assert info.value.step == step
    assert str(info.value).startswith(f"Step {step} (")
    assert isinstance(info.value, ValueError)
    assert_unchanged(tables, before)


def test_apply_regrouping_type_errors():
    with pytest.raises(TypeError, match="TierTables"):
        tiers.apply_regrouping({"practices": None}, tiers.Regrouping())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Regrouping"):
        tiers.apply_regrouping(hand_tables(), [tiers.MovePractice("P1", "B")])  # type: ignore[arg-type]


def test_describe_regrouping_uses_names_as_they_stood():
    lines = tiers.describe_regrouping(
        hand_tables(),
        tiers.Regrouping()
        .merge_pcns("A", "B")
        .move_practice("P4", "A")
        .move_pcn_to_place("A", "S"),
    )
    assert lines == [
        "Merge PCN B (B) into PCN A (A)",
        "Move practice Four (P4) from No PCN in ePCN (May 2022) to PCN A + PCN B (A)",
        "Move PCN A + PCN B (A) from North to South",
    ]


# ---- invariants on the real data, with random scenarios


@st.composite
def scenarios(draw, tables: tiers.TierTables):
    """Random sequences of operations drawn from the codes of ``tables``."""
    practices = tables.practices["practice_code"].tolist()
    pcns = tables.pcns["pcn_code"].tolist()
    places = tables.places["place_code"].tolist()
    operation = st.one_of(
        st.builds(tiers.MovePractice, st.sampled_from(practices), st.sampled_from(pcns)),
        st.builds(tiers.MergePCNs, st.sampled_from(pcns), st.sampled_from(pcns)),
        st.builds(tiers.MovePCNToPlace, st.sampled_from(pcns), st.sampled_from(places)),
    )
    return draw(st.lists(operation, min_size=1, max_size=8))


def _check_invariants(base: tiers.TierTables, operations) -> None:
    before = snapshot(base)
    regrouping = tiers.Regrouping()
    current = base
    for operation in operations:
        candidate = regrouping.then(operation)
        try:
            current = tiers.apply_regrouping(base, candidate)
        except tiers.RegroupingError:
            continue  # an invalid step is refused and changes nothing
        regrouping = candidate
        totals = layer_totals(current)
        assert set(totals.values()) == {base.registered_patients}, totals
        assert len(current.practices) == len(base.practices)
        assert current.practices["pcn_code"].isna().sum() <= base.practices["pcn_code"].isna().sum()
        pcn_place = current.pcns.set_index("pcn_code")["place_code"]
        in_pcn = current.practices.dropna(subset=["pcn_code"])
        assert (
            in_pcn["place_code"].to_numpy() == in_pcn["pcn_code"].map(pcn_place).to_numpy()
        ).all()
        assert (tiers.unit_table(current, "pcn")["n_practices"] > 0).all()
        assert set(current.footprints["pcn_code"].dropna()) <= set(current.pcns["pcn_code"])
        summary = tiers.tier_summary(current).set_index("layer")
        assert summary.loc["ics", "resident_population"] == base.resident_population
        assert summary.loc["practice", "n_units"] == len(base.practices)
    assert_unchanged(base, before)


@pytest.mark.parametrize("code", ["QGH", "QRV"])
def test_random_regroupings_keep_every_total(code, qgh, qrv):
    base = {"QGH": qgh, "QRV": qrv}[code]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios(base))
    def run(operations):
        _check_invariants(base, operations)

    run()


# --------------------------------------------------------------------------- real data


def _raw_pcn_sizes(icb: str) -> pd.Series:
    """PCN registered lists computed straight from the raw ePCN and registration files."""
    data = require_shared(SHARED_DATA)
    links = pd.read_csv(data / "primary_care" / "practice_pcn_subicb_icb_2022.csv", dtype=str)
    registrations = pd.read_parquet(
        data / "primary_care" / "gp-reg-pat-prac-lsoa-all_2022-07.parquet",
        columns=["OrganisationCode", "Patient"],
    )
    lists = registrations.groupby("OrganisationCode")["Patient"].sum()
    links = links[(links["ICB_CODE"] == icb) & links["PRACTICE_CODE"].isin(lists.index)]
    return (
        links.assign(patients=links["PRACTICE_CODE"].map(lists))
        .groupby("PCN_CODE")["patients"]
        .sum()
    )


@pytest.mark.parametrize("code", ["QGH", "QRV"])
def test_pcn_tier_against_raw_files(code, qgh, qrv):
    tables = {"QGH": qgh, "QRV": qrv}[code]
    raw = _raw_pcn_sizes(code)
    summary = tiers.tier_summary(tables).set_index("layer")
    row = summary.loc["pcn"]
    assert row["n_units"] == len(raw)
    assert row["median"] == raw.median()
    assert (row["smallest"], row["largest"]) == (raw.min(), raw.max())
    assert row["n_below"] == (raw < 30_000).sum()
    assert row["n_above"] == (raw > 50_000).sum()
    flags = tiers.flag_units(tables, layers=["pcn"]).set_index("code")
    pd.testing.assert_series_equal(
        flags["registered_patients"].sort_index(),
        raw.rename_axis("code").rename("registered_patients").sort_index().astype("int64"),
    )


def test_qgh_tiers(qgh):
    summary = tiers.tier_summary(qgh).set_index("layer")
    assert summary["n_units"].to_dict() == {
        "individual": 817_738,
        "practice": 79,
        "pcn": 15,
        "place": 2,
        "ics": 1,
    }
    assert sorted(qgh.places["place_name"]) == ["Herefordshire", "Worcestershire"]
    assert summary.loc["ics", "resident_population"] == 791_685
    assert summary.loc["ics", "largest"] == 817_738
    assert summary.loc["pcn", "outside_layer"] == 0
    places = tiers.unit_table(qgh, "place")
    assert places["registered_patients"].sum() == 817_738
    assert places["n_pcns"].sum() == 15
    districts = tiers.tier_tables(layers.load_system("QGH", "ltla", vintage="2022"))
    assert tiers.tier_summary(districts).set_index("layer").loc["place", "n_units"] == 7
    assert tiers.unit_table(districts, "place")["registered_patients"].sum() == 817_738


def test_qrv_keeps_practices_in_no_pcn(qrv):
    summary = tiers.tier_summary(qrv).set_index("layer")
    assert summary.loc["practice", "n_units"] == 354
    assert summary.loc["pcn", "n_units"] == 45
    assert summary.loc["pcn", "outside_layer"] == 8
    assert summary.loc["pcn", "outside_layer_patients"] == 2_783_747 - 2_768_504
    assert summary.loc["place", "n_units"] == 8
    flags = tiers.flag_units(qrv, layers=["practice"])
    assert (flags["parent_name"] == layers.NO_PCN_LABEL).sum() == 8


def test_real_merge_and_move(qgh):
    pcns = tiers.unit_table(qgh, "pcn").sort_values("registered_patients")
    small, other = pcns["code"].iloc[0], pcns["code"].iloc[1]
    merged = tiers.apply_regrouping(qgh, tiers.Regrouping().merge_pcns(other, small))
    after = tiers.unit_table(merged, "pcn").set_index("code")["registered_patients"]
    assert len(after) == 14
    assert after[other] == pcns["registered_patients"].iloc[:2].sum()
    assert layer_totals(merged) == layer_totals(qgh)


# --------------------------------------------------------------------------- age


def _ages(rows: dict[str, dict[int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame({"lsoa_code": list(rows)})
    for column in AGE_COLUMNS:
        frame[column] = 0
    for i, counts in enumerate(rows.values()):
        for age, n in counts.items():
            frame.loc[i, f"age_{age}"] = n
    return frame


def test_practice_age_structure_by_hand():
    lsoas = _ages({"L1": {0: 10, 40: 30}, "L2": {90: 5}})
    registrations = pd.DataFrame(
        {
            "practice_code": ["P", "P", "P", "Q", "R"],
            "lsoa_code": ["L1", "L2", "W01000001", "L2", "NO2011"],
            "patients": [40, 10, 50, 7, 20],
        }
    )
    structure = tiers.practice_age_structure(registrations, lsoas)
    # P: 40 in L1 -> 10 aged 0, 30 aged 40; 10 in L2 -> 10 aged 90; the 50 in Wales take
    # P's own mix (20% / 60% / 20%): +10, +30, +10.
    assert structure.loc["P", ["age_0", "age_40", "age_90"]].tolist() == [20.0, 60.0, 20.0]
    assert structure.loc["Q", "age_90"] == 7.0
    # R has no known LSOA: the mix of all of lsoas (10, 30, 5 of 45)
    assert structure.loc["R", ["age_0", "age_40", "age_90"]].round(6).tolist() == [
        round(20 * 10 / 45, 6),
        round(20 * 30 / 45, 6),
        round(20 * 5 / 45, 6),
    ]
    totals = structure.sum(axis=1)
    assert totals.to_dict() == pytest.approx({"P": 100, "Q": 7, "R": 20})


def test_age_pyramid_bands_and_sexes():
    lsoas = _ages({"L1": {2: 10, 17: 10, 90: 10}})
    registrations = pd.DataFrame(
        {"practice_code": ["P", "Q"], "lsoa_code": ["L1", "L1"], "patients": [30, 60]}
    )
    mapping = pd.DataFrame({"practice_code": ["P", "Q"], "code": ["U", "U"]})
    pyramid = tiers.age_pyramid(registrations, lsoas, mapping, vintage="2022")
    labels = pyramid["age_band"].astype(str).tolist()
    assert labels[0] == "0-4" and labels[-2] == "85-89" and labels[-1] == "90+"
    assert len(labels) == 19
    by_band = pyramid.set_index(pyramid["age_band"].astype(str))
    assert by_band.loc[["0-4", "15-19", "90+"], "people"].tolist() == [30.0, 30.0, 30.0]
    assert by_band["share"].sum() == pytest.approx(100)
    np.testing.assert_allclose(by_band["female"] + by_band["male"], by_band["people"])
    # 90+: male share 0.32 (MALE_SHARE_BY_AGE)
    assert by_band.loc["90+", "male"] == pytest.approx(30 * 0.32)
    with pytest.raises(ValueError, match="no unit for practices"):
        tiers.age_pyramid(registrations, lsoas, mapping.iloc[:1], vintage="2022")


def test_real_age_structure_adds_up(qgh):
    system = layers.load_system("QGH", vintage="2022")
    structure = tiers.practice_age_structure(
        system.registrations, layers.read_table("lsoas", vintage="2022")
    )
    lists = qgh.practices.set_index("practice_code")["registered_patients"]
    np.testing.assert_allclose(structure.sum(axis=1).reindex(lists.index), lists, rtol=1e-9)
    pyramid = tiers.pyramid_from_structure(structure, tiers.unit_mapping(qgh, "place"))
    assert pyramid["code"].nunique() == 2
    assert pyramid["people"].sum() == pytest.approx(817_738)
    # A practice's modelled mix comes from its patients' LSOAs: compare to a direct sum.
    practice = lists.index[0]
    own = system.registrations[system.registrations["practice_code"] == practice]
    lsoas = layers.read_table("lsoas", vintage="2022").set_index("lsoa_code")
    known = own[own["lsoa_code"].isin(lsoas.index)]
    direct = (
        lsoas.loc[known["lsoa_code"], list(AGE_COLUMNS)].div(
            lsoas.loc[known["lsoa_code"], list(AGE_COLUMNS)].sum(axis=1), axis=0
        )
        * known["patients"].to_numpy()[:, None]
    ).sum()
    direct *= own["patients"].sum() / direct.sum()
    np.testing.assert_allclose(structure.loc[practice].to_numpy(), direct.to_numpy(), rtol=1e-9)


# --------------------------------------------------------------------------- risk


@pytest.fixture(scope="module")
def qgh_people() -> pd.DataFrame:
    system = layers.load_system("QGH", vintage="2022")
    lsoas = layers.read_table("lsoas", vintage="2022")
    people = generate_individuals(
        system.registrations,
        lsoas,
        lsoas.set_index("lsoa_code")["imd_decile"],
        rng=np.random.default_rng(2022),
    )
    return assign_risk(people, np.random.default_rng(7))


def test_risk_by_unit_by_hand():
    counts = pd.DataFrame(
        {
            "practice_code": ["P1", "P1", "P2", "P3", "P4", "P4"],
            "risk_tier": ["low", "high", "high", "rising", "low", "low"],
            "imd_decile": [1, 2, 9, 1, 2, 5],
            "people": [50, 3, 4, 20, 12, 30],
        }
    )
    pcn = tiers.risk_tiers_by_unit(counts, hand_tables(), "pcn").set_index("code")
    # A: low 50, high 3 + 4 = 7 (suppressed), total 57 -> 55; B: rising 20; no PCN: low 42
    assert pcn.loc["A", ["low", "rising", "high", "total"]].tolist() == [50, 0, SUPPRESSED, 55]
    assert pcn.loc["B", ["rising", "total"]].tolist() == [20, 20]
    assert pcn.loc[tiers.NO_PCN_CODE, ["name", "low", "low_imd_1_2"]].tolist() == [
        layers.NO_PCN_LABEL,
        40,
        10,
    ]
    assert pcn.index[-1] == tiers.NO_PCN_CODE
    place = tiers.risk_tiers_by_unit(counts, hand_tables(), "place").set_index("code")
    assert place.loc["N", ["low", "high", "total"]].tolist() == [90, SUPPRESSED, 100]
    with pytest.raises(ValueError, match="not in this ICS"):
        tiers.risk_tiers_by_unit(counts.assign(practice_code="ZZZ"), hand_tables(), "pcn")
    with pytest.raises(ValueError, match="missing column"):
        tiers.risk_tiers_by_unit(counts.drop(columns="people"), hand_tables(), "pcn")


def test_regrouped_risk_equals_counting_the_individuals_again(qgh, qgh_people):
    counts = aggregate_individuals(qgh_people, ["practice_code", "risk_tier", "imd_decile"])
    pcns = tiers.unit_table(qgh, "pcn")["code"].tolist()
    practice = qgh.practices["practice_code"].iloc[0]
    target = next(c for c in pcns if c != qgh.practices["pcn_code"].iloc[0])
    scenario = tiers.apply_regrouping(
        qgh, tiers.Regrouping().merge_pcns(pcns[0], pcns[1]).move_practice(practice, target)
    )
    for layer, column in (("pcn", "pcn_code"), ("place", "place_code"), ("practice", None)):
        fast = tiers.risk_tiers_by_unit(counts, scenario, layer)
        if column is None:
            direct = risk_tier_counts(qgh_people, "practice_code")
            direct = direct.rename(columns={"practice_code": "code"})
        else:
            mapping = tiers.unit_mapping(scenario, layer).rename(columns={"code": column})
            direct = risk_tier_counts(qgh_people, column, mapping[["practice_code", column]])
            direct = direct.rename(columns={column: "code"})
        direct["code"] = direct["code"].astype(str)
        merged = fast.merge(direct, on="code", suffixes=("", "_direct"))
        assert len(merged) == len(fast) == len(direct)
        for name in ("low", "rising", "high", "total", "high_imd_1_2_pct"):
            assert merged[name].tolist() == merged[f"{name}_direct"].tolist(), (layer, name)
    # disclosure: every shown count is 0, "*" or a multiple of 5 of at least 10
    table = tiers.risk_tiers_by_unit(counts, scenario, "practice")
    for name in ("low", "rising", "high", "total", "high_imd_1_2"):
        for value in table[name]:
            assert value == SUPPRESSED or value == 0 or (value % 5 == 0 and value >= 10)
    assert len(table) == 79  # aggregates per practice, never individual rows


# ------------------------------------------------------------------ places with no practice


def empty_place_tables() -> tiers.TierTables:
    """hand_tables plus an island place with residents but no practice placed there.

    P3 stands on the island (its located_place_code) but counts in South with PCN B.
    """
    base = hand_tables()
    practices = base.practices.assign(located_place_code=["N", "N", "I", "N"])
    places = pd.concat(
        [
            base.places,
            pd.DataFrame(
                {"place_code": ["I"], "place_name": ["Island"], "resident_population": [20]}
            ),
        ],
        ignore_index=True,
    )
    return dataclasses.replace(base, practices=practices, places=places)


def test_a_place_with_no_practice_is_not_flagged_undersized():
    flags = tiers.flag_units(empty_place_tables(), TOY_BANDS)
    island = flags[flags["code"] == "I"].iloc[0]
    assert island["registered_patients"] == 0 and island["n_practices"] == 0
    assert pd.isna(island["flag"]) and island["gap"] == 0
    assert island["status"] == tiers.NO_PRACTICE
    assert island["note"] == (
        "No practice here: residents registered in neighbouring places. Three (P3) stands "
        "here on the map but is placed in South with its PCN, PCN B."
    )
    others = flags[flags["code"] != "I"]
    assert (others["status"] == others["flag"].astype(str)).all()
    assert (others["note"] == "").all()
    summary = tiers.tier_summary(empty_place_tables(), TOY_BANDS).set_index("layer")
    assert summary.loc["place", "n_units"] == 3
    assert summary.loc["place", "n_no_practice"] == 1
    assert summary.loc["place", ["n_below", "n_within", "n_above"]].tolist() == [0, 1, 1]
    assert summary.loc["place", "smallest"] == 115  # sizes of places that have practices


def test_practices_standing_in_another_place_are_listed():
    moved = tiers.located_elsewhere(empty_place_tables())
    assert moved.to_dict("records") == [
        {
            "practice_code": "P3",
            "practice_name": "Three",
            "pcn_name": "PCN B",
            "place_code": "S",
            "place_name": "South",
            "located_place_code": "I",
            "located_place_name": "Island",
        }
    ]


@pytest.mark.parametrize(
    ("code", "place", "practice"),
    [
        ("QT6", "Isles of Scilly", "St Mary's Health Centre (L82017)"),
        ("QE1", "Copeland", "Waterloo House Surgery (A82033)"),
        ("QE1", "Craven", "Bentham Medical Practice (B82061)"),
        ("QWO", "Craven", "Townhead Surgery (B82007)"),
    ],
)
def test_district_places_with_no_practice_in_real_data(code, place, practice):
    """With district places these have residents but no practice placed there (#18)."""
    tables = tiers.tier_tables(layers.load_system(code, "ltla", detail="light", vintage="2022"))
    flags = tiers.flag_units(tables)
    row = flags[(flags["layer"] == "place") & (flags["name"] == place)].iloc[0]
    assert row["n_practices"] == 0 and row["resident_population"] > 0
    assert row["status"] == tiers.NO_PRACTICE and pd.isna(row["flag"])
    assert practice in row["note"]
    # The practice the map draws there is in the list, so the table and the map agree.
    moved = tiers.located_elsewhere(tables)
    assert place in moved["located_place_name"].tolist()
