"""The store's docstring examples run (``dashboard/`` is outside pytest's doctest paths)."""

from __future__ import annotations

from tests.docstring_examples import docstring_examples_test

MODULES = [
    "dashboard.store",
    "dashboard.store.database",
    "dashboard.store.document",
    "dashboard.store.errors",
    "dashboard.store.names",
    "dashboard.store.repository",
    "dashboard.store.schema",
]

#: The modules whose examples are part of their documentation: each must keep some.
WITH_EXAMPLES = ["dashboard.store.document", "dashboard.store.names", "dashboard.store.repository"]

test_docstring_examples = docstring_examples_test(MODULES, with_examples=WITH_EXAMPLES)
