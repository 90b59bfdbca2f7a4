"""The Inequality page under Streamlit's AppTest: widgets, URL state and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.allocation import Scenario, default_catalogue
from layers.indicators import scenario_reference, scenario_text
from tests.app.apptest import assert_clean, metrics, run_page

PAGE = "inequality.py"


def by_label(widgets, label):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}; have {[w.label for w in widgets]}"
    return found[0]


def table_with(at, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


@pytest.fixture(scope="module")
def default_view():
    return run_page(PAGE, "QGH", vintage="2022")


def test_default_view_sets_the_url_and_draws_everything(default_view):
    at = default_view
    assert_clean(at)
    assert at.query_params["indicator"] == "aged_65_plus"
    assert at.query_params["unit"] == "ics"
    assert at.query_params["measure"] == "sii"
    assert len(at.get("plotly_chart")) == 3  # profile, Core20 map, decile chart
    shown = metrics(at)
    assert shown["Residents (ONS mid-2020)"] == "791,685"
    assert float(shown["SII (percentage points)"]) > 0  # older people in less deprived areas
    for label in ("RII", "Concentration index", "Gini coefficient"):
        assert shown[label] != "n/a"
    # every figure and table has its download buttons
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("PNG") == labels.count("SVG") == 3
    assert labels.count("CSV") == labels.count("XLSX") >= 5  # Core20 tabs: only the open one


def test_ranking_is_most_unequal_first(default_view):
    ranking = table_with(default_view, "Rank")
    sii = ranking["SII (percentage points)"].dropna()
    assert len(sii) >= 2 and (sii.abs().diff().dropna() <= 1e-9).all()
    assert set(ranking["Level"]) == {"Place", "PCN"}


def test_choosing_an_indicator_updates_the_url_and_the_units():
    at = run_page(PAGE, "QGH", vintage="2022")
    by_label(at.selectbox, "Indicator").set_value("gp_distance").run()
    assert_clean(at)
    assert at.query_params["indicator"] == "gp_distance"
    assert "SII (km)" in metrics(at)
    assert any("road distance to a GP surgery" in c.value for c in at.caption)


def test_unit_from_a_link_and_switching_level():
    at = run_page(
        PAGE, "QGH", unit="place:place-worcestershire", indicator="aged_0_15", vintage="2022"
    )
    assert_clean(at)
    assert by_label(at.radio, "Summarise for").value == "place"
    assert by_label(at.selectbox, "Place").value == "place-worcestershire"
    assert any("Worcestershire:" in c.value for c in at.caption)
    worcestershire_sii = metrics(at)["SII (percentage points)"]

    by_label(at.radio, "Summarise for").set_value("pcn").run()
    assert_clean(at)
    unit = at.query_params["unit"]
    assert unit.startswith("pcn:U")
    assert metrics(at)["SII (percentage points)"] != worcestershire_sii


def test_bad_links_are_explained_and_fall_back():
    at = run_page(PAGE, "QGH", indicator="nope", unit="pcn:XYZ", measure="theil", vintage="2022")
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "the indicator “nope”" in warnings
    assert "Showing Population aged 65 and over instead" in warnings
    assert "the unit “pcn\\:XYZ”" in warnings
    assert "the measure “theil”" in warnings
    assert at.query_params["indicator"] == "aged_65_plus"
    assert at.query_params["unit"] == "ics"
    assert at.query_params["measure"] == "sii"


def test_switching_ics_resets_the_unit_quietly():
    at = run_page(PAGE, "QGH", unit="place:place-herefordshire", vintage="2022")
    assert_clean(at)
    at.selectbox(key="ics").set_value("QWU").run()
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.query_params["unit"] == "ics"


def test_measure_switch_ranks_by_the_concentration_index():
    at = run_page(PAGE, "QGH", indicator="list_size", vintage="2022")
    assert_clean(at)
    assert any("have no SII" in i.value for i in at.info)  # PCNs span too few deciles
    by_label(at.radio, "Rank places and PCNs by").set_value("ci").run()
    assert_clean(at)
    assert at.query_params["measure"] == "ci"
    ranking = table_with(at, "Rank")
    assert ranking["Rank"].notna().sum() > ranking["SII (patients)"].notna().sum()
    ci = ranking.loc[ranking["Rank"].notna(), "Concentration index"]
    assert (ci.abs().diff().dropna() <= 1e-3).all()


def test_modelled_at_risk_counts_are_disclosure_controlled():
    at = run_page(PAGE, "QGH", indicator="at_risk", vintage="2022")
    assert_clean(at)
    assert any("Modelled, not observed" in i.value for i in at.info)
    table = table_with(at, "At risk (modelled)")
    for column in ("Registered patients (modelled)", "At risk (modelled)"):
        for value in table[column]:
            assert value == "*" or (int(value) == 0 or int(value) % 5 == 0), value
    assert "Lower 95% CL" not in table.columns
    assert float(metrics(at)["SII (percentage points)"]) < 0  # risk rises with deprivation


def test_pounds_per_head_without_a_scenario_uses_the_default():
    at = run_page(PAGE, "QGH", indicator="pounds_per_head", vintage="2022")
    assert_clean(at)
    assert any("No allocation scenario has been set" in i.value for i in at.info)
    assert float(metrics(at)["Gini coefficient"]) > 0


def test_pounds_per_head_follows_the_allocation_scenario():
    equal = Scenario("Same for all", 800_000_000, default_catalogue(), "equal_per_head")
    at = run_page(PAGE, "QGH", indicator="pounds_per_head", vintage="2022")
    at.session_state["allocation_scenario"] = equal.to_json()
    at.run()
    assert_clean(at)
    assert any("“Same for all”" in c.value for c in at.caption)
    # equal £ per head everywhere: no spread and no gradient (pennies apart at most)
    assert metrics(at)["Gini coefficient"] == "0.000"
    assert abs(float(metrics(at)["SII (£ per head)"])) < 0.1
    # The link names the scenario by reference, so a link always means one scenario.
    assert at.query_params["allocation"] == scenario_reference(scenario_text(equal))


def test_a_link_to_a_scenario_this_session_lacks_warns_and_uses_the_default():
    equal = Scenario("Same for all", 800_000_000, default_catalogue(), "equal_per_head")
    reference = scenario_reference(scenario_text(equal))
    default = run_page(PAGE, "QGH", indicator="pounds_per_head", vintage="2022")
    at = run_page(PAGE, "QGH", indicator="pounds_per_head", allocation=reference, vintage="2022")
    assert not at.exception and not at.error
    assert any(f"the allocation scenario “{reference}”" in w.value for w in at.warning)
    assert metrics(at)["Gini coefficient"] == metrics(default)["Gini coefficient"] != "0.000"
    # Once the session has that scenario, the same link shows its numbers.
    at.session_state["allocation_scenario"] = equal.to_json()
    at.query_params["allocation"] = reference
    at.run()
    assert_clean(at)
    assert metrics(at)["Gini coefficient"] == "0.000"


def test_an_unreadable_scenario_is_reported_and_the_default_used():
    at = run_page(PAGE, "QGH", indicator="pounds_per_head", vintage="2022")
    at.session_state["allocation_scenario"] = '{"format": "something else"}'
    at.run()
    assert not at.exception and not at.error
    assert any("could not be read" in w.value for w in at.warning)
    assert float(metrics(at)["Gini coefficient"]) > 0


def test_core20_map_level_switch():
    at = run_page(PAGE, "QRV", vintage="2022")
    assert_clean(at)
    by_label(at.radio, "Map the Core20 share by").set_value("place").run()
    assert_clean(at)
    assert at.query_params["map"] == "place"
    places = table_with(at, "Core20 share of residents (%)")
    assert len(places) == 8  # North West London's eight boroughs


def test_core20_tables_and_map_level_from_a_link():
    at = run_page(PAGE, "QGH", core20="Practices", map="place", vintage="2022")
    assert_clean(at)
    practices = table_with(at, "Practice")
    assert practices["Core20 share of patients (%)"].is_monotonic_decreasing
    assert by_label(at.radio, "Map the Core20 share by").value == "place"
    bad = run_page(PAGE, "QGH", core20="Wards", map="ward", vintage="2022")
    warnings = " ".join(w.value for w in bad.warning)
    assert "the tab “Wards”" in warnings and "the map level “ward”" in warnings
    assert by_label(bad.radio, "Map the Core20 share by").value == "pcn"


def test_core20_share_is_the_one_definition(default_view):
    """The page's Core20 share is layers.deprivation.is_core20 over the ICS's residents."""
    import layers
    from layers import format as fmt
    from layers.deprivation import is_core20

    lsoas = layers.load_system("QGH", vintage="2022").lsoas
    share = (
        lsoas.loc[is_core20(lsoas["imd_decile"]), "population"].sum() / lsoas["population"].sum()
    )
    assert metrics(default_view)["Residents in Core20 (national deciles 1–2)"] == fmt.share(share)


def test_tables_format_counts_and_keep_limits_at_the_values_decimals(default_view):
    """193615 reads 193,615; a confidence limit has as many decimals as its value."""
    import json

    def formats(column: str) -> dict[str, str]:
        element = next(d for d in default_view.dataframe if column in d.value.columns)
        config = json.loads(element.proto.columns)
        return {c: v["type_config"]["format"] for c, v in config.items() if "type_config" in v}

    places = formats("Core20 share of residents (%)")
    assert places["Residents (mid-2020)"] == places["Residents in deciles 1–2"] == "localized"
    ranking = formats("Rank")
    assert ranking["Population"] == "localized"
    sii = ranking["SII (percentage points)"]
    assert sii == ranking["SII lower 95% CL"] == ranking["SII upper 95% CL"] == "%,.2f"
    deciles = formats("Lower 95% CL")
    assert deciles["Population"] == "localized"
    assert deciles["Residents aged 65+ (%)"] == deciles["Lower 95% CL"] == deciles["Upper 95% CL"]
