"""Which database, how to connect, start-up migrations, and what a fault means.

One setting chooses the database: a SQLAlchemy URL given by the dashboard (from
Streamlit secrets), else the environment variable :data:`DATABASE_URL_VARIABLE`, else
a SQLite file at :func:`default_sqlite_path` that is created on first use.

* SQLite runs in WAL mode with a busy timeout, so the server's threads can read while
  one writes; a write transaction starts with ``BEGIN IMMEDIATE`` so that two writers
  queue instead of failing half-way.
* PostgreSQL (psycopg 3): ``postgresql+psycopg://user:password@host:5432/dbname``.
  Migrations take a transaction-level advisory lock, so several server processes
  starting together migrate once and the others wait, then find nothing to do.

Faults become specific errors: :class:`~dashboard.store.errors.StoreUnavailable` (cannot
connect, read-only, no permission) and :class:`~dashboard.store.errors.CorruptStore`
(a damaged SQLite file, which is never replaced).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from dashboard.store.errors import CorruptStore, StoreUnavailable

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DATABASE_URL_VARIABLE",
    "DATA_DIR_VARIABLE",
    "database_url",
    "default_sqlite_path",
    "describe_url",
    "engine_for",
    "faults",
    "migrate",
    "write_transaction",
]

#: Environment variable with the database URL (e.g. a shared PostgreSQL).
DATABASE_URL_VARIABLE: Final = "ICS_PLANNER_DATABASE_URL"
#: Environment variable moving the default SQLite file's folder.
DATA_DIR_VARIABLE: Final = "ICS_PLANNER_DATA_DIR"
#: How long a SQLite writer waits for another to finish before giving up.
BUSY_TIMEOUT_MS: Final = 30_000
# Any fixed 64-bit number; all server processes lock the same one while migrating.
_MIGRATION_LOCK: Final = 0x1C5_5CE4A210
_MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
_WRITE: Final = "ics_store_write"
_SQLITE_CORRUPT: Final = ("file is not a database", "malformed", "file is encrypted")


def default_sqlite_path() -> Path:
    """The SQLite file used when no database URL is set.

    ``$ICS_PLANNER_DATA_DIR/scenarios.sqlite3`` if that variable is set, else
    ``$XDG_DATA_HOME/ics-planner/scenarios.sqlite3`` (``~/.local/share`` by default).

    Examples
    --------
    >>> default_sqlite_path().name
    'scenarios.sqlite3'
    """
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder:
        return Path(folder).expanduser() / "scenarios.sqlite3"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "ics-planner" / "scenarios.sqlite3"


def database_url(configured: str | None = None) -> URL:
    """The database URL: ``configured``, else the environment variable, else SQLite.

    Parameters
    ----------
    configured : str, optional
        From the dashboard's Streamlit secrets (``database_url``), if set.

    Raises
    ------
    StoreUnavailable
        If the URL cannot be read or names a database this store does not support.

    Examples
    --------
    >>> database_url("sqlite:////tmp/x.sqlite3").database
    '/tmp/x.sqlite3'
    >>> database_url("postgresql://planner@db/scenarios").drivername
    'postgresql+psycopg'
    """
    value = configured or os.environ.get(DATABASE_URL_VARIABLE)
    if not value:
        return URL.create("sqlite+pysqlite", database=str(default_sqlite_path()))
    try:
        url = make_url(value)
    except ArgumentError:
        raise StoreUnavailable(
            "The scenario library's database URL could not be read; expected e.g. "
            "postgresql+psycopg://user:password@host/dbname or sqlite:////path/file.sqlite3."
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    raise StoreUnavailable(f"The scenario library supports SQLite and PostgreSQL, not {backend!r}.")


def describe_url(url: URL) -> str:
    """The URL without its password, for messages.

    Examples
    --------
    >>> describe_url(database_url("postgresql://me:secret@db:5432/s"))
    'postgresql+psycopg://me:***@db:5432/s'
    """
    return url.render_as_string(hide_password=True)


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def engine_for(url: URL) -> Engine:
    """Create the engine (a SQLite file's folder is created; the file on first write).

    Raises
    ------
    StoreUnavailable
        If the folder cannot be created or the driver is missing.
    """
    try:
        if url.get_backend_name() == "sqlite":
            path = _sqlite_path(url)
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreUnavailable(
                        f"The scenario library folder {path.parent} cannot be created: "
                        f"{exc.strerror}."
                    ) from None
            engine = create_engine(
                url,
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"connect_timeout": 5, "application_name": "ics-planner"},
        )
    except NoSuchModuleError as exc:
        raise StoreUnavailable(f"The database driver is not installed: {exc}") from None


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # The driver must not open transactions itself: _sqlite_begin does, with the right
    # kind of BEGIN (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writer takes the write lock at BEGIN, so two writers queue (busy timeout)
    # instead of one failing when it upgrades a read transaction to a write.
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def faults(url: URL) -> Iterator[None]:
    """Turn driver errors into :class:`StoreUnavailable` or :class:`CorruptStore`."""
    try:
        yield
    except DBAPIError as exc:
        raise _translate(url, exc) from exc
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"The scenario library failed: {exc}") from exc


def _translate(url: URL, exc: DBAPIError) -> Exception:
    original = exc.orig
    message = str(original).strip().splitlines()[0] if original else str(exc)
    where = describe_url(url)
    if url.get_backend_name() == "sqlite":
        if any(marker in message for marker in _SQLITE_CORRUPT):
            return CorruptStore(str(_sqlite_path(url) or url.database), message)
        if "readonly" in message or "read-only" in message:
            return StoreUnavailable(
                f"The scenario library ({where}) is read-only, so saving is unavailable."
            )
        return StoreUnavailable(f"The scenario library ({where}) cannot be used: {message}.")
    code = getattr(original, "sqlstate", None)
    if code == "25006":
        return StoreUnavailable(
            f"The scenario library ({where}) is read-only, so saving is unavailable."
        )
    if code == "42501":
        return StoreUnavailable(
            f"The scenario library's database user may not do that ({where}): {message}."
        )
    if exc.connection_invalidated or code is None or code.startswith("08"):
        return StoreUnavailable(
            f"The scenario library's database ({where}) cannot be reached: {message}."
        )
    return StoreUnavailable(f"The scenario library ({where}) failed: {message}.")


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's id."""
    head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's migration id (None before the first migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def migrate(engine: Engine, *, force: bool = False) -> None:
    """Bring the database to the newest schema (once per process and URL).

    Safe to call from many threads and from several processes at once: threads share
    a lock, processes a database lock (PostgreSQL advisory lock; SQLite's write lock),
    and a database already at the newest revision is left alone.

    Raises
    ------
    StoreUnavailable, CorruptStore
        As :func:`faults`.
    """
    key = describe_url(engine.url)
    with _migrate_lock, faults(engine.url):
        if engine.dialect.name == "sqlite":
            _check_sqlite(engine)  # every open: a file can be damaged between two
        if key in _migrated and not force:
            return
        with write_transaction(engine) as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            context = MigrationContext.configure(connection)
            if context.get_current_revision() != head_revision():
                command.upgrade(_alembic_config(connection), "head")
        _migrated.add(key)


def _check_sqlite(engine: Engine) -> None:
    """Raise CorruptStore for a damaged file before anything is written to it."""
    path = _sqlite_path(engine.url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return
    with engine.connect() as connection:
        result = connection.exec_driver_sql("PRAGMA quick_check").scalar()
    if result != "ok":
        raise CorruptStore(str(path), f"integrity check: {result}")


def downgrade_all(engine: Engine) -> None:
    """Undo every migration (tests only)."""
    with faults(engine.url), write_transaction(engine) as connection:
        command.downgrade(_alembic_config(connection), "base")
    _migrated.discard(describe_url(engine.url))
