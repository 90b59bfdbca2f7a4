"""Benchmark synthetic-individual generation: two ICSs in memory, England chunked.

Run from the repository root::

    python benchmarks/bench_individuals.py              # QGH, QRV, England
    python benchmarks/bench_individuals.py --no-england

Each scenario runs in a fresh subprocess so that its peak RSS (``ru_maxrss``) is its
own. Data loading is not timed. The England run generates chunk by chunk, assigns
risk, streams to Parquet (``benchmarks/out/``, git-ignored), then reads the file
back row group by row group and aggregates it to practice, PCN, sub-ICB, ICB, LSOA
and local authority tables plus disclosure-controlled risk tiers per ICB.

Data: ``layers.geodata.read_table`` when ``geodata/registrations.parquet`` exists,
else the raw files in ``../shared/data`` (a note is printed).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, SHARED_DATA
from layers.build import pick_columns
from layers.individuals import (
    aggregate_individuals_many,
    generate_individuals,
    generate_individuals_chunked,
    write_individuals_parquet,
)
from layers.risk import assign_risk, risk_tier_counts, risk_tier_table

RAW = SHARED_DATA
OUT = ROOT / "benchmarks" / "out"
TARGETS = {"QGH": 2.0, "QRV": 5.0, "England": 90.0}


def load_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """Return lsoas, registrations, practices and a note on where they came from."""
    if (ROOT / "geodata" / "2022" / "registrations.parquet").exists():
        from layers.geodata import read_table

        return (
            read_table("lsoas"),
            read_table("registrations"),
            read_table("practices"),
            "geodata/ via layers.geodata.read_table",
        )
    pop = pd.read_csv(RAW / "population/population_mid2020_lsoa11_syoa_persons.csv")
    names = [str(a) for a in range(90)] + ["90+"]
    lsoas = pop.rename(
        columns={"lsoa11_code": "lsoa_code", **{n: f"age_{i}" for i, n in enumerate(names)}}
    )
    imd = pd.read_csv(
        RAW / "deprivation/imd2019_lsoa11_ranks_deciles.csv", usecols=["lsoa11_code", "IMD_decile"]
    ).rename(columns={"lsoa11_code": "lsoa_code", "IMD_decile": "imd_decile"})
    look = pd.read_csv(
        RAW / "lookups/lookup_lsoa11_sicbl22_icb22_ltla22.csv",
        usecols=["lsoa11_code", "ltla22_code"],
    ).rename(columns={"lsoa11_code": "lsoa_code", "ltla22_code": "ltla_code"})
    lsoas = lsoas.merge(imd, on="lsoa_code").merge(look, on="lsoa_code")
    reg = pick_columns(
        pd.read_parquet(RAW / "primary_care/gp-reg-pat-prac-lsoa-all_2022-07.parquet"),
        {"OrganisationCode": "practice_code", "LSOA11CD": "lsoa_code", "Patient": "patients"},
    )
    prac = pick_columns(
        pd.read_csv(RAW / "primary_care/practice_pcn_subicb_icb_2022.csv"),
        {
            "PRACTICE_CODE": "practice_code",
            "PCN_CODE": "pcn_code",
            "PRACTICE_SUB_ICB_CODE": "sicbl_code",
            "ICB_CODE": "icb_code",
        },
    )
    prac = prac.drop_duplicates("practice_code")
    note = "RAW files in ../shared/data (geodata/ not built); practices outside ePCN have no ICB"
    return lsoas, reg, prac, note


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ics(code: str, seed: int) -> dict:
    lsoas, reg, practices, note = load_tables()
    reg = reg[
        reg["practice_code"].isin(practices.loc[practices["icb_code"] == code, "practice_code"])
    ]
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    people = generate_individuals(reg, lsoas, lsoas, np.random.default_rng(seed))
    t1 = time.perf_counter()
    people = assign_risk(people, np.random.default_rng(seed + 1))
    t2 = time.perf_counter()
    tiers = risk_tier_counts(people, "pcn_code", practices[["practice_code", "pcn_code"]])
    t3 = time.perf_counter()
    assert len(people) == int(reg["patients"].sum()), "totals must match registrations"
    return {
        "scenario": code,
        "people": len(people),
        "generate_s": t1 - t0,
        "risk_s": t2 - t1,
        "aggregate_s": t3 - t2,
        "total_s": t3 - t0,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_load_mb": rss_before,
        "frame_mb": people.memory_usage(deep=False).sum() / 1e6,
        "units": len(tiers),
        "note": note,
    }


def run_england(seed: int, chunk_people: int) -> dict:
    lsoas, reg, practices, note = load_tables()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "individuals_england.parquet"
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    risk_rng = np.random.default_rng(seed + 1)
    chunks = generate_individuals_chunked(
        reg, lsoas, lsoas, np.random.default_rng(seed), chunk_people=chunk_people
    )
    n_written = write_individuals_parquet((assign_risk(c, risk_rng) for c in chunks), path)
    t1 = time.perf_counter()

    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    groups = (pf.read_row_group(i).to_pandas() for i in range(pf.num_row_groups))
    lookup = practices[["practice_code", "pcn_code", "sicbl_code", "icb_code"]]
    lsoa_lookup = lsoas[["lsoa_code", "ltla_code"]] if "ltla_code" in lsoas else None
    groupings = {
        "practice": ["practice_code", "age_band", "sex", "risk_tier"],
        "pcn": ["pcn_code", "age_band", "sex", "risk_tier"],
        "sicbl": ["sicbl_code", "age_band", "sex"],
        "icb": ["icb_code", "risk_tier", "imd_decile"],
        "lsoa": ["lsoa_code", "age_band"],
    }
    if lsoa_lookup is not None:
        groupings["ltla"] = ["ltla_code", "age_band", "sex"]
    tables = aggregate_individuals_many(
        groups, groupings, practice_lookup=lookup, lsoa_lookup=lsoa_lookup
    )
    icb_tiers = risk_tier_table(tables["icb"], "icb_code")
    t2 = time.perf_counter()
    assert n_written == int(reg["patients"].sum()), "totals must match registrations"
    assert all(int(t["people"].sum()) == n_written for t in tables.values())
    return {
        "scenario": "England",
        "people": n_written,
        "generate_s": t1 - t0,
        "risk_s": float("nan"),
        "aggregate_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_load_mb": rss_before,
        "frame_mb": path.stat().st_size / 1e6,
        "units": len(icb_tiers),
        "row_groups": pf.num_row_groups,
        "note": note,
    }


def child(scenario: str, seed: int, chunk_people: int) -> None:
    result = run_england(seed, chunk_people) if scenario == "England" else run_ics(scenario, seed)
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--chunk-people", type=int, default=4_000_000)
    parser.add_argument("--no-england", action="store_true")
    args = parser.parse_args(argv)
    if args.scenario:
        child(args.scenario, args.seed, args.chunk_people)
        return 0

    scenarios = ["QGH", "QRV"] + ([] if args.no_england else ["England"])
    results = []
    for sc in scenarios:
        cmd = [sys.executable, __file__, "--scenario", sc, "--seed", str(args.seed)]
        cmd += ["--chunk-people", str(args.chunk_people)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    print(f"Data: {results[0]['note']}")
    print(
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print()
    print(
        "| scenario | people | generate (s) | risk (s) | aggregate (s) | total (s) | target (s) "
        "| peak RSS (MB) | RSS after load (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        risk = "incl." if r["risk_s"] != r["risk_s"] else f"{r['risk_s']:.2f}"
        print(
            f"| {r['scenario']} | {r['people']:,} | {r['generate_s']:.2f} | {risk} "
            f"| {r['aggregate_s']:.2f} | {r['total_s']:.2f} | {TARGETS[r['scenario']]:.0f} "
            f"| {r['peak_rss_mb']:,.0f} | {r['rss_after_load_mb']:,.0f} |"
        )
    print()
    print(
        "ICS rows: generate_individuals, assign_risk, risk_tier_counts by PCN, in memory. "
        "England: generate_individuals_chunked + assign_risk streamed to Parquet "
        "(generate column), then the file read back by row group and aggregated to "
        "practice/PCN/sub-ICB/ICB/LSOA/LAD tables in one pass (aggregate column). "
        "Peak RSS includes the loaded input tables."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
