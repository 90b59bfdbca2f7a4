"""Synthetic individuals: one row per registered patient, built from open data.

Each synthetic person has

* ``practice_code``: the GP practice they are registered with, and
* ``lsoa_code``: the LSOA they live in, drawn **exactly** from the NHS Digital
  practice x LSOA registration counts: every ``(practice, LSOA, patients)`` row of
  ``registrations`` yields exactly ``patients`` people, so every total matches;
* ``age`` (0-90, 90 meaning 90+): drawn from that LSOA's ONS mid-2020 single-year
  age structure (``age_0`` ... ``age_90`` of the 2022 ``lsoas`` table). The 2026
  vintage has Census 2021 bands only: they are split into single years by
  :func:`layers.ages.split_bands` (England's mid-2020 shape within each band);
* ``sex`` (``"F"``/``"M"``): modelled from age alone, see :data:`MALE_SHARE_BY_AGE`;
* ``imd_decile`` (1 = most deprived, nullable): the LSOA's decile in the vintage's IMD
  (IoD2019 for 2022, IoD2025 for 2026).

Residences with no age structure. Registration rows whose LSOA is not in
``lsoa_ages`` - Welsh LSOAs (``W01...``), ``"NO2011"`` (unknown address), or English
LSOAs left out of a subset table - are kept, so totals still match. By default
(``unknown_lsoa="practice"``) their ages are drawn from the practice's own age mix:
the patient-weighted mix of the practice's other rows, on the reasoning that patients
of one practice resemble each other more than they resemble England. A practice
with no row of known age structure falls back to the national mix (the
population-weighted mix of every row of ``lsoa_ages``). ``unknown_lsoa="national"``
uses the national mix for all such rows, and ``"raise"`` refuses them. Their
``imd_decile`` is missing (``<NA>``): the IMD covers England only. For full fidelity
pass the national ``lsoas`` table, not one ICS's LSOAs.

Randomness comes only from the ``rng`` argument: the same seed (and chunk size)
gives an identical frame. Sampling is vectorised: people are laid out by
``numpy.repeat`` of the registration counts and ages drawn by inverse CDF, one
``searchsorted`` over the stacked cumulative age distributions, offset per row.

Memory: codes are categorical (practice and LSOA), ``age`` is ``int8``, ``sex`` a
2-category categorical and ``imd_decile`` ``Int8``; about 10 bytes a person. For
England (61.8 million registrations) use :func:`generate_individuals_chunked` or
:func:`write_individuals_parquet`, which never hold more than one chunk, and
:func:`aggregate_individuals` to count by practice, PCN, ICB, LSOA, age band...
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.ages import AGE_COLUMNS, MAX_AGE, has_bands, has_single_years, split_bands

__all__ = [
    "AGE_COLUMNS",
    "DEFAULT_AGE_BANDS",
    "INDIVIDUAL_COLUMNS",
    "MALE_SHARE_BY_AGE",
    "MAX_AGE",
    "age_band_labels",
    "aggregate_individuals",
    "aggregate_individuals_many",
    "generate_individuals",
    "generate_individuals_chunked",
    "male_share",
    "write_individuals_parquet",
]

#: Columns of a frame of individuals, in order.
INDIVIDUAL_COLUMNS: Final = ("practice_code", "lsoa_code", "age", "sex", "imd_decile")
#: Lower edges of the default age bands for :func:`aggregate_individuals`.
DEFAULT_AGE_BANDS: Final = (0, 5, 18, 25, 45, 65, 75, 85)

#: Modelled share of males by age band: ``(lowest age of band, share male)``.
#:
#: Approximations, rounded, of the sex ratio by age in the ONS mid-2020 population
#: estimates for England (MYE2; males are about 49.4% of the 56.55 million). The shape
#: is the well-established one: about 105 boys per 100 girls at birth (share 0.512),
#: near parity through working age, then a growing female majority from the 70s
#: because women live longer (about two women to each man at 90+). These are not
#: exact figures from the file, which this project does not ship; replace them with
#: ONS single-year sex splits if those are added to ``geodata/``. Applied to the
#: England mid-2020 age structure they give a male share of about 49.3%.
MALE_SHARE_BY_AGE: Final = (
    (0, 0.512),
    (15, 0.510),
    (25, 0.499),
    (45, 0.495),
    (65, 0.479),
    (75, 0.452),
    (85, 0.395),
    (90, 0.320),
)

_SEX_CATEGORIES: Final = ("F", "M")
_N_AGES: Final = MAX_AGE + 1
_DEFAULT_CHUNK_PEOPLE: Final = 4_000_000


# --------------------------------------------------------------------------- sex model


def male_share(age: np.ndarray | Sequence[int] | int) -> np.ndarray:
    """Modelled probability that a person of a given age is male.

    Parameters
    ----------
    age : int or array-like of int
        Ages 0-90 (90 = 90+).

    Returns
    -------
    numpy.ndarray
        ``float64`` probabilities, same shape as ``age``; see :data:`MALE_SHARE_BY_AGE`.

    Raises
    ------
    ValueError
        If an age is outside 0-90 or not whole.

    Examples
    --------
    >>> male_share([0, 30, 80, 90]).tolist()
    [0.512, 0.499, 0.452, 0.32]
    """
    ages = np.asarray(age)
    if not (np.issubdtype(ages.dtype, np.integer) or np.issubdtype(ages.dtype, np.floating)):
        raise ValueError(f"age must be numeric, got dtype {ages.dtype}")
    if ages.size and ((ages < 0).any() or (ages > MAX_AGE).any() or (ages != np.floor(ages)).any()):
        raise ValueError(f"ages must be whole numbers from 0 to {MAX_AGE}")
    return _male_share_table()[ages.astype(np.int64)]


def _male_share_table() -> np.ndarray:
    edges = [lo for lo, _ in MALE_SHARE_BY_AGE] + [_N_AGES]
    shares = [p for _, p in MALE_SHARE_BY_AGE]
    return np.repeat(np.array(shares, dtype=np.float64), np.diff(edges))


# --------------------------------------------------------------------------- validation


def _check_codes(values: pd.Series, name: str) -> None:
    if values.isna().any():
        raise ValueError(f"{name} has missing codes")
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        if not isinstance(values.dtype, pd.CategoricalDtype):
            raise TypeError(f"{name} must hold string codes, got dtype {values.dtype}")


def _nonneg_integers(values: pd.Series | pd.DataFrame, name: str) -> np.ndarray:
    arr = values.to_numpy()
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be numeric counts, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if np.isnan(arr).any():
        raise ValueError(f"{name} has missing values")
    if (arr < 0).any() or (arr != np.floor(arr)).any():
        raise ValueError(f"{name} must be non-negative whole numbers")
    return arr


def _validate_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(42)), "
            f"got {type(rng).__name__}"
        )
    return rng


def _imd_lookup(lsoa_imd_decile: pd.Series | pd.DataFrame) -> pd.Series:
    if isinstance(lsoa_imd_decile, pd.DataFrame):
        require_frame(lsoa_imd_decile, ["lsoa_code", "imd_decile"], "lsoa_imd_decile")
        lookup = pd.Series(
            lsoa_imd_decile["imd_decile"].to_numpy(), index=lsoa_imd_decile["lsoa_code"].to_numpy()
        )
    elif isinstance(lsoa_imd_decile, pd.Series):
        lookup = lsoa_imd_decile
    else:
        raise TypeError(
            "lsoa_imd_decile must be a DataFrame with lsoa_code and imd_decile columns or a "
            f"Series indexed by lsoa_code, got {type(lsoa_imd_decile).__name__}"
        )
    if lookup.index.has_duplicates:
        dup = lookup.index[lookup.index.duplicated()][:3].tolist()
        raise ValueError(f"lsoa_imd_decile has duplicate LSOA codes, e.g. {dup}")
    values = pd.to_numeric(lookup, errors="coerce")
    bad = values.notna() & ~values.isin(range(1, 11))
    if bad.any() or (values.isna() & lookup.notna()).any():
        raise ValueError("imd_decile values must be whole numbers from 1 to 10 (or missing)")
    return values


# --------------------------------------------------------------------------- preparation


@dataclass(frozen=True)
class _Prepared:
    """Registration rows in a canonical order with everything needed to sample."""

    practices: pd.Index  # categories of practice_code
    lsoas: pd.Index  # categories of lsoa_code
    row_practice: np.ndarray  # int32 code per row
    row_lsoa: np.ndarray  # int32 code per row
    row_count: np.ndarray  # int64 people per row
    row_source: np.ndarray  # int64 index into the stacked CDF table
    row_imd: np.ndarray  # int8, 0 = missing
    flat_cdf: np.ndarray  # float64, (n_sources * 91,), each row offset by its index
    practice_start: np.ndarray  # first row of each practice (len n_practices + 1)


def _prepare(
    registrations: pd.DataFrame,
    lsoa_ages: pd.DataFrame,
    lsoa_imd_decile: pd.Series | pd.DataFrame,
    unknown_lsoa: str,
) -> _Prepared:
    if not isinstance(registrations, pd.DataFrame):
        raise TypeError(f"registrations must be a DataFrame, got {type(registrations).__name__}")
    if not isinstance(lsoa_ages, pd.DataFrame):
        raise TypeError(f"lsoa_ages must be a DataFrame, got {type(lsoa_ages).__name__}")
    if unknown_lsoa not in ("practice", "national", "raise"):
        raise ValueError(
            f"unknown_lsoa must be 'practice', 'national' or 'raise', got {unknown_lsoa!r}"
        )
    require_frame(registrations, ["practice_code", "lsoa_code", "patients"], "registrations")
    if not has_single_years(lsoa_ages) and has_bands(lsoa_ages):
        # A banded vintage (2026): the documented split of layers.ages.
        lsoa_ages = split_bands(lsoa_ages)
    require_frame(lsoa_ages, ["lsoa_code", *AGE_COLUMNS], "lsoa_ages")
    _check_codes(registrations["practice_code"], "registrations.practice_code")
    _check_codes(registrations["lsoa_code"], "registrations.lsoa_code")
    _check_codes(lsoa_ages["lsoa_code"], "lsoa_ages.lsoa_code")
    patients = _nonneg_integers(registrations["patients"], "registrations.patients")
    if lsoa_ages["lsoa_code"].duplicated().any():
        dup = lsoa_ages.loc[lsoa_ages["lsoa_code"].duplicated(), "lsoa_code"].iloc[:3].tolist()
        raise ValueError(f"lsoa_ages has duplicate lsoa_code values, e.g. {dup}")
    age_counts = _nonneg_integers(lsoa_ages[list(AGE_COLUMNS)], "lsoa_ages age columns")
    imd = _imd_lookup(lsoa_imd_decile)

    # Canonical order (practice, LSOA) so the input row order does not change the output.
    p_codes, practices = pd.factorize(registrations["practice_code"].astype(str), sort=True)
    l_codes, lsoas = pd.factorize(registrations["lsoa_code"].astype(str), sort=True)
    order = np.lexsort((l_codes, p_codes))
    keep = order[patients[order] > 0]
    row_practice = p_codes[keep].astype(np.int32)
    row_lsoa = l_codes[keep].astype(np.int32)
    row_count = patients[keep].astype(np.int64)

    # Age distributions: one per LSOA with a known, non-empty structure.
    totals = age_counts.sum(axis=1)
    known = totals > 0
    age_index = pd.Index(lsoa_ages["lsoa_code"].astype(str).to_numpy()[known])
    probs = age_counts[known] / totals[known, None]
    national = age_counts.sum(axis=0)
    if national.sum() <= 0:
        raise ValueError("lsoa_ages has no population at all; cannot build an age structure")
    national = national / national.sum()

    lsoa_to_dist = age_index.get_indexer(lsoas)  # -1 where unknown
    row_dist = lsoa_to_dist[row_lsoa]
    unknown_rows = row_dist < 0
    if unknown_rows.any() and unknown_lsoa == "raise":
        missing = pd.unique(lsoas[row_lsoa[unknown_rows]])[:5].tolist()
        raise ValueError(
            f"{unknown_rows.sum()} registration rows have LSOAs with no age structure in "
            f"lsoa_ages, e.g. {missing}; pass unknown_lsoa='practice' or 'national' to keep them"
        )

    n_practices = len(practices)
    extra: list[np.ndarray] = [national[None, :]]
    row_source = row_dist.astype(np.int64)
    national_source = len(age_index)
    if unknown_rows.any():
        row_source[unknown_rows] = national_source
        if unknown_lsoa == "practice":
            needing = np.unique(row_practice[unknown_rows])
            slot = np.full(n_practices, -1, dtype=np.int64)
            slot[needing] = np.arange(len(needing))
            sel = np.flatnonzero(~unknown_rows & (slot[row_practice] >= 0))
            mix = np.zeros((len(needing), _N_AGES))
            weights = row_count[sel].astype(np.float64)
            group = slot[row_practice[sel]]
            dist = row_dist[sel]
            for a in range(_N_AGES):  # 91 bincounts beat a (rows x 91) temporary
                mix[:, a] = np.bincount(
                    group, weights=weights * probs[dist, a], minlength=len(needing)
                )
            mix_tot = mix.sum(axis=1)
            has_mix = mix_tot > 0
            mix[has_mix] /= mix_tot[has_mix, None]
            mix[~has_mix] = national
            extra.append(mix)
            rows_u = np.flatnonzero(unknown_rows)
            row_source[rows_u] = national_source + 1 + slot[row_practice[rows_u]]

    table = np.vstack([probs, *extra])
    cdf = np.cumsum(table, axis=1)
    cdf[:, -1] = 1.0  # guard against rounding so every draw u < 1 lands in the row
    flat_cdf = (cdf + np.arange(len(table), dtype=np.float64)[:, None]).ravel()

    imd_by_lsoa = imd.reindex(lsoas).fillna(0).to_numpy().astype(np.int8)
    practice_start = np.searchsorted(row_practice, np.arange(n_practices + 1)).astype(np.int64)
    return _Prepared(
        practices=pd.Index(practices, dtype=object),
        lsoas=pd.Index(lsoas, dtype=object),
        row_practice=row_practice,
        row_lsoa=row_lsoa,
        row_count=row_count,
        row_source=row_source,
        row_imd=imd_by_lsoa[row_lsoa],
        flat_cdf=flat_cdf,
        practice_start=practice_start,
    )


def _sample(prep: _Prepared, rows: slice, rng: np.random.Generator) -> pd.DataFrame:
    """Generate the people of registration rows ``rows``."""
    counts = prep.row_count[rows]
    person_row = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    n = len(person_row)

    source = prep.row_source[rows][person_row]
    pos = np.searchsorted(prep.flat_cdf, rng.random(n) + source, side="right")
    # clip guards u + source rounding up to source + 1 (float64, chance ~1e-12 a draw)
    age = np.minimum(pos - source * _N_AGES, MAX_AGE).astype(np.int8)
    del pos, source

    male = rng.random(n, dtype=np.float32) < _male_share_table().astype(np.float32)[age]

    imd = prep.row_imd[rows][person_row]
    return pd.DataFrame(
        {
            "practice_code": pd.Categorical.from_codes(
                prep.row_practice[rows][person_row], categories=prep.practices, validate=False
            ),
            "lsoa_code": pd.Categorical.from_codes(
                prep.row_lsoa[rows][person_row], categories=prep.lsoas, validate=False
            ),
            "age": age,
            "sex": pd.Categorical.from_codes(
                male.astype(np.int8), categories=list(_SEX_CATEGORIES), validate=False
            ),
            "imd_decile": pd.arrays.IntegerArray(imd, imd == 0),
        },
        copy=False,
    )


def _chunk_bounds(prep: _Prepared, chunk_people: int) -> list[tuple[int, int]]:
    """Split the rows into runs of whole practices of about ``chunk_people`` people."""
    starts = prep.practice_start
    cum = np.concatenate([[0], np.cumsum(prep.row_count)])
    people_at_practice = cum[starts]  # people before each practice boundary
    bounds: list[tuple[int, int]] = []
    lo = 0
    while lo < len(prep.row_count):
        target = cum[lo] + chunk_people
        # last practice boundary at or below target, but at least one practice
        k = np.searchsorted(people_at_practice, target, side="right") - 1
        hi = int(starts[k]) if k >= 0 else lo
        if hi <= lo:
            nxt = np.searchsorted(starts, lo, side="right")
            hi = int(starts[nxt]) if nxt < len(starts) else len(prep.row_count)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def _validate_chunk_people(chunk_people: object) -> int:
    if isinstance(chunk_people, bool) or not isinstance(chunk_people, int | np.integer):
        raise TypeError(f"chunk_people must be an int, got {type(chunk_people).__name__}")
    if chunk_people < 1:
        raise ValueError(f"chunk_people must be >= 1, got {chunk_people}")
    return int(chunk_people)


# --------------------------------------------------------------------------- public


def generate_individuals(
    registrations: pd.DataFrame,
    lsoa_ages: pd.DataFrame,
    lsoa_imd_decile: pd.Series | pd.DataFrame,
    rng: np.random.Generator,
    *,
    unknown_lsoa: Literal["practice", "national", "raise"] = "practice",
) -> pd.DataFrame:
    """Generate one synthetic person per registered patient.

    Parameters
    ----------
    registrations : pandas.DataFrame
        ``practice_code``, ``lsoa_code``, ``patients`` (practice x LSOA of residence).
        Rows with 0 patients are allowed and produce nobody.
    lsoa_ages : pandas.DataFrame
        ``lsoa_code`` and ``age_0`` ... ``age_90`` (people by single year of age; the
        ``lsoas`` table), or the Census 2021 bands of the 2026 ``lsoas`` table, which
        are split by :func:`layers.ages.split_bands`. Other columns are ignored.
    lsoa_imd_decile : pandas.DataFrame or pandas.Series
        ``lsoa_code`` and ``imd_decile`` columns, or a Series of deciles indexed by
        LSOA code. Deciles are 1 (most deprived) to 10.
    rng : numpy.random.Generator
        Source of all randomness.
    unknown_lsoa : {"practice", "national", "raise"}, default "practice"
        Age mix for rows whose LSOA has no age structure in ``lsoa_ages`` (see the
        module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per person, columns :data:`INDIVIDUAL_COLUMNS`, ordered by practice
        then LSOA: ``practice_code`` and ``lsoa_code`` categorical, ``age`` int8,
        ``sex`` categorical ``F``/``M``, ``imd_decile`` Int8 (``<NA>`` outside England).

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``rng`` is a seed, not a Generator).
    ValueError
        If columns are missing, counts are negative/fractional/missing, codes are
        duplicated, deciles are outside 1-10, or ``unknown_lsoa="raise"`` meets an
        LSOA with no age structure.

    Examples
    --------
    >>> reg = pd.DataFrame({"practice_code": ["P1", "P1", "P2"],
    ...                     "lsoa_code": ["E01", "W01", "E02"], "patients": [3, 1, 2]})
    >>> ages = pd.DataFrame({"lsoa_code": ["E01", "E02"],
    ...                      **{f"age_{a}": [0, 0] for a in range(91)}})
    >>> ages["age_30"] = [10, 0]
    >>> ages["age_80"] = [0, 5]
    >>> imd = pd.DataFrame({"lsoa_code": ["E01", "E02"], "imd_decile": [1, 10]})
    >>> people = generate_individuals(reg, ages, imd, np.random.default_rng(0))
    >>> people[["practice_code", "lsoa_code", "age", "imd_decile"]]
      practice_code lsoa_code  age  imd_decile
    0            P1       E01   30           1
    1            P1       E01   30           1
    2            P1       E01   30           1
    3            P1       W01   30        <NA>
    4            P2       E02   80          10
    5            P2       E02   80          10
    """
    prep = _prepare(registrations, lsoa_ages, lsoa_imd_decile, unknown_lsoa)
    return _sample(prep, slice(0, len(prep.row_count)), _validate_rng(rng))


def generate_individuals_chunked(
    registrations: pd.DataFrame,
    lsoa_ages: pd.DataFrame,
    lsoa_imd_decile: pd.Series | pd.DataFrame,
    rng: np.random.Generator,
    *,
    chunk_people: int = _DEFAULT_CHUNK_PEOPLE,
    unknown_lsoa: Literal["practice", "national", "raise"] = "practice",
) -> Iterator[pd.DataFrame]:
    """Generate individuals in chunks of whole practices, for England-scale runs.

    Inputs are validated and the age tables built once, when this is called; the
    people are drawn lazily, chunk by chunk. Every chunk has the same categories for
    ``practice_code`` and ``lsoa_code`` (all codes in ``registrations``), so chunks
    concatenate and write to one Parquet schema.

    Parameters
    ----------
    registrations, lsoa_ages, lsoa_imd_decile, rng, unknown_lsoa
        As :func:`generate_individuals`.
    chunk_people : int, default 4,000,000
        Target people per chunk. A chunk holds whole practices only, so it may be
        smaller, or larger when one practice alone exceeds the target.

    Yields
    ------
    pandas.DataFrame
        Frames as returned by :func:`generate_individuals`, each with a fresh
        ``RangeIndex``. For a given seed and ``chunk_people`` the sequence is identical
        between runs; with one chunk it equals :func:`generate_individuals`.

    Raises
    ------
    TypeError, ValueError
        As :func:`generate_individuals`; also for a non-positive ``chunk_people``.

    Examples
    --------
    >>> reg = pd.DataFrame({"practice_code": ["P1", "P2", "P3"],
    ...                     "lsoa_code": ["E01"] * 3, "patients": [4, 4, 4]})
    >>> ages = pd.DataFrame({"lsoa_code": ["E01"], **{f"age_{a}": [1] for a in range(91)}})
    >>> imd = pd.Series({"E01": 5})
    >>> chunks = generate_individuals_chunked(reg, ages, imd, np.random.default_rng(1),
    ...                                       chunk_people=8)
    >>> [len(c) for c in chunks]
    [8, 4]
    """
    prep = _prepare(registrations, lsoa_ages, lsoa_imd_decile, unknown_lsoa)
    rng = _validate_rng(rng)
    bounds = _chunk_bounds(prep, _validate_chunk_people(chunk_people))

    def _iterate() -> Iterator[pd.DataFrame]:
        for lo, hi in bounds:
            yield _sample(prep, slice(lo, hi), rng)

    return _iterate()


def write_individuals_parquet(
    chunks: Iterable[pd.DataFrame],
    path: str | Path,
    *,
    compression: str = "zstd",
) -> int:
    """Stream frames of individuals into one Parquet file, a row group per chunk.

    Parameters
    ----------
    chunks : iterable of pandas.DataFrame
        Frames with identical columns and dtypes, e.g. from
        :func:`generate_individuals_chunked` (optionally passed through
        :func:`layers.risk.assign_risk`).
    path : str or pathlib.Path
        File to write (overwritten).
    compression : str, default "zstd"
        Parquet codec.

    Returns
    -------
    int
        Number of people written.

    Raises
    ------
    TypeError
        If a chunk is not a DataFrame.
    ValueError
        If a chunk's columns differ from the first chunk's, or there are no chunks.

    Examples
    --------
    >>> import tempfile, pyarrow.parquet as pq
    >>> reg = pd.DataFrame({"practice_code": ["P1", "P2"], "lsoa_code": ["E01", "E01"],
    ...                     "patients": [3, 2]})
    >>> ages = pd.DataFrame({"lsoa_code": ["E01"], **{f"age_{a}": [1] for a in range(91)}})
    >>> chunks = generate_individuals_chunked(reg, ages, pd.Series({"E01": 3}),
    ...                                       np.random.default_rng(0), chunk_people=3)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     n = write_individuals_parquet(chunks, f"{tmp}/people.parquet")
    ...     meta = pq.ParquetFile(f"{tmp}/people.parquet").metadata
    >>> n, meta.num_rows, meta.num_row_groups
    (5, 5, 2)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    columns: list[Hashable] | None = None
    written = 0
    try:
        for chunk in chunks:
            if not isinstance(chunk, pd.DataFrame):
                raise TypeError(f"each chunk must be a DataFrame, got {type(chunk).__name__}")
            if columns is None:
                columns = list(chunk.columns)
            elif list(chunk.columns) != columns:
                raise ValueError(f"chunk columns {list(chunk.columns)} differ from {columns}")
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema, compression=compression)
            writer.write_table(table, row_group_size=max(len(chunk), 1))
            written += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    if columns is None:
        raise ValueError("chunks is empty; nothing to write")
    return written


def age_band_labels(edges: Sequence[int] = DEFAULT_AGE_BANDS) -> list[str]:
    """Labels for age bands given their lower edges, e.g. ``"0-4"`` and ``"85+"``.

    Parameters
    ----------
    edges : sequence of int, default :data:`DEFAULT_AGE_BANDS`
        Strictly increasing lower edges starting at 0, each at most 90.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If the edges are not strictly increasing from 0 within 0-90.

    Examples
    --------
    >>> age_band_labels([0, 18, 65, 90])
    ['0-17', '18-64', '65-89', '90+']
    """
    e = list(edges)
    if any(isinstance(x, bool) or not isinstance(x, int | np.integer) for x in e):
        raise ValueError(f"age band edges must be integers, got {e}")
    if not e or e[0] != 0 or any(b <= a for a, b in pairwise(e)) or e[-1] > MAX_AGE:
        raise ValueError(f"age band edges must rise strictly from 0 to at most 90, got {e}")
    return [f"{a}-{b - 1}" if b - 1 > a else str(a) for a, b in pairwise(e)] + [f"{e[-1]}+"]


def _key_column(
    chunk: pd.DataFrame,
    key: str,
    practice_lookup: pd.DataFrame | None,
    lsoa_lookup: pd.DataFrame | None,
    age_bands: Sequence[int],
) -> pd.Series:
    if key in chunk.columns:
        return chunk[key]
    if key == "age_band":
        if "age" not in chunk.columns:
            raise ValueError("cannot group by 'age_band': the individuals have no 'age' column")
        labels = age_band_labels(age_bands)
        codes = np.searchsorted(np.asarray(age_bands), chunk["age"].to_numpy(), side="right") - 1
        return pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True))
    for lookup, on in ((practice_lookup, "practice_code"), (lsoa_lookup, "lsoa_code")):
        if lookup is not None and key in lookup.columns and key != on:
            base = chunk[on]
            cats = base.cat.categories if isinstance(base.dtype, pd.CategoricalDtype) else None
            if cats is None:
                base = base.astype("category")
                cats = base.cat.categories
            mapped = pd.Series(lookup[key].to_numpy(), index=lookup[on].to_numpy())
            values = mapped.reindex(cats).to_numpy()  # NaN for codes missing from lookup
            v_codes, uniques = pd.factorize(values, use_na_sentinel=True)
            return pd.Series(
                pd.Categorical.from_codes(v_codes[base.cat.codes.to_numpy()], categories=uniques)
            )
    raise ValueError(
        f"cannot group by {key!r}: not a column of the individuals, not 'age_band', and not "
        "a column of practice_lookup or lsoa_lookup"
    )


def _validate_lookup(lookup: pd.DataFrame | None, name: str, on: str) -> None:
    if lookup is None:
        return
    if not isinstance(lookup, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, got {type(lookup).__name__}")
    require_frame(lookup, [on], name)
    if lookup[on].duplicated().any():
        raise ValueError(f"{name} has duplicate {on} values; each must map to one row")


def aggregate_individuals(
    individuals: pd.DataFrame | Iterable[pd.DataFrame],
    by: Sequence[str],
    *,
    practice_lookup: pd.DataFrame | None = None,
    lsoa_lookup: pd.DataFrame | None = None,
    age_bands: Sequence[int] = DEFAULT_AGE_BANDS,
) -> pd.DataFrame:
    """Count people by any combination of geography and attributes, chunk by chunk.

    Counts are **unrounded**: pass the result through
    :func:`layers.disclosure.suppress_counts` (or compute totals with
    :func:`layers.disclosure.total_then_suppress`) before anything is shown.

    Parameters
    ----------
    individuals : pandas.DataFrame or iterable of pandas.DataFrame
        Individuals (possibly with risk columns), or chunks of them, e.g. from
        :func:`generate_individuals_chunked`. Each chunk is consumed once.
    by : sequence of str
        Grouping keys, each one of: a column of the individuals (``practice_code``,
        ``lsoa_code``, ``age``, ``sex``, ``imd_decile``, ``risk_tier``...);
        ``"age_band"`` (bands from ``age_bands``); a column of ``practice_lookup``
        (e.g. ``pcn_code``, ``icb_code``, ``place_code``) or of ``lsoa_lookup`` (e.g.
        ``ltla_code``). Practices or LSOAs absent from a lookup are counted under a
        missing key, never dropped.
    practice_lookup : pandas.DataFrame, optional
        One row per ``practice_code`` with the columns to group by.
    lsoa_lookup : pandas.DataFrame, optional
        One row per ``lsoa_code`` with the columns to group by.
    age_bands : sequence of int, default :data:`DEFAULT_AGE_BANDS`
        Lower edges of the bands for ``"age_band"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns plus ``people`` (int64), one row per observed combination,
        sorted by the keys.

    Raises
    ------
    TypeError
        If ``individuals`` or a lookup has the wrong type.
    ValueError
        If ``by`` is empty or names an unknown key, or a lookup has duplicate codes.

    Examples
    --------
    >>> people = pd.DataFrame({"practice_code": ["A", "A", "B"], "age": [3, 70, 70]})
    >>> pcns = pd.DataFrame({"practice_code": ["A", "B"], "pcn_code": ["U1", "U1"]})
    >>> aggregate_individuals(people, ["pcn_code", "age_band"], practice_lookup=pcns,
    ...                       age_bands=[0, 65])
      pcn_code age_band  people
    0       U1     0-64       1
    1       U1      65+       2
    """
    return aggregate_individuals_many(
        individuals,
        {"counts": by},
        practice_lookup=practice_lookup,
        lsoa_lookup=lsoa_lookup,
        age_bands=age_bands,
    )["counts"]


def _validate_keys(by: object) -> list[str]:
    if isinstance(by, str) or not isinstance(by, Sequence) or not by:
        raise ValueError(f"by must be a non-empty list of column names, got {by!r}")
    if len(set(by)) != len(by):
        raise ValueError(f"by has duplicate keys: {list(by)}")
    return list(by)


def aggregate_individuals_many(
    individuals: pd.DataFrame | Iterable[pd.DataFrame],
    groupings: Mapping[str, Sequence[str]],
    *,
    practice_lookup: pd.DataFrame | None = None,
    lsoa_lookup: pd.DataFrame | None = None,
    age_bands: Sequence[int] = DEFAULT_AGE_BANDS,
) -> dict[str, pd.DataFrame]:
    """Several :func:`aggregate_individuals` tables in one pass over the chunks.

    England is too big to hold at once and too slow to generate twice, so every
    tier (practice, PCN, ICB, LSOA...) is counted from each chunk as it goes by.

    Parameters
    ----------
    individuals : pandas.DataFrame or iterable of pandas.DataFrame
        Individuals or chunks of them; consumed once.
    groupings : mapping of str to sequence of str
        Name of each output table -> its grouping keys (as ``by`` in
        :func:`aggregate_individuals`).
    practice_lookup, lsoa_lookup, age_bands
        As :func:`aggregate_individuals`.

    Returns
    -------
    dict of str to pandas.DataFrame
        One unrounded count table per grouping, keyed by its name.

    Raises
    ------
    TypeError, ValueError
        As :func:`aggregate_individuals`; also if ``groupings`` is empty.

    Examples
    --------
    >>> people = pd.DataFrame({"practice_code": ["A", "A", "B"], "sex": ["F", "M", "F"]})
    >>> tables = aggregate_individuals_many(
    ...     people, {"practice": ["practice_code"], "sex": ["sex"]})
    >>> tables["sex"]
      sex  people
    0   F       2
    1   M       1
    """
    if not isinstance(groupings, Mapping) or not groupings:
        raise ValueError(
            f"groupings must be a non-empty mapping of name -> keys, got {groupings!r}"
        )
    keys_by_name = {name: _validate_keys(by) for name, by in groupings.items()}
    age_band_labels(age_bands)  # validates
    _validate_lookup(practice_lookup, "practice_lookup", "practice_code")
    _validate_lookup(lsoa_lookup, "lsoa_lookup", "lsoa_code")
    chunks = [individuals] if isinstance(individuals, pd.DataFrame) else individuals
    if not isinstance(chunks, Iterable):
        raise TypeError(
            f"individuals must be a DataFrame or an iterable of them, got {type(chunks).__name__}"
        )
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in keys_by_name}
    needed = list(dict.fromkeys(k for by in keys_by_name.values() for k in by))
    for chunk in chunks:
        if not isinstance(chunk, pd.DataFrame):
            raise TypeError(f"each chunk must be a DataFrame, got {type(chunk).__name__}")
        encoded = {
            k: _encode(_key_column(chunk, k, practice_lookup, lsoa_lookup, age_bands))
            for k in needed
        }
        for name, by in keys_by_name.items():
            parts[name].append(_count_chunk(by, encoded))
    tables: dict[str, pd.DataFrame] = {}
    for name, by in keys_by_name.items():
        if not parts[name]:
            tables[name] = pd.DataFrame(
                {**{k: [] for k in by}, "people": np.array([], dtype=np.int64)}
            )
            continue
        combined = pd.concat(parts[name], ignore_index=True)
        out = combined.groupby(by, observed=True, dropna=False, sort=True)["people"].sum()
        tables[name] = out.astype(np.int64).reset_index()
    return tables


def _encode(values: pd.Series) -> tuple[np.ndarray, Callable[[np.ndarray], object]]:
    """Return integer codes (-1 = missing) and a function mapping codes back to values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        dtype = values.dtype
        codes = values.cat.codes.to_numpy().astype(np.int64)
        return codes, lambda c: pd.Categorical.from_codes(c, dtype=dtype)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)

    def decode(c: np.ndarray) -> object:
        if (c < 0).any():
            return pd.array(uniques).take(c, allow_fill=True)
        return uniques.take(c)

    return codes.astype(np.int64), decode


def _count_chunk(
    by: list[str], encoded: dict[str, tuple[np.ndarray, Callable[[np.ndarray], object]]]
) -> pd.DataFrame:
    """Count one chunk by ``by`` with a bincount over the combined key codes."""
    shifted = [encoded[k][0] + 1 for k in by]  # 0 = missing
    dims = tuple(int(c.max(initial=0)) + 1 for c in shifted)
    size = int(np.prod(dims, dtype=np.float64))
    if size > 2**62:  # combined code would overflow int64: let pandas do it
        frame = pd.DataFrame({k: s for k, s in zip(by, shifted, strict=True)})
        counts = frame.groupby(by, sort=False).size()
        keys = [counts.index.get_level_values(i).to_numpy() for i in range(len(by))]
        people = counts.to_numpy()
    else:
        flat = np.ravel_multi_index(shifted, dims)
        if size <= 1 << 24:
            full = np.bincount(flat, minlength=size)
            idx = np.flatnonzero(full)
            people = full[idx]
        else:
            idx, people = np.unique(flat, return_counts=True)
        keys = list(np.unravel_index(idx, dims))
    out = {
        k: encoded[k][1](np.asarray(c, dtype=np.int64) - 1) for k, c in zip(by, keys, strict=True)
    }
    return pd.DataFrame({**out, "people": np.asarray(people, dtype=np.int64)})
