"""Re-scan any aggregates file for disclosure leaks, as the project's leak scan does.

``python -m layers.people check FILE`` and the dashboard's upload both call
:func:`check_table`. A file is refused when it

* holds person-level rows (any column of the person-level schema, e.g. ``person_id``,
  ``age``, ``lsoa_code``): only aggregates may leave the secure environment;
* lacks the aggregates columns or metadata, or has columns besides them;
* shows a count the rule forbids: 1 to 7 not suppressed, or a count that is not 0 or a
  multiple of 5 (an unrounded 11), in a cell or in the metadata's summary;
* has a total that reveals a suppressed count: an additive relation with exactly one
  suppressed member (:mod:`layers.people.control`);
* is incomplete (a unit without its 80 cells), or names an unknown level, tier, decile
  or band.

Examples
--------
>>> check_table(pd.DataFrame({"person_id": [1], "age": [40]}), None)[0][:44]
'This file holds person-level rows (columns: '
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa

from layers.disclosure import SUPPRESSED
from layers.people.control import MAX_PROBLEMS, audit, safe_value
from layers.people.cube import ALL, CELL_KEYS, DECILE_LABELS, LEVELS, TIER_LABELS
from layers.people.errors import PeopleError
from layers.people.output import FORMAT, FORMAT_VERSION, read_aggregates
from layers.people.schema import FIELDS
from layers.people.tiering import AGE_BAND_LABELS

__all__ = [
    "PERSON_LEVEL_COLUMNS",
    "CheckResult",
    "check_file",
    "check_source",
    "check_table",
    "published_people",
]

#: Columns that mark a file as person-level: the extract schema's own (but the practice
#: code, which cells carry too) and common identifiers of people.
PERSON_LEVEL_COLUMNS: Final = frozenset(
    {f.name for f in FIELDS} - set(CELL_KEYS)
    | {"nhs_number", "patient_id", "pseudo_id", "date_of_birth", "dob", "postcode"}
)

_ALLOWED: Final = {
    "level": set(LEVELS),
    "risk_tier": set(TIER_LABELS),
    "imd_decile": {*DECILE_LABELS, ALL},
    "age_band": {*AGE_BAND_LABELS, ALL},
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking an aggregates file.

    Attributes
    ----------
    problems : tuple of str
        One line per problem; empty when the file passes.
    cells : pandas.DataFrame or None
        The cells read (``people`` as nullable integers, NA where suppressed).
    metadata : dict or None
    """

    problems: tuple[str, ...]
    cells: pd.DataFrame | None
    metadata: dict | None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def published_people(values: pd.Series) -> pd.Series:
    """Published counts as objects: None where suppressed (null or ``"*"``), else as stored.

    Examples
    --------
    >>> published_people(pd.Series(["*", "10", None, 3], dtype=object)).tolist()
    [None, '10', None, 3]
    """
    out = values.astype(object)
    hidden = out.isna() | (out == SUPPRESSED)
    return out.where(~hidden, None)


def _as_int(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_table(cells: pd.DataFrame, metadata: Mapping | None) -> list[str]:
    """All the problems of an aggregates table and its metadata (empty list: it passes).

    Parameters
    ----------
    cells : pandas.DataFrame
        As read from the file.
    metadata : mapping or None
        The file's metadata JSON.

    Returns
    -------
    list of str
    """
    columns = [str(c) for c in cells.columns]
    personal = sorted(set(c.strip().lower() for c in columns) & PERSON_LEVEL_COLUMNS)
    if personal:
        return [
            f"This file holds person-level rows (columns: {', '.join(personal)}). Only the "
            "aggregates made by `python -m layers.people aggregate` may leave the secure "
            "environment; person-level files are refused."
        ]
    problems: list[str] = []
    missing = [c for c in (*CELL_KEYS, "people") if c not in columns]
    extra = [c for c in columns if c not in (*CELL_KEYS, "people")]
    if missing:
        problems.append(
            f"Not an aggregates file: columns {', '.join(missing)} are missing (it needs "
            f"{', '.join((*CELL_KEYS, 'people'))})."
        )
    if extra:
        problems.append(
            f"Unexpected column(s) {', '.join(extra)}: an aggregates file holds only its "
            "cells' keys and the published count, people."
        )
    if metadata is None:
        problems.append("The file has no aggregates metadata (rule, counts, schema version).")
    elif metadata.get("format") != FORMAT:
        problems.append(f"The file's metadata is not of the {FORMAT} format.")
    elif str(metadata.get("format_version")) != FORMAT_VERSION:
        problems.append(
            f"The file is of format version {metadata.get('format_version')!r}; this version "
            f"of the product reads version {FORMAT_VERSION}."
        )
    if missing:
        return problems
    for column, allowed in _ALLOWED.items():
        bad = sorted({str(v) for v in pd.unique(cells[column].dropna())} - allowed)
        if bad or cells[column].isna().any():
            problems.append(f"Column {column} has unknown values: {bad[:5] or ['(blank)']}.")
    if problems:
        return problems
    frame = cells[[*CELL_KEYS, "people"]]
    summary: dict[str, object] = {}
    if isinstance(metadata, Mapping):
        summary = dict(metadata.get("summary") or {})
        ignored = dict(metadata.get("ignored_values") or {})
        for name, value in (*summary.items(), *ignored.items()):
            if not safe_value(_as_int(value)):
                problems.append(f"metadata count {name!r} = {value!r} breaks the rule")
        summary = {k: (None if v in (None, SUPPRESSED) else _as_int(v)) for k, v in summary.items()}
    found = audit(frame, summary or None)
    if len(found) > MAX_PROBLEMS:
        found = [*found[:MAX_PROBLEMS], f"... and {len(found) - MAX_PROBLEMS} more problems"]
    return problems + found


def check_file(path: str | Path) -> CheckResult:
    """Read an aggregates file and check it.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    CheckResult

    Raises
    ------
    PeopleError
        If the path does not exist, is empty, or is not a Parquet file.
    """
    file = Path(path)
    if not file.exists():
        raise PeopleError(f"The file {file} does not exist.")
    if file.is_dir():
        raise PeopleError(f"{file} is a folder; give the aggregates file itself.")
    if file.stat().st_size == 0:
        raise PeopleError(f"The file {file} is empty (0 bytes).")
    return check_source(file, f"The file {file}")


def check_source(source: Path | bytes, name: str = "The file") -> CheckResult:
    """Read an aggregates file (a path or its bytes) and check it.

    Parameters
    ----------
    source : pathlib.Path or bytes
    name : str
        How messages name the file.

    Returns
    -------
    CheckResult
        ``cells`` hold ``people`` as nullable integers when the file passes.

    Raises
    ------
    PeopleError
        If it cannot be read as Parquet.
    """
    try:
        cells, metadata, _ = read_aggregates(source)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PeopleError(
            f"{name} cannot be read as Parquet ({str(exc).splitlines()[0]})."
        ) from None
    problems = check_table(cells, metadata)
    if not problems:
        people = published_people(cells["people"]).map(_as_int)
        cells = cells.assign(people=pd.array(people.tolist(), dtype="Int64"))
    return CheckResult(tuple(problems), cells, metadata)
