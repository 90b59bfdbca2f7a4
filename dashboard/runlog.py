"""An opt-in log of every script run, written by the server itself.

Set ``ICS_PLANNER_RUN_LOG=<path>`` before starting the dashboard and the router appends
one JSON line per script run: when it ended, the page, how long the server took, whether
the page failed, the ICS and the session. The load test (``benchmarks/load_test.py``)
judges the server by these times, not by what the test's browsers saw, since on one
machine the browsers compete with the server for the same cores.

Off (nothing written, nothing read) when the variable is unset.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

__all__ = ["RUN_LOG_ENV", "read", "record"]

#: The environment variable naming the log file.
RUN_LOG_ENV = "ICS_PLANNER_RUN_LOG"
# Sessions run in threads of one process: one line is written whole, never interleaved.
_LOCK = threading.Lock()


def record(
    page: str,
    seconds: float,
    *,
    error: bool,
    ics: str | None = None,
    session: str | None = None,
    path: str | os.PathLike | None = None,
) -> None:
    """Append one script run to the log, if the log is on.

    Parameters
    ----------
    page : str
        The page's URL path (``"map"``), or ``"home"`` for the redirect at ``/``.
    seconds : float
        Server time for the run, from the start of the router to the end of the sidebar.
    error : bool
        True if the page raised (the router showed "Sorry, … could not be drawn").
    ics, session : str, optional
        The ICS code and Streamlit's session id.
    path : path-like, optional
        The log file; by default ``$ICS_PLANNER_RUN_LOG`` (nothing is written if unset).

    Examples
    --------
    >>> import tempfile
    >>> log = Path(tempfile.mkdtemp()) / "runs.jsonl"
    >>> record("map", 0.25, error=False, ics="QGH", session="s1", path=log)
    >>> [(r["page"], r["seconds"], r["error"], r["ics"]) for r in read(log)]
    [('map', 0.25, False, 'QGH')]
    """
    target = path if path is not None else os.environ.get(RUN_LOG_ENV)
    if not target:
        return
    line = json.dumps(
        {
            "ended": round(time.time(), 3),
            "page": page,
            "seconds": round(float(seconds), 4),
            "error": bool(error),
            "ics": ics,
            "session": session,
        }
    )
    with _LOCK, open(target, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def read(path: str | os.PathLike) -> list[dict]:
    """Every run in a log, oldest first (an unfinished last line is skipped)."""
    runs = []
    file = Path(path)
    if not file.exists():
        return runs
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return runs
