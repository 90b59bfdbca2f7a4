"""Presentation mode under AppTest: it opens on the page's slide, moves on, and uses
the allocation scenario of this ICS only."""

from __future__ import annotations

from layers import slides
from layers.allocation import Scenario, default_catalogue
from tests.app.apptest import APP, assert_clean, run_page

# --------------------------------------------------------------------------- presentation


def _present(page: str, ics: str, **params):
    params.setdefault("vintage", "2022")
    return run_page(page, ics, present="1", **params)


def test_presentation_opens_on_the_page_slide_and_moves_on():
    at = _present("tiers.py", "QGH")
    assert_clean(at)
    assert at.title[0].value == "Population tiers: unit sizes and people at risk"
    assert at.button(key="slide_next").label == "Next: Service allocation"
    at.button(key="slide_next").click().run()
    assert at.query_params["slide"] == "allocation"
    assert at.query_params["present"] == "1" and at.query_params["ics"] == "QGH"
    assert at.title[0].value.startswith("Sharing the budget")
    at.button(key="slide_exit").click().run()
    assert "present" not in at.query_params and "slide" not in at.query_params


def test_presentation_warns_about_an_unknown_slide():
    at = _present("boundaries.py", "QWU", slide="nope")
    assert any(
        "the slide “nope”, which this page cannot show. Showing the alignment slide" in w.value
        for w in at.warning
    ), [w.value for w in at.warning]
    assert at.title[0].value == "How PCNs fit council boundaries"


def test_presentation_uses_the_allocation_scenario_of_this_ics_only():
    from streamlit.testing.v1 import AppTest

    text = Scenario("Committee option B", 2_000_000_000, default_catalogue()).to_json()
    for made_for, expected in (("QGH", "Committee option B"), ("QRV", None)):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["allocation_scenario"] = text
        at.session_state["allocation_scenario_ics"] = made_for
        at.query_params.update({"ics": "QGH", "present": "1", "slide": "allocation"})
        at.run()
        assert not at.exception
        expected = expected or slides.DEFAULT_SCENARIO_NAME
        assert at.title[0].value == f"Sharing the budget: {expected}"
        assert any(f"Scenario: {expected}" in m.value for m in at.markdown)
