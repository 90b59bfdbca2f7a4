"""Aggregate a person-level extract where it lives, and write only what passes output checking.

:func:`aggregate_extract` is ``python -m layers.people aggregate``:

1. plan the extract (:mod:`layers.people.extract`): files, columns, LSOA years;
2. choose the data vintage (``vintage``, else the one whose LSOA code set most rows
   state) and load its lookups (:mod:`layers.people.lookups`);
3. run the engine (DuckDB, Dask or pandas) into unrounded counts and the rejects;
4. stop with a clear message if nothing usable remains;
5. build every cell (:mod:`layers.people.cube`), apply the rule and secondary
   suppression (:mod:`layers.people.control`), and audit the result as ``check`` would;
6. only then write the file, atomically (:mod:`layers.people.output`).

The unrounded counts exist only in memory, for the length of the run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from layers.disclosure import ROUNDING_BASE, SUPPRESSED
from layers.people.check import check_table
from layers.people.control import protect, publish_value, relations
from layers.people.cube import CELL_KEYS, build_cells
from layers.people.engines import ENGINES, Tally, run_engine, tally
from layers.people.errors import DisclosureError, ExtractError
from layers.people.extract import ExtractPlan, plan_extract
from layers.people.lookups import (
    LSOA_YEAR_OF_VINTAGE,
    VINTAGE_OF_LSOA_YEAR,
    Lookups,
    load_lookups,
)
from layers.people.output import FORMAT, FORMAT_VERSION, write_aggregates
from layers.people.rules import RunParameters
from layers.people.schema import SCHEMA_VERSION
from layers.people.tiering import AGE_BAND_LABELS, DEFAULT_SCORE_CUTS
from layers.streams import DEFAULT_SEED
from layers.vintages import DEFAULT_VINTAGE

__all__ = [
    "DIFFERENCING",
    "RULE",
    "AggregateReport",
    "Aggregates",
    "aggregate_extract",
    "make_aggregates",
]

#: The rule, as written into every file.
RULE = (
    "Counts of people: 0 stays 0; 1 to 7 are suppressed (null, shown as *); every other "
    "count is rounded to the nearest 5 (half up). Each total is rounded from its own "
    "unrounded count."
)
#: How totals are kept from revealing a suppressed count, as written into every file.
DIFFERENCING = (
    "Secondary suppression: every additive relation (a unit's tiers, deciles and bands; "
    "practices within PCNs, places and the ICS; PCNs and places within the ICS; the summary "
    "counts) has no suppressed member or at least two, so no total minus its other parts "
    "gives a suppressed count. Secondary suppressions are also shown as *."
)


@dataclass(frozen=True)
class Aggregates:
    """A disclosure-controlled table, ready to write.

    Attributes
    ----------
    cells : pandas.DataFrame
        :data:`layers.people.cube.CELL_KEYS` and ``people`` (Int64; NA = suppressed).
    metadata : dict
        As :mod:`layers.people.output` describes.
    secondary : int
        Counts suppressed to protect others.
    """

    cells: pd.DataFrame
    metadata: dict
    secondary: int


@dataclass(frozen=True)
class AggregateReport:
    """What a run did, in published (rounded) figures only.

    The command line prints it (:meth:`lines`); the unrounded counts behind it never
    leave the run.

    Attributes
    ----------
    path : pathlib.Path
        The file written.
    metadata : dict
        The file's metadata.
    seconds : dict of str to float
        Time of each stage.
    """

    path: Path
    metadata: dict
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """A summary for the terminal: counts as published (rounded, ``*``)."""
        meta = self.metadata
        summary = meta["summary"]
        out = [
            f"wrote {self.path} ({meta['cells']:,} cells, {meta['suppressed']:,} suppressed; "
            f"engine {meta['engine']}, vintage {meta['vintage']}, LSOA {meta['lsoa_year']})",
            f"rows read {summary['rows_read']}, used {summary['rows_used']} "
            "(counts rounded to 5; * = suppressed)",
        ]
        rejects = {k[8:]: v for k, v in summary.items() if k.startswith("reject: ")}
        shown = {k: v for k, v in rejects.items() if v != 0}
        out.append(
            "rejected: " + (", ".join(f"{k} {v}" for k, v in shown.items()) if shown else "none")
        )
        sources = {k[13:]: v for k, v in summary.items() if k.startswith("tier source: ")}
        out.append("tiers from: " + ", ".join(f"{k} {v}" for k, v in sources.items() if v != 0))
        ignored = {k: v for k, v in meta.get("ignored_values", {}).items() if v != 0}
        if ignored:
            out.append(
                "unreadable optional values, treated as not recorded: "
                + ", ".join(f"{k} {v}" for k, v in ignored.items())
            )
        for column, why in meta.get("ignored_columns", []):
            out.append(f"ignored column {column}: {why}")
        return out


def _summary(result: Tally) -> dict[str, int]:
    return {
        "rows_read": result.rows_read,
        "rows_used": result.rows_used,
        **{f"reject: {k}": v for k, v in result.rejects.items()},
        **{f"tier source: {k}": v for k, v in result.tier_sources.items()},
    }


def _shown(value: int | None) -> int | str:
    return SUPPRESSED if value is None else value


def make_aggregates(
    result: Tally,
    lookups: Lookups,
    *,
    engine: str,
    seed: int,
    score_cuts: tuple[float, float],
    plan: ExtractPlan | None = None,
) -> Aggregates:
    """Apply the rule and secondary suppression to a run's counts, and audit the result.

    Parameters
    ----------
    result : Tally
        The run's unrounded counts and summary.
    lookups : Lookups
    engine : str
    seed : int
    score_cuts : (float, float)
    plan : ExtractPlan, optional
        For the columns that were ignored.

    Returns
    -------
    Aggregates

    Raises
    ------
    DisclosureError
        If the audit finds a problem (nothing must then be written).
    """
    cells = build_cells(result.counts, lookups)
    summary = _summary(result)
    rels = relations(cells, summary)
    counts = np.concatenate([cells["count"].to_numpy(), np.array(list(summary.values()))])
    hidden, secondary = protect(counts, rels)
    n = len(cells)
    rounded = ROUNDING_BASE * ((counts[:n] + ROUNDING_BASE // 2) // ROUNDING_BASE)
    people = pd.arrays.IntegerArray(rounded.astype(np.int64), hidden[:n].copy())
    published = cells[list(CELL_KEYS)].assign(people=people)
    shown = {
        key: _shown(publish_value(int(value), bool(h)))
        for (key, value), h in zip(summary.items(), hidden[n:], strict=True)
    }
    ignored = {
        key: _shown(publish_value(value, 1 <= value <= 7)) for key, value in result.ignored.items()
    }
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "rule": RULE,
        "differencing": DIFFERENCING,
        "engine": engine,
        "vintage": lookups.vintage,
        "lsoa_year": lookups.lsoa_year,
        "seed": seed,
        "score_cuts": list(score_cuts),
        "age_bands": list(AGE_BAND_LABELS),
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "summary": shown,
        "ignored_values": ignored,
        "ignored_columns": [list(c) for c in (plan.ignored_columns if plan else ())],
        "cells": n,
        "suppressed": int(hidden[:n].sum()),
    }
    problems = check_table(published, metadata)
    if problems:
        raise DisclosureError(
            f"Output checking failed ({len(problems)} problems); nothing was written.", problems
        )
    return Aggregates(published, metadata, secondary)


def _choose_vintage(plan: ExtractPlan, vintage: str | None) -> str:
    if vintage is not None:
        if vintage not in LSOA_YEAR_OF_VINTAGE:
            raise ExtractError(
                f"Unknown data vintage {vintage!r}; choose {' or '.join(LSOA_YEAR_OF_VINTAGE)}."
            )
        return vintage
    year = plan.majority_lsoa_year
    return VINTAGE_OF_LSOA_YEAR[year] if year is not None else DEFAULT_VINTAGE


def _nothing_usable(result: Tally, vintage: str) -> ExtractError:
    reasons = sorted(result.rejects.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{name} {_shown(publish_value(n, 1 <= n <= 7))}" for name, n in reasons if n)
    hint = ""
    if result.rejects.get("LSOA from another vintage"):
        other = next(v for v in LSOA_YEAR_OF_VINTAGE if v != vintage)
        hint = f" The extract's LSOAs look like another code set: try --vintage {other}."
    return ExtractError(
        f"Nothing usable remains: every row was rejected ({shown}; counts rounded to 5).{hint}"
    )


def aggregate_extract(
    extract: str | Path,
    out: str | Path,
    *,
    engine: str = "duckdb",
    scheduler: str | object | None = None,
    workers: int = 2,
    vintage: str | None = None,
    seed: int = DEFAULT_SEED,
    score_cuts: tuple[float, float] = DEFAULT_SCORE_CUTS,
    lookups: Lookups | None = None,
    progress: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> AggregateReport:
    """Aggregate an extract into a disclosure-controlled aggregates file.

    Parameters
    ----------
    extract : str or pathlib.Path
        A Parquet file, a folder of them, or a hive layout (:mod:`layers.people.schema`).
    out : str or pathlib.Path
        The aggregates file to write.
    engine : {"duckdb", "dask", "pandas"}, default "duckdb"
    scheduler : str or distributed.Client, optional
        Dask: an existing scheduler's address or a connected client (default: a local
        cluster).
    workers : int, default 2
        Dask: worker processes of the local cluster.
    vintage : {"2022", "2026"}, optional
        Data vintage of the lookups; default: the one whose LSOA code set most rows state.
    seed : int, default 2022
        Seed of the per-person uniform of the risk model.
    score_cuts : (float, float), default (0.2, 0.5)
        Rising and high cut points for ``risk_score``.
    lookups : Lookups, optional
        Prebuilt lookups (default: built for the extract's practices); their vintage is
        the run's unless ``vintage`` names another.
    progress : callable, optional
        Called with a line at each stage.
    progress_bar : bool, default False
        The engine's own progress bar.

    Returns
    -------
    AggregateReport

    Raises
    ------
    ExtractError
        If the extract cannot be read, or nothing usable remains.
    DisclosureError
        If output checking fails (nothing is written).
    ValueError
        For an unknown engine or invalid parameters.
    """
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if scheduler is not None and engine != "dask":
        raise ValueError("A scheduler address is for the Dask engine (--engine dask).")
    say = progress or (lambda _line: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = now - clock
        clock = now

    plan = plan_extract(extract)
    # Prebuilt lookups name their vintage: it is the run's unless the caller names another.
    chosen = _choose_vintage(plan, vintage or (lookups.vintage if lookups is not None else None))
    say(
        f"extract: {plan.rows:,} rows in {len(plan.files)} files, {len(plan.practice_codes):,} "
        f"practices; vintage {chosen} (LSOA {LSOA_YEAR_OF_VINTAGE[chosen]})"
    )
    params = RunParameters(
        seed=seed, lsoa_year=LSOA_YEAR_OF_VINTAGE[chosen], score_cuts=tuple(score_cuts)
    )
    lap("plan")
    if lookups is not None and lookups.vintage != chosen:
        raise ValueError(f"lookups are of vintage {lookups.vintage}, the run is {chosen}")
    with ThreadPoolExecutor(max_workers=1) as pool:
        # DuckDB finds repeated ids while the lookups load; other engines wait for them.
        pending = (
            pool.submit(load_lookups, chosen, plan.practice_codes) if lookups is None else None
        )
        detail = run_engine(
            engine,
            plan,
            pending or lookups,
            params,
            scheduler=scheduler,
            workers=workers,
            progress=say,
            progress_bar=progress_bar,
        )
        lookups = pending.result() if pending is not None else lookups
    say(f"lookups: {len(lookups.practices):,} practices, {len(lookups.lsoas):,} LSOAs")
    result = tally(detail, lookups)
    lap("lookups and engine")
    if result.rows_used == 0:
        raise _nothing_usable(result, chosen)
    say("output checking: rounding, suppression and the audit")
    made = make_aggregates(
        result, lookups, engine=engine, seed=seed, score_cuts=params.score_cuts, plan=plan
    )
    lap("control")
    path = write_aggregates(made.cells, made.metadata, out)
    lap("write")
    return AggregateReport(path=path, metadata=made.metadata, seconds=seconds)
