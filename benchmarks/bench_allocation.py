"""Benchmark: time to recompute allocations after a slider or catalogue edit.

Run ``python benchmarks/bench_allocation.py [ICB] [repeats]`` (default QRV, North West
London). Prints a markdown table. The bar is 200 ms per recompute.

The practice frame comes from the ``geodata/`` tables (``layers.load_system``, which
reads them with ``layers.geodata.read_table``, plus ``weighted_populations``). If they
are missing it is built from ``../shared/data`` instead, and the table says so.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.allocation import (  # noqa: E402
    allocate,
    allocation_summary,
    compare_allocations,
    default_catalogue,
    distance_from_target,
    funding_spread,
    need_indices,
)

SHARED = ROOT.parent / "shared" / "data"
BAR_MS = 200.0
BUDGET = "4000000000"  # £4bn, about NW London's 2022/23 allocation scale


def core20_share(registrations: pd.DataFrame, lsoas: pd.DataFrame) -> pd.Series:
    """Share of each practice's patients living in England's most deprived 20 % of LSOAs."""
    reg = registrations.merge(lsoas[["lsoa_code", "imd_decile"]], on="lsoa_code", how="left")
    reg["core20"] = reg["patients"].where(reg["imd_decile"] <= 2, 0)
    sums = reg.groupby("practice_code")[["core20", "patients"]].sum()
    return sums["core20"] / sums["patients"]


def frame_from_geodata(icb: str) -> pd.DataFrame:
    import layers
    from layers.geodata import read_table

    system = layers.load_system(icb, detail="light")
    practices = pd.DataFrame(system.practices.drop(columns="geometry"))
    frame = practices.merge(read_table("weighted_populations"), on="practice_code", how="left")
    frame["core20_share"] = (
        frame["practice_code"]
        .map(core20_share(system.registrations, read_table("lsoas")))
        .fillna(0.0)
    )
    return frame


def frame_from_shared(icb: str) -> pd.DataFrame:
    """Fallback: NHS England's file, places by the papers' district groups."""
    raw = pd.read_csv(
        SHARED / "allocation" / "nhse_practice_weighted_populations_2022-23.csv",
        dtype={"Practice_Code": str, "PCN_Code": str},
    )
    raw = raw[raw["ICS22"] == icb]
    presets = pd.read_csv(SHARED / "places" / "seed_place_presets.csv", dtype=str)
    place = dict(zip(presets["ltla22_code"], presets["place_name"], strict=True))
    names = {
        "Practice_Code": "practice_code",
        "PCN_Code": "pcn_code",
        "CCG21": "ccg21_code",
        "pop 2022/23": "wp_population",
        "G&A WP": "wp_general_acute",
        "CS WP": "wp_community",
        "MH WP": "wp_mental_health",
        "Mat WP": "wp_maternity",
        "Health Ineq WP": "wp_health_inequalities",
        "Prescr WP": "wp_prescribing",
        "Final WP": "wp_core",
        "Final PMC WP": "wp_primary_medical_care_final",
    }
    frame = raw.rename(columns=names)[list(names.values())].copy()
    frame["pcn_code"] = frame["pcn_code"].where(frame["pcn_code"] != "U", None)
    frame["place_code"] = raw["LAD21"].map(place).fillna(raw["LAD21"]).to_numpy()
    frame["core20_share"] = 0.1  # no registrations join in the fallback: flat placeholder
    return frame.reset_index(drop=True)


def timed(step: Callable[[int], object], repeats: int) -> tuple[float, float]:
    step(0)  # warm up
    runs = []
    for i in range(repeats):
        start = time.perf_counter()
        step(i + 1)
        runs.append(1000 * (time.perf_counter() - start))
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(0.95 * len(runs)))]


def main(icb: str = "QRV", repeats: int = 30) -> None:
    try:
        frame, source = frame_from_geodata(icb), "geodata/ via layers.load_system + read_table"
    except (FileNotFoundError, ImportError) as exc:
        frame, source = frame_from_shared(icb), f"../shared/data (geodata unavailable: {exc})"
    base = default_catalogue()
    current = allocate(frame, base, BUDGET, "equal_per_head")

    def views(out: pd.DataFrame) -> None:
        by_place = allocation_summary(out, frame, "place")
        allocation_summary(out, frame, "pcn")
        allocation_summary(out, frame, "practice")
        funding_spread(by_place)
        distance_from_target(current, out, frame, "place")
        distance_from_target(current, out, frame, "pcn")

    def slider(i: int) -> None:
        params = {"share_percent": 1 + i % 10}
        out = allocate(frame, base, BUDGET, "inequality_zero_sum", params)
        views(out)
        compare_allocations(current, out, frame, "pcn")

    def catalogue_edit(i: int) -> None:
        cat = base.copy()
        cat.loc[0, "share_percent"] -= 1 + i % 5
        cat.loc[1, "share_percent"] += 1 + i % 5
        views(allocate(frame, cat, BUDGET, "weighted_capitation"))

    def level_up(i: int) -> None:
        views(allocate(frame, base, BUDGET, "inequality_level_up", {"share_percent": 1 + i % 10}))

    def need(_: int) -> None:
        need_indices(frame, "place")
        need_indices(frame, "pcn")

    def allocate_only(_: int) -> None:
        allocate(frame, base, BUDGET, "weighted_capitation")

    n_pcn = frame["pcn_code"].nunique()
    n_none = int(frame["pcn_code"].isna().sum())
    print(
        f"**{icb}**: {len(frame)} practices ({n_none} in no PCN), {n_pcn} PCNs, "
        f"{frame['place_code'].nunique()} places, {len(base)} services. Source: {source}. "
        f"{repeats} runs each after a warm-up; 2 shared cores, so timings are noisy.\n"
    )
    print("| recompute | median ms | p95 ms | bar 200 ms |")
    print("|---|---:|---:|---|")
    for label, step in (
        ("inequality slider (zero-sum) → allocate + all views + gains/losses", slider),
        ("catalogue share edit → weighted capitation + all views", catalogue_edit),
        ("level-up slider → allocate + all views", level_up),
        ("allocate only (weighted capitation)", allocate_only),
        ("need indices (place + PCN)", need),
    ):
        median, p95 = timed(step, repeats)
        print(f"| {label} | {median:.1f} | {p95:.1f} | {'pass' if p95 <= BAR_MS else 'FAIL'} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "QRV", int(args[1]) if len(args) > 1 else 30)
