"""The Boundary alignment page under Streamlit's AppTest: sections, controls, URL state,
bad links and the disclosure rule on what the overlap section shows and exports.

Expected figures come from layers.alignment run on the same geodata tables, so the page
is checked against the library rather than against numbers typed in here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import layers
from layers import alignment as al
from layers.alignment.tables import COMPARISON_VERDICTS
from layers.figures.alignment import COMPARISON_LABELS
from tests.app.apptest import assert_clean, metrics, run_page

PAGE = "boundaries.py"
SECTIONS = ["Residence", "Overlap", "Area", "Flows", "Lineage", "Place cards"]


def _home(england, icb, la_level, threshold):
    return al.home_authorities(*england, la_level=la_level, icb_code=icb, threshold=threshold)


def _frames(at):
    return [d.value for d in at.dataframe]


def _frame_with(at, column):
    matches = [f for f in _frames(at) if column in f.columns]
    assert matches, f"no table with a {column!r} column"
    return matches[0]


def _specs(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _downloads(at):
    return [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("ics", ["QGH", "QE1"])
@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_renders(section, ics):
    at = run_page(PAGE, ics, section=section, vintage="2022")
    assert_clean(at)
    number = SECTIONS.index(section) + 1
    assert at.subheader[0].value.startswith(f"{number}. ")
    assert any("Places:" in c.value for c in at.caption)
    assert any("Data:" in c.value for c in at.caption)
    assert _downloads(at), "every section offers downloads"


def test_threshold_slider_recounts_and_goes_in_the_url(england):
    at = run_page(PAGE, "QGH", vintage="2022")
    assert_clean(at)
    assert at.slider(key="bnd_straddle").value == 90
    home = _home(england, "QGH", "utla", 0.9)
    pcns = home["unit_type"] == "pcn"
    expected = f"{int(home.loc[pcns, 'straddles'].sum())} of {int(pcns.sum())}"
    assert metrics(at)["PCNs straddling (under 90%)"] == expected

    at.slider(key="bnd_straddle").set_value(97).run()
    assert_clean(at)
    assert at.query_params["straddle"] == "97"
    home = _home(england, "QGH", "utla", 0.97)
    expected = f"{int(home.loc[pcns, 'straddles'].sum())} of {int(pcns.sum())}"
    assert metrics(at)["PCNs straddling (under 97%)"] == expected
    assert expected != "1 of 15"  # the threshold really changed the count
    table = _frame_with(at, "Straddles (under 97%)")
    assert (table["Straddles (under 97%)"] == "Yes").sum() == int(expected.split()[0])


def test_threshold_and_level_from_a_link(england):
    at = run_page(PAGE, "QGH", straddle="80", la="ltla", vintage="2022")
    assert_clean(at)
    assert at.slider(key="bnd_straddle").value == 80
    assert at.radio(key="bnd_la").value == "ltla"
    home = _home(england, "QGH", "ltla", 0.8)
    pcns = home["unit_type"] == "pcn"
    assert metrics(at)["PCNs straddling (under 80%)"] == (
        f"{int(home.loc[pcns, 'straddles'].sum())} of {int(pcns.sum())}"
    )
    assert any("Lower-tier authorities" in m.value for m in at.markdown)


def test_bad_link_values_warn_and_fall_back():
    at = run_page(PAGE, "QGH", straddle="120", la="county", section="Nope", vintage="2022")
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "the straddle threshold (a whole percentage from 50 to 100) “120”" in warnings
    assert "Showing 90% instead" in warnings
    assert "the local authority level “county”" in warnings
    assert "Showing upper-tier instead" in warnings
    assert "the tab “Nope”" in warnings
    assert at.slider(key="bnd_straddle").value == 90
    assert at.radio(key="bnd_la").value == "utla"
    assert at.query_params["straddle"] == "90"
    assert at.query_params["la"] == "utla"
    assert at.subheader[0].value.startswith("1. ")


def test_switching_level_changes_the_authorities():
    at = run_page(PAGE, "QGH", section="Overlap", vintage="2022")
    upper = _specs(at)[0]
    assert "upper-tier" in upper["layout"]["xaxis"]["title"]["text"]
    assert len(upper["data"][0]["x"]) == 2 + 3  # Herefordshire, Worcestershire + pooled
    at.radio(key="bnd_la").set_value("ltla").run()
    assert_clean(at)
    assert at.query_params["la"] == "ltla"
    lower = _specs(at)[0]
    assert "lower-tier" in lower["layout"]["xaxis"]["title"]["text"]
    assert "Wychavon" in lower["data"][0]["x"]


def _is_disclosed(values) -> bool:
    numbers = np.array([v for v in values if not (isinstance(v, float) and np.isnan(v))])
    return bool((numbers % 5 == 0).all() and not ((numbers >= 1) & (numbers <= 7)).any())


def test_overlap_shows_rounded_counts_and_offers_exports(england):
    at = run_page(PAGE, "QRV", section="Overlap", vintage="2022")
    assert_clean(at)
    assert _downloads(at) == ["PNG", "SVG", "CSV", "XLSX", "CSV", "XLSX"]
    assert any("nearest 5" in m.value for m in at.markdown)
    matrix = _frame_with(at, "Total (rounded)")
    counts = matrix.drop(columns=["PCN", "Code", "Type"])
    assert _is_disclosed(counts.to_numpy().ravel())
    assert counts.isna().to_numpy().any(), "some cells of 1-7 patients are suppressed"
    # Babylon GP at Hand's rounded total is its unrounded total, rounded once.
    home = _home(england, "QRV", "utla", 0.9).set_index("unit_code")
    babylon = matrix.set_index("Code").loc["U19803", "Total (rounded)"]
    assert babylon == 5 * ((home.loc["U19803", "patients"] + 2) // 5)
    straddlers = _frame_with(at, "Where patients live (% from rounded counts)")
    assert _is_disclosed(straddlers["Patients (rounded)"].to_numpy())
    assert len(straddlers) == int(home["straddles"].sum())

    at.radio(key="bnd_cells").set_value("share").run()
    assert_clean(at)
    assert at.query_params["cells"] == "share"
    spec = _specs(at)[0]
    assert "% of the unit" in spec["data"][0]["colorbar"]["title"]["text"]
    assert all(t.endswith("%") or t == "*" for row in spec["data"][0]["text"] for t in row)
    at.selectbox(key="bnd_order").set_value("name").run()
    assert_clean(at)
    assert at.query_params["order"] == "name"
    labels = _specs(at)[0]["data"][0]["y"]
    assert labels == sorted(labels, key=str)


def test_area_section_explains_disagreements():
    at = run_page(PAGE, "QRV", section="Area", vintage="2022")
    assert_clean(at)
    table = _frame_with(at, "Verdict")
    assert set(table["Verdict"].dropna()) <= set(COMPARISON_VERDICTS.values())
    assert set(table["Verdict"].dropna()) & set(COMPARISON_LABELS.values())
    differs = int((table["Verdict"] == COMPARISON_VERDICTS["straddle_differs"]).sum())
    assert any(f"**{differs} PCN(s)**" in m.value for m in at.markdown)


def test_flows_map_selection_goes_in_the_url():
    at = run_page(PAGE, "QGH", section="Flows", vintage="2022")
    assert_clean(at)
    select = at.selectbox(key="bnd_flow_QGH_preset")
    assert select.value.startswith("icb:QGH:")
    assert at.query_params["flow"] == select.value
    assert any("Between places" in o for o in select.options)
    codes = layers.place_lookup("QGH", "preset", vintage="2022").drop_duplicates("place_code")
    codes = codes.set_index("place_name")["place_code"]
    choice = f"place:{codes['Herefordshire']}:{codes['Worcestershire']}"
    select.set_value(choice).run()
    assert_clean(at)
    assert at.query_params["flow"] == choice
    spec = _specs(at)[0]
    assert spec["layout"]["geo"]["visible"] is False  # SVG, no basemap to fetch
    assert spec["data"][0]["type"] == "choropleth"


def test_flows_bad_link_warns():
    at = run_page(PAGE, "QGH", section="Flows", flow="icb:QGH:NOPE", vintage="2022")
    assert_clean(at)
    assert any(
        "the flow “icb\\:QGH\\:NOPE”" in w.value and "Showing Out: " in w.value for w in at.warning
    ), [w.value for w in at.warning]


def test_lineage_lists_split_authorities():
    at = run_page(PAGE, "QU9", section="Lineage", vintage="2022")
    assert_clean(at)
    ccgs = _frame_with(at, "Former CCG (April 2021)")
    assert len(ccgs) == 3
    split = _frame_with(at, "Share of the authority (%)")
    assert {"Buckinghamshire", "Oxfordshire"} <= set(split["Local authority"])
    at.radio(key="bnd_la").set_value("ltla").run()
    assert_clean(at)
    split = _frame_with(at, "Share of the authority (%)")
    assert "Vale of White Horse" in set(split["Local authority"])
    labels = [a["text"] for a in _specs(at)[0]["layout"]["annotations"] if a.get("xref") == "x"]
    assert any(label.startswith("Vale of White Horse →") for label in labels)


def test_place_card_from_a_link_and_its_downloads():
    places = layers.place_lookup("QWU", "preset", vintage="2022")
    rugby = places.loc[places["place_name"] == "Rugby", "place_code"].iloc[0]
    at = run_page(PAGE, "QWU", section="Place cards", card=rugby, vintage="2022")
    assert_clean(at)
    assert at.selectbox(key="bnd_card_QWU_preset").value == rugby
    assert _downloads(at)[:3] == ["PDF", "PNG", "XLSX"]
    card = _specs(at)[0]
    assert "Rugby" in card["layout"]["title"]["text"]
    assert [t["type"] for t in card["data"]] == ["table", "bar", "bar"]

    bad = run_page(PAGE, "QWU", section="Place cards", card="nowhere", vintage="2022")
    assert_clean(bad)
    assert any(
        "“nowhere”" in w.value and "Showing Warwickshire North instead" in w.value
        for w in bad.warning
    ), [w.value for w in bad.warning]


def test_residence_counts_are_exact_published_counts():
    at = run_page(PAGE, "QGH", vintage="2022")
    table = _frame_with(at, "Registered patients")
    assert int(table["Registered patients"].sum()) == 817_738  # every practice, unrounded
    assert any("published registration counts" in m.value for m in at.markdown)


@pytest.mark.parametrize("section", ["Residence", "Overlap", "Flows", "Place cards"])
def test_2026_counts_are_called_modelled_never_published_or_july_2022(section):
    at = run_page(PAGE, "E54000071", vintage="2026", section=section)
    assert_clean(at)
    words = " ".join(
        str(e.value) for e in [*at.markdown, *at.caption, *at.subheader, *at.selectbox]
    ) + " ".join(str(e.label) for e in at.selectbox)
    assert "published registration counts" not in words
    assert "exact published" not in words and "unrounded published" not in words
    assert "July 2022)" not in words.replace("lived in July 2022", "")
    if section in ("Residence", "Place cards"):
        assert "2026/27 list sizes modelled from July 2022 patterns" in words


def test_uploaded_groupings_fall_back_to_geographic_places():
    """Uploaded practice → place groupings have no geography: the page says so and uses
    the geographic places they were uploaded against, never a traceback."""
    import pandas as pd

    from dashboard import loaders
    from dashboard.state import SystemKey

    at = run_page(PAGE, "QGH", section="Place cards", vintage="2022")
    practice = loaders.system(SystemKey("QGH", "preset", "2022")).practices["practice_code"].iloc[0]
    grouping = pd.DataFrame({"practice_code": [practice], "place_name": ["North"]})
    at.session_state["grouping_digest"] = loaders.register_grouping(grouping)
    at.session_state["uploads_ics"] = "QGH"
    at.run()
    assert_clean(at)
    assert at.selectbox(key="bnd_card_QGH_preset").value == "place-herefordshire"
    assert any("uploaded place groupings" in i.value for i in at.info)


def test_overlap_cells_and_order_from_a_link():
    """A shared link reopens the overlap exactly: percentages, rows by name."""
    at = run_page(PAGE, "QRV", section="Overlap", cells="share", order="name", vintage="2022")
    assert_clean(at)
    assert at.radio(key="bnd_cells").value == "share"
    assert at.selectbox(key="bnd_order").value == "name"
    labels = _specs(at)[0]["data"][0]["y"]
    assert labels == sorted(labels, key=str)
    bad = run_page(PAGE, "QRV", section="Overlap", cells="pounds", order="random", vintage="2022")
    assert_clean(bad)
    warnings = " ".join(w.value for w in bad.warning)
    assert "cells “pounds”" in warnings and "the order “random”" in warnings
    assert bad.radio(key="bnd_cells").value == "patients"
    assert bad.query_params["order"] == "home"


@pytest.mark.parametrize("section", SECTIONS)
def test_every_number_in_every_table_is_formatted(section):
    """Counts read 193,615 and shares 12.3%: no numeric column is left unformatted."""
    at = run_page(PAGE, "QRV", section=section, vintage="2022")
    assert_clean(at)
    for element in at.dataframe:
        config = json.loads(element.proto.columns or "{}")
        numeric = element.value.select_dtypes("number").columns
        unformatted = [c for c in numeric if "type_config" not in config.get(c, {})]
        assert not unformatted, (section, unformatted)
        for column in numeric:
            expected = "%" if str(column).endswith("(%)") else None
            shown = config[column]["type_config"]["format"]
            assert expected is None or shown.endswith("%%"), (column, shown)
