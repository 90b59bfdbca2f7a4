"""Re-apply a straddle threshold to alignment tables without recomputing them.

Only a handful of columns depend on the straddle threshold: the ``straddles``
flag of the home-authority tables, which units are listed as straddling, the
straddling units on each place card, and the area/residence comparison. The
expensive part (tabulating 866k registrations) does not. Compute the tables once
with ``threshold=1.0`` (every unit with any patients outside its home is then
kept as a candidate) and call :func:`apply_threshold` for each threshold the
user picks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from layers._checks import require_frame
from layers.alignment._core import check_threshold
from layers.alignment.area import compare_alignment

__all__ = ["apply_threshold", "place_straddling"]

_UNIT_COLUMNS = ("place_code", "unit_code", "unit_name", "home_share")


def place_straddling(
    units: pd.DataFrame, threshold: float, place_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Straddling units of each place, from :func:`layers.alignment.place_units`.

    Parameters
    ----------
    units : DataFrame
        place_code, unit_code, unit_name, home_share (one row per unit homed in a
        place), as returned by :func:`layers.alignment.place_units`.
    threshold : float
        A unit straddles when its home share is under this, in (0, 1].
    place_codes : iterable of str, optional
        Places to report, in this order (places with no units get 0 and "");
        default: the places in ``units``, sorted.

    Returns
    -------
    DataFrame
        place_code, n_straddling, straddling ("Name (60% here); ..." sorted by
        unit code, as in :func:`layers.alignment.place_summary`).

    Raises
    ------
    TypeError
        If ``units`` is not a DataFrame or the threshold is not a number.
    ValueError
        On missing columns or a threshold outside (0, 1].

    Examples
    --------
    >>> units = pd.DataFrame({"place_code": ["P1", "P1", "P2"],
    ...                       "unit_code": ["U1", "U2", "U3"],
    ...                       "unit_name": ["North PCN", "South PCN", "East PCN"],
    ...                       "home_share": [0.6, 0.85, 0.99]})
    >>> place_straddling(units, 0.9)["straddling"].tolist()
    ['North PCN (60% here); South PCN (85% here)', '']
    >>> place_straddling(units, 0.8, place_codes=["P2", "P1", "P3"])["n_straddling"].tolist()
    [0, 1, 0]
    """
    limit = check_threshold(threshold)
    frame = require_frame(units, _UNIT_COLUMNS, "units")
    codes = (
        pd.Index(sorted(frame["place_code"].unique()), dtype=object)
        if place_codes is None
        else pd.Index(list(place_codes), dtype=object)
    )
    straddlers = frame.loc[frame["home_share"] < limit]
    straddlers = straddlers.sort_values(["place_code", "unit_code"], kind="stable")
    label = (
        straddlers["unit_name"].astype(str)
        + " ("
        + (100 * straddlers["home_share"]).round().astype(int).astype(str)
        + "% here)"
    )
    text = label.groupby(straddlers["place_code"].to_numpy(), sort=False).agg("; ".join)
    count = straddlers.groupby("place_code").size()
    out = pd.DataFrame(
        {
            "place_code": codes.to_numpy(dtype=object),
            "n_straddling": count.reindex(codes, fill_value=0).to_numpy(dtype=np.int64),
            "straddling": text.reindex(codes).fillna("").to_numpy(dtype=object),
        }
    )
    return out.astype({"place_code": "str", "straddling": "str"})


def apply_threshold(
    figures: Mapping[str, pd.DataFrame], threshold: float
) -> dict[str, pd.DataFrame]:
    """Re-flag straddling units in :func:`layers.alignment.alignment_figures` output.

    Parameters
    ----------
    figures : mapping of str to DataFrame
        Tables from :func:`layers.alignment.alignment_figures`, computed with a
        threshold at least as high as ``threshold`` (use ``threshold=1.0`` to be
        able to apply any threshold). ``place_summary`` needs ``place_units``.
        The input is not modified.
    threshold : float
        New straddle threshold, in (0, 1].

    Returns
    -------
    dict of str to DataFrame
        The same tables, with these replaced: home_authorities and
        practice_home_authorities (``straddles``), straddling_units (rows),
        place_summary (n_straddling, straddling) and alignment_comparison
        (recomputed from residence_shares and area_shares). Equal to calling
        ``alignment_figures`` with ``threshold``.

    Raises
    ------
    TypeError
        If ``figures`` is not a mapping or the threshold is not a number.
    ValueError
        On a threshold outside (0, 1], if ``figures`` were computed with a lower
        threshold (straddling units would be missing), or if place_summary comes
        without place_units.

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> base = toy_figures(threshold=1.0)
    >>> at_70 = apply_threshold(base, 0.7)
    >>> at_70["straddling_units"]["unit_code"].tolist()
    ['U00002']
    >>> at_70["place_summary"]["straddling"].tolist()
    ['U00002 (60% here)', '']
    >>> base["straddling_units"]["unit_code"].tolist()  # unchanged
    ['U00002', 'A00004', 'U00001']
    """
    if not isinstance(figures, Mapping):
        raise TypeError(
            f"figures must be a mapping of table name to DataFrame, got {type(figures).__name__}."
        )
    limit = check_threshold(threshold)
    out = dict(figures)
    for key in ("home_authorities", "practice_home_authorities"):
        if key in figures:
            table = require_frame(figures[key], ["home_share", "straddles"], key)
            out[key] = table.assign(straddles=(table["home_share"] < limit).to_numpy())
    if "straddling_units" in figures:
        base = require_frame(figures["straddling_units"], ["unit_code"], "straddling_units")
        if "home_authorities" in figures:
            home = figures["home_authorities"]
            wanted = set(home.loc[home["home_share"] < limit, "unit_code"])
            missing = wanted - set(base["unit_code"])
            if missing:
                raise ValueError(
                    f"figures were computed with a threshold below {limit:.0%}: straddling "
                    f"unit(s) {sorted(missing)[:3]} are missing; compute them with "
                    "threshold=1.0."
                )
        out["straddling_units"] = base.loc[(base["home_share"] < limit).to_numpy()].reset_index(
            drop=True
        )
    if "place_summary" in figures:
        if "place_units" not in figures:
            raise ValueError(
                "place_summary needs place_units to be re-flagged; use the tables from "
                "alignment_figures, which include both."
            )
        summary = figures["place_summary"]
        flags = place_straddling(figures["place_units"], limit, summary["place_code"])
        out["place_summary"] = summary.assign(
            n_straddling=flags["n_straddling"].to_numpy(),
            straddling=flags["straddling"].to_numpy(),
        ).astype({"straddling": "str"})
    if "alignment_comparison" in figures and "area_shares" in figures:
        out["alignment_comparison"] = compare_alignment(
            figures["residence_shares"], figures["area_shares"], threshold=limit
        )
    return out
