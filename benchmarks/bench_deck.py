"""How long the one-click slide deck takes: North West London (QRV) by default.

Measures what presentation mode does when the user clicks "Build the slide deck":
prepare the six slides from a loaded ICS, render each figure with kaleido (Debian
Chromium), lay out the PDF pages, write the PowerPoint and join the PDF. The budget is
30 s for North West London, the largest of the seed ICSs (45 PCNs, 1,153 LSOAs).

Usage::

    python benchmarks/bench_deck.py [--ics QRV] [--runs 3] [--out benchmarks/out]

Prints one row per run and the median; writes the last deck to ``--out``. The machine's
load average is printed too: kaleido's software rendering shares the two cores with
whatever else runs, so the CPU seconds of this process and of its Chromium (sampled
every 0.2 s) are printed as measures that depend less on other load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import layers
from layers.deck import build_deck
from layers.slides import build_slides, risk_individuals

BUDGET_SECONDS = 30.0


def one_run(code: str) -> tuple[dict[str, float], object]:
    """Time each stage of one deck build from a cold start (nothing cached)."""
    marks: dict[str, float] = {}
    cpu_start = _cpu_seconds()
    started = time.perf_counter()
    system = layers.load_system(code)
    marks["load ICS"] = time.perf_counter() - started

    t = time.perf_counter()
    people = risk_individuals(system)
    slides = build_slides(system, individuals=people)
    marks["prepare 6 slides"] = time.perf_counter() - t

    stage_starts: dict[str, float] = {}

    def progress(done: float, message: str) -> None:
        now = time.perf_counter()
        if message.startswith("Drawing") and "render figures" not in stage_starts:
            stage_starts["render figures"] = now
        elif message.startswith("PDF page") and "PDF pages" not in stage_starts:
            stage_starts["PDF pages"] = now
        elif message.startswith("Writing the PowerPoint") and "write files" not in stage_starts:
            stage_starts["write files"] = now
        elif done == 1.0:
            stage_starts["end"] = now

    t = time.perf_counter()
    with _ChildCPU() as chromium:
        deck = build_deck(slides, progress=progress)
    marks["start browser"] = stage_starts["render figures"] - t
    marks["render figures"] = stage_starts["PDF pages"] - stage_starts["render figures"]
    marks["PDF pages"] = stage_starts["write files"] - stage_starts["PDF pages"]
    marks["write files"] = stage_starts["end"] - stage_starts["write files"]
    marks["deck click (slides + deck)"] = marks["prepare 6 slides"] + (time.perf_counter() - t)
    marks["total from cold"] = time.perf_counter() - started
    marks["CPU: Python"] = _cpu_seconds() - cpu_start
    marks["CPU: Chromium (sampled)"] = chromium.seconds
    return marks, deck


class _ChildCPU:
    """CPU seconds of this process's children (Chromium), sampled while they live."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for child in self._me.children(recursive=True):
                try:
                    times = child.cpu_times()
                except Exception:  # the process ended between listing and reading
                    continue
                self._seen[child.pid] = times.user + times.system
            self._stop.wait(0.2)

    def __enter__(self) -> _ChildCPU:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self._seen.values())


def _cpu_seconds() -> float:
    """CPU seconds used by this process so far."""
    times = os.times()
    return times.user + times.system


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ics", default="QRV")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    code = layers.resolve_ics(args.ics)
    name = layers.list_systems().set_index("icb_code").loc[code, "icb_name"]

    rows = []
    deck = None
    for _ in range(max(1, args.runs)):
        marks, deck = one_run(code)
        rows.append(marks)
    stages = list(rows[0])
    print(
        f"Slide deck for {name} ({code}): {args.runs} run(s), load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    header = f"{'stage':<28}" + "".join(f"{'run ' + str(i + 1):>9}" for i in range(len(rows)))
    print(header + f"{'median':>9}")
    print("-" * len(header + " " * 9))
    for stage in stages:
        values = [r[stage] for r in rows]
        cells = "".join(f"{v:>8.1f}s" for v in values)
        print(f"{stage:<28}{cells}{statistics.median(values):>8.1f}s")
    click = statistics.median(r["deck click (slides + deck)"] for r in rows)
    verdict = "within" if click <= BUDGET_SECONDS else "OVER"
    print(f"\nOne click (median): {click:.1f} s, {verdict} the {BUDGET_SECONDS:.0f} s budget.")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"deck_{code}.pptx").write_bytes(deck.pptx)
    (args.out / f"deck_{code}.pdf").write_bytes(deck.pdf)
    print(
        f"PowerPoint {len(deck.pptx) / 1e6:.1f} MB and PDF {len(deck.pdf) / 1e6:.1f} MB "
        f"written to {args.out}/"
    )


if __name__ == "__main__":
    main()
