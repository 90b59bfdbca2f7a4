"""The Scenario library page under AppTest: list, filters, actions, versions, files, faults.

Each test has a library of its own (a fresh SQLite file, or a database on the session's
real PostgreSQL server), given to the app as the ``database_url`` secret.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import store
from layers import tiers
from layers.allocation import Scenario, default_catalogue
from layers.export import table_csv
from tests.app.apptest import assert_clean
from tests.app.scenarios import banner, merge_two_pcns, open_page, opened, save_new, texts
from tests.browser_harness import free_port

PAGE = "scenarios.py"
ANN = store.User("ann@example.nhs.uk", "Ann Analyst")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'library.sqlite3'}"


def tiers_document(ics: str = "QGH", pcn: tuple[int, int] = (20_000, 60_000)):
    return store.ScenarioDocument("tiers", ics, "2022", "utla", bands={"pcn": pcn})


def allocation_document(budget: float, method: str = "weighted_capitation"):
    scenario = Scenario("By need", budget, default_catalogue(), method)
    return store.ScenarioDocument("allocation", "QGH", "2022", "preset", allocation=scenario)


def library_rows(at):
    """The library table on the page."""
    return next(f.value for f in at.dataframe if "Scenario" in f.value.columns)


def choose(at, scenario_id: str):
    return at.selectbox(key="library_chosen").set_value(scenario_id).run()


def test_an_empty_library_says_how_to_fill_it(sqlite_url):
    at = open_page(PAGE, sqlite_url)
    assert_clean(at)
    assert any("No scenario has been saved yet" in i for i in texts(at.info))
    assert any("No sign-in is configured on this server" in c for c in texts(at.caption))


def test_filters_by_ics_and_author_and_search_by_name(sqlite_url):
    library = store.open_store(sqlite_url)
    library.save_new(tiers_document(), "Option A", store.ANONYMOUS)
    library.save_new(tiers_document("QRV"), "Option B (QRV)", store.ANONYMOUS)
    library.save_new(tiers_document(), "Ann's 50% option", ANN)
    library.save_new(tiers_document(), "Ann's private one", ANN, visibility="private")
    at = open_page(PAGE, sqlite_url)
    assert_clean(at)
    assert sorted(library_rows(at)["Scenario"]) == [
        "Ann's 50% option",
        "Option A",
        "Option B (QRV)",
    ]  # never someone else's private scenario
    at.selectbox(key="library_ics").set_value("QRV").run()
    assert list(library_rows(at)["Scenario"]) == ["Option B (QRV)"]
    at.selectbox(key="library_ics").set_value("").run()
    at.selectbox(key="library_author").set_value(ANN.id).run()
    assert list(library_rows(at)["Author"]) == ["Ann Analyst"]
    at.selectbox(key="library_author").set_value("").run()
    at.text_input(key="library_search").input("50%").run()
    assert list(library_rows(at)["Scenario"]) == ["Ann's 50% option"]  # % is literal
    at.text_input(key="library_search").input("'; DROP TABLE scenarios; --").run()
    assert_clean(at)
    assert any("No scenario matches these filters" in i for i in texts(at.info))
    at.text_input(key="library_search").input("").run()
    assert len(library_rows(at)) == 3  # the table is still there


def test_rename_duplicate_archive_and_restore(sqlite_url):
    library = store.open_store(sqlite_url)
    mine = library.save_new(tiers_document(), "Option A", store.ANONYMOUS)
    at = open_page(PAGE, sqlite_url)
    choose(at, mine.id)
    at.text_input(key=f"library_name_{mine.id}").input("Option A, revised")
    at.text_area(key=f"library_text_{mine.id}").input("For the March board")
    at.button(key="library_rename").click().run()
    assert_clean(at)
    assert library.get(mine.id, store.ANONYMOUS).name == "Option A, revised"
    assert library.get(mine.id, store.ANONYMOUS).description == "For the March board"

    at.button(key="library_duplicate").click().run()
    assert_clean(at)
    copy = at.selectbox(key="library_chosen").value
    assert copy != mine.id
    assert library.get(copy, store.ANONYMOUS).name == "Copy of Option A, revised"

    choose(at, mine.id).button(key="library_archive").click().run()
    assert_clean(at)
    assert library.get(mine.id, store.ANONYMOUS).archived
    assert at.radio(key="library_show").value == "archived"
    assert list(library_rows(at)["Scenario"]) == ["Option A, revised"]
    assert at.button(key="library_open").disabled
    at.button(key="library_restore").click().run()
    assert not library.get(mine.id, store.ANONYMOUS).archived
    assert len(library_rows(at)) == 2


def test_someone_elses_scenario_can_be_duplicated_but_not_changed(sqlite_url):
    library = store.open_store(sqlite_url)
    theirs = library.save_new(tiers_document(), "Ann's option", ANN)
    at = open_page(PAGE, sqlite_url)
    choose(at, theirs.id)
    assert any("Only its author, Ann Analyst, can rename" in c for c in texts(at.caption))
    keys = {button.key for button in at.button}
    assert not keys & {"library_rename", "library_archive", "library_restore"}
    at.button(key="library_duplicate").click().run()
    copy = library.get(at.selectbox(key="library_chosen").value, store.ANONYMOUS)
    assert copy.author == "anonymous" and copy.name == "Copy of Ann's option"


def test_open_and_open_an_old_version_from_the_library(sqlite_url):
    library = store.open_store(sqlite_url)
    saved = library.save_new(tiers_document(pcn=(1, 2)), "Two versions", store.ANONYMOUS)
    library.save_version(saved.id, tiers_document(pcn=(3, 4)), store.ANONYMOUS, base_version=1)
    at = open_page(PAGE, sqlite_url)
    at.button(key="library_open").click().run()
    assert_clean(at)
    assert opened(at).version == 2 and at.session_state["tiers_bands"]["pcn"] == (3, 4)
    assert "Population tiers" in at.title[0].value and banner(at)
    assert at.query_params["places"] == "utla"

    at.switch_page(f"views/{PAGE}").run()
    at.selectbox(key=f"library_version_{saved.id}").set_value(1).run()
    at.button(key="library_open_version").click().run()
    assert_clean(at)
    assert opened(at).version == 1 and at.session_state["tiers_bands"]["pcn"] == (1, 2)
    assert at.query_params["version"] == "1"


def test_compare_two_allocation_versions_in_pounds_by_place_and_pcn(sqlite_url):
    library = store.open_store(sqlite_url)
    saved = library.save_new(allocation_document(1e9), "Budget", store.ANONYMOUS)
    library.save_version(
        saved.id, allocation_document(1e9, "equal_per_head"), store.ANONYMOUS, base_version=1
    )
    at = open_page(PAGE, sqlite_url)
    assert_clean(at)
    assert at.selectbox(key=f"library_version_a_{saved.id}").value == 1
    headers = [h.value for h in at.subheader]
    assert "Differences by place: A − B" in headers and "Differences by PCN: A − B" in headers
    by_place = next(f.value for f in at.dataframe if "A − B £" in f.value.columns)
    assert by_place["A − B £"].sum() == pytest.approx(0, abs=0.01)  # same budget
    assert by_place["A £"].sum() == pytest.approx(1e9, abs=0.01)
    side = next(f.value for f in at.dataframe if list(f.value.columns) == ["", "A", "B"])
    assert side.set_index("")["B"]["Method"] == "Equal per head"  # B: the newest
    assert (by_place["A − B £"].abs() > 1).any()
    assert len(at.get("plotly_chart")) == 1  # the allocation page's difference bars


def test_compare_two_tiers_versions_in_band_flags(sqlite_url):
    library = store.open_store(sqlite_url)
    real = store.ScenarioDocument("tiers", "QGH", "2022", "preset", bands=dict(tiers.DEFAULT_BANDS))
    saved = library.save_new(real, "Regrouping", store.ANONYMOUS)
    merged = store.ScenarioDocument(
        "tiers",
        "QGH",
        "2022",
        "preset",
        bands=dict(tiers.DEFAULT_BANDS),
        regrouping=tiers.Regrouping().merge_pcns("U10834", "U21359", "Joined"),
    )
    library.save_version(saved.id, merged, store.ANONYMOUS, base_version=1)
    at = open_page(PAGE, sqlite_url)
    assert_clean(at)
    changes = next(f.value for f in at.dataframe if "Change" in f.value.columns)
    pcns = changes[changes["Layer"] == tiers.LAYER_LABELS["pcn"]]
    # A (v1, real) against B (v2, merged): the absorbed PCN exists only in A.
    assert set(pcns["Code"]) >= {"U10834", "U21359"}
    assert (pcns.loc[pcns["Code"] == "U21359", "Change"].str.endswith("→ (no unit)")).all()
    assert len(at.get("plotly_chart")) == 2  # the tiers page's band counts, A and B


def test_import_checks_the_file_completely(sqlite_url):
    library = store.open_store(sqlite_url)
    exported = library.export_json(
        library.save_new(tiers_document(), "To move", store.ANONYMOUS).id, store.ANONYMOUS
    )
    at = open_page(PAGE, sqlite_url)

    def import_file(content: bytes, name: str = "") -> list[str]:
        at.file_uploader(key="library_import_file").set_value(
            ("scenario.json", content, "application/json")
        ).run()
        at.text_input(key="library_import_name").input(name)
        at.button(key="library_import").click().run()
        assert not at.exception
        return texts(at.error) + texts(at.success)

    assert "was not imported: The scenario file is not valid JSON" in import_file(b"{oops")[0]
    future = json.loads(exported) | {"version": 2}
    assert "from a newer version of the planner" in import_file(json.dumps(future).encode())[0]
    unknown = json.loads(exported) | {"ics": "ZZZ"}
    assert (
        "its ICS “ZZZ” is not one of England's 42" in import_file(json.dumps(unknown).encode())[0]
    )
    bad_rows = json.loads(exported) | {
        "place_groupings": [{"practice_code": "NOT1", "place_name": "North"}]
    }
    assert "place_groupings" in import_file(json.dumps(bad_rows).encode())[0]
    assert len(library.list_scenarios(store.ANONYMOUS)) == 1  # nothing saved so far

    message = import_file(exported.encode(), "Moved here")[0]
    assert message.startswith("Imported “Moved here”")
    assert at.selectbox(key="library_chosen").value != ""
    # A file saved from the Service allocation page is read as this page's ICS.
    bare = Scenario("Page file", 2e9, default_catalogue()).to_json().encode()
    assert import_file(bare)[0].startswith("Imported “Page file” (Allocation, Herefordshire")
    assert len(library.list_scenarios(store.ANONYMOUS)) == 3


def test_names_are_checked_and_shown_as_text(sqlite_url):
    at = open_page("tiers.py", sqlite_url)
    merge_two_pcns(at)
    regrouping = at.session_state["tiers_scenarios"]
    for bad, reason in (
        ("", "A scenario name is blank."),
        ("x" * 10_000, "longer than 200 characters"),
        ('=HYPERLINK("http://evil","click")', "starts with '=', which spreadsheets read"),
    ):
        save_new(at, "tiers", bad)
        assert any(reason in e and "Your changes are still here" in e for e in texts(at.error))
        assert opened(at) is None and at.session_state["tiers_scenarios"] == regrouping
    html = "<img src=x onerror=alert(1)> **Option** [B](http://evil)"
    save_new(at, "tiers", html, "=1+1 in a cell")
    assert_clean(at)
    assert not any("](http" in s.value for s in at.success)  # no link was made
    page = open_page(PAGE, sqlite_url)
    rows = library_rows(page)
    assert list(rows["Scenario"]) == [html]  # stored and shown exactly as typed, as text
    csv = table_csv(rows, "Scenario library").decode("utf-8-sig")
    assert "'=1+1 in a cell" in csv  # the CSV download neutralises the formula


def test_a_database_that_cannot_be_reached_leaves_analysis_working(tmp_path):
    unreachable = f"postgresql+psycopg://planner@127.0.0.1:{free_port()}/scenarios"
    at = open_page("tiers.py", unreachable)
    merge_two_pcns(at)
    assert not at.exception and not at.error
    assert any("Saving is unavailable" in w for w in texts(at.warning))
    assert at.session_state["tiers_scenarios"]  # the what-if is still in the session
    library = open_page(PAGE, unreachable)
    assert not library.exception
    assert any("The scenario library is unavailable" in w for w in texts(library.warning))
    link = open_page("tiers.py", unreachable, scenario="0123456789abcdef")
    assert any("cannot be reached" in w for w in texts(link.warning))


def test_a_read_only_database_refuses_saves_and_keeps_the_state(postgres):
    url = postgres.create_database()
    library = store.open_store(url)  # migrated while writable
    postgres.execute(
        f"ALTER DATABASE {url.rsplit('/', 1)[1]} SET default_transaction_read_only = on"
    )
    library.dispose()  # new connections are read-only
    at = open_page("tiers.py", url)
    merge_two_pcns(at)
    regrouping = dict(at.session_state["tiers_scenarios"])
    save_new(at, "tiers", "Will not stick")
    assert any("read-only, so saving is unavailable" in e for e in texts(at.error))
    assert at.session_state["tiers_scenarios"] == regrouping and opened(at) is None


def test_a_corrupt_sqlite_file_is_reported_and_kept(tmp_path):
    damaged = tmp_path / "library.sqlite3"
    damaged.write_bytes(b"this is not a database " * 400)
    before = damaged.read_bytes()
    url = f"sqlite:///{damaged}"
    at = open_page(PAGE, url)
    assert not at.exception
    assert any(f"The scenario library file {damaged} is damaged" in e for e in texts(at.error))
    tiers_page = open_page("tiers.py", url)
    assert not tiers_page.exception and not tiers_page.error
    assert any("is damaged" in w for w in texts(tiers_page.warning))
    assert damaged.read_bytes() == before
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["library.sqlite3"]


def test_with_sign_in_configured_saving_needs_a_signed_in_user(sqlite_url):
    from streamlit.testing.v1 import AppTest

    from tests.app.apptest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["database_url"] = sqlite_url
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "ics-planner",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.query_params["ics"] = "QGH"
    at.switch_page("views/tiers.py")
    at.run()
    assert_clean(at)
    assert any("Sign in (in the sidebar) to save" in i for i in texts(at.info))
    assert "account_sign_in_default" in {button.key for button in at.sidebar.button}
    assert not any(b.key == "scenario_save_tiers_new" for b in at.button)


def test_the_link_keeps_the_chosen_scenario_and_the_versions_compared(sqlite_url):
    library = store.open_store(sqlite_url)
    first = library.save_new(tiers_document(pcn=(1, 2)), "First", store.ANONYMOUS)
    for pcn in ((3, 4), (5, 6)):
        library.save_version(
            first.id,
            tiers_document(pcn=pcn),
            store.ANONYMOUS,
            base_version=(library.get(first.id, store.ANONYMOUS).latest_version),
        )
    library.save_new(tiers_document(), "Second, newer", store.ANONYMOUS)
    at = open_page(PAGE, sqlite_url, item=first.id, version_a="1", version_b="3")
    assert_clean(at)
    assert at.selectbox(key="library_chosen").value == first.id
    assert at.selectbox(key=f"library_version_a_{first.id}").value == 1
    assert at.selectbox(key=f"library_version_b_{first.id}").value == 3
    at.selectbox(key=f"library_version_b_{first.id}").set_value(2).run()
    assert (at.query_params["item"], at.query_params["version_b"]) == (first.id, "2")
    stale = open_page(PAGE, sqlite_url, item="gone", version_a="7")
    warnings = texts(stale.warning)
    assert any("The link asked for the scenario “gone”" in w for w in warnings)
    assert stale.selectbox(key="library_chosen").value != first.id  # the newest instead
