"""A page and a slide follow the one definition of Core20 when it changes.

``tests/unit/test_one_home.py`` shows there is one definition; here it is changed (to
decile 1 only) and both the inequality page's metric and the map slide's takeaway move
with it, so neither keeps a copy of its own.
"""

from __future__ import annotations

from layers import deprivation
from layers.slides import map_slide
from layers.system import load_system
from tests.app.apptest import assert_clean, run_page

LABEL = "Residents in Core20 (national deciles 1–2)"


def _page_share() -> str:
    at = run_page("inequality.py", "QGH", vintage="2022")
    assert_clean(at)
    return next(m.value for m in at.metric if m.label == LABEL)


def _slide_takeaway() -> str:
    return map_slide(load_system("QGH", detail="light", vintage="2022")).takeaway


def test_page_and_slide_follow_the_one_core20(monkeypatch):
    page, slide = _page_share(), _slide_takeaway()
    assert slide.startswith("55 of 480 neighbourhoods")
    monkeypatch.setattr(deprivation, "CORE20_DECILES", (1,))
    narrower_page, narrower_slide = _page_share(), _slide_takeaway()
    assert float(narrower_page.rstrip("%")) < float(page.rstrip("%"))
    assert int(narrower_slide.split(" of ")[0]) < 55
