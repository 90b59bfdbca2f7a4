"""Run an engine and sum its detail table into counts, rejects and tier sources.

Every engine returns the same detail table (:mod:`layers.people.rules`); :func:`tally`
turns it into the unrounded counts by practice × risk tier × IMD decile × age band and
the run's summary. The counts never leave this package unrounded: the aggregates file
is made from them by :mod:`layers.people.cube` and :mod:`layers.people.control`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from layers.people.extract import ExtractPlan
from layers.people.lookups import Lookups
from layers.people.rules import DETAIL_COLUMNS, IGNORED_FIELDS, REJECT_REASONS, RunParameters
from layers.people.tiering import AGE_BAND_LABELS, TIER_SOURCES
from layers.risk import RISK_TIERS

__all__ = ["ENGINES", "Tally", "run_engine", "tally"]

#: The engines, the built-in one first.
ENGINES: Final = ("duckdb", "dask", "pandas")


@dataclass(frozen=True)
class Tally:
    """Unrounded results of a run (never written or shown as they are).

    Attributes
    ----------
    counts : pandas.DataFrame
        ``practice_code``, ``risk_tier`` (low/rising/high), ``imd_decile`` (int, 0 =
        unknown), ``age_band`` (label), ``people`` (int64); only combinations with
        people, sorted by practice, tier (low first), decile and band.
    rows_read : int
    rejects : dict of str to int
        Rows rejected, by reason (every reason of :data:`REJECT_REASONS`).
    ignored : dict of str to int
        Kept rows whose optional value was unreadable, by field.
    tier_sources : dict of str to int
        Kept rows by where their tier came from.
    """

    counts: pd.DataFrame
    rows_read: int
    rejects: dict[str, int]
    ignored: dict[str, int]
    tier_sources: dict[str, int]

    @property
    def rows_used(self) -> int:
        """Rows counted (read minus rejected)."""
        return int(self.counts["people"].sum())


def tally(detail: pd.DataFrame, lookups: Lookups) -> Tally:
    """Sum a detail table into a :class:`Tally`.

    Parameters
    ----------
    detail : pandas.DataFrame
        An engine's detail table.
    lookups : Lookups
        The lookups the engine used (for practice codes).

    Returns
    -------
    Tally

    Examples
    --------
    >>> from layers.people.lookups import Lookups
    >>> lookups = Lookups("2022", 2011,
    ...     pd.DataFrame({"practice_code": ["A81001"]}), pd.DataFrame({"lsoa_code": []}), None)
    >>> detail = pd.DataFrame({"reason": [-1, -1, 1], "practice": [0, 0, -1],
    ...     "imd_decile": [3, 3, -1], "age_band": [0, 7, -1], "tier": [0, 2, -1],
    ...     "source": [2, 2, -1], "ignored": [0, 4, 0], "people": [10, 2, 5]})
    >>> result = tally(detail, lookups)
    >>> result.counts.to_dict("list")["age_band"], result.rows_read, result.rejects["null LSOA"]
    (['0-4', '85+'], 17, 5)
    >>> result.ignored["risk_score"], result.tier_sources["risk model"]
    (2, 12)
    """
    missing = [c for c in DETAIL_COLUMNS if c not in detail.columns]
    if missing:
        raise ValueError(f"detail table is missing {missing}")
    people = detail["people"].to_numpy(dtype=np.int64)
    reason = detail["reason"].to_numpy()
    kept = reason < 0
    rejects = {name: int(people[reason == i].sum()) for i, name in enumerate(REJECT_REASONS)}
    ignored_bits = detail["ignored"].to_numpy()
    ignored = {
        name: int(people[kept & ((ignored_bits & (1 << i)) > 0)].sum())
        for i, name in enumerate(IGNORED_FIELDS)
    }
    source = detail["source"].to_numpy()
    sources = {name: int(people[kept & (source == i)].sum()) for i, name in enumerate(TIER_SOURCES)}
    rows = detail.loc[kept, ["practice", "tier", "imd_decile", "age_band", "people"]]
    grouped = rows.groupby(["practice", "tier", "imd_decile", "age_band"], sort=True)["people"]
    summed = grouped.sum().reset_index()
    practice_codes = lookups.practices["practice_code"].to_numpy()
    counts = pd.DataFrame(
        {
            "practice_code": practice_codes[summed["practice"].to_numpy(dtype=np.int64)]
            if len(summed)
            else np.array([], dtype=object),
            "risk_tier": np.asarray(RISK_TIERS, dtype=object)[summed["tier"].to_numpy(dtype=int)],
            "imd_decile": summed["imd_decile"].to_numpy(dtype=np.int64),
            "age_band": np.asarray(AGE_BAND_LABELS, dtype=object)[
                summed["age_band"].to_numpy(dtype=int)
            ],
            "people": summed["people"].to_numpy(dtype=np.int64),
        }
    )
    return Tally(
        counts=counts,
        rows_read=int(people.sum()),
        rejects=rejects,
        ignored=ignored,
        tier_sources=sources,
    )


def run_engine(
    engine: str,
    plan: ExtractPlan,
    lookups: Lookups | Future,
    params: RunParameters,
    *,
    scheduler: str | object | None = None,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> pd.DataFrame:
    """Run one engine and return its detail table.

    Parameters
    ----------
    engine : {"duckdb", "dask", "pandas"}
    plan, lookups, params
        As the engines take them (``lookups`` may be a future: DuckDB starts without it).
    scheduler : str or distributed.Client, optional
        Dask only: an existing scheduler's address, or a connected client.
    workers : int, default 2
        Dask only: processes of the local cluster.
    progress, progress_bar
        Stage lines and the engine's own progress bar.

    Returns
    -------
    pandas.DataFrame
        The detail table.

    Raises
    ------
    ValueError
        For an unknown engine, or a scheduler given to an engine other than Dask.
    """
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if scheduler is not None and engine != "dask":
        raise ValueError("A scheduler address is for the Dask engine (--engine dask).")
    if engine == "duckdb":
        from layers.people.engine_duckdb import run_duckdb

        return run_duckdb(plan, lookups, params, progress=progress, progress_bar=progress_bar)
    if isinstance(lookups, Future):
        lookups = lookups.result()
    if engine == "dask":
        from layers.people.engine_dask import run_dask

        return run_dask(
            plan,
            lookups,
            params,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
            progress_bar=progress_bar,
        )
    from layers.people.engine_pandas import run_pandas

    return run_pandas(plan, lookups, params, progress=progress)
