"""The store's docstring examples run (``dashboard/`` is outside pytest's doctest paths)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "dashboard.store",
    "dashboard.store.database",
    "dashboard.store.document",
    "dashboard.store.errors",
    "dashboard.store.names",
    "dashboard.store.repository",
    "dashboard.store.schema",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
    if name in ("dashboard.store.document", "dashboard.store.names", "dashboard.store.repository"):
        assert result.attempted > 0
