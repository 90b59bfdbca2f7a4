"""Docstring examples of the dashboard modules that have them (``dashboard/`` is outside
pytest's doctest paths, and these modules import Streamlit)."""

from __future__ import annotations

from tests.docstring_examples import docstring_examples_test

MODULES = [
    "dashboard.scaffold",
    "dashboard.sections.scenarios.documents",
    "dashboard.sections.mergers.whatif",
]

test_docstring_examples = docstring_examples_test(MODULES)
