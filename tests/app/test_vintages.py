"""The data vintage in the dashboard: chosen once (sidebar, ``?vintage=``), everywhere.

Every page runs under both vintages for six ICBs each, including West and North London,
Thames Valley and Surrey and Sussex (and their 2022 predecessors). One AppTest session
per ICB visits every page, so each ICB's data is loaded once (the loaders' caches are
shared by every AppTest in the process).
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.scaffold import quote
from tests.app.apptest import PAGES, assert_clean, choose, metrics, open_home, run_page

#: (vintage, ICB): West and North London, Thames Valley, Surrey and Sussex, Herefordshire
#: and Worcestershire, Central East and North East and North Cumbria; in 2022 North West
#: London, BOB, Sussex, Herefordshire and Worcestershire, BLMK and North East.
SAMPLE = [
    *(("2026", c) for c in ("E54000071", "E54000070", "E54000069", "E54000019", "E54000065")),
    ("2026", "E54000050"),
    *(("2022", c) for c in ("QRV", "QU9", "QNX", "QGH", "QHG", "QHM")),
]
_TIMES: dict[tuple[str, str], float] = {}
#: Words only the other vintage's data can give: a figure drawn with them names the
#: wrong data (a figure left on the default vintage drew 2026 notes over 2022 data).
_OTHER_VINTAGE_WORDS = {
    "2022": ("IMD 2025", "April 2026", "2026/27", "LSOA 2021"),
    "2026": ("IMD 2019", "NHS England 2022/23", "LSOA 2011", "ONS mid-2020"),
}


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'library.sqlite3'}"


def _visit_every_page(vintage: str, ics: str) -> AppTest:
    at = open_home(timeout=300, ics=ics, vintage=vintage)
    for page in PAGES:
        if page != "overview.py":
            at.switch_page(f"views/{page}")
            at.run()
        assert_clean(at)
        assert at.session_state["vintage"] == vintage, page
        assert at.session_state["ics"] == ics, page
        assert not at.warning, (page, [w.value for w in at.warning])
        captions = [c.value for c in at.caption]
        if page not in ("scenarios.py",):
            assert any(c.startswith("Data:") for c in captions), page
        # The mergers page is about April 2026 whichever vintage is shown.
        for chart in at.get("plotly_chart") if page != "mergers.py" else ():
            seen = [w for w in _OTHER_VINTAGE_WORDS[vintage] if w in chart.proto.spec]
            assert not seen, (page, seen)
    return at


@pytest.mark.parametrize(("vintage", "ics"), SAMPLE)
def test_every_page_in_both_vintages(vintage, ics):
    start = time.perf_counter()
    _visit_every_page(vintage, ics)
    _TIMES[(vintage, ics)] = time.perf_counter() - start


def test_every_page_states_the_vintage_in_its_words():
    at = run_page("overview.py", "E54000071", vintage="2026")
    shown = metrics(at)
    assert shown["GP practices"] == "521"
    assert "Registered patients (2026/27, modelled)" in shown
    assert "Residents (Census 2021)" in shown
    captions = " ".join(c.value for c in at.caption)
    assert "NHS England code T04" in captions and "1 April 2026" in captions
    assert "IMD 2025" in captions and "Census 2021" in captions
    info = " ".join(i.value for i in at.info)
    assert "9 practices in no PCN" in info and "Oct 2024" in info
    assert "1 practice had no July 2022 registrations" in info


def test_default_is_herefordshire_and_worcestershire_in_the_2026_vintage():
    at = open_home()
    assert_clean(at)
    assert at.session_state["vintage"] == "2026"
    assert at.session_state["ics"] == "E54000019"
    assert at.query_params["vintage"] == "2026"
    assert at.query_params["ics"] == "E54000019"
    assert not at.warning


def test_picker_shows_names_with_the_nhs_england_code():
    at = run_page("overview.py", "E54000071", vintage="2026")
    options = at.selectbox(key="ics").options
    assert len(options) == 36
    assert "West and North London (E54000071 · T04)" in options
    at = run_page("overview.py", "QGH", vintage="2022")
    assert "Herefordshire and Worcestershire (QGH)" in at.selectbox(key="ics").options


def test_unknown_vintage_is_named_and_the_default_shown():
    at = run_page("overview.py", "E54000071", vintage="2019")
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "“2019”" in warnings[0] and "April 2026" in warnings[0]
    # Nothing else changes: the ICS the link names is kept.
    assert at.session_state["vintage"] == "2026"
    assert at.session_state["ics"] == "E54000071"
    assert at.query_params["vintage"] == "2026"


def test_unknown_vintage_cannot_inject_markdown():
    at = run_page("overview.py", "E54000071", vintage="[x](http://evil)`")
    text = at.warning[0].value
    # Quoted by the one rule (scaffold.quote): markdown escaped, the URL kept from linking.
    assert quote("[x](http://evil)`") in text and "](http" not in text


def test_old_link_opens_in_2022_and_offers_the_successor():
    at = run_page("overview.py", "QRV")
    assert_clean(at)
    assert at.session_state["vintage"] == "2022"
    assert at.session_state["ics"] == "QRV"
    assert at.query_params["vintage"] == "2022"
    (notice,) = [w.value for w in at.warning]
    assert "North West London (QRV)" in notice
    assert "[West and North London (E54000071 · T04)](?vintage=2026&ics=E54000071)" in notice
    assert metrics(at)["PCNs"] == "45"


def test_old_link_of_a_split_icb_offers_every_successor():
    at = run_page("overview.py", "QNQ")
    (notice,) = [w.value for w in at.warning]
    for name in ("Thames Valley", "Hampshire and Isle of Wight", "Surrey and Sussex"):
        assert name in notice


def test_abolished_code_in_2026_names_its_successor():
    at = run_page("overview.py", "QRV", vintage="2026")
    assert_clean(at)
    (warning,) = [w.value for w in at.warning]
    assert "West and North London" in warning and "E54000071" in warning
    assert "abolished" in warning
    assert at.session_state["ics"] == "E54000019"
    assert at.session_state["vintage"] == "2026"


def test_new_code_in_2022_names_its_predecessors():
    at = run_page("overview.py", "E54000071", vintage="2022")
    assert_clean(at)
    (warning,) = [w.value for w in at.warning]
    assert "North West London" in warning and "North Central London" in warning
    assert at.session_state["ics"] == "QGH"
    assert at.session_state["vintage"] == "2022"


def test_switching_vintage_keeps_the_area():
    at = choose(run_page("overview.py", "QRV", vintage="2022"), "radio", "vintage", "2026")
    assert at.session_state["ics"] == "E54000071"
    assert at.query_params["vintage"] == "2026"
    assert metrics(at)["GP practices"] == "521"
    choose(at, "radio", "vintage", "2022")
    assert at.session_state["ics"] == "QRV"
    assert metrics(at)["PCNs"] == "45"


def test_allocation_year_from_the_link_and_three_year_view():
    at = run_page("allocation.py", "E54000070", vintage="2026", year="2028/29")
    assert_clean(at)
    assert at.radio(key="allocation_year").value == "2028/29"
    assert at.query_params["year"] == "2028/29"
    at = run_page("allocation.py", "E54000070", vintage="2026", view="Three years")
    assert_clean(at)
    subheaders = [s.value for s in at.subheader]
    assert "By place: 3 gain, 3 lose" in subheaders


def test_unknown_allocation_year_is_named():
    at = run_page("allocation.py", "E54000070", vintage="2026", year="2031/32")
    assert_clean(at)
    assert any("“2031/32”" in w.value for w in at.warning)
    assert at.radio(key="allocation_year").value == "2026/27"


def test_three_year_view_in_2022_says_it_is_a_2026_view():
    at = run_page("allocation.py", "QGH", vintage="2022", view="Three years")
    assert_clean(at)
    assert any("2026-vintage view" in i.value for i in at.info)


# --------------------------------------------------------------------------- mergers


def test_merger_page_for_west_and_north_london():
    at = run_page("mergers.py", "E54000071", vintage="2026")
    assert_clean(at)
    tables = {t.proto.id: t for t in at.dataframe}
    assert tables, "the pieces and before/after tables are drawn"
    pieces = at.dataframe[0].value
    assert pieces["Predecessor (ODS)"].tolist() == ["QRV", "QMJ"]
    assert pieces["LSOAs (2021)"].sum() == 1989
    assert len(at.get("plotly_chart")) == 4  # map, tiers, need, Core20


def test_national_changes_table():
    at = run_page("mergers.py", "E54000071", vintage="2026", view="National changes")
    assert_clean(at)
    table = at.dataframe[0].value
    assert (table["Change"] == "terminated").sum() == 13
    assert len(table) == 20


def test_what_if_merge_from_the_link():
    at = run_page("mergers.py", "E54000019", vintage="2026", merge="E54000019,E54000071")
    assert_clean(at)
    assert not at.warning
    assert any(s.value.startswith("What if ") for s in at.subheader)
    assert at.multiselect(key="merge_pick").value == ["E54000019", "E54000071"]


def test_what_if_merge_in_2022():
    at = run_page("mergers.py", "QGH", vintage="2022", merge="QGH,QWU")
    assert_clean(at)
    assert any("Herefordshire and Worcestershire + " in s.value for s in at.subheader)


@pytest.mark.parametrize(
    ("merge", "words"),
    [
        ("E54000071", "at least two different ICBs; got E54000071"),
        ("", "at least two different ICBs; got none"),
        ("QRV,E54000019", "2022 vintage, not of 2026"),
        ("NOPE,E54000019", "not an ICB of the 2026 vintage"),
    ],
)
def test_what_if_merge_errors(merge, words):
    at = run_page("mergers.py", "E54000019", vintage="2026", merge=merge)
    assert_clean(at)
    (warning,) = [w.value for w in at.warning]
    assert words.replace("-", "\\-") in warning.replace("what\\-if", "what-if") or words in warning
    assert not any(s.value.startswith("What if ") for s in at.subheader)
    assert at.multiselect(key="merge_pick").value == []


def test_what_if_of_one_picked_icb_explains():
    at = run_page("mergers.py", "E54000019", vintage="2026", view="What-if merge")
    at.multiselect(key="merge_pick").set_value(["E54000019"]).run()
    assert_clean(at)
    assert any("alone is not a merger" in i.value for i in at.info)
    assert at.query_params["merge"] == "E54000019"


def test_report_times():
    """Print how long each ICB's every-page visit took (``-s`` to see it)."""
    if _TIMES:
        total = sum(_TIMES.values())
        print(f"\nEvery page, both vintages: {len(_TIMES)} ICBs, {total:.1f} s in all")
        for (vintage, ics), seconds in _TIMES.items():
            print(f"  {vintage} {ics}: {seconds:.1f} s")


def test_what_if_merge_saves_and_reopens_from_its_link(sqlite_url):
    from tests.app.scenarios import open_page, opened, save_new

    at = open_page("mergers.py", sqlite_url, "E54000019", vintage="2026",
                   merge="E54000019,E54000071")  # fmt: skip
    at = save_new(at, "merge", "H&W with West and North London")
    assert_clean(at)
    scenario_id = at.query_params["scenario"]
    fresh = open_page("mergers.py", sqlite_url, None, scenario=scenario_id)
    assert_clean(fresh)
    assert opened(fresh).kind == "merge"
    assert fresh.session_state["vintage"] == "2026"
    assert fresh.multiselect(key="merge_pick").value == ["E54000019", "E54000071"]
    assert any(s.value.startswith("What if ") for s in fresh.subheader)


def test_inequality_offers_only_the_vintages_indicators():
    at = run_page("inequality.py", "E54000071", vintage="2026", indicator="gp_distance")
    assert_clean(at)
    assert any("gp\\_distance" in w.value for w in at.warning)
    from layers import indicators

    label = indicators.indicator_spec("gp_distance", "2022").label
    assert label not in at.selectbox(key="ineq_indicator").options
    at = run_page("inequality.py", "QGH", vintage="2022", indicator="gp_distance")
    assert_clean(at)
    assert not at.warning
    assert label in at.selectbox(key="ineq_indicator").options


def test_overview_tables_name_the_2026_sources_in_their_headers():
    """Column labels set by a section (column_config) are put in the vintage's words too."""
    at = run_page("overview.py", "E54000019", vintage="2026")
    labels = " ".join(frame.proto.columns for frame in at.dataframe)
    assert "Residents (Census 2021)" in labels
    assert "mid-2020" not in labels and "Jul 2022" not in labels
