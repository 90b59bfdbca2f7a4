"""Ages of residents: single years (2022 vintage) or Census 2021 bands (2026 vintage).

The 2022 ``lsoas`` table has ONS mid-2020 residents by single year of age
(``age_0`` … ``age_90``, 90 = 90+). The 2026 table has Census 2021 residents in six
bands only (``age_0_15``, ``age_16_24``, ``age_25_34``, ``age_35_49``, ``age_50_64``,
``age_65_plus``); no single years are stored.

The documented split
--------------------
Where a model needs single years (synthetic individuals, the risk model, practice age
structures), :func:`split_bands` splits each LSOA's band counts into single years in
the shape England had within that band in the ONS mid-2020 estimates
(:data:`ENGLAND_MID2020_BY_AGE`): a band's count is shared across its years in
proportion to England's mid-2020 residents of those ages, rounded to whole people by
largest remainder (ties to the younger age), so every LSOA's band totals stay exact.
This is the one place the split is defined. It adds no information: what is *shown*
for the 2026 vintage stays in the six bands (:func:`banded_ages`, and pyramids drawn
with :func:`pyramid_bands`), and 65+ and 0–15 shares come straight from the bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.vintages import CENSUS_AGE_BANDS, DEFAULT_VINTAGE, get_vintage

__all__ = [
    "AGE_COLUMNS",
    "BAND_COLUMNS",
    "ENGLAND_MID2020_BY_AGE",
    "MAX_AGE",
    "banded_ages",
    "check_age_bands",
    "has_bands",
    "has_single_years",
    "pyramid_bands",
    "single_year_ages",
    "split_bands",
]

#: Top single-year age; ``age == MAX_AGE`` means "90 and over" (as in ONS tables).
MAX_AGE: Final = 90
#: Single-year age columns of the 2022 ``lsoas`` table.
AGE_COLUMNS: Final = tuple(f"age_{a}" for a in range(MAX_AGE + 1))
#: The Census 2021 age-band columns of the 2026 ``lsoas`` table, youngest first; their
#: lower edges are :data:`layers.vintages.CENSUS_AGE_BANDS`.
BAND_COLUMNS: Final = (
    "age_0_15",
    "age_16_24",
    "age_25_34",
    "age_35_49",
    "age_50_64",
    "age_65_plus",
)

#: England's residents by single year of age 0–90+ in the ONS mid-2020 estimates (the
#: sum of the 2022 vintage's ``age_0`` … ``age_90``; 56,550,138 in all). Used only for
#: the shape of :func:`split_bands`.
ENGLAND_MID2020_BY_AGE: Final = (
    601_913, 625_476, 650_226, 671_016, 690_816, 689_190, 694_734, 709_940, 730_548, 715_046,
    703_087, 692_873, 698_821, 676_773, 664_025, 637_756, 628_023, 613_025, 606_611, 630_456,
    653_155, 679_487, 694_216, 720_400, 725_264, 725_111, 745_909, 747_190, 768_513, 784_770,
    771_964, 764_738, 773_176, 753_953, 760_821, 758_955, 741_034, 745_909, 743_814, 748_497,
    749_883, 720_148, 672_256, 661_208, 672_808, 685_301, 696_231, 724_675, 754_435, 777_997,
    758_905, 775_715, 774_083, 784_116, 782_532, 784_299, 775_320, 756_023, 736_939, 709_201,
    677_962, 660_419, 644_896, 618_893, 594_643, 571_143, 569_908, 559_844, 541_297, 542_108,
    550_059, 560_762, 587_908, 632_852, 482_547, 461_855, 453_442, 413_706, 362_412, 318_577,
    323_778, 313_081, 294_838, 271_063, 246_429, 223_058, 195_010, 173_861, 156_497, 136_917,
    521_067,
)  # fmt: skip


def has_single_years(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` has every single-year column ``age_0`` … ``age_90``."""
    return all(c in frame.columns for c in AGE_COLUMNS)


def has_bands(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` has every Census 2021 band column."""
    return all(c in frame.columns for c in BAND_COLUMNS)


def _band_of_age() -> np.ndarray:
    return np.searchsorted(np.asarray(CENSUS_AGE_BANDS), np.arange(MAX_AGE + 1), side="right") - 1


def split_bands(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Split Census 2021 band counts into single years 0–90, in England's mid-2020 shape.

    See the module notes: a band's count is shared over its years in proportion to
    :data:`ENGLAND_MID2020_BY_AGE`, rounded by largest remainder (ties to the younger
    age), so the single years of each band add up to the band exactly.

    Parameters
    ----------
    lsoas : DataFrame
        The :data:`BAND_COLUMNS` (whole, non-negative counts) and any other columns.

    Returns
    -------
    DataFrame
        A copy of ``lsoas`` with ``age_0`` … ``age_90`` (int64) added after it.

    Raises
    ------
    MissingColumnsError, ValueError
        For a missing band column or a negative or fractional count.

    Examples
    --------
    >>> bands = pd.DataFrame({"lsoa_code": ["L1"], "age_0_15": [16], "age_16_24": [0],
    ...     "age_25_34": [0], "age_35_49": [0], "age_50_64": [0], "age_65_plus": [26]})
    >>> split = split_bands(bands)
    >>> int(split[[f"age_{a}" for a in range(16)]].sum(axis=1).iloc[0])
    16
    >>> int(split[[f"age_{a}" for a in range(65, 91)]].sum(axis=1).iloc[0])
    26
    >>> int(split["age_90"].iloc[0]), int(split["age_65"].iloc[0])
    (1, 1)
    """
    require_frame(lsoas, BAND_COLUMNS, "lsoas")
    counts = lsoas[list(BAND_COLUMNS)].to_numpy(dtype=np.float64)
    if np.isnan(counts).any() or (counts < 0).any() or (counts != np.floor(counts)).any():
        raise ValueError("Age-band counts must be whole numbers >= 0 with none missing.")
    england = np.asarray(ENGLAND_MID2020_BY_AGE, dtype=np.float64)
    band = _band_of_age()
    out = np.zeros((len(lsoas), MAX_AGE + 1), dtype=np.int64)
    for b in range(len(BAND_COLUMNS)):
        ages = np.flatnonzero(band == b)
        shape = england[ages] / england[ages].sum()
        exact = counts[:, b, None] * shape[None, :]
        floor = np.floor(exact)
        left = (counts[:, b] - floor.sum(axis=1)).round().astype(np.int64)
        # Rank each row's remainders, largest first; a stable sort sends ties to the
        # younger age.
        order = np.argsort(-(exact - floor), axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(len(ages))[None, :], axis=1)
        out[:, ages] = floor.astype(np.int64) + (rank < left[:, None])
    singles = pd.DataFrame(out, columns=list(AGE_COLUMNS), index=lsoas.index)
    return pd.concat([lsoas.drop(columns=list(AGE_COLUMNS), errors="ignore"), singles], axis=1)


def single_year_ages(lsoas: pd.DataFrame) -> pd.DataFrame:
    """``lsoas`` with single-year ages: as they are (2022), or split from bands (2026).

    Raises
    ------
    ValueError
        If the frame has neither single years nor the Census bands.

    Examples
    --------
    >>> bands = pd.DataFrame({"lsoa_code": ["L1"], **{c: [1] for c in BAND_COLUMNS}})
    >>> has_single_years(single_year_ages(bands))
    True
    """
    if has_single_years(lsoas):
        return lsoas
    if has_bands(lsoas):
        return split_bands(lsoas)
    raise ValueError(
        "lsoas has no ages: it needs age_0 … age_90 (2022) or the Census 2021 bands "
        f"{', '.join(BAND_COLUMNS)} (2026)."
    )


def banded_ages(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Residents in the six Census 2021 bands, for either vintage (what 2026 can show).

    Returns
    -------
    DataFrame
        ``lsoa_code`` and :data:`BAND_COLUMNS` (2022: summed from single years).

    Examples
    --------
    >>> ages = pd.DataFrame({"lsoa_code": ["L1"], **{f"age_{a}": [1] for a in range(91)}})
    >>> banded_ages(ages)[list(BAND_COLUMNS)].iloc[0].tolist()
    [16, 9, 10, 15, 15, 26]
    """
    if has_bands(lsoas):
        require_frame(lsoas, ["lsoa_code"], "lsoas")
        return lsoas[["lsoa_code", *BAND_COLUMNS]].reset_index(drop=True)
    if not has_single_years(lsoas):
        single_year_ages(lsoas)  # raises the message naming both layouts
    require_frame(lsoas, ["lsoa_code"], "lsoas")
    singles = lsoas[list(AGE_COLUMNS)].to_numpy(dtype=np.int64)
    band = _band_of_age()
    values = {c: singles[:, band == b].sum(axis=1) for b, c in enumerate(BAND_COLUMNS)}
    return pd.DataFrame({"lsoa_code": lsoas["lsoa_code"].to_numpy(), **values})


def pyramid_bands(vintage: str = DEFAULT_VINTAGE) -> tuple[int, ...]:
    """Lower edges of the age bands a pyramid of ``vintage`` is drawn in.

    2022: 5-year bands 0–4 … 85–89, 90+; 2026: the six Census 2021 bands.

    Examples
    --------
    >>> pyramid_bands("2026")
    (0, 16, 25, 35, 50, 65)
    >>> len(pyramid_bands("2022"))
    19
    """
    if get_vintage(vintage).single_year_ages:
        return tuple(range(0, MAX_AGE + 1, 5))
    return CENSUS_AGE_BANDS


def check_age_bands(edges: Sequence[int], vintage: str = DEFAULT_VINTAGE) -> tuple[int, ...]:
    """Refuse age bands finer than the vintage's data (no invented precision).

    Parameters
    ----------
    edges : sequence of int
        Lower edges of the bands asked for.
    vintage : {"2022", "2026"}

    Returns
    -------
    tuple of int
        ``edges``, when every edge is an age the vintage's data starts a band at.

    Raises
    ------
    ValueError
        Naming the edges the vintage allows.

    Examples
    --------
    >>> check_age_bands([0, 65], "2026")
    (0, 65)
    >>> check_age_bands([0, 5, 65], "2026")
    Traceback (most recent call last):
    ...
    ValueError: The 2026 vintage has ages in Census 2021 bands only; age band edges must be \
among 0, 16, 25, 35, 50, 65 (got 5).
    """
    allowed = get_vintage(vintage).age_bands
    extra = [int(e) for e in edges if int(e) not in allowed]
    if extra:
        raise ValueError(
            f"The {vintage} vintage has ages in Census 2021 bands only; age band edges must "
            f"be among {', '.join(map(str, allowed))} (got {', '.join(map(str, extra))})."
        )
    return tuple(int(e) for e in edges)
