"""Run a dashboard page under Streamlit's AppTest, as the router routes it, and read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def open_home(timeout: float = 120, **params: str) -> AppTest:
    """Open the dashboard at ``/`` with these query parameters, as a bare link does.

    Parameters
    ----------
    timeout : float
        AppTest's time limit for each script run, in seconds.
    **params : str
        Query parameters of the link (``ics``, ``vintage``, …); none opens the defaults.

    Returns
    -------
    AppTest
        The session after its first run (the Home page, which redirects to the overview).
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def choose(at: AppTest, widget: str, key: str, value: Any) -> AppTest:
    """Set a widget as a user does, rerun the page and check it ran cleanly.

    Parameters
    ----------
    at : AppTest
        The session.
    widget : str
        AppTest's name for the kind of widget: ``"radio"``, ``"selectbox"``, ``"slider"``, ….
    key : str
        The widget's key.
    value : Any
        The value to set.

    Returns
    -------
    AppTest
        The same session, after the rerun.
    """
    getattr(at, widget)(key=key).set_value(value).run()
    assert_clean(at)
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """The page's metrics, label to shown value.

    Parameters
    ----------
    at : AppTest
        The session.

    Returns
    -------
    dict[str, str]
        For example ``{"PCNs": "15", "Places": "2"}``.
    """
    return {m.label: m.value for m in at.metric}
