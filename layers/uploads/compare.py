"""Compare an uploaded practice list with the built-in registrations."""

from __future__ import annotations

import pandas as pd

from layers._checks import require_frame

__all__ = ["compare_practice_list"]

#: What each row's status means.
STATUS_WORDS = {
    "both": "In both",
    "left_only": "Not in your list",
    "right_only": "New in your list",
}


def compare_practice_list(builtin: pd.DataFrame, uploaded: pd.DataFrame) -> pd.DataFrame:
    """Each practice in either list: list sizes, their difference and a changed PCN.

    Parameters
    ----------
    builtin : DataFrame
        ``practice_code``, ``practice_name``, ``pcn_code``, ``registered_patients``.
    uploaded : DataFrame
        An accepted practice list: ``practice_code``, ``list_size``, ``pcn_code``.

    Returns
    -------
    DataFrame
        One row per practice: ``practice_code``, ``practice_name``, ``pcn_code``,
        ``registered_patients``, ``list_size``, ``your_pcn_code``, ``status`` (in
        words), ``difference`` (your list size minus the registrations) and
        ``pcn_changed`` (in both lists, with another PCN).

    Examples
    --------
    >>> builtin = pd.DataFrame({"practice_code": ["A", "B"], "practice_name": ["Ash", "Birch"],
    ...     "pcn_code": ["P1", "P1"], "registered_patients": [100, 200]})
    >>> uploaded = pd.DataFrame({"practice_code": ["A", "C"], "list_size": [110, 50],
    ...     "pcn_code": ["P2", "P1"]})
    >>> compare_practice_list(builtin, uploaded)[["practice_code", "status", "difference",
    ...     "pcn_changed"]]
      practice_code            status  difference  pcn_changed
    0             A           In both        10.0         True
    1             B  Not in your list         NaN        False
    2             C  New in your list         NaN        False
    """
    require_frame(
        builtin, ["practice_code", "practice_name", "pcn_code", "registered_patients"], "builtin"
    )
    require_frame(uploaded, ["practice_code", "list_size", "pcn_code"], "uploaded")
    compared = builtin[["practice_code", "practice_name", "pcn_code", "registered_patients"]].merge(
        uploaded[["practice_code", "list_size", "pcn_code"]].rename(
            columns={"pcn_code": "your_pcn_code"}
        ),
        on="practice_code",
        how="outer",
        indicator=True,
    )
    compared["status"] = compared["_merge"].astype(str).map(STATUS_WORDS)
    compared["difference"] = compared["list_size"] - compared["registered_patients"]
    compared["pcn_changed"] = (compared["_merge"] == "both") & (
        compared["pcn_code"].fillna("") != compared["your_pcn_code"].fillna("")
    )
    return compared.drop(columns="_merge").reset_index(drop=True)
