"""The dashboard's side: an uploaded aggregates file is accepted or refused, and shaped
into the frames the tiers and inequality pages already draw."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from layers import indicators, slides, tiers
from layers.disclosure import round_count
from layers.people.aggregate import make_aggregates
from layers.people.cube import ALL
from layers.people.engines import run_engine, tally
from layers.people.extract import plan_extract
from layers.people.output import METADATA_KEY, table_bytes
from layers.people.rules import RunParameters
from layers.people.upload import (
    AggregatesUpload,
    upload_at_risk,
    upload_at_risk_prevalence,
    upload_risk_tiers,
    validate_aggregates_upload,
)
from layers.system import load_system
from layers.uploads import UploadError


@pytest.fixture(scope="module")
def made(qgh_extract, qgh_lookups):
    plan = plan_extract(qgh_extract.path)
    result = tally(run_engine("duckdb", plan, qgh_lookups, RunParameters(2022, 2011)), qgh_lookups)
    aggregates = make_aggregates(
        result, qgh_lookups, engine="duckdb", seed=2022, score_cuts=(0.2, 0.5)
    )
    return result, table_bytes(aggregates.cells, aggregates.metadata)


@pytest.fixture(scope="module")
def structure():
    return tiers.tier_tables(load_system("QGH", detail="light", vintage="2022"))


def test_a_clean_file_is_accepted(made):
    upload = validate_aggregates_upload(made[1])
    assert upload.icb_codes == ("QGH",) and upload.vintage == "2022"
    assert upload.label.startswith("Your data: aggregates uploaded for this session")
    assert upload.cells["people"].isna().any() and (upload.cells["people"].dropna() % 5 == 0).all()


def test_person_level_rows_are_refused(qgh_extract):
    raw = next(qgh_extract.path.rglob("*.parquet")).read_bytes()
    with pytest.raises(UploadError, match="person-level rows"):
        validate_aggregates_upload(raw)


def test_a_leaky_file_is_refused(made):
    table = pq.read_table(io.BytesIO(made[1]))
    cells = table.to_pandas()
    cells.loc[cells["people"].isna().idxmax(), "people"] = 3
    sink = io.BytesIO()
    pq.write_table(table.from_pandas(cells, schema=table.schema, preserve_index=False), sink)
    with pytest.raises(UploadError, match="3 must be suppressed"):
        validate_aggregates_upload(sink.getvalue())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"level,unit_code\nics,QGH\n", "not Parquet"),
        (b"PAR1 not really PAR1", "cannot be read as Parquet"),
    ],
)
def test_other_files_are_refused_clearly(raw, message):
    with pytest.raises(UploadError, match=message):
        validate_aggregates_upload(raw)


def _practice_counts(result) -> pd.DataFrame:
    counts = result.counts.groupby(["practice_code", "risk_tier", "imd_decile"], as_index=False)
    counts = counts["people"].sum()
    counts["imd_decile"] = pd.array(counts["imd_decile"].replace(0, pd.NA), dtype="Int64")
    return counts


@pytest.mark.parametrize("layer", ["practice", "pcn", "place", "ics"])
def test_risk_tiers_have_the_tiers_page_shape_and_the_rounded_truth(made, structure, layer):
    result, raw = made
    upload = validate_aggregates_upload(raw)
    names = tiers.unit_mapping(structure, layer).drop_duplicates("code").set_index("code")["name"]
    shown = upload_risk_tiers(upload, layer, "QGH", names=names)
    truth = tiers.risk_tiers_by_unit(_practice_counts(result), structure, layer)
    assert list(shown.columns) == list(truth.columns)
    assert sorted(shown["code"]) == sorted(truth["code"].replace({tiers.NO_PCN_CODE: "NO-PCN"}))
    merged = shown.merge(truth, on="code", suffixes=("", "_truth"))
    assert (merged["name"] == merged["name_truth"]).all()
    published = 0
    for column in ("low", "rising", "high", "total"):
        for ours, theirs in zip(merged[column], merged[f"{column}_truth"], strict=True):
            if ours != "*":  # secondary suppression may hide more; never show other figures
                assert ours == theirs
                published += 1
    for tier in ("low", "rising", "high"):
        for ours, theirs in zip(
            merged[f"{tier}_imd_1_2"], merged[f"{tier}_imd_1_2_truth"], strict=True
        ):
            if ours != "*" and theirs != "*":  # two rounded deciles added: within 5
                assert abs(ours - theirs) <= 5
    assert published > 0


def test_at_risk_counts_have_the_inequality_page_shape(made):
    result, raw = made
    upload = validate_aggregates_upload(raw)
    shown = upload_at_risk(upload, "QGH")
    truth = indicators.at_risk_counts(_practice_counts(result))
    assert list(shown.columns) == list(truth.columns)
    merged = shown.merge(truth, on="practice_code", suffixes=("", "_truth"))
    assert len(merged) == len(truth)
    for column in ("people", "high"):
        known = merged[column].notna()
        assert known.mean() > 0.5
        expected = merged.loc[known, f"{column}_truth"].map(round_count).astype(float)
        assert np.array_equal(merged.loc[known, column].to_numpy(), expected.to_numpy())


def test_a_system_not_in_the_file_is_a_clear_error(made):
    upload = validate_aggregates_upload(made[1])
    with pytest.raises(UploadError, match="no pcn figures for QRV; they cover QGH"):
        upload_risk_tiers(upload, "pcn", "QRV")


# --------------------------------------------------------------------------- dashboard use


def _practice_cells(figures: dict[str, dict[str, int | None]]) -> AggregatesUpload:
    """Hand-made practice margins of system QXX: {practice: {tier or "all": people}}."""
    rows = [
        {
            "level": "practice",
            "unit_code": code,
            "icb_code": "QXX",
            "place_code": "P1",
            "pcn_code": "U1",
            "practice_code": code,
            "risk_tier": tier,
            "imd_decile": ALL,
            "age_band": ALL,
            "people": people,
        }
        for code, tiers_ in figures.items()
        for tier, people in tiers_.items()
    ]
    cells = pd.DataFrame(rows).astype({"people": "Int64"})
    return AggregatesUpload(cells=cells, metadata={"vintage": "2022"})


def test_at_risk_prevalence_uses_only_published_figures():
    upload = _practice_cells(
        {
            "A": {"low": 65, "rising": 20, "high": 15, ALL: 100},  # 35 of 100
            "B": {"low": 90, "rising": None, "high": 10, ALL: 105},  # rising suppressed
            "C": {"low": 0, "rising": 15, "high": 15, ALL: 25},  # rounding: 30 of 25
        }
    )
    deprivation = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C"],
            "mean_imd_rank": [100.0, 200.0, 300.0],
            "imd_decile": [1, 1, 1],
        }
    )
    shares = upload_at_risk_prevalence(upload, "QXX", deprivation).set_index("practice_code")
    assert list(shares.index) == ["A", "C"]  # B's share cannot be known
    assert shares.loc["A", "value"] == pytest.approx(0.35)
    assert (shares.loc["C", "count"], shares.loc["C", "value"]) == (25, 1.0)
    assert shares["population"].tolist() == [100, 25]


def _with_metadata(raw: bytes, **changes) -> bytes:
    table = pq.read_table(io.BytesIO(raw))
    metadata = json.loads(table.schema.metadata[METADATA_KEY])
    metadata.update(changes)
    sink = io.BytesIO()
    pq.write_table(
        table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata).encode()}), sink
    )
    return sink.getvalue()


def test_a_file_of_no_known_vintage_is_refused(made):
    with pytest.raises(UploadError, match="does not name a data vintage"):
        validate_aggregates_upload(_with_metadata(made[1], vintage="1999"))


def test_the_label_quotes_only_checked_metadata(made):
    upload = validate_aggregates_upload(
        _with_metadata(made[1], engine="[x](http://example.org)", created="<b>soon</b>")
    )
    assert "the unknown engine" in upload.label and "made unknown" in upload.label
    assert "http" not in upload.label and "<b>" not in upload.label


def test_a_file_that_decompresses_to_gigabytes_is_stopped():
    """2 MB of Parquet that would read as 3 GB of text: the bounded reader stops it."""
    rows = 3_000_000
    column = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["x" * 1000])
    )
    sink = io.BytesIO()
    pq.write_table(pa.table({"level": column}), sink, compression="zstd", store_schema=False)
    assert len(sink.getvalue()) < 5_000_000
    with pytest.raises(UploadError, match="more than 2 GB of memory"):
        validate_aggregates_upload(sink.getvalue())


def test_slides_show_the_uploaded_aggregates(made):
    upload = validate_aggregates_upload(made[1])
    system = load_system("QGH", detail="light", vintage="2022")
    tiers_slide = slides.tiers_slide(system, aggregates=upload)
    high = upload_risk_tiers(upload, "ics", "QGH").iloc[0]["high"]
    assert tiers_slide.takeaway.endswith(f"about {int(high):,} people are at high risk")
    assert tiers_slide.notes == (slides.UPLOADED_NOTE,)
    assert "your uploaded aggregates" in tiers_slide.source
    inequality = slides.inequality_slide(system, aggregates=upload)
    ics = upload_risk_tiers(upload, "ics", "QGH", numeric=True).iloc[0]
    assert inequality.takeaway.startswith(f"About {int(ics['rising'] + ics['high']):,} patients")
    assert "are at risk in your data" in inequality.takeaway
    assert inequality.notes == (slides.UPLOADED_NOTE,)
    with pytest.raises(ValueError, match="other places than this system's"):
        slides.tiers_slide(
            load_system("QGH", "ltla", detail="light", vintage="2022"), aggregates=upload
        )
