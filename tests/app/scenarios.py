"""Helpers for the scenario library's AppTests: pages on a database of the test's own."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.app.apptest import APP


def open_page(page: str, database: str, ics: str | None = "QGH", **params: str) -> AppTest:
    """Open ``page`` straight from a link (as a browser does) on the library ``database``.

    The database URL reaches the app as the ``database_url`` secret, as in a deployment.
    """
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["database_url"] = database
    if ics is not None:
        at.query_params["ics"] = ics
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"views/{page}")
    return at.run()


def save_new(at: AppTest, key: str, name: str, description: str = "") -> AppTest:
    """Type a name (and description) in a page's save section and save a new scenario."""
    at.text_input(key=f"scenario_save_{key}_name").input(name)
    if description:
        at.text_area(key=f"scenario_save_{key}_text").input(description)
    return at.button(key=f"scenario_save_{key}_new").click().run()


def opened(at: AppTest):
    """The scenario open in the session (None if none)."""
    return at.session_state["scenario_open"] if "scenario_open" in at.session_state else None


def banner(at: AppTest) -> str | None:
    """The "Scenario open" banner's text, if shown."""
    found = [shown(i.value) for i in at.info if i.value.startswith("**Scenario open")]
    return found[0] if found else None


def shown(markdown: str) -> str:
    """Markdown as read on screen: escaped punctuation (see ``scaffold.plain``) unescaped,
    and the invisible word joiners that keep URLs from becoming links left out."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def texts(elements) -> list[str]:
    """The text of a list of message elements, as read on screen."""
    return [shown(element.value) for element in elements]


def merge_two_pcns(at: AppTest, name: str = "Joined PCN") -> tuple[str, str]:
    """Apply one what-if on the tiers page: merge the first two PCNs offered."""
    at.radio(key="tiers_op_kind").set_value("merge_pcns").run()
    kept = at.selectbox(key="tiers_op_kept").value
    absorbed = at.selectbox(key="tiers_op_absorbed").value
    at.text_input(key="tiers_op_name").input(name).run()
    at.button(key="tiers_apply").click().run()
    return kept, absorbed


def metric(at: AppTest, label: str) -> str:
    """A metric's value by its label."""
    return {m.label: m.value for m in at.metric}[label]
