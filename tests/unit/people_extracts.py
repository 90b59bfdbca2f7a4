"""Hand-made person-level extracts for the layers.people tests, with known answers.

Real codes of Herefordshire and Worcestershire (QGH, 2022 vintage), so the real lookups
apply: practices M81019 and M81064 are in PCN U10834, M81012 in U12199; LSOA E01013995
is in IMD decile 1, E01013993 in decile 2, E01014039 in decile 10.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from layers.people.engines import run_engine, tally
from layers.people.extract import plan_extract
from layers.people.rules import RunParameters

PRACTICE_A = "M81019"  # PCN U10834
PRACTICE_B = "M81064"  # PCN U10834
PRACTICE_C = "M81012"  # PCN U12199
DECILE_1 = "E01013995"
DECILE_2 = "E01013993"
DECILE_10 = "E01014039"


def person(pid, practice=PRACTICE_A, lsoa=DECILE_1, age=40, sex="F", year=2011, **extra):
    """One row of the extract schema (recorded fields in ``extra``)."""
    return {
        "person_id": pid,
        "practice_code": practice,
        "lsoa_code": lsoa,
        "lsoa_year": year,
        "age": age,
        "sex": sex,
        **extra,
    }


def write(rows: list[dict] | pd.DataFrame, folder: Path, name: str = "part-0.parquet") -> Path:
    """Write rows as one Parquet file in ``folder`` (created); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame.to_parquet(folder / name, index=False)
    return folder


def run(path: Path, lookups, engine: str = "pandas", *, lsoa_year: int = 2011, cuts=(0.2, 0.5)):
    """Plan, run one engine and tally (the Dask engine starts its own local cluster)."""
    plan = plan_extract(path)
    params = RunParameters(seed=2022, lsoa_year=lsoa_year, score_cuts=cuts)
    return tally(run_engine(engine, plan, lookups, params), lookups)
