"""A throwaway PostgreSQL server for tests and benchmarks, started from Debian's binaries.

Why not ``pytest-postgresql``: its ``postgresql_proc`` runs ``initdb``/``pg_ctl`` as the
current user, and PostgreSQL refuses to run as root, which is how CI runs. Here the
cluster lives in a temporary folder owned by the ``postgres`` user and the binaries run
through ``runuser -u postgres`` when we are root (directly otherwise). It listens on
127.0.0.1 on a free port with ``trust`` authentication (loopback only, thrown away at
the end) and with fsync off, which is safe for a cluster that is deleted afterwards.

Examples
--------
::

    with PostgresServer() as server:
        url = server.create_database("scenarios")   # postgresql+psycopg://...
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

__all__ = ["PostgresServer", "PostgresUnavailable", "postgres_bin"]


class PostgresUnavailable(RuntimeError):  # noqa: N818 (a condition, like FileNotFoundError)
    """PostgreSQL's server binaries (Debian package ``postgresql``) are not installed."""


def postgres_bin() -> Path:
    """The newest ``/usr/lib/postgresql/<major>/bin`` that has ``initdb``."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found under /usr/lib/postgresql "
            "(apt-get install -y postgresql)."
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """Start with :meth:`start` (or ``with``); :meth:`stop` deletes everything."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.root: Path | None = None
        self.port: int | None = None
        self._as_root = os.geteuid() == 0

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(argv)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def _pg_ctl(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``pg_ctl`` on this server's data folder."""
        return self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), *argv, check=check)

    def _start(self, options: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        """Start the server with these ``postgres`` options, logging to ``server.log``."""
        log = str(self.root / "server.log")
        return self._pg_ctl("-l", log, "-o", options, "-w", *argv, "start", check=check)

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def start(self) -> PostgresServer:
        """initdb, then start on a free loopback port (waits until it accepts)."""
        self.root = Path(tempfile.mkdtemp(prefix="ics-planner-pg-"))
        if self._as_root:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        )
        for attempt in range(5):
            self.port = _free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                "-c max_connections=200 -c shared_buffers=32MB"
            )
            result = self._start(options, "-t", "60", check=False)
            if result.returncode == 0:
                return self
            if attempt == 4:
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log}")
        return self

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if self.root is None:
            return
        if self.running():
            self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def pause(self) -> None:
        """Stop the server but keep its data (to test an unreachable database)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start again after :meth:`pause`, on the same port."""
        self._start(f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off")

    def running(self) -> bool:
        """Whether the server is up."""
        if self.root is None:
            return False
        status = self._pg_ctl("status", check=False)
        return status.returncode == 0

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of one database (user ``postgres``, no password)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE DATABASE, ALTER ...)."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True
        ) as connection:
            connection.execute(sql)

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
