"""Service allocation page under AppTest: catalogue edits, methods, scenarios, uploads, URL.

The expected numbers come from the library (run independently here on the same practice
frame), never from the page itself.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.sections.allocation.common import TABS
from layers import format as fmt
from layers import load_system, read_table, slides
from layers.allocation import (
    Scenario,
    allocation_summary,
    default_catalogue,
    illustrative_budget,
    practice_frame,
    practice_funding,
)
from layers.figures import allocation as figures
from layers.uploads import validate_budgets
from tests.app.apptest import assert_clean, run_page

PAGE = "allocation.py"


def practice_frame_2022(ics: str) -> pd.DataFrame:
    """The library's practice frame for ``ics`` in the July 2022 vintage."""
    return practice_frame(
        load_system(ics, vintage="2022"),
        read_table("weighted_populations", vintage="2022"),
        read_table("lsoas", vintage="2022"),
    )


@pytest.fixture(scope="module")
def qrv_frame() -> pd.DataFrame:
    return practice_frame_2022("QRV")


def scenario_of(at) -> Scenario:
    return Scenario.from_json(at.session_state["allocation_scenario"])


def table_with(at, *columns: str) -> pd.DataFrame:
    """The first read-only table that has all these columns."""
    for frame in at.dataframe:
        if frame.editing_mode != "read_only":
            continue
        value = frame.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def upload(at, key: str, name: str, content: bytes, mime: str = "application/json"):
    at.file_uploader(key=key).set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_default_scenario_and_budget_label(qrv_frame):
    at = run_page(PAGE, "QRV", vintage="2022")
    assert_clean(at)
    scenario = scenario_of(at)
    assert scenario.method == "weighted_capitation"
    assert float(scenario.budget) == illustrative_budget(qrv_frame)
    assert at.session_state["allocation_scenario_ics"] == "QRV"
    budget = at.text_input(key="alloc_budget_QRV")
    assert "your input, not a published allocation" in budget.label
    assert "your input" in at.metric[0].label
    places = table_with(at, "Place", "£ per head")
    expected = allocation_summary(scenario.run(qrv_frame), qrv_frame, "place")
    assert len(places) == 8
    assert places["£"].sum() == pytest.approx(float(scenario.budget), abs=0.01)
    assert sorted(places["£"].round(2)) == sorted(expected["pounds"].round(2))
    assert at.query_params["method"] == "weighted_capitation"
    assert len(at.get("plotly_chart")) == 2  # tier chart and map


def test_editing_the_catalogue_reallocates(qrv_frame):
    at = run_page(PAGE, "QRV", vintage="2022")
    before = table_with(at, "Place", "£ per head").set_index("Code")["£"]
    assert any("ICS 83% · Place 0% · PCN 2% · Practice 15%" in c.value for c in at.caption)
    # 10 points of acute care (ICS) move to general practice contracts (practices).
    edits = {0: {"share_percent": 46.0}, 6: {"share_percent": 17.0}}
    at.session_state["alloc_editor_0"] = {
        "edited_rows": edits,
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    scenario = scenario_of(at)
    shares = scenario.catalogue["share_percent"].tolist()
    assert (shares[0], shares[6]) == (46.0, 17.0)
    after = table_with(at, "Place", "£ per head").set_index("Code")["£"]
    expected = allocation_summary(scenario.run(qrv_frame), qrv_frame, "place")
    assert (
        after.sort_index().round(2).tolist()
        == expected.set_index("place_code")["pounds"].sort_index().round(2).tolist()
    )
    assert not after.sort_index().equals(before.sort_index())
    assert any("ICS 73% · Place 0% · PCN 2% · Practice 25%" in c.value for c in at.caption)
    # A new row that keeps the total at 100% is taken in.
    at.session_state["alloc_editor_0"] = {
        "edited_rows": edits,
        "added_rows": [
            {
                "service": "Community pharmacy",
                "tier": "pcn",
                "component": "prescribing",
                "share_percent": 0.0,
            }
        ],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    assert "Community pharmacy" in scenario_of(at).catalogue["service"].tolist()


def test_bad_catalogue_edit_says_why_and_changes_nothing():
    at = run_page(PAGE, "QRV", vintage="2022")
    before = at.session_state["allocation_scenario"]
    places = table_with(at, "Place", "£ per head")
    at.session_state["alloc_editor_0"] = {
        "edited_rows": {0: {"share_percent": 46.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("catalogue shares sum to 90%, expected 100%" in e for e in errors(at))
    assert any("last scenario that worked" in e for e in errors(at))
    assert at.session_state["allocation_scenario"] == before
    assert table_with(at, "Place", "£ per head").equals(places)


def test_switching_method_shows_gains_and_losses(qrv_frame):
    at = run_page(PAGE, "QRV", vintage="2022")
    at.selectbox(key="alloc_method").set_value("inequality_zero_sum").run()
    assert_clean(at)
    assert at.query_params["method"] == "inequality_zero_sum"
    assert at.query_params["share"] == "5"
    scenario = scenario_of(at)
    assert scenario.parameters["share_percent"] == 5.0
    gains = table_with(at, "Outcome", "Change £")
    assert gains["Change £"].sum() == pytest.approx(0, abs=0.005)  # zero-sum to the penny
    assert set(gains["Outcome"]) == {"gains", "loses"}
    at.slider(key="alloc_share").set_value(10.0).run()
    assert_clean(at)
    assert at.query_params["share"] == "10"
    assert scenario_of(at).parameters["share_percent"] == 10.0
    # Beyond what this ICS can move zero-sum: the library's limit is quoted, nothing moves.
    at.slider(key="alloc_share").set_value(48.0).run()
    assert any("the largest feasible share is 44.71%" in e for e in errors(at))
    assert scenario_of(at).parameters["share_percent"] == 10.0
    at.selectbox(key="alloc_method").set_value("inequality_level_up").run()
    assert_clean(at)
    funding = practice_funding(qrv_frame, at.session_state["allocation_scenario"])
    assert funding["pounds"].sum() == pytest.approx(float(scenario.budget), abs=0.005)


def test_bad_budget_keeps_the_last_one():
    at = run_page(PAGE, "QRV", vintage="2022")
    before = scenario_of(at).budget
    at.text_input(key="alloc_budget_QRV").set_value("four billion").run()
    assert not at.exception
    assert any("Budget:" in e and "four billion" in e for e in errors(at))
    assert scenario_of(at).budget == before
    at.text_input(key="alloc_budget_QRV").set_value("£3,250,000,000.50").run()
    assert_clean(at)
    assert float(scenario_of(at).budget) == 3_250_000_000.50


def test_save_and_reload_a_scenario():
    at = run_page(PAGE, "QRV", vintage="2022")
    saved = json.loads(at.session_state["allocation_scenario"])
    saved.update(
        name="Level up 7.5%",
        method="inequality_level_up",
        budget=3_900_000_000,
        parameters={"share_percent": 7.5, "threshold": 0.3},
        catalogue=json.loads(
            Scenario("c", 1, default_catalogue("coventry_warwickshire")).to_json()
        )["catalogue"],
    )
    upload(at, "alloc_load", "level_up.json", json.dumps(saved).encode())
    assert_clean(at)
    assert any("Loaded scenario “Level up 7.5%”" in s.value for s in at.success)
    assert at.text_input(key="alloc_name").value == "Level up 7.5%"
    assert at.selectbox(key="alloc_method").value == "inequality_level_up"
    assert at.slider(key="alloc_share").value == 7.5
    assert at.number_input(key="alloc_threshold").value == 0.3
    assert at.text_input(key="alloc_budget_QRV").value == "3,900,000,000"
    assert scenario_of(at) == Scenario.from_dict(saved)
    assert len(scenario_of(at).catalogue) == 9
    # The saved JSON round-trips: what the page saves is what it loads.
    again = at.session_state["allocation_scenario"]
    upload(at, "alloc_load", "again.json", again.encode())
    assert at.session_state["allocation_scenario"] == again


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe\x00", "is not valid JSON"),
        (
            json.dumps({"format": "ics-allocation-scenario", "version": 2}).encode(),
            "scenario version 2 is not supported",
        ),
        (None, "cannot run for this ICS"),
    ],
)
def test_bad_scenario_file_changes_nothing(content, message):
    at = run_page(PAGE, "QRV", vintage="2022")
    before = at.session_state["allocation_scenario"]
    if content is None:  # valid JSON, but a deprivation column this ICS does not have
        data = json.loads(before)
        data.update(
            method="inequality_zero_sum",
            parameters={"share_percent": 5, "deprivation_column": "no_such_column"},
        )
        content = json.dumps(data).encode()
    upload(at, "alloc_load", "bad.json", content)
    assert any(message in e and "Nothing was changed" in e for e in errors(at)), errors(at)
    assert at.session_state["allocation_scenario"] == before
    assert at.selectbox(key="alloc_method").value == "weighted_capitation"


def test_link_opens_method_level_and_tab():
    at = run_page(
        PAGE,
        "QRV",
        method="inequality_level_up",
        share="7.5",
        level="pcn",
        view="Compare scenarios",
        vintage="2022",
    )
    assert_clean(at)
    assert at.selectbox(key="alloc_method").value == "inequality_level_up"
    assert at.slider(key="alloc_share").value == 7.5
    assert at.segmented_control(key="alloc_level").value == "pcn"
    side = table_with(at, "A", "B")
    assert side.set_index("")["B"]["Method"] == "Equal per head"
    by_pcn = table_with(at, "PCN", "A − B £")
    # Same budget, so the PCN units' differences net to zero; practices in no PCN show.
    assert by_pcn["A − B £"].sum() == pytest.approx(0, abs=0.01)
    assert by_pcn["PCN"].str.endswith("(practice in no PCN)").sum() == 8


def test_compare_a_kept_scenario_with_the_current_one():
    at = run_page(PAGE, "QRV", view="Compare scenarios", vintage="2022")
    keep = next(b for b in at.button if b.label == "Add this scenario to the list")
    keep.click().run()  # keep the weighted-capitation scenario
    assert_clean(at)
    kept = "library:NHS England weighted capitation"
    assert any("Added “NHS England weighted capitation”" in s.value for s in at.success)
    # Adding does not turn the comparison into the scenario against its own copy.
    assert at.selectbox(key="alloc_compare_a").value == "working"
    assert at.selectbox(key="alloc_compare_b").value == "builtin:equal_per_head"
    assert (table_with(at, "Place", "A − B £")["A − B £"] != 0).any()
    # Chosen while nothing has changed, the copy is said to be the same: no table of zeros.
    at.selectbox(key="alloc_compare_b").set_value(kept).run()
    assert_clean(at)
    assert any("share the money in exactly the same way" in i.value for i in at.info)
    with pytest.raises(AssertionError, match="no table"):
        table_with(at, "Place", "A − B £")
    at.selectbox(key="alloc_method").set_value("equal_per_head").run()
    assert_clean(at)
    assert at.selectbox(key="alloc_compare_b").value == kept
    by_place = table_with(at, "Place", "A − B £")
    assert (by_place["A − B £"] != 0).any()
    assert by_place["A − B £"].sum() == pytest.approx(0, abs=0.01)


def test_current_allocation_csv(qrv_frame):
    at = run_page(PAGE, "QRV", view="Distance from target", level="pcn", vintage="2022")
    assert any("equal per head" in c.value for c in at.caption)
    places = sorted(qrv_frame["place_code"].unique())
    csv = "place_code,pounds\n" + "".join(f'{p},"£500,000,000"\n' for p in places)
    upload(at, "alloc_current_upload", "current.csv", csv.encode(), "text/csv")
    assert_clean(at)
    assert any("current.csv" in i.value for i in at.info)
    distance = table_with(at, "Place", "Distance from target %")
    assert distance["Current £"].tolist() == [500_000_000.0] * len(places)
    assert any("so distances are shown by place" in i.value for i in at.info)  # level: PCN
    bad = "place_code,pounds\nplace-brent,ten\nnowhere,5\n"
    upload(at, "alloc_current_upload", "bad.csv", bad.encode(), "text/csv")
    problems = errors(at)
    assert any("row 2: pounds 'ten' is not a number" in e for e in problems), problems
    assert any("row 3: place_code 'nowhere' is not a place of this ICS" in e for e in problems)
    assert table_with(at, "Place", "Distance from target %")["Current £"].tolist() == [
        500_000_000.0
    ] * len(places)


@pytest.mark.parametrize(
    ("ics", "n_ccgs", "example"),
    [("QRV", 8, "NHS Brent CCG"), ("QWU", 3, "NHS Warwickshire North CCG")],
)
def test_former_ccgs(ics, n_ccgs, example):
    at = run_page(PAGE, ics, view="Former CCGs", vintage="2022")
    assert_clean(at)
    table = table_with(at, "Former CCG", "Unified £ per head")
    assert len(table) == n_ccgs
    assert example in table["Former CCG"].tolist()
    assert table["Unified £"].sum() == pytest.approx(float(scenario_of(at).budget), abs=0.01)


def test_settings_survive_a_page_switch():
    at = run_page(PAGE, "QRV", vintage="2022")
    at.session_state["alloc_editor_0"] = {
        "edited_rows": {0: {"share_percent": 46.0}, 1: {"share_percent": 15.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.selectbox(key="alloc_method").set_value("inequality_zero_sum").run()
    at.text_input(key="alloc_name").set_value("Kept across pages").run()
    before = at.session_state["allocation_scenario"]
    at.switch_page("views/overview.py").run()
    at.switch_page("views/allocation.py").run()
    assert_clean(at)
    assert at.session_state["allocation_scenario"] == before
    assert at.text_input(key="alloc_name").value == "Kept across pages"
    assert any(c.value.startswith("Catalogue:") and "(edited)" in c.value for c in at.caption)


def test_shipped_catalogue_from_link():
    at = run_page(PAGE, "QWU", catalogue="coventry_warwickshire", vintage="2022")
    assert_clean(at)
    assert at.selectbox(key="alloc_preset").value == "coventry_warwickshire"
    assert scenario_of(at).catalogue.equals(
        Scenario("x", 1, default_catalogue("coventry_warwickshire")).catalogue
    )
    assert any("ICS 20% · Place 63%" in c.value for c in at.caption)
    assert at.query_params["catalogue"] == "coventry_warwickshire"
    at.session_state["alloc_editor_0"] = {
        "edited_rows": {0: {"share_percent": 19.0}, 1: {"share_percent": 37.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    assert "catalogue" not in at.query_params  # an edited catalogue is not a preset


# --------------------------------------------------------------------------- issue 14


def _decoded(value):
    """plotly's JSON with its typed arrays (``{"dtype", "bdata"}``) made lists again."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return array.reshape(value["shape"]).tolist() if "shape" in value else array.tolist()
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def charts(at) -> dict[str, go.Figure]:
    """The page's plotly figures (decoded from what is sent to the browser), by title."""
    specs = [_decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]
    figures_ = [go.Figure(spec, skip_invalid=True) for spec in specs]
    return {figure.layout.title.text: figure for figure in figures_}


def read_only_tables(at) -> list[pd.DataFrame]:
    return [frame.value for frame in at.dataframe if frame.editing_mode == "read_only"]


@pytest.fixture(scope="module")
def qgh_frame() -> pd.DataFrame:
    return practice_frame_2022("QGH")


def test_every_input_is_in_the_link_and_the_link_reopens_the_same_numbers():
    at = run_page(PAGE, "QRV", view="Compare scenarios", vintage="2022")
    at.text_input(key="alloc_budget_QRV").set_value("3,250,000,000.50").run()
    at.selectbox(key="alloc_preset").set_value("coventry_warwickshire").run()
    at.selectbox(key="alloc_method").set_value("inequality_level_up").run()
    at.slider(key="alloc_share").set_value(7.5).run()
    at.radio(key="alloc_deprivation").set_value("imd_decile").run()
    at.number_input(key="alloc_threshold").set_value(0.35).run()
    at.segmented_control(key="alloc_level").set_value("pcn").run()
    at.selectbox(key="alloc_compare_b").set_value("builtin:weighted_capitation").run()
    assert_clean(at)
    link = {key: at.query_params[key] for key in at.query_params}
    assert link == {
        "ics": "QRV",
        "vintage": "2022",
        "view": "Compare scenarios",
        "budget": "3250000000.50",
        "method": "inequality_level_up",
        "share": "7.5",
        "deprivation": "imd_decile",
        "threshold": "0.35",
        "catalogue": "coventry_warwickshire",
        "level": "pcn",
        "compare_b": "weighted_capitation",
    }
    link.pop("ics")
    link.pop("vintage")
    again = run_page(PAGE, "QRV", vintage="2022", **link)
    assert_clean(again)
    assert again.session_state["allocation_scenario"] == at.session_state["allocation_scenario"]
    before, after = read_only_tables(at), read_only_tables(again)
    assert len(before) == 3  # side by side, differences by place and by PCN
    assert all(a.equals(b) for a, b in zip(before, after, strict=True))


def test_a_bad_link_value_is_named_and_the_default_shown(qrv_frame):
    bad = {
        "method": "lottery",
        "share": "80",
        "deprivation": "income",
        "threshold": "2",
        "budget": "lots",
        "catalogue": "atlantis",
        "level": "ward",
        "compare_b": "mine",
    }
    at = run_page(PAGE, "QRV", vintage="2022", **bad)
    assert not at.exception
    assert not at.error
    warnings = [w.value for w in at.warning]
    for value in bad.values():
        assert sum(f"“{value}”" in w for w in warnings) == 1, (value, warnings)
    scenario = scenario_of(at)
    assert scenario.method == "weighted_capitation"
    assert float(scenario.budget) == illustrative_budget(qrv_frame)
    assert scenario.catalogue.equals(Scenario("x", 1, default_catalogue("neutral")).catalogue)
    assert at.query_params["method"] == "weighted_capitation"
    assert at.query_params["budget"] == str(illustrative_budget(qrv_frame))
    assert at.query_params["catalogue"] == "neutral"
    assert at.query_params["level"] == "place"
    assert "share" not in at.query_params and "compare_b" not in at.query_params


@pytest.mark.parametrize(
    ("vintage", "ics", "year"), [("2022", "QGH", "2022/23"), ("2026", "E54000071", "2026/27")]
)
def test_a_bad_population_in_a_link_names_the_vintage_s_population(vintage, ics, year):
    at = run_page(PAGE, ics, vintage=vintage, population="bogus")
    assert_clean(at)
    assert any(
        "“bogus”" in w.value and f"NHS England {year} registered population" in w.value
        for w in at.warning
    ), [w.value for w in at.warning]


def test_every_ics_starts_on_the_neutral_catalogue_shown_in_words():
    at = run_page(PAGE, "QGH", vintage="2022")
    assert_clean(at)
    preset = at.selectbox(key="alloc_preset")
    assert preset.value == "neutral"
    assert preset.options[0].startswith("Neutral")
    assert all(option.startswith("Preset from") for option in preset.options[1:])
    assert at.query_params["catalogue"] == "neutral"
    assert not any("NW London" in c.value for c in at.caption if c.value.startswith("Catalogue"))
    # The editor keeps codes underneath but shows names for tiers and components.
    editor = next(d for d in at.dataframe if d.editing_mode != "read_only")
    columns = json.loads(editor.proto.columns)
    tier_options = columns["tier"]["type_config"]["options"]
    assert {"value": "ics", "label": "ICS"} in tier_options
    component_options = columns["component"]["type_config"]["options"]
    assert {"value": "general_acute", "label": "General & acute"} in component_options


def test_headline_money_reads_one_way_and_the_spread_shows_the_difference(qgh_frame):
    at = run_page(PAGE, "QGH", vintage="2022")
    assert_clean(at)
    scenario = scenario_of(at)
    metrics = {m.label: m.value for m in at.metric}
    budget = metrics["ICS budget (your input)"]
    assert budget == fmt.compact_pounds(float(scenario.budget))
    assert budget.endswith("bn") and " " not in budget
    places = allocation_summary(scenario.run(qgh_frame), qgh_frame, "place")
    gap = places["pounds_per_head"].max() - places["pounds_per_head"].min()
    assert gap > 30  # Herefordshire and Worcestershire differ by about £37 per head
    assert metrics["Spread across places (£ per head)"] == fmt.per_head(gap)


def test_map_is_centred_on_the_ics_average(qgh_frame):
    at = run_page(PAGE, "QGH", vintage="2022")
    scenario = scenario_of(at)
    figure = next(f for t, f in charts(at).items() if t.endswith("£ per head by place"))
    trace = figure.data[0]
    centre = float(scenario.budget) / qgh_frame["wp_population"].sum()
    assert (trace.zmin + trace.zmax) / 2 == pytest.approx(centre)
    assert trace.zmax - centre >= 0.05 * centre - 1e-6
    # The two places, £37 apart, sit inside the scale, not at its two ends.
    assert len(trace.z) == 2 and max(trace.z) - min(trace.z) > 30
    for value in trace.z:
        assert trace.zmin < value < trace.zmax
        assert abs(value - centre) < 0.5 * (trace.zmax - centre)
    # The places are named on the map, so a printed copy can be read (#18).
    names = [t for t in figure.data if t.name == "Place names"]
    assert len(names) == 1 and sorted(names[0].text) == ["Herefordshire", "Worcestershire"]


def test_former_ccgs_2026_are_sub_icb_locations():
    # The 2026 vintage has no April 2021 CCG lookup: its units are the April 2024
    # sub-ICB locations, and the page says so instead of the 2022 wording.
    at = run_page(PAGE, "E54000071", view="Former CCGs", vintage="2026")
    assert_clean(at)
    table = table_with(at, "Sub-ICB location", "Unified £ per head")
    assert len(table) >= 2
    assert "NHS North West London ICB - W2U3Z" in table["Sub-ICB location"].tolist()
    assert table["Unified £"].sum() == pytest.approx(float(scenario_of(at).budget), abs=0.01)
    words = " ".join(m.value for m in at.markdown)
    assert "sub-ICB locations (April 2024)" in words
    assert "April 2021 LSOA → CCG" not in words


def test_former_ccg_axis_never_spans_noise():
    at = run_page(PAGE, "QRV", view="Former CCGs", method="equal_per_head", vintage="2022")
    assert_clean(at)
    figure = next(f for t, f in charts(at).items() if "by former CCG" in t)
    points = [*figure.data[0].x, *figure.data[1].x]
    assert max(points) - min(points) < 0.01  # equal per head against itself
    low, high = figure.layout.xaxis.range
    assert high - low >= 1.0
    assert low < min(points) and max(points) < high


def test_current_allocation_goes_through_the_validated_budgets_path(qrv_frame):
    at = run_page(PAGE, "QRV", view="Distance from target", vintage="2022")
    workbook = b"PK\x03\x04" + b"\x00" * 40
    upload(at, "alloc_current_upload", "budgets.xlsx.csv", workbook, "text/csv")
    assert any("an Excel workbook (.xlsx), not CSV text" in e for e in errors(at)), errors(at)
    places = sorted(qrv_frame["place_code"].unique())
    csv = ("place_code,pounds,notes\n" + "".join(f"{p},1000,x\n" for p in places)).encode()
    upload(at, "alloc_current_upload", "current.csv", csv, "text/csv")
    assert_clean(at)
    expected = validate_budgets(csv, qrv_frame, filename="current.csv")
    kept = at.session_state["alloc_current"]["totals"]
    assert kept.equals(expected.accepted.reset_index(drop=True))
    assert any("'notes' is not used" in s.value for s in at.success)  # the report's warning


def test_the_slide_draws_the_page_figure():
    at = run_page(PAGE, "QGH", vintage="2022")
    scenario_json = at.session_state["allocation_scenario"]
    page = next(f for t, f in charts(at).items() if t.endswith("by place and commissioning tier"))
    slide = slides.allocation_slide(load_system("QGH", vintage="2022"), scenario_json).figure

    def bars(figure: go.Figure) -> list[tuple]:
        return [
            (t.name, list(t.y), [round(x, 6) for x in t.x], list(t.text))
            for t in figure.data
            if t.type == "bar"
        ]

    assert bars(page) and bars(page) == bars(slide)
    assert figures.tier_bars.__module__ == "layers.figures.allocation"


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_offers_downloads_for_its_charts_and_tables(tab):
    # Only the open tab is drawn, so each tab is opened from the link in turn.
    # The three-year view is a 2026-vintage view (in 2022 it says so and shows nothing).
    ics, vintage = ("E54000070", "2026") if tab == "Three years" else ("QGH", "2022")
    at = run_page(PAGE, ics, view=tab, method="inequality_zero_sum", vintage=vintage)
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    charts_, tables = len(at.get("plotly_chart")), len(at.dataframe)
    assert tables >= 2  # the catalogue editor and at least one of the tab's tables
    assert labels.count("PNG") == labels.count("SVG") == charts_
    assert labels.count("CSV") == labels.count("XLSX") == tables
