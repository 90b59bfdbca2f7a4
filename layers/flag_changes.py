"""Which units change band status between two configurations (two saved what-ifs).

Two tables from :func:`layers.tiers.flag_units` (for example two versions of a saved
tiers scenario, each with its own bands and regrouping) are matched unit by unit; the
units whose status, or registered patients, differ are returned side by side. A unit
that exists in only one of them (a PCN merged away) is listed with the other side empty.

Examples
--------
>>> from layers import tiers
>>> tables = tiers.example_tables()
>>> bands = {"practice": (30, 100), "pcn": (100, 200)}
>>> real = tiers.flag_units(tables, bands)
>>> merged = tiers.flag_units(
...     tiers.apply_regrouping(tables, tiers.Regrouping().merge_pcns("A", "B")), bands)
>>> changes = flag_changes(real, merged)
>>> changes[["layer", "code", "status_a", "status_b"]]
   layer code status_a     status_b
0    pcn    A    below       within
1    pcn    B   within         <NA>
2  place   U1    below        below
3  place   U2    below  no_practice
>>> changes["change"].tolist()[:3]
['Below band → Within band', 'Within band → (no unit)', 'Patients changed']
"""

from __future__ import annotations

import pandas as pd

from layers._checks import require_frame
from layers.tiers import BANDED_LAYERS, STATUS_LABELS

__all__ = ["NO_UNIT", "flag_changes"]

#: The words for a side on which the unit does not exist.
NO_UNIT = "(no unit)"
_COLUMNS = ("layer", "code", "name", "registered_patients", "status")


def flag_changes(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Units whose status or registered patients differ between two flag tables.

    Parameters
    ----------
    first, second : DataFrame
        :func:`layers.tiers.flag_units` of configuration A and of configuration B.

    Returns
    -------
    DataFrame
        ``layer``, ``code``, ``name`` (B's name where the unit is in B),
        ``registered_patients_a``, ``status_a``, ``registered_patients_b``,
        ``status_b`` (missing on a side without the unit) and ``change`` in words;
        in layer order (practices, PCNs, places, the ICS), then by code.

    Raises
    ------
    MissingColumnsError
        If either table lacks a flag_units column.
    """
    require_frame(first, _COLUMNS, "first")
    require_frame(second, _COLUMNS, "second")
    keep = ["layer", "code", "name", "registered_patients", "status"]
    both = pd.merge(
        first[keep].astype({"status": "string"}),
        second[keep].astype({"status": "string"}),
        on=["layer", "code"],
        how="outer",
        suffixes=("_a", "_b"),
    )
    patients_a = both["registered_patients_a"].astype("Int64")
    patients_b = both["registered_patients_b"].astype("Int64")
    same_status = both["status_a"].fillna(NO_UNIT) == both["status_b"].fillna(NO_UNIT)
    same_patients = (patients_a == patients_b).fillna(False)
    changed = both[~(same_status & same_patients)].copy()
    words_a = changed["status_a"].map(STATUS_LABELS, na_action="ignore").fillna(NO_UNIT)
    words_b = changed["status_b"].map(STATUS_LABELS, na_action="ignore").fillna(NO_UNIT)
    changed["change"] = (words_a + " → " + words_b).where(words_a != words_b, "Patients changed")
    changed["name"] = changed["name_b"].fillna(changed["name_a"])
    changed["registered_patients_a"] = patients_a.loc[changed.index]
    changed["registered_patients_b"] = patients_b.loc[changed.index]
    order = {layer: i for i, layer in enumerate(BANDED_LAYERS)}
    changed = changed.assign(_order=changed["layer"].map(order)).sort_values(["_order", "code"])
    columns = [
        "layer",
        "code",
        "name",
        "registered_patients_a",
        "status_a",
        "registered_patients_b",
        "status_b",
        "change",
    ]
    return changed[columns].reset_index(drop=True)
