"""Bring your own data: validate an ICS's uploaded files without risking existing data.

- ``schemas``: the documented schema of each kind of upload (:func:`describe_schema`).
- ``csv_uploads``: place groupings, an updated practice list, current budgets (CSV).
- ``boundaries``: proposed boundaries (GeoJSON, GeoPackage, zipped Shapefile; any CRS).
- ``report``: :class:`UploadReport`, accepted and rejected rows with reasons.
- ``errors``: :class:`UploadError`, the only exception raised for bad input.
- ``session``: :class:`SessionData`, immutable; ``apply(report)`` returns a new one.
- ``compare``: an uploaded practice list against the built-in registrations.

Every validator takes the uploaded bytes (and the codes the caller knows), and either
returns a report to show the user before applying it, or raises ``UploadError`` with
a message for the user. CSV row numbers are spreadsheet rows (header = row 1).

Examples
--------
>>> from layers.uploads import SessionData, UploadError, validate_place_groupings
>>> session = SessionData()
>>> try:
...     session = session.apply(validate_place_groupings(b"", ["A81001"]))
... except UploadError as err:
...     print(err)
The file is empty (0 bytes).
>>> session.kinds
()
"""

from layers.uploads.boundaries import (
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    check_zip,
    validate_boundaries,
)
from layers.uploads.compare import compare_practice_list
from layers.uploads.csv_uploads import (
    ENGLAND_BOUNDS,
    MAX_LIST_SIZE,
    read_csv_upload,
    validate_budgets,
    validate_place_groupings,
    validate_practice_list,
)
from layers.uploads.errors import UploadError
from layers.uploads.report import UploadReport
from layers.uploads.schemas import KINDS, SCHEMAS, describe_schema, template_csv
from layers.uploads.session import SessionData
from layers.uploads.text import MAX_UPLOAD_BYTES

__all__ = [
    "ENGLAND_BOUNDS",
    "KINDS",
    "MAX_COMPRESSION_RATIO",
    "MAX_LIST_SIZE",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "SCHEMAS",
    "SessionData",
    "UploadError",
    "UploadReport",
    "check_zip",
    "compare_practice_list",
    "describe_schema",
    "read_csv_upload",
    "template_csv",
    "validate_boundaries",
    "validate_budgets",
    "validate_place_groupings",
    "validate_practice_list",
]
