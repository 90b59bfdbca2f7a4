"""Each person's risk tier, the same in every engine: recorded fields, score, or model.

The tier of a row comes from the first source that applies:

1. **recorded frailty and conditions** (``frailty`` and ``ltc_count`` both recorded): the
   definitions of :mod:`layers.risk` applied to the record: ``high`` for moderate or
   severe frailty (eFI > 0.24), else ``rising`` for two or more long-term conditions,
   else ``low``;
2. **risk score** (``risk_score`` recorded): ``high`` at or above the high cut point,
   ``rising`` at or above the rising one, else ``low`` (:data:`DEFAULT_SCORE_CUTS`;
   set them to your tool's own);
3. **risk model**: :mod:`layers.risk`'s probabilities of frailty and multimorbidity for
   the person's age and the IMD decile of their LSOA, and one uniform ``u`` per person:
   ``high`` if ``u < p_frailty``, ``rising`` if ``u < p_multimorbidity``, else ``low``,
   exactly as :func:`layers.risk.assign_risk` draws (its marginal rates are kept).

Why a hash, not a generator. ``assign_risk`` draws ``u`` from a seeded generator in
row order, which only one process can do, in one order. Here ``u`` is a function of the
row: a 64-bit mix (SplitMix64's finaliser) of the person's id and the seed, so DuckDB,
every Dask worker and pandas compute the same ``u`` for the same person, in any order
and any partitioning, with no state and no shuffle. That is what scales to 61.8 million
rows on any number of workers, and it makes a person's tier reproducible from their id.
Integer ids are mixed directly (two's complement); text ids through the first 64 bits
of their MD5 (``md5(id)`` as hexadecimal, the first 16 digits). Then
``z = fmix(id + (seed + 1) * 0x9E3779B97F4A7C15 mod 2**64)`` and ``u = (z >> 11) / 2**53``,
a double in [0, 1) computed exactly in SQL and in NumPy.

Ages. A single year of age uses the model's value at that age (90 and over as 90). A
5-year band (``age_band_5``) uses the mean of the model's probabilities over the band's
years, each year weighted equally (``90+`` as 90).

Examples
--------
>>> person_uniform(np.array([1, 2, 3]), seed=2022).round(4).tolist()
[0.3498, 0.9094, 0.0535]
>>> person_uniform(np.array(["1", "2"], dtype=object), seed=2022).round(4).tolist()
[0.5032, 0.5858]
"""

from __future__ import annotations

import hashlib
from typing import Final

import numpy as np
import pandas as pd

from layers.individuals import age_band_labels
from layers.people.schema import AGE_BAND_5_LABELS
from layers.risk import frailty_probability, multimorbidity_probability

__all__ = [
    "AGE_BANDS",
    "AGE_BAND_LABELS",
    "BAND_KEY_OFFSET",
    "DEFAULT_SCORE_CUTS",
    "FRAIL_CATEGORIES",
    "TIER_SOURCES",
    "assign_tiers",
    "model_table",
    "person_uniform",
    "uniform_query",
]

#: Lower edges of the output age bands: multiples of 5, so that ages and 5-year bands
#: give the same bands.
AGE_BANDS: Final = (0, 5, 15, 25, 45, 65, 75, 85)
#: Their labels, ``"0-4"`` … ``"85+"``.
AGE_BAND_LABELS: Final = tuple(age_band_labels(AGE_BANDS))
#: Where the rows for 5-year bands start in :func:`model_table` (after ages 0-90).
BAND_KEY_OFFSET: Final = 91
#: Default (rising, high) cut points for ``risk_score``.
DEFAULT_SCORE_CUTS: Final = (0.2, 0.5)
#: eFI categories that count as frail (eFI > 0.24): the model's "high" tier.
FRAIL_CATEGORIES: Final = ("moderate", "severe")
#: Where a tier came from, in order of precedence.
TIER_SOURCES: Final = ("recorded frailty and conditions", "risk score", "risk model")

_GOLDEN: Final = 0x9E3779B97F4A7C15
_MIX1: Final = 0xBF58476D1CE4E5B9
_MIX2: Final = 0x94D049BB133111EB
_TWO64: Final = 1 << 64
_TWO53: Final = 9007199254740992.0


def _offset(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return ((int(seed) + 1) * _GOLDEN) % _TWO64


def _fmix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MIX2)
    return z ^ (z >> np.uint64(31))


def person_uniform(ids: np.ndarray | pd.Series, seed: int) -> np.ndarray:
    """Each person's uniform in [0, 1), a pure function of their id and the seed.

    Parameters
    ----------
    ids : array-like
        Integer ids (any integer dtype) or text ids (object or string dtype), no nulls.
    seed : int
        The run's seed (non-negative).

    Returns
    -------
    numpy.ndarray
        ``float64`` uniforms, one per id.

    Raises
    ------
    ValueError
        If the seed is negative or an id is missing.

    Examples
    --------
    >>> u = person_uniform(np.arange(100_000), seed=7)
    >>> bool(0.49 < u.mean() < 0.51), bool((u >= 0).all() and (u < 1).all())
    (True, True)
    """
    offset = np.uint64(_offset(seed))
    values = ids.to_numpy() if isinstance(ids, pd.Series) else np.asarray(ids)
    if np.issubdtype(values.dtype, np.integer):
        x = values.astype(np.int64, copy=False).view(np.uint64)
    else:
        if pd.isna(values).any():
            raise ValueError("ids must not be missing")
        x = np.fromiter(
            (int(hashlib.md5(str(v).encode()).hexdigest()[:16], 16) for v in values),
            dtype=np.uint64,
            count=len(values),
        )
    with np.errstate(over="ignore"):
        z = _fmix(x + offset)
    return (z >> np.uint64(11)).astype(np.float64) / _TWO53


def uniform_query(inner: str, id_column: str, id_kind: str, seed: int) -> str:
    """Add the column ``u`` of :func:`person_uniform` to a query, in DuckDB SQL.

    Each step of the mix is its own column of a nested ``SELECT``, so every step is
    computed once per row; 64-bit wrap-around is done in ``UHUGEINT`` with a mask.

    Parameters
    ----------
    inner : str
        A ``SELECT`` with the id column.
    id_column : str
        ``BIGINT`` when ``id_kind`` is ``"int"``, else ``VARCHAR``; never null where
        ``u`` is used.
    id_kind : {"int", "string"}
    seed : int

    Returns
    -------
    str
        ``SELECT *, u FROM (...)`` (plus working columns ``_z0`` ... ``_z3``).

    Examples
    --------
    >>> import duckdb
    >>> sql = uniform_query("SELECT i FROM range(1, 4) t(i)", "i", "int", 2022)
    >>> [round(u, 4) for (u,) in duckdb.sql(f"SELECT u FROM ({sql}) ORDER BY i").fetchall()]
    [0.3498, 0.9094, 0.0535]
    """
    mask = f"{_TWO64 - 1}::UHUGEINT"
    if id_kind == "int":
        x = f"(CAST({id_column} AS HUGEINT) & {_TWO64 - 1}::HUGEINT)::UHUGEINT"
    elif id_kind == "string":
        x = f"('0x' || substr(md5({id_column}), 1, 16))::UBIGINT::UHUGEINT"
    else:
        raise ValueError(f"id_kind must be 'int' or 'string', got {id_kind!r}")
    steps = [
        f"({x} + {_offset(seed)}::UHUGEINT) & {mask}",
        f"(xor(_z0, _z0 >> 30) * {_MIX1}::UHUGEINT) & {mask}",
        f"(xor(_z1, _z1 >> 27) * {_MIX2}::UHUGEINT) & {mask}",
        "xor(_z2, _z2 >> 31)",
    ]
    query = inner
    for i, step in enumerate(steps):
        query = f"SELECT *, {step} AS _z{i} FROM ({query})"
    return f"SELECT *, ((_z3 >> 11)::DOUBLE / {_TWO53}) AS u FROM ({query})"


def model_table() -> pd.DataFrame:
    """The risk model's probabilities for every IMD decile and age key.

    Age keys 0-90 are single years (90 = 90 and over); ``BAND_KEY_OFFSET + i`` is the
    ``i``-th 5-year band of :data:`layers.people.schema.AGE_BAND_5_LABELS` (mean of its
    years). Decile 0 is unknown (no deprivation shift).

    Returns
    -------
    pandas.DataFrame
        ``imd_decile`` (0-10), ``age_key``, ``p_multimorbidity``, ``p_frailty``
        (float64), one row per pair.

    Examples
    --------
    >>> table = model_table()
    >>> len(table), int(table["age_key"].max())
    (1210, 109)
    >>> row = table[(table.imd_decile == 0) & (table.age_key == 90)]
    >>> round(float(row.p_frailty.iloc[0]), 3)
    0.368
    """
    ages = np.arange(BAND_KEY_OFFSET, dtype=np.float64)
    deciles = np.array([np.nan, *range(1, 11)])
    grid_age = np.broadcast_to(ages, (11, len(ages)))
    grid_dec = np.broadcast_to(deciles[:, None], grid_age.shape)
    p_mm = multimorbidity_probability(grid_age, grid_dec)
    p_fr = frailty_probability(grid_age, grid_dec)
    band_mm, band_fr = [], []
    for i in range(len(AGE_BAND_5_LABELS)):
        years = np.minimum(np.arange(5 * i, 5 * i + 5), BAND_KEY_OFFSET - 1)
        if i == len(AGE_BAND_5_LABELS) - 1:
            years = np.array([BAND_KEY_OFFSET - 1])
        band_mm.append(p_mm[:, years].mean(axis=1))
        band_fr.append(p_fr[:, years].mean(axis=1))
    p_mm = np.hstack([p_mm, np.column_stack(band_mm)])
    p_fr = np.hstack([p_fr, np.column_stack(band_fr)])
    n_keys = p_mm.shape[1]
    return pd.DataFrame(
        {
            "imd_decile": np.repeat(np.arange(11, dtype=np.int64), n_keys),
            "age_key": np.tile(np.arange(n_keys, dtype=np.int64), 11),
            "p_multimorbidity": p_mm.ravel(),
            "p_frailty": p_fr.ravel(),
        }
    )


def assign_tiers(
    frailty: np.ndarray,
    ltc_count: np.ndarray,
    risk_score: np.ndarray,
    u: np.ndarray,
    p_multimorbidity: np.ndarray,
    p_frailty: np.ndarray,
    score_cuts: tuple[float, float] = DEFAULT_SCORE_CUTS,
) -> tuple[np.ndarray, np.ndarray]:
    """Tier and source of each row (see the module docstring for the rules).

    Parameters
    ----------
    frailty : numpy.ndarray of object
        eFI category or None.
    ltc_count, risk_score : numpy.ndarray of float
        NaN where not recorded.
    u, p_multimorbidity, p_frailty : numpy.ndarray of float
        The person's uniform and the model's probabilities.
    score_cuts : (float, float)
        Rising and high cut points for ``risk_score``.

    Returns
    -------
    tier : numpy.ndarray of int8
        0 low, 1 rising, 2 high (:data:`layers.risk.RISK_TIERS`).
    source : numpy.ndarray of int8
        Index into :data:`TIER_SOURCES`.

    Examples
    --------
    >>> from layers.risk import RISK_TIERS
    >>> tier, source = assign_tiers(
    ...     np.array(["severe", None, None, "fit"], dtype=object),
    ...     np.array([0.0, np.nan, np.nan, 3.0]), np.array([np.nan, 0.6, np.nan, np.nan]),
    ...     np.array([0.5, 0.5, 0.05, 0.9]), np.full(4, 0.3), np.full(4, 0.1))
    >>> [RISK_TIERS[t] for t in tier], source.tolist()
    (['high', 'high', 'high', 'rising'], [0, 1, 2, 0])
    """
    rising_cut, high_cut = score_cuts
    recorded = pd.notna(frailty) & ~np.isnan(ltc_count)
    frail = np.isin(frailty, FRAIL_CATEGORIES)
    scored = ~recorded & ~np.isnan(risk_score)
    tier = np.select(
        [
            recorded & frail,
            recorded & (ltc_count >= 2),
            recorded,
            scored & (risk_score >= high_cut),
            scored & (risk_score >= rising_cut),
            scored,
            u < p_frailty,
            u < p_multimorbidity,
        ],
        [2, 1, 0, 2, 1, 0, 2, 1],
        default=0,
    ).astype(np.int8)
    source = np.where(recorded, 0, np.where(scored, 1, 2)).astype(np.int8)
    return tier, source
