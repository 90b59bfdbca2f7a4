"""Aggregates of the user's own records under AppTest: upload, check, apply, use, clear.

The files are made as a user makes them: a small synthetic person-level extract of
Herefordshire and Worcestershire (QGH), aggregated by ``layers.people`` (see
:mod:`tests.people_files`). Expected figures come from the library reading the same file.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import layers
from dashboard.state import AGGREGATES_KEY
from layers import format as fmt
from layers.deprivation import practice_deprivation
from layers.people import (
    upload_at_risk_prevalence,
    upload_risk_tiers,
    validate_aggregates_upload,
)
from layers.uploads import MAX_UPLOAD_BYTES
from tests.app.apptest import APP, assert_clean, metrics
from tests.people_files import make_files

RISK_TAB = "People at risk"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_files(tmp_path_factory.mktemp("people_ui"))


@pytest.fixture(scope="module")
def accepted(files):
    return validate_aggregates_upload(files.aggregates.read_bytes())


def open_page(page: str, ics: str = "QGH", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["ics"] = ics
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}")
    return at.run()


def go(at: AppTest, page: str, **state) -> AppTest:
    at.switch_page(f"views/{page}")
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    uploader = next(u for u in at.get("file_uploader") if "upload_aggregates" in u.proto.id)
    uploader.set_value((name, content, "application/octet-stream"))
    return at.run()


def apply_file(at: AppTest, content: bytes) -> AppTest:
    upload(at, "qgh_aggregates.parquet", content)
    assert_clean(at)
    at.button(key="apply_aggregates").click().run()
    assert_clean(at)
    return at


def table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


@pytest.fixture
def applied(files) -> AppTest:
    at = open_page("data.py")
    return apply_file(at, files.aggregates.read_bytes())


def test_accepted_file_is_described_before_it_is_applied(files, accepted):
    at = open_page("data.py")
    upload(at, "qgh_aggregates.parquet", files.aggregates.read_bytes())
    assert_clean(at)
    facts = table(at, "About the file").set_index("About the file")["Value"]
    assert facts["ICSs covered"] == "Herefordshire and Worcestershire (QGH)"
    assert facts["Data vintage"] == "2022" and facts["Engine"] == "duckdb"
    assert facts["Cells"].startswith(fmt.count(len(accepted.cells)))
    assert "1 to 7 are suppressed" in facts["Rule applied (as the file states it)"]
    counts = table(at, "People").set_index("Rows of the extract (rounded to 5)")["People"]
    assert counts["Rows read"] == fmt.count(accepted.metadata["summary"]["rows_read"])
    assert counts["Reject: null LSOA"] == fmt.count(
        accepted.metadata["summary"]["reject: null LSOA"]
    )
    assert AGGREGATES_KEY not in at.session_state  # nothing is used before "Apply"


def test_the_file_in_use_is_not_offered_again(applied):
    assert any("Applied: your aggregates" in m.value for m in applied.success)
    assert "is the file in use" in texts(applied.caption)
    assert not any(b.proto.id.endswith("apply_aggregates") for b in applied.button)
    assert "In use this session" in texts(applied.info)


def test_uploaded_aggregates_change_the_tiers_page(applied, accepted):
    before = open_page("tiers.py", view=RISK_TAB)
    synthetic_high = metrics(before)["High risk (ICS)"]
    assert "synthetic individuals" in texts(before.caption)

    at = go(applied, "tiers.py", view=RISK_TAB)
    assert_clean(at)
    published = upload_risk_tiers(accepted, "ics", "QGH").iloc[0]
    shown = metrics(at)
    assert shown["High risk (ICS, your data)"] == fmt.count(published["high"])
    assert shown["High risk (ICS, your data)"] != synthetic_high
    assert any(
        i.value.startswith("Your data: aggregates uploaded for this session") for i in at.info
    )
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert any(s["layout"]["title"]["text"].endswith("(your data)") for s in specs)

    at.radio(key="tiers_risk_layer").set_value("practice").run()
    assert_clean(at)
    practices = table(at, "GP practices")
    expected = upload_risk_tiers(accepted, "practice", "QGH")
    assert sorted(practices["Code"]) == sorted(expected["code"])
    by_code = practices.set_index("Code")
    for _, row in expected.iterrows():  # every figure is the file's own
        assert by_code.loc[row["code"], "High"] == fmt.count(row["high"])
        assert by_code.loc[row["code"], "Total"] == fmt.count(row["total"])


def test_inequality_at_risk_uses_the_uploaded_aggregates(applied, accepted):
    at = go(applied, "inequality.py", ineq_indicator="at_risk")
    assert_clean(at)
    assert any(i.value.startswith("Your data") for i in at.info)
    assert "Modelled, not observed" not in texts(at.info)
    deciles = table(at, "Count")
    system = layers.load_system("QGH", vintage="2022")
    deprivation = practice_deprivation(
        system.registrations, layers.read_table("lsoas", vintage="2022")
    )
    published = upload_at_risk_prevalence(accepted, "QGH", deprivation)
    assert deciles["Registered patients"].sum() == published["population"].sum()
    assert deciles["Count"].sum() == published["count"].sum()
    assert (deciles["Count"] % 5 == 0).all() and (deciles["Registered patients"] % 5 == 0).all()


def test_slides_show_the_uploaded_aggregates(applied, accepted):
    at = go(applied, "tiers.py")
    at.query_params["present"] = "1"
    at.run()
    assert_clean(at)
    footer = texts(at.markdown)
    assert "your uploaded aggregates (published counts)" in footer
    assert "Your data: counts of people as published" in footer
    high = upload_risk_tiers(accepted, "ics", "QGH").iloc[0]["high"]
    assert f"about {int(high):,} people are at high risk" in footer


def test_clear_brings_back_the_synthetic_individuals(applied):
    at = go(applied, "data.py")
    at.button(key="clear_aggregates").click().run()
    assert_clean(at)
    assert AGGREGATES_KEY not in at.session_state
    at = go(at, "tiers.py", view=RISK_TAB)
    assert "High risk (ICS)" in metrics(at)
    assert not any(i.value.startswith("Your data") for i in at.info)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"ics": "QRV"}, "not North West London (QRV)"),
        (
            {"place_definition": "ltla", "tiers_risk_layer": "place"},
            "count places by the ICS's default definition",
        ),
    ],
)
def test_where_the_file_cannot_answer_the_page_says_so(applied, state, expected):
    at = go(applied, "tiers.py", view=RISK_TAB, **state)
    assert_clean(at)
    assert expected in texts(at.info)
    assert "High risk (ICS)" in metrics(at)  # the synthetic figures, labelled so
    assert "synthetic individuals" in texts(at.caption)


def test_a_what_if_regrouping_falls_back_to_the_synthetic_individuals(applied):
    at = go(applied, "tiers.py")
    at.radio(key="tiers_op_kind").set_value("merge_pcns").run()
    at.button(key="tiers_apply").click().run()
    at.session_state["view"] = RISK_TAB
    at.run()
    assert_clean(at)
    assert "a what-if regrouping is shown" in texts(at.info)
    assert "High risk (ICS)" in metrics(at)


# --------------------------------------------------------------------------- refused


def refused(at: AppTest, raw: bool = False) -> str:
    """The one error shown (as the reader sees it, or as markdown with ``raw``)."""
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    assert not any(b.proto.id.endswith("apply_aggregates") for b in at.button)
    return at.error[0].value if raw else re.sub(r"\\(.)", r"\1", at.error[0].value)


def test_person_level_rows_are_refused(files):
    at = open_page("data.py")
    upload(at, "extract.parquet", files.person_level.read_bytes())
    assert "person-level rows" in refused(at)
    assert AGGREGATES_KEY not in at.session_state
    at = go(at, "tiers.py", view=RISK_TAB)
    assert "High risk (ICS)" in metrics(at)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.parquet", b"level,unit_code,people\nics,QGH,3\n", "it is not Parquet"),
        ("empty.parquet", b"", "The file is empty"),
        ("huge.parquet", b"PAR1" + bytes(MAX_UPLOAD_BYTES), "more than the"),
        ("broken.parquet", b"PAR1 cut short PAR1", "cannot be read as Parquet"),
        ("leak.parquet", None, "3 must be suppressed"),
    ],
)
def test_a_refused_file_changes_nothing(files, accepted, name, content, message):
    at = open_page("data.py")
    apply_file(at, files.aggregates.read_bytes())
    kept = at.session_state[AGGREGATES_KEY]
    upload(at, name, files.leaky.read_bytes() if content is None else content)
    assert message in refused(at)
    assert at.session_state[AGGREGATES_KEY] is kept
    at = go(at, "tiers.py", view=RISK_TAB)
    high = upload_risk_tiers(accepted, "ics", "QGH").iloc[0]["high"]
    assert metrics(at)["High risk (ICS, your data)"] == fmt.count(high)


def test_a_file_value_is_shown_as_text_not_markup(files):
    """A refused file's reasons may quote its own values: they never become a link."""
    import io

    import pyarrow.parquet as pq

    table_ = pq.read_table(files.aggregates)
    cells = table_.to_pandas()
    cells.loc[0, "level"] = "[click](http://example.org)"
    sink = io.BytesIO()
    pq.write_table(table_.from_pandas(cells, schema=table_.schema, preserve_index=False), sink)
    at = open_page("data.py")
    upload(at, "odd.parquet", sink.getvalue())
    message = refused(at, raw=True)
    assert "unknown values" in message
    assert "\\[click\\]\\(http" in message and "](http" not in message
