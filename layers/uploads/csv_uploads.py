r"""Validate CSV uploads: place groupings, an updated practice list, current budgets.

Each validator takes the uploaded bytes plus the codes the caller knows (read with
``layers.read_table("practices")`` / ``("pcns")``, or the allocation practice frame
for budgets) and returns an :class:`~layers.uploads.report.UploadReport`, or raises
:class:`~layers.uploads.errors.UploadError` when nothing can be used. No other
exception escapes for bad input. Nothing is modified: the caller applies the report
with :meth:`layers.uploads.session.SessionData.apply` once the user has seen it.

File-level problems (encoding, empty file, missing or repeated columns, broken
quoting) raise. Row-level problems (unknown or repeated codes, bad numbers) reject
that row with its spreadsheet row number (header = row 1) and keep the others; if no
row is left the validator raises, listing the rows. Budgets are all-or-nothing (see
:func:`validate_budgets`).

Limits: each file is read in a child process bounded in time and memory
(:mod:`layers.uploads.sandbox`); rows are counted as they are read, and reading stops
at the first data row over :data:`MAX_ROWS` or blank row over :data:`MAX_BLANK_ROWS`.
Names (place and practice names) follow :mod:`layers.names`. Numbers have documented
ranges: ``list_size`` 0 to :data:`MAX_LIST_SIZE`; latitude and longitude inside
:data:`ENGLAND_BOUNDS`; ``pounds`` £0 to :data:`~layers.allocation.methods.MAX_POUNDS`
(with thousands commas only in their places: ``"1,5"`` is not £15).

Examples
--------
>>> from layers.uploads.csv_uploads import validate_place_groupings
>>> raw = b"Practice Code,Place Name\nA81001,North\nZ99999,South\n"
>>> report = validate_place_groupings(raw, {"A81001", "A81002"})
>>> print(report.message)
Place groupings: 2 rows read, 1 accepted, 1 rejected, 1 warning.
row 3: practice_code 'Z99999' is not a known practice
warning: 1 of the 2 known practices is not in the file: A81002
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from layers.allocation import validate_current_allocation, validate_practices
from layers.format import excerpt, plural
from layers.names import name_problem, normalise_name
from layers.uploads.errors import UploadError
from layers.uploads.report import UploadReport, format_problems
from layers.uploads.sandbox import run_bounded
from layers.uploads.schemas import SCHEMAS, normalise_column_name
from layers.uploads.text import as_bytes, decode_text

__all__ = [
    "ENGLAND_BOUNDS",
    "MAX_BLANK_ROWS",
    "MAX_LIST_SIZE",
    "MAX_ROWS",
    "read_csv_upload",
    "validate_budgets",
    "validate_place_groupings",
    "validate_practice_list",
]

#: Largest list size accepted (the largest practice in England has about 100,000).
MAX_LIST_SIZE = 1_000_000
#: Most data rows a CSV upload may have (England has about 6,500 practices). Rows are
#: counted as the file is read, and reading stops at the first row over the limit.
MAX_ROWS = 100_000
#: Most blank rows after the header (blank lines at the very end of the file do not
#: count); they are counted as the file is read too.
MAX_BLANK_ROWS = 10_000
#: (min longitude, min latitude, max longitude, max latitude) that every practice and
#: boundary must lie in: England with a margin (the Isles of Scilly reach -6.45).
ENGLAND_BOUNDS = (-6.6, 49.8, 2.0, 56.0)

_PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")
_PCN_CODE = re.compile(r"^U[0-9]{5}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_WHOLE = re.compile(r"^([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0*)?$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$")
_NOT_A_NUMBER = {"nan", "na", "n/a", "null", "none", "inf", "+inf", "-inf", "infinity"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True)
class CsvTable:
    """A CSV upload split into header and rows, before any column is checked.

    Attributes
    ----------
    columns : tuple of str
        Normalised header names, in file order (blank-named empty columns dropped).
    rows : list of (int, dict)
        ``(row number, {column: stripped value})`` for every row after the header that
        is not blank and has as many values as the header (extra empty values at the
        end of a row are dropped).
    blank_rows : tuple of int
        Row numbers of blank rows between the header and the last data row.
    row_problems : list of (int, str)
        Rows whose number of values does not match the header.
    ignored : tuple of str
        Header names not in the schema (ignored by the validators).
    """

    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    blank_rows: tuple[int, ...]
    row_problems: list[tuple[int, str]]
    ignored: tuple[str, ...]

    @property
    def warnings(self) -> list[str]:
        """One warning per ignored column."""
        return [f"column {excerpt(name)} is not used and was ignored" for name in self.ignored]


def _column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _lines(text: str) -> Iterator[str]:
    """Lines of ``text`` with their endings (CR LF, CR or LF), one at a time."""
    start = 0
    for match in _NEWLINE.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


@dataclass
class _Records:
    """What streaming the CSV found: header, non-blank rows, blank rows between them."""

    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    blank_header: bool = False


def _records(text: str) -> _Records:
    """Stream CSV text strictly, counting and limiting rows as they are read.

    Blank lines at the end of the text are dropped first; then reading stops at the first
    data row over :data:`MAX_ROWS` or blank row over :data:`MAX_BLANK_ROWS`, so a huge
    file is refused after reading only that much. Broken quoting is an UploadError
    naming the row.
    """
    found = _Records()
    pending = 0  # blank rows since the last data row: kept only if a data row follows
    number = 0
    reader = csv.reader(_lines(text.rstrip("\r\n\t ")), strict=True)
    try:
        for record in reader:
            number += 1
            blank = _is_blank(record)
            if found.header is None:
                if blank:
                    found.blank_header = True
                    continue
                found.header = record
                if found.blank_header:
                    break  # the first row was blank: no need to read on
                continue
            if blank:
                pending += 1
                if len(found.blank) + pending > MAX_BLANK_ROWS:
                    raise UploadError(
                        f"The file has more than {MAX_BLANK_ROWS:,} blank rows (the first "
                        f"{MAX_BLANK_ROWS:,} were read). Delete the blank rows and upload again."
                    )
                continue
            found.blank.extend(range(number - pending, number))
            pending = 0
            if len(found.rows) == MAX_ROWS:
                raise UploadError(
                    f"The file has more than {MAX_ROWS:,} data rows (reading stopped at row "
                    f"{number:,}). Upload one ICS's data at a time."
                )
            found.rows.append((number, record))
    except csv.Error as exc:
        row = number + 1
        detail = str(exc)
        if "unexpected end of data" in detail:
            message = (
                f'Row {row} opens a quoted value (") that never closes; the file may be cut '
                "short. Upload the complete file."
            )
        elif "expected after" in detail:
            message = (
                f'Row {row} has text straight after a closing quote ("). Put the whole value '
                'in quotes and write a quote inside a value as two quotes ("").'
            )
        elif "field larger than field limit" in detail:
            message = f"Row {row} has a value longer than {csv.field_size_limit():,} characters."
        else:  # pragma: no cover - the csv module has no other errors for str input
            message = f"Row {row} could not be read as CSV ({detail})."
        raise UploadError(message) from None
    return found


def _is_blank(record: list[str]) -> bool:
    return all(not value.strip() for value in record)


def read_csv_upload(raw_bytes: bytes, kind: str, *, check_required: bool = True) -> CsvTable:
    r"""Decode and split a CSV upload, checking the header against the kind's schema.

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file.
    kind : {"place_groupings", "practice_list", "budgets"}
        The schema to check the header against (required and known columns).
    check_required : bool, default True
        Whether to refuse a file that lacks a required column (budgets leave this to
        :func:`~layers.allocation.validate_current_allocation`).

    Returns
    -------
    CsvTable
        Header and rows, with rows of the wrong length listed in ``row_problems``.

    Raises
    ------
    UploadError
        If the file is not UTF-8 CSV text, is empty, has no data rows, more than
        :data:`MAX_ROWS` data rows or :data:`MAX_BLANK_ROWS` blank rows (counted as it
        is read, so reading stops there), uses another delimiter, has a blank first
        row, a column named twice, an unnamed column with values, or lacks a required
        column.

    Examples
    --------
    >>> raw = b"practice_code,place_name,notes\nA81001,North,x\n"
    >>> table = read_csv_upload(raw, "place_groupings")
    >>> table.rows
    [(2, {'practice_code': 'A81001', 'place_name': 'North', 'notes': 'x'})]
    >>> table.warnings
    ["column 'notes' is not used and was ignored"]
    """
    schema = SCHEMAS[kind]
    text = decode_text(as_bytes(raw_bytes))
    found = _records(text)
    del text
    if found.header is None:
        raise UploadError("The file is empty (it holds only blank rows).")
    if found.blank_header:
        raise UploadError(
            "Row 1 is blank. The first row must be the header, with the column names "
            f"({', '.join(schema.column_names)})."
        )
    header = [normalise_column_name(h) for h in found.header]
    body = found.rows
    expected = schema.column_names
    if len(header) == 1 and len(expected) > 1:
        for delimiter, name in _OTHER_DELIMITERS.items():
            if delimiter in found.header[0]:
                raise UploadError(
                    f"The file seems to use {name} to separate columns. Save it as CSV "
                    "(comma-separated) and upload again."
                )
    # Unnamed columns: ignored when empty (Excel leaves them), an error when not.
    keep: list[int] = []
    for i, name in enumerate(header):
        if name:
            keep.append(i)
        elif any(i < len(r) and r[i].strip() for _, r in body):
            raise UploadError(
                f"Column {_column_letter(i)} has values but no name in the header row. Name "
                "it, or delete the column."
            )
    seen: dict[str, int] = {}
    for i in keep:
        name = header[i]
        if name in seen:
            raise UploadError(
                f"Column {excerpt(name)} appears twice (columns {_column_letter(seen[name])} and "
                f"{_column_letter(i)}). Each column name must appear once."
            )
        seen[name] = i
    missing = [c for c in schema.required_columns if c not in seen]
    if missing and check_required:
        found_names = ", ".join(header[i] for i in keep) or "none"
        raise UploadError(
            f"The file has no {' or '.join(repr(m) for m in missing)} column. Required "
            f"columns: {', '.join(schema.required_columns)}. Found: {found_names}."
        )
    if not body:
        raise UploadError("The file has a header row but no data rows.")
    ignored = tuple(header[i] for i in keep if header[i] not in expected)
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[int, str]] = []
    width = len(header)
    last = body[-1][0]
    for number, record in body:
        if len(record) > width and any(v.strip() for v in record[width:]):
            problems.append(
                (number, f"has {len(record)} values but the header has {plural(width, 'column')}")
            )
            continue
        if len(record) < width:
            cut = " (the file may be cut short)" if number == last else ""
            problems.append(
                (
                    number,
                    f"has {plural(len(record), 'value')} but the header has "
                    f"{plural(width, 'column')}{cut}",
                )
            )
            continue
        rows.append((number, {header[i]: record[i].strip() for i in keep}))
    return CsvTable(
        columns=tuple(header[i] for i in keep),
        rows=rows,
        blank_rows=tuple(found.blank),
        row_problems=problems,
        ignored=ignored,
    )


# ----------------------------------------------------------------------------- values


def _code(value: str) -> str:
    return value.strip().upper()


def _name(column: str, value: str) -> tuple[str, str | None]:
    """A name in its normalised form and the reason it cannot be used (None if it can)."""
    return normalise_name(value), name_problem(value, column)


def _whole(column: str, value: str) -> int | str:
    """A whole number ≥ 0 from text, or the reason it is not one."""
    if not value:
        return f"{column} is blank"
    if value.lower() in _NOT_A_NUMBER:
        return f"{column} {excerpt(value)} is not a number"
    match = _WHOLE.match(value)
    if not match:
        return f"{column} {excerpt(value)} is not a whole number"
    digits = match.group(2).replace(",", "").lstrip("0") or "0"
    # Compare lengths first: int() of thousands of digits is slow, and refused past 4300.
    number = MAX_LIST_SIZE + 1 if len(digits) > len(str(MAX_LIST_SIZE)) else int(digits)
    if match.group(1) == "-" and number:
        return f"{column} {excerpt(value)} is negative (it must be 0 or more)"
    if number > MAX_LIST_SIZE:
        return f"{column} {excerpt(value)} is more than {MAX_LIST_SIZE:,}; check the value"
    return number


def _decimal(column: str, value: str) -> float | str | None:
    """A finite float from text, None when blank, or the reason it is not a number."""
    if not value:
        return None
    if not _DECIMAL.match(value):
        comma = (
            " (use a full stop for decimals)" if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", value) else ""
        )
        return f"{column} {excerpt(value)} is not a number{comma}"
    number = float(value)
    return number if math.isfinite(number) else f"{column} {excerpt(value)} is not a number"


def _check_known(codes: Iterable[str], name: str) -> frozenset[str]:
    if isinstance(codes, (str, bytes)) or not isinstance(codes, Iterable):
        raise TypeError(f"{name} must be a collection of code strings, got {type(codes).__name__}")
    out = []
    for code in codes:
        if not isinstance(code, str):
            raise TypeError(f"{name} must hold strings, found {type(code).__name__} {code!r}")
        out.append(code.strip().upper())
    return frozenset(out)


def _finish(
    kind: str,
    accepted: pd.DataFrame,
    rejected: list[tuple[int, str]],
    warnings: list[str],
    n_read: int,
    filename: str | None,
) -> UploadReport:
    """Build the report, or raise when no row could be used."""
    rejected = sorted(rejected)
    if accepted.empty:
        raise UploadError(
            f"No row could be used ({plural(n_read, 'row')} read):\n"
            + "\n".join(format_problems(rejected)),
            rejected,
        )
    frame = pd.DataFrame(
        {
            "row": np.array([r for r, _ in rejected], dtype=np.int64),
            "reason": pd.Series([m for _, m in rejected], dtype=object),
        }
    )
    return UploadReport(kind, accepted, frame, tuple(warnings), n_read, filename)


def _missing_known(known: frozenset[str], present: set[str], noun: str) -> list[str]:
    absent = sorted(known - present)
    if not absent or not known:
        return []
    shown = ", ".join(absent[:10]) + (f" and {len(absent) - 10:,} more" if len(absent) > 10 else "")
    verb = "is" if len(absent) == 1 else "are"
    return [f"{len(absent):,} of the {plural(len(known), noun)} {verb} not in the file: {shown}"]


def _check_filename(filename: str | None) -> None:
    if filename is not None and not isinstance(filename, str):
        raise TypeError(f"filename must be a str or None, got {type(filename).__name__}")


# ------------------------------------------------------------------------- validators


def validate_place_groupings(
    raw_bytes: bytes, known_practice_codes: Iterable[str], *, filename: str | None = None
) -> UploadReport:
    r"""Validate a CSV of custom place groupings: practice code → place name.

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file (``UploadedFile.getvalue()``).
    known_practice_codes : collection of str
        Practice codes the groupings may use, usually the ICS's practices.
    filename : str, optional
        The uploaded file's name, for the summary.

    Returns
    -------
    UploadReport
        ``accepted``: ``practice_code``, ``place_name`` indexed by ``row``. Rejected:
        blank, malformed, unknown or repeated practice codes (a repeat is rejected,
        the first row kept), blank or unusable place names, rows of the wrong length.
        Warnings: ignored columns, known practices missing from the file.

    Raises
    ------
    UploadError
        For file-level problems (see :func:`read_csv_upload`) or when no row is usable.
    TypeError
        If ``raw_bytes`` is not bytes or the known codes are not strings.

    Examples
    --------
    >>> report = validate_place_groupings(b"practice_code,place_name\na81001 ,North\n",
    ...                                   ["A81001"])
    >>> report.accepted.reset_index().to_dict("records")
    [{'row': 2, 'practice_code': 'A81001', 'place_name': 'North'}]
    """
    known = _check_known(known_practice_codes, "known_practice_codes")
    _check_filename(filename)
    return run_bounded(_place_groupings, as_bytes(raw_bytes), known, filename)


def _practice_code(
    raw: str, number: int, first: dict[str, int], known: frozenset[str] | None = None
) -> tuple[str, str | None]:
    """A row's practice code, normalised, and what is wrong with it (None: nothing).

    ``first`` maps each code seen so far to its first row; a new good code is added.
    With ``known``, a well-formed code must be one of them.
    """
    code = _code(raw)
    if not code:
        return code, "practice_code is blank"
    unknown = known is not None and code not in known
    if unknown and _PRACTICE_CODE.match(code):
        return code, f"practice_code {excerpt(code)} is not a known practice"
    if (known is None or unknown) and not _PRACTICE_CODE.match(code):
        return code, (
            f"practice_code {excerpt(raw)} is not a practice code "
            "(a letter and 5 digits, e.g. A81001)"
        )
    if code in first:
        return code, f"practice_code {excerpt(code)} is repeated (first on row {first[code]})"
    first[code] = number
    return code, None


def _place_groupings(raw_bytes: bytes, known: frozenset[str], filename: str | None):
    """:func:`validate_place_groupings`, run in the bounded child process."""
    table = read_csv_upload(raw_bytes, "place_groupings")
    rejected = list(table.row_problems)
    first: dict[str, int] = {}
    rows, codes, names = [], [], []
    for number, values in table.rows:
        code, problem = _practice_code(values["practice_code"], number, first, known)
        reasons = [problem] if problem else []
        name, problem = _name("place_name", values["place_name"])
        if problem:
            reasons.append(problem)
        if reasons:
            rejected.append((number, "; ".join(reasons)))
            continue
        rows.append(number)
        codes.append(code)
        names.append(name)
    accepted = pd.DataFrame(
        {
            "practice_code": pd.Series(codes, dtype=object),
            "place_name": pd.Series(names, dtype=object),
        },
    )
    accepted.index = pd.Index(rows, dtype=np.int64, name="row")
    warnings = table.warnings + _missing_known(known, set(codes), "known practice")
    n_read = len(table.rows) + len(table.row_problems)
    return _finish("place_groupings", accepted, rejected, warnings, n_read, filename)


def validate_practice_list(
    raw_bytes: bytes, known_pcn_codes: Iterable[str], *, filename: str | None = None
) -> UploadReport:
    r"""Validate an updated practice list (CSV).

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file.
    known_pcn_codes : collection of str
        PCN codes a practice may belong to, usually the ICS's PCNs.
    filename : str, optional
        The uploaded file's name, for the summary.

    Returns
    -------
    UploadReport
        ``accepted``: ``practice_code``, ``practice_name``, ``postcode`` (normalised,
        e.g. ``TS18 1HU``, or None), ``latitude``, ``longitude`` (float, NaN when not
        given), ``list_size`` (int64), ``pcn_code`` (None for no PCN), indexed by
        ``row``. A row is rejected, with every reason, for a malformed or repeated
        practice code; a blank name; a list size that is blank, text, decimal, NaN,
        negative or over :data:`MAX_LIST_SIZE`; an invalid postcode; a latitude or
        longitude that is not a number, given alone, or outside England (or swapped);
        neither postcode nor coordinates; an unknown PCN code.

    Raises
    ------
    UploadError
        For file-level problems (see :func:`read_csv_upload`), when the file has no
        postcode column and no latitude and longitude columns, or when no row is usable.
    TypeError
        If ``raw_bytes`` is not bytes or the known codes are not strings.

    Examples
    --------
    >>> raw = (b"practice_code,practice_name,postcode,list_size,pcn_code\n"
    ...        b'A81001,Densham,ts181hu,"4,061",U89141\n')
    >>> accepted = validate_practice_list(raw, ["U89141"]).accepted
    >>> accepted.loc[2, "postcode"], int(accepted.loc[2, "list_size"])
    ('TS18 1HU', 4061)
    """
    known = _check_known(known_pcn_codes, "known_pcn_codes")
    _check_filename(filename)
    return run_bounded(_practice_list, as_bytes(raw_bytes), known, filename)


def _practice_list(raw_bytes: bytes, known: frozenset[str], filename: str | None):
    """:func:`validate_practice_list`, run in the bounded child process."""
    table = read_csv_upload(raw_bytes, "practice_list")
    has = set(table.columns)
    if "latitude" in has and "longitude" not in has:
        raise UploadError("The file has a latitude column but no longitude column.")
    if "longitude" in has and "latitude" not in has:
        raise UploadError("The file has a longitude column but no latitude column.")
    if "postcode" not in has and "latitude" not in has:
        raise UploadError(
            "The file needs a postcode column, or latitude and longitude columns, to place "
            "each practice."
        )
    min_lon, min_lat, max_lon, max_lat = ENGLAND_BOUNDS
    rejected = list(table.row_problems)
    first: dict[str, int] = {}
    out: dict[str, list] = {
        k: [] for k in ("row", *(c.name for c in SCHEMAS["practice_list"].columns))
    }
    for number, values in table.rows:
        code, problem = _practice_code(values["practice_code"], number, first)
        reasons: list[str] = [problem] if problem else []
        practice_name, problem = _name("practice_name", values["practice_name"])
        if problem:
            reasons.append(problem)
        size = _whole("list_size", values["list_size"])
        if isinstance(size, str):
            reasons.append(size)
        postcode = None
        raw_postcode = values.get("postcode", "")
        if raw_postcode:
            match = _POSTCODE.match(" ".join(raw_postcode.upper().split()))
            if match:
                postcode = f"{match.group(1)} {match.group(2)}"
            else:
                reasons.append(f"postcode {excerpt(raw_postcode)} is not a UK postcode")
        lat = _decimal("latitude", values.get("latitude", ""))
        lon = _decimal("longitude", values.get("longitude", ""))
        for value in (lat, lon):
            if isinstance(value, str):
                reasons.append(value)
        if isinstance(lat, float) and isinstance(lon, float):
            inside = min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
            swapped = min_lat <= lon <= max_lat and min_lon <= lat <= max_lon
            if swapped and not inside:
                reasons.append(
                    f"latitude {lat:g} and longitude {lon:g} look swapped (latitude is "
                    "north, about 50 to 56 in England)"
                )
            elif not inside:
                reasons.append(
                    f"latitude {lat:g}, longitude {lon:g} is outside England "
                    f"(latitude {min_lat:g} to {max_lat:g}, longitude {min_lon:g} to "
                    f"{max_lon:g})"
                )
        elif (lat is None) != (lon is None) and not any(isinstance(v, str) for v in (lat, lon)):
            given, other = ("latitude", "longitude") if lon is None else ("longitude", "latitude")
            reasons.append(f"{given} is given without {other}")
        if not raw_postcode and lat is None and lon is None:
            reasons.append("has no postcode and no latitude and longitude")
        pcn = _code(values["pcn_code"])
        if pcn and pcn not in known:
            if _PCN_CODE.match(pcn):
                reasons.append(f"pcn_code {excerpt(pcn)} is not a known PCN")
            else:
                reasons.append(
                    f"pcn_code {excerpt(values['pcn_code'])} is not a PCN code (U and 5 digits, "
                    "e.g. U89141)"
                )
        if reasons:
            rejected.append((number, "; ".join(reasons)))
            continue
        out["row"].append(number)
        out["practice_code"].append(code)
        out["practice_name"].append(practice_name)
        out["postcode"].append(postcode)
        out["latitude"].append(math.nan if lat is None else lat)
        out["longitude"].append(math.nan if lon is None else lon)
        out["list_size"].append(size)
        out["pcn_code"].append(pcn or None)
    rows = out.pop("row")
    accepted = pd.DataFrame(
        {
            "practice_code": pd.Series(out["practice_code"], dtype=object),
            "practice_name": pd.Series(out["practice_name"], dtype=object),
            "postcode": pd.Series(out["postcode"], dtype=object),
            "latitude": np.asarray(out["latitude"], dtype=float),
            "longitude": np.asarray(out["longitude"], dtype=float),
            "list_size": np.asarray(out["list_size"], dtype=np.int64),
            "pcn_code": pd.Series(out["pcn_code"], dtype=object),
        }
    )
    accepted.index = pd.Index(rows, dtype=np.int64, name="row")
    n_read = len(table.rows) + len(table.row_problems)
    return _finish("practice_list", accepted, rejected, table.warnings, n_read, filename)


def validate_budgets(
    raw_bytes: bytes, practices: pd.DataFrame, *, filename: str | None = None
) -> UploadReport:
    r"""Validate a CSV of current budgets for the allocation page.

    The rows are checked by :func:`layers.allocation.validate_current_allocation`
    (one key column, ``place_code``, ``pcn_code`` or ``practice_code``, and
    ``pounds``; every unit of the ICS at that level exactly once) and its messages are
    passed on unchanged, as :class:`UploadError`. Budgets are all-or-nothing: a
    budget with rows missing would misstate every unit's distance from target.

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file.
    practices : DataFrame
        The ICS's allocation practice frame (``practice_code``, ``pcn_code``,
        ``place_code``): it defines the known units at each level.
    filename : str, optional
        The uploaded file's name, for the summary.

    Returns
    -------
    UploadReport
        ``accepted``: unit totals ``level``, ``unit_code``, ``pence`` (int64) sorted by
        ``unit_code``, as :func:`~layers.allocation.validate_current_allocation`
        returns them; nothing rejected.

    Raises
    ------
    UploadError
        For file-level problems, rows of the wrong length, or any problem
        :func:`~layers.allocation.validate_current_allocation` finds.
    TypeError, ValueError
        If ``practices`` itself is not a valid practice frame (a programming error).

    Examples
    --------
    >>> from layers.allocation import example_practices
    >>> raw = 'place_code,pounds\nX,"£1,000"\nY,500.50\n'.encode()
    >>> validate_budgets(raw, example_practices()).accepted.values.tolist()
    [['place', 'X', 100000], ['place', 'Y', 50050]]
    >>> validate_budgets(b"place_code,pounds\nX,ten\n", example_practices())
    Traceback (most recent call last):
    ...
    layers.uploads.errors.UploadError: current allocation has 2 problem(s):
    row 2: pounds 'ten' is not a number
    no row for place(s) 'Y'; every place of the ICS needs one
    """
    validate_practices(practices)
    _check_filename(filename)
    return run_bounded(_budgets, as_bytes(raw_bytes), practices, filename)


def _budgets(raw_bytes: bytes, practices: pd.DataFrame, filename: str | None):
    """:func:`validate_budgets`, run in the bounded child process."""
    table = read_csv_upload(raw_bytes, "budgets", check_required=False)
    if table.row_problems:
        raise UploadError(
            f"{plural(len(table.row_problems), 'row')} could not be read:\n"
            + "\n".join(format_problems(table.row_problems)),
            table.row_problems,
        )
    # validate_current_allocation numbers rows from 2 in frame order, so blank rows
    # between data rows stay in the frame (as blanks) to keep the row numbers true.
    by_row = dict(table.rows)
    last = max(by_row)
    empty = dict.fromkeys(table.columns, "")
    records = [by_row.get(number, empty) for number in range(2, last + 1)]
    frame = pd.DataFrame(records, columns=list(table.columns), dtype=object)
    try:
        totals = validate_current_allocation(frame, practices)
    except ValueError as exc:
        problems = [
            (int(m.group(1)), m.group(2))
            for m in re.finditer(r"^row (\d+): (.*)$", str(exc), flags=re.MULTILINE)
        ]
        raise UploadError(str(exc), problems) from None
    warnings = table.warnings
    return _finish("budgets", totals, [], warnings, len(table.rows), filename)
