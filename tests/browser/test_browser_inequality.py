"""The Inequality page in headless Debian Chromium (Playwright).

Screenshots go to tests/artifacts/. In CI (CI=true) these tests must run: a missing
browser is a failure there, not a skip.
"""

from __future__ import annotations

import pytest

from tests.browser_harness import wait_for_charts
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.viewport(1400, 6400)


TIMEOUT = 150_000  # ms; the machine's two cores are shared

#: Trace types, colour-bar title and x tick labels of every plotly figure on the page.
PLOTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  title: (gd._fullLayout.title && gd._fullLayout.title.text) || '',
  types: gd._fullData.map(t => t.type),
  names: gd._fullData.map(t => t.name),
  colorbar: gd._fullData[0].colorbar ? gd._fullData[0].colorbar.title.text : null,
  ticktext: (gd._fullLayout.xaxis && gd._fullLayout.xaxis.ticktext) || null,
  xtitle: gd._fullLayout.xaxis ? gd._fullLayout.xaxis.title.text : null,
  ytitle: gd._fullLayout.yaxis ? gd._fullLayout.yaxis.title.text : null,
}))"""


def open_page(page, server: str, query: str) -> None:
    page.goto(f"{server}/inequality?{query}")
    page.wait_for_selector("h1:has-text('Inequality')", timeout=TIMEOUT)
    wait_for_charts(page, TIMEOUT)


def test_page_draws_chart_map_and_tables_offline(server, page):
    open_page(page, server, "vintage=2022&ics=QGH")
    plots = page.evaluate(PLOTS_JS)
    assert len(plots) == 3, plots
    profile, core20, decile = plots
    assert profile["types"] == ["bar", "bar"]
    assert core20["types"] == ["choropleth", "scattergeo"]  # the places' names on top
    assert core20["colorbar"] == "% residents in national IMD deciles 1–2"
    assert decile["types"] == ["bar", "scatter"]  # bars and the fitted SII line
    assert decile["names"][1].startswith("SII line")
    assert decile["ticktext"][0] == "1 (most deprived)"
    assert decile["ticktext"][-1] == "10 (least)"
    assert "%" in decile["ytitle"] and "cumulative population" in decile["xtitle"]
    assert page.locator("text=Where are inequalities widest?").count() == 1
    assert page.locator("text=What the measures mean").count() == 1
    page.wait_for_timeout(1500)  # let the data grids paint before the screenshot
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "inequality_QGH.png")
    assert not page.errors
    assert page.external == [], f"the page asked the internet for {page.external[:3]}"


def test_choosing_an_indicator_with_the_keyboard_updates_the_link(server, page):
    open_page(page, server, "vintage=2022&ics=QGH")
    page.get_by_role("combobox", name="Indicator").click()
    page.keyboard.type("Road distance")
    page.keyboard.press("Enter")
    page.wait_for_url("**indicator=gp_distance*", timeout=TIMEOUT)
    page.wait_for_selector("text=SII (km)", timeout=TIMEOUT)
    wait_for_charts(page, TIMEOUT)
    decile = page.evaluate(PLOTS_JS)[2]
    assert decile["ytitle"] == "Mean road distance to a GP surgery (km)"
    assert not page.errors


def test_a_shared_link_reopens_the_same_view(server, page):
    open_page(
        page, server, "vintage=2022&ics=QWU&indicator=at_risk&unit=place:place-coventry&measure=ci"
    )
    page.wait_for_selector("text=Modelled, not observed", timeout=TIMEOUT)
    assert "Coventry" in page.evaluate(PLOTS_JS)[2]["title"]
    checked = page.locator("label:has(input[type=radio]:checked)").all_inner_texts()
    assert "Place" in checked and "Relative concentration index" in checked
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / "inequality_QWU_at_risk_Coventry.png")
    assert not page.errors


def test_ranking_table_downloads_as_csv(server, page, tmp_path):
    open_page(page, server, "vintage=2022&ics=QGH&indicator=aged_0_15")
    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator(".st-key-ineq_ranking_table_csv button:visible").first.click()
    path = tmp_path / "ranking.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Rank,Level,Code,Name")  # the table only: no comment lines
    assert any(",Place,place-worcestershire,Worcestershire," in line for line in lines)
