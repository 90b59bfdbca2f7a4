"""Property tests: whatever bytes arrive, validators raise UploadError or succeed.

No other exception may escape for bad input (a page shows ``str(UploadError)`` and
nothing else), and a successful report always accounts for every row it read.
"""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from layers.allocation import example_practices
from layers.uploads import (
    SessionData,
    UploadError,
    UploadReport,
    validate_boundaries,
    validate_budgets,
    validate_place_groupings,
    validate_practice_list,
)
from tests.unit.upload_inputs import FULL_HEADERS, KNOWN, PCNS

PRACTICES = example_practices()

FULL_ROW = (
    b"practice_code,practice_name,postcode,latitude,longitude,list_size,pcn_code\n"
    b"A81001,Densham,TS18 1HU,54.56,-1.32,4061,U00001\n"
)
VALIDATORS = {
    "place_groupings": lambda raw: validate_place_groupings(raw, KNOWN),
    "practice_list": lambda raw: validate_practice_list(raw, PCNS),
    "budgets": lambda raw: validate_budgets(raw, PRACTICES),
}
VALID = {
    "place_groupings": b"practice_code,place_name\nA81001,North\nA81002,South\n",
    "practice_list": (
        b"practice_code,practice_name,postcode,latitude,longitude,list_size,pcn_code\n"
        b'A81001,Densham,TS18 1HU,54.56,-1.32,"4,061",U00001\n'
        b"A81002,Church Lane,,54.5,-1.3,12,\n"
    ),
    "budgets": b'place_code,pounds\nX,100\nY,"\xc2\xa3200.50"\n',
}
# Every schema's columns, once each, and two that are no column of any.
COLUMNS = [*dict.fromkeys(c for kind in FULL_HEADERS.values() for c in kind), "Practice Code", ""]
CELLS = st.one_of(
    st.sampled_from(
        KNOWN
        + PCNS
        + ["X", "Y", "Z", "P1", "C", "", " ", "-5", "NaN", "1,234", "1e3", "£1", "TS18 1HU"]
        + ["54.5", "-1.3", "0", "=1+1", '"', '""', "\r", "\n", "9" * 5000, "\ufeff"]
    ),
    st.text(max_size=12),
)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_outcome(kind: str, raw: bytes) -> None:
    """Run a validator: it returns a coherent report or raises UploadError, nothing else."""
    known_before = list(KNOWN), list(PCNS), PRACTICES.copy()
    try:
        report = VALIDATORS[kind](raw)
    except UploadError as err:
        assert type(err) is UploadError
        assert str(err).strip()
    else:
        assert isinstance(report, UploadReport)
        assert report.n_accepted > 0
        if kind != "budgets":
            assert report.n_accepted + report.n_rejected == report.n_read
            rows = report.accepted.index.tolist() + report.rejected["row"].tolist()
            assert len(set(rows)) == len(rows)
            assert min(rows) >= 2
        SessionData().apply(report)
    assert (list(KNOWN), list(PCNS)) == known_before[:2]
    assert PRACTICES.equals(known_before[2])


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
@SETTINGS
@given(raw=st.binary(max_size=600))
@example(raw=b"")
@example(raw=b'""')
@example(raw=b"\xef\xbb\xbf\r\n,\r\n")
@example(raw=b"a\x00")
@example(raw=FULL_ROW.replace(b"4061", b"9" * 5000))  # int() refuses > 4300 digits
@example(raw=FULL_ROW.replace(b"4061", b"1," + b"000," * 2000 + b"000"))
def test_random_bytes_raise_only_upload_error(kind, raw):
    check_outcome(kind, raw)


@st.composite
def csv_tables(draw, kind: str) -> bytes:
    """CSV-shaped bytes: a header (often the kind's full one) and rows of awkward cells."""
    header: list[str] = draw(
        st.one_of(
            st.permutations(FULL_HEADERS[kind]),
            st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8),
        )
    )
    width = len(header)
    sizes = st.one_of(st.just(width), st.just(width), st.integers(0, width + 2))
    rows = draw(
        st.lists(sizes.flatmap(lambda n: st.lists(CELLS, min_size=n, max_size=n)), max_size=8)
    )
    quote = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if quote else value

    text = newline.join(",".join(cell(v) for v in row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
@SETTINGS
@given(data=st.data())
def test_csv_shaped_input_raises_only_upload_error(kind, data):
    check_outcome(kind, data.draw(csv_tables(kind)))


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
@SETTINGS
@given(data=st.data())
def test_damaged_valid_files_raise_only_upload_error(kind, data):
    raw = bytearray(VALID[kind])
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if action == "cut":
            raw = raw[:at]
        elif action == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        elif raw:
            del raw[at]
    check_outcome(kind, bytes(raw))


def test_valid_files_are_accepted():
    for kind, raw in VALID.items():
        report = VALIDATORS[kind](raw)
        assert report.n_rejected == 0 and report.n_accepted == 2


# ------------------------------------------------------------------------- boundaries


def _geojson_bytes() -> bytes:
    frame = gpd.GeoDataFrame({"name": ["North"]}, geometry=[box(-1.3, 54.5, -1.2, 54.6)])
    return json.dumps(json.loads(frame.to_json())).encode()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\x00\x00\x27\x0a" + bytes(96))
        archive.writestr("a.shx", bytes(100))
        archive.writestr("a.dbf", bytes(40))
        archive.writestr("a.prj", b'GEOGCS["WGS 84"]')
    return buffer.getvalue()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    name=st.sampled_from(["b.geojson", "b.json", "b.zip", "b.gpkg"]),
)
def test_damaged_boundary_files_raise_only_upload_error(data, name):
    base = _zip_bytes() if name.endswith(".zip") else _geojson_bytes()
    raw = bytearray(base if name != "b.gpkg" else b"SQLite format 3\x00" + bytes(100))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        if data.draw(st.booleans()):
            raw[at] = data.draw(st.integers(0, 255))
        else:
            raw = raw[: max(at, 1)]
    try:
        report = validate_boundaries(bytes(raw), name)
    except UploadError as err:
        assert type(err) is UploadError and str(err).strip()
    else:
        assert report.accepted.crs.to_epsg() == 4326
        assert report.n_accepted > 0


def test_damaged_deflate_stream_is_an_upload_error():
    """Regression: Hypothesis found that a zeroed byte in a member's deflate data
    escaped as zlib.error from the extraction step."""
    raw = bytearray(_zip_bytes())
    raw[161] = 0
    with pytest.raises(UploadError, match="damaged"):
        validate_boundaries(bytes(raw), "b.zip")
