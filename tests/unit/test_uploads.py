"""layers.uploads: hand-made files with known answers, the session container, real data."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from layers import read_table, uploads
from layers.allocation import example_practices, validate_current_allocation
from layers.uploads import (
    KINDS,
    MAX_UPLOAD_BYTES,
    SCHEMAS,
    SessionData,
    UploadError,
    UploadReport,
)
from tests.conftest import REPO_ROOT
from tests.unit.upload_inputs import KNOWN, PCNS

STOCKTON_BNG = box(440000, 518000, 445000, 522000)  # 5 km x 4 km = 20 km²
#: The practice list's columns, in the schema's order.
PRACTICE_LIST_COLUMNS = [
    "practice_code",
    "practice_name",
    "postcode",
    "latitude",
    "longitude",
    "list_size",
    "pcn_code",
]


# ----------------------------------------------------------------------- CSV: encoding


def test_excel_csv_utf8_with_bom_crlf_quotes_and_trailing_empty_columns():
    raw = (
        '\ufeff"Practice Code","Place Name",,\r\n'
        '"a81001 "," North ",,\r\n'
        "A81002,Bishop’s Court,,\r\n"
        ",,,\r\n"
    ).encode()
    report = uploads.validate_place_groupings(raw, KNOWN)
    assert report.accepted.reset_index().to_dict("records") == [
        {"row": 2, "practice_code": "A81001", "place_name": "North"},
        {"row": 3, "practice_code": "A81002", "place_name": "Bishop’s Court"},
    ]
    assert report.n_read == 2
    assert report.warnings == ("1 of the 3 known practices is not in the file: A81003",)


@pytest.mark.parametrize(
    ("raw", "problems", "accepted_rows"),
    [
        pytest.param(
            # Row 2 spans two lines (a quoted line break), row 3 is blank, row 4 is unknown.
            b'practice_code,place_name\nA81001,"North\nEast"\n\nZ99999,South\nA81002,South\n',
            [
                (
                    2,
                    "place_name 'North\\nEast' contains an invisible or control character "
                    "(U+000A LINE FEED at position 6)",
                ),
                (4, "practice_code 'Z99999' is not a known practice"),
            ],
            [5],
            id="row numbers are spreadsheet rows not lines",
        ),
        pytest.param(
            b"practice_code,place_name\nA81001,North\nZ99999,@SUM(A1)\n",
            [
                (
                    3,
                    "practice_code 'Z99999' is not a known practice; place_name '@SUM(A1)' "
                    "starts with '@', which spreadsheets read as a formula",
                )
            ],
            [2],
            id="every problem of a row is listed together",
        ),
    ],
)
def test_problems_are_listed_by_spreadsheet_row(raw, problems, accepted_rows):
    report = uploads.validate_place_groupings(raw, KNOWN)
    assert report.problems == problems
    assert report.accepted.index.tolist() == accepted_rows


def test_ignored_columns_are_warned_about():
    raw = b"practice_code,place_name,Notes\nA81001,North,hello\n"
    report = uploads.validate_place_groupings(raw, ["A81001"])
    assert report.warnings == ("column 'notes' is not used and was ignored",)
    assert list(report.accepted.columns) == ["practice_code", "place_name"]


def test_size_cap_is_the_streamlit_upload_limit():
    assert MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    config = (REPO_ROOT / "streamlit_config.toml").read_text()
    assert "maxUploadSize = 50 " in config
    raw = b"practice_code,place_name\n" + b"A81001,North\n" * (MAX_UPLOAD_BYTES // 13 + 1)
    with pytest.raises(UploadError) as info:
        uploads.validate_place_groupings(raw, KNOWN)
    assert str(info.value) == (
        f"The file is 50.0 MB ({len(raw):,} bytes), more than the 50.0 MB (52,428,800 bytes) "
        "allowed. Upload a smaller file."
    )


def test_programming_errors_are_not_upload_errors():
    with pytest.raises(TypeError, match="raw_bytes must be bytes"):
        uploads.validate_place_groupings("practice_code,place_name\n", KNOWN)
    with pytest.raises(TypeError, match="known_practice_codes must be a collection"):
        uploads.validate_place_groupings(b"x", "A81001")
    with pytest.raises(TypeError, match="known_pcn_codes must hold strings"):
        uploads.validate_practice_list(b"x", [1, 2])
    bad = example_practices().drop(columns="place_code")
    with pytest.raises(ValueError) as info:
        uploads.validate_budgets(b"place_code,pounds\nX,1\n", bad)
    assert not isinstance(info.value, UploadError)


def test_bytearray_and_memoryview_are_accepted():
    raw = b"practice_code,place_name\nA81001,North\n"
    for value in (bytearray(raw), memoryview(raw)):
        assert uploads.validate_place_groupings(value, KNOWN).n_accepted == 1


# ---------------------------------------------------------------------- practice list


def test_practice_list_values_are_cleaned_and_typed():
    raw = (
        b"practice_code,practice_name,postcode,latitude,longitude,list_size,pcn_code\n"
        b'a81001,Densham Surgery,ts181hu,,,"12,345",u00001\n'
        b"A81002,Church Lane,,54.5616,-1.319,100.0,\n"
        b"A81003,Bay,TS18   2AT,54.5,-1.3,0,U00002\n"
    )
    report = uploads.validate_practice_list(raw, PCNS)
    assert report.n_rejected == 0
    frame = report.accepted
    assert frame.index.tolist() == [2, 3, 4]
    assert frame["practice_code"].tolist() == ["A81001", "A81002", "A81003"]
    assert frame["postcode"].tolist() == ["TS18 1HU", None, "TS18 2AT"]
    assert frame["list_size"].tolist() == [12345, 100, 0]
    assert frame["list_size"].dtype == np.int64
    assert frame["pcn_code"].tolist() == ["U00001", None, "U00002"]
    assert np.isnan(frame.loc[2, "latitude"])
    assert frame.loc[3, ["latitude", "longitude"]].tolist() == [54.5616, -1.319]


def test_practice_list_with_coordinates_only():
    raw = b"practice_code,practice_name,latitude,longitude,list_size,pcn_code\n"
    raw += b"A81001,Densham,54.56,-1.32,10,U00001\nA81002,Far,60.0,-1.32,10,U00001\n"
    report = uploads.validate_practice_list(raw, PCNS)
    assert report.problems == [
        (
            3,
            "latitude 60, longitude -1.32 is outside England (latitude 49.8 to 56, "
            "longitude -6.6 to 2)",
        )
    ]


# ---------------------------------------------------------------------------- budgets


def test_budgets_at_pcn_level_with_a_practice_in_no_pcn():
    practices = example_practices()
    practices.loc[2, "pcn_code"] = None  # practice C is in no PCN: listed by its own code
    raw = 'pcn_code,pounds,pcn_name\nP1,"£1,000.006",North\nC,0,\n'.encode()
    report = uploads.validate_budgets(raw, practices, filename="budgets.csv")
    assert report.accepted.to_dict("list") == {
        "level": ["pcn", "pcn"],
        "unit_code": ["C", "P1"],
        "pence": [0, 100001],
    }
    assert (
        report.summary == "Budgets (budgets.csv): 2 rows read, 2 accepted, 0 rejected, 1 warning."
    )
    assert report.warnings == ("column 'pcn_name' is not used and was ignored",)


@pytest.mark.parametrize(
    "text",
    [
        "place_code,pounds\nX,100\nZ,-3\n",
        "practice_code,pounds\nA,1\nB,1\nB,2\n",
        "pcn_code,pounds\nP1,abc\n",
        "place_code,amount\nX,1\n",
    ],
)
def test_budget_messages_are_the_allocation_messages(text):
    with pytest.raises(ValueError) as direct:
        validate_current_allocation(pd.read_csv(io.StringIO(text), dtype=str), example_practices())
    with pytest.raises(UploadError) as wrapped:
        uploads.validate_budgets(text.encode(), example_practices())
    assert str(wrapped.value) == str(direct.value)


def test_budget_errors_carry_their_row_problems():
    with pytest.raises(UploadError) as info:
        uploads.validate_budgets(b"place_code,pounds\nX,ten\nY,-1\n", example_practices())
    assert info.value.problems == (
        (2, "pounds 'ten' is not a number"),
        (3, "pounds '-1' is negative; expected £0 or more"),
    )


# ---------------------------------------------------------------------------- schemas


def test_every_kind_has_a_documented_schema():
    assert KINDS == ("place_groupings", "practice_list", "budgets", "boundaries")
    for kind in KINDS:
        table = uploads.describe_schema(kind)
        assert list(table.columns) == ["column", "required", "type", "rules", "example"]
        assert table["rules"].str.len().min() > 10
        assert SCHEMAS[kind].notes
    assert uploads.describe_schema("practice_list")["column"].tolist() == PRACTICE_LIST_COLUMNS
    with pytest.raises(ValueError, match="unknown upload kind"):
        uploads.describe_schema("budget")
    with pytest.raises(ValueError, match="not a CSV upload"):
        uploads.template_csv("boundaries")


def test_templates_pass_their_own_validators():
    places = uploads.validate_place_groupings(uploads.template_csv("place_groupings"), ["A81001"])
    assert places.n_rejected == 0
    practices = uploads.validate_practice_list(uploads.template_csv("practice_list"), ["U89141"])
    assert practices.accepted["list_size"].tolist() == [4061]
    one_place = example_practices().assign(place_code="X")
    budgets = uploads.validate_budgets(uploads.template_csv("budgets"), one_place)
    assert budgets.accepted["pence"].tolist() == [125_000_000]


# ----------------------------------------------------------------------------- report


def test_report_summary_and_message():
    report = UploadReport(
        "boundaries",
        accepted=pd.DataFrame({"place_name": ["A", "B"]}),
        rejected=pd.DataFrame({"row": [3], "reason": ["has no geometry"]}),
        warnings=("feature 1 (A) was repaired", "x"),
        n_read=3,
    )
    assert report.summary == (
        "Proposed boundaries: 3 features read, 2 accepted, 1 rejected, 2 warnings."
    )
    assert report.message.splitlines()[1:] == [
        "feature 3: has no geometry",
        "warning: feature 1 (A) was repaired",
        "warning: x",
    ]
    with pytest.raises(TypeError, match="rejected must be"):
        UploadReport("budgets", pd.DataFrame(), pd.DataFrame({"line": []}))
    with pytest.raises(ValueError, match="unknown upload kind"):
        UploadReport("budget", pd.DataFrame())


def test_long_problem_lists_are_capped_in_messages():
    rows = "".join(f"Z{n:05d},North\n" for n in range(30))
    with pytest.raises(UploadError) as info:
        uploads.validate_place_groupings(("practice_code,place_name\n" + rows).encode(), KNOWN)
    lines = str(info.value).splitlines()
    assert lines[0] == "No row could be used (30 rows read):"
    assert lines[-1] == "... and 10 more"
    assert len(lines) == 22
    assert len(info.value.problems) == 30


# ---------------------------------------------------------------------------- session


def test_session_apply_returns_a_new_object_and_keeps_the_old_one():
    first = uploads.validate_place_groupings(b"practice_code,place_name\nA81001,North\n", KNOWN)
    second = uploads.validate_place_groupings(b"practice_code,place_name\nA81001,South\n", KNOWN)
    empty = SessionData()
    one = empty.apply(first)
    two = one.apply(second)
    assert empty.kinds == () and empty.history == ()
    assert one.get("place_groupings")["place_name"].tolist() == ["North"]
    assert two.get("place_groupings")["place_name"].tolist() == ["South"]
    assert two.history == (first.summary, second.summary)
    assert one.fingerprint() != two.fingerprint()
    assert SessionData().apply(first).fingerprint() == one.fingerprint()
    cleared = two.clear("place_groupings")
    assert cleared.kinds == () and two.kinds == ("place_groupings",)
    assert cleared.fingerprint() == empty.fingerprint()


def test_session_is_immutable_and_hands_out_copies():
    frame = pd.DataFrame({"practice_code": ["A81001"], "place_name": ["North"]})
    session = SessionData({"place_groupings": frame})
    frame.loc[0, "place_name"] = "changed after"
    got = session.get("place_groupings")
    got.loc[0, "place_name"] = "changed copy"
    assert session.get("place_groupings")["place_name"].tolist() == ["North"]
    with pytest.raises(AttributeError, match="immutable"):
        session._data = {}
    with pytest.raises(TypeError):
        session._data["budgets"] = frame
    with pytest.raises(TypeError, match="must be an UploadReport"):
        session.apply("report")
    with pytest.raises(ValueError, match="unknown upload kind"):
        SessionData({"budget": frame})
    with pytest.raises(ValueError, match="nothing to apply"):
        session.apply(UploadReport("budgets", pd.DataFrame({"pence": []})))


def test_failed_upload_leaves_session_unchanged():
    session = SessionData().apply(
        uploads.validate_place_groupings(b"practice_code,place_name\nA81001,North\n", KNOWN)
    )
    before = session.fingerprint()
    for raw in (b"", b"practice_code\nA81001\n", b"\xff\xfe", b"practice_code,place_name\nZ1,X\n"):
        try:
            session = session.apply(uploads.validate_place_groupings(raw, KNOWN))
        except UploadError:
            pass
    assert session.fingerprint() == before
    assert session.get("place_groupings")["place_name"].tolist() == ["North"]


# ------------------------------------------------------------------------- boundaries


def geojson(features, crs=None) -> bytes:
    fc = {"type": "FeatureCollection", "features": features}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(fc).encode()


def feature(name, geometry, key="place_name"):
    return {
        "type": "Feature",
        "properties": {key: name},
        "geometry": shapely.geometry.mapping(geometry),
    }


def shapefile_zip(frame: gpd.GeoDataFrame, prefix: str = "", upper: bool = False) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.to_file(Path(tmp) / "wards.shp", engine="pyogrio")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(Path(tmp).iterdir()):
                name = path.name.upper() if upper else path.name
                archive.writestr(prefix + name, path.read_bytes())
            archive.writestr("__MACOSX/._wards.shp", b"junk")
            archive.writestr(prefix + ".DS_Store", b"junk")
        return buffer.getvalue()


def check_stockton(report: UploadReport) -> None:
    frame = report.accepted
    assert frame.crs.to_epsg() == 4326
    assert frame.index.name == "feature"
    assert frame["place_name"].tolist() == ["Stockton"]
    assert frame["area_km2"].iloc[0] == pytest.approx(20.0, rel=1e-6)
    x0, y0, x1, y1 = frame.total_bounds
    # Stockton-on-Tees is at about 54.57 N, 1.32 W.
    assert -1.45 < x0 < x1 < -1.2 and 54.5 < y0 < y1 < 54.7


def test_geojson_in_british_national_grid_is_reprojected():
    raw = geojson([feature("Stockton", STOCKTON_BNG)], "urn:ogc:def:crs:EPSG::27700")
    report = uploads.validate_boundaries(raw, "proposed.geojson")
    check_stockton(report)
    assert report.summary == (
        "Proposed boundaries (proposed.geojson): 1 feature read, 1 accepted, 0 rejected."
    )


@pytest.mark.parametrize("prefix,upper", [("", False), ("export/", True)])
def test_zipped_shapefile_is_read_ignoring_mac_junk_and_folders(prefix, upper):
    frame = gpd.GeoDataFrame({"NAME": ["Stockton"]}, geometry=[STOCKTON_BNG], crs=27700)
    check_stockton(uploads.validate_boundaries(shapefile_zip(frame, prefix, upper), "wards.ZIP"))


def test_geopackage_with_one_layer(tmp_path):
    frame = gpd.GeoDataFrame({"Place_Name": ["Stockton"]}, geometry=[STOCKTON_BNG], crs=27700)
    frame.to_file(tmp_path / "p.gpkg", layer="places", engine="pyogrio")
    check_stockton(uploads.validate_boundaries((tmp_path / "p.gpkg").read_bytes(), "p.gpkg"))


def test_self_intersecting_polygon_is_repaired_with_its_area():
    bowtie = shapely.Polygon([(-1.3, 54.3), (-1.2, 54.4), (-1.2, 54.3), (-1.3, 54.4)])
    square = box(-1.3, 54.3, -1.2, 54.4)
    report = uploads.validate_boundaries(geojson([feature("Bowtie", bowtie)]), "b.geojson")
    geom = report.accepted.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(square.area / 2)
    assert report.warnings == (
        "feature 1 (Bowtie) was not a valid polygon (Self-intersection[-1.25 54.35]) and "
        "was repaired",
    )


def test_features_sharing_a_name_are_merged():
    west, east = box(-1.3, 54.3, -1.2, 54.4), box(-1.2, 54.3, -1.1, 54.4)
    raw = geojson(
        [
            feature("North", west, "NAME"),
            feature("South", box(-1, 54, -0.9, 54.1), "NAME"),
            feature("North", east, "NAME"),
        ]
    )
    report = uploads.validate_boundaries(raw, "m.json")
    assert report.accepted["place_name"].tolist() == ["North", "South"]
    assert report.accepted.index.tolist() == [1, 2]
    assert report.accepted.geometry.iloc[0].area == pytest.approx(west.area + east.area)
    assert report.warnings == (
        "features 1 and 3 share the name 'North' and were merged into one boundary",
    )
    assert report.summary.endswith("3 features read, 2 accepted, 0 rejected, 1 warning.")


def test_z_coordinates_are_dropped_and_collections_rejected():
    z_square = shapely.Polygon([(-1.3, 54.3, 5), (-1.2, 54.3, 5), (-1.2, 54.4, 5), (-1.3, 54.3, 5)])
    collection = shapely.GeometryCollection([box(-1.3, 54.3, -1.2, 54.4)])
    report = uploads.validate_boundaries(
        geojson([feature("Hill", z_square), feature("Bag", collection)]), "z.geojson"
    )
    assert not report.accepted.geometry.iloc[0].has_z
    assert report.problems == [
        (2, "is a GeometryCollection; boundaries must be polygons (Polygon or MultiPolygon)")
    ]


def test_encrypted_and_crowded_zips_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("places.shp", b"x")
    raw = bytearray(buffer.getvalue())
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # the "encrypted" flag bit in the central directory
    with pytest.raises(UploadError, match=r"^The zip is password-protected"):
        uploads.validate_boundaries(bytes(raw), "p.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(51):
            archive.writestr(f"f{n}.txt", b"x")
    with pytest.raises(UploadError, match=r"^The zip holds 51 files, more than the 50 allowed"):
        uploads.validate_boundaries(buffer.getvalue(), "p.zip")


def test_boundary_programming_errors():
    with pytest.raises(TypeError, match="filename must be a str"):
        uploads.validate_boundaries(b"{}", None)
    with pytest.raises(TypeError, match="raw_bytes must be bytes"):
        uploads.validate_boundaries("{}", "a.geojson")
    with pytest.raises(ValueError, match="max_uncompressed_bytes"):
        uploads.validate_boundaries(b"{}", "a.zip", 0)


# -------------------------------------------------------------------------- real data


def test_real_practice_list_of_england_round_trips():
    """All 6,484 practices, as pandas writes them (longitudes like 7.5e-05 included)."""
    ics = read_table("practices", vintage="2022")
    known_pcns = read_table("pcns", vintage="2022")["pcn_code"].tolist()
    upload = ics.rename(columns={"registered_patients": "list_size"})[PRACTICE_LIST_COLUMNS]
    raw = upload.to_csv(index=False).encode("utf-8-sig")
    report = uploads.validate_practice_list(raw, known_pcns, filename="england.csv")
    assert report.n_rejected == 0, report.message
    assert report.n_accepted == len(ics) > 6000
    assert report.accepted["list_size"].sum() == ics["registered_patients"].sum()
    assert report.accepted["practice_code"].tolist() == ics["practice_code"].tolist()
    assert report.accepted["postcode"].tolist() == ics["postcode"].tolist()
    np.testing.assert_allclose(report.accepted["longitude"], ics["longitude"], atol=1e-9)
    assert (
        report.accepted["pcn_code"].isna().to_numpy() == ics["pcn_code"].isna().to_numpy()
    ).all()


def test_real_groupings_by_sub_icb():
    practices = read_table("practices", vintage="2022")
    ics = practices[practices["icb_code"] == "QHM"].reset_index(drop=True)
    groups = ics[["practice_code", "sicbl_code"]].rename(columns={"sicbl_code": "place_name"})
    grouped = uploads.validate_place_groupings(
        groups.to_csv(index=False).encode(), ics["practice_code"].tolist()
    )
    assert grouped.n_rejected == 0 and grouped.warnings == ()
    assert grouped.accepted["place_name"].value_counts().to_dict() == (
        ics["sicbl_code"].value_counts().to_dict()
    )


def test_real_icb_boundary_as_national_grid_shapefile():
    icbs = read_table("icb_geometry_light", vintage="2022")
    qhm = icbs[icbs["icb_code"] == "QHM"][["icb_name", "geometry"]].rename(
        columns={"icb_name": "name"}
    )
    bng = qhm.to_crs(27700)
    report = uploads.validate_boundaries(shapefile_zip(bng), "qhm.zip")
    assert report.n_rejected == 0
    assert report.accepted["area_km2"].iloc[0] == pytest.approx(bng.area.iloc[0] / 1e6, rel=1e-3)
    back = report.accepted.geometry.iloc[0]
    original = qhm.geometry.iloc[0]
    assert back.symmetric_difference(original).area < 1e-4 * original.area


def test_row_cap_and_non_finite_coordinates():
    from layers.uploads.csv_uploads import MAX_ROWS

    raw = b"practice_code,place_name\n" + b"A81001,North\n" * (MAX_ROWS + 1)
    with pytest.raises(UploadError) as info:
        uploads.validate_place_groupings(raw, KNOWN)
    assert str(info.value) == (
        "The file has more than 100,000 data rows (reading stopped at row 100,002). Upload "
        "one ICS's data at a time."
    )
    raw = b"practice_code,practice_name,latitude,longitude,list_size,pcn_code\n"
    raw += b"A81001,Densham,54.56,7.5E-05,10,\nA81002,Far,1e999,-1.3,10,\n"
    report = uploads.validate_practice_list(raw, PCNS)
    assert report.accepted["longitude"].tolist() == [7.5e-05]
    assert report.problems == [(3, "latitude '1e999' is not a number")]


def test_session_report_and_error_survive_pickling_and_deepcopy():
    import copy
    import pickle

    report = uploads.validate_place_groupings(b"practice_code,place_name\nA81001,North\n", KNOWN)
    session = SessionData().apply(report)
    for clone in (pickle.loads(pickle.dumps(session)), copy.deepcopy(session)):
        assert clone.fingerprint() == session.fingerprint()
        assert clone.history == session.history
    assert pickle.loads(pickle.dumps(report)).message == report.message
    err = UploadError("bad", [(2, "x")])
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == "bad" and again.problems == ((2, "x"),)
