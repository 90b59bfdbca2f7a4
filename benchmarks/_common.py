"""What the benchmark scripts share: where the repository is, and one way to time a call.

Each script is run from the repository root, as a plain script
(``python benchmarks/bench_x.py``, when only ``benchmarks/`` is on the import path) or as
a module (``python -m benchmarks.bench_x``). A script therefore puts the repository root
on the import path with one line before it imports this module::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks._common import ROOT, time_calls
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: The raw data next to the repository (``../shared/data``), read when ``geodata/`` is not built.
SHARED_DATA = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Timings:
    """How long repeated calls took, in milliseconds.

    ``p95_ms`` is the 95th percentile of wall time (the nearest run at or below it);
    CPU time is immune to other load on a shared machine.
    """

    median_ms: float
    min_ms: float
    max_ms: float
    p95_ms: float
    median_cpu_ms: float

    @classmethod
    def of(cls, wall_ms: Sequence[float], cpu_ms: Sequence[float]) -> Timings:
        """Summarise the wall and CPU times of each call."""
        ordered = sorted(wall_ms)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return cls(
            statistics.median(ordered), ordered[0], ordered[-1], p95, statistics.median(cpu_ms)
        )


def time_calls(
    call: Callable[[], object],
    runs: int,
    *,
    warm_up: bool = True,
    cpu_clock: Callable[[], float] = time.process_time,
) -> Timings:
    """Call ``call()`` ``runs`` times (after one untimed warm-up call) and time each call.

    Parameters
    ----------
    call : callable
        What to time, called with no arguments.
    runs : int
        How many timed calls.
    warm_up : bool
        Make one untimed call first (imports, allocator, caches).
    cpu_clock : callable
        The CPU clock: :func:`time.process_time` (the whole process, default) or
        :func:`time.thread_time` (only the calling thread, when other threads serve).

    Returns
    -------
    Timings
    """
    if warm_up:
        call()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), cpu_clock()
        call()
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((cpu_clock() - start_cpu) * 1e3)
    return Timings.of(wall, cpu)
