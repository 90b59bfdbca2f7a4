"""Time the boundary-alignment figures for one ICB; print a markdown table.

Run from the repository root: ``python -m benchmarks.bench_alignment [--runs N]``
(or ``python benchmarks/bench_alignment.py``). The bar: every alignment table for
North West London (QRV: 354 practices, 1,153 LSOAs, 2.78M patients, against the
866k-row England registrations) in at most 1 s, i.e. one
``alignment_figures`` call. Inputs are read from ``geodata/`` when it is built,
else from ``../shared/data``. Timings on a shared machine are noisy: the median is
reported with the minimum, and CPU time next to wall time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

# run as a plain script, the repository root is not on the import path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, SHARED_DATA, time_calls
from layers import alignment as al

BAR_MS = 1000.0
ICBS = ("QRV", "QGH")


def _load() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, object, str]:
    if (ROOT / "geodata" / "2022" / "registrations.parquet").exists():
        from layers.geodata import read_table

        geometry = read_table("lsoa_geometry_light")
        tables = [read_table(n) for n in ("registrations", "lsoas", "practices", "place_presets")]
        return (*tables, geometry, "geodata/ (layers.geodata.read_table)")
    # Fallback: the raw files, shaped like the geodata tables (no geometry).
    from tests.unit.test_alignment_real import load_raw_tables

    shared = SHARED_DATA
    registrations, lsoas, practices = load_raw_tables(shared)
    presets = pd.read_csv(shared / "places" / "seed_place_presets.csv", dtype=str).rename(
        columns={"icb22_code_h": "icb_code", "ltla22_code": "ltla_code"}
    )
    return registrations, lsoas, practices, presets, None, "../shared/data (geodata/ not built)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case")
    args = parser.parse_args()

    registrations, lsoas, practices, presets, geometry, source = _load()
    tables = (registrations, lsoas, practices)
    print(f"Inputs: {source}; {len(registrations):,} registration rows.\n")
    print("| ICB | computation | median ms | min ms | median CPU ms | bar |")
    print("|---|---|---:|---:|---:|---|")
    for icb in ICBS:
        cases: list[tuple[str, Callable[[], object], bool]] = [
            (
                "**all alignment figures** (`alignment_figures`, 16 tables)",
                lambda icb=icb: al.alignment_figures(*tables, icb, places=presets),
                True,
            ),
            (
                "`home_authorities` (PCNs, alone)",
                lambda icb=icb: al.home_authorities(*tables, icb_code=icb),
                False,
            ),
            (
                "`authority_coterminosity` (alone)",
                lambda icb=icb: al.authority_coterminosity(*tables, icb_code=icb),
                False,
            ),
            (
                "`place_summary` (alone)",
                lambda icb=icb: al.place_summary(*tables, icb, places=presets),
                False,
            ),
        ]
        if geometry is not None:
            own = geometry[
                geometry["lsoa_code"].isin(lsoas.loc[lsoas["icb_code"] == icb, "lsoa_code"])
            ]

            def area(icb: str = icb, own: object = own) -> object:
                footprints = al.plurality_footprints(registrations, own, practices, icb_code=icb)
                authorities = al.authority_polygons(geometry, lsoas, icb_code=icb)
                shares = al.area_shares(footprints, authorities)
                residence = al.residence_shares(*tables, icb_code=icb)
                return al.compare_alignment(residence, shares)

            cases.append(("area-based: footprints, LA polygons, area %, comparison", area, False))
        for label, fn, has_bar in cases:
            timings = time_calls(fn, args.runs)
            median, best, cpu = timings.median_ms, timings.min_ms, timings.median_cpu_ms
            verdict = ("pass" if median <= BAR_MS else "FAIL") if has_bar else ""
            print(f"| {icb} | {label} | {median:.0f} | {best:.0f} | {cpu:.0f} | {verdict} |")
    print(f"\nBar: all alignment figures for an ICB in <= {BAR_MS:.0f} ms (median wall time).")


if __name__ == "__main__":
    main()
