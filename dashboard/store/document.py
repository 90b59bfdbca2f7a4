"""The scenario document: one versioned JSON format for every kind of what-if.

A document holds everything needed to reproduce every number of a what-if, and no
individual-level rows::

    {
      "format": "ics-planner-scenario",
      "version": 1,
      "kind": "tiers",                      # tiers | allocation | merge | place_grouping
      "ics": "QGH",
      "vintage": "2022",                    # "2022" or "2026"
      "place_definition": "preset",         # preset | utla | ltla
      "name": "Option B",                   # optional in a file; the library's name
      "description": "...",                 # optional
      "bands": {"practice": [1000, 10000], "pcn": [30000, 50000], ...},     # tiers
      "regrouping": [{"step": "merge_pcns", "kept": "U1", "absorbed": "U2",
                      "name": null}, ...],                                   # tiers
      "allocation": {"format": "ics-allocation-scenario", "version": 1, ...},  # allocation
      "merge": ["QGH", "QUA"],                                               # merge
      "place_groupings": [{"practice_code": "A81001", "place_name": "North"}]  # any kind
    }

``allocation`` is the allocation page's own scenario JSON, unchanged
(:class:`layers.allocation.Scenario`), and a bare file in that format imports as an
allocation document (:func:`parse_document` with the page's ICS and vintage).
``place_groupings`` are the uploaded practice → place names the numbers used (required
for ``place_grouping``, allowed with any kind).

Everything is checked by the validators the pages already use:
:meth:`Scenario.from_dict <layers.allocation.Scenario.from_dict>`,
:func:`layers.tiers.validate_bands`, the :class:`layers.tiers.Regrouping` steps and
:func:`layers.uploads.validate_place_groupings`. A document from a newer format version
is refused with :class:`~dashboard.store.errors.DocumentVersionError`.

Examples
--------
>>> from layers import tiers
>>> doc = ScenarioDocument(
...     "tiers", "QGH", "2022", "preset", bands=dict(tiers.DEFAULT_BANDS),
...     regrouping=tiers.Regrouping().merge_pcns("U1", "U2"))
>>> again = parse_document(document_json(doc, "Option B"))
>>> again == doc, again.regrouping.operations[0].describe()
(True, 'Merge PCN U2 into PCN U1')
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

import pandas as pd

from dashboard.store.errors import DocumentError, DocumentVersionError
from dashboard.store.names import clean_description, clean_name
from layers import tiers
from layers.allocation import Scenario
from layers.allocation.scenario import SCENARIO_FORMAT, ScenarioError, ScenarioVersionError
from layers.export import neutralise
from layers.uploads import UploadError, UploadReport, validate_place_groupings

__all__ = [
    "DOCUMENT_FORMAT",
    "DOCUMENT_VERSION",
    "KINDS",
    "PLACE_DEFINITIONS",
    "VINTAGES",
    "ScenarioDocument",
    "check_place_groupings",
    "document_json",
    "parse_document",
    "place_groupings_report",
    "read_document",
]

DOCUMENT_FORMAT: Final = "ics-planner-scenario"
DOCUMENT_VERSION: Final = 1
#: What a document can hold, with the words a page shows.
KINDS: Final = {
    "tiers": "Tiers: bands and regrouping",
    "allocation": "Allocation",
    "merge": "What-if merge of ICSs",
    "place_grouping": "Uploaded place grouping",
}
# TODO(vintages): read these from layers.vintages once that registry lands.
#: Data vintages a document may name.
VINTAGES: Final = ("2022", "2026")
#: Place definitions a document may name (uploaded groupings travel in place_groupings).
PLACE_DEFINITIONS: Final = ("preset", "utla", "ltla")

_ICS_CODE = re.compile(r"^[A-Z0-9]{3,9}$")
_STEPS: Final = {
    "move_practice": tiers.MovePractice,
    "merge_pcns": tiers.MergePCNs,
    "move_pcn_to_place": tiers.MovePCNToPlace,
}
_STEP_NAMES: Final = {cls: name for name, cls in _STEPS.items()}
_KIND_FIELDS: Final = {
    "tiers": ("bands",),
    "allocation": ("allocation",),
    "merge": ("merge",),
    "place_grouping": ("place_groupings",),
}
_OPTIONAL_FIELDS: Final = {"tiers": ("regrouping",)}
_CONTENT_FIELDS: Final = ("bands", "regrouping", "allocation", "merge", "place_groupings")
_HEADER_KEYS: Final = ("format", "version", "kind", "ics", "vintage", "place_definition")
_KEYS: Final = (*_HEADER_KEYS, "name", "description", *_CONTENT_FIELDS)


@dataclass(frozen=True, eq=False)
class ScenarioDocument:
    """The complete state of one what-if, checked on construction.

    Parameters
    ----------
    kind : {"tiers", "allocation", "merge", "place_grouping"}
    ics : str
        ICB code, e.g. ``"QGH"``.
    vintage : {"2022", "2026"}
    place_definition : {"preset", "utla", "ltla"}
        The sidebar's definition (uploaded groupings are in ``place_groupings``).
    bands : mapping, optional
        Design bands (tiers; required there).
    regrouping : Regrouping, optional
        Regrouping steps (tiers; empty when left out).
    allocation : Scenario, optional
        The allocation scenario (allocation; required there).
    merge : sequence of str, optional
        ICB codes merged in a what-if (merge; required there, two or more).
    place_groupings : DataFrame or iterable of (practice_code, place_name), optional
        Uploaded place groupings (required for ``place_grouping``).

    Raises
    ------
    DocumentError
        Naming the field and the problem.
    """

    kind: str
    ics: str
    vintage: str
    place_definition: str
    bands: Mapping[str, tuple[int, int]] | None = None
    regrouping: tiers.Regrouping | None = None
    allocation: Scenario | None = None
    merge: tuple[str, ...] | None = None
    place_groupings: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DocumentError(
                f"Unknown scenario kind {self.kind!r}; expected one of {', '.join(KINDS)}."
            )
        if not isinstance(self.ics, str) or not _ICS_CODE.match(self.ics):
            raise DocumentError(f"ICS must be an ICB code such as 'QGH', got {self.ics!r}.")
        if self.vintage not in VINTAGES:
            raise DocumentError(
                f"Data vintage {self.vintage!r} is not one of {', '.join(VINTAGES)}."
            )
        if self.place_definition not in PLACE_DEFINITIONS:
            raise DocumentError(
                f"Place definition {self.place_definition!r} is not one of "
                f"{', '.join(PLACE_DEFINITIONS)}."
            )
        allowed = {
            *_KIND_FIELDS[self.kind],
            *_OPTIONAL_FIELDS.get(self.kind, ()),
            "place_groupings",
        }
        for name in _CONTENT_FIELDS:
            present = getattr(self, name) is not None
            if name in _KIND_FIELDS[self.kind] and not present:
                raise DocumentError(f"A {self.kind} scenario needs {name}.")
            if present and name not in allowed:
                raise DocumentError(f"A {self.kind} scenario cannot hold {name}.")
        self._set("bands", self._checked_bands())
        if self.kind == "tiers":
            self._set("regrouping", self._checked_regrouping())
        if self.allocation is not None and not isinstance(self.allocation, Scenario):
            raise DocumentError(
                f"allocation must be an allocation Scenario, got {type(self.allocation).__name__}."
            )
        self._set("merge", self._checked_merge())
        self._set("place_groupings", self._checked_groupings())

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _checked_bands(self) -> Mapping[str, tuple[int, int]] | None:
        if self.bands is None:
            return None
        try:
            return tiers.validate_bands(self.bands)
        except (TypeError, ValueError) as exc:
            raise DocumentError(f"bands: {exc}") from None

    def _checked_regrouping(self) -> tiers.Regrouping:
        if self.regrouping is None:
            return tiers.Regrouping()
        if not isinstance(self.regrouping, tiers.Regrouping):
            raise DocumentError(
                f"regrouping must be a Regrouping, got {type(self.regrouping).__name__}."
            )
        return self.regrouping

    def _checked_merge(self) -> tuple[str, ...] | None:
        if self.merge is None:
            return None
        codes = self.merge
        if isinstance(codes, str) or not isinstance(codes, Sequence):
            raise DocumentError("merge must be a list of ICB codes.")
        bad = [c for c in codes if not isinstance(c, str) or not _ICS_CODE.match(c)]
        if bad:
            raise DocumentError(f"merge holds values that are not ICB codes: {bad[:5]}.")
        if len(set(codes)) != len(codes) or len(codes) < 2:
            raise DocumentError("merge needs two or more different ICB codes.")
        return tuple(codes)

    def _checked_groupings(self) -> tuple[tuple[str, str], ...] | None:
        if self.place_groupings is None:
            return None
        rows = _grouping_rows(self.place_groupings)
        check_place_groupings(rows, [code for code, _ in rows])
        return rows

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScenarioDocument):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # holds a DataFrame-backed Scenario

    def place_groupings_frame(self) -> pd.DataFrame | None:
        """The uploaded groupings as ``practice_code``, ``place_name`` (None if none)."""
        if self.place_groupings is None:
            return None
        return pd.DataFrame(list(self.place_groupings), columns=["practice_code", "place_name"])

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dictionary, without ``name`` and ``description``."""
        out: dict[str, Any] = {
            "format": DOCUMENT_FORMAT,
            "version": DOCUMENT_VERSION,
            "kind": self.kind,
            "ics": self.ics,
            "vintage": self.vintage,
            "place_definition": self.place_definition,
        }
        if self.bands is not None:
            out["bands"] = {layer: list(pair) for layer, pair in self.bands.items()}
        if self.regrouping is not None:
            out["regrouping"] = [_step_dict(op) for op in self.regrouping.operations]
        if self.allocation is not None:
            out["allocation"] = self.allocation.to_dict()
        if self.merge is not None:
            out["merge"] = list(self.merge)
        if self.place_groupings is not None:
            out["place_groupings"] = [
                {"practice_code": code, "place_name": place} for code, place in self.place_groupings
            ]
        return out


def _step_dict(operation: object) -> dict[str, Any]:
    out = {"step": _STEP_NAMES[type(operation)]}
    out.update({f.name: getattr(operation, f.name) for f in fields(operation)})  # type: ignore[arg-type]
    return out


def _grouping_rows(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, pd.DataFrame):
        missing = {"practice_code", "place_name"} - set(value.columns)
        if missing:
            raise DocumentError(f"place_groupings lacks column(s) {', '.join(sorted(missing))}.")
        value = list(value[["practice_code", "place_name"]].itertuples(index=False, name=None))
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise DocumentError("place_groupings must be a list of practice_code, place_name pairs.")
    rows = []
    for i, row in enumerate(value, start=1):
        if isinstance(row, Mapping):
            extra = set(row) - {"practice_code", "place_name"}
            if extra or len(row) != 2:
                raise DocumentError(
                    f"place_groupings entry {i} must have exactly practice_code and place_name."
                )
            row = (row["practice_code"], row["place_name"])
        if (
            not isinstance(row, Sequence)
            or len(row) != 2
            or not all(isinstance(v, str) for v in row)
        ):
            raise DocumentError(f"place_groupings entry {i} must be two pieces of text.")
        rows.append((row[0], row[1]))
    if not rows:
        raise DocumentError("place_groupings is empty: a grouping needs at least one practice.")
    return tuple(rows)


def check_place_groupings(
    rows: Sequence[tuple[str, str]], known_practice_codes: Iterable[str]
) -> pd.DataFrame:
    """Check groupings with the upload validator; return the accepted rows.

    Every row must be accepted: a saved what-if must reproduce exactly, so a row the
    upload page would have dropped makes the whole document invalid.

    Parameters
    ----------
    rows : sequence of (practice_code, place_name)
    known_practice_codes : iterable of str
        The ICS's practices (the dashboard passes ``system.practices["practice_code"]``).

    Raises
    ------
    DocumentError
        With the validator's reasons.

    Examples
    --------
    >>> check_place_groupings([("A81001", "North")], ["A81001"])["place_name"].tolist()
    ['North']
    >>> check_place_groupings([("A81001", "North"), ("A81002", "")], ["A81001", "A81002"])
    Traceback (most recent call last):
    ...
    dashboard.store.errors.DocumentError: place_groupings: row 3: place_name is blank
    """
    return place_groupings_report(rows, known_practice_codes).accepted.reset_index(drop=True)


def place_groupings_report(
    rows: Sequence[tuple[str, str]],
    known_practice_codes: Iterable[str],
    filename: str | None = None,
) -> UploadReport:
    """The upload report of saved groupings, as the Your data page would have made it.

    The dashboard applies it to a session exactly as an upload (``SessionData.apply``).

    Raises
    ------
    DocumentError
        If the validator rejects the file or any row of it.

    Examples
    --------
    >>> report = place_groupings_report([("A81001", "North")], ["A81001"], "Option B")
    >>> report.kind, len(report.accepted), report.filename
    ('place_groupings', 1, 'Option B')
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["practice_code", "place_name"])
    writer.writerows(rows)
    try:
        report = validate_place_groupings(
            buffer.getvalue().encode(), known_practice_codes, filename=filename
        )
    except UploadError as exc:
        raise DocumentError(f"place_groupings: {exc}") from None
    if len(report.rejected):
        problems = "; ".join(
            f"row {row}: {reason}" for row, reason in report.rejected.itertuples(index=False)
        )
        raise DocumentError(f"place_groupings: {problems}")
    return report


def _regrouping_from_json(steps: object) -> tiers.Regrouping:
    if not isinstance(steps, list):
        raise DocumentError("regrouping must be a list of steps.")
    operations = []
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or step.get("step") not in _STEPS:
            raise DocumentError(
                f"regrouping step {i} must be an object whose 'step' is one of {', '.join(_STEPS)}."
            )
        cls = _STEPS[step["step"]]
        names = [f.name for f in fields(cls)]
        arguments = {k: v for k, v in step.items() if k != "step"}
        unknown = sorted(set(arguments) - set(names))
        if unknown:
            raise DocumentError(f"regrouping step {i} has unexpected key(s) {', '.join(unknown)}.")
        try:
            operations.append(cls(**arguments))
        except (TypeError, ValueError) as exc:
            raise DocumentError(f"regrouping step {i}: {exc}") from None
    return tiers.Regrouping(tuple(operations))


def _allocation_from_json(data: object) -> Scenario:
    try:
        return Scenario.from_dict(data)
    except ScenarioVersionError as exc:
        raise DocumentVersionError(f"allocation: {exc}") from None
    except ScenarioError as exc:
        raise DocumentError(f"allocation: {exc}") from None


def _check_format(data: dict[str, Any]) -> None:
    if data.get("format") != DOCUMENT_FORMAT:
        raise DocumentVersionError(
            f"This is not a scenario file (format {data.get('format')!r}; expected "
            f"{DOCUMENT_FORMAT!r} or an allocation scenario {SCENARIO_FORMAT!r})."
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DocumentError(f"The scenario file's version must be a whole number, got {version!r}.")
    if version > DOCUMENT_VERSION:
        raise DocumentVersionError(
            f"This scenario file is format version {version}, from a newer version of the "
            f"planner; this one reads up to version {DOCUMENT_VERSION}. Nothing was imported."
        )
    if version < 1:
        raise DocumentError(f"Scenario file version {version} does not exist.")


@dataclass(frozen=True)
class ParsedDocument:
    """A document read from JSON, with the name and description the file carried."""

    document: ScenarioDocument
    name: str | None
    description: str


def parse_document(
    text: str | bytes | Mapping[str, Any],
    *,
    ics: str | None = None,
    vintage: str | None = None,
    place_definition: str | None = None,
    known_practice_codes: Iterable[str] | None = None,
) -> ScenarioDocument:
    """Read a scenario document from JSON; see :func:`read_document` for the details."""
    return read_document(
        text,
        ics=ics,
        vintage=vintage,
        place_definition=place_definition,
        known_practice_codes=known_practice_codes,
    ).document


def read_document(
    text: str | bytes | Mapping[str, Any],
    *,
    ics: str | None = None,
    vintage: str | None = None,
    place_definition: str | None = None,
    known_practice_codes: Iterable[str] | None = None,
) -> ParsedDocument:
    """Read a scenario file: this format, or a bare allocation scenario file.

    Parameters
    ----------
    text : str, bytes or mapping
        The JSON text (or the decoded object).
    ics, vintage, place_definition : str, optional
        Where a bare allocation scenario (which names none of them) is being opened;
        required for one, ignored otherwise.
    known_practice_codes : iterable of str, optional
        The ICS's practices: when given, every practice in ``place_groupings`` must be
        one of them (without it only the rows' own form is checked).

    Returns
    -------
    ParsedDocument
        The document, and the file's name (None if it had none) and description.

    Raises
    ------
    DocumentVersionError
        Another format, or a newer version than this planner reads.
    DocumentError
        Malformed JSON, a missing or unexpected key, or any invalid value.

    Examples
    --------
    >>> from layers.allocation import Scenario, default_catalogue
    >>> legacy = Scenario("By need", 1000, default_catalogue()).to_json()
    >>> parsed = read_document(legacy, ics="QGH", vintage="2022", place_definition="preset")
    >>> parsed.document.kind, parsed.name
    ('allocation', 'By need')
    >>> read_document('{"format": "ics-planner-scenario", "version": 2}')
    Traceback (most recent call last):
    ...
    dashboard.store.errors.DocumentVersionError: This scenario file is format version 2, ...
    """
    data = _decode(text)
    if data.get("format") == SCENARIO_FORMAT:
        missing = [
            n
            for n, v in (("ics", ics), ("vintage", vintage), ("place_definition", place_definition))
            if v is None
        ]
        if missing:
            raise DocumentError(
                "An allocation scenario file does not say which ICS, vintage and places it is "
                f"for; open it on a page (missing: {', '.join(missing)})."
            )
        allocation = _allocation_from_json(data)
        document = ScenarioDocument(
            "allocation",
            ics,
            vintage,
            place_definition,
            allocation=allocation,  # type: ignore[arg-type]
        )
        return ParsedDocument(document, allocation.name, "")
    _check_format(data)
    absent = [k for k in _HEADER_KEYS if k not in data]
    if absent:
        raise DocumentError(f"The scenario file is missing key(s) {', '.join(absent)}.")
    extra = [str(k) for k in data if k not in _KEYS]
    if extra:
        raise DocumentError(f"The scenario file has unexpected key(s) {', '.join(extra)}.")
    content: dict[str, Any] = {}
    if "bands" in data:
        content["bands"] = data["bands"]
    if "regrouping" in data:
        content["regrouping"] = _regrouping_from_json(data["regrouping"])
    if "allocation" in data:
        content["allocation"] = _allocation_from_json(data["allocation"])
    if "merge" in data:
        content["merge"] = data["merge"]
    if "place_groupings" in data:
        content["place_groupings"] = data["place_groupings"]
    for key in ("bands", "merge", "place_groupings"):
        if key in content and content[key] is None:
            raise DocumentError(f"{key} must not be null; leave the key out instead.")
    try:
        document = ScenarioDocument(
            data["kind"], data["ics"], data["vintage"], data["place_definition"], **content
        )
    except TypeError as exc:  # e.g. an unhashable kind
        raise DocumentError(f"The scenario file is malformed: {exc}") from None
    if known_practice_codes is not None and document.place_groupings is not None:
        check_place_groupings(document.place_groupings, known_practice_codes)
    name = data.get("name")
    return ParsedDocument(
        document,
        None if name is None else clean_name(name),
        clean_description(data.get("description")),
    )


def _decode(text: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(text, Mapping):
        return dict(text)
    if not isinstance(text, (str, bytes, bytearray)):
        raise DocumentError(f"A scenario file must be JSON text, got {type(text).__name__}.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"The scenario file is not valid JSON: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}."
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        raise DocumentError(f"The scenario file is not JSON ({type(exc).__name__}).") from None
    if not isinstance(data, dict):
        raise DocumentError(f"A scenario file must be a JSON object, got {type(data).__name__}.")
    return data


def document_json(
    document: ScenarioDocument, name: str | None = None, description: str = "", indent: int = 2
) -> str:
    """The document as JSON for export, with formula prefixes neutralised in its text.

    Names, descriptions, merged PCN names and the allocation's name that start with
    ``=``, ``+``, ``-``, ``@``, tab or CR get a leading apostrophe, so a spreadsheet
    that opens the file shows them as text.

    Examples
    --------
    >>> from layers import tiers
    >>> doc = ScenarioDocument("tiers", "QGH", "2022", "ltla", bands=dict(tiers.DEFAULT_BANDS))
    >>> json.loads(document_json(doc, "Option B", "=1+1"))["description"]
    "'=1+1"
    """
    if not isinstance(document, ScenarioDocument):
        raise TypeError(f"expected a ScenarioDocument, got {type(document).__name__}")
    data = document.to_dict()
    header = {k: data.pop(k) for k in _HEADER_KEYS}
    if name is not None:
        header["name"] = neutralise(clean_name(name))
    description = clean_description(description)
    if description:
        header["description"] = neutralise(description)
    if "allocation" in data:
        data["allocation"]["name"] = neutralise(data["allocation"]["name"])
    for step in data.get("regrouping", ()):
        if step.get("name"):
            step["name"] = neutralise(step["name"])
    return json.dumps({**header, **data}, indent=indent, ensure_ascii=False, allow_nan=False)
