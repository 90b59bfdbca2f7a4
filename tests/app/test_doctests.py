"""Docstring examples of the dashboard modules that have them (``dashboard/`` is outside
pytest's doctest paths, and these modules import Streamlit)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "dashboard.scaffold",
    "dashboard.sections.scenarios.documents",
    "dashboard.sections.mergers.whatif",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0 and result.failed == 0
