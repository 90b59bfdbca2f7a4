"""The malformed-upload corpus: every file gives its exact message and changes nothing.

tests/upload_corpus/expected.json maps each file to its validator, its outcome
("error": UploadError; "report": a report with rejected rows) and the exact message.
Each case starts from a session that already holds data of every kind, and checks
that the session is unchanged afterwards (and, for a report, still unchanged after
the report is applied to make a new session).
"""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from layers.allocation import example_practices
from layers.uploads import (
    MAX_UNCOMPRESSED_BYTES,
    SessionData,
    UploadError,
    UploadReport,
    check_zip,
    validate_boundaries,
    validate_budgets,
    validate_place_groupings,
    validate_practice_list,
)

CORPUS = Path(__file__).resolve().parent / "upload_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CONTEXT = EXPECTED["context"]
CASES = EXPECTED["cases"]
KNOWN_PRACTICES = CONTEXT["known_practice_codes"]
KNOWN_PCNS = CONTEXT["known_pcn_codes"]

GROUPINGS = b"practice_code,place_name\nA81001,Centre\nA81002,Centre\nA81003,Coast\n"
PRACTICES = (
    b"practice_code,practice_name,postcode,list_size,pcn_code\n"
    b"A81001,Densham,TS18 1HU,4061,U00001\n"
)
BUDGETS = b"place_code,pounds\nX,100\nY,200\n"
BOUNDARY = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "North"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-1.3, 54.5], [-1.2, 54.5], [-1.2, 54.6], [-1.3, 54.5]]],
                },
            }
        ],
    }
).encode()


def run(validator: str, raw: bytes, filename: str) -> UploadReport:
    if validator == "place_groupings":
        return validate_place_groupings(raw, KNOWN_PRACTICES, filename=None)
    if validator == "practice_list":
        return validate_practice_list(raw, KNOWN_PCNS)
    if validator == "budgets":
        return validate_budgets(raw, example_practices())
    if validator == "boundaries":
        return validate_boundaries(raw, filename)
    raise AssertionError(f"unknown validator {validator!r}")


def snapshot(session: SessionData) -> dict[str, pd.DataFrame]:
    return {kind: session.get(kind) for kind in session.kinds}


def assert_same(session: SessionData, before: dict[str, pd.DataFrame], fingerprint: str):
    assert session.fingerprint() == fingerprint
    assert session.kinds == tuple(before)
    for kind, frame in before.items():
        pd.testing.assert_frame_equal(session.get(kind), frame)


@pytest.fixture(scope="module")
def full_session() -> SessionData:
    session = SessionData()
    session = session.apply(validate_place_groupings(GROUPINGS, KNOWN_PRACTICES))
    session = session.apply(validate_practice_list(PRACTICES, KNOWN_PCNS))
    session = session.apply(validate_budgets(BUDGETS, example_practices()))
    return session.apply(validate_boundaries(BOUNDARY, "base.geojson"))


def test_corpus_is_large_and_covers_every_category():
    files = {c["file"] for c in CASES}
    assert len(CASES) >= 50
    assert len(files) == len(CASES)
    on_disk = {p.name for p in CORPUS.iterdir()} - {"expected.json", "make_corpus.py"}
    on_disk = {n for n in on_disk if not n.startswith((".", "__"))}
    assert on_disk == files
    assert {c["validator"] for c in CASES} == {
        "place_groupings",
        "practice_list",
        "budgets",
        "boundaries",
    }
    text = "\n".join(c["message"] for c in CASES)
    for needle in [
        "is empty (0 bytes)",  # empty
        "cut short",  # truncated
        "not UTF-8 text",  # non-UTF-8
        "appears twice",  # duplicated columns
        "has no 'place_name' column",  # wrong columns
        "is not a known practice",  # unknown codes
        "is not a whole number",  # numbers stored as text
        "is negative",
        "'NaN' is not a number",
        "mixes coordinate reference systems",  # mixed CRS
        "has no coordinate reference system",  # missing CRS
        "Self-intersection",  # self-intersecting
        "is a Point; boundaries must be polygons",  # non-polygon
        "not part of the shapefile",  # zip holding other files
        "zip bomb",
        # issue #18: every class of bad input that used to get through
        "the largest amount accepted",  # numbers that overflow (17+ digit pounds)
        "pounds '1,5' is not a number",  # thousands commas out of place
        "integer of 4,300 digits",
        "too large to be a finite number",  # 1e400
        "nested 10,001 levels deep",
        "starts with '-', which spreadsheets read as a formula",
        "U+2028 LINE SEPARATOR",
        "U+0085 NEXT LINE",
        "U+007F DELETE",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+200B ZERO WIDTH SPACE",
        "is longer than 100 characters",  # boundary names have rules too
        "'crs' member of the file",
        "holds a view",  # GeoPackage SQL
        "virtual table",
        "trigger",
        "generated",
        "not a GeoPackage",
        "more than 10,000 blank rows",  # rows counted as they are read
    ]:
        assert needle in text, needle
    # The files stay tiny: none over 40 KB.
    assert max((CORPUS / f).stat().st_size for f in files) < 40 * 1024


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_case(case, full_session):
    before = snapshot(full_session)
    fingerprint = full_session.fingerprint()
    raw = (CORPUS / case["file"]).read_bytes()
    if case["outcome"] == "error":
        with pytest.raises(UploadError) as info:
            full_session = full_session.apply(run(case["validator"], raw, case["file"]))
        assert type(info.value) is UploadError
        assert str(info.value) == case["message"]
    else:
        assert case["outcome"] == "report"
        report = run(case["validator"], raw, case["file"])
        assert report.message == case["message"]
        assert report.n_rejected > 0 or report.warnings
        assert report.n_accepted > 0
        # Rejected row numbers are in the message, one per line.
        for row in report.rejected["row"]:
            assert f"{report.unit} {row}: " in report.message
        applied = full_session.apply(report)
        assert applied is not full_session
        assert applied.fingerprint() != fingerprint
        # Only the uploaded kind changed in the new session.
        for kind, frame in before.items():
            if kind != report.kind:
                pd.testing.assert_frame_equal(applied.get(kind), frame)
    assert_same(full_session, before, fingerprint)


def _zip_of_zeros(path: Path, n_bytes: int) -> None:
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("places.shp", "w", force_zip64=True) as member:
            written = 0
            while written < n_bytes:
                piece = chunk[: min(len(chunk), n_bytes - written)]
                member.write(piece)
                written += len(piece)


@pytest.fixture(scope="module")
def oversized_zip(tmp_path_factory) -> bytes:
    """A zip that would expand past the default limit, built at test time (~200 KB)."""
    path = tmp_path_factory.mktemp("bomb") / "oversized.zip"
    _zip_of_zeros(path, MAX_UNCOMPRESSED_BYTES + 1024 * 1024)
    return path.read_bytes()


def test_oversized_zip_is_refused_before_extraction(oversized_zip, full_session, monkeypatch):
    before = snapshot(full_session)
    fingerprint = full_session.fingerprint()
    assert len(oversized_zip) < 1024 * 1024
    expected = (
        "The zip would expand to 201.0 MB, more than the 200.0 MB allowed. Upload a smaller "
        "file (simplify the boundaries, or drop unneeded attributes)."
    )
    with pytest.raises(UploadError) as info:
        validate_boundaries(oversized_zip, "oversized.zip")
    assert str(info.value) == expected
    assert_same(full_session, before, fingerprint)

    # The validator runs in a child process; check_zip is what it runs first, so check
    # here, in this process, that it decides without reading a member.
    def no_reading(*args, **kwargs):
        raise AssertionError("a zip member was read before the size check")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "extract", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_reading)
    with pytest.raises(UploadError) as info:
        check_zip(oversized_zip)
    assert str(info.value) == expected


def test_smaller_limit_applies_to_the_total_of_members(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.shp", bytes(600_000))
        archive.writestr("a.dbf", bytes(600_000))
    with pytest.raises(UploadError, match=r"^The zip would expand to 1\.1 MB, more than the 1\.0"):
        validate_boundaries(path.read_bytes(), "two.zip", max_uncompressed_bytes=1024 * 1024)


def test_corpus_is_reproducible(tmp_path):
    """make_corpus.py rebuilds the same text files and the same expected.json."""
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.write(tmp_path)
    assert rows == CASES
    assert (tmp_path / "expected.json").read_bytes() == (CORPUS / "expected.json").read_bytes()
    # GeoPackages and .dbf headers carry dates, and deflate output may differ between
    # zlib builds: compare zips member by member, everything else byte for byte.
    for case in CASES:
        name = case["file"]
        new, old = (tmp_path / name).read_bytes(), (CORPUS / name).read_bytes()
        if old.startswith(b"SQLite format 3\x00"):
            assert new[:16] == old[:16]
        elif name.endswith(".zip") and zipfile.is_zipfile(io.BytesIO(old)):
            assert zip_members(new) == zip_members(old), name
        else:
            assert new == old, name


def zip_members(raw: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return [
            (i.filename, b"" if i.filename.endswith(".dbf") else archive.read(i))
            for i in archive.infolist()
        ]


def test_zip_members_are_listed_without_reading(monkeypatch):
    """Name checks (other files in the zip) also happen before any member is read."""
    raw = (CORPUS / "gb_zip_extra_files.zip").read_bytes()
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("member read"))
    with pytest.raises(UploadError, match="not part of the shapefile"):
        check_zip(raw)
    assert zipfile.is_zipfile(io.BytesIO(raw))
