"""Every dashboard page runs under Streamlit's AppTest, for every ICS, with no exception."""

import json

import pytest

import layers
from tests.app.apptest import PAGES, assert_clean, choose, metrics, run_page

SAMPLE = ["QGH", "QRV", "QWU", "QU9", "QHM", "QE1"]
ALL_ICS = layers.list_systems(vintage="2022")["icb_code"].tolist()


def test_pages_exist():
    assert {"overview.py", "map.py"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("ics", SAMPLE)
def test_page_sample(page, ics):
    at = run_page(page, ics, vintage="2022")
    assert_clean(at)
    assert at.session_state["ics"] == ics
    assert any("Places:" in c.value for c in at.caption), "page must say which places are used"
    assert any("Data:" in c.value for c in at.caption), "page must show the data vintage"


@pytest.mark.slow
@pytest.mark.parametrize("ics", ALL_ICS)
def test_no_traceback_for_any_ics(ics):
    # One session per ICS, as a user goes: the overview, then the map.
    at = run_page("overview.py", ics, vintage="2022")
    assert_clean(at)
    assert at.session_state["ics"] == ics
    at.switch_page("views/map.py")
    at.run()
    assert_clean(at)
    assert at.session_state["ics"] == ics


def test_overview_headline_for_qgh():
    shown = metrics(run_page("overview.py", "QGH", vintage="2022"))
    assert shown["Registered patients (Jul 2022)"] == "817,738"
    assert shown["Residents (ONS mid-2020)"] == "791,685"
    assert shown["Places"] == "2"
    assert shown["PCNs"] == "15"
    assert shown["GP practices"] == "79"


def test_unknown_ics_in_link_gets_a_clear_message():
    at = run_page("overview.py", "NOPE", vintage="2022")
    assert not at.exception
    assert any("not one of England's 42 ICB codes" in w.value for w in at.warning)
    assert at.session_state["ics"] == "QGH"
    at = run_page("overview.py", "NOPE")
    assert any("not one of England's 36 ICB codes" in w.value for w in at.warning)
    assert at.session_state["ics"] == "E54000019"


def test_switching_ics_updates_the_url():
    at = choose(run_page("overview.py", "QGH", vintage="2022"), "selectbox", "ics", "QRV")
    assert at.query_params["ics"] == "QRV"
    assert metrics(at)["PCNs"] == "45"


def test_place_definition_switch_and_url():
    at = run_page("overview.py", "QGH", vintage="2022")
    choose(at, "radio", "place_definition", "ltla")
    assert at.query_params["places"] == "ltla"
    assert metrics(at)["Places"] == "7"
    assert any("Lower-tier" in c.value for c in at.caption)


def test_place_definition_from_link():
    at = run_page("overview.py", "QWU", places="utla", vintage="2022")
    assert metrics(at)["Places"] == "2"


def test_map_layers_and_measure():
    at = run_page("map.py", "QGH", vintage="2022")
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 1
    at.radio[0].set_value("population").run()
    assert at.query_params["colour"] == "population"
    assert_clean(at)


def test_map_colour_from_link_and_controls_drawn_after_the_map():
    at = run_page("map.py", "QGH", colour="population", vintage="2022")
    assert_clean(at)
    assert at.radio(key="map_colour").value == "population"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["colorbar"]["title"]["text"].startswith("Residents")
    at.radio(key="map_colour").set_value("imd_decile").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["colorbar"]["title"]["text"].startswith("IMD 2019 decile")
    assert at.query_params["colour"] == "imd_decile"


def test_map_with_no_layers_explains():
    at = run_page("map.py", "QGH", vintage="2022")
    pills = at.get("button_group")[0]
    pills.set_value([]).run()
    assert_clean(at)
    assert any("Choose at least one layer" in i.value for i in at.info)
