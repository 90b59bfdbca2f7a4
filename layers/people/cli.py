"""``python -m layers.people``: aggregate an extract, check an aggregates file, or synthesise.

::

    python -m layers.people aggregate EXTRACT --out aggregates.parquet
        [--engine duckdb|dask|pandas] [--scheduler ADDRESS] [--workers N]
        [--vintage 2022|2026] [--seed N] [--score-cuts RISING,HIGH]
    python -m layers.people check FILE
    python -m layers.people synthesise OUT [--ics CODE ...] [--seed N] [--vintage 2022|2026]
    python -m layers.people schema

Exit status: 0 done (``check``: the file passes); 1 ``check`` found a leak; 2 the input
could not be used (the message says why). Progress goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from layers.people.errors import PeopleError

__all__ = ["main"]


def _progress(quiet: bool):
    started = time.perf_counter()

    def say(line: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {line}", file=sys.stderr, flush=True)

    return say


def _cuts(text: str) -> tuple[float, float]:
    try:
        rising, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--score-cuts takes two numbers, RISING,HIGH (e.g. 0.2,0.5), not {text!r}"
        ) from None
    return rising, high


def _parser() -> argparse.ArgumentParser:
    from layers.people.engines import ENGINES
    from layers.vintages import DEFAULT_VINTAGE, VINTAGES

    parser = argparse.ArgumentParser(
        prog="python -m layers.people",
        description="Aggregate a person-level extract where it lives; only "
        "disclosure-controlled counts are written.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    agg = commands.add_parser("aggregate", help="aggregate an extract into an aggregates file")
    agg.add_argument("extract", help="Parquet file, folder of files, or hive layout")
    agg.add_argument("--out", required=True, help="aggregates file to write (.parquet)")
    agg.add_argument("--engine", choices=ENGINES, default="duckdb")
    agg.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    agg.add_argument("--workers", type=int, default=2, help="local Dask workers (default 2)")
    agg.add_argument("--vintage", choices=tuple(VINTAGES), help="data vintage of the lookups")
    agg.add_argument("--seed", type=int, default=2022, help="seed of the risk model's draws")
    agg.add_argument("--score-cuts", type=_cuts, default=None, help="risk_score cut points")
    agg.add_argument("--quiet", action="store_true", help="no progress lines")
    check = commands.add_parser("check", help="re-scan an aggregates file for leaks")
    check.add_argument("file")
    synth = commands.add_parser("synthesise", help="write the synthetic population as an extract")
    synth.add_argument("out", help="folder to create")
    synth.add_argument("--ics", nargs="*", help="ICB codes or names (default: all England)")
    synth.add_argument("--seed", type=int, default=2022)
    synth.add_argument("--vintage", choices=tuple(VINTAGES), default=DEFAULT_VINTAGE)
    synth.add_argument("--quiet", action="store_true")
    commands.add_parser("schema", help="print the person-level schema")
    return parser


def _aggregate(args: argparse.Namespace) -> int:
    from layers.people.aggregate import aggregate_extract
    from layers.people.tiering import DEFAULT_SCORE_CUTS

    say = _progress(args.quiet)
    report = aggregate_extract(
        args.extract,
        args.out,
        engine=args.engine,
        scheduler=args.scheduler,
        workers=args.workers,
        vintage=args.vintage,
        seed=args.seed,
        score_cuts=args.score_cuts or DEFAULT_SCORE_CUTS,
        progress=say,
        progress_bar=not args.quiet and sys.stderr.isatty(),
    )
    for line in report.lines():
        say(line)
    return 0


def _check(args: argparse.Namespace) -> int:
    from layers.people.check import check_file

    result = check_file(args.file)
    if result.ok:
        meta = result.metadata or {}
        print(
            f"{args.file}: passes ({meta.get('cells', len(result.cells))} cells, "
            f"{meta.get('suppressed', '?')} suppressed; no leak found)"
        )
        return 0
    print(f"{args.file}: REFUSED, {len(result.problems)} problem(s):", file=sys.stderr)
    for line in result.problems:
        print(f"  - {line}", file=sys.stderr)
    return 1


def _synthesise(args: argparse.Namespace) -> int:
    from layers.people.synthetic import write_synthetic_extract

    say = _progress(args.quiet)
    written = write_synthetic_extract(
        args.out, args.ics, seed=args.seed, vintage=args.vintage, progress=say
    )
    say(
        f"wrote {written.people:,} people in {len(written.systems)} systems to {written.path} "
        f"({written.bytes_on_disk / 1e6:,.1f} MB)"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     status = main(["check", "/no/such/file.parquet"])
    >>> status, err.getvalue().strip()
    (2, 'error: The file /no/such/file.parquet does not exist.')
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "aggregate":
            return _aggregate(args)
        if args.command == "check":
            return _check(args)
        if args.command == "synthesise":
            return _synthesise(args)
        from layers.people.schema import describe_schema

        print(describe_schema().to_string(index=False))
        return 0
    except (PeopleError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        for line in getattr(exc, "problems", ()):
            print(f"  - {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
