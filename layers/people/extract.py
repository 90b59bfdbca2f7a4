"""Find an extract's Parquet files, check their columns, and plan the work.

:func:`plan_extract` opens every file's footer (never the data), matches the columns of
:mod:`layers.people.schema` without regard to case, decides how each is read, and
splits the files into fragments (runs of row groups) for the engines. One quick scan
reads only ``practice_code`` and ``lsoa_year``: the practices tell which systems'
lookups are needed, and the LSOA years which data vintage fits the extract.

Column problems are settled here, once, so that every engine reads the same way:

* a required column absent from every file, or of a type that cannot hold its values
  (e.g. ``age`` stored as booleans), stops the run with a clear message: no row could
  be used;
* a required column absent from some files only: those files' rows are rejects
  ("missing or unreadable value");
* an optional column of an unusable type is ignored, and said so in the summary.

:func:`read_fragment` reads one fragment as a pandas frame with the canonical column
names (the pandas and Dask engines use it; DuckDB reads the files itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from layers.people.errors import ExtractError
from layers.people.schema import FIELDS, LSOA_YEARS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

__all__ = [
    "FRAGMENT_ROWS",
    "RAW_COLUMNS",
    "ExtractPlan",
    "Fragment",
    "extract_files",
    "ids_in_order",
    "plan_extract",
    "ranges_disjoint",
    "read_fragment",
]

#: Target rows per fragment (one task for the Dask engine).
FRAGMENT_ROWS: Final = 2_000_000

#: Source types each kind of column accepts: "int", "float", "string".
_ACCEPTED: Final = {
    "id": {"int", "string"},
    "code": {"int", "string"},
    "text": {"int", "string"},
    "band": {"string"},
    "year": {"int", "float", "string"},
    "age": {"int", "float", "string"},
    "count": {"int", "float", "string"},
    "score": {"int", "float", "string"},
}
_KIND: Final = {f.name: f.kind for f in FIELDS}


@dataclass(frozen=True)
class Fragment:
    """A run of row groups of one file, read as one piece.

    Row groups are gathered until the next would take the fragment past
    :data:`FRAGMENT_ROWS` rows, so a read (:func:`read_fragment`, one Dask task) holds
    no more rows than that unless a single row group does.

    Attributes
    ----------
    path : str
        The Parquet file.
    row_groups : tuple of int
        Row groups to read.
    rows : int
        Rows in them.
    partition : tuple of (str, str)
        Hive partition keys and values from the path (``icb=QGH``).
    """

    path: str
    row_groups: tuple[int, ...]
    rows: int
    partition: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExtractPlan:
    """How an extract is read: its files, the columns found, and what they hold.

    Attributes
    ----------
    root : str
        The path given.
    files : tuple of str
        Parquet files, sorted.
    fragments : tuple of Fragment
    rows : int
        Rows in all files (from the footers).
    columns : dict of str to dict of str to str
        Canonical column → {file: actual column name} where the file has it.
    types : dict of str to str
        Canonical column → "int", "float" or "string": the widest source type met.
    id_kind : {"int", "string"}
        How ``person_id`` is read: integers only when every file stores integers.
    age_column : {"age", "age_band_5"}
    optional : tuple of str
        Optional columns present and usable.
    ignored_columns : tuple of (str, str)
        Optional columns present but unusable, with the reason.
    lsoa_years : dict of int to int
        Rows by ``lsoa_year`` value (2011, 2021; other values are not counted).
    practice_codes : tuple of str
        Distinct practice codes, trimmed and upper-cased.
    hive : bool
        Whether any file has hive partition keys.
    raw_values : dict of str to tuple of str
        For ``practice_code``, ``lsoa_code`` and ``sex`` when stored as text in every
        file: their distinct values as stored (for :mod:`layers.people.engine_duckdb`).
    """

    root: str
    files: tuple[str, ...]
    fragments: tuple[Fragment, ...]
    rows: int
    columns: dict[str, dict[str, str]]
    types: dict[str, str]
    id_kind: str
    age_column: str
    optional: tuple[str, ...]
    ignored_columns: tuple[tuple[str, str], ...] = ()
    lsoa_years: dict[int, int] = field(default_factory=dict)
    practice_codes: tuple[str, ...] = ()
    hive: bool = False
    raw_values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def used_columns(self) -> tuple[str, ...]:
        """Canonical columns the engines read."""
        return (*REQUIRED_COLUMNS, self.age_column, *self.optional)

    @property
    def majority_lsoa_year(self) -> int | None:
        """The LSOA year most rows state (ties: the older), or None if none is valid."""
        if not self.lsoa_years:
            return None
        return max(sorted(self.lsoa_years), key=lambda y: self.lsoa_years[y])


def extract_files(path: str | Path) -> list[Path]:
    """The Parquet files of an extract: the file itself, or every ``*.parquet`` below a folder.

    Files and folders whose names start with ``.`` or ``_`` (``_SUCCESS``, ``.crc``) are
    skipped, as Spark and Arrow write them.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    list of pathlib.Path
        Sorted.

    Raises
    ------
    ExtractError
        If the path does not exist, or a folder holds no Parquet file.

    Examples
    --------
    >>> extract_files("/no/such/extract")
    Traceback (most recent call last):
    ...
    layers.people.errors.ExtractError: The extract /no/such/extract does not exist.
    """
    root = Path(path)
    if not root.exists():
        raise ExtractError(f"The extract {root} does not exist.")
    if root.is_file():
        return [root]
    files = sorted(
        p
        for p in root.rglob("*.parquet")
        if p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    )
    if not files:
        raise ExtractError(
            f"The folder {root} holds no Parquet files (*.parquet). Point at the extract's "
            "file or at the folder of its parts."
        )
    return files


def _hive_keys(file: Path, root: Path) -> tuple[tuple[str, str], ...]:
    if file == root:
        return ()
    keys = []
    for part in file.relative_to(root).parts[:-1]:
        key, sep, value = part.partition("=")
        if sep and key:
            keys.append((key, value))
    return tuple(keys)


def _type_class(arrow_type: pa.DataType) -> str:
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "float"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_null(arrow_type):
        return "null"
    return str(arrow_type)


def _open(file: Path) -> pq.ParquetFile:
    if file.stat().st_size == 0:
        raise ExtractError(f"The file {file} is empty (0 bytes).")
    try:
        return pq.ParquetFile(file)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ExtractError(
            f"The file {file} cannot be read as Parquet ({str(exc).splitlines()[0]}). "
            "Export the extract as Parquet."
        ) from None


def _fragments(file: Path, meta: pq.FileMetaData, partition: tuple) -> list[Fragment]:
    out: list[Fragment] = []
    groups: list[int] = []
    rows = 0
    for i in range(meta.num_row_groups):
        n = meta.row_group(i).num_rows
        if groups and rows + n > FRAGMENT_ROWS:
            out.append(Fragment(str(file), tuple(groups), rows, partition))
            groups, rows = [], 0
        groups.append(i)
        rows += n
    if groups and rows:
        out.append(Fragment(str(file), tuple(groups), rows, partition))
    return out


def _resolve_columns(
    schemas: dict[str, dict[str, tuple[str, str]]],
) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    """Canonical column → {file: name}, its type class, and problems by column."""
    columns: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    problems: dict[str, str] = {}
    for f in FIELDS:
        seen: dict[str, str] = {}
        classes: set[str] = set()
        for file, names in schemas.items():
            if f.name in names:
                actual, cls = names[f.name]
                seen[file] = actual
                classes.add(cls)
        if not seen:
            continue
        columns[f.name] = seen
        classes.discard("null")  # a column with no value in a file fits any type
        bad = sorted(classes - _ACCEPTED[f.kind])
        if bad:
            problems[f.name] = (
                f"column {f.name!r} is stored as {', '.join(bad)}; it must be "
                f"{' or '.join(sorted(_ACCEPTED[f.kind]))}"
            )
            continue
        for wide in ("string", "float", "int"):
            if wide in classes:
                types[f.name] = wide
                break
        else:
            types[f.name] = "string"  # null in every file
    return columns, types, problems


def plan_extract(path: str | Path, *, scan: bool = True) -> ExtractPlan:
    """Check an extract's files and columns and plan how the engines read it.

    Parameters
    ----------
    path : str or pathlib.Path
        A Parquet file, a folder of them, or a hive layout.
    scan : bool, default True
        Read ``practice_code`` and ``lsoa_year`` to count LSOA years and list practices
        (False leaves :attr:`ExtractPlan.lsoa_years` and ``practice_codes`` empty).

    Returns
    -------
    ExtractPlan

    Raises
    ------
    ExtractError
        If the path does not exist, a file is empty or not Parquet, the extract has no
        rows, or a required column is missing from every file or stored as a type that
        cannot hold its values.

    Examples
    --------
    >>> import tempfile
    >>> people = pd.DataFrame({"person_id": [1, 2], "practice_code": ["A81001"] * 2,
    ...     "lsoa_code": ["E01011959", None], "lsoa_year": [2011, 2011], "age": [40, 81],
    ...     "sex": ["F", "M"], "frailty": ["mild", "severe"]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     people.to_parquet(f"{tmp}/people.parquet")
    ...     plan = plan_extract(tmp)
    >>> plan.rows, plan.id_kind, plan.age_column, plan.optional, plan.lsoa_years
    (2, 'int', 'age', ('frailty',), {2011: 2})
    """
    root = Path(path)
    files = extract_files(root)
    schemas: dict[str, dict[str, tuple[str, str]]] = {}
    fragments: list[Fragment] = []
    rows = 0
    hive = False
    for file in files:
        parquet = _open(file)
        partition = _hive_keys(file, root)
        hive = hive or bool(partition)
        names = {
            name.strip().lower(): (name, _type_class(parquet.schema_arrow.field(name).type))
            for name in parquet.schema_arrow.names
        }
        for key, _ in partition:
            names.setdefault(key.strip().lower(), (key, "string"))
        schemas[str(file)] = names
        fragments.extend(_fragments(file, parquet.metadata, partition))
        rows += parquet.metadata.num_rows
    if rows == 0:
        raise ExtractError(f"The extract {root} has no rows.")

    columns, types, problems = _resolve_columns(schemas)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    age_column = "age" if "age" in columns else "age_band_5"
    if age_column not in columns:
        missing.append("age (or age_band_5)")
    if missing:
        found = sorted({name for names in schemas.values() for name, _ in names.values()})
        raise ExtractError(
            f"The extract has no column {', '.join(repr(m) for m in missing)} "
            f"(required: {', '.join(REQUIRED_COLUMNS)} and age or age_band_5). "
            f"Columns found: {', '.join(found[:20])}."
        )
    fatal = [problems[c] for c in (*REQUIRED_COLUMNS, age_column) if c in problems]
    if fatal:
        raise ExtractError(
            "No row can be used: " + "; ".join(fatal) + ". Fix the column type and export again."
        )
    optional = tuple(c for c in OPTIONAL_COLUMNS if c in columns and c not in problems)
    ignored = tuple((c, problems[c]) for c in OPTIONAL_COLUMNS if c in problems)
    plan = ExtractPlan(
        root=str(root),
        files=tuple(str(f) for f in files),
        fragments=tuple(fragments),
        rows=rows,
        columns=columns,
        types=types,
        id_kind="int" if types["person_id"] == "int" else "string",
        age_column=age_column,
        optional=optional,
        ignored_columns=ignored,
        hive=hive,
    )
    if not scan:
        return plan
    years, practices, raw = _scan(plan)
    return ExtractPlan(
        **{**plan.__dict__, "lsoa_years": years, "practice_codes": practices, "raw_values": raw}
    )


def _distinct(fragment: Fragment, plan: ExtractPlan, name: str) -> list[tuple[object, int]]:
    """Distinct values of a column in a fragment with their rows (Arrow compute, no pandas)."""
    source = plan.columns.get(name, {}).get(fragment.path)
    if source is None:
        return []
    partition = dict(fragment.partition)
    if source in partition:
        return [(partition[source], fragment.rows)]
    column = (
        pq.ParquetFile(fragment.path)
        .read_row_groups(list(fragment.row_groups), columns=[source])
        .column(0)
    )
    counts = pc.value_counts(column)  # on a dictionary column: its indices, fast
    values = counts.field("values").to_pylist()
    return list(zip(values, counts.field("counts").to_pylist(), strict=True))


#: Text columns whose distinct stored values the plan lists (an engine can then read
#: each distinct value once instead of every row's).
RAW_COLUMNS: Final = ("practice_code", "lsoa_code", "sex")


def _scan(plan: ExtractPlan) -> tuple[dict[int, int], tuple[str, ...], dict]:
    years: Counter[int] = Counter()
    raw: dict[str, set[str]] = {name: set() for name in RAW_COLUMNS}
    for fragment in plan.fragments:
        for name in RAW_COLUMNS:
            raw[name].update(v for v, _ in _distinct(fragment, plan, name) if v is not None)
        for value, n in _distinct(fragment, plan, "lsoa_year"):
            year = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
            if year in LSOA_YEARS:
                years[int(year)] += int(n)
    practices = {str(v).strip(" ").upper() for v in raw["practice_code"]} - {""}
    stored_as_text = {
        name: tuple(sorted(map(str, values)))
        for name, values in raw.items()
        if plan.types.get(name) == "string"
        and not any(plan.columns[name].get(f.path) in dict(f.partition) for f in plan.fragments)
    }
    return dict(sorted(years.items())), tuple(sorted(practices)), stored_as_text


def ids_in_order(plan: ExtractPlan) -> bool:
    """Whether integer ids are known to be unique without counting them.

    They are when every fragment's ids rise strictly and no two fragments' ranges
    overlap, as the synthetic extract and extracts sorted by id are written. One pass
    over the id column; False otherwise (the engines then count).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name, ids in (("a", [1, 2, 5]), ("b", [6, 9]), ("c", [3])):
    ...         rows = pd.DataFrame({"person_id": ids, "practice_code": "A", "lsoa_code": "E",
    ...                              "lsoa_year": 2011, "age": 1, "sex": "F"})
    ...         rows.to_parquet(f"{tmp}/{name}.parquet")
    ...     overlapping = ids_in_order(plan_extract(tmp, scan=False))  # c's 3 is inside a's
    ...     rows.assign(person_id=[10]).to_parquet(f"{tmp}/c.parquet")
    ...     apart = ids_in_order(plan_extract(tmp, scan=False))
    >>> overlapping, apart
    (False, True)
    """
    if plan.id_kind != "int":
        return False
    ranges = []
    for fragment in plan.fragments:
        source = plan.columns["person_id"].get(fragment.path)
        if source is None or source in dict(fragment.partition):
            return False
        column = (
            pq.ParquetFile(fragment.path)
            .read_row_groups(list(fragment.row_groups), columns=[source])
            .column(0)
        )
        if column.null_count:
            return False
        ids = pc.cast(column, pa.int64()).to_numpy()
        if len(ids) == 0:
            continue
        if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
            return False
        ranges.append((int(ids[0]), int(ids[-1])))
    return ranges_disjoint(ranges)


def ranges_disjoint(ranges: list[tuple[object, object]]) -> bool:
    """Whether no two closed ranges ``(low, high)`` overlap.

    Examples
    --------
    >>> ranges_disjoint([(5, 9), (1, 4)]), ranges_disjoint([(1, 5), (5, 9)])
    (True, False)
    """
    ordered = sorted(ranges)
    return all(hi < next_lo for (_, hi), (next_lo, _) in pairwise(ordered))


def _to_pandas(column: pa.ChunkedArray, kind: str, id_kind: str) -> pd.Series:
    """One column as pandas: ids as Int64 or text, text (dictionary: categorical), numbers."""
    value_type = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_dictionary(column.type) and not (
        kind in ("code", "text", "band") and _type_class(value_type) == "string"
    ):
        column = pc.cast(column, value_type)
    if kind == "id":
        if id_kind == "int":
            return pc.cast(column, pa.int64()).to_pandas(
                types_mapper={pa.int64(): pd.Int64Dtype()}.get
            )
        return pc.cast(column, pa.string()).to_pandas().astype(object)
    if kind in ("code", "text", "band"):
        if _type_class(value_type) == "int":
            column = pc.cast(column, pa.string())
        return column.to_pandas()
    if _type_class(value_type) in ("int", "float"):
        return pc.cast(column, pa.float64()).to_pandas()
    return column.to_pandas()


def read_fragment(
    fragment: Fragment, plan: ExtractPlan, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Read one fragment with canonical column names; absent columns are all null.

    Values are as stored (text stays text); :func:`layers.people.rules.normalise`
    reads them as their types.

    Parameters
    ----------
    fragment : Fragment
    plan : ExtractPlan
    columns : sequence of str, optional
        Canonical columns to read; default :attr:`ExtractPlan.used_columns`.

    Returns
    -------
    pandas.DataFrame
        One column per name in ``columns``, ``fragment.rows`` rows.
    """
    wanted = list(columns or plan.used_columns)
    partition = dict(fragment.partition)
    actual: dict[str, str] = {}
    from_path: dict[str, str] = {}
    for name in wanted:
        source = plan.columns.get(name, {}).get(fragment.path)
        if source is None:
            continue
        if source in partition:
            from_path[name] = partition[source]
        else:
            actual[name] = source
    parquet = pq.ParquetFile(fragment.path)
    table = parquet.read_row_groups(list(fragment.row_groups), columns=list(actual.values()))
    data: dict[str, object] = {}
    for name in wanted:
        if name in actual:
            data[name] = _to_pandas(table.column(actual[name]), _KIND[name], plan.id_kind)
        elif name in from_path:
            data[name] = pd.Series([from_path[name]] * table.num_rows, dtype=object)
        else:
            data[name] = pd.Series([None] * table.num_rows, dtype=object)
    frame = pd.DataFrame(data)
    if len(frame) != fragment.rows:  # a file changed between planning and reading
        raise ExtractError(f"{fragment.path} changed while it was being read; run again.")
    return frame.reset_index(drop=True)
