"""Run a dashboard page under Streamlit's AppTest, as the router routes it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.page_specs import PAGE_SPECS
from dashboard.sections.allocation.common import TABS as ALLOCATION_TABS

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "router.py")
#: Every page the product promises (from the router's own list, not from the files that
#: happen to exist), so a deleted page fails its tests instead of dropping out of them.
PAGES = [spec[0] for spec in PAGE_SPECS]
#: Pages whose tabs are chosen in the link: (query parameter, tab labels in order).
TABBED = {
    "allocation.py": ("view", list(ALLOCATION_TABS)),
    "boundaries.py": (
        "section",
        ["Residence", "Overlap", "Area", "Flows", "Lineage", "Place cards"],
    ),
    "tiers.py": (
        "view",
        ["The five layers", "Units outside their band", "Age structure", "People at risk"],
    ),
    "inequality.py": ("core20", ["Places", "PCNs", "Practices"]),
}


def run_page(page: str, ics: str, **params: str) -> AppTest:
    """Open ``page`` (a file name in views/) for ``ics`` with extra query parameters.

    The link opens the overview at its own address (``/overview?ics=…``), then the page
    is chosen. Opening ``/`` would first run the router's Home page, which only
    redirects to the overview: same pages, one more script run (``test_app_pages`` and
    the browser tests open ``/`` itself).
    """
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = ics
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("views/overview.py")
    at.run()
    if page != "overview.py":
        at.switch_page(f"views/{page}")
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
