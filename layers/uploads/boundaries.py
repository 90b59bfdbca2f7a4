"""Validate proposed boundaries: GeoJSON, GeoPackage or a zipped Shapefile, any CRS.

:func:`validate_boundaries` reads the file with pyogrio, converts it to WGS 84
(EPSG:4326), repairs invalid polygons (``shapely.make_valid``, reported per feature),
rejects features that are not polygons, have no geometry or no name, or lie outside
England, and merges features that share a name.

CRS rules
---------
* GeoJSON with no ``crs`` member is WGS 84 longitude/latitude, as RFC 7946 defines it.
  If its coordinates are not degrees (e.g. British National Grid metres) the file is
  refused with a message saying so. A ``crs`` member on a feature or geometry that
  differs from the file's is refused (mixed CRS): GDAL would silently ignore it.
* A GeoPackage layer or a Shapefile with no CRS (no ``.prj``) is refused.
* A GeoPackage must hold one layer with geometry; several layers are refused, naming
  each with its CRS.

Limits
------
The file is read in a child process bounded in time and memory
(:mod:`layers.uploads.sandbox`). A GeoPackage is first checked with SQLite, opened
read-only (:func:`check_gpkg_schema`): GDAL reads it only if every object in it is a
plain table (no views, no virtual tables but an R-tree spatial index, no non-standard
triggers, no generated columns). GeoJSON is parsed strictly (:mod:`layers.strict_json`),
and a ``crs`` member must be a small, valid CRS object. Place names follow
:mod:`layers.names`.

Zip files
---------
Before anything is extracted, the zip's directory is checked: the declared
uncompressed sizes must add up to at most ``max_uncompressed_bytes``, no member over
1 MB may be compressed more than :data:`MAX_COMPRESSION_RATIO` to 1 (a zip bomb), and
there may be at most :data:`MAX_ZIP_MEMBERS` members. Then the zip must hold exactly
one shapefile (``.shp`` with its ``.shx``, ``.dbf`` and ``.prj``; ``.cpg``, ``.sbn``,
``.sbx``, ``.qix`` and ``.shp.xml`` are allowed) and nothing else; folders,
``__MACOSX/`` and ``.DS_Store`` entries are ignored. Members are read with their
declared size as a hard limit.

Examples
--------
>>> import json
>>> from layers.uploads.boundaries import validate_boundaries
>>> square = [[[-1.3, 54.5], [-1.2, 54.5], [-1.2, 54.6], [-1.3, 54.6], [-1.3, 54.5]]]
>>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
...       "properties": {"name": "North"},
...       "geometry": {"type": "Polygon", "coordinates": square}}]}
>>> report = validate_boundaries(json.dumps(fc).encode(), "north.geojson")
>>> report.summary
'Proposed boundaries (north.geojson): 1 feature read, 1 accepted, 0 rejected.'
>>> report.accepted.crs.to_epsg(), report.accepted["place_name"].tolist()
(4326, ['North'])
"""

from __future__ import annotations

import io
import json
import lzma
import re
import sqlite3
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers import strict_json
from layers.format import excerpt, plural
from layers.names import name_problem, normalise_name
from layers.uploads.csv_uploads import ENGLAND_BOUNDS
from layers.uploads.errors import UploadError
from layers.uploads.report import UploadReport, format_problems
from layers.uploads.sandbox import run_bounded
from layers.uploads.text import MAX_UPLOAD_BYTES, as_bytes, check_size, decode_text, describe_size

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_CRS_MEMBER_CHARS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "NAME_FIELDS",
    "check_gpkg_schema",
    "check_zip",
    "validate_boundaries",
]

#: Largest total uncompressed size of a zip's members.
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
#: Largest compression ratio of a zip member over :data:`_RATIO_FLOOR` bytes.
MAX_COMPRESSION_RATIO: Final = 200
#: Most members a zip may hold.
MAX_ZIP_MEMBERS: Final = 50
#: Attribute names (matched ignoring case) that hold the place name, in order of choice.
NAME_FIELDS: Final = ("place_name", "name")
#: Longest GeoJSON ``crs`` member read, in characters of JSON (a real one is under 100).
MAX_CRS_MEMBER_CHARS: Final = 1000

# Triggers a GeoPackage may hold: those GDAL and the GeoPackage standard create (R-tree
# index upkeep, feature counts, gpkg_* checks). The file is opened read-only, so no
# trigger can fire; any other trigger is refused all the same, as not a plain layer.
_STANDARD_TRIGGER: Final = re.compile(
    r"^(rtree_.+_(insert|update\d*|delete)|trigger_(insert|delete)_feature_count_.+|gpkg_.+)$",
    re.IGNORECASE,
)
# The GeoPackage tables GDAL reads besides the layer: each must be a plain table.
_GPKG_REQUIRED: Final = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")

_RATIO_FLOOR: Final = 1024 * 1024
_SHAPEFILE_REQUIRED: Final = (".shx", ".dbf", ".prj")
_SHAPEFILE_OPTIONAL: Final = (".cpg", ".sbn", ".sbx", ".qix", ".shp.xml")
_GEOJSON_TYPES: Final = {
    "FeatureCollection",
    "Feature",
    "Polygon",
    "MultiPolygon",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
}
_POLYGONAL: Final = {"Polygon", "MultiPolygon"}


# ------------------------------------------------------------------------------- zip


def _ignored_member(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename)
    return info.is_dir() or "__MACOSX" in path.parts or path.name == ".DS_Store"


def _extension(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".shp.xml"):
        return ".shp.xml"
    return PurePosixPath(lower).suffix


def _stem(name: str) -> str:
    base = PurePosixPath(name).name
    return base[: len(base) - len(_extension(base))]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_zip(
    raw: bytes,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
) -> dict[str, zipfile.ZipInfo]:
    """Check a zipped shapefile's directory without extracting anything.

    Parameters
    ----------
    raw : bytes
        The zip file.
    max_uncompressed_bytes : int
        Largest total declared uncompressed size.
    max_ratio : float
        Largest compression ratio of any member over 1 MB.

    Returns
    -------
    dict of str to ZipInfo
        The shapefile's members by extension (``".shp"``, ``".dbf"``, ...).

    Raises
    ------
    UploadError
        If the bytes are not a readable zip, a member is encrypted, there are too many
        members, the expanded size or a compression ratio is too large, or the zip does
        not hold exactly one complete shapefile and nothing else.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as zf:
    ...     zf.writestr("notes.txt", "hello")
    >>> check_zip(buffer.getvalue())
    Traceback (most recent call last):
    ...
    layers.uploads.errors.UploadError: The zip holds no shapefile (.shp). It holds: notes.txt.
    """
    if not raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise UploadError("This is not a zip file. Upload the shapefile's files zipped together.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise UploadError("The zip file is damaged or cut short. Zip the files again.") from None
    members = [i for i in infos if not _ignored_member(i)]
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadError(
            f"The zip holds {len(members):,} files, more than the {MAX_ZIP_MEMBERS} allowed. "
            "Zip only the shapefile's files."
        )
    if any(i.flag_bits & 0x1 for i in members):
        raise UploadError("The zip is password-protected. Zip the files without a password.")
    total = sum(i.file_size for i in members)
    if total > max_uncompressed_bytes:
        raise UploadError(
            f"The zip would expand to {describe_size(total)}, more than the "
            f"{describe_size(max_uncompressed_bytes)} allowed. Upload a smaller file "
            "(simplify the boundaries, or drop unneeded attributes)."
        )
    for info in members:
        if info.file_size > _RATIO_FLOOR and (
            info.compress_size == 0 or info.file_size / info.compress_size > max_ratio
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise UploadError(
                f"{PurePosixPath(info.filename).name!r} in the zip is compressed {ratio:,.0f} "
                f"to 1 (more than {max_ratio:,.0f} to 1 is refused as a possible zip bomb)."
            )
    names = [PurePosixPath(i.filename).name for i in members]
    shps = [i for i in members if _extension(i.filename) == ".shp"]
    if not shps:
        listing = ", ".join(names) if names else "nothing"
        raise UploadError(f"The zip holds no shapefile (.shp). It holds: {listing}.")
    if len(shps) > 1:
        listing = ", ".join(PurePosixPath(i.filename).name for i in shps)
        raise UploadError(
            f"The zip holds {len(shps)} shapefiles ({listing}). Upload one shapefile per zip."
        )
    stem = _stem(shps[0].filename).lower()
    parts: dict[str, zipfile.ZipInfo] = {}
    others: list[str] = []
    for info in members:
        ext = _extension(info.filename)
        name = PurePosixPath(info.filename).name
        if _stem(info.filename).lower() == stem and ext in (
            ".shp",
            *_SHAPEFILE_REQUIRED,
            *_SHAPEFILE_OPTIONAL,
        ):
            if ext in parts:
                others.append(name)
            else:
                parts[ext] = info
        else:
            others.append(name)
    shp_name = PurePosixPath(shps[0].filename).name
    if others:
        raise UploadError(
            f"The zip also holds files that are not part of the shapefile {shp_name!r}: "
            f"{', '.join(others)}. Zip only the shapefile's files (.shp, .shx, .dbf, .prj, "
            "and optionally .cpg)."
        )
    missing = [ext for ext in _SHAPEFILE_REQUIRED if ext not in parts]
    if missing == [".prj"]:
        raise UploadError(
            f"The shapefile {shp_name!r} has no .prj file, so its coordinate reference system "
            "is unknown. Add the .prj file to the zip."
        )
    if missing:
        raise UploadError(
            f"The shapefile {shp_name!r} is missing its {_join(missing)} file"
            f"{'s' if len(missing) > 1 else ''}. Zip the .shp, .shx, .dbf and .prj files "
            "together."
        )
    return parts


def _extract(raw: bytes, parts: dict[str, zipfile.ZipInfo], folder: Path) -> Path:
    """Write the checked members as ``layer.<ext>``; each read is capped at its size."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for ext, info in parts.items():
                with archive.open(info) as src:
                    data = src.read(info.file_size + 1)
                if len(data) != info.file_size:
                    raise zipfile.BadZipFile("size mismatch")
                (folder / f"layer{ext}").write_bytes(data)
    # Damaged deflate/LZMA streams raise their codec's own error types, not BadZipFile.
    except (
        zipfile.BadZipFile,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
        zlib.error,
        lzma.LZMAError,
    ) as exc:
        raise UploadError(
            f"The zip file is damaged and could not be extracted ({type(exc).__name__}). "
            "Zip the files again."
        ) from None
    return folder / "layer.shp"


# --------------------------------------------------------------------------- readers


def _crs_label(crs: object) -> str:
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:
        return str(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.name


_CRS_EXAMPLE: Final = '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}'


def _member_crs(member: object, where: str) -> CRS | None:
    """The CRS a GeoJSON ``crs`` member declares (named or EPSG-typed), None when absent.

    Raises
    ------
    UploadError
        If the member is present but is not a small, valid CRS object: GDAL would
        silently read such a file as WGS 84.
    """
    if member is None:
        return None
    size = len(json.dumps(member))
    if size > MAX_CRS_MEMBER_CHARS:
        raise UploadError(
            f"The 'crs' member of {where} is {size:,} characters long, which is not a "
            f"coordinate reference system (one looks like {_CRS_EXAMPLE}). Correct it, or "
            "remove it for WGS 84 longitude/latitude."
        )
    user_input = None
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        props = member["properties"]
        if member.get("type") == "name" and isinstance(props.get("name"), str):
            user_input = props["name"]
        elif (
            member.get("type") == "EPSG"
            and isinstance(props.get("code"), int)
            and not isinstance(props.get("code"), bool)
        ):
            user_input = f"EPSG:{props['code']}"
    if user_input is not None:
        try:
            return CRS.from_user_input(user_input)
        except Exception:
            raise UploadError(
                f"The 'crs' member of {where} names {excerpt(user_input)}, which is not a known "
                "coordinate reference system. Use e.g. urn:ogc:def:crs:EPSG::27700, or remove "
                "it for WGS 84 longitude/latitude."
            ) from None
    raise UploadError(
        f"The 'crs' member of {where} is not a coordinate reference system (one looks like "
        f"{_CRS_EXAMPLE}). Correct it, or remove it for WGS 84 longitude/latitude."
    )


def _check_geojson(raw: bytes) -> tuple[bytes, CRS | None]:
    """Check GeoJSON text and its CRS members; return UTF-8 bytes and the declared CRS."""
    text = decode_text(raw, "GeoJSON", "Save it as UTF-8 GeoJSON")
    try:
        data = strict_json.loads(text)
    except strict_json.JsonLimitError as exc:
        raise UploadError(f"The file is not usable GeoJSON: {exc}.") from None
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        end = "; the file may be cut short" if cut else ""
        raise UploadError(
            f"The file is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}){end}."
        ) from None
    if not isinstance(data, dict):
        raise UploadError(
            f"The file is JSON but not GeoJSON: it is a JSON {type(data).__name__} rather "
            "than an object with a 'type'."
        )
    kind = data.get("type")
    if kind == "Topology":
        raise UploadError("This is TopoJSON, not GeoJSON. Convert it to GeoJSON and upload again.")
    if kind not in _GEOJSON_TYPES:
        raise UploadError(
            f"The file is JSON but not GeoJSON: its 'type' is {excerpt(kind)}; expected "
            "'FeatureCollection'."
        )
    features = data.get("features") if kind == "FeatureCollection" else [data]
    if not isinstance(features, list):
        raise UploadError("The GeoJSON FeatureCollection has no 'features' list.")
    if not features:
        raise UploadError("The GeoJSON holds no features.")
    top = _member_crs(data.get("crs"), "the file") if kind == "FeatureCollection" else None
    file_crs = _crs_label(top) if top is not None else "WGS 84 (the GeoJSON default)"
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry")
        for where, member in (
            ("feature", feature.get("crs")),
            (
                "the geometry of feature",
                geometry.get("crs") if isinstance(geometry, dict) else None,
            ),
        ):
            declared = _member_crs(member, f"{where} {number}")
            label = _crs_label(declared) if declared is not None else None
            if label is not None and label != file_crs:
                raise UploadError(
                    f"The GeoJSON mixes coordinate reference systems: the file is in "
                    f"{file_crs} but {where} {number} declares {label}. Use one CRS for "
                    "the whole file."
                )
    return text.encode("utf-8"), top


def _read(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer with pyogrio; GDAL failures become UploadError."""
    import pyogrio  # GDAL is about 30 MiB: loaded with the first upload, not at start-up

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pyogrio.read_dataframe(path, layer=layer, on_invalid="ignore")
        except Exception as exc:  # GDAL raises many error types for bad files
            detail = str(exc).replace(str(path.parent), "").strip(" /:")
            raise UploadError(f"The file could not be read as boundaries ({detail}).") from None


def check_gpkg_schema(path: Path | str) -> list[str]:
    """Check a GeoPackage's schema, opened read-only, before GDAL reads anything from it.

    GDAL runs SQL to read a GeoPackage: a view over a recursive query would run for
    ever. So only plain tables are read: the file may hold no view, no virtual table
    other than an R-tree spatial index, no trigger beyond the standard ones, and its
    feature layers (``gpkg_contents`` rows with ``data_type = 'features'``) must be real
    tables without generated columns.

    Parameters
    ----------
    path : Path or str
        The GeoPackage file (a copy the caller owns).

    Returns
    -------
    list of str
        The feature tables listed in ``gpkg_contents``, in file order.

    Raises
    ------
    UploadError
        If the file is not a readable SQLite database, not a GeoPackage, or breaks any
        rule above; the message names the offending object.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.gpkg"
    >>> with sqlite3.connect(path) as db:
    ...     _ = db.execute("CREATE VIEW places AS SELECT 1")
    >>> check_gpkg_schema(path)
    Traceback (most recent call last):
    ...
    layers.uploads.errors.UploadError: The GeoPackage holds a view ('places'). Only plain tables are read: save the layer as a table (e.g. export it again from QGIS) and upload again.
    """  # noqa: E501
    uri = f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        raise UploadError(
            "The GeoPackage is damaged and could not be read. Export it again."
        ) from None
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        schema = connection.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
        ).fetchall()
        kinds = {name: kind for kind, name, _, _ in schema}
        virtual = {
            name for kind, name, _, sql in schema if sql.upper().startswith("CREATE VIRTUAL")
        }
        for kind, name, _, sql in schema:
            if kind == "view":
                raise UploadError(
                    f"The GeoPackage holds a view ({excerpt(name)}). Only plain tables are read: "
                    "save the layer as a table (e.g. export it again from QGIS) and upload again."
                )
            if kind == "trigger" and not _STANDARD_TRIGGER.match(name):
                raise UploadError(
                    f"The GeoPackage holds a trigger ({excerpt(name)}) that is not part of the "
                    "GeoPackage standard. Export the layer to a new GeoPackage and upload it."
                )
            if name in virtual and not (
                name.lower().startswith("rtree_") and re.search(r"\bUSING\s+rtree\s*\(", sql, re.I)
            ):
                raise UploadError(
                    f"The GeoPackage holds a virtual table ({excerpt(name)}) that is not a spatial "
                    "index. Export the layer to a new GeoPackage and upload it."
                )
        for table in _GPKG_REQUIRED:
            if kinds.get(table) != "table" or table in virtual:
                raise UploadError(
                    f"This is an SQLite database but not a GeoPackage: it has no {table} table."
                )
        layers = [
            str(row[0])
            for row in connection.execute(
                "SELECT table_name FROM gpkg_contents WHERE lower(data_type) = 'features'"
            )
        ]
        for layer in layers:
            if kinds.get(layer) != "table" or layer in virtual:
                raise UploadError(
                    f"The GeoPackage lists a layer {excerpt(layer)} that is not a plain table. "
                    "Export the layer to a new GeoPackage and upload it."
                )
            quoted = '"' + layer.replace('"', '""') + '"'
            generated = [
                row[1] for row in connection.execute(f"PRAGMA table_xinfo({quoted})") if row[6]
            ]
            if generated:
                raise UploadError(
                    f"The GeoPackage layer {excerpt(layer)} has computed (generated) columns: "
                    f"{', '.join(map(repr, generated))}. Export the layer to a new GeoPackage "
                    "and upload it."
                )
        return layers
    except sqlite3.Error:
        raise UploadError(
            "The GeoPackage is damaged and could not be read. Export it again."
        ) from None
    finally:
        connection.close()


def _read_gpkg(path: Path) -> gpd.GeoDataFrame:
    import pyogrio  # see _read

    check_gpkg_schema(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layers = pyogrio.list_layers(path)
        except Exception:
            raise UploadError(
                "The GeoPackage is damaged and could not be read. Export it again."
            ) from None
        spatial = [str(name) for name, geom in layers if geom is not None]
        if not spatial:
            raise UploadError("The GeoPackage holds no layer with geometry.")
        if len(spatial) > 1:
            crs = {}
            for name in spatial:
                try:
                    info = pyogrio.read_info(path, layer=name)
                    crs[name] = _crs_label(info["crs"]) if info["crs"] else "no CRS"
                except Exception:
                    crs[name] = "unreadable"
            listing = ", ".join(f"{excerpt(name)} ({crs[name]})" for name in spatial)
            mixed = (
                " in different coordinate reference systems" if len(set(crs.values())) > 1 else ""
            )
            raise UploadError(
                f"The GeoPackage holds {len(spatial)} layers{mixed}: {listing}. Upload a "
                "GeoPackage with one layer."
            )
    return _read(path, spatial[0])


# --------------------------------------------------------------------------- geometry


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (after make_valid), or None if it has none."""
    if geometry.geom_type in _POLYGONAL:
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in _POLYGONAL]
    if not parts:
        return None
    return shapely.union_all(parts)


def _name_column(frame: pd.DataFrame) -> str:
    lower = {str(c).lower(): c for c in frame.columns if c != "geometry"}
    for wanted in NAME_FIELDS:
        if wanted in lower:
            return lower[wanted]
    fields = ", ".join(str(c) for c in frame.columns if c != "geometry") or "none"
    raise UploadError(
        f"The boundaries have no place_name or name attribute to name each place. "
        f"Attributes found: {fields}."
    )


def _name_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def validate_boundaries(
    raw_bytes: bytes,
    filename: str,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
    *,
    max_ratio: float = MAX_COMPRESSION_RATIO,
) -> UploadReport:
    """Validate a file of proposed place boundaries and convert it to WGS 84.

    The name and size are checked here; the file itself is read in a bounded child
    process (:func:`~layers.uploads.sandbox.run_bounded`), so a hostile file cannot
    exhaust the app's time or memory.

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file.
    filename : str
        Its name; the extension chooses the format: ``.geojson`` or ``.json``
        (GeoJSON), ``.gpkg`` (GeoPackage), ``.zip`` (zipped Shapefile).
    max_uncompressed_bytes : int, default 200 MB
        Largest total declared uncompressed size of a zip's members.
    max_ratio : float, default 200
        Largest compression ratio of a zip member over 1 MB.

    Returns
    -------
    UploadReport
        ``accepted``: GeoDataFrame in EPSG:4326 with ``place_name``, ``area_km2``
        (British National Grid) and ``geometry`` (Polygon or MultiPolygon), indexed by
        ``feature`` (the first feature of each name, counted from 1). Rejected:
        features with no geometry, not polygons, invalid beyond repair, without a
        name, or outside England. Warnings: repaired features, merged names.

    Raises
    ------
    UploadError
        For an unknown format, an unreadable, empty, too large or mis-typed file, a
        missing or mixed CRS, coordinates that do not match the CRS, no name attribute,
        a zip that fails :func:`check_zip`, or when no feature is usable.
    TypeError
        If ``raw_bytes`` is not bytes or ``filename`` not a str.
    ValueError
        If ``max_uncompressed_bytes`` is not a positive whole number.

    Examples
    --------
    >>> try:
    ...     validate_boundaries(b"<kml/>", "places.kml")
    ... except UploadError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    'places.kml' is not a supported boundary file. Upload GeoJSON (.geojson), a GeoPackage
    (.gpkg) or a zipped Shapefile (.zip).
    """
    raw = as_bytes(raw_bytes)
    if not isinstance(filename, str):
        raise TypeError(f"filename must be a str, got {type(filename).__name__}")
    if not isinstance(max_uncompressed_bytes, (int, np.integer)) or max_uncompressed_bytes <= 0:
        raise ValueError("max_uncompressed_bytes must be a positive whole number of bytes")
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        raise UploadError(
            "A shapefile is several files (.shp, .shx, .dbf and .prj). Zip them together and "
            "upload the .zip file."
        )
    if suffix not in (".geojson", ".json", ".gpkg", ".zip"):
        raise UploadError(
            f"{excerpt(PurePosixPath(filename).name)} is not a supported boundary file. Upload "
            "GeoJSON (.geojson), a GeoPackage (.gpkg) or a zipped Shapefile (.zip)."
        )
    check_size(raw, MAX_UPLOAD_BYTES)
    return run_bounded(_boundaries, raw, filename, suffix, int(max_uncompressed_bytes), max_ratio)


def _boundaries(
    raw: bytes, filename: str, suffix: str, max_uncompressed_bytes: int, max_ratio: float
) -> UploadReport:
    """:func:`validate_boundaries` from the bytes on, run in the bounded child process."""
    declared = None
    with tempfile.TemporaryDirectory(prefix="upload_") as tmp:
        folder = Path(tmp)
        if suffix in (".geojson", ".json"):
            data, declared = _check_geojson(raw)
            path = folder / "layer.geojson"
            path.write_bytes(data)
            frame = _read(path)
            if declared is not None and (
                frame.crs is None or not frame.crs.equals(declared, ignore_axis_order=True)
            ):
                raise UploadError(
                    f"The file declares {_crs_label(declared)}, but it could not be read in that "
                    "coordinate reference system. Export the file in WGS 84 or British "
                    "National Grid (EPSG:27700)."
                )
        elif suffix == ".gpkg":
            if not raw.startswith(b"SQLite format 3\x00"):
                raise UploadError("This is not a GeoPackage (it is not an SQLite database).")
            path = folder / "layer.gpkg"
            path.write_bytes(raw)
            frame = _read_gpkg(path)
        else:
            parts = check_zip(raw, max_uncompressed_bytes, max_ratio)
            frame = _read(_extract(raw, parts, folder))
    crs_declared = declared is not None or suffix in (".gpkg", ".zip")
    return _check_features(frame, filename, suffix, crs_declared)


def _check_features(
    frame: gpd.GeoDataFrame, filename: str, suffix: str, crs_declared: bool
) -> UploadReport:
    """Per-feature checks, repair, reprojection and merging of a layer as read."""
    fmt = {".gpkg": "GeoPackage layer", ".zip": "shapefile"}.get(suffix, "GeoJSON")
    if frame.crs is None:
        raise UploadError(
            f"The {fmt} has no coordinate reference system (CRS). Set its CRS (e.g. "
            "EPSG:27700 for British National Grid) and export it again."
        )
    if len(frame) == 0:
        raise UploadError(f"The {fmt} holds no features.")
    name_column = _name_column(frame)
    source = frame.crs
    label = _crs_label(source)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    _check_degrees(geoms, source, label, crs_declared)
    rejected: list[tuple[int, str]] = []
    notes: list[str] = []
    kept: list[tuple[int, str, shapely.Geometry]] = []
    for i, geom in enumerate(geoms):
        number = i + 1
        raw_name = _name_text(frame[name_column].iloc[i])
        name = normalise_name(raw_name)
        reasons, geom = _check_feature(geom, raw_name, str(name_column), number, name, notes)
        if reasons:
            rejected.append((number, "; ".join(reasons)))
        else:
            kept.append((number, name, geom))
    converted = _in_england(kept, source, label, rejected, notes)
    rejected.sort()
    n_read = len(frame)
    if not converted:
        raise UploadError(
            f"No feature could be used ({plural(n_read, 'feature')} read):\n"
            + "\n".join(format_problems(rejected, "feature")),
            rejected,
        )
    merged_rows, merged_names, merged_geoms = _merge_same_names(converted, notes)
    accepted = gpd.GeoDataFrame(
        {"place_name": pd.Series(merged_names, dtype=object)},
        geometry=gpd.GeoSeries(merged_geoms, crs=4326),
    )
    accepted.insert(1, "area_km2", accepted.geometry.to_crs(27700).area.to_numpy() / 1e6)
    accepted.index = pd.Index(merged_rows, dtype=np.int64, name="feature")
    frame_rejected = pd.DataFrame(
        {
            "row": np.array([r for r, _ in rejected], dtype=np.int64),
            "reason": pd.Series([m for _, m in rejected], dtype=object),
        }
    )
    return UploadReport(
        "boundaries", accepted, frame_rejected, tuple(notes), n_read, PurePosixPath(filename).name
    )


def _check_degrees(geoms: np.ndarray, source: CRS, label: str, crs_declared: bool) -> None:
    """Refuse a geographic layer whose coordinates cannot be longitude/latitude degrees."""
    present = np.array([g is not None and not g.is_empty for g in geoms])
    if not (source.is_geographic and present.any()):
        return
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        why = (
            "the file declares no CRS, so GeoJSON's default (WGS 84 longitude/latitude) applies"
            if not crs_declared
            else f"the file declares {label}"
        )
        raise UploadError(
            f"The coordinates (x {xmin:,.0f} to {xmax:,.0f}, y {ymin:,.0f} to {ymax:,.0f}) "
            f"are not longitude/latitude degrees, but {why}. Declare the file's CRS (e.g. "
            "EPSG:27700 for British National Grid) or export it in WGS 84."
        )


def _check_feature(
    geom: shapely.Geometry | None,
    raw_name: str,
    name_column: str,
    number: int,
    name: str,
    notes: list[str],
) -> tuple[list[str], shapely.Geometry | None]:
    """One feature's problems (none: usable), and its polygon (2D, repaired if need be).

    A repair is told in ``notes``.
    """
    reasons = []
    problem = name_problem(raw_name, name_column)
    if problem:
        reasons.append(problem)
    if geom is None or geom.is_empty:
        reasons.append("has no geometry")
    elif geom.geom_type not in _POLYGONAL:
        reasons.append(
            f"is a {geom.geom_type}; boundaries must be polygons (Polygon or MultiPolygon)"
        )
    else:
        geom = shapely.force_2d(geom)
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            repaired = _polygonal(shapely.make_valid(geom))
            if repaired is None or repaired.is_empty:
                reasons.append(f"is not a valid polygon ({why}) and could not be repaired")
            else:
                notes.append(
                    f"feature {number} ({name or 'unnamed'}) was not a valid polygon "
                    f"({why}) and was repaired"
                )
                geom = repaired
    return reasons, geom


def _in_england(
    kept: list[tuple[int, str, shapely.Geometry]],
    source: CRS,
    label: str,
    rejected: list[tuple[int, str]],
    notes: list[str],
) -> list[tuple[int, str, shapely.Geometry]]:
    """The features converted to WGS 84 that lie in England (valid, repaired if need be).

    Features that cannot be converted or lie outside England go to ``rejected``.
    """
    kept_series = gpd.GeoSeries([g for _, _, g in kept], crs=source)
    try:
        converted = (
            kept_series.to_crs(4326) if not source.equals(CRS.from_epsg(4326)) else kept_series
        )
    except Exception as exc:
        raise UploadError(
            f"The boundaries could not be converted from {label} to WGS 84 ({exc})."
        ) from None
    min_lon, min_lat, max_lon, max_lat = ENGLAND_BOUNDS
    out = []
    for (number, name, _), geom in zip(kept, converted, strict=True):
        if geom is None or geom.is_empty or not np.isfinite(geom.bounds).all():
            rejected.append((number, f"could not be converted from {label} to WGS 84"))
            continue
        x0, y0, x1, y1 = geom.bounds
        if x0 < min_lon or x1 > max_lon or y0 < min_lat or y1 > max_lat:
            rejected.append(
                (
                    number,
                    f"lies outside England once converted from {label} (longitude "
                    f"{x0:.2f} to {x1:.2f}, latitude {y0:.2f} to {y1:.2f}); check that the "
                    "file's CRS matches its coordinates",
                )
            )
            continue
        if not geom.is_valid:
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None or fixed.is_empty:
                rejected.append((number, f"became invalid when converted from {label}"))
                continue
            notes.append(
                f"feature {number} ({name}) became invalid when converted and was repaired"
            )
            geom = fixed
        out.append((number, name, geom))
    return out


def _merge_same_names(
    features: list[tuple[int, str, shapely.Geometry]], notes: list[str]
) -> tuple[list[int], list[str], list[shapely.Geometry]]:
    """One boundary per name: features sharing a name are merged (and ``notes`` says so)."""
    merged_rows, merged_names, merged_geoms = [], [], []
    groups: dict[str, list[int]] = {}
    for k, (_, name, _) in enumerate(features):
        groups.setdefault(name, []).append(k)
    for name, members in groups.items():
        merged_rows.append(features[members[0]][0])
        merged_names.append(name)
        if len(members) == 1:
            merged_geoms.append(features[members[0]][2])
        else:
            numbers = [features[k][0] for k in members]
            listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            notes.append(
                f"features {listed} share the name {name!r} and were merged into one boundary"
            )
            merged_geoms.append(_polygonal(shapely.union_all([features[k][2] for k in members])))
    return merged_rows, merged_names, merged_geoms
