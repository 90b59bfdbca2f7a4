"""The scenario document: every kind round-trips; bad files are refused with the reason."""

from __future__ import annotations

import json

import pytest

import layers
from dashboard.store import (
    DOCUMENT_VERSION,
    DocumentError,
    DocumentVersionError,
    InvalidNameError,
    ScenarioDocument,
    document_json,
    parse_document,
    read_document,
)
from layers import tiers
from layers.allocation import Scenario, default_catalogue, example_practices
from tests.store.conftest import allocation_document, tiers_document


def qgh_practices() -> list[str]:
    practices = layers.read_table("practices", vintage="2022")
    return practices.loc[practices["icb_code"] == "QGH", "practice_code"].tolist()


def test_tiers_document_round_trips_with_bands_and_steps():
    doc = tiers_document(
        regrouping=tiers.Regrouping()
        .merge_pcns("U1", "U2", "North")
        .move_practice("M81001", "U1")
        .move_pcn_to_place("U3", "E06000019")
    )
    again = parse_document(document_json(doc, "Option B"))
    assert again == doc
    assert again.bands["pcn"] == (20_000, 60_000)
    assert again.bands["practice"] == tiers.DEFAULT_BANDS["practice"]  # left out: default
    assert [op.describe() for op in again.regrouping.operations] == [
        "Merge PCN U2 into PCN U1",
        "Move practice M81001 to PCN U1",
        "Move PCN U3 to place E06000019",
    ]
    assert again.regrouping.operations[0].name == "North"


def test_allocation_document_reproduces_the_same_pence():
    doc = allocation_document(budget=1000)
    again = parse_document(document_json(doc, "Fair"))
    practices = example_practices()
    before = doc.allocation.run(practices)["pence"].tolist()
    after = again.allocation.run(practices)["pence"].tolist()
    assert before == after and sum(after) == 100_000


def test_existing_allocation_scenario_json_imports_and_embeds_unchanged():
    legacy = Scenario("By need", 1000, default_catalogue(), "equal_per_head")
    parsed = read_document(legacy.to_json(), ics="QGH", vintage="2022", place_definition="ltla")
    assert parsed.name == "By need"
    assert parsed.document.kind == "allocation" and parsed.document.place_definition == "ltla"
    embedded = json.loads(document_json(parsed.document, "By need"))["allocation"]
    assert Scenario.from_dict(embedded) == legacy  # the allocation page's own format


def test_bare_allocation_file_needs_the_page_context():
    legacy = Scenario("By need", 1000, default_catalogue()).to_json()
    with pytest.raises(DocumentError, match="missing: ics, vintage, place_definition"):
        read_document(legacy)


def test_place_grouping_document_checks_rows_with_the_upload_validator():
    codes = qgh_practices()[:3]
    doc = ScenarioDocument(
        "place_grouping",
        "QGH",
        "2022",
        "preset",
        place_groupings=[(codes[0], "North"), (codes[1], "North"), (codes[2], "South")],
    )
    text = document_json(doc, "Two places")
    assert parse_document(text, known_practice_codes=qgh_practices()) == doc
    assert doc.place_groupings_frame()["place_name"].tolist() == ["North", "North", "South"]
    with pytest.raises(DocumentError, match="is not a known practice"):
        parse_document(text, known_practice_codes=qgh_practices()[3:])
    bad = json.loads(text)
    bad["place_groupings"][1]["place_name"] = "=cmd|' /C calc'!A0"
    with pytest.raises(DocumentError, match=r"row 3: place_name .* formula"):
        parse_document(json.dumps(bad))
    bad["place_groupings"][1] = {"practice_code": codes[0], "place_name": "North"}
    with pytest.raises(DocumentError, match="repeated"):
        parse_document(json.dumps(bad))


def test_groupings_hold_no_individual_rows():
    doc = ScenarioDocument(
        "place_grouping", "QGH", "2022", "preset", place_groupings=[("M81001", "North")]
    )
    bad = json.loads(document_json(doc, "x"))
    bad["place_groupings"][0]["person_id"] = 17
    with pytest.raises(DocumentError, match="exactly practice_code and place_name"):
        parse_document(json.dumps(bad))


def test_merge_document():
    doc = ScenarioDocument("merge", "QGH", "2026", "utla", merge=["QGH", "QUA"])
    assert parse_document(document_json(doc, "West Midlands")).merge == ("QGH", "QUA")
    with pytest.raises(DocumentError, match="two or more different"):
        ScenarioDocument("merge", "QGH", "2026", "utla", merge=["QGH"])


def test_any_kind_can_carry_the_uploaded_groupings_it_used():
    doc = allocation_document()
    with_places = ScenarioDocument(
        "allocation",
        "QRV",
        "2022",
        "preset",
        allocation=doc.allocation,
        place_groupings=[("E84001", "Brent North")],
    )
    assert parse_document(document_json(with_places)).place_groupings == (
        ("E84001", "Brent North"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": DOCUMENT_VERSION + 1}, "newer version of the planner"),
        ({"format": "something-else"}, "not a scenario file"),
        ({"version": "1"}, "whole number"),
        ({"kind": "budget"}, "Unknown scenario kind"),
        ({"ics": "'; DROP TABLE scenarios; --"}, "ICB code"),
        ({"vintage": "2019"}, "vintage '2019'"),
        ({"place_definition": "custom"}, "Place definition 'custom'"),
        ({"bands": {"pcn": [50_000, 30_000]}}, "bands: .*lower bound"),
        ({"bands": {"pcn": [1.5, 30_000]}}, "bands: .*whole number"),
        ({"bands": None}, "must not be null"),
        ({"regrouping": [{"step": "explode", "x": 1}]}, "regrouping step 1"),
        ({"regrouping": [{"step": "merge_pcns", "kept": "A"}]}, "regrouping step 1"),
        ({"regrouping": [{"step": "merge_pcns", "kept": "A", "absorbed": ""}]}, "non-empty"),
        ({"allocation": {"format": "ics-allocation-scenario"}}, "allocation: scenario is missing"),
        ({"merge": ["QGH", "QUA"]}, "cannot hold merge"),
        ({"extra": 1}, "unexpected key"),
    ],
)
def test_bad_documents_are_refused_with_the_reason(change, message):
    data = json.loads(document_json(tiers_document(), "Option"))
    data.update(change)
    with pytest.raises(DocumentError, match=message):
        parse_document(json.dumps(data))


def test_future_allocation_format_is_a_version_error():
    data = json.loads(document_json(allocation_document(), "x"))
    data["allocation"]["version"] = 99
    with pytest.raises(DocumentVersionError, match="version 99"):
        parse_document(json.dumps(data))


@pytest.mark.parametrize(
    "text",
    [b"", "{", "[1, 2]", "null", b"\xff\xfe{", "[" * 200_000, '{"format": "ics-planner-scenario"'],
)
def test_malformed_json_is_a_document_error(text):
    with pytest.raises(DocumentError):
        parse_document(text)


def test_missing_header_key():
    data = json.loads(document_json(tiers_document(), "x"))
    del data["vintage"]
    with pytest.raises(DocumentError, match=r"missing key.*vintage"):
        parse_document(json.dumps(data))


def test_export_neutralises_formula_prefixes_in_its_text():
    doc = tiers_document(regrouping=tiers.Regrouping().merge_pcns("U1", "U2", "@SUM(A1)"))
    data = json.loads(document_json(doc, "Option B", "-2+3+cmd"))
    assert data["description"] == "'-2+3+cmd"
    assert data["regrouping"][0]["name"] == "'@SUM(A1)"
    with pytest.raises(InvalidNameError, match="read as a formula"):
        document_json(allocation_document(), "+1")
