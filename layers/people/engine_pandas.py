"""The pandas engine: the reference implementation, on the whole extract in memory.

It reads every fragment (:func:`layers.people.extract.read_fragment`), reads its values
as their types (:func:`layers.people.rules.normalise`), finds the repeated ids over
all of them and counts (:func:`layers.people.rules.count_detail`). Plain, and bounded
by memory: use it for one system and for checking the other engines, DuckDB or Dask
for England.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from layers.people.extract import ExtractPlan, read_fragment
from layers.people.lookups import Lookups
from layers.people.rules import RunParameters, count_detail, duplicate_ids, normalise

__all__ = ["run_pandas"]


def run_pandas(
    plan: ExtractPlan,
    lookups: Lookups,
    params: RunParameters,
    *,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Count an extract into the detail table with pandas alone.

    Parameters
    ----------
    plan, lookups, params
        As for :func:`~layers.people.engine_duckdb.run_duckdb` (``lookups`` built).
    progress : callable, optional
        Called with a line per fragment read.

    Returns
    -------
    pandas.DataFrame
        The detail table of :mod:`layers.people.rules`.
    """
    say = progress or (lambda _line: None)
    frames = []
    for i, fragment in enumerate(plan.fragments, 1):
        frames.append(normalise(read_fragment(fragment, plan), plan, lookups))
        say(f"pandas: read {i} of {len(plan.fragments)} fragments")
    rows = {key: np.concatenate([frame[key] for frame in frames]) for key in frames[0]}
    del frames
    repeated = duplicate_ids(rows["pid"], rows["pid_ok"])
    return count_detail(rows, lookups, params, repeated)
