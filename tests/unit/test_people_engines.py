"""DuckDB, Dask and pandas give identical aggregates on the synthetic extract of one ICS.

The extract is the synthetic population of Herefordshire and Worcestershire (QGH,
817,738 people) written in the person-level schema. The Dask cluster is a real
``LocalCluster`` of 2 worker processes, started here; the engine is given its address
(``--scheduler``), as for an existing cluster.
"""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from layers.people.aggregate import make_aggregates
from layers.people.engines import run_engine, tally
from layers.people.extract import plan_extract
from layers.people.rules import RunParameters
from layers.people.tiering import person_uniform, uniform_query
from layers.risk import frailty_probability, multimorbidity_probability
from layers.system import load_system

PARAMS = RunParameters(seed=2022, lsoa_year=2011)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: never clash with another cluster
        silence_logs=logging.ERROR,
    ) as started:
        yield started


@pytest.fixture(scope="module")
def details(qgh_extract, qgh_lookups, cluster):
    plan = plan_extract(qgh_extract.path)
    out = {engine: run_engine(engine, plan, qgh_lookups, PARAMS) for engine in ("duckdb", "pandas")}
    out["dask"] = run_engine("dask", plan, qgh_lookups, PARAMS, scheduler=cluster.scheduler_address)
    return out


def test_the_three_engines_give_identical_counts(details):
    assert len(details["duckdb"]) > 10_000
    pd.testing.assert_frame_equal(details["duckdb"], details["pandas"])
    pd.testing.assert_frame_equal(details["duckdb"], details["dask"])


def test_and_identical_aggregates_files(details, qgh_lookups):
    files = []
    for engine in ("duckdb", "dask", "pandas"):
        made = make_aggregates(
            tally(details[engine], qgh_lookups),
            qgh_lookups,
            engine=engine,
            seed=2022,
            score_cuts=PARAMS.score_cuts,
        )
        files.append(made)
    for other in files[1:]:
        pd.testing.assert_frame_equal(files[0].cells, other.cells)
        assert files[0].metadata["summary"] == other.metadata["summary"]


def test_the_extract_is_the_dashboards_synthetic_population(qgh_extract):
    """Same people as ``load_system("QGH").individuals``, in the schema's columns."""
    people = load_system("QGH", detail="light", vintage="2022").individuals
    table = pq.read_table(qgh_extract.path).to_pandas()
    assert qgh_extract.people == len(people) == 817_738
    assert table["person_id"].is_unique
    assert (
        table["practice_code"].astype(str).to_numpy()
        == people["practice_code"].astype(str).to_numpy()
    ).all()
    assert (table["age"].to_numpy() == people["age"].to_numpy()).all()
    unknown = people["lsoa_code"].astype(str) == "NO2011"
    assert table["lsoa_code"].isna().to_numpy().tolist() == unknown.to_numpy().tolist()
    assert set(table["lsoa_year"]) == {2011}


def test_counts_and_rejects_match_the_registrations(details, qgh_lookups, qgh_extract):
    result = tally(details["duckdb"], qgh_lookups)
    registrations = load_system("QGH", detail="light", vintage="2022").registrations
    no_address = int(registrations.loc[registrations["lsoa_code"] == "NO2011", "patients"].sum())
    assert result.rows_read == 817_738
    assert result.rejects["null LSOA"] == no_address > 0
    assert sum(result.rejects.values()) == no_address
    assert result.tier_sources["risk model"] == 817_738 - no_address


def test_modelled_tiers_keep_the_models_rates(qgh_extract, details, qgh_lookups):
    """Observed high and at-risk counts are within 5 standard deviations of the model's."""
    people = load_system("QGH", detail="light", vintage="2022").individuals
    people = people[people["lsoa_code"].astype(str) != "NO2011"]
    p_frailty = frailty_probability(people["age"].to_numpy(), people["imd_decile"])
    p_multi = multimorbidity_probability(people["age"].to_numpy(), people["imd_decile"])
    counts = tally(details["duckdb"], qgh_lookups).counts.groupby("risk_tier")["people"].sum()
    for observed, p in ((counts["high"], p_frailty), (counts["high"] + counts["rising"], p_multi)):
        sd = np.sqrt((p * (1 - p)).sum())
        assert abs(observed - p.sum()) < 5 * sd, (observed, p.sum(), sd)


def test_the_per_person_uniform_is_the_same_in_sql_and_numpy():
    rng = np.random.default_rng(5)
    ids = np.concatenate([rng.integers(-(2**63), 2**63 - 1, 2_000), [0, -1, 2**63 - 1]])
    con = duckdb.connect()
    con.register("ints", pd.DataFrame({"pid": ids, "i": np.arange(len(ids))}))
    sql = uniform_query("SELECT pid, i FROM ints", "pid", "int", 9)
    got = con.execute(f"SELECT u FROM ({sql}) ORDER BY i").fetchnumpy()["u"]
    np.testing.assert_array_equal(got, person_uniform(ids, 9))
    texts = pd.DataFrame({"pid": [f"id-{i}" for i in range(2_000)] + ["é", " "]})
    con.register("texts", texts.assign(i=np.arange(len(texts))))
    sql = uniform_query("SELECT pid, i FROM texts", "pid", "string", 9)
    got = con.execute(f"SELECT u FROM ({sql}) ORDER BY i").fetchnumpy()["u"]
    np.testing.assert_array_equal(got, person_uniform(texts["pid"].to_numpy(dtype=object), 9))


def test_the_per_person_uniform_is_uniform_and_depends_on_the_seed():
    u = person_uniform(np.arange(1_000_000), seed=2022)
    counts = np.bincount((u * 20).astype(int), minlength=20)
    assert np.all(np.abs(counts - 50_000) < 5 * np.sqrt(50_000 * 0.95))
    v = person_uniform(np.arange(1_000_000), seed=2023)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01  # consecutive ids are unrelated


def test_dask_takes_a_connected_client_and_leaves_it_open(
    qgh_extract, qgh_lookups, cluster, details
):
    """As with a dask-gateway cluster's ``get_client()``."""
    from distributed import Client

    plan = plan_extract(qgh_extract.path)
    with Client(cluster) as client:
        detail = run_engine("dask", plan, qgh_lookups, PARAMS, scheduler=client)
        assert client.status == "running"
    pd.testing.assert_frame_equal(detail, details["duckdb"])
