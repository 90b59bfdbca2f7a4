"""The DuckDB engine: the row rules of :mod:`layers.people.rules` as one SQL query.

DuckDB is built in: no server, a laptop or a secure environment is enough. It reads the
Parquet files in place (only the columns used), in parallel, and spills to disk past
its memory limit. Two statements:

1. the ids that occur more than once: none when the ids are known to be in order
   (:func:`layers.people.extract.ids_in_order`), else a distinct count over
   ``person_id`` alone and, only if some repeat, a grouped count;
2. every row read as its type, checked, joined to the lookups (practices, LSOAs, the
   risk model's probabilities, the duplicate ids), given its tier, and counted into the
   detail table of :mod:`layers.people.rules`.

Every expression mirrors the pandas reference (same trimming and casing, the same
pattern for numbers written as text, the same precedence of rejects, the same
per-person uniform, :func:`layers.people.tiering.uniform_query`), and the tests hold them
to identical results.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from typing import Final

import numpy as np
import pandas as pd

from layers.people.extract import ExtractPlan, ids_in_order
from layers.people.lookups import Lookups
from layers.people.rules import DETAIL_COLUMNS, NUMBER_PATTERN, RunParameters, normalised
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
    FRAIL_CATEGORIES,
    uniform_query,
)

__all__ = ["DEFAULT_MEMORY_LIMIT", "run_duckdb", "sql_for"]

#: DuckDB's memory limit unless told otherwise; it spills to a temporary folder past it.
DEFAULT_MEMORY_LIMIT: Final = "1.5GB"
_MAX_LTC: Final = 99


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: tuple[object, ...]) -> str:
    return "(" + ", ".join(_quote(str(v)) for v in values) + ")"


def _double(value: float) -> str:
    return f"CAST({_quote(repr(float(value)))} AS DOUBLE)"


def _text(column: str, case: str | None = "upper") -> str:
    trimmed = f"trim(CAST({column} AS VARCHAR), ' ')"
    cased = {"upper": f"upper({trimmed})", "lower": f"lower({trimmed})", None: trimmed}[case]
    return f"NULLIF({cased}, '')"


def _number(column: str, source: str) -> str:
    if source == "string":
        trimmed = f"trim(CAST({column} AS VARCHAR), ' ')"
        value = (
            f"CASE WHEN regexp_full_match({trimmed}, {_quote(NUMBER_PATTERN)}) "
            f"THEN TRY_CAST({trimmed} AS DOUBLE) END"
        )
    else:
        value = f"CAST({column} AS DOUBLE)"
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


def _whole(expression: str) -> str:
    return f"(CASE WHEN {expression} = floor({expression}) THEN {expression} END)"


def _band_of(edge: str) -> str:
    cases = " ".join(
        f"WHEN {edge} >= {lo} THEN {i}" for i, lo in reversed(list(enumerate(AGE_BANDS)))
    )
    return f"(CASE {cases} END)"


def _source(files: list[str], hive: bool) -> str:
    listed = ", ".join(_quote(f) for f in files)
    return (
        f"read_parquet([{listed}], union_by_name = true, "
        f"hive_partitioning = {'true' if hive else 'false'})"
    )


def sql_for(plan: ExtractPlan, params: RunParameters) -> tuple[str, str, str]:
    """The statements of the run: whether any id repeats, which do, then the detail table.

    Parameters
    ----------
    plan : ExtractPlan
    params : RunParameters

    Returns
    -------
    (str, str, str)
        The count of repeats, ``CREATE TEMP TABLE dup ...`` (run only when there are
        repeats; else ``dup`` is made empty) and the ``SELECT`` of the detail table. They
        expect the tables of :func:`run_duckdb` to be registered.
    """
    source = _source(list(plan.files), plan.hive)
    if plan.id_kind == "int":
        pid = "CAST(person_id AS BIGINT)"
    else:
        pid = _text("person_id", None)
    dup = (
        f"CREATE TEMP TABLE dup AS SELECT pid FROM (SELECT {pid} AS pid FROM {source}) "
        "WHERE pid IS NOT NULL GROUP BY pid HAVING count(*) > 1"
    )
    # the usual case, no repeated id, is found by a cheaper distinct count first
    any_dup = f"SELECT count(pid) - count(DISTINCT pid) FROM (SELECT {pid} AS pid FROM {source})"
    joined = _joined_sql(plan, params, pid, source)
    return any_dup, dup, _detail_sql(joined, plan, params)


def _age_sql(plan: ExtractPlan) -> dict[str, str]:
    """How the age is read, keyed (single years or five-year bands) and checked."""
    if plan.age_column == "age":
        age = _whole(_number("age", plan.types["age"]))
        return {
            "cols": f"{age} AS age",
            "join": "",
            "key": (
                f"CASE WHEN age BETWEEN 0 AND {MAX_AGE} THEN least(age, {BAND_KEY_OFFSET - 1}) END"
            ),
            "edge": "age",
            "readable": "src.age IS NOT NULL",
            "out_of_range": f"src.age < 0 OR src.age > {MAX_AGE}",
        }
    return {
        "cols": f"{_text('age_band_5')} AS band5_label",
        "join": "LEFT JOIN band5 ON band5.label = src.band5_label",
        "key": f"{BAND_KEY_OFFSET} + band5.idx",
        "edge": "5 * band5.idx",
        "readable": "band5.idx IS NOT NULL",
        "out_of_range": "false",
    }


def _optional_sql(plan: ExtractPlan) -> dict[str, str]:
    """How the optional risk columns are read: NULL or false when the extract has none."""
    optional, types = set(plan.optional), plan.types
    has_ltc, has_score = "ltc_count" in optional, "risk_score" in optional
    return {
        "fr_raw": _text("frailty", "lower") if "frailty" in optional else "NULL::VARCHAR",
        "ltc_present": "ltc_count IS NOT NULL" if has_ltc else "false",
        "ltc_number": _whole(_number("ltc_count", types["ltc_count"])) if has_ltc else "NULL",
        "score_present": "risk_score IS NOT NULL" if has_score else "false",
        "score_number": _number("risk_score", types["risk_score"]) if has_score else "NULL",
    }


def _code_sql(plan: ExtractPlan) -> dict[str, str]:
    """How the practice, LSOA and sex columns are read, checked and joined to their lookups.

    Text stored as text is read through a map of its distinct values (made from the
    plan, normalised once each); otherwise each row is trimmed and upper-cased here.
    """
    mapped = plan.raw_values
    if "practice_code" in mapped:
        practice = {
            "practice_read": "CAST(practice_code AS VARCHAR) AS practice_raw",
            "practice_null": "(src.practice_raw IS NULL OR pm.empty)",
            "practice_join": "LEFT JOIN practice_map AS pm ON pm.raw = src.practice_raw",
        }
    else:
        practice = {
            "practice_read": f"{_text('practice_code')} AS practice_norm",
            "practice_null": "src.practice_norm IS NULL",
            "practice_join": (
                "LEFT JOIN practice_lookup AS pm ON pm.practice_code = src.practice_norm"
            ),
        }
    if "lsoa_code" in mapped:
        lsoa = {
            "lsoa_read": "CAST(lsoa_code AS VARCHAR) AS lsoa_raw",
            "lsoa_null": "(src.lsoa_raw IS NULL OR lm.empty)",
            "lsoa_join": "LEFT JOIN lsoa_map AS lm ON lm.raw = src.lsoa_raw",
        }
    else:
        lsoa = {
            "lsoa_read": f"{_text('lsoa_code')} AS lsoa_norm",
            "lsoa_null": "src.lsoa_norm IS NULL",
            "lsoa_join": "LEFT JOIN lsoa_lookup AS lm ON lm.lsoa_code = src.lsoa_norm",
        }
    if "sex" in mapped:
        sex = {
            "sex_read": "CAST(sex AS VARCHAR) AS sex_raw",
            "sex_ok": "sm.ok IS TRUE",
            "sex_join": "LEFT JOIN sex_map AS sm ON sm.raw = src.sex_raw",
        }
    else:
        sex = {
            "sex_read": f"{_text('sex')} IN {_in(SEX_VALUES)} AS sex_read_ok",
            "sex_ok": "src.sex_read_ok IS TRUE",
            "sex_join": "",
        }
    return practice | lsoa | sex


def _joined_sql(plan: ExtractPlan, params: RunParameters, pid: str, source: str) -> str:
    """Each row read, joined to its lookups, with the reason it is left out (-1: kept)."""
    year = _whole(_number("lsoa_year", plan.types["lsoa_year"]))
    age, opt, code = _age_sql(plan), _optional_sql(plan), _code_sql(plan)
    practice = "pm.practice"
    read = f"""
        SELECT
            {pid} AS pid,
            {code["practice_read"]},
            {code["lsoa_read"]},
            {year} AS year,
            {age["cols"]},
            {code["sex_read"]},
            {opt["fr_raw"]} AS fr_raw,
            {opt["ltc_present"]} AS ltc_present,
            {opt["ltc_number"]} AS ltc_raw,
            {opt["score_present"]} AS score_present,
            {opt["score_number"]} AS score_raw
        FROM {source}
    """
    return f"""
        SELECT
            src.*,
            {age["key"]} AS age_key,
            {_band_of(age["edge"])} AS band,
            {practice} AS practice,
            lm.lsoa AS lsoa,
            lm.imd_decile AS imd_decile,
            (dup.pid IS NOT NULL) AS duplicate,
            CASE WHEN fr_raw IN {_in(FRAILTY_CATEGORIES)} THEN fr_raw END AS fr,
            CASE WHEN ltc_raw BETWEEN 0 AND {_MAX_LTC} THEN ltc_raw END AS ltc,
            CASE WHEN score_raw BETWEEN 0 AND 1 THEN score_raw END AS score,
            CASE
                WHEN src.pid IS NULL OR {code["practice_null"]}
                    OR src.year IS NULL OR src.year NOT IN ({", ".join(str(y) for y in LSOA_YEARS)})
                    OR NOT ({age["readable"]}) OR NOT ({code["sex_ok"]}) THEN 0
                WHEN {code["lsoa_null"]} THEN 1
                WHEN {age["out_of_range"]} THEN 2
                WHEN {practice} IS NULL THEN 3
                WHEN src.year <> {params.lsoa_year} THEN 4
                WHEN lm.lsoa IS NULL THEN 5
                WHEN dup.pid IS NOT NULL THEN 6
                ELSE -1
            END AS reason
        FROM ({read}) AS src
        {age["join"]}
        {code["practice_join"]}
        {code["lsoa_join"]}
        {code["sex_join"]}
        LEFT JOIN dup ON dup.pid = src.pid
    """


def _detail_sql(joined: str, plan: ExtractPlan, params: RunParameters) -> str:
    """The detail table: people by reason, practice, decile, age band, tier and its source."""
    rising, high = params.score_cuts
    tier = f"""
        CASE
            WHEN c.fr IS NOT NULL AND c.ltc IS NOT NULL THEN
                CASE WHEN c.fr IN {_in(FRAIL_CATEGORIES)} THEN 2 WHEN c.ltc >= 2 THEN 1 ELSE 0 END
            WHEN c.score IS NOT NULL THEN
                CASE WHEN c.score >= {_double(high)} THEN 2
                     WHEN c.score >= {_double(rising)} THEN 1 ELSE 0 END
            ELSE
                CASE WHEN c.u < m.p_frailty THEN 2 WHEN c.u < m.p_multimorbidity THEN 1 ELSE 0 END
        END
    """
    source_of_tier = """
        CASE WHEN c.fr IS NOT NULL AND c.ltc IS NOT NULL THEN 0
             WHEN c.score IS NOT NULL THEN 1 ELSE 2 END
    """
    ignored = """
        (CASE WHEN c.fr_raw IS NOT NULL AND c.fr IS NULL THEN 1 ELSE 0 END)
        + (CASE WHEN c.ltc_present AND c.ltc IS NULL THEN 2 ELSE 0 END)
        + (CASE WHEN c.score_present AND c.score IS NULL THEN 4 ELSE 0 END)
    """
    return f"""
        SELECT
            c.reason AS reason,
            CASE WHEN c.reason < 0 THEN c.practice ELSE -1 END AS practice,
            CASE WHEN c.reason < 0 THEN c.imd_decile ELSE -1 END AS imd_decile,
            CASE WHEN c.reason < 0 THEN c.band ELSE -1 END AS age_band,
            CASE WHEN c.reason < 0 THEN {tier} ELSE -1 END AS tier,
            CASE WHEN c.reason < 0 THEN {source_of_tier} ELSE -1 END AS source,
            CASE WHEN c.reason < 0 THEN {ignored} ELSE 0 END AS ignored,
            count(*) AS people
        FROM ({uniform_query(joined, "pid", plan.id_kind, params.seed)}) AS c
        LEFT JOIN model AS m ON m.imd_decile = c.imd_decile AND m.age_key = c.age_key
        GROUP BY ALL
        ORDER BY ALL
    """


def _tables(plan: ExtractPlan, lookups: Lookups) -> dict[str, pd.DataFrame]:
    """The small tables the query joins: lookups, the model, bands and the value maps."""
    maps: dict[str, pd.DataFrame] = {
        "practice_lookup": pd.DataFrame(
            {
                "practice_code": lookups.practices["practice_code"].astype(str).to_numpy(),
                "practice": range(len(lookups.practices)),
            }
        ),
        "lsoa_lookup": pd.DataFrame(
            {
                "lsoa_code": lookups.lsoas["lsoa_code"].astype(str).to_numpy(),
                "lsoa": range(len(lookups.lsoas)),
                "imd_decile": lookups.lsoas["imd_decile"].astype("int64").to_numpy(),
            }
        ),
        "model": lookups.model,
        "band5": pd.DataFrame(
            {"label": list(AGE_BAND_5_LABELS), "idx": range(len(AGE_BAND_5_LABELS))}
        ),
    }
    # Distinct stored values → what the rules read them as, normalised once each.
    for column, table, name, key in (
        ("practice_code", lookups.practices, "practice_map", "practice"),
        ("lsoa_code", lookups.lsoas, "lsoa_map", "lsoa"),
    ):
        raw = list(plan.raw_values.get(column, ()))
        if column not in plan.raw_values:
            continue
        text = normalised(raw)
        index = pd.Index(table[column]).get_indexer(text)
        frame = pd.DataFrame(
            {
                "raw": pd.Series(raw, dtype=object),
                "empty": np.asarray(text == "", dtype=bool),
                key: pd.array(np.where(index >= 0, index, 0), dtype="Int64"),
            }
        )
        frame.loc[index < 0, key] = pd.NA
        if key == "lsoa":
            deciles = table["imd_decile"].to_numpy().astype(np.int64)
            decile = pd.array(deciles[np.maximum(index, 0)] if len(deciles) else [], dtype="Int64")
            frame["imd_decile"] = decile if len(frame) else pd.array([], dtype="Int64")
            frame.loc[index < 0, "imd_decile"] = pd.NA
        maps[name] = frame
    if "sex" in plan.raw_values:
        raw = list(plan.raw_values["sex"])
        maps["sex_map"] = pd.DataFrame(
            {"raw": pd.Series(raw, dtype=object), "ok": normalised(raw).isin(SEX_VALUES)}
        )
    return maps


def run_duckdb(
    plan: ExtractPlan,
    lookups: Lookups | Future,
    params: RunParameters,
    *,
    threads: int | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    progress: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> pd.DataFrame:
    """Count an extract into the detail table with DuckDB.

    Parameters
    ----------
    plan : ExtractPlan
        The extract (:func:`~layers.people.extract.plan_extract`).
    lookups : Lookups or concurrent.futures.Future
        The run's lookups (:func:`~layers.people.lookups.load_lookups`); a future is
        waited for only after the repeated ids are found.
    params : RunParameters
        The run's rules (seed, LSOA year, score cuts).
    threads : int, optional
        DuckDB threads (default: DuckDB's, one per core).
    memory_limit : str, default :data:`DEFAULT_MEMORY_LIMIT`
        Past it DuckDB spills to a temporary folder.
    progress : callable, optional
        Called with a line at each stage.
    progress_bar : bool, default False
        Show DuckDB's own progress bar (on a terminal).

    Returns
    -------
    pandas.DataFrame
        The detail table of :mod:`layers.people.rules` (int64 columns).
    """
    import duckdb

    say = progress or (lambda _line: None)
    any_dup_sql, dup_sql, detail_sql = sql_for(plan, params)
    with tempfile.TemporaryDirectory(prefix="people-duckdb-") as spill:
        con = duckdb.connect(config={"temp_directory": spill, "memory_limit": memory_limit})
        try:
            if threads is not None:
                con.execute(f"SET threads = {int(threads)}")
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"SET enable_progress_bar = {'true' if progress_bar else 'false'}")
            # The repeated ids need no lookups: find them while the lookups may still be
            # loading in another thread (see layers.people.aggregate).
            say(f"duckdb: finding repeated ids in {plan.rows:,} rows")
            (repeats,) = (0,) if ids_in_order(plan) else con.execute(any_dup_sql).fetchone()
            if repeats:
                con.execute(dup_sql)
            else:
                pid_type = "BIGINT" if plan.id_kind == "int" else "VARCHAR"
                con.execute(f"CREATE TEMP TABLE dup (pid {pid_type})")
            if isinstance(lookups, Future):
                lookups = lookups.result()
            for name, frame in _tables(plan, lookups).items():
                con.register(name, frame)
            say("duckdb: checking, joining and counting every row")
            detail = con.execute(detail_sql).df()
        finally:
            con.close()
    return detail[list(DETAIL_COLUMNS)].astype("int64")
