"""Time the inequality metrics; print a markdown table.

Run from the repository root: ``python -m benchmarks.bench_sii [--runs N]``
(or ``python benchmarks/bench_sii.py``). The bar is the SII with
100,000 simulations over 10 deciles in at most 50 ms (median of the runs).
Timings on a shared machine are noisy: the median is reported with the minimum.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

# run as a plain script, the repository root is not on the import path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import time_calls
from layers.inequality import (
    absolute_concentration_index,
    assign_quantiles,
    concentration_index,
    gini,
    slope_index_of_inequality,
)

BAR_MS = 50.0
N_LSOA = 33_755  # LSOAs in England (2021)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per case")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    deciles = np.arange(1, 11)
    pop = rng.integers(15_000, 30_000, size=10).astype(float)
    le = np.linspace(76.0, 84.0, 10)
    rate = np.linspace(6.0, 3.0, 10)
    prop = np.linspace(0.25, 0.12, 10)

    def sii(value: np.ndarray, value_type: int, transform: bool = False) -> Callable[[], object]:
        return lambda: slope_index_of_inequality(
            deciles, pop, value, value_type=value_type, lower_cl=value * 0.96,
            upper_cl=value * 1.04, transform=transform, repetitions=100_000, rng=rng,
        )  # fmt: skip

    h = rng.gamma(2.0, 0.05, size=N_LSOA)
    imd_rank = rng.permutation(N_LSOA) + 1
    lsoa_pop = rng.integers(1_000, 3_000, size=N_LSOA).astype(float)
    cases: list[tuple[str, Callable[[], object], bool]] = [
        ("SII normal (value_type 0), 10 deciles, 100k sims", sii(le, 0), True),
        ("SII rate (value_type 1), 10 deciles, 100k sims", sii(rate, 1), True),
        ("SII proportion (value_type 2), 10 deciles, 100k sims", sii(prop, 2), True),
        ("SII rate, log transform, 10 deciles, 100k sims", sii(rate, 1, True), True),
        ("SII proportion, logit transform, 10 deciles, 100k sims", sii(prop, 2, True), True),
        (f"deciles of {N_LSOA:,} LSOAs (assign_quantiles)",
         lambda: assign_quantiles(imd_rank, 10, invert=False), False),
        (f"concentration index, {N_LSOA:,} LSOAs weighted",
         lambda: concentration_index(h, imd_rank, lsoa_pop), False),
        (f"absolute concentration index, {N_LSOA:,} LSOAs",
         lambda: absolute_concentration_index(h, imd_rank, lsoa_pop), False),
        (f"Gini, {N_LSOA:,} LSOAs weighted", lambda: gini(h, lsoa_pop), False),
    ]  # fmt: skip

    print(f"median and minimum of {args.runs} runs; bar for the SII rows: <= {BAR_MS:.0f} ms\n")
    print("| case | median ms | min ms | bar |")
    print("|---|---:|---:|---|")
    failed = False
    for name, fn, barred in cases:
        timings = time_calls(fn, args.runs)
        median, best = timings.median_ms, timings.min_ms
        verdict = ("pass" if median <= BAR_MS else "FAIL") if barred else "-"
        failed |= verdict == "FAIL"
        print(f"| {name} | {median:.1f} | {best:.1f} | {verdict} |")
    if failed:
        print("\nsome SII cases are over the bar (check machine load: 2 shared cores)")


if __name__ == "__main__":
    main()
