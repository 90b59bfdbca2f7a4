"""Write the malformed-upload corpus and its expected messages.

Run from the repository root::

    python tests/upload_corpus/make_corpus.py

Every case is a tiny file in this folder plus a row of ``expected.json``: the
validator it goes to, whether it must raise (``"error"``) or return a report with
rejected rows (``"report"``), and the exact message (``str(UploadError)`` or
``UploadReport.message``). The messages are written out here by hand; the test
(tests/test_upload_corpus.py) checks the validators against them. The oversized zip
is not here: the test builds it in a temporary folder.

Known codes used by every case are in ``expected.json`` under ``"context"``; budget
cases use ``layers.allocation.example_practices()`` (places X and Y, PCNs P1 and P2,
practices A, B and C).
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KNOWN_PRACTICES = ["A81001", "A81002", "A81003"]
KNOWN_PCNS = ["U00001", "U00002"]
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

PG = "place_groupings"
PL = "practice_list"
BU = "budgets"
GB = "boundaries"
PL_HEADER = "practice_code,practice_name,postcode,latitude,longitude,list_size,pcn_code\n"
PL_OK = "A81001,Densham Surgery,TS18 1HU,54.56,-1.32,4061,U00001\n"


def _pl(*rows: str) -> bytes:
    return (PL_HEADER + PL_OK + "".join(r + "\n" for r in rows)).encode()


def _feature(name, geometry, **extra):
    props = {"place_name": name} if name is not None else {}
    return {"type": "Feature", "properties": props, "geometry": geometry, **extra}


def _square(x, y, size=0.1):
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


BNG_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
WGS_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
NORTH = _feature("North", _square(-1.3, 54.5))


def _fc(*features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": list(features)}).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _shapefile_parts(crs: int | None = 27700) -> dict[str, bytes]:
    """A one-polygon shapefile (Stockton, in British National Grid) as bytes by extension."""
    import warnings

    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {"name": ["Stockton"]}, geometry=[box(440000, 518000, 445000, 522000)], crs=crs
    )
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.to_file(Path(tmp) / "places.shp", engine="pyogrio")
        return {p.suffix: p.read_bytes() for p in Path(tmp).iterdir()}


def _gpkg(layers: list[tuple[str, int | None]]) -> bytes:
    import warnings

    import geopandas as gpd
    from shapely.geometry import box

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(tmp) / "layers.gpkg"
        for name, crs in layers:
            frame = gpd.GeoDataFrame(
                {"name": ["Stockton"]},
                geometry=[box(440000, 518000, 445000, 522000)],
                crs=crs,
            )
            frame.to_file(path, layer=name, engine="pyogrio")
        # Smaller pages shrink the file about three times; GeoPackage allows any size.
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
        connection.close()
        return path.read_bytes()


def _gpkg_with(sql: str, layer: str = "places") -> bytes:
    """A one-layer GeoPackage changed by ``sql`` (run on the file before shrinking it)."""
    import warnings

    import geopandas as gpd
    from shapely.geometry import box

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(tmp) / "layer.gpkg"
        frame = gpd.GeoDataFrame(
            {"name": ["Stockton"]}, geometry=[box(440000, 518000, 445000, 522000)], crs=27700
        )
        frame.to_file(path, layer=layer, engine="pyogrio")
        connection = sqlite3.connect(path)
        connection.executescript(sql)
        connection.commit()
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
        connection.close()
        return path.read_bytes()


def _sqlite_only() -> bytes:
    """An SQLite database with one plain table and nothing of a GeoPackage."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.sqlite"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE places (name TEXT)")
        connection.execute("INSERT INTO places VALUES ('North')")
        connection.commit()
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
        connection.close()
        return path.read_bytes()


# A view over a query that never ends, registered as the GeoPackage's only layer, with
# no stored feature count: GDAL counts the view's rows for ever (issue #18).
RECURSIVE_VIEW_SQL = """
ALTER TABLE places RENAME TO places_data;
CREATE VIEW places AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
  SELECT d.fid AS fid, d.geom AS geom, d.name AS name FROM places_data AS d, r;
DELETE FROM gpkg_ogr_contents;
"""
HUGE_INTEGER = "1" + "0" * 4299


def _names_csv(*names: str) -> bytes:
    """Place groupings with one known practice per name (A81001, A81002, ...)."""
    rows = "".join(f'A8100{i},"{name}"\n' for i, name in enumerate(names, start=1))
    return ("practice_code,place_name\n" + rows).encode()


def cases() -> list[tuple[str, str, str, bytes | None, str]]:
    """(file, validator, outcome, content, exact message) for every case.

    Content None means the case needs data built with geopandas (see :func:`binary_cases`).
    """
    return [
        # ------------------------------------------------------------- encoding, empty
        ("pg_empty.csv", PG, "error", b"", "The file is empty (0 bytes)."),
        (
            "pg_blank_lines.csv",
            PG,
            "error",
            b"\n  \r\n\t\n",
            "The file is empty (it holds only blank lines or spaces).",
        ),
        (
            "pl_bom_only.csv",
            PL,
            "error",
            b"\xef\xbb\xbf",
            "The file is empty (it holds only blank lines or spaces).",
        ),
        (
            "pg_header_only.csv",
            PG,
            "error",
            b"practice_code,place_name\n",
            "The file has a header row but no data rows.",
        ),
        (
            "pg_first_row_blank.csv",
            PG,
            "error",
            b"\npractice_code,place_name\nA81001,North\n",
            "Row 1 is blank. The first row must be the header, with the column names "
            "(practice_code, place_name).",
        ),
        (
            "bu_latin1_pound.csv",
            BU,
            "error",
            "place_code,pounds\nX,£100\nY,£200\n".encode("cp1252"),
            "The file is not UTF-8 text (byte 0xA3 at position 20, line 2). Save it as CSV "
            "UTF-8 and upload again.",
        ),
        (
            "pl_latin1_name.csv",
            PL,
            "error",
            (PL_HEADER + "A81002,Café Surgery,TS18 2AW,,,100,U00001\n").encode("latin-1"),
            "The file is not UTF-8 text (byte 0xE9 at position 85, line 2). Save it as CSV "
            "UTF-8 and upload again.",
        ),
        (
            "pg_utf16.csv",
            PG,
            "error",
            "practice_code,place_name\nA81001,North\n".encode("utf-16"),
            "The file is UTF-16 text, not UTF-8. Save it as CSV UTF-8 and upload again (in "
            "Excel: CSV UTF-8 (Comma delimited), not Unicode Text).",
        ),
        (
            "pg_truncated_character.csv",
            PG,
            "error",
            "practice_code,place_name\nA81001,Bishop’s Court\n".encode()[:40],
            "The file ends part-way through a character (position 38, line 2); it may be cut "
            "short. Upload the complete file.",
        ),
        (
            "pl_truncated_quote.csv",
            PL,
            "error",
            _pl('A81002,"Church Lane, Surgery')[:-1],
            'Row 3 opens a quoted value (") that never closes; the file may be cut short. '
            "Upload the complete file.",
        ),
        (
            "pl_truncated_row.csv",
            PL,
            "report",
            _pl("A81002,Church Lane Surgery,TS18 2AW,54.5"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: has 4 values but the header has 7 columns (the file may be cut short)",
        ),
        (
            "pg_xlsx_renamed.csv",
            PG,
            "error",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
            "This is a zip file or an Excel workbook (.xlsx), not CSV text. In Excel use File > "
            "Save As > CSV UTF-8 (Comma delimited) and upload the .csv file.",
        ),
        (
            "bu_xls_renamed.csv",
            BU,
            "error",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
            "This is an Excel 97-2003 workbook (.xls), not CSV text. In Excel use File > Save "
            "As > CSV UTF-8 (Comma delimited) and upload the .csv file.",
        ),
        (
            "pg_nul_bytes.csv",
            PG,
            "error",
            b"practice_code,place_name\nA81001,No\x00rth\n",
            "The file contains NUL bytes (the first at position 34), so it is not CSV text. "
            "Save it as CSV UTF-8 and upload again.",
        ),
        (
            "pg_text_after_quote.csv",
            PG,
            "error",
            b'practice_code,place_name\nA81001,"North" East\n',
            'Row 2 has text straight after a closing quote ("). Put the whole value in quotes '
            'and write a quote inside a value as two quotes ("").',
        ),
        # ------------------------------------------------------------- columns
        (
            "pg_semicolons.csv",
            PG,
            "error",
            b"practice_code;place_name\nA81001;North\n",
            "The file seems to use semicolons to separate columns. Save it as CSV "
            "(comma-separated) and upload again.",
        ),
        (
            "pl_tabs.csv",
            PL,
            "error",
            PL_HEADER.replace(",", "\t").encode() + PL_OK.replace(",", "\t").encode(),
            "The file seems to use tabs to separate columns. Save it as CSV "
            "(comma-separated) and upload again.",
        ),
        (
            "pg_missing_place_name.csv",
            PG,
            "error",
            b"practice_code,place\nA81001,North\n",
            "The file has no 'place_name' column. Required columns: practice_code, "
            "place_name. Found: practice_code, place.",
        ),
        (
            "pg_wrong_columns.csv",
            PG,
            "error",
            b"code,group\nA81001,North\n",
            "The file has no 'practice_code' or 'place_name' column. Required columns: "
            "practice_code, place_name. Found: code, group.",
        ),
        (
            "pg_duplicated_column.csv",
            PG,
            "error",
            b"practice_code,place_name,practice_code\nA81001,North,A81002\n",
            "Column 'practice_code' appears twice (columns A and C). Each column name must "
            "appear once.",
        ),
        (
            "pl_duplicated_column_case.csv",
            PL,
            "error",
            ("Practice Code," + PL_HEADER).encode() + b"A81001," + PL_OK.encode(),
            "Column 'practice_code' appears twice (columns A and B). Each column name must "
            "appear once.",
        ),
        (
            "pg_unnamed_column_with_values.csv",
            PG,
            "error",
            b"practice_code,,place_name\nA81001,x,North\n",
            "Column B has values but no name in the header row. Name it, or delete the column.",
        ),
        (
            "pl_missing_list_size.csv",
            PL,
            "error",
            b"practice_code,practice_name,postcode,pcn_code\nA81001,Densham,TS18 1HU,U00001\n",
            "The file has no 'list_size' column. Required columns: practice_code, "
            "practice_name, list_size, pcn_code. Found: practice_code, practice_name, postcode, "
            "pcn_code.",
        ),
        (
            "pl_no_location_columns.csv",
            PL,
            "error",
            b"practice_code,practice_name,list_size,pcn_code\nA81001,Densham,4061,U00001\n",
            "The file needs a postcode column, or latitude and longitude columns, to place "
            "each practice.",
        ),
        (
            "pl_latitude_column_only.csv",
            PL,
            "error",
            b"practice_code,practice_name,latitude,list_size,pcn_code\n"
            b"A81001,Densham,54.5,4061,U00001\n",
            "The file has a latitude column but no longitude column.",
        ),
        (
            "bu_two_key_columns.csv",
            BU,
            "error",
            b"place_code,pcn_code,pounds\nX,P1,100\nY,P2,200\n",
            "current allocation needs exactly one key column (place_code, pcn_code or "
            "practice_code) and a pounds column; found columns 'place_code', 'pcn_code', "
            "'pounds'",
        ),
        (
            "bu_missing_pounds.csv",
            BU,
            "error",
            b"place_code,budget\nX,100\nY,200\n",
            "current allocation needs exactly one key column (place_code, pcn_code or "
            "practice_code) and a pounds column; found columns 'place_code', 'budget'",
        ),
        # ------------------------------------------------------------- codes
        (
            "pg_unknown_code.csv",
            PG,
            "report",
            b"practice_code,place_name\nA81001,North\nA81002,South\nZ99999,South\n",
            "Place groupings: 3 rows read, 2 accepted, 1 rejected, 1 warning.\n"
            "row 4: practice_code 'Z99999' is not a known practice\n"
            "warning: 1 of the 3 known practices is not in the file: A81003",
        ),
        (
            "pg_all_unknown.csv",
            PG,
            "error",
            b"practice_code,place_name\nZ99998,North\nZ99999,South\n",
            "No row could be used (2 rows read):\n"
            "row 2: practice_code 'Z99998' is not a known practice\n"
            "row 3: practice_code 'Z99999' is not a known practice",
        ),
        (
            "pg_not_a_code.csv",
            PG,
            "report",
            b"practice_code,place_name\nA81001,North\n12345,North\n",
            "Place groupings: 2 rows read, 1 accepted, 1 rejected, 1 warning.\n"
            "row 3: practice_code '12345' is not a practice code (a letter and 5 digits, e.g. "
            "A81001)\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pg_repeated_code.csv",
            PG,
            "report",
            b"practice_code,place_name\nA81001,North\nA81002,South\nA81003,South\na81001,South\n",
            "Place groupings: 4 rows read, 3 accepted, 1 rejected.\n"
            "row 5: practice_code 'A81001' is repeated (first on row 2)",
        ),
        (
            "pg_blank_values.csv",
            PG,
            "report",
            b"practice_code,place_name\nA81001,North\n,South\nA81002,\n\nA81003,=HYPERLINK()\n",
            "Place groupings: 4 rows read, 1 accepted, 3 rejected, 1 warning.\n"
            "row 3: practice_code is blank\n"
            "row 4: place_name is blank\n"
            "row 6: place_name '=HYPERLINK()' starts with '=', which spreadsheets read as a "
            "formula\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pl_unknown_pcn.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,TS18 2AW,,,100,U99999", "A81003,Bay,TS18 2AT,,,100,PCN1"),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: pcn_code 'U99999' is not a known PCN\n"
            "row 4: pcn_code 'PCN1' is not a PCN code (U and 5 digits, e.g. U89141)",
        ),
        (
            "pl_bad_practice_codes.csv",
            PL,
            "report",
            _pl(
                "A8100,Short Code,TS18 2AW,,,100,U00001",
                "A81001,Repeat,TS18 2AW,,,100,U00001",
            ),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: practice_code 'A8100' is not a practice code (a letter and 5 digits, e.g. "
            "A81001)\n"
            "row 4: practice_code 'A81001' is repeated (first on row 2)",
        ),
        (
            "bu_unknown_place.csv",
            BU,
            "error",
            b"place_code,pounds\nX,100\nY,200\nZ,300\n",
            "current allocation has 1 problem(s):\nrow 4: place_code 'Z' is not a place of "
            "this ICS",
        ),
        (
            "bu_repeated_place.csv",
            BU,
            "error",
            b"place_code,pounds\nX,100\nY,200\nX,300\n",
            "current allocation has 1 problem(s):\nrow 4: place_code 'X' is repeated (first "
            "on row 2)",
        ),
        (
            "bu_missing_place.csv",
            BU,
            "error",
            b"pcn_code,pounds\nP1,100\n",
            "current allocation has 1 problem(s):\nno row for pcn(s) 'P2'; every pcn of the "
            "ICS needs one",
        ),
        # ------------------------------------------------------------- numbers
        (
            "pl_list_size_text.csv",
            PL,
            "report",
            _pl(
                "A81002,Church Lane,TS18 2AW,,,twelve,U00001",
                "A81003,Bay,TS18 2AT,,,1234 patients,U00001",
            ),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: list_size 'twelve' is not a whole number\n"
            "row 4: list_size '1234 patients' is not a whole number",
        ),
        (
            "pl_list_size_negative.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,TS18 2AW,,,-5,U00001"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: list_size '-5' is negative (it must be 0 or more)",
        ),
        (
            "pl_list_size_nan.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,TS18 2AW,,,NaN,U00001", "A81003,Bay,TS18 2AT,,,inf,"),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: list_size 'NaN' is not a number\n"
            "row 4: list_size 'inf' is not a number",
        ),
        (
            "pl_list_size_blank_decimal_huge.csv",
            PL,
            "report",
            _pl(
                "A81002,Church Lane,TS18 2AW,,,,U00001",
                "A81003,Bay,TS18 2AT,,,1234.5,U00001",
                'A81004,Big,TS18 2AT,,,"2,000,000",U00001',
            ),
            "Practice list: 4 rows read, 1 accepted, 3 rejected.\n"
            "row 3: list_size is blank\n"
            "row 4: list_size '1234.5' is not a whole number\n"
            "row 5: list_size '2,000,000' is more than 1,000,000; check the value",
        ),
        (
            "pl_all_negative.csv",
            PL,
            "error",
            (PL_HEADER + "A81002,Church Lane,TS18 2AW,,,-1,U00001\n").encode(),
            "No row could be used (1 row read):\n"
            "row 2: list_size '-1' is negative (it must be 0 or more)",
        ),
        (
            "pl_coordinates_text.csv",
            PL,
            "report",
            _pl('A81002,Church Lane,,"54,5",-1.2,100,U00001', "A81003,Bay,,north,-1.2,100,"),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: latitude '54,5' is not a number (use a full stop for decimals)\n"
            "row 4: latitude 'north' is not a number",
        ),
        (
            "pl_coordinates_outside.csv",
            PL,
            "report",
            _pl(
                "A81002,Null Island,,0,0,100,U00001",
                "A81003,Swapped,,-1.3,54.5,100,U00001",
                "A81004,Half,,54.5,,100,U00001",
            ),
            "Practice list: 4 rows read, 1 accepted, 3 rejected.\n"
            "row 3: latitude 0, longitude 0 is outside England (latitude 49.8 to 56, "
            "longitude -6.6 to 2)\n"
            "row 4: latitude -1.3 and longitude 54.5 look swapped (latitude is north, about "
            "50 to 56 in England)\n"
            "row 5: latitude is given without longitude",
        ),
        (
            "pl_bad_location.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,NOT A POSTCODE,,,100,U00001", "A81003,Bay,,,,100,U00001"),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: postcode 'NOT A POSTCODE' is not a UK postcode\n"
            "row 4: has no postcode and no latitude and longitude",
        ),
        (
            "pl_extra_values.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,TS18 2AW,,,100,U00001,surplus"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: has 8 values but the header has 7 columns",
        ),
        (
            "pl_many_problems_one_row.csv",
            PL,
            "report",
            _pl("x,,XX1,,,-3,U1"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: practice_code 'x' is not a practice code (a letter and 5 digits, e.g. "
            "A81001); practice_name is blank; list_size '-3' is negative (it must be 0 or more); "
            "postcode 'XX1' is not a UK postcode; pcn_code 'U1' is not a PCN code (U and 5 "
            "digits, e.g. U89141)",
        ),
        (
            "bu_negative_pounds.csv",
            BU,
            "error",
            b"place_code,pounds\nX,-100\nY,200\n",
            "current allocation has 1 problem(s):\nrow 2: pounds '-100' is negative; "
            "expected £0 or more",
        ),
        (
            "bu_text_pounds.csv",
            BU,
            "error",
            b"place_code,pounds\nX,ten thousand\nY,NaN\n",
            "current allocation has 2 problem(s):\nrow 2: pounds 'ten thousand' is not a "
            "number\nrow 3: pounds 'NaN' is not a number",
        ),
        (
            "bu_blank_row_inside.csv",
            BU,
            "error",
            b"place_code,pounds\nX,100\n\nY,\n",
            "current allocation has 3 problem(s):\nrow 3: place_code is blank\nrow 3: pounds "
            "is blank\nrow 4: pounds is blank",
        ),
        (
            "bu_short_row.csv",
            BU,
            "error",
            b"place_code,pounds\nX,100\nY\n",
            "1 row could not be read:\nrow 3: has 1 value but the header has 2 columns (the "
            "file may be cut short)",
        ),
        # ------------------------------------------------------------- boundaries: files
        ("gb_empty.geojson", GB, "error", b"", "The file is empty (0 bytes)."),
        (
            "gb_not_json.geojson",
            GB,
            "error",
            b"place_name,geometry\nNorth,POLYGON\n",
            "The file is not valid JSON (Expecting value: line 1, column 1).",
        ),
        (
            "gb_truncated.geojson",
            GB,
            "error",
            _fc(NORTH)[:60],
            "The file is not valid JSON (Unterminated string starting at: line 1, column 53); "
            "the file may be cut short.",
        ),
        (
            "gb_latin1.geojson",
            GB,
            "error",
            json.dumps(
                {"type": "FeatureCollection", "features": [_feature("Café", _square(-1.3, 54.5))]},
                ensure_ascii=False,
            ).encode("latin-1"),
            "The file is not UTF-8 text (byte 0xE9 at position 96, line 1). Save it as UTF-8 "
            "GeoJSON and upload again.",
        ),
        (
            "gb_topojson.json",
            GB,
            "error",
            b'{"type": "Topology", "objects": {}, "arcs": []}',
            "This is TopoJSON, not GeoJSON. Convert it to GeoJSON and upload again.",
        ),
        (
            "gb_json_list.geojson",
            GB,
            "error",
            b"[1, 2, 3]",
            "The file is JSON but not GeoJSON: it is a JSON list rather than an object with a "
            "'type'.",
        ),
        (
            "gb_no_features.geojson",
            GB,
            "error",
            _fc(),
            "The GeoJSON holds no features.",
        ),
        (
            "gb_kml.kml",
            GB,
            "error",
            b"<kml></kml>",
            "'gb_kml.kml' is not a supported boundary file. Upload GeoJSON (.geojson), a "
            "GeoPackage (.gpkg) or a zipped Shapefile (.zip).",
        ),
        (
            "gb_bare.shp",
            GB,
            "error",
            b"\x00\x00\x27\x0a",
            "A shapefile is several files (.shp, .shx, .dbf and .prj). Zip them together and "
            "upload the .zip file.",
        ),
        (
            "gb_no_name.geojson",
            GB,
            "error",
            _fc(_feature(None, _square(-1.3, 54.5), properties={"code": "E1"})),
            "The boundaries have no place_name or name attribute to name each place. "
            "Attributes found: code.",
        ),
        # ------------------------------------------------------------- boundaries: CRS
        (
            "gb_bng_without_crs.geojson",
            GB,
            "error",
            _fc(_feature("Stockton", _square(440000, 518000, 5000))),
            "The coordinates (x 440,000 to 445,000, y 518,000 to 523,000) are not "
            "longitude/latitude degrees, but the file declares no CRS, so GeoJSON's default "
            "(WGS 84 longitude/latitude) applies. Declare the file's CRS (e.g. EPSG:27700 for "
            "British National Grid) or export it in WGS 84.",
        ),
        (
            "gb_mixed_crs.geojson",
            GB,
            "error",
            _fc(NORTH, _feature("South", _square(-1.3, 54.3), crs=BNG_CRS), crs=WGS_CRS),
            "The GeoJSON mixes coordinate reference systems: the file is in WGS 84 (CRS84) but "
            "feature 2 declares EPSG:27700. Use one CRS for the whole file.",
        ),
        (
            "gb_feature_crs_only.geojson",
            GB,
            "error",
            _fc(_feature("Stockton", _square(440000, 518000, 5000), crs=BNG_CRS)),
            "The GeoJSON mixes coordinate reference systems: the file is in WGS 84 (the "
            "GeoJSON default) but feature 1 declares EPSG:27700. Use one CRS for the "
            "whole file.",
        ),
        (
            "gb_crs_mismatch.geojson",
            GB,
            "error",
            _fc(NORTH, crs=BNG_CRS),
            "No feature could be used (1 feature read):\nfeature 1: lies outside England once "
            "converted from EPSG:27700 (longitude -7.56 to -7.56, latitude 49.77 to 49.77); "
            "check that the file's CRS matches its coordinates",
        ),
        # ------------------------------------------------------------- boundaries: geometry
        (
            "gb_points.geojson",
            GB,
            "error",
            _fc(
                _feature("North", {"type": "Point", "coordinates": [-1.3, 54.5]}),
                _feature("South", {"type": "LineString", "coordinates": [[-1.3, 54.3], [-1, 54]]}),
            ),
            "No feature could be used (2 features read):\n"
            "feature 1: is a Point; boundaries must be polygons (Polygon or MultiPolygon)\n"
            "feature 2: is a LineString; boundaries must be polygons (Polygon or MultiPolygon)",
        ),
        (
            "gb_mixed_geometries.geojson",
            GB,
            "report",
            _fc(
                NORTH,
                _feature("Centre", {"type": "MultiPoint", "coordinates": [[-1.3, 54.4]]}),
                _feature("South", None),
                _feature("  ", _square(-1.3, 54.2)),
            ),
            "Proposed boundaries (gb_mixed_geometries.geojson): 4 features read, 1 accepted, "
            "3 rejected.\n"
            "feature 2: is a MultiPoint; boundaries must be polygons (Polygon or MultiPolygon)\n"
            "feature 3: has no geometry\n"
            "feature 4: place_name is blank",
        ),
        (
            "gb_self_intersecting.geojson",
            GB,
            "report",
            _fc(
                NORTH,
                _feature(
                    "Bowtie",
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[-1.3, 54.3], [-1.2, 54.4], [-1.2, 54.3], [-1.3, 54.4], [-1.3, 54.3]]
                        ],
                    },
                ),
            ),
            "Proposed boundaries (gb_self_intersecting.geojson): 2 features read, 2 accepted, "
            "0 rejected, 1 warning.\n"
            "warning: feature 2 (Bowtie) was not a valid polygon (Self-intersection[-1.25 "
            "54.35]) and was repaired",
        ),
        (
            "gb_degenerate.geojson",
            GB,
            "report",
            _fc(
                NORTH,
                _feature(
                    "Flat",
                    {
                        "type": "Polygon",
                        "coordinates": [[[-1.3, 54.3], [-1.2, 54.3], [-1.1, 54.3], [-1.3, 54.3]]],
                    },
                ),
            ),
            "Proposed boundaries (gb_degenerate.geojson): 2 features read, 1 accepted, 1 "
            "rejected.\n"
            "feature 2: is not a valid polygon (Self-intersection[-1.2 54.3]) and could not be "
            "repaired",
        ),
        # ------------------------------------------------------------- boundaries: zip
        (
            "gb_zip_other_files.zip",
            GB,
            "error",
            _zip({"places.csv": b"a,b\n", "readme.txt": b"hello"}),
            "The zip holds no shapefile (.shp). It holds: places.csv, readme.txt.",
        ),
        (
            "gb_zip_extra_files.zip",
            GB,
            "error",
            None,  # built in binary_cases()
            "The zip also holds files that are not part of the shapefile 'places.shp': "
            "notes.docx, inner.zip. Zip only the shapefile's files (.shp, .shx, .dbf, .prj, "
            "and optionally .cpg).",
        ),
        (
            "gb_zip_two_shapefiles.zip",
            GB,
            "error",
            None,
            "The zip holds 2 shapefiles (north.shp, south.shp). Upload one shapefile per zip.",
        ),
        (
            "gb_zip_no_prj.zip",
            GB,
            "error",
            None,
            "The shapefile 'places.shp' has no .prj file, so its coordinate reference system "
            "is unknown. Add the .prj file to the zip.",
        ),
        (
            "gb_zip_no_dbf_shx.zip",
            GB,
            "error",
            None,
            "The shapefile 'places.shp' is missing its .shx and .dbf files. Zip the .shp, "
            ".shx, .dbf and .prj files together.",
        ),
        (
            "gb_zip_bomb_ratio.zip",
            GB,
            "error",
            _zip({"places.shp": bytes(4 * 1024 * 1024)}),
            "'places.shp' in the zip is compressed 1,028 to 1 (more than 200 to 1 is refused "
            "as a possible zip bomb).",
        ),
        (
            "gb_zip_not_a_zip.zip",
            GB,
            "error",
            b"this is plain text, not a zip",
            "This is not a zip file. Upload the shapefile's files zipped together.",
        ),
        (
            "gb_zip_truncated.zip",
            GB,
            "error",
            _zip({"places.csv": b"a,b\n" * 50, "readme.txt": b"hello" * 50})[:120],
            "The zip file is damaged or cut short. Zip the files again.",
        ),
        (
            "gb_gpkg_not_sqlite.gpkg",
            GB,
            "error",
            b'{"type": "FeatureCollection"}',
            "This is not a GeoPackage (it is not an SQLite database).",
        ),
        (
            "gb_gpkg_no_crs.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage layer has no coordinate reference system (CRS). Set its CRS (e.g. "
            "EPSG:27700 for British National Grid) and export it again.",
        ),
        (
            "gb_gpkg_mixed_crs.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage holds 2 layers in different coordinate reference systems: "
            "'national_grid' (EPSG:27700), 'lon_lat' (EPSG:4326). Upload a GeoPackage with one "
            "layer.",
        ),
        # ------------------------------------------------------------- #18: numbers
        (
            "bu_pounds_17_digits.csv",
            BU,
            "error",
            b'place_code,pounds\nX,12345678901234567\nY,"\xc2\xa399,999,999,999,999,999"\n',
            "current allocation has 2 problem(s):\n"
            "row 2: pounds '12345678901234567' is more than £1,000,000,000,000, the largest "
            "amount accepted\n"
            "row 3: pounds '£99,999,999,999,999,999' is more than £1,000,000,000,000, the "
            "largest amount accepted",
        ),
        (
            "bu_pounds_misplaced_commas.csv",
            BU,
            "error",
            b'place_code,pounds\nX,"1,5"\nY,"1,00,000"\n',
            "current allocation has 2 problem(s):\n"
            "row 2: pounds '1,5' is not a number\n"
            "row 3: pounds '1,00,000' is not a number",
        ),
        (
            "bu_pounds_exponent.csv",
            BU,
            "error",
            b"place_code,pounds\nX,1e400\nY,1e5\n",
            "current allocation has 2 problem(s):\n"
            "row 2: pounds '1e400' is not a number\n"
            "row 3: pounds '1e5' is not a number",
        ),
        (
            "pl_list_size_many_digits.csv",
            PL,
            "report",
            _pl("A81002,Church Lane,TS18 2AW,,,1" + "0" * 40 + ",U00001"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: list_size '10000000000000000000000000000000000...' is more than "
            "1,000,000; check the value",
        ),
        (
            "pl_coordinates_overflow.csv",
            PL,
            "report",
            _pl(
                "A81002,Church Lane,,1e400,-1.2,100,U00001",
                "A81003,Bay,,54.5,-" + "9" * 400 + ",100,",
            ),
            "Practice list: 3 rows read, 1 accepted, 2 rejected.\n"
            "row 3: latitude '1e400' is not a number\n"
            "row 4: longitude '-9999999999999999999999999999999999...' is not a number",
        ),
        (
            "gb_huge_integer.geojson",
            GB,
            "error",
            _fc(NORTH).replace(
                b'"place_name": "North"', b'"place_name": "North", "code": ' + HUGE_INTEGER.encode()
            ),
            "The file is not usable GeoJSON: it holds an integer of 4,300 digits; at most 20 "
            "are allowed.",
        ),
        (
            "gb_number_overflow.geojson",
            GB,
            "error",
            _fc(NORTH).replace(b"54.6", b"1e400", 1),
            "The file is not usable GeoJSON: it holds the number 1e400, too large to be a "
            "finite number.",
        ),
        (
            "gb_deep_nesting.geojson",
            GB,
            "error",
            b'{"type": "FeatureCollection", "features": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
            "The file is not usable GeoJSON: it is nested 10,001 levels deep; at most 64 "
            "levels are allowed.",
        ),
        # ------------------------------------------------------------- #18: formulas
        (
            "pg_formula_prefixes.csv",
            PG,
            "report",
            _names_csv("North", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"),
            "Place groupings: 3 rows read, 1 accepted, 2 rejected, 1 warning.\n"
            "row 3: place_name \"-2+3+cmd|' /C calc'!A0\" starts with '-', which "
            "spreadsheets read as a formula\n"
            "row 4: place_name '@SUM(A1)' starts with '@', which spreadsheets read as a "
            "formula\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pl_formula_practice_name.csv",
            PL,
            "report",
            _pl("A81002,+44 Surgery,TS18 2AW,,,100,U00001"),
            "Practice list: 2 rows read, 1 accepted, 1 rejected.\n"
            "row 3: practice_name '+44 Surgery' starts with '+', which spreadsheets read as "
            "a formula",
        ),
        (
            "gb_formula_name.geojson",
            GB,
            "report",
            _fc(NORTH, _feature('=HYPERLINK("http://example.com")', _square(-1.3, 54.3))),
            "Proposed boundaries (gb_formula_name.geojson): 2 features read, 1 accepted, 1 "
            "rejected.\n"
            "feature 2: place_name '=HYPERLINK(\"http://example.com\")' starts with '=', "
            "which spreadsheets read as a formula",
        ),
        # ------------------------------------------------------------- #18: text
        (
            "pg_line_separators.csv",
            PG,
            "report",
            _names_csv("North", "Nor\u2028th", "Nor\u0085th"),
            "Place groupings: 3 rows read, 1 accepted, 2 rejected, 1 warning.\n"
            "row 3: place_name 'Nor\\u2028th' contains an invisible or control character "
            "(U+2028 LINE SEPARATOR at position 4)\n"
            "row 4: place_name 'Nor\\x85th' contains an invisible or control character "
            "(U+0085 NEXT LINE at position 4)\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pg_delete_and_bidi.csv",
            PG,
            "report",
            _names_csv("North", "Nor\u007fth", "Nor\u202eth"),
            "Place groupings: 3 rows read, 1 accepted, 2 rejected, 1 warning.\n"
            "row 3: place_name 'Nor\\x7fth' contains an invisible or control character "
            "(U+007F DELETE at position 4)\n"
            "row 4: place_name 'Nor\\u202eth' contains an invisible or control character "
            "(U+202E RIGHT-TO-LEFT OVERRIDE at position 4)\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pg_invisible_characters.csv",
            PG,
            "report",
            _names_csv("North", "North\u200b", "Nor\ue000th"),
            "Place groupings: 3 rows read, 1 accepted, 2 rejected, 1 warning.\n"
            "row 3: place_name 'North\\u200b' contains an invisible or control character "
            "(U+200B ZERO WIDTH SPACE at position 6)\n"
            "row 4: place_name 'Nor\\ue000th' contains an invisible or control character "
            "(U+E000 private-use character at position 4)\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pg_lookalike_names.csv",
            PG,
            "report",
            _names_csv("Cafe\u0301 Royal", "Caf\u00e9\u00a0 Royal ", "Z").replace(
                b"A81003", b"Z99999"
            ),
            "Place groupings: 3 rows read, 2 accepted, 1 rejected, 1 warning.\n"
            "row 4: practice_code 'Z99999' is not a known practice\n"
            "warning: 1 of the 3 known practices is not in the file: A81003",
        ),
        (
            "gb_bad_names.geojson",
            GB,
            "report",
            _fc(
                NORTH,
                _feature("a\nb\x01c", _square(-1.3, 54.3)),
                _feature("x" * 5_000, _square(-1.3, 54.1)),
                _feature("North\u200b", _square(-1.5, 54.3)),
            ),
            "Proposed boundaries (gb_bad_names.geojson): 4 features read, 1 accepted, 3 "
            "rejected.\n"
            "feature 2: place_name 'a\\nb\\x01c' contains an invisible or control character "
            "(U+000A LINE FEED at position 2)\n"
            "feature 3: place_name is longer than 100 characters (5,000)\n"
            "feature 4: place_name 'North\\u200b' contains an invisible or control character "
            "(U+200B ZERO WIDTH SPACE at position 6)",
        ),
        (
            "gb_crs_garbage.geojson",
            GB,
            "error",
            _fc(NORTH, crs="garbage " * 300),
            "The 'crs' member of the file is 2,402 characters long, which is not a "
            'coordinate reference system (one looks like {"type": "name", "properties": '
            '{"name": "urn:ogc:def:crs:EPSG::27700"}}). Correct it, or remove it for WGS 84 '
            "longitude/latitude.",
        ),
        (
            "gb_crs_not_an_object.geojson",
            GB,
            "error",
            _fc(NORTH, crs="EPSG:27700"),
            "The 'crs' member of the file is not a coordinate reference system (one looks "
            'like {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}). '
            "Correct it, or remove it for WGS 84 longitude/latitude.",
        ),
        (
            "gb_crs_unknown.geojson",
            GB,
            "error",
            _fc(NORTH, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::99999"}}),
            "The 'crs' member of the file names 'urn:ogc:def:crs:EPSG::99999', which is not "
            "a known coordinate reference system. Use e.g. urn:ogc:def:crs:EPSG::27700, or "
            "remove it for WGS 84 longitude/latitude.",
        ),
        # ------------------------------------------------------------- #18: GeoPackage SQL
        (
            "gb_gpkg_recursive_view.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage holds a view "
            "('places'). Only plain tables "
            "are read: save the layer as a "
            "table (e.g. export it again from "
            "QGIS) and upload again.",
        ),
        (
            "gb_gpkg_virtual_table.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage holds a virtual "
            "table ('notes') that is not a "
            "spatial index. Export the layer "
            "to a new GeoPackage and upload it.",
        ),
        (
            "gb_gpkg_trigger.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage holds a trigger "
            "('recount') that is not part of the "
            "GeoPackage standard. Export the layer "
            "to a new GeoPackage and upload it.",
        ),
        (
            "gb_gpkg_generated_column.gpkg",
            GB,
            "error",
            None,
            "The GeoPackage layer 'places' "
            "has computed (generated) "
            "columns: 'padding'. Export the "
            "layer to a new GeoPackage and "
            "upload it.",
        ),
        (
            "gb_gpkg_plain_sqlite.gpkg",
            GB,
            "error",
            None,
            "This is an SQLite database but not a GeoPackage: it has no gpkg_contents table.",
        ),
        # ------------------------------------------------------------- #18: rows counted as read
        (
            "pg_blank_lines_after_data.csv",
            PG,
            "report",
            b"practice_code,place_name\nA81001,North\n" + b"\n" * 20_000,
            "Place groupings: 1 row read, 1 accepted, 0 rejected, 1 warning.\n"
            "warning: 2 of the 3 known practices are not in the file: A81002, A81003",
        ),
        (
            "pg_too_many_blank_rows.csv",
            PG,
            "error",
            b"practice_code,place_name\nA81001,North\n" + b",\n" * 10_001 + b"A81002,South\n",
            "The file has more than 10,000 blank rows (the first 10,000 were read). Delete "
            "the blank rows and upload again.",
        ),
    ]


def binary_cases() -> dict[str, bytes]:
    """Files that need geopandas to build: zipped shapefiles and GeoPackages."""
    parts = _shapefile_parts()
    named = {f"places{ext}": data for ext, data in parts.items()}
    return {
        "gb_zip_extra_files.zip": _zip(
            {**named, "notes.docx": b"PK\x03\x04 not really", "inner.zip": _zip({"a.txt": b"a"})}
        ),
        "gb_zip_two_shapefiles.zip": _zip(
            {
                **{f"north{ext}": d for ext, d in parts.items()},
                **{f"south{ext}": d for ext, d in parts.items()},
            }
        ),
        "gb_zip_no_prj.zip": _zip({k: v for k, v in named.items() if not k.endswith(".prj")}),
        "gb_zip_no_dbf_shx.zip": _zip(
            {k: v for k, v in named.items() if k.endswith((".shp", ".prj"))}
        ),
        "gb_gpkg_no_crs.gpkg": _gpkg([("places", None)]),
        "gb_gpkg_mixed_crs.gpkg": _gpkg([("national_grid", 27700), ("lon_lat", 4326)]),
        "gb_gpkg_recursive_view.gpkg": _gpkg_with(RECURSIVE_VIEW_SQL),
        "gb_gpkg_virtual_table.gpkg": _gpkg_with("CREATE VIRTUAL TABLE notes USING fts4(body);"),
        "gb_gpkg_trigger.gpkg": _gpkg_with(
            "CREATE TRIGGER recount AFTER UPDATE ON places BEGIN SELECT 1; END;"
        ),
        "gb_gpkg_generated_column.gpkg": _gpkg_with(
            "ALTER TABLE places ADD COLUMN padding TEXT "
            "GENERATED ALWAYS AS (printf('%.*c', 100000000, 'x')) VIRTUAL;"
        ),
        "gb_gpkg_plain_sqlite.gpkg": _sqlite_only(),
    }


def write(folder: Path = HERE) -> list[dict[str, str]]:
    """Write every case file and expected.json into ``folder``; return the expected rows."""
    folder.mkdir(parents=True, exist_ok=True)
    built = binary_cases()
    rows = []
    for name, validator, outcome, content, message in cases():
        data = built[name] if content is None else content
        (folder / name).write_bytes(data)
        rows.append({"file": name, "validator": validator, "outcome": outcome, "message": message})
    expected = {
        "context": {
            "known_practice_codes": KNOWN_PRACTICES,
            "known_pcn_codes": KNOWN_PCNS,
            "budget_practices": "layers.allocation.example_practices()",
            "row_numbers": "spreadsheet rows: the header is row 1",
        },
        "cases": rows,
    }
    (folder / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    return rows


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    print(f"wrote {len(write(target))} cases to {target}")
