"""Benchmark the person-level aggregation: every synthetic person in England.

Run from the repository root (heavy: several minutes; run it on a quiet machine)::

    python benchmarks/bench_people.py                      # writes /tmp/people_england_2026
    python benchmarks/bench_people.py --vintage 2022       # the July 2022 bundle: 61.8M
    python benchmarks/bench_people.py --engines duckdb

The synthetic population of England is written once in the person-level schema, as
partitioned Parquet (one folder per ICS, :mod:`layers.people.synthetic`), one person per
registered patient of the chosen vintage (63.9M on the 2026/27 lists, 61.8M in July
2022), under /tmp (never in the repository); an existing extract of the right size is
reused. Then each
engine runs the real command, ``python -m layers.people aggregate``, in its own process
tree: the time is the command's wall clock (planning, lookups, the engine, output
checking and writing included), and the peak memory is the largest sum, sampled every
0.1 s, of the resident memory of every process of the run (the command and, for Dask,
the scheduler, nannies and workers). The two aggregates files must be identical.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from layers.geodata import read_table  # noqa: E402
from layers.people.synthetic import write_synthetic_extract  # noqa: E402
from layers.vintages import DEFAULT_VINTAGE, VINTAGES  # noqa: E402

TARGETS = {"duckdb": (30.0, 3.0), "dask": (90.0, 4.0)}  # seconds, GB


def extract_size(folder: Path) -> tuple[int, int]:
    """(Parquet files, bytes) under a folder."""
    files = list(folder.rglob("*.parquet"))
    return len(files), sum(f.stat().st_size for f in files)


def england_people(vintage: str) -> int:
    """One synthetic person per registered patient of a practice in an ICB."""
    practices = read_table("practices", vintage=vintage)
    return int(practices.loc[practices["icb_code"].notna(), "registered_patients"].sum())


def ensure_extract(folder: Path, vintage: str, people: int) -> tuple[float | None, int]:
    """Write the England extract unless a complete one is there; (seconds, bytes)."""
    import pyarrow.parquet as pq

    if folder.exists():
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in folder.rglob("*.parquet"))
        if rows == people:
            return None, extract_size(folder)[1]
        raise SystemExit(
            f"{folder} holds {rows:,} people, not the {people:,} of the {vintage} vintage; "
            "remove it or pass another --extract"
        )
    written = write_synthetic_extract(folder, vintage=vintage)
    return written.seconds, written.bytes_on_disk


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(engine: str, extract: Path, out: Path, vintage: str) -> dict:
    command = [sys.executable, "-m", "layers.people", "aggregate", str(extract)]
    command += ["--out", str(out), "--engine", engine, "--vintage", vintage, "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(watched))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "engine": engine,
        "seconds": seconds,
        "peak_gb": peak / 1e9,
        "cpu_seconds": cpu,
        "load_before": load,
        "out_bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vintage", choices=tuple(VINTAGES), default=DEFAULT_VINTAGE)
    parser.add_argument("--extract", type=Path, help="default /tmp/people_england_VINTAGE")
    parser.add_argument("--out", type=Path, default=Path("/tmp/people_bench"))
    parser.add_argument("--engines", nargs="*", default=["duckdb", "dask"])
    args = parser.parse_args(argv)
    args.extract = args.extract or Path(f"/tmp/people_england_{args.vintage}")

    people = england_people(args.vintage)
    write_seconds, size = ensure_extract(args.extract, args.vintage, people)
    n_files, _ = extract_size(args.extract)
    args.out.mkdir(parents=True, exist_ok=True)
    results = [
        run(e, args.extract, args.out / f"aggregates_{e}.parquet", args.vintage)
        for e in args.engines
    ]
    files = [pd.read_parquet(args.out / f"aggregates_{e}.parquet") for e in args.engines]
    identical = all(f.equals(files[0]) for f in files[1:])

    print(
        f"Extract ({args.vintage} vintage): {people:,} synthetic people, {n_files} Parquet "
        "files (one per ICS),"
    )
    print(f"{size / 1e6:,.1f} MB on disk at {args.extract}", end="")
    print(f"; written in {write_seconds:.0f} s" if write_seconds else " (reused)")
    print(
        f"Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )
    print()
    print(
        "| engine | time (s) | target (s) | peak memory, all processes (GB) | target (GB) "
        "| CPU (s) | load avg before | aggregates file (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        target_s, target_gb = TARGETS.get(r["engine"], (float("nan"), float("nan")))
        print(
            f"| {r['engine']} | {r['seconds']:.1f} | {target_s:.0f} | {r['peak_gb']:.2f} "
            f"| {target_gb:.0f} | {r['cpu_seconds']:.0f} | {r['load_before']:.1f} "
            f"| {r['out_bytes'] / 1e6:.1f} |"
        )
    print()
    print(f"Aggregates identical across engines: {identical}")
    print(
        "Time: `python -m layers.people aggregate` end to end (start-up, planning, lookups, "
        "engine, output checking, writing). Dask: a LocalCluster of 2 worker processes "
        "started by the command. The machine is shared: see the load average."
    )
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
