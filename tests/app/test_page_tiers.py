"""The Population tiers page under AppTest: URL bands, what-if, tabs, links, disclosure."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

import layers
from dashboard.sections.tiers import bands as band_editor
from dashboard.state import SystemKey
from layers import format as fmt
from layers import slides, tiers
from layers.figures import tiers as tier_figures
from tests.app.apptest import assert_clean, run_page

PAGE = "tiers.py"
LAYERS_TAB = "The five layers"
UNITS_TAB = "Units outside their band"
AGE_TAB = "Age structure"
RISK_TAB = "People at risk"


def open_link(ics: str, **params: str):
    """Open the page straight from a link, as a browser does (the router reads it here)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.apptest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = ics
    at.query_params["vintage"] = "2022"  # the tests' facts are July 2022 facts
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"views/{PAGE}")
    return at.run()


def band_input(at, layer: str, end: str):
    """The band editor's input for one bound of one layer (its key carries a generation)."""
    generation = at.session_state[band_editor.GENERATION]
    return at.number_input(key=band_editor.input_key(layer, end, generation))


def open_tab(at, label: str):
    """Open a tab as a click does (its value is kept in the session and the link)."""
    at.session_state["view"] = label
    return at.run()


def charts(at) -> dict[str, dict]:
    """The page's figures by title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"].get("title", {}).get("text", ""): spec for spec in specs}


@pytest.fixture(scope="module")
def qgh_tables() -> tiers.TierTables:
    return tiers.tier_tables(layers.load_system("QGH", vintage="2022"))


def metric(at, label: str) -> str:
    return {m.label: m.value for m in at.metric}[label]


def frame(at, first_column: str, having: str | None = None) -> pd.DataFrame:
    for element in at.dataframe:
        columns = element.value.columns
        if columns[0] == first_column and (having is None or having in columns):
            return element.value
    raise AssertionError(f"no table starting with {first_column!r}")


def summary_table(at) -> pd.DataFrame:
    table = frame(at, "Layer", having="Population basis")
    return table.set_index("Layer")


def outside_count(tables: tiers.TierTables, bands=tiers.DEFAULT_BANDS) -> int:
    return int((tiers.flag_units(tables, bands)["flag"] != "within").sum())


def test_default_view_matches_the_library(qgh_tables):
    at = run_page(PAGE, "QGH", vintage="2022")
    assert_clean(at)
    assert metric(at, "Registered patients (Jul 2022)") == "817,738"
    assert metric(at, "Residents (ONS mid-2020)") == "791,685"
    assert metric(at, "Synthetic individuals") == "817,738"
    assert metric(at, "Units outside their band") == f"{outside_count(qgh_tables)} of 97"
    summary = summary_table(at)
    assert summary.loc["GP practices", "Units"] == "79"
    assert summary.loc["PCNs", "Units"] == "15"
    assert summary.loc["Places", "Units"] == "2"
    assert summary.loc["ICS", "Units"] == "1"
    assert summary.loc["PCNs", "Band"] == "30,000–50,000"
    assert "bands" not in at.query_params  # defaults keep the URL clean
    captions = " ".join(c.value for c in at.caption)
    assert "registered patients" in captions and "synthetic individuals" in captions
    # Only the open tab is drawn: the ladder and the units against their band.
    assert set(charts(at)) == {
        "Population tiers: Herefordshire and Worcestershire ICS",
        "Units against their band: Herefordshire and Worcestershire (real configuration)",
    }
    assert "Modelled, not counted" not in captions
    open_tab(at, AGE_TAB)
    assert_clean(at)
    assert any("Modelled, not counted" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1  # the pyramid
    open_tab(at, UNITS_TAB)
    assert len(at.get("plotly_chart")) == 1  # the map
    open_tab(at, RISK_TAB)
    assert len(at.get("plotly_chart")) == 2  # shares and people at risk, by PCN


def test_bands_from_the_link(qgh_tables):
    at = run_page(PAGE, "QGH", bands="1000-20000,30k-50k,100k-700k,500k-1.5m", vintage="2022")
    assert_clean(at)
    assert not at.warning
    assert band_input(at, "practice", "high").value == 20_000
    assert band_input(at, "place", "high").value == 700_000
    # Each input's own default is its band, so a browser that reports an input before
    # it has taken its value cannot send back 0 (the bands once read 0 in CI this way).
    for layer in tiers.BANDED_LAYERS:
        for end in ("low", "high"):
            number = band_input(at, layer, end)
            assert number.proto.default == number.value > 0
    assert at.query_params["bands"] == "1k-20k,30k-50k,100k-700k,500k-1.5m"
    bands = {**tiers.DEFAULT_BANDS, "practice": (1_000, 20_000), "place": (100_000, 700_000)}
    assert metric(at, "Units outside their band") == f"{outside_count(qgh_tables, bands)} of 97"
    assert summary_table(at).loc["Places", "Above band"] == "0"


@pytest.mark.parametrize(
    "bad", ["1k-10k,30k-50k", "1k-10k,50k-30k,100k-500k,500k-1.5m", "lots", "1k-10k,x-y,1-2,3-4"]
)
def test_malformed_bands_link_warns_and_uses_defaults(bad, qgh_tables):
    at = open_link("QGH", bands=bad)
    assert not at.exception and not at.error
    assert any("could not be read" in w.value for w in at.warning)
    assert band_input(at, "pcn", "low").value == 30_000
    assert "bands" not in at.query_params
    assert metric(at, "Units outside their band") == f"{outside_count(qgh_tables)} of 97"


def test_editing_bands_updates_url_and_flags(qgh_tables):
    at = run_page(PAGE, "QGH", vintage="2022")
    band_input(at, "pcn", "high").set_value(130_000).run()
    assert_clean(at)
    assert at.query_params["bands"] == "1k-10k,30k-130k,100k-500k,500k-1.5m"
    assert summary_table(at).loc["PCNs", "Above band"] == "0"
    # an impossible band is refused with a message; the default is used meanwhile
    band_input(at, "pcn", "low").set_value(200_000).run()
    assert not at.exception and not at.error
    assert any("must be below the upper bound" in w.value for w in at.warning)
    assert summary_table(at).loc["PCNs", "Band"] == "30,000–50,000"
    at.button(key="tiers_bands_reset").click().run()
    assert_clean(at)
    assert "bands" not in at.query_params
    assert metric(at, "Units outside their band") == f"{outside_count(qgh_tables)} of 97"


def test_merge_undo_and_reset(qgh_tables):
    at = run_page(PAGE, "QGH", vintage="2022")
    at.radio(key="tiers_op_kind").set_value("merge_pcns").run()
    kept = at.selectbox(key="tiers_op_kept").value
    absorbed = at.selectbox(key="tiers_op_absorbed").value
    assert kept != absorbed
    at.text_input(key="tiers_op_name").input("Joined PCN").run()
    at.button(key="tiers_apply").click().run()
    assert_clean(at)
    expected = tiers.apply_regrouping(qgh_tables, tiers.Regrouping().merge_pcns(kept, absorbed))
    summary = summary_table(at)
    assert summary.loc["PCNs", "Units"] == "14"
    assert summary.loc["PCNs", "Units (real)"] == "15"
    assert metric(at, "Registered patients (Jul 2022)") == "817,738"  # nobody lost
    assert metric(at, "Units outside their band") == f"{outside_count(expected)} of 96"
    assert any("1 change(s)" in i.value and "Joined PCN" in i.value for i in at.info)
    open_tab(at, RISK_TAB)
    risk = frame(at, "PCNs")
    assert len(risk) == 14 and "Joined PCN" in set(risk["PCNs"])
    # the real configuration is untouched in the shared cache
    from dashboard import loaders

    assert len(loaders.tier_tables(SystemKey("QGH", "preset", "2022")).pcns) == 15
    at.button(key="tiers_undo").click().run()
    assert_clean(at)
    assert len(frame(at, "PCNs")) == 15
    open_tab(at, LAYERS_TAB)
    assert summary_table(at).loc["PCNs", "Units"] == "15"
    assert not any("what-if scenario" in i.value for i in at.info)


def test_move_practice_and_pcn_then_reset(qgh_tables):
    at = run_page(PAGE, "QGH", vintage="2022")
    practice = at.selectbox(key="tiers_op_practice").value
    target = at.selectbox(key="tiers_op_to_pcn").value
    at.button(key="tiers_apply").click().run()
    assert_clean(at)
    at.radio(key="tiers_op_kind").set_value("move_pcn").run()
    pcn = at.selectbox(key="tiers_op_pcn").value
    place = at.selectbox(key="tiers_op_to_place").value
    at.button(key="tiers_apply").click().run()
    assert_clean(at)
    scenario = tiers.apply_regrouping(
        qgh_tables, tiers.Regrouping().move_practice(practice, target).move_pcn_to_place(pcn, place)
    )
    assert any("2 change(s)" in i.value for i in at.info)
    open_tab(at, UNITS_TAB)
    at.toggle(key="tiers_show_all").set_value(True).run()
    units = frame(at, "Layer", having="Part of")
    units = units[units["Layer"] == "Places"].set_index("Code")
    expected = tiers.unit_table(scenario, "place").set_index("code")["registered_patients"]
    assert units["Registered patients"].to_dict() == expected.to_dict()
    assert units["Registered patients"].sum() == 817_738
    at.button(key="tiers_reset").click().run()
    assert_clean(at)
    units = frame(at, "Layer", having="Part of")
    real = tiers.unit_table(qgh_tables, "place").set_index("code")["registered_patients"]
    assert units[units["Layer"] == "Places"].set_index("Code")["Registered patients"].to_dict() == (
        real.to_dict()
    )


def test_scenarios_are_per_ics():
    at = run_page(PAGE, "QGH", vintage="2022")
    at.radio(key="tiers_op_kind").set_value("merge_pcns").run()
    at.button(key="tiers_apply").click().run()
    assert any("1 change(s)" in i.value for i in at.info)
    at.selectbox(key="ics").set_value("QRV").run()
    assert_clean(at)
    assert not any("change(s)" in i.value for i in at.info)
    assert summary_table(at).loc["PCNs", "Units"] == "45"
    at.selectbox(key="ics").set_value("QGH").run()
    assert any("1 change(s)" in i.value for i in at.info)


def test_stale_scenario_is_reset_with_a_message():
    from streamlit.testing.v1 import AppTest

    from tests.app.apptest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = "QGH"
    at.run()
    at.session_state["tiers_scenarios"] = {
        SystemKey("QGH", "preset", "2022"): tiers.Regrouping().merge_pcns("NOPE1", "NOPE2")
    }
    at.switch_page("views/tiers.py").run()
    assert not at.exception and not at.error
    assert any("no longer applies" in w.value for w in at.warning)
    assert summary_table(at).loc["PCNs", "Units"] == "15"


def test_practices_in_no_pcn_are_shown_not_dropped():
    at = run_page(PAGE, "QRV", vintage="2022")
    assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "8 practice(s)" in captions and layers.NO_PCN_LABEL in captions
    open_tab(at, RISK_TAB)
    risk = frame(at, "PCNs")
    assert layers.NO_PCN_LABEL in set(risk["PCNs"])
    assert len(risk) == 46  # 45 PCNs and the practices in none


def test_risk_tables_are_disclosure_controlled():
    at = run_page(PAGE, "QGH", view=RISK_TAB, vintage="2022")
    at.radio(key="tiers_risk_layer").set_value("practice").run()
    assert_clean(at)
    risk = frame(at, "GP practices")
    assert len(risk) == 79  # one row per practice, never per person
    assert not {"age", "sex", "lsoa_code", "imd_decile"} & set(risk.columns)
    for column in ("Low", "Rising", "High", "Total"):
        for value in risk[column]:
            if value == "*":
                continue
            number = int(value.replace(",", ""))
            assert number == 0 or (number % 5 == 0 and number >= 10), (column, value)
    for column in [c for c in risk.columns if c.startswith("% of")]:
        assert all(v == "*" or v == fmt.MISSING or v.endswith("%") for v in risk[column])


def test_age_pyramid_for_any_unit():
    at = run_page(PAGE, "QGH", view=AGE_TAB, vintage="2022")
    at.selectbox(key="tiers_age_layer").set_value("practice").run()
    assert_clean(at)
    options = at.selectbox(key="tiers_age_practice").options
    assert len(options) == 79
    at.selectbox(key="tiers_age_layer").set_value("ics").run()
    assert_clean(at)
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any("Herefordshire and Worcestershire (817,738 patients)" in spec for spec in specs)
    assert any("Modelled" in spec and "90+" in spec for spec in specs)
    assert any("Modelled, not counted" in c.value for c in at.caption)


def test_place_definition_switch_gives_seven_districts():
    at = run_page(PAGE, "QGH", places="ltla", vintage="2022")
    assert_clean(at)
    assert summary_table(at).loc["Places", "Units"] == "7"


# --------------------------------------------------------------------------- the link


def test_the_link_reopens_every_choice():
    """A shared link opens the same tab, layers, map and unit, hence the same numbers."""
    at = open_link("QRV", view=RISK_TAB, tiers_risk_layer="Places")
    assert_clean(at)
    assert not at.warning
    places = frame(at, "Places")
    assert len(places) == len(layers.load_system("QRV", vintage="2022").places)
    at = open_link(
        "QGH",
        view=UNITS_TAB,
        tiers_map_layer="GP practices",
        tiers_show_all="true",
        tiers_flag_layers="Places",
    )
    assert_clean(at)
    assert not at.warning
    units = frame(at, "Layer", having="Part of")
    assert set(units["Layer"]) == {"Places"} and len(units) == 2  # within band too
    assert any(title.startswith("GP practices against their band") for title in charts(at))
    at = open_link(
        "QGH",
        view=AGE_TAB,
        tiers_age_layer="GP practices",
        tiers_age_practice="Elgar House (M81002)",
    )
    assert_clean(at)
    assert not at.warning
    assert at.selectbox(key="tiers_age_practice").value == "M81002"
    assert any(title.startswith("Age structure: Elgar House (") for title in charts(at))


@pytest.mark.parametrize(
    ("param", "value", "view"),
    [
        ("view", "Nowhere", None),
        ("tiers_map_layer", "Moon", UNITS_TAB),
        ("tiers_show_all", "maybe", UNITS_TAB),
        ("tiers_flag_layers", "Wards", UNITS_TAB),
        ("tiers_risk_layer", "pcn", RISK_TAB),  # the code, not the words on the page
        ("tiers_age_layer", "Streets", AGE_TAB),
        ("tiers_age_pcn", "Nobody", AGE_TAB),
    ],
)
def test_a_bad_link_value_is_named_and_the_default_shown(param, value, view):
    params = {param: value} | ({"view": view} if view else {})
    at = open_link("QGH", **params)
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert any(f"“{value}”" in w and "Showing" in w for w in warnings), warnings


def test_each_age_layer_keeps_its_own_unit():
    at = open_link(
        "QGH",
        view=AGE_TAB,
        tiers_age_layer="GP practices",
        tiers_age_practice="Elgar House (M81002)",
    )
    assert at.selectbox(key="tiers_age_practice").value == "M81002"
    at.selectbox(key="tiers_age_layer").set_value("pcn").run()
    assert_clean(at)
    assert not at.warning  # the practice's choice is not read as a PCN
    unit = at.selectbox(key="tiers_age_pcn")
    assert len(unit.options) == 15 and unit.value == "U12199"  # the first PCN by name
    unit.set_value("U96198").run()
    assert any("Redditch & Bromsgrove Kingfisher PCN" in title for title in charts(at))


# --------------------------------------------------------------------------- page and slide


def _values(values) -> list:
    """A plotly JSON array, plain or typed (``{"dtype", "bdata"}``), as a list."""
    if isinstance(values, dict):
        raw = base64.b64decode(values["bdata"])
        return np.frombuffer(raw, dtype=np.dtype(values["dtype"])).tolist()
    return list(values or [])


def _traces(figure: dict, axis: str = "x") -> list[tuple]:
    """Name, categories, values and labels of the bar traces on one x axis."""
    return [
        (
            trace.get("name"),
            _values(trace.get("y")),
            [float(v) for v in _values(trace.get("x"))],
            _values(trace.get("text")),
        )
        for trace in figure["data"]
        if trace.get("xaxis", "x") == axis
    ]


def test_page_and_slide_draw_the_same_figures():
    """The slide is the page's own figures side by side: one definition of each chart."""
    slide = slides.tiers_slide(layers.load_system("QGH", vintage="2022"))
    slide_figure = json.loads(slide.figure.to_json())
    at = run_page(PAGE, "QGH", vintage="2022")
    page = charts(at)[
        "Units against their band: Herefordshire and Worcestershire (real configuration)"
    ]
    assert _traces(page) == _traces(slide_figure, "x")
    # The counts on the bars are the summary table's.
    summary = summary_table(at)
    below = dict(zip(_traces(page)[0][1], _traces(page)[0][3], strict=True))
    assert below["PCNs<br>(30k–50k)"] == summary.loc["PCNs", "Below band"]
    at = run_page(PAGE, "QGH", view=RISK_TAB, tiers_risk_layer="Places", vintage="2022")
    people = next(spec for title, spec in charts(at).items() if title.startswith("People at"))
    assert _traces(people) == _traces(slide_figure, "x2")
    # ... and the rounded counts are the risk table's (the one risk stream).
    table = frame(at, "Places").set_index("Places")
    high = dict(zip(_traces(people)[1][1], _traces(people)[1][3], strict=True))
    assert high == table["High"].to_dict()
    assert tier_figures.people_at_risk.__module__ == tier_figures.band_counts.__module__


@pytest.mark.parametrize("tab", [LAYERS_TAB, UNITS_TAB, AGE_TAB, RISK_TAB])
def test_every_tab_offers_downloads(tab):
    at = open_link("QGH", view=tab)
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    charts_, frames = len(at.get("plotly_chart")), len(at.dataframe)
    assert charts_ >= 1
    assert labels.count("PNG") == labels.count("SVG") == charts_
    assert labels.count("CSV") == labels.count("XLSX") >= max(frames, 1)


def test_a_place_with_no_practice_is_not_flagged_undersized_and_says_why():
    """Isles of Scilly, district places: no practice placed there, its own status (#18)."""
    at = open_link("QT6", places="ltla", view=UNITS_TAB, tiers_flag_layers="Places")
    assert_clean(at)
    units = frame(at, "Layer", having="Part of").set_index("Unit")
    scilly = units.loc["Isles of Scilly"]
    assert scilly["Flag"] == tier_figures.NO_PRACTICE_MARK
    assert "Below" not in scilly["Flag"] and pd.isna(scilly["Patients beyond band"])
    assert "residents registered in neighbouring places" in scilly["Note"]
    # The practice the map draws on Scilly is named where the table counts it.
    assert "St Mary's Health Centre (L82017) stands here on the map" in scilly["Note"]
    assert any(
        "St Mary's Health Centre stands in Isles of Scilly and counts in Cornwall" in c.value
        for c in at.caption
    ), [c.value for c in at.caption]
    # The headline count of units outside their band leaves it out.
    at = open_link("QT6", places="ltla", view=LAYERS_TAB)
    flags = tiers.flag_units(tiers.tier_tables(layers.load_system("QT6", "ltla", vintage="2022")))
    outside = int(flags["flag"].isin(["below", "above"]).sum())
    assert metric(at, "Units outside their band").startswith(f"{outside} of ")


def test_the_overview_says_why_scilly_has_no_patients():
    """The places table shows 0 patients for Scilly; a note beside it says why (#18)."""
    at = run_page("overview.py", "QT6", places="ltla")
    assert_clean(at)
    notes = [c.value for c in at.caption if "Isles of Scilly" in c.value]
    assert len(notes) == 1, [c.value for c in at.caption]
    assert "residents registered in neighbouring places" in notes[0]
    assert "St Mary's Health Centre (L82017) stands here on the map" in notes[0].replace("\\", "")
