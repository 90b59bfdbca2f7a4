"""Save a what-if as a scenario, open it by its link, go back, and two people saving.

Every test has its own library (a fresh SQLite file, or a fresh database on the
session's real PostgreSQL server), given to the app as the ``database_url`` secret.
"""

from __future__ import annotations

import pytest

from dashboard import store
from dashboard.state import SystemKey
from layers import tiers
from layers.allocation import Scenario
from tests.app.apptest import assert_clean
from tests.app.scenarios import (
    banner,
    merge_two_pcns,
    metric,
    open_page,
    opened,
    save_new,
    texts,
)

QGH = SystemKey("QGH", "preset", "2022")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'library.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    """A fresh library of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


def test_a_tiers_what_if_saved_and_opened_by_its_link_gives_the_same_numbers(database):
    at = open_page("tiers.py", database, bands="1k-10k,20k-60k,100k-500k,500k-1.5m")
    kept, absorbed = merge_two_pcns(at)
    outside = metric(at, "Units outside their band")
    save_new(at, "tiers", "Option A", "Two PCNs as one")
    assert_clean(at)
    saved = opened(at)
    assert saved.version == 1 and at.query_params["scenario"] == saved.id
    assert "Saved “Option A” as version 1" in texts(at.success)[0]
    assert "Scenario open: “Option A”" in banner(at)

    # A new session (another browser) opens the link: same what-if, same numbers.
    other = open_page("tiers.py", database, scenario=saved.id)
    assert_clean(other)
    assert metric(other, "Units outside their band") == outside
    assert other.session_state["tiers_bands"]["pcn"] == (20_000, 60_000)
    assert other.query_params["bands"] == at.query_params["bands"]
    regrouping = other.session_state["tiers_scenarios"][QGH]
    assert regrouping == tiers.Regrouping().merge_pcns(kept, absorbed, "Joined PCN")
    assert "Scenario open: “Option A”" in banner(other)

    # Every page says so; the link keeps the scenario as the sidebar's links do.
    other.switch_page("views/overview.py").run()
    assert banner(other) and other.query_params["scenario"] == saved.id

    # Back to the real configuration: no what-if, default bands, no scenario in the link.
    other.switch_page("views/tiers.py").run()
    other.button(key="scenario_close").click().run()
    assert_clean(other)
    assert banner(other) is None and "scenario" not in other.query_params
    assert "bands" not in other.query_params
    assert QGH not in other.session_state["tiers_scenarios"]
    assert metric(other, "Units outside their band").endswith("of 97")


def test_an_allocation_opened_by_its_link_restores_every_control(sqlite_url):
    at = open_page("allocation.py", sqlite_url, ics="QRV")
    at.selectbox(key="alloc_method").set_value("inequality_zero_sum").run()
    at.text_input(key="alloc_budget_QRV").set_value("3,456,789,012.34").run()
    at.text_input(key="alloc_name").input("Fair shares").run()
    save_new(at, "allocation", "QRV fair shares")
    assert_clean(at)
    saved_json = at.session_state["allocation_scenario"]
    link = opened(at).id

    other = open_page("allocation.py", sqlite_url, ics="QRV", scenario=link)
    assert_clean(other)
    assert other.selectbox(key="alloc_method").value == "inequality_zero_sum"
    assert other.text_input(key="alloc_budget_QRV").value == "3,456,789,012.34"
    assert Scenario.from_json(other.session_state["allocation_scenario"]).to_dict() == (
        Scenario.from_json(saved_json).to_dict()
    )
    # Unchanged since it was opened: no new version to save.
    assert other.button(key="scenario_save_allocation_version").disabled
    other.text_input(key="alloc_budget_QRV").set_value("3,000,000,000").run()
    other.button(key="scenario_save_allocation_version").click().run()
    assert_clean(other)
    assert opened(other).version == 2

    # Opened on another page first, the allocation page still shows it.
    third = open_page("overview.py", sqlite_url, ics="QRV", scenario=link)
    third.switch_page("views/allocation.py").run()
    assert_clean(third)
    assert third.text_input(key="alloc_budget_QRV").value == "3,000,000,000"
    assert third.selectbox(key="alloc_method").value == "inequality_zero_sum"


def test_an_uploaded_grouping_travels_with_its_scenario(sqlite_url):
    import layers

    practices = layers.load_system("QGH", vintage="2022").practices["practice_code"].tolist()
    rows = "\n".join(f"{code},{'North' if i % 2 else 'South'}" for i, code in enumerate(practices))
    at = open_page("data.py", sqlite_url)
    at.file_uploader(key="upload_place_groupings").set_value(
        ("groups.csv", f"practice_code,place_name\n{rows}\n".encode(), "text/csv")
    ).run()
    at.button(key="apply_place_groupings").click().run()
    save_new(at, "data", "Two halves")
    assert_clean(at)
    link = opened(at).id

    other = open_page("overview.py", sqlite_url, scenario=link)
    assert_clean(other)
    held = other.session_state["uploads"].get("place_groupings")
    assert sorted(held["place_name"].unique()) == ["North", "South"]
    # The same grouping (same content digest), so every page draws the same places.
    assert other.session_state["grouping_digest"] == at.session_state["grouping_digest"]
    other.button(key="scenario_close").click().run()
    assert other.session_state["uploads"].get("place_groupings") is None


def test_a_newer_version_by_someone_else_refuses_the_save_and_keeps_the_state(database):
    first = open_page("tiers.py", database)
    merge_two_pcns(first, "Mine")
    save_new(first, "tiers", "Shared option")
    link = opened(first).id

    second = open_page("tiers.py", database, scenario=link)
    second.radio(key="tiers_op_kind").set_value("move_pcn").run()
    second.button(key="tiers_apply").click().run()
    second.button(key="scenario_save_tiers_version").click().run()
    assert_clean(second)
    assert opened(second).version == 2

    # The first user changes their what-if and saves from version 1: refused, and why.
    first.button(key="tiers_undo").click().run()
    merge_two_pcns(first, "Mine, renamed")
    mine = first.session_state["tiers_scenarios"][QGH]
    first.button(key="scenario_save_tiers_version").click().run()
    refusal = texts(first.error)
    assert len(refusal) == 1
    assert "Not saved: anonymous saved version 2 of this scenario at" in refusal[0]
    assert "version 1 you started from" in refusal[0]
    assert first.session_state["tiers_scenarios"][QGH] == mine  # nothing lost
    assert len(store.open_store(database).versions(link, store.ANONYMOUS)) == 2

    # ... and saving it as a new scenario works.
    save_new(first, "tiers", "My own option")
    assert_clean(first)
    assert opened(first).id != link and opened(first).version == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"scenario": "0123456789abcdef"}, "which does not exist or is private"),
        ({"scenario": "[x](http://evil)"}, "scenario “[x](http://evil)”, which does not"),
        ({"version": "9"}, "has no version 9; its versions are 1 to 1"),
        ({"version": "two"}, "its version “two” is not a version number"),
        ({"ics": "QRV"}, "but the link asks for ICS “QRV”"),
        ({"vintage": "2026"}, "but the link asks for the “2026” data"),
    ],
)
def test_a_link_that_cannot_be_opened_says_why_and_changes_nothing(sqlite_url, params, message):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument(
        "tiers", "QGH", "2022", "preset", bands={"pcn": (20_000, 60_000)}
    )
    saved = library.save_new(document, "Option B", store.ANONYMOUS)
    link = {"scenario": saved.id, **params}
    at = open_page("tiers.py", sqlite_url, ics=link.pop("ics", "QGH"), **link)
    assert not at.exception
    assert any(message in w for w in texts(at.warning)), texts(at.warning)
    assert not any("](http" in w.value for w in at.warning)  # shown as text, never a link
    assert opened(at) is None and banner(at) is None
    assert "scenario" not in at.query_params
    assert at.session_state["tiers_bands"] == dict(tiers.DEFAULT_BANDS)


def test_a_scenario_of_the_2026_vintage_opens_in_it(sqlite_url):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument("tiers", "E54000071", "2026", "utla", bands={"pcn": (1, 2)})
    saved = library.save_new(document, "Next year", store.ANONYMOUS)
    at = open_page("tiers.py", sqlite_url, ics=None, scenario=saved.id)
    assert_clean(at)
    assert opened(at).id == saved.id
    assert at.session_state["vintage"] == "2026" and at.query_params["ics"] == "E54000071"


def test_a_what_if_merge_opens_on_the_mergers_page(sqlite_url):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument("merge", "QGH", "2022", "preset", merge=("QGH", "QUA"))
    saved = library.save_new(document, "Merged", store.ANONYMOUS)
    at = open_page("mergers.py", sqlite_url, scenario=saved.id)
    assert_clean(at)
    assert opened(at).kind == "merge" and at.session_state["vintage"] == "2022"
    assert at.multiselect(key="merge_pick").value == ["QGH", "QUA"]


def test_a_what_if_merge_of_unknown_icbs_says_why(sqlite_url):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument("merge", "QGH", "2022", "preset", merge=("QGH", "T04"))
    saved = library.save_new(document, "Merged", store.ANONYMOUS)
    at = open_page("overview.py", sqlite_url, scenario=saved.id)
    assert not at.exception and opened(at) is None
    assert any("not ICBs of the 2022 data" in w for w in texts(at.warning))


def test_an_archived_scenario_is_not_opened_by_its_link(sqlite_url):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument("tiers", "QGH", "2022", "preset", bands={"pcn": (1, 2)})
    saved = library.save_new(document, "Old option", store.ANONYMOUS)
    library.archive(saved.id, store.ANONYMOUS)
    at = open_page("tiers.py", sqlite_url, scenario=saved.id)
    assert any("“Old option” is archived" in w for w in texts(at.warning))
    assert opened(at) is None
    library.restore(saved.id, store.ANONYMOUS)
    assert opened(open_page("tiers.py", sqlite_url, scenario=saved.id)).id == saved.id


def test_an_old_version_opens_by_its_link_and_stays_in_it(sqlite_url):
    library = store.open_store(sqlite_url)
    first = store.ScenarioDocument("tiers", "QGH", "2022", "preset", bands={"pcn": (1, 2)})
    saved = library.save_new(first, "Versions", store.ANONYMOUS)
    second = store.ScenarioDocument("tiers", "QGH", "2022", "preset", bands={"pcn": (3, 4)})
    library.save_version(saved.id, second, store.ANONYMOUS, base_version=1)
    at = open_page("tiers.py", sqlite_url, scenario=saved.id, version="1")
    assert_clean(at)
    assert at.session_state["tiers_bands"]["pcn"] == (1, 2)
    assert "version 1 of 2" in banner(at)
    at.switch_page("views/overview.py").run()
    assert at.query_params["version"] == "1"


def test_choosing_another_ics_closes_the_scenario(sqlite_url):
    library = store.open_store(sqlite_url)
    document = store.ScenarioDocument("tiers", "QGH", "2022", "preset", bands={"pcn": (1, 2)})
    saved = library.save_new(document, "QGH only", store.ANONYMOUS)
    at = open_page("tiers.py", sqlite_url, scenario=saved.id)
    at.selectbox(key="ics").set_value("QRV").run()
    assert_clean(at)
    assert opened(at) is None and "scenario" not in at.query_params
    assert any("“QGH only” was closed" in i for i in texts(at.info))
    assert at.session_state["tiers_bands"] == dict(tiers.DEFAULT_BANDS)
