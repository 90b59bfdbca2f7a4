"""Uploads: the cost of parsing in a bounded child process, and big files refused early.

Prints two tables.

1. **Sandbox overhead** on normal files: the median time of the public validator (which
   parses in a child forked from the forkserver) against the same parse run in this
   process, and the one-off start of the forkserver.
2. **Big and blank CSVs**: time and peak memory of the parsing process for a 50 MB CSV
   and for one data row followed by a million blank lines, each in a fresh Python
   process (so the peak is the parse's own). Pass ``--before PATH`` (a checkout of an
   older version, e.g. ``git archive main | tar -x -C /tmp/main``) to add its numbers.

Usage::

    python benchmarks/bench_uploads.py [--before /tmp/main]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, time_calls
from layers.uploads import (
    boundaries,
    csv_uploads,
    validate_boundaries,
    validate_place_groupings,
)
from layers.uploads.sandbox import run_bounded

CORPUS = ROOT / "tests" / "unit" / "upload_corpus"
RUNS = 15

_MEASURE = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from layers.uploads import csv_uploads, UploadError
validate = getattr(csv_uploads, "_place_groupings", None)
raw = open({path!r}, "rb").read()
known = frozenset(["A81001", "A81002"])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    if validate is not None:
        outcome = validate(raw, known, None).summary
    else:  # an older checkout: the validator parsed in this process
        outcome = csv_uploads.validate_place_groupings(raw, known).summary
except UploadError as error:
    outcome = str(error)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_mb": after / 1024, "added_mb": (after - before) / 1024,
                  "outcome": outcome}}))
"""


def median_seconds(call) -> float:
    return time_calls(call, RUNS, warm_up=False).median_ms / 1000


def overhead_table() -> None:
    start = time.perf_counter()
    run_bounded(sum, [1])
    forkserver = time.perf_counter() - start
    groupings = b"practice_code,place_name\n" + b"".join(
        f"A8{i:04d},Place {i % 5}\n".encode() for i in range(80)
    )
    known = frozenset(f"A8{i:04d}" for i in range(80))
    geojson = (CORPUS / "gb_self_intersecting.geojson").read_bytes()
    cases = [
        (
            "place groupings CSV (80 rows)",
            lambda: validate_place_groupings(groupings, known),
            lambda: csv_uploads._place_groupings(groupings, known, None),
        ),
        (
            "boundaries GeoJSON (2 features)",
            lambda: validate_boundaries(geojson, "b.geojson"),
            lambda: boundaries._boundaries(geojson, "b.geojson", ".geojson", 1 << 30, 200),
        ),
    ]
    print(f"forkserver start (once per server process): {forkserver:.2f} s\n")
    print(f"{'file':34} {'in process':>11} {'bounded child':>14} {'overhead':>9}")
    for name, bounded, direct in cases:
        inside = median_seconds(direct)
        child = median_seconds(bounded)
        print(
            f"{name:34} {inside * 1000:>9.1f}ms {child * 1000:>12.1f}ms "
            f"{(child - inside) * 1000:>7.1f}ms"
        )


def big_files_table(before: Path | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench_uploads_"))
    row = b"A81001,A place name long enough to make the file realistically wide\n"
    big = folder / "big.csv"
    big.write_bytes(b"practice_code,place_name\n" + row * (50 * 1024 * 1024 // len(row) - 1))
    blank = folder / "blank.csv"
    blank.write_bytes(b"practice_code,place_name\nA81001,North\n" + b"\n" * 1_000_000)
    checkouts = [("this branch", ROOT)] + ([("before", before)] if before else [])
    print(f"\n{'file':30} {'checkout':12} {'seconds':>8} {'peak MB':>8} {'added MB':>9}  outcome")
    for name, path in (("50 MB CSV", big), ("1 row + 1,000,000 blank lines", blank)):
        for label, repo in checkouts:
            script = _MEASURE.format(repo=str(repo), path=str(path))
            done = subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, cwd=repo
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{name:30} {label:12} {result['seconds']:>8.2f} {result['peak_mb']:>8.0f} "
                f"{result['added_mb']:>9.0f}  {result['outcome'][:70]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="an older checkout to compare with")
    args = parser.parse_args()
    overhead_table()
    big_files_table(args.before)


if __name__ == "__main__":
    main()
