"""The Dask engine: the pandas rules on every fragment, on a cluster.

For an extract too big for one machine. ``scheduler`` is the address of an existing
Dask cluster (``tcp://10.0.0.5:8786``, e.g. a dask-kubernetes scheduler), or a
connected :class:`distributed.Client` (e.g. ``cluster.get_client()`` of a dask-gateway
cluster, whose address needs the gateway's credentials; it is left open); without it
a :class:`distributed.LocalCluster` of ``workers`` processes is started for the run and
closed after. The workers must be able to read the extract's path and
import this package (the same image or environment).

Two passes, both fragment by fragment (a fragment is a run of row groups):

1. **repeated ids**: each fragment reports its smallest and largest id and the ids
   repeated within it. When no two fragments' ranges overlap (ids written in order,
   as the synthetic ones are), that is all. Otherwise each fragment's ids are split
   into buckets by a hash, and one task per bucket collects that bucket from every
   fragment and keeps the ids seen twice: no worker holds more than a 16th of the ids,
   and nothing is shuffled but ids;
2. **counts**: each fragment is read, checked and counted with the pandas reference
   rules (:func:`layers.people.rules.count_detail`) against the lookups (sent to every
   worker once) and the repeated ids; the small detail tables are added up.

The risk tier needs no shared state: each person's uniform is a hash of their id
(:mod:`layers.people.tiering`), so any partitioning gives the same tiers.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd

from layers.people.extract import ExtractPlan, Fragment, ranges_disjoint, read_fragment
from layers.people.lookups import Lookups
from layers.people.rules import (
    DETAIL_COLUMNS,
    RunParameters,
    count_detail,
    empty_detail,
    normalise,
    person_ids,
)

__all__ = ["ID_BUCKETS", "run_dask"]

#: Buckets of ids for finding the repeated ones.
ID_BUCKETS: Final = 16
_KEYS: Final = [c for c in DETAIL_COLUMNS if c != "people"]


def _bucketed_ids(fragment: Fragment, plan: ExtractPlan, n_buckets: int) -> list[np.ndarray]:
    """A fragment's distinct readable ids by bucket (an id repeated within it, twice)."""
    frame = read_fragment(fragment, plan, ["person_id"])
    ids, ok = person_ids(frame["person_id"], plan.id_kind)
    values = pd.Series(ids[ok])
    repeated = values[values.duplicated()].unique()
    values = pd.Series(np.concatenate([values.unique(), repeated]))
    bucket = pd.util.hash_array(values.to_numpy()) % np.uint64(n_buckets)
    return [values[bucket == b].to_numpy() for b in range(n_buckets)]


def _id_summary(fragment: Fragment, plan: ExtractPlan) -> tuple[object, object, np.ndarray]:
    """A fragment's smallest and largest readable id, and the ids repeated within it."""
    frame = read_fragment(fragment, plan, ["person_id"])
    ids, ok = person_ids(frame["person_id"], plan.id_kind)
    values = pd.Series(ids[ok])
    if values.empty:
        return None, None, values.to_numpy()
    return values.min(), values.max(), values[values.duplicated()].unique()


def _disjoint(summaries: list[tuple[object, object, np.ndarray]]) -> bool:
    """Whether no two fragments' id ranges overlap (then no id repeats across them)."""
    return ranges_disjoint([(lo, hi) for lo, hi, _ in summaries if lo is not None])


def _repeated(*parts: np.ndarray) -> np.ndarray:
    """Ids of one bucket seen more than once across the fragments."""
    if not parts:
        return np.array([], dtype=np.int64)
    values = pd.Series(np.concatenate(parts))
    return values[values.duplicated()].unique()


def _fragment_detail(
    fragment: Fragment,
    plan: ExtractPlan,
    lookups: Lookups,
    params: RunParameters,
    repeated: np.ndarray,
) -> pd.DataFrame:
    rows = normalise(read_fragment(fragment, plan), plan, lookups)
    return count_detail(rows, lookups, params, repeated)


def _client(scheduler: object, workers: int, memory_limit: str):
    """(client, local cluster or None, whether the run owns the client)."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None, False
    if scheduler:
        return Client(scheduler), None, True
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        dashboard_address=":0",  # any free port: never clash with another cluster
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster, True


def run_dask(
    plan: ExtractPlan,
    lookups: Lookups,
    params: RunParameters,
    *,
    scheduler: str | object | None = None,
    workers: int = 2,
    memory_limit: str = "1.5GiB",
    progress: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> pd.DataFrame:
    """Count an extract into the detail table on a Dask cluster.

    Parameters
    ----------
    plan, lookups, params
        As for :func:`~layers.people.engine_duckdb.run_duckdb` (``lookups`` built).
    scheduler : str or distributed.Client, optional
        Address of an existing cluster's scheduler, or a connected client (left open);
        default: a local cluster.
    workers : int, default 2
        Worker processes of the local cluster (one thread each).
    memory_limit : str, default "1.5GiB"
        Memory limit of each local worker.
    progress : callable, optional
        Called with a line at each stage.
    progress_bar : bool, default False
        Show Dask's progress bars on the terminal.

    Returns
    -------
    pandas.DataFrame
        The detail table of :mod:`layers.people.rules`.
    """
    from distributed import progress as show_progress

    say = progress or (lambda _line: None)
    client, cluster, owned = _client(scheduler, workers, memory_limit)
    try:
        say(
            f"dask: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}"
        )
        fragments = list(plan.fragments)
        plan_f = client.scatter(plan, broadcast=True)
        lookups_f = client.scatter(lookups, broadcast=True)
        say(f"dask: finding repeated ids in {plan.rows:,} rows ({len(fragments)} fragments)")
        summaries = client.gather(client.map(_id_summary, fragments, plan=plan_f, pure=False))
        if _disjoint(summaries):  # ids repeat within fragments at most
            repeated_parts = [np.asarray(part) for _, _, part in summaries]
        else:
            by_fragment = client.map(
                _bucketed_ids, fragments, plan=plan_f, n_buckets=ID_BUCKETS, pure=False
            )
            buckets = [
                client.submit(
                    _repeated,
                    *[client.submit(operator.getitem, f, b, pure=False) for f in by_fragment],
                    pure=False,
                )
                for b in range(ID_BUCKETS)
            ]
            if progress_bar:
                show_progress(buckets)
            repeated_parts = [np.asarray(part) for part in client.gather(buckets)]
            del by_fragment, buckets
        repeated = (
            np.concatenate(repeated_parts) if repeated_parts else np.array([], dtype=np.int64)
        )
        repeated_f = client.scatter(repeated, broadcast=True)
        say(f"dask: checking and counting every row ({len(repeated):,} repeated ids)")
        details = client.map(
            _fragment_detail,
            fragments,
            plan=plan_f,
            lookups=lookups_f,
            params=params,
            repeated=repeated_f,
            pure=False,
        )
        if progress_bar:
            show_progress(details)
        parts = [part for part in client.gather(details) if len(part)]
    finally:
        if owned:
            client.close()
        if cluster is not None:
            cluster.close()
    if not parts:
        return empty_detail()
    summed = pd.concat(parts, ignore_index=True).groupby(_KEYS, sort=True)["people"].sum()
    return summed.reset_index().astype(np.int64)
