"""Overlap and straddling tables with NHS Digital's disclosure rule applied.

Registered-patient counts by practice and LSOA are a published NHS Digital
aggregate, so the alignment tables themselves are exact. Tables made for export
to partners go further and apply :mod:`layers.disclosure`: every count is
rounded to the nearest 5 with 1-7 suppressed ("*"), totals are summed from the
unrounded counts and then rounded, and every percentage is computed from the
rounded figures (so a published percentage reveals no more than the published
counts). Which units straddle is still decided on the unrounded shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.alignment._core import PSEUDO_NAMES
from layers.disclosure import SUPPRESSED, shares_from_rounded, suppress_counts

__all__ = [
    "AREA_NAMES",
    "REST_OF_ENGLAND",
    "DisclosedOverlap",
    "disclose_overlap",
    "disclose_straddlers",
]

#: Column code of the authorities pooled outside the kept ones.
REST_OF_ENGLAND = "rest_of_england"
REST_OF_ENGLAND_NAME = "Rest of England"
#: Names of the pooled areas: Wales, unknown LSOAs and the rest of England.
AREA_NAMES: dict[str, str] = {**PSEUDO_NAMES, REST_OF_ENGLAND: REST_OF_ENGLAND_NAME}


class DisclosedOverlap(NamedTuple):
    """A units × authorities overlap with the disclosure rule applied.

    Attributes
    ----------
    shown : DataFrame
        Display counts (object: Python ints and ``"*"``), units × areas.
    values : DataFrame
        The same as float, NaN where suppressed (for charts and sorting).
    shares : DataFrame
        Percent of the unit's rounded total, from the rounded counts; NaN where
        the count is suppressed.
    totals : Series
        Display total per unit: the unrounded row sum, then rounded.
    total_values : Series
        The same as float (NaN where suppressed).
    """

    shown: pd.DataFrame
    values: pd.DataFrame
    shares: pd.DataFrame
    totals: pd.Series
    total_values: pd.Series


def _check_matrix(matrix: object) -> pd.DataFrame:
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"matrix must be a pandas DataFrame, got {type(matrix).__name__}.")
    if not all(pd.api.types.is_numeric_dtype(t) for t in matrix.dtypes):
        raise TypeError("matrix must hold numeric patient counts in every column.")
    return matrix


def disclose_overlap(
    matrix: pd.DataFrame, *, keep: Iterable[str] | None = None
) -> DisclosedOverlap:
    """Apply the disclosure rule to a units × authorities overlap matrix.

    Parameters
    ----------
    matrix : DataFrame
        Unrounded patient counts: index unit_code, columns la_code, as from
        :func:`layers.alignment.overlap_matrix` (``normalize=None``).
    keep : iterable of str, optional
        Authority codes to keep as columns, in matrix order. Every other English
        authority is pooled into :data:`REST_OF_ENGLAND` (summed unrounded, then
        rounded); Wales and unknown residences stay columns of their own. Default:
        keep every column.

    Returns
    -------
    DisclosedOverlap

    Raises
    ------
    TypeError
        If ``matrix`` is not a DataFrame of numbers.
    ValueError
        On negative, fractional or missing counts, or ``keep`` codes not in the
        matrix.

    Examples
    --------
    >>> matrix = pd.DataFrame({"A": [1300, 3], "B": [12, 40], "C": [4, 0]},
    ...                       index=pd.Index(["U1", "U2"], name="unit_code"))
    >>> out = disclose_overlap(matrix, keep=["A", "B"])
    >>> print(out.shown)  # doctest: +NORMALIZE_WHITESPACE
                  A   B rest_of_england
    unit_code
    U1         1300  10               *
    U2            *  40               0
    >>> out.totals.tolist(), out.shares.loc["U1"].tolist()
    ([1315, 45], [98.9, 0.8, nan])

    U2's total is 3 + 40 = 43, rounded to 45; its 40 is 88.9% of that.
    """
    frame = _check_matrix(matrix)
    columns = list(frame.columns)
    if keep is not None:
        wanted = list(keep)
        unknown = [c for c in wanted if c not in columns]
        if unknown:
            raise ValueError(f"keep has codes not in the matrix columns: {unknown[:3]}.")
        pseudo = [c for c in columns if c in PSEUDO_NAMES]
        kept = [c for c in columns if c in set(wanted)]
        rest = [c for c in columns if c not in set(kept) and c not in set(pseudo)]
        parts = [frame[kept]]
        if rest:
            parts.append(frame[rest].sum(axis=1).rename(REST_OF_ENGLAND).to_frame())
        parts.append(frame[pseudo])
        frame = pd.concat(parts, axis=1)
    frame = frame.astype(np.int64) if len(frame.columns) else frame
    total = frame.sum(axis=1).astype(np.int64)
    shown = suppress_counts(frame, list(frame.columns)) if len(frame.columns) else frame
    values = (
        suppress_counts(frame, list(frame.columns), numeric=True) if len(frame.columns) else frame
    )
    shares = pd.DataFrame(
        {
            column: shares_from_rounded(frame[column], total, numeric=True).to_numpy()
            for column in frame.columns
        },
        index=frame.index,
        columns=frame.columns,
    )
    return DisclosedOverlap(
        shown=shown,
        values=values.astype("float64"),
        shares=shares.astype("float64"),
        totals=suppress_counts(total.rename("total")),
        total_values=suppress_counts(total.rename("total"), numeric=True),
    )


def _pct_text(value: object) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.1f}%"


def disclose_straddlers(
    straddling: pd.DataFrame,
    residence: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    min_share: float = 1.0,
    max_items: int = 6,
) -> pd.DataFrame:
    """The straddling-units list with the disclosure rule applied.

    Parameters
    ----------
    straddling : DataFrame
        From :func:`layers.alignment.straddling_units` (unit_code, unit_name,
        unit_type, n_practices, patients, home_la_name, home_patients,
        second_la_code, second_la_name, n_authorities).
    residence : DataFrame
        From :func:`layers.alignment.residence_shares` at the same level
        (unit_code, la_code, la_name, patients): the split of each unit.
    names : mapping of str to str, optional
        Display names for authority codes (default: ``la_name``).
    min_share : float
        Authorities under this percent of a unit's (rounded) patients are pooled
        as "elsewhere" in ``split`` (named when there is only one); default 1.
    max_items : int
        At most this many authorities are named in ``split``; default 6.

    Returns
    -------
    DataFrame
        One row per straddling unit, in input order: unit_code, unit_name,
        unit_type, n_practices, patients (rounded total), home_la_name,
        home_patients, home_share_pct, second_la_name, second_patients,
        second_share_pct, n_authorities, split ("Townham 60.0%; Fieldshire
        40.0%"). Counts are display values (int or "*"); percentages are from
        the rounded counts, "*" where a count is suppressed.

    Raises
    ------
    TypeError
        If an input is not a DataFrame.
    ValueError
        On missing columns or invalid counts.

    Examples
    --------
    >>> from layers.alignment import residence_shares, straddling_units
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> args = toy.registrations, toy.lsoas, toy.practices
    >>> out = disclose_straddlers(straddling_units(*args), residence_shares(*args))
    >>> out[["unit_code", "patients", "home_share_pct"]].values.tolist()
    [['U00002', 1000, 60.0], ['A00004', 100, 80.0]]
    >>> out["split"].tolist()
    ['Townham 60.0%; Fieldshire 40.0%', 'Townham 80.0%; Wales 15.0%; Unknown LSOA *']

    The 5 patients with an unknown LSOA are suppressed (1-7), so their share is too.
    """
    columns = ["unit_code", "unit_name", "unit_type", "n_practices", "patients"]
    columns += ["home_la_name", "home_patients", "second_la_code", "second_la_name"]
    columns += ["n_authorities"]
    units = require_frame(straddling, columns, "straddling")
    shares = require_frame(residence, ["unit_code", "la_code", "la_name", "patients"], "residence")
    if isinstance(min_share, bool) or not isinstance(min_share, int | float):
        raise TypeError(f"min_share must be a number of percent, got {min_share!r}.")
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1:
        raise ValueError(f"max_items must be a positive whole number, got {max_items!r}.")
    label = dict(zip(shares["la_code"], shares["la_name"], strict=False))
    label.update(PSEUDO_NAMES)
    if names is not None:
        label.update(names)

    cells = shares.loc[shares["unit_code"].isin(units["unit_code"])]
    cells = cells.merge(units[["unit_code", "patients"]].rename(columns={"patients": "total"}))
    rounded = suppress_counts(cells["patients"], numeric=True)
    pct = shares_from_rounded(cells["patients"], cells["total"], numeric=True)
    cells = cells.assign(rounded=rounded.to_numpy(), pct=pct.to_numpy())
    split: dict[str, str] = {}
    for unit, group in cells.groupby("unit_code", sort=False):
        group = group.sort_values(["pct", "patients"], ascending=False, na_position="last")
        shown = group.loc[group["pct"] >= min_share].head(max_items)
        parts = [
            f"{label.get(c, c)} {p:.1f}%"
            for c, p in zip(shown["la_code"], shown["pct"], strict=True)
        ]
        others = group.loc[~group.index.isin(shown.index)]
        rest = int(others["patients"].sum())
        if rest:
            share = shares_from_rounded([rest], [int(group["total"].iloc[0])])
            first = others["la_code"].iloc[0]
            where = label.get(first, first) if len(others) == 1 else f"{len(others)} other areas"
            parts.append(f"{where} {_pct_text(share.iloc[0])}")
        split[unit] = "; ".join(parts)

    second_lookup = cells.set_index(["unit_code", "la_code"])["patients"]
    keys = pd.MultiIndex.from_arrays([units["unit_code"], units["second_la_code"]])
    second_n = second_lookup.reindex(keys).fillna(0).astype(np.int64).to_numpy()
    total = units["patients"].astype(np.int64)
    out = pd.DataFrame(
        {
            "unit_code": units["unit_code"].to_numpy(dtype=object),
            "unit_name": units["unit_name"].to_numpy(dtype=object),
            "unit_type": units["unit_type"].to_numpy(dtype=object),
            "n_practices": units["n_practices"].to_numpy(dtype=np.int64),
            "patients": suppress_counts(total).to_numpy(dtype=object),
            "home_la_name": units["home_la_name"].to_numpy(dtype=object),
            "home_patients": suppress_counts(units["home_patients"]).to_numpy(dtype=object),
            "home_share_pct": shares_from_rounded(units["home_patients"], total).to_numpy(),
            "second_la_name": units["second_la_name"].to_numpy(dtype=object),
            "second_patients": suppress_counts(pd.Series(second_n)).to_numpy(dtype=object),
            "second_share_pct": shares_from_rounded(
                pd.Series(second_n), total.to_numpy()
            ).to_numpy(),
            "n_authorities": units["n_authorities"].to_numpy(dtype=np.int64),
            "split": [split.get(u, "") for u in units["unit_code"]],
        }
    )
    return out
