"""Time the population-tier recompute after a what-if regrouping; print a markdown table.

Run from the repository root: ``python benchmarks/bench_tiers.py [--runs N]``.

The bar: tier figures recompute after a regrouping in <= 200 ms, i.e. one
``apply_regrouping`` + ``flag_units`` + ``tier_summary`` (what the Population tiers
page does on every rerun). Rows after it time what else the page re-aggregates from
cached practice-level tables (risk tiers at every layer, the age pyramid): nothing is
regenerated. Loading the ICS, generating the synthetic individuals and modelling the
practice age structures happen once per ICS (cached by the dashboard) and are timed
once, for context. Timings on a shared machine are noisy: the median of many runs is
reported with the minimum.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import layers
from benchmarks._common import time_calls
from layers import tiers
from layers.individuals import aggregate_individuals, generate_individuals
from layers.risk import assign_risk

BAR_MS = 200.0
ICBS = ("QGH", "QRV")


def scenario_for(tables: tiers.TierTables) -> tiers.Regrouping:
    """A realistic five-step what-if: merge small PCNs, move practices, move a PCN."""
    pcns = tiers.unit_table(tables, "pcn").sort_values(["registered_patients", "code"])
    smallest = pcns["code"].tolist()
    practices = tables.practices.sort_values(["registered_patients", "practice_code"])
    in_pcn = practices.dropna(subset=["pcn_code"])
    regrouping = tiers.Regrouping().merge_pcns(smallest[1], smallest[0])
    regrouping = regrouping.merge_pcns(smallest[3], smallest[2])
    for code, pcn in zip(in_pcn["practice_code"][:2], in_pcn["pcn_code"][:2], strict=True):
        target = smallest[-1] if pcn != smallest[-1] else smallest[-2]
        regrouping = regrouping.move_practice(code, target)
    place = tables.pcns.set_index("pcn_code").loc[smallest[-1], "place_code"]
    others = [p for p in tables.places["place_code"] if p != place]
    if others:
        regrouping = regrouping.move_pcn_to_place(smallest[-1], others[0])
    return regrouping


def once(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=101, help="timed runs per case")
    args = parser.parse_args()

    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; median and minimum of {args.runs} runs "
        "after a warm-up.\n"
    )
    print(
        "| ICB | practices / PCNs / places | what is recomputed | median ms | min ms "
        "| median CPU ms | bar |"
    )
    print("|---|---|---|---:|---:|---:|---|")
    setup_rows = []
    for code in ICBS:
        system, load_s = once(lambda code=code: layers.load_system(code))
        base = tiers.tier_tables(system)
        regrouping = scenario_for(base)
        lsoas = layers.read_table("lsoas")

        def people(system=system, lsoas=lsoas) -> object:
            generated = generate_individuals(
                system.registrations,
                lsoas,
                lsoas.set_index("lsoa_code")["imd_decile"],
                rng=np.random.default_rng(2022),
            )
            return assign_risk(generated, np.random.default_rng([2022, 1]))

        individuals, people_s = once(people)
        counts = aggregate_individuals(individuals, ["practice_code", "risk_tier", "imd_decile"])
        counts["practice_code"] = counts["practice_code"].astype(str)
        structure, ages_s = once(
            lambda system=system, lsoas=lsoas: tiers.practice_age_structure(
                system.registrations, lsoas
            )
        )
        setup_rows.append((code, load_s, people_s, ages_s, len(individuals)))
        shape = f"{len(base.practices)} / {len(base.pcns)} / {len(base.places)}"

        def tier_figures(base=base, regrouping=regrouping) -> tiers.TierTables:
            scenario = tiers.apply_regrouping(base, regrouping)
            flags = tiers.flag_units(scenario)
            tiers.tier_summary(scenario, flags=flags)
            return scenario

        scenario = tier_figures()

        def risk(scenario=scenario, counts=counts) -> None:
            for layer in tiers.BANDED_LAYERS:
                tiers.risk_tiers_by_unit(counts, scenario, layer)

        def pyramid(scenario=scenario, structure=structure) -> None:
            tiers.pyramid_from_structure(structure, tiers.unit_mapping(scenario, "pcn"))
            tiers.pyramid_from_structure(structure, tiers.unit_mapping(scenario, "ics"))

        def everything() -> None:
            tier_figures()
            risk()
            pyramid()

        cases = [
            (
                f"**tier figures** after {len(regrouping)} operations "
                "(`apply_regrouping` + `flag_units` + `tier_summary`)",
                tier_figures,
                True,
            ),
            ("risk tiers re-aggregated at 4 layers (`risk_tiers_by_unit`)", risk, False),
            ("age pyramids re-aggregated (PCN + ICS)", pyramid, False),
            ("all of the above", everything, False),
        ]
        for label, fn, has_bar in cases:
            timings = time_calls(fn, args.runs)
            median, best, cpu = timings.median_ms, timings.min_ms, timings.median_cpu_ms
            verdict = ("pass" if median <= BAR_MS else "FAIL") if has_bar else ""
            print(
                f"| {code} | {shape} | {label} | {median:.1f} | {best:.1f} | {cpu:.1f} "
                f"| {verdict} |"
            )
        # Invariant check on the benchmarked scenario, so a fast wrong answer cannot pass.
        assert scenario.registered_patients == base.registered_patients
    print(f"\nBar: tier figures recompute after a regrouping in <= {BAR_MS:.0f} ms (median).\n")
    print("Once per ICS (cached by the dashboard), for context:\n")
    print("| ICB | load_system s | synthetic individuals + risk s | individuals | age model s |")
    print("|---|---:|---:|---:|---:|")
    for code, load_s, people_s, ages_s, n in setup_rows:
        print(f"| {code} | {load_s:.2f} | {people_s:.2f} | {n:,} | {ages_s:.2f} |")


if __name__ == "__main__":
    main()
