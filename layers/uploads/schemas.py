"""Documented schemas of the files an ICS can upload.

Four kinds of upload, each with a schema that the validators enforce and that a page
can show (:func:`describe_schema`) next to the upload widget:

``place_groupings``
    CSV: practice code → place name (the ICS's own place groupings).
``practice_list``
    CSV: an updated practice list (code, name, postcode or coordinates, list size, PCN).
``budgets``
    CSV: current budgets for the allocation page, checked by
    :func:`layers.allocation.validate_current_allocation`.
``boundaries``
    GeoJSON, GeoPackage or zipped Shapefile of proposed place boundaries.

Conventions shared by every CSV upload
--------------------------------------
* Text is UTF-8, with or without a byte-order mark ("CSV UTF-8" in Excel).
* Columns are separated by commas; values may be quoted with ``"``.
* The first row is the header. Column names are matched ignoring case, surrounding
  spaces, and spaces or hyphens inside (``Practice Code`` = ``practice_code``).
  Extra columns are ignored with a warning; a column named twice is an error.
* **Row numbers are spreadsheet row numbers**: the header is row 1 and the first data
  row is row 2, exactly as Excel shows them. Blank rows keep their number.
* Names (place, practice and boundary names) follow :mod:`layers.names`: they are
  stored NFC-normalised with single spaces; they may not hold control, format or
  invisible characters (line breaks, U+2028, U+0085, U+007F, U+202E, zero-width
  spaces...) and may not start with ``=``, ``+``, ``-`` or ``@`` (they would turn into
  formulas when the data is exported to a spreadsheet again).
* Numbers have documented ranges (see each column's rules); a value outside its range
  rejects the row (budgets: the file).
* A file is read in a child process bounded in time and memory
  (:mod:`layers.uploads.sandbox`), with at most 100,000 data rows and 10,000 blank rows,
  counted as it is read.

Examples
--------
>>> from layers.uploads.schemas import describe_schema
>>> describe_schema("place_groupings")[["column", "required", "type"]].values.tolist()
[['practice_code', 'required', 'code'], ['place_name', 'required', 'text']]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from layers.names import MAX_NAME_LENGTH

__all__ = [
    "KINDS",
    "MAX_NAME_LENGTH",
    "SCHEMAS",
    "Column",
    "Schema",
    "describe_schema",
    "normalise_column_name",
    "template_csv",
]


@dataclass(frozen=True)
class Column:
    """One documented column (or, for boundaries, attribute) of an upload."""

    name: str
    type: str
    required: str
    rules: str
    example: str


@dataclass(frozen=True)
class Schema:
    """The documented shape of one kind of upload."""

    kind: str
    title: str
    formats: str
    unit: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of every documented column."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns every file must have."""
        return tuple(c.name for c in self.columns if c.required == "required")


_CODE_RULE = "a letter and 5 digits, e.g. A81001; case and spaces around it are ignored"
_NAME_RULE = (
    f"at most {MAX_NAME_LENGTH} characters; no control or invisible characters; not starting "
    "with =, +, - or @"
)


def _practice_code(rule: str) -> Column:
    """The required ``practice_code`` column of a CSV upload, with its own extra rule."""
    return Column(
        "practice_code", "code", "required", f"GP practice code ({_CODE_RULE}); {rule}", "A81001"
    )


def _csv_schema(
    kind: str, title: str, columns: tuple[Column, ...], notes: tuple[str, ...]
) -> Schema:
    """A CSV upload: UTF-8 text, one row a record."""
    return Schema(kind, title, "CSV (UTF-8)", "row", columns, notes)


SCHEMAS: dict[str, Schema] = {
    "place_groupings": _csv_schema(
        kind="place_groupings",
        title="Place groupings",
        columns=(
            _practice_code("must be a known practice; each practice once"),
            Column(
                "place_name",
                "text",
                "required",
                f"the place the practice belongs to; not blank; {_NAME_RULE}",
                "Stockton-on-Tees",
            ),
        ),
        notes=(
            "Rows with an unknown or repeated practice code are rejected and listed.",
            "Known practices missing from the file are listed as a warning.",
        ),
    ),
    "practice_list": _csv_schema(
        kind="practice_list",
        title="Practice list",
        columns=(
            _practice_code("each practice once"),
            Column(
                "practice_name",
                "text",
                "required",
                f"not blank; {_NAME_RULE}",
                "The Densham Surgery",
            ),
            Column(
                "postcode",
                "postcode",
                "optional",
                "a UK postcode, e.g. TS18 1HU; each row needs a postcode or both "
                "latitude and longitude",
                "TS18 1HU",
            ),
            Column(
                "latitude",
                "number",
                "optional",
                "decimal degrees (WGS 84), in England: 49.8 to 56.0; give with longitude",
                "54.5616",
            ),
            Column(
                "longitude",
                "number",
                "optional",
                "decimal degrees (WGS 84), in England: -6.6 to 2.0; give with latitude",
                "-1.3190",
            ),
            Column(
                "list_size",
                "whole number",
                "required",
                "registered patients: a whole number from 0 to 1,000,000; thousands commas allowed",
                "4061",
            ),
            Column(
                "pcn_code",
                "code",
                "required",
                "PCN code (U and 5 digits, e.g. U89141), must be a known PCN; blank for "
                "a practice in no PCN",
                "U89141",
            ),
        ),
        notes=(
            "The file needs a postcode column, or latitude and longitude columns.",
            "Rows with a problem are rejected and listed; the other rows are accepted.",
        ),
    ),
    "budgets": _csv_schema(
        kind="budgets",
        title="Budgets",
        columns=(
            Column(
                "place_code",
                "code",
                "exactly one of place_code, pcn_code, practice_code",
                "the unit the budget is for; every unit of the ICS at that level exactly "
                "once (a practice in no PCN is listed by its practice code in pcn_code)",
                "X",
            ),
            Column(
                "pcn_code",
                "code",
                "exactly one of place_code, pcn_code, practice_code",
                "as place_code, for PCN budgets",
                "U89141",
            ),
            Column(
                "practice_code",
                "code",
                "exactly one of place_code, pcn_code, practice_code",
                "as place_code, for practice budgets",
                "A81001",
            ),
            Column(
                "pounds",
                "pounds",
                "required",
                "£0 to £1,000,000,000,000; £ signs allowed, thousands commas only in their "
                "places (1,250,000; '1,5' is refused); rounded to the penny",
                "£1,250,000.00",
            ),
        ),
        notes=(
            "The budgets are used only if every row is valid and every unit has one "
            "row: a partial budget would misstate the distance from target.",
        ),
    ),
    "boundaries": Schema(
        kind="boundaries",
        title="Proposed boundaries",
        formats="GeoJSON (.geojson or .json), GeoPackage (.gpkg, one layer) or a zipped "
        "Shapefile (.zip with .shp, .shx, .dbf and .prj; .cpg optional)",
        unit="feature",
        columns=(
            Column(
                "place_name",
                "text",
                "required",
                "attribute naming the place (place_name or name, any case); not blank; "
                f"{_NAME_RULE}; features sharing a name are merged",
                "North",
            ),
            Column(
                "geometry",
                "polygon",
                "required",
                "Polygon or MultiPolygon in any CRS (converted to WGS 84); invalid "
                "polygons are repaired and reported; other geometry types are rejected",
                "POLYGON (...)",
            ),
        ),
        notes=(
            "Feature numbers count from 1 in the order of the file.",
            "GeoJSON without a crs member is WGS 84 longitude/latitude (RFC 7946); a crs "
            "member must be a valid CRS object of at most 1,000 characters; a GeoPackage "
            "layer or a Shapefile without a CRS (.prj) is refused.",
            "A GeoPackage is read only if every object in it is a plain table (no views, "
            "no virtual tables other than a spatial index, no non-standard triggers).",
            "GeoJSON numbers must be finite, integers at most 20 digits, and nesting at "
            "most 64 levels deep.",
            "Features must lie in England once converted.",
            "Zip files are checked for their expanded size before anything is extracted.",
        ),
    ),
}

#: The kinds of upload, in the order a page lists them.
KINDS: tuple[str, ...] = tuple(SCHEMAS)

_TEMPLATES = {
    "place_groupings": "practice_code,place_name\nA81001,Stockton-on-Tees\n",
    "practice_list": (
        "practice_code,practice_name,postcode,latitude,longitude,list_size,pcn_code\n"
        'A81001,The Densham Surgery,TS18 1HU,54.5616,-1.3190,"4,061",U89141\n'
    ),
    "budgets": 'place_code,pounds\nX,"£1,250,000.00"\n',
}


def _schema(kind: str) -> Schema:
    if kind not in SCHEMAS:
        raise ValueError(f"unknown upload kind {kind!r}; expected one of {list(KINDS)}")
    return SCHEMAS[kind]


def describe_schema(kind: str) -> pd.DataFrame:
    """Return the schema of one kind of upload as a table for the page.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.

    Returns
    -------
    DataFrame
        One row per column: ``column``, ``required``, ``type``, ``rules``, ``example``.
        The schema's notes and accepted formats are ``SCHEMAS[kind].notes`` and
        ``SCHEMAS[kind].formats``.

    Raises
    ------
    ValueError
        If ``kind`` is not a known kind of upload.

    Examples
    --------
    >>> describe_schema("budgets")["column"].tolist()
    ['place_code', 'pcn_code', 'practice_code', 'pounds']
    """
    schema = _schema(kind)
    return pd.DataFrame(
        [(c.name, c.required, c.type, c.rules, c.example) for c in schema.columns],
        columns=["column", "required", "type", "rules", "example"],
    )


def template_csv(kind: str) -> bytes:
    """Return a one-row example CSV (UTF-8) of a CSV kind, for a "download template" link.

    Parameters
    ----------
    kind : {"place_groupings", "practice_list", "budgets"}
        A CSV kind of upload.

    Returns
    -------
    bytes
        The header and one example row.

    Raises
    ------
    ValueError
        If ``kind`` is not a kind of upload (:data:`KINDS`), or is ``"boundaries"`` (a
        boundary file, not a CSV).

    Examples
    --------
    >>> template_csv("place_groupings").decode().splitlines()[0]
    'practice_code,place_name'
    """
    _schema(kind)
    if kind not in _TEMPLATES:
        raise ValueError(f"{kind!r} is not a CSV upload; CSV kinds are {sorted(_TEMPLATES)}")
    return _TEMPLATES[kind].encode("utf-8")


def normalise_column_name(name: str) -> str:
    """Column name as matched against a schema: trimmed, lower case, ``_`` for spaces.

    Parameters
    ----------
    name : str
        A header cell.

    Returns
    -------
    str
        The normalised name.

    Examples
    --------
    >>> normalise_column_name("  Practice Code ")
    'practice_code'
    >>> normalise_column_name("list-size")
    'list_size'
    """
    return "_".join(name.strip().lower().replace("-", " ").split())
