"""Uploads are parsed in a bounded child process, counted as they are read (issue #18).

The time-limit test reads the corpus's recursive-view GeoPackage with GDAL directly,
past the schema check that refuses it, to show that the bound stops real hung work:
the child is killed, no process is left, and the CPU goes back to idle.
"""

from __future__ import annotations

import shutil
import threading
import time

import psutil
import pytest

from layers.uploads import (
    UploadError,
    boundaries,
    csv_uploads,
    validate_boundaries,
    validate_place_groupings,
)
from layers.uploads.sandbox import run_bounded
from tests.unit.test_upload_corpus import CORPUS, KNOWN_PRACTICES


def descendants() -> dict[int, psutil.Process]:
    return {p.pid: p for p in psutil.Process().children(recursive=True)}


def cpu_seconds(processes) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def test_recursive_view_geopackage_is_refused_before_gdal_reads_it():
    raw = (CORPUS / "gb_gpkg_recursive_view.gpkg").read_bytes()
    validate_place_groupings(b"practice_code,place_name\nA81001,North\n", KNOWN_PRACTICES)
    started = time.monotonic()
    with pytest.raises(UploadError, match=r"^The GeoPackage holds a view \('places'\)"):
        validate_boundaries(raw, "places.gpkg")
    assert time.monotonic() - started < 10


def test_time_limit_stops_hung_geopackage_read(tmp_path):
    path = tmp_path / "places.gpkg"
    shutil.copyfile(CORPUS / "gb_gpkg_recursive_view.gpkg", path)
    run_bounded(sum, [1])  # the forkserver is running before we look at processes
    before = set(descendants())
    seen: dict[int, psutil.Process] = {}
    busy: list[float] = []
    done = threading.Event()

    def watch():
        while not done.wait(0.2):
            for pid, process in descendants().items():
                if pid not in before:
                    seen.setdefault(pid, process)
            busy.append(cpu_seconds(seen.values()))

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    try:
        with pytest.raises(UploadError) as info:
            run_bounded(boundaries._read, path, "places", seconds=3)
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - started
    assert str(info.value) == (
        "Reading the file took longer than 3 seconds, so it was stopped. Upload a smaller "
        "or simpler file."
    )
    assert 3 <= elapsed < 8
    # The hung read really ran: a child kept using CPU until it was killed (the machine
    # is shared: with a load of 10 on 2 cores it got 0.26 s in 3 s, so ask for a little).
    alive = [b for b in busy if b > 0]
    assert seen and alive[-1] > alive[0] + 0.1
    # ... and it is gone: no process of ours is left besides the idle forkserver.
    assert not any(p.is_running() for p in seen.values())
    assert set(descendants()) <= before
    idle = list(descendants().values())
    first = cpu_seconds(idle)
    time.sleep(1)
    assert cpu_seconds(idle) - first < 0.05


def test_memory_limit_stops_the_work():
    with pytest.raises(UploadError) as info:
        run_bounded(bytes, 3 * 1024**3, memory_bytes=512 * 1024**2)
    assert str(info.value) == (
        "Reading the file needed more than 0.5 GB of memory, so it was stopped. Upload a "
        "smaller or simpler file."
    )


def test_errors_come_back_unchanged():
    with pytest.raises(ValueError, match="invalid literal"):
        run_bounded(int, "ten")


@pytest.fixture(scope="module")
def csv_50_mb() -> bytes:
    row = b"A81001,A place name long enough to make the file realistically wide\n"
    return b"practice_code,place_name\n" + row * (50 * 1024 * 1024 // len(row) - 1)


def test_50_mb_csv_is_refused_at_the_row_cap_in_little_memory(csv_50_mb):
    """Rows are counted as they are read: the child stays within 400 MB of its start."""
    assert len(csv_50_mb) > 49 * 1024 * 1024
    with pytest.raises(UploadError) as info:
        run_bounded(
            csv_uploads._place_groupings,
            csv_50_mb,
            frozenset(KNOWN_PRACTICES),
            None,
            memory_bytes=400 * 1024**2,
        )
    assert str(info.value) == (
        "The file has more than 100,000 data rows (reading stopped at row 100,002). Upload "
        "one ICS's data at a time."
    )


def test_one_row_and_a_million_blank_lines_is_one_row():
    raw = b"practice_code,place_name\nA81001,North\n" + b"\n" * 1_000_000
    report = validate_place_groupings(raw, ["A81001"])
    assert report.n_read == 1 and report.n_accepted == 1
    assert report.summary == "Place groupings: 1 row read, 1 accepted, 0 rejected."


def test_a_million_blank_rows_between_data_rows_are_refused_early():
    raw = b"practice_code,place_name\nA81001,North\n" + b",\n" * 1_000_000 + b"A81002,S\n"
    with pytest.raises(UploadError) as info:
        validate_place_groupings(raw, ["A81001", "A81002"])
    assert str(info.value) == (
        "The file has more than 10,000 blank rows (the first 10,000 were read). Delete the "
        "blank rows and upload again."
    )


def test_names_that_look_the_same_are_the_same_place():
    raw = (CORPUS / "pg_lookalike_names.csv").read_bytes()
    report = validate_place_groupings(raw, KNOWN_PRACTICES)
    assert report.accepted["place_name"].tolist() == ["Café Royal", "Café Royal"]
