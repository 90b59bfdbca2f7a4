"""Every repository operation, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from dashboard.store import (
    ANONYMOUS,
    document_json,
    errors,
    library_table,
    parse_document,
    user_from_claims,
)
from layers.allocation import Scenario, default_catalogue
from layers.export import table_csv
from tests.store.conftest import ANN, BOB, allocation_document, tiers_document


def test_save_new_then_open_it(store):
    before = datetime.now(UTC) - timedelta(seconds=5)
    saved = store.save_new(tiers_document(), "Option A", ANN, description="Three PCNs merged")
    assert saved.latest_version == 1 and saved.author == ANN.id
    assert saved.author_name == "Ann Analyst" and saved.visibility == "shared"
    assert before < saved.created_at <= datetime.now(UTC) + timedelta(seconds=5)
    opened = store.get_version(saved.id, BOB)
    assert opened.version == 1 and opened.document == tiers_document()
    assert opened.saved_by_name == "Ann Analyst"
    assert store.get(saved.id, BOB).description == "Three PCNs merged"


def test_each_save_is_a_new_version_and_old_ones_stay(store):
    first = store.save_new(allocation_document(budget=1000), "Budget", ANN)
    second = store.save_version(first.id, allocation_document(budget=2000), ANN, base_version=1)
    third = store.save_version(first.id, allocation_document(budget=3000), ANN, base_version=2)
    assert (second.version, third.version) == (2, 3)
    budgets = [
        float(store.get_version(first.id, ANN, v).document.allocation.budget) for v in (1, 2, 3)
    ]
    assert budgets == [1000, 2000, 3000]
    assert store.get_version(first.id, ANN).version == 3
    assert [v.version for v in store.versions(first.id, ANN)] == [3, 2, 1]
    assert store.get(first.id, ANN).latest_version == 3
    with pytest.raises(errors.ScenarioNotFoundError, match="no version 4; its versions are 1 to 3"):
        store.get_version(first.id, ANN, 4)


def test_a_stale_save_is_refused_naming_who_saved_and_when(store):
    saved = store.save_new(tiers_document(), "Shared plan", ANN)
    store.save_version(saved.id, tiers_document(), ANN, base_version=1)
    with pytest.raises(errors.ConflictError) as refused:
        store.save_version(saved.id, tiers_document(), ANN, base_version=1)
    error = refused.value
    assert (error.latest_version, error.base_version, error.saved_by) == (2, 1, "Ann Analyst")
    assert "Ann Analyst saved version 2" in str(error)
    assert f"{error.saved_at:%Y-%m-%d %H:%M} UTC" in str(error)
    assert [v.version for v in store.versions(saved.id, ANN)] == [2, 1]  # nothing written


def test_a_save_must_be_for_the_same_ics_vintage_and_kind(store):
    saved = store.save_new(tiers_document("QGH"), "QGH plan", ANN)
    with pytest.raises(errors.DocumentError, match="Save it as a new scenario"):
        store.save_version(saved.id, tiers_document("QRV"), ANN, base_version=1)
    with pytest.raises(errors.DocumentError):
        store.save_version(saved.id, allocation_document("QGH"), ANN, base_version=1)


def test_nobody_changes_another_persons_scenario(store):
    saved = store.save_new(tiers_document(), "Ann's plan", ANN)
    for attempt in (
        lambda: store.save_version(saved.id, tiers_document(), BOB, base_version=1),
        lambda: store.rename(saved.id, BOB, "Bob's now"),
        lambda: store.archive(saved.id, BOB),
        lambda: store.restore(saved.id, BOB),
        lambda: store.set_visibility(saved.id, BOB, "private"),
    ):
        with pytest.raises(errors.PermissionDeniedError, match="belongs to Ann Analyst"):
            attempt()
    unchanged = store.get(saved.id, ANN)
    assert (unchanged.name, unchanged.latest_version) == ("Ann's plan", 1)
    assert not unchanged.archived


def test_a_shared_scenario_can_be_duplicated_by_anyone(store):
    saved = store.save_new(tiers_document(), "Ann's plan", ANN)
    wider = tiers_document(bands={"pcn": (25_000, 55_000)})
    store.save_version(saved.id, wider, ANN, base_version=1)
    copy = store.duplicate(saved.id, BOB)
    assert copy.id != saved.id and copy.author == BOB.id and copy.name == "Copy of Ann's plan"
    assert copy.latest_version == 1
    assert store.get_version(copy.id, BOB).document.bands["pcn"] == (25_000, 55_000)
    old = store.duplicate(saved.id, BOB, name="From v1", version=1)
    assert store.get_version(old.id, BOB).document.bands["pcn"] == (20_000, 60_000)
    store.save_version(copy.id, tiers_document(), BOB, base_version=1)  # the copy is Bob's
    assert store.get(saved.id, ANN).latest_version == 2


def test_private_scenarios_are_invisible_to_others(store):
    private = store.save_new(tiers_document(), "Ann only", ANN, visibility="private")
    shared = store.save_new(tiers_document(), "Everyone", ANN)
    assert {s.name for s in store.list_scenarios(ANN)} == {"Ann only", "Everyone"}
    assert [s.name for s in store.list_scenarios(BOB)] == ["Everyone"]
    for attempt in (
        lambda: store.get(private.id, BOB),
        lambda: store.get_version(private.id, BOB),
        lambda: store.versions(private.id, BOB),
        lambda: store.duplicate(private.id, BOB),
        lambda: store.export_json(private.id, BOB),
        lambda: store.archive(private.id, BOB),
    ):
        with pytest.raises(errors.ScenarioNotFoundError, match="private to someone else"):
            attempt()
    assert store.authors(BOB) == [(ANN.id, "Ann Analyst")]
    store.set_visibility(private.id, ANN, "shared")
    assert len(store.list_scenarios(BOB)) == 2
    assert shared.visibility == "shared"


def test_anonymous_mode_shares_everything_and_says_so(store):
    saved = store.save_new(tiers_document(), "Team option", ANONYMOUS)
    assert saved.author == "anonymous" and not ANONYMOUS.signed_in
    with pytest.raises(errors.PermissionDeniedError, match="Sign-in is not configured"):
        store.save_new(tiers_document(), "Mine", ANONYMOUS, visibility="private")
    store.rename(saved.id, ANONYMOUS, "Team option B")  # everyone is the same author
    assert store.list_scenarios(ANONYMOUS)[0].name == "Team option B"


def test_signed_in_user_from_streamlit_claims(store):
    carol = user_from_claims(
        {"is_logged_in": True, "email": "Carol@Example.NHS.uk", "name": "Carol", "sub": "c1"}
    )
    no_email = user_from_claims({"is_logged_in": True, "iss": "http://idp", "sub": "42"})
    assert (carol.id, carol.name, carol.signed_in) == ("carol@example.nhs.uk", "Carol", True)
    assert no_email.id == "http://idp|42"
    odd = user_from_claims({"is_logged_in": True, "email": "d@x.uk", "name": "\x00" + "D" * 500})
    assert odd.name == "d@x.uk"  # a name the rules refuse falls back to the e-mail
    assert (
        user_from_claims({"is_logged_in": True, "email": "e@x.uk", "name": "\x07"}).name == "e@x.uk"
    )
    saved = store.save_new(tiers_document(), "Carol's", carol, visibility="private")
    assert store.list_scenarios(carol)[0].id == saved.id
    assert store.list_scenarios(ANONYMOUS) == []


def test_rename_archive_restore(store):
    saved = store.save_new(tiers_document(), "Draft", ANN)
    renamed = store.rename(saved.id, ANN, "Option C", description="For the committee")
    assert (renamed.name, renamed.description) == ("Option C", "For the committee")
    assert renamed.latest_version == 1  # renaming is not a new version
    store.archive(saved.id, ANN)
    assert store.list_scenarios(ANN) == []
    assert [s.name for s in store.list_scenarios(ANN, archived_only=True)] == ["Option C"]
    assert store.get(saved.id, BOB).archived  # a link still opens, and says so
    with pytest.raises(errors.ScenarioArchivedError, match="restore it"):
        store.save_version(saved.id, tiers_document(), ANN, base_version=1)
    with pytest.raises(errors.ScenarioArchivedError):
        store.rename(saved.id, ANN, "Option D")
    store.restore(saved.id, ANN)
    assert [s.name for s in store.list_scenarios(ANN)] == ["Option C"]
    assert store.get_version(saved.id, ANN).document == tiers_document()


def test_list_filters_and_order(store):
    a = store.save_new(tiers_document("QGH"), "Herefordshire option", ANN)
    b = store.save_new(allocation_document("QRV"), "North West London budget", BOB)
    c = store.save_new(tiers_document("QRV"), "NWL tiers 100%_done", ANN)
    store.archive(c.id, ANN)
    assert [s.id for s in store.list_scenarios(ANN)] == [b.id, a.id]  # newest first
    assert [s.id for s in store.list_scenarios(ANN, include_archived=True)] == [c.id, b.id, a.id]
    assert [s.id for s in store.list_scenarios(ANN, ics="QRV")] == [b.id]
    assert [s.id for s in store.list_scenarios(ANN, author=BOB.id)] == [b.id]
    assert [s.id for s in store.list_scenarios(ANN, kind="allocation")] == [b.id]
    assert [s.id for s in store.list_scenarios(ANN, search="LONDON")] == [b.id]
    assert [s.id for s in store.list_scenarios(ANN, search="%", include_archived=True)] == [c.id]
    assert [s.id for s in store.list_scenarios(ANN, search="0%_", include_archived=True)] == [c.id]
    assert store.list_scenarios(ANN, search="_") == []  # _ is a character, not a wildcard
    assert len(store.list_scenarios(ANN, limit=1)) == 1


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE scenarios;--",
        "x' OR '1'='1",
        '" OR 1=1 --',
        "1; DELETE FROM versions",
        "%' UNION SELECT id, document FROM versions --",
    ],
)
def test_sql_injection_in_names_and_search_is_just_text(store, name):
    decoy = store.save_new(tiers_document(), "Decoy", BOB, visibility="private")
    saved = store.save_new(tiers_document(), name, ANN)
    assert store.get(saved.id, ANN).name == name
    found = store.list_scenarios(ANN, search=name)
    assert [s.id for s in found] == [saved.id]
    assert store.list_scenarios(ANN, search=name + "zz") == []
    assert store.list_scenarios(ANN, ics=name) == []
    assert store.list_scenarios(ANN, author=name) == []
    with pytest.raises(errors.ScenarioNotFoundError):
        store.get(name, ANN)
    assert {s.id for s in store.list_scenarios(ANN)} == {saved.id}  # decoy still private
    assert store.get(decoy.id, BOB).name == "Decoy"  # and still there


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "is blank"),
        ("   \t\n ", "control character"),
        ("\x00\x01\x1b", "control character"),
        ("x" * 10_000, r"longer than 200 characters \(10,000\)"),
        ('=HYPERLINK("http://evil.example","click")', "read as a formula"),
        ("-2+3+cmd|' /C calc'!A0", "read as a formula"),
        ("North\u200b", "invisible or control character"),
        (None, "must be text"),
        (42, "must be text"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_saved(store, name, message):
    with pytest.raises(errors.InvalidNameError, match=message):
        store.save_new(tiers_document(), name, ANN)
    assert store.list_scenarios(ANN, include_archived=True) == []


def test_awkward_names_are_stored_exactly_and_exported_safely(store):
    names = {
        "<script>alert('x')</script><b>bold</b>": "<script>alert('x')</script><b>bold</b>",
        "Option  B\u00a0(draft)": "Option B (draft)",
        "Ünïcödé – £ 😀": "Ünïcödé – £ 😀",
    }
    ids = {}
    for typed, stored in names.items():
        saved = store.save_new(tiers_document(), typed, ANN)
        assert store.get(saved.id, ANN).name == stored
        ids[stored] = saved.id
    html = "<script>alert('x')</script><b>bold</b>"
    exported = json.loads(store.export_json(ids[html], ANN))
    assert exported["name"] == html
    table = library_table(store.list_scenarios(ANN), for_export=True)
    read_back = pd.read_csv(io.BytesIO(table_csv(table, "Scenario library")))
    assert set(read_back["Scenario"]) == set(table["Scenario"])


def test_export_then_import_round_trips(store):
    saved = store.save_new(allocation_document(), "Fair shares QRV", ANN, description="v1")
    text = store.export_json(saved.id, ANN)
    copy = store.import_json(text, BOB)
    assert (copy.name, copy.description, copy.author) == ("Fair shares QRV", "v1", BOB.id)
    assert store.get_version(copy.id, BOB).document == allocation_document()
    legacy = Scenario("Legacy file", 5000, default_catalogue()).to_json()
    imported = store.import_json(legacy, ANN, ics="QGH", vintage="2022", place_definition="preset")
    assert imported.kind == "allocation" and imported.name == "Legacy file"


def test_bad_imports_change_nothing(store):
    good = json.loads(document_json(tiers_document(), "Good"))
    future = dict(good, version=2)
    with pytest.raises(errors.DocumentVersionError, match="newer version"):
        store.import_json(json.dumps(future), ANN)
    with pytest.raises(errors.DocumentError, match="not valid JSON"):
        store.import_json("{not json", ANN)
    nameless = dict(good)
    del nameless["name"]
    with pytest.raises(errors.InvalidNameError, match="no name"):
        store.import_json(json.dumps(nameless), ANN)
    assert store.list_scenarios(ANN, include_archived=True) == []
    assert parse_document(json.dumps(good)) == tiers_document()


def test_unknown_ids_are_not_found(store):
    for bad in ("0" * 16, "", "../../etc/passwd", 12, None):
        with pytest.raises(errors.ScenarioNotFoundError):
            store.get(bad, ANN)
    with pytest.raises(TypeError):
        store.list_scenarios("ann")
