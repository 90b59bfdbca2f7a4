"""Migrations, the one setting that picks the database, and faults: each has its error."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import dashboard.store as store_package
from dashboard.store import (
    ANONYMOUS,
    DATA_DIR_VARIABLE,
    DATABASE_URL_VARIABLE,
    CorruptStore,
    ScenarioStore,
    StoreUnavailable,
    default_sqlite_path,
    open_store,
)
from dashboard.store.database import (
    current_revision,
    downgrade_all,
    engine_for,
    head_revision,
    migrate,
)
from dashboard.store.database import (
    database_url as resolve_url,
)
from dashboard.store.schema import metadata
from tests.store.conftest import ANN, tiers_document


def test_migrations_from_empty_build_exactly_the_schema(database_url):
    engine = engine_for(resolve_url(database_url))
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    names = set(inspect(engine).get_table_names())
    assert {"scenarios", "versions", "alembic_version"} <= names
    engine.dispose()


def test_migrations_rerun_change_nothing_and_keep_data(database_url):
    store = ScenarioStore.open(database_url)
    saved = store.save_new(tiers_document(), "Kept", ANN)
    migrate(store.engine, force=True)  # a restarted server runs them again
    migrate(store.engine, force=True)
    assert store.get_version(saved.id, ANN).document == tiers_document()
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    downgrade_all(store.engine)
    assert not {"scenarios", "versions"} & set(inspect(store.engine).get_table_names())
    migrate(store.engine, force=True)
    assert store.list_scenarios(ANN) == []
    store.dispose()


def _open_in_process(url, barrier, results):
    try:
        barrier.wait(timeout=120)
        opened = ScenarioStore.open(url)
        opened.save_new(tiers_document(), "From a process", ANONYMOUS)
        results.put("ok")
    except BaseException as exc:
        results.put(repr(exc))


@pytest.mark.slow
def test_several_servers_starting_together_migrate_once(database_url):
    """Six processes open a brand-new database at the same moment."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(6), context.Queue()
    processes = [
        context.Process(target=_open_in_process, args=(database_url, barrier, results))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert outcomes == ["ok"] * 6
    store = ScenarioStore.open(database_url)
    assert len(store.list_scenarios(ANONYMOUS)) == 6
    with store.engine.connect() as connection:
        revisions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert revisions == [(head_revision(),)]
    store.dispose()


def test_default_is_a_sqlite_file_created_where_documented(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "new" / "folder"))
    assert default_sqlite_path() == tmp_path / "new" / "folder" / "scenarios.sqlite3"
    store = open_store()
    assert open_store() is store  # one per process
    store.save_new(tiers_document(), "On disk", ANONYMOUS)
    path = default_sqlite_path()
    assert path.exists()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("SELECT name FROM scenarios").fetchall() == [("On disk",)]
    monkeypatch.delenv(DATA_DIR_VARIABLE)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_sqlite_path() == tmp_path / "xdg" / "ics-planner" / "scenarios.sqlite3"
    store.dispose()


def test_one_setting_picks_postgresql(postgres, monkeypatch):
    url = postgres.create_database("env")
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url.replace("+psycopg", ""))
    store = open_store()
    assert store.engine.dialect.name == "postgresql"
    store.save_new(tiers_document(), "In PostgreSQL", ANONYMOUS)
    secret = open_store(url)  # from Streamlit secrets: wins over the environment
    assert [s.name for s in secret.list_scenarios(ANONYMOUS)] == ["In PostgreSQL"]
    store.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x@y/z", "SQLite and PostgreSQL, not 'mysql'"),
        ("::not a url::", "could not be read"),
    ],
)
def test_unsupported_urls(url, message):
    with pytest.raises(StoreUnavailable, match=message):
        resolve_url(url)


def test_unreachable_postgresql_is_unavailable():
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        ScenarioStore.open("postgresql+psycopg://nobody:secret@127.0.0.1:9/scenarios")
    try:
        ScenarioStore.open("postgresql+psycopg://nobody:secret@127.0.0.1:9/scenarios")
    except StoreUnavailable as exc:
        assert "secret" not in str(exc)  # the password is never shown


def test_postgresql_going_away_and_coming_back(postgres):
    store = ScenarioStore.open(postgres.create_database("away"))
    saved = store.save_new(tiers_document(), "Before", ANN)
    postgres.pause()
    try:
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            store.save_version(saved.id, tiers_document(), ANN, base_version=1)
        with pytest.raises(StoreUnavailable):
            store.list_scenarios(ANN)
    finally:
        postgres.resume()
    assert store.save_version(saved.id, tiers_document(), ANN, base_version=1).version == 2
    store.dispose()


def test_read_only_postgresql(postgres):
    url = postgres.create_database("ro")
    store = ScenarioStore.open(url)
    saved = store.save_new(tiers_document(), "Readable", ANN)
    store.dispose()
    database = url.rsplit("/", 1)[1]
    postgres.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    reader = ScenarioStore(engine_for(resolve_url(url)))
    migrate(reader.engine, force=True)  # a server starting on it: up to date, nothing to write
    assert [s.name for s in reader.list_scenarios(ANN)] == ["Readable"]  # analysis goes on
    with pytest.raises(StoreUnavailable, match="read-only, so saving is unavailable"):
        reader.save_version(saved.id, tiers_document(), ANN, base_version=1)
    with pytest.raises(StoreUnavailable, match="read-only"):
        reader.save_new(tiers_document(), "New", ANN)
    with pytest.raises(StoreUnavailable, match="read-only"):
        reader.archive(saved.id, ANN)
    assert reader.get(saved.id, ANN).latest_version == 1
    reader.dispose()


def test_read_only_sqlite(tmp_path):
    path = tmp_path / "scenarios.sqlite3"
    store = ScenarioStore.open(f"sqlite:///{path}")
    saved = store.save_new(tiers_document(), "Readable", ANN)
    store.dispose()
    # Opened read-only, as on a read-only mount (root ignores file modes, so chmod can't).
    reader = ScenarioStore.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert [s.name for s in reader.list_scenarios(ANN)] == ["Readable"]
    with pytest.raises(StoreUnavailable, match="read-only, so saving is unavailable"):
        reader.save_version(saved.id, tiers_document(), ANN, base_version=1)
    with pytest.raises(StoreUnavailable, match="read-only"):
        reader.rename(saved.id, ANN, "Renamed")
    reader.dispose()


def test_sqlite_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match="cannot be created"):
        ScenarioStore.open(f"sqlite:///{blocker / 'sub' / 'scenarios.sqlite3'}")


def corrupt_copies(tmp_path: Path) -> dict[str, Path]:
    """A file that is not a database, and a real library with its pages overwritten."""
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"This is a spreadsheet, not a database.\n" * 200)
    damaged = tmp_path / "damaged.sqlite3"
    store = ScenarioStore.open(f"sqlite:///{damaged}")
    for i in range(30):
        store.save_new(tiers_document(), f"Scenario {i}" + "x" * 150, ANN)
    store.dispose()
    with sqlite3.connect(damaged) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(damaged.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # keep the header page, wreck the rest
        data[start + 8 : start + page] = bytes([0xA5]) * (page - 8)
    damaged.write_bytes(bytes(data))
    return {"garbage": garbage, "damaged": damaged}


@pytest.mark.parametrize("which", ["garbage", "damaged"])
def test_corrupt_sqlite_is_reported_and_kept(tmp_path, which):
    path = corrupt_copies(tmp_path)[which]
    before = path.read_bytes()
    with pytest.raises(CorruptStore) as raised:
        ScenarioStore.open(f"sqlite:///{path}")
    assert raised.value.path == str(path)
    assert "left untouched" in str(raised.value) and str(path) in str(raised.value)
    assert path.read_bytes() == before  # never replaced or repaired
    with pytest.raises(CorruptStore):  # and again on the next try: nothing was cached
        store_package.open_store(f"sqlite:///{path}")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(which)) in (
        [path.name],
        [path.name, path.name + "-shm", path.name + "-wal"],
    )


def test_a_file_damaged_while_the_server_runs(tmp_path):
    path = tmp_path / "live.sqlite3"
    store = ScenarioStore.open(f"sqlite:///{path}")
    store.save_new(tiers_document(), "Before", ANN)
    store.dispose()
    path.write_bytes(b"\x00" * 100 + b"overwritten by accident" * 100)
    with pytest.raises(CorruptStore):
        store.list_scenarios(ANN)


def test_raw_engine_sees_wal_and_busy_timeout(tmp_path):
    store = ScenarioStore.open(f"sqlite:///{tmp_path / 's.sqlite3'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    store.dispose()
