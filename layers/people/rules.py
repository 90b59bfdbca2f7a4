"""The row rules in pandas: read each value as its type, reject, find the tier, count.

This is the reference implementation. The pandas engine runs it on the whole extract
and the Dask engine on each fragment; the DuckDB engine implements the same rules in
SQL (:mod:`layers.people.engine_duckdb`), and the tests hold the three to identical
results.

Values are read as follows (the same in SQL):

* codes and text: trimmed of spaces, upper-cased (``frailty`` lower-cased); empty is null;
* numbers written as text must match :data:`NUMBER_PATTERN` (no ``1_000``, ``inf``, ``nan``);
  whole-number columns must hold whole numbers.

Each row is rejected for the first problem it has, in the order of
:data:`REJECT_REASONS`, or kept. A kept row's unreadable optional values are treated as
not recorded and counted in :data:`IGNORED_FIELDS` (the row stays).

The result of every engine is a **detail** table of counts by ``reason`` (-1 kept),
``practice`` (index into the lookups; -1 for rejects), ``imd_decile`` (0 unknown),
``age_band`` (index into :data:`layers.people.tiering.AGE_BAND_LABELS`), ``tier``
(0 low, 1 rising, 2 high), ``source`` (index into
:data:`layers.people.tiering.TIER_SOURCES`) and ``ignored`` (bit mask of
:data:`IGNORED_FIELDS`), with ``people``. Rejected rows carry -1 in the other keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from layers.people.extract import ExtractPlan
from layers.people.lookups import Lookups
from layers.people.schema import (
    AGE_BAND_5_LABELS,
    FRAILTY_CATEGORIES,
    LSOA_YEARS,
    MAX_AGE,
    SEX_VALUES,
)
from layers.people.tiering import (
    AGE_BANDS,
    BAND_KEY_OFFSET,
    DEFAULT_SCORE_CUTS,
    assign_tiers,
    person_uniform,
)

__all__ = [
    "DETAIL_COLUMNS",
    "IGNORED_FIELDS",
    "NUMBER_PATTERN",
    "REJECT_REASONS",
    "RunParameters",
    "count_detail",
    "duplicate_ids",
    "empty_detail",
    "normalise",
    "normalised",
    "person_ids",
]

#: Why a row is rejected, in the order the rules are applied.
REJECT_REASONS: Final = (
    "missing or unreadable value",
    "null LSOA",
    "age outside 0-120",
    "unknown practice code",
    "LSOA from another vintage",
    "unknown LSOA code",
    "duplicate person id",
)
#: Optional fields whose unreadable values are ignored (bit 1, 2, 4 of ``ignored``).
IGNORED_FIELDS: Final = ("frailty", "ltc_count", "risk_score")
#: Numbers written as text: optional sign, digits, optional decimals and exponent.
NUMBER_PATTERN: Final = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
#: Columns of a detail table, in order.
DETAIL_COLUMNS: Final = (
    "reason",
    "practice",
    "imd_decile",
    "age_band",
    "tier",
    "source",
    "ignored",
    "people",
)
_MAX_LTC: Final = 99


@dataclass(frozen=True)
class RunParameters:
    """What, besides the data, decides every count.

    Attributes
    ----------
    seed : int
        Seed of the per-person uniform (:func:`layers.people.tiering.person_uniform`).
    lsoa_year : int
        The run's LSOA code set; rows stating the other are rejects.
    score_cuts : (float, float)
        Rising and high cut points for ``risk_score``.
    """

    seed: int
    lsoa_year: int
    score_cuts: tuple[float, float] = DEFAULT_SCORE_CUTS

    def __post_init__(self) -> None:
        if self.lsoa_year not in LSOA_YEARS:
            raise ValueError(f"lsoa_year must be one of {LSOA_YEARS}, got {self.lsoa_year!r}")
        rising, high = self.score_cuts
        if not 0 <= rising <= high <= 1:
            raise ValueError(
                f"score cut points must satisfy 0 <= rising <= high <= 1, got {self.score_cuts}"
            )


def normalised(values: pd.Index | list, case: str | None = "upper") -> pd.Index:
    """Text values as the rules read them: trimmed of spaces and re-cased ("" = empty).

    Examples
    --------
    >>> normalised([" m81012 ", "  ", 5]).tolist()
    ['M81012', '', '5']
    """
    text = pd.Series(pd.Index(values, dtype=object).astype(str), dtype=object).str.strip(" ")
    if case == "upper":
        text = text.str.upper()
    elif case == "lower":
        text = text.str.lower()
    return pd.Index(text.to_numpy(), dtype=object)


def _codes(values: pd.Series, case: str | None = "upper") -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 null or empty) and the distinct values, trimmed and re-cased."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        uniques = pd.Index(values.cat.categories, dtype=object)
    else:
        codes, raw = pd.factorize(values, use_na_sentinel=True)
        codes = codes.astype(np.int64)
        uniques = pd.Index(raw, dtype=object)
    text = normalised(uniques, case)
    empty = np.flatnonzero(np.asarray(text == ""))
    if len(empty):
        codes = np.where(np.isin(codes, empty), -1, codes)
    return codes, text


def _numbers(values: pd.Series) -> np.ndarray:
    """Numbers as float64, NaN where null or not a number (text: :data:`NUMBER_PATTERN`)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isfinite(out), out, np.nan)
    codes, raw = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(pd.Index(raw, dtype=object).astype(str), dtype=object).str.strip(" ")
    ok = text.str.fullmatch(NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_numeric(text.where(ok), errors="coerce").to_numpy(dtype=np.float64)
    parsed = np.where(np.isfinite(parsed), parsed, np.nan)
    return np.where(codes >= 0, parsed[np.maximum(codes, 0)] if len(parsed) else np.nan, np.nan)


def _whole(values: np.ndarray) -> np.ndarray:
    return np.where(values == np.floor(values), values, np.nan)


def person_ids(values: pd.Series, id_kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Ids as read (int64, or text trimmed of spaces) and whether each is readable.

    Examples
    --------
    >>> ids, ok = person_ids(pd.Series([" a1", "", None, "b"], dtype=object), "string")
    >>> ids.tolist(), ok.tolist()
    (['a1', None, None, 'b'], [True, False, False, True])
    """
    if id_kind == "int":
        ok = values.notna().to_numpy(dtype=bool)
        return values.to_numpy(dtype=np.int64, na_value=0), ok
    codes, uniques = _codes(values, case=None)
    ok = codes >= 0
    text = uniques.to_numpy()[np.maximum(codes, 0)] if len(uniques) else np.full(len(values), "")
    return np.where(ok, text, None).astype(object), ok


def normalise(frame: pd.DataFrame, plan: ExtractPlan, lookups: Lookups) -> dict[str, np.ndarray]:
    """Read each value of a fragment as its type, ready for the rules.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`layers.people.extract.read_fragment`.
    plan : ExtractPlan
    lookups : Lookups

    Returns
    -------
    dict of str to numpy.ndarray
        Arrays of one length (a frame without pandas' cost of making one): ``pid``
        (int64 or object; see ``pid_ok``), ``pid_ok``, ``practice`` (lookup
        index, -1 unknown, -2 null), ``lsoa`` (lookup index, -1 unknown, -2 null),
        ``year``, ``age`` (whole years or NaN), ``age_key`` (model table key, -1 when
        unreadable), ``band`` (output age band, -1 unreadable), ``sex_ok``,
        ``frailty`` (category or None), ``ltc``, ``score`` (NaN when not recorded)
        and ``ignored`` (bit mask).
    """
    n = len(frame)
    out: dict[str, object] = {}
    out["pid"], out["pid_ok"] = person_ids(frame["person_id"], plan.id_kind)

    for name, table in (("practice", lookups.practices), ("lsoa", lookups.lsoas)):
        codes, uniques = _codes(frame[f"{name}_code"])
        known = pd.Index(table[f"{name}_code"]).get_indexer(uniques)
        out[name] = np.where(codes >= 0, known[np.maximum(codes, 0)] if len(known) else -1, -2)

    out["year"] = _whole(_numbers(frame["lsoa_year"]))
    if plan.age_column == "age":
        age = _whole(_numbers(frame["age"]))
        readable = ~np.isnan(age)
        in_range = readable & (age >= 0) & (age <= MAX_AGE)
        key = np.where(in_range, np.minimum(np.nan_to_num(age), BAND_KEY_OFFSET - 1), -1)
        edge = np.where(in_range, np.nan_to_num(age), -1)
    else:
        codes, uniques = _codes(frame["age_band_5"])
        index = pd.Index(AGE_BAND_5_LABELS).get_indexer(uniques)
        band5 = np.where(codes >= 0, index[np.maximum(codes, 0)] if len(index) else -1, -1)
        age = np.where(band5 >= 0, 5.0 * band5, np.nan)  # a band is always in 0-120
        key = np.where(band5 >= 0, BAND_KEY_OFFSET + band5, -1)
        edge = np.where(band5 >= 0, 5 * band5, -1)
    out["age"] = age
    out["age_key"] = key.astype(np.int64)
    out["band"] = np.where(
        edge >= 0, np.searchsorted(np.asarray(AGE_BANDS), edge, side="right") - 1, -1
    ).astype(np.int64)

    codes, uniques = _codes(frame["sex"])
    valid = uniques.isin(SEX_VALUES)
    out["sex_ok"] = (codes >= 0) & (valid[np.maximum(codes, 0)] if len(valid) else False)

    ignored = np.zeros(n, dtype=np.int64)
    frailty = np.full(n, None, dtype=object)
    if "frailty" in plan.optional:
        codes, uniques = _codes(frame["frailty"], case="lower")
        valid = uniques.isin(FRAILTY_CATEGORIES)
        values = np.where(valid, uniques.to_numpy(), None)
        frailty = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else None, None)
        ignored |= np.where((codes >= 0) & pd.isna(frailty), 1, 0)
    out["frailty"] = frailty.astype(object)
    ltc = np.full(n, np.nan)
    if "ltc_count" in plan.optional:
        raw = _numbers(frame["ltc_count"])
        present = frame["ltc_count"].notna().to_numpy(dtype=bool)
        ltc = _whole(raw)
        ltc = np.where((ltc >= 0) & (ltc <= _MAX_LTC), ltc, np.nan)
        ignored |= np.where(present & np.isnan(ltc), 2, 0)
    out["ltc"] = ltc
    score = np.full(n, np.nan)
    if "risk_score" in plan.optional:
        raw = _numbers(frame["risk_score"])
        present = frame["risk_score"].notna().to_numpy(dtype=bool)
        score = np.where((raw >= 0) & (raw <= 1), raw, np.nan)
        ignored |= np.where(present & np.isnan(score), 4, 0)
    out["score"] = score
    out["ignored"] = ignored
    return out


def duplicate_ids(pid: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Ids that occur more than once among the readable ones.

    Examples
    --------
    >>> duplicate_ids(np.array([5, 3, 5, 9, 0]), np.array([True, True, True, True, False]))
    array([5])
    """
    values = pd.Series(pid[ok])
    return np.sort(values[values.duplicated()].unique())


def _reasons(
    norm: dict[str, np.ndarray], lookups: Lookups, params: RunParameters, duplicates: np.ndarray
) -> np.ndarray:
    unreadable = (
        ~norm["pid_ok"]
        | (norm["practice"] == -2)
        | ~np.isin(norm["year"], LSOA_YEARS)
        | np.isnan(norm["age"])
        | ~norm["sex_ok"]
    )
    age = norm["age"]
    pid = norm["pid"]
    duplicate = norm["pid_ok"] & pd.Series(pid).isin(duplicates).to_numpy()
    return np.select(
        [
            unreadable,
            norm["lsoa"] == -2,
            (age < 0) | (age > MAX_AGE),
            norm["practice"] == -1,
            norm["year"] != params.lsoa_year,
            norm["lsoa"] == -1,
            duplicate,
        ],
        list(range(len(REJECT_REASONS))),
        default=-1,
    ).astype(np.int64)


def empty_detail() -> pd.DataFrame:
    """A detail table with no rows (the columns of :data:`DETAIL_COLUMNS`, int64)."""
    return pd.DataFrame({c: np.array([], dtype=np.int64) for c in DETAIL_COLUMNS})


def count_detail(
    norm: dict[str, np.ndarray],
    lookups: Lookups,
    params: RunParameters,
    duplicates: np.ndarray | Sequence[object] = (),
) -> pd.DataFrame:
    """Apply the rules to normalised rows and count them into a detail table.

    Parameters
    ----------
    norm : dict of str to numpy.ndarray
        From :func:`normalise` (or several of its results concatenated).
    lookups : Lookups
    params : RunParameters
    duplicates : array-like
        Ids that occur more than once in the whole extract.

    Returns
    -------
    pandas.DataFrame
        The detail table (see the module docstring), sorted by its keys.
    """
    if len(norm["pid"]) == 0:
        return empty_detail()
    reason = _reasons(norm, lookups, params, np.asarray(duplicates))
    n = len(reason)
    kept = reason < 0
    practice = np.where(kept, norm["practice"], -1)
    lsoa = norm["lsoa"]
    deciles = lookups.lsoas["imd_decile"].to_numpy().astype(np.int64)
    decile = np.where(kept, deciles[np.where(kept, lsoa, 0)] if len(deciles) else 0, -1)
    band = np.where(kept, norm["band"], -1)
    ignored = np.where(kept, norm["ignored"], 0)

    tier = np.full(n, -1, dtype=np.int64)
    source = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(kept)
    if len(rows):
        model = lookups.model
        n_keys = int(model["age_key"].max()) + 1
        p_mm = model["p_multimorbidity"].to_numpy()
        p_fr = model["p_frailty"].to_numpy()
        index = decile[rows] * n_keys + norm["age_key"][rows]
        u = person_uniform(norm["pid"][rows], params.seed)
        t, s = assign_tiers(
            norm["frailty"][rows],
            norm["ltc"][rows],
            norm["score"][rows],
            u,
            p_mm[index],
            p_fr[index],
            params.score_cuts,
        )
        tier[rows] = t
        source[rows] = s
    # Count by the seven small keys at once: one integer key per row, then np.unique.
    keys = [reason, practice, decile, band, tier, source, ignored]
    shifted = [k.astype(np.int64) + 1 for k in keys]  # -1 (not applicable) becomes 0
    dims = [
        len(lookups.practices) + 1 if i == 1 else int(k.max()) + 1 for i, k in enumerate(shifted)
    ]
    dims = [max(d, 1) for d in dims]
    combined, counts = np.unique(np.ravel_multi_index(shifted, dims), return_counts=True)
    columns = np.unravel_index(combined, dims)
    detail = {
        name: np.asarray(column, dtype=np.int64) - 1
        for name, column in zip(DETAIL_COLUMNS[:-1], columns, strict=True)
    }
    return pd.DataFrame({**detail, "people": counts.astype(np.int64)})
