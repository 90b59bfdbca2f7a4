"""Snapshot every page's tables and headline figures, and compare two snapshots.

A refactor must not change a number a user sees. This runs each page under AppTest for
a few ICSs, opening every tab of the pages whose tabs are in the link, and records each
table (as CSV text, floats to 9 significant figures) and each metric. ``compare`` then
prints, page by page, what is the same and what changed.

Usage::

    python benchmarks/page_snapshot.py take before.json            # in the old tree
    python benchmarks/page_snapshot.py take after.json             # in the new tree
    python benchmarks/page_snapshot.py compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

ICSS = ("QGH", "QRV", "QU9")


def _frame_text(frame) -> str:
    return frame.to_csv(index=False, float_format="%.9g")


def take(out: Path, pages: list[str] | None, icss: tuple[str, ...]) -> None:
    """Run the pages and write the snapshot to ``out``."""
    from streamlit.testing.v1 import AppTest

    from dashboard.page_specs import PAGE_SPECS
    from tests.app.apptest import TABBED  # the pages whose tabs are chosen in the link

    app = str(REPO_ROOT / "dashboard" / "router.py")
    snapshot: dict[str, dict] = {}
    for file, *_ in PAGE_SPECS:
        if pages and file not in pages:
            continue
        param, tabs = TABBED.get(file, (None, [None]))
        for ics in icss:
            for tab in tabs:
                at = AppTest.from_file(app, default_timeout=300)
                at.query_params["ics"] = ics
                if tab is not None:
                    at.query_params[param] = tab
                at.run()
                if file != "overview.py":
                    at.switch_page(f"views/{file}")
                    at.run()
                key = f"{file}|{ics}|{tab or ''}"
                snapshot[key] = {
                    "exception": [e.value for e in at.exception],
                    "tables": [_frame_text(d.value) for d in at.dataframe]
                    + [_frame_text(t.value) for t in at.table],
                    "metrics": [f"{m.label} = {m.value}" for m in at.metric],
                }
                print(f"{key}: {len(snapshot[key]['tables'])} tables", flush=True)
    out.write_text(json.dumps(snapshot, indent=1))


def compare(before: Path, after: Path) -> int:
    """Print what changed between two snapshots; return the number of changed items."""
    old, new = json.loads(before.read_text()), json.loads(after.read_text())

    # Tabs rendered lazily appear only under their own key; pool by page and ICS.
    def pooled(snapshot: dict) -> dict[str, tuple[Counter, Counter]]:
        out: dict[str, tuple[Counter, Counter]] = {}
        for key, value in snapshot.items():
            page, ics, _tab = key.split("|")
            tables, metrics = out.setdefault(f"{page} {ics}", (Counter(), Counter()))
            tables.update(set(value["tables"]))
            metrics.update(set(value["metrics"]))
        return {k: (Counter(set(t)), Counter(set(m))) for k, (t, m) in out.items()}

    a, b = pooled(old), pooled(new)
    changed = 0
    print(
        f"{'page and ICS':<28} {'tables same':>11} {'only before':>11} {'only after':>10}  metrics"
    )
    for key in sorted(set(a) | set(b)):
        (ta, ma), (tb, mb) = a.get(key, (Counter(), Counter())), b.get(key, (Counter(), Counter()))
        same, gone, new_ = len(ta & tb), len(ta - tb), len(tb - ta)
        metric_diff = sorted((ma - mb).elements()) + [f"+ {m}" for m in (mb - ma).elements()]
        changed += gone + new_ + len(metric_diff)
        print(f"{key:<28} {same:>11} {gone:>11} {new_:>10}  {len(metric_diff)} differ")
        for table in (ta - tb).elements():
            print(f"    before only: {table.splitlines()[0][:110]}")
        for table in (tb - ta).elements():
            print(f"    after only:  {table.splitlines()[0][:110]}")
        for metric in metric_diff:
            print(f"    metric: {metric}")
    return changed


def main() -> None:
    """Command line: ``take OUT`` or ``compare BEFORE AFTER``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    take_parser = sub.add_parser("take")
    take_parser.add_argument("out", type=Path)
    take_parser.add_argument("--pages", nargs="*")
    take_parser.add_argument("--ics", nargs="*", default=list(ICSS))
    compare_parser = sub.add_parser("compare")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "take":
        take(args.out, args.pages, tuple(args.ics))
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
