"""The person-level extract schema (version 1): one row per person, stored as Parquet.

An integrated care system's population health team holds a pseudonymised,
person-level extract in its secure data environment. ``python -m layers.people
aggregate`` reads it **where it lives** and writes only disclosure-controlled counts.
The synthetic population (:mod:`layers.people.synthetic`) is written in exactly this
schema, so every example and test runs on it.

Storage
    Parquet: one file, a folder of files, or a hive layout (``icb=QGH/part-0.parquet``;
    partition keys are read as columns). Files may differ in column order; a column
    missing from one file counts as missing for that file's rows.

Columns (names are matched without regard to case)

=================  ========  ===========================================================
column             required  values
=================  ========  ===========================================================
``person_id``      yes       pseudonymous id, integer or text; unique per row
``practice_code``  yes       ODS code of the GP practice of registration (``A81001``)
``lsoa_code``      yes       LSOA of residence (``E01…``, ``W01…``); null when unknown
``lsoa_year``      yes       the LSOA code set: ``2011`` or ``2021``
``age``            one of    age in whole years, 0 to 120
``age_band_5``     the two   5-year band when age is withheld: ``0-4`` … ``85-89``, ``90+``
``sex``            yes       ``F``, ``M``, ``I`` (indeterminate), ``U`` (unknown), or the
                             NHS Data Dictionary codes ``1``, ``2``, ``9``, ``0``, ``X``
``ltc_count``      no        number of long-term conditions, a whole number 0 to 99
``frailty``        no        electronic Frailty Index category: ``fit``, ``mild``,
                             ``moderate``, ``severe``
``segment``        no        a local population segment label (kept, not aggregated)
``risk_score``     no        a risk score from 0 to 1 (e.g. a 12-month probability of an
                             emergency admission)
=================  ========  ===========================================================

Types: integers may be stored as text and text codes as integers; a value that cannot
be read as its type is a reject ("missing or unreadable value"). Codes are compared
after trimming spaces and upper-casing.

How each row's risk tier is found (first that applies; see :mod:`layers.people.tiering`):

1. ``frailty`` **and** ``ltc_count`` recorded: the risk model's own definitions applied
   to the record (moderate or severe frailty → high; otherwise 2+ conditions → rising;
   otherwise low);
2. ``risk_score`` recorded: cut points (default 0.2 for rising, 0.5 for high);
3. otherwise the documented risk model of :mod:`layers.risk`, from age and the IMD
   decile of the LSOA, with a per-person uniform drawn from a hash of the id and seed.

An unreadable optional value (``frailty = "very"``, ``risk_score = 7``) does not reject
the row: it is treated as not recorded, and counted in the summary.

Examples
--------
>>> describe_schema().loc[lambda t: t["required"] == "yes", "column"].tolist()
['person_id', 'practice_code', 'lsoa_code', 'lsoa_year', 'sex']
>>> SCHEMA_VERSION
'1'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

__all__ = [
    "AGE_BAND_5_LABELS",
    "FIELDS",
    "FRAILTY_CATEGORIES",
    "LSOA_YEARS",
    "MAX_AGE",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "SEX_VALUES",
    "Field",
    "describe_schema",
]

#: Version of the person-level schema; stored in every aggregates file made from it.
SCHEMA_VERSION: Final = "1"
#: Oldest age accepted; older ages are rejects ("age outside 0-120").
MAX_AGE: Final = 120
#: LSOA code sets, by census year.
LSOA_YEARS: Final = (2011, 2021)
#: Accepted sex values (after trimming and upper-casing).
SEX_VALUES: Final = ("F", "M", "I", "U", "1", "2", "9", "0", "X")
#: eFI categories (Clegg et al. 2016), lowest first.
FRAILTY_CATEGORIES: Final = ("fit", "mild", "moderate", "severe")
#: 5-year bands accepted in ``age_band_5``; the last is open.
AGE_BAND_5_LABELS: Final = (*(f"{a}-{a + 4}" for a in range(0, 90, 5)), "90+")


@dataclass(frozen=True)
class Field:
    """One column of the schema.

    Attributes
    ----------
    name : str
        Column name (matched without regard to case).
    kind : {"id", "code", "year", "age", "band", "text", "count", "score"}
        How values are read.
    required : str
        ``"yes"``, ``"no"``, or ``"age"`` (one of ``age`` / ``age_band_5``).
    values : str
        The values accepted, in words.
    """

    name: str
    kind: str
    required: str
    values: str


FIELDS: Final = (
    Field("person_id", "id", "yes", "pseudonymous id, integer or text, unique per row"),
    Field("practice_code", "code", "yes", "ODS code of the GP practice (e.g. A81001)"),
    Field("lsoa_code", "code", "yes", "LSOA of residence (E01…, W01…), null when unknown"),
    Field("lsoa_year", "year", "yes", "2011 or 2021: the LSOA code set"),
    Field("age", "age", "age", "whole years 0-120 (or give age_band_5)"),
    Field("age_band_5", "band", "age", "0-4, 5-9, … 85-89, 90+ (when age is withheld)"),
    Field("sex", "text", "yes", "F, M, I, U (or NHS codes 1, 2, 9, 0, X)"),
    Field("ltc_count", "count", "no", "long-term conditions, whole number 0-99"),
    Field("frailty", "text", "no", "eFI category: fit, mild, moderate, severe"),
    Field("segment", "text", "no", "local segment label (kept, not aggregated)"),
    Field("risk_score", "score", "no", "risk score 0-1"),
)
#: Columns every extract must have (plus ``age`` or ``age_band_5``).
REQUIRED_COLUMNS: Final = tuple(f.name for f in FIELDS if f.required == "yes")
#: Columns that may be absent.
OPTIONAL_COLUMNS: Final = tuple(f.name for f in FIELDS if f.required == "no")


def describe_schema() -> pd.DataFrame:
    """The schema as a table, for documentation and messages.

    Returns
    -------
    pandas.DataFrame
        ``column``, ``required`` (``yes``, ``no``, or ``age`` for the pair of which one is
        needed) and ``values``, one row per column.

    Examples
    --------
    >>> describe_schema().shape
    (11, 3)
    """
    return pd.DataFrame(
        {
            "column": [f.name for f in FIELDS],
            "required": [f.required for f in FIELDS],
            "values": [f.values for f in FIELDS],
        }
    )
