"""Real individuals, where they live: aggregate a person-level extract in place.

An ICS's population health team holds a pseudonymised, person-level extract in its
secure data environment; it never leaves. This package brings the code to the data:

* :mod:`~layers.people.schema`: the documented person-level schema (Parquet);
* :mod:`~layers.people.synthetic`: the synthetic population written in that schema;
* :mod:`~layers.people.extract`: finding the files and planning the work;
* :mod:`~layers.people.lookups`: practice → PCN → place → ICS and LSOA → IMD decile;
* :mod:`~layers.people.tiering`: each person's risk tier, the same in every engine;
* :mod:`~layers.people.rules`: the row rules and rejects (the pandas reference);
* :mod:`~layers.people.engine_duckdb`, :mod:`~layers.people.engine_dask`,
  :mod:`~layers.people.engine_pandas`: three engines, identical results;
* :mod:`~layers.people.engines`: running one and summing its counts;
* :mod:`~layers.people.cube`: cells by practice, PCN, place and ICS × tier, decile, band;
* :mod:`~layers.people.control`: the small-number rule, secondary suppression, audit;
* :mod:`~layers.people.output`, :mod:`~layers.people.check`: the file and its leak scan;
* :mod:`~layers.people.aggregate`: the whole run; :mod:`~layers.people.cli`: the command;
* :mod:`~layers.people.upload`: what the dashboard calls with an uploaded file.

Only disclosure-controlled counts are ever written (see :mod:`layers.people.control`).
"""

from layers.people.aggregate import AggregateReport, aggregate_extract
from layers.people.check import CheckResult, check_file
from layers.people.errors import DisclosureError, ExtractError, PeopleError
from layers.people.schema import SCHEMA_VERSION, describe_schema
from layers.people.synthetic import write_synthetic_extract
from layers.people.upload import (
    AggregatesUpload,
    upload_at_risk,
    upload_at_risk_indicator,
    upload_at_risk_prevalence,
    upload_risk_tiers,
    validate_aggregates_upload,
)

__all__ = [
    "SCHEMA_VERSION",
    "AggregateReport",
    "AggregatesUpload",
    "CheckResult",
    "DisclosureError",
    "ExtractError",
    "PeopleError",
    "aggregate_extract",
    "check_file",
    "describe_schema",
    "upload_at_risk",
    "upload_at_risk_indicator",
    "upload_at_risk_prevalence",
    "upload_risk_tiers",
    "validate_aggregates_upload",
    "write_synthetic_extract",
]
