"""Parse an upload in a child process that is bounded in time and memory, and killed on expiry.

Reading a file a user chose runs code paths (GDAL, SQLite, the csv module) on input
nobody checked: a GeoPackage view over a recursive query keeps a core at 100% for ever,
and a big CSV can take gigabytes. A thread cannot be stopped, so every validator in
:mod:`layers.uploads` runs its whole parse through :func:`run_bounded`:

* the work runs in a **child process** forked from a ``forkserver`` (started once, with
  the upload modules preloaded, so a child starts in milliseconds and never inherits the
  web server's threads);
* the child sets ``RLIMIT_AS`` (its address space may grow by at most
  :data:`PARSE_MEMORY_BYTES`) and ``RLIMIT_CPU`` (:data:`PARSE_CPU_SECONDS`), so the
  kernel stops it even if the parent is busy;
* the parent waits at most :data:`PARSE_SECONDS` of wall-clock time, then kills the
  child (``SIGKILL``) and reaps it, so no process is left behind.

A breach becomes an :class:`~layers.uploads.errors.UploadError` with a message for the
user; the child's own ``UploadError`` (and ``TypeError``/``ValueError`` for programming
errors) is raised again in the parent unchanged.

Examples
--------
>>> from layers.uploads.sandbox import run_bounded
>>> run_bounded(sum, [1, 2, 3])
6
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from typing import Any, Final, TypeVar

from layers.uploads.errors import UploadError

__all__ = ["PARSE_CPU_SECONDS", "PARSE_MEMORY_BYTES", "PARSE_SECONDS", "run_bounded"]

#: Longest wall-clock time one upload's parse may take, in seconds.
PARSE_SECONDS: Final = 60.0
#: Most CPU time one upload's parse may use, in seconds (the kernel's own limit).
PARSE_CPU_SECONDS: Final = 60
#: Most memory one upload's parse may add to its process's address space, in bytes.
PARSE_MEMORY_BYTES: Final = 2 * 1024**3

#: Modules the forkserver imports once, so that each child starts with them loaded (and
#: warm: :mod:`layers.uploads._warmup` runs each reader once).
PRELOAD: Final = (
    "layers.uploads.boundaries",
    "layers.uploads.csv_uploads",
    "layers.uploads._warmup",
    "layers.people.check",
)

T = TypeVar("T")
_CONTEXT: Final = multiprocessing.get_context("forkserver")


class _Popen(popen_forkserver.Popen):
    """The forkserver launch, without re-running the parent's ``__main__`` in the child.

    multiprocessing re-imports the parent's main script in every child so that pickled
    references into it resolve. The work sent here lives in importable modules, and the
    main script may be Streamlit's launcher, a notebook kernel or ``<stdin>``: importing
    it again would cost a second per upload, or fail.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:  # noqa: N802 - multiprocessing's own name
        return _Popen(process_obj)


_START_LOCK: Final = threading.Lock()
_started = False


def _ensure_forkserver() -> None:
    """Start the forkserver once per process, with the upload modules preloaded."""
    global _started
    with _START_LOCK:
        if not _started:
            _CONTEXT.set_forkserver_preload(list(PRELOAD))
            _started = True


def _address_space() -> int:
    """The calling process's current virtual memory size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(connection: Any, function: Callable[..., Any], args: tuple, cpu: int, memory: int):
    """Run in the child: set the limits, run the work, send back the result or the error."""
    limit = _address_space() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # SIGXCPU at the soft limit; the kernel sends SIGKILL at the hard limit.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:
        outcome: tuple[str, Any] = ("ok", function(*args))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # sent back and raised again in the parent
        outcome = ("error", exc)
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory", None))
    except Exception as exc:  # an unpicklable result or error: say what it was
        connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        connection.close()


def _minutes(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds < 120 else f"{seconds / 60:g} minutes"


def run_bounded(
    function: Callable[..., T],
    *args: Any,
    seconds: float = PARSE_SECONDS,
    cpu_seconds: int = PARSE_CPU_SECONDS,
    memory_bytes: int = PARSE_MEMORY_BYTES,
) -> T:
    """Call ``function(*args)`` in a bounded child process and return its result.

    Parameters
    ----------
    function : callable
        A module-level function (it is sent to the child by reference).
    *args
        Its arguments (pickled).
    seconds : float, default :data:`PARSE_SECONDS`
        Wall-clock limit; the child is killed when it passes.
    cpu_seconds : int, default :data:`PARSE_CPU_SECONDS`
        CPU-time limit, enforced by the kernel.
    memory_bytes : int, default :data:`PARSE_MEMORY_BYTES`
        How far the child's address space may grow.

    Returns
    -------
    object
        What ``function`` returned.

    Raises
    ------
    UploadError
        If the child runs out of time or memory, or stops unexpectedly; or the
        ``UploadError`` the function raised.
    Exception
        Any other exception the function raised, raised again here.
    """
    _ensure_forkserver()
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _Process(
        target=_child, args=(sender, function, args, int(cpu_seconds), int(memory_bytes))
    )
    process.daemon = True
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise UploadError(
                f"Reading the file took longer than {_minutes(seconds)}, so it was stopped. "
                "Upload a smaller or simpler file."
            )
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError):
            process.join(5)
            code = process.exitcode
            if code in (-signal.SIGXCPU, -signal.SIGKILL):
                raise UploadError(
                    f"Reading the file used more than {_minutes(cpu_seconds)} of processor "
                    "time, so it was stopped. Upload a smaller or simpler file."
                ) from None
            raise UploadError(
                "The file could not be read: the reader stopped unexpectedly "
                f"(exit code {code}). Check the file, or export it again."
            ) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
    if status == "memory":
        raise UploadError(
            f"Reading the file needed more than {memory_bytes / 1024**3:g} GB of memory, so it "
            "was stopped. Upload a smaller or simpler file."
        )
    if status == "error":
        raise payload
    return payload
