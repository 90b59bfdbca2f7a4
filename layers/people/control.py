"""Output checking: the small-number rule, protection against differencing, and the audit.

Every count written follows the rule of :mod:`layers.disclosure`: 0 stays 0, 1 to 7
are suppressed, others are rounded to the nearest 5. Each published figure is the rule
applied to its **own** unrounded count (totals are never sums of rounded cells).

Differencing. A total published beside its parts reveals a suppressed part when it is
the only suppressed member of the sum: total minus the others gives it (give or take
the rounding). This module therefore uses **secondary suppression**: every additive
relation in the file must have no suppressed member or at least two. The relations are

* within a unit: ``all`` tiers = low + rising + high (for every decile and band cell);
  a tier's ``all`` = the sum over deciles (with ``unknown``), and = the sum over bands;
* between levels, for every (tier, decile, band) cell: a PCN = its practices; a place =
  its practices; a place = its PCNs + its practices in no PCN; an ICS = its practices,
  = its PCNs (``NO-PCN`` included), = its places;
* in the summary: rows read = rows used + each reject reason; rows used = the rows of
  each tier source; rows used = the ICS totals.

:func:`protect` suppresses the primary cells (1-7), then, while some relation has
exactly one suppressed member, suppresses its smallest other non-zero member, until
none has (a cell suppressed this way is shown as ``*`` too, so a reader cannot tell
which ``*`` hides a small number). The rounding stays on top. :func:`audit` is the
output check: it re-derives the relations from a published table alone and reports
any value that breaks the rule and any relation with one suppressed member. This is a
first-order audit (one relation at a time), the standard check of secondary
suppression; the rounding of every other figure blurs what several relations could
tell together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from layers.disclosure import ROUNDING_BASE, SUPPRESSED, SUPPRESSION_MAX
from layers.people.cube import ALL, cell_grid
from layers.tiers import NO_PCN_CODE

__all__ = [
    "MAX_PROBLEMS",
    "Relations",
    "audit",
    "protect",
    "publish_value",
    "relations",
    "safe_value",
]

#: Problems listed in a message before "and N more".
MAX_PROBLEMS: Final = 12

_WITHIN: Final = (
    ("tiers", ["imd_decile", "age_band"], None),
    ("deciles", ["risk_tier"], ("age_band", ALL)),
    ("age bands", ["risk_tier"], ("imd_decile", ALL)),
)


@dataclass(frozen=True)
class Relations:
    """Additive relations over a vector of counts: which member belongs to which sum.

    Attributes
    ----------
    member : numpy.ndarray of int64
        Index into the vector of counts (cells first, then summary items).
    group : numpy.ndarray of int64
        The relation of each membership.
    kind : numpy.ndarray of int64
        Index into ``labels`` per relation.
    example : numpy.ndarray of int64
        A cell of each relation (-1 for the summary's), for its name.
    labels : list of (str, tuple of str)
        What each kind of relation says, and the cell columns that name one.
    cells : pandas.DataFrame
        The cells, for names.
    """

    member: np.ndarray
    group: np.ndarray
    kind: np.ndarray
    example: np.ndarray
    labels: list[tuple[str, tuple[str, ...]]]
    cells: pd.DataFrame

    @property
    def count(self) -> int:
        """Number of relations."""
        return len(self.kind)

    def name(self, g: int) -> str:
        """The relation's description, e.g. ``"ICS = its places (QGH, high, 1, all)"``."""
        label, columns = self.labels[self.kind[g]]
        if self.example[g] < 0 or not columns:
            return label
        row = self.cells.iloc[int(self.example[g])]
        keys = ", ".join(str(row[c]) for c in columns if row[c] is not None)
        return f"{label} ({keys})"


class _Codes(dict):
    """Integer codes of each column's values (0 = null), made once per column."""

    def __init__(self, cells: pd.DataFrame) -> None:
        super().__init__()
        self.cells = cells

    def __missing__(self, column: str) -> tuple[np.ndarray, int]:
        codes, uniques = pd.factorize(self.cells[column], use_na_sentinel=True)
        self[column] = (codes.astype(np.int64) + 1, len(uniques) + 1)
        return self[column]

    def key(self, columns: list[str], rows: np.ndarray) -> np.ndarray:
        """One int64 key per row in ``rows`` for the values of ``columns``."""
        key = np.zeros(len(rows), dtype=np.int64)
        for column in columns:
            codes, size = self[column]
            key = key * size + codes[rows]
        return key


def _groups(codes: _Codes, mask: np.ndarray, keys: list[str]) -> tuple[np.ndarray, ...]:
    """Members (cell rows), relation ids and an example row of each relation."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    _, first, ids = np.unique(codes.key(keys, rows), return_index=True, return_inverse=True)
    sizes = np.bincount(ids)
    kept = np.flatnonzero(sizes > 1)  # a "relation" of one member says nothing
    new_id = np.full(len(sizes), -1, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    keep = sizes[ids] > 1
    return rows[keep], new_id[ids[keep]], rows[first[kept]]


def relations(cells: pd.DataFrame, summary: Mapping[str, object] | None = None) -> Relations:
    """The additive relations of a table of cells (and of its summary counts).

    Parameters
    ----------
    cells : pandas.DataFrame
        The columns of :data:`layers.people.cube.CELL_KEYS`.
    summary : mapping, optional
        Summary counts by item: ``rows_read``, ``rows_used``, ``reject: <reason>``,
        ``tier source: <source>``; they are numbered after the cells, in mapping order.

    Returns
    -------
    Relations
    """
    families: list[tuple[str, np.ndarray, list[str]]] = []
    level = cells["level"].to_numpy()
    unit = ["level", "icb_code", "unit_code"]
    for label, dims, fixed in _WITHIN:
        mask = (
            np.ones(len(cells), dtype=bool)
            if fixed is None
            else cells[fixed[0]].to_numpy() == fixed[1]
        )
        families.append((f"a unit's total over {label}", mask, unit + dims))
    cell = ["risk_tier", "imd_decile", "age_band"]
    no_pcn = cells["pcn_code"].to_numpy() == NO_PCN_CODE
    in_place = (level == "place") | ((level == "pcn") & ~no_pcn) | ((level == "practice") & no_pcn)
    families += [
        ("PCN = its practices", np.isin(level, ["pcn", "practice"]), ["icb_code", "pcn_code"]),
        (
            "place = its practices",
            np.isin(level, ["place", "practice"]),
            ["icb_code", "place_code"],
        ),
        ("place = its PCNs and practices in no PCN", in_place, ["icb_code", "place_code"]),
        ("ICS = its practices", np.isin(level, ["ics", "practice"]), ["icb_code"]),
        ("ICS = its PCNs", np.isin(level, ["ics", "pcn"]), ["icb_code"]),
        ("ICS = its places", np.isin(level, ["ics", "place"]), ["icb_code"]),
    ]
    members: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    examples: list[np.ndarray] = []
    labels: list[tuple[str, tuple[str, ...]]] = []
    offset = 0
    codes = _Codes(cells)
    for i, (label, mask, by) in enumerate(families):
        keys = by if i < len(_WITHIN) else [*by, *cell]
        rows, ids, example = _groups(codes, mask, keys)
        members.append(rows)
        groups.append(ids + offset)
        kinds.append(np.full(len(example), len(labels), dtype=np.int64))
        examples.append(example)
        labels.append((label, tuple(c for c in keys if c != "level")))
        offset += len(example)
    if summary is not None:
        items = list(summary)
        position = {item: len(cells) + i for i, item in enumerate(items)}
        totals = np.flatnonzero(
            (level == "ics")
            & (cells["risk_tier"].to_numpy() == ALL)
            & (cells["imd_decile"].to_numpy() == ALL)
            & (cells["age_band"].to_numpy() == ALL)
        )
        summary_relations = [
            (
                "rows read = rows used + rejects",
                ["rows_read", "rows_used", *(i for i in items if i.startswith("reject: "))],
                [],
            ),
            (
                "rows used = rows by tier source",
                ["rows_used", *(i for i in items if i.startswith("tier source: "))],
                [],
            ),
            ("rows used = ICS totals", ["rows_used"], list(totals)),
        ]
        for label, item_names, cell_rows in summary_relations:
            indices = [position[i] for i in item_names if i in position] + cell_rows
            if len(indices) > 1:
                members.append(np.asarray(indices, dtype=np.int64))
                groups.append(np.full(len(indices), offset, dtype=np.int64))
                kinds.append(np.array([len(labels)], dtype=np.int64))
                examples.append(np.array([-1], dtype=np.int64))
                labels.append((label, ()))
                offset += 1
    return Relations(
        member=np.concatenate(members).astype(np.int64),
        group=np.concatenate(groups).astype(np.int64),
        kind=np.concatenate(kinds).astype(np.int64),
        example=np.concatenate(examples).astype(np.int64),
        labels=labels,
        cells=cells,
    )


def protect(counts: np.ndarray, rels: Relations) -> tuple[np.ndarray, int]:
    """Primary and secondary suppression: which counts to show as ``*``.

    Parameters
    ----------
    counts : numpy.ndarray of int64
        Unrounded counts (cells, then summary items), in the order of ``rels``.
    rels : Relations

    Returns
    -------
    suppressed : numpy.ndarray of bool
    n_secondary : int
        Counts suppressed to protect others.

    Examples
    --------
    A total of three parts, one of them 3: the smallest other part is suppressed too.

    >>> rels = Relations(np.array([0, 1, 2, 3]), np.zeros(4, dtype=np.int64),
    ...     np.zeros(1, dtype=np.int64), np.array([-1]), [("a total", ())], pd.DataFrame())
    >>> hidden, extra = protect(np.array([63, 40, 20, 3]), rels)
    >>> hidden.tolist(), extra
    ([False, False, True, True], 1)
    """
    counts = np.asarray(counts, dtype=np.int64)
    primary = (counts >= 1) & (counts <= SUPPRESSION_MAX)
    hidden = primary.copy()
    n_groups = rels.count
    if not n_groups:
        return hidden, 0
    member, group = rels.member, rels.group
    value = counts[member]
    while True:
        n_hidden = np.bincount(group, weights=hidden[member], minlength=n_groups)
        single = n_hidden == 1
        if not single.any():
            break
        candidate = single[group] & ~hidden[member] & (value > 0)
        if not candidate.any():
            raise RuntimeError("a suppressed count has no partner to hide with it")
        rows = np.flatnonzero(candidate)
        order = np.lexsort((member[rows], value[rows], group[rows]))
        rows = rows[order]
        first = np.r_[True, group[rows][1:] != group[rows][:-1]]
        hidden[member[rows[first]]] = True
    return hidden, int((hidden & ~primary).sum())


def publish_value(count: int, hidden: bool) -> int | None:
    """A published count: None when suppressed, else rounded to the nearest 5.

    Examples
    --------
    >>> [publish_value(n, False) for n in (0, 8, 12, 13, 1234)], publish_value(200, True)
    ([0, 10, 10, 15, 1235], None)
    """
    if hidden:
        return None
    base = ROUNDING_BASE
    return int(base * ((count + base // 2) // base))


def safe_value(value: object) -> bool:
    """Whether a published count can stand as it is: ``*``/null, 0, or a multiple of 5 ≥ 10.

    Examples
    --------
    >>> [safe_value(v) for v in (None, "*", 0, 10, 1235, 3, 11, 7.5, -5)]
    [True, True, True, True, True, False, False, False, False]
    """
    if value is None or value is pd.NA or value == SUPPRESSED:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    if float(value) != int(value):
        return False
    number = int(value)
    return number == 0 or (number > SUPPRESSION_MAX and number % ROUNDING_BASE == 0)


def _describe(cells: pd.DataFrame, i: int) -> str:
    row = cells.iloc[i]
    return (
        f"{row['level']} {row['unit_code']} (tier {row['risk_tier']}, IMD decile "
        f"{row['imd_decile']}, age {row['age_band']})"
    )


def audit(cells: pd.DataFrame, summary: Mapping[str, object] | None = None) -> list[str]:
    """Check a published table: values, completeness, and relations with one suppressed member.

    Parameters
    ----------
    cells : pandas.DataFrame
        :data:`layers.people.cube.CELL_KEYS` and ``people`` (None/NA = suppressed).
    summary : mapping of str to int or None or "*", optional
        Published summary counts (see :func:`relations`).

    Returns
    -------
    list of str
        One line per problem (empty when the table passes).

    Examples
    --------
    >>> grid = cell_grid()
    >>> cells = grid.assign(level="ics", unit_code="Q", icb_code="Q", place_code=None,
    ...                     pcn_code=None, practice_code=None, people=0)
    >>> audit(cells)
    []
    >>> cells.loc[0, "people"] = 3
    >>> audit(cells)[0]
    'ics Q (tier low, IMD decile 1, age all): 3 must be suppressed (1 to 7 are shown as *)'
    """
    problems: list[str] = []
    values = cells["people"]
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype(object)
    hidden_cells = (values.isna() | values.astype(object).eq(SUPPRESSED)).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        number = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        shown = values.astype(object).where(~hidden_cells, None)
        is_bool = shown.map(lambda v: isinstance(v, bool)).to_numpy(dtype=bool)
        number = pd.to_numeric(shown.where(~is_bool, "x"), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        not_count = ~hidden_cells & ~np.isfinite(number)
        fraction = ~hidden_cells & np.isfinite(number) & (number != np.floor(number))
        small = ~hidden_cells & (number >= 1) & (number <= SUPPRESSION_MAX)
        unrounded = (
            ~hidden_cells
            & ~small
            & ~fraction
            & (number != 0)
            & ((number < 0) | (np.mod(number, ROUNDING_BASE) != 0))
        )
    bad = np.flatnonzero(not_count | fraction | small | unrounded)
    for i in bad[:MAX_PROBLEMS]:
        value = values.iloc[i]
        if np.isfinite(number[i]) and number[i] == np.floor(number[i]):
            value = int(number[i])
        if small[i]:
            why = f"{value} must be suppressed (1 to 7 are shown as *)"
        elif unrounded[i] and number[i] > 0:
            why = f"{value} is not rounded to the nearest 5"
        else:
            why = f"{value!r} is not a count"
        problems.append(f"{_describe(cells, i)}: {why}")
    if len(bad) > MAX_PROBLEMS:
        problems.append(f"... and {len(bad) - MAX_PROBLEMS} more counts like these")
    size = cells.groupby(["level", "icb_code", "unit_code"], dropna=False).size()
    incomplete = size[size != len(cell_grid())]
    for key in incomplete.index[:MAX_PROBLEMS]:
        problems.append(f"{key[0]} {key[2]}: {incomplete[key]} cells, expected {len(cell_grid())}")

    items = list(summary or {})
    hidden = np.concatenate(
        [
            hidden_cells,
            np.array([(summary or {})[i] in (None, SUPPRESSED) for i in items], dtype=bool),
        ]
    )
    rels = relations(cells, summary)
    if rels.count:
        n_hidden = np.bincount(rels.group, weights=hidden[rels.member], minlength=rels.count)
        singles = np.flatnonzero(n_hidden == 1)
        for g in singles[:MAX_PROBLEMS]:
            inside = rels.member[rels.group == g]
            lone = inside[hidden[inside]][0]
            what = _describe(cells, lone) if lone < len(cells) else items[lone - len(cells)]
            problems.append(
                f"a total reveals a suppressed count: {rels.name(g)} has one suppressed "
                f"member, {what}; the total minus the others gives it"
            )
        if len(singles) > MAX_PROBLEMS:
            problems.append(f"... and {len(singles) - MAX_PROBLEMS} more relations like these")
    return problems
