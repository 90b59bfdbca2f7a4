"""A test that runs the docstring examples of modules outside pytest's doctest paths.

``dashboard/`` is not among pytest's ``--doctest-modules`` paths (its modules import
Streamlit), so the test files that check its examples build their test here.
"""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Callable, Collection

import pytest


def docstring_examples_test(
    modules: list[str], with_examples: Collection[str] | None = None
) -> Callable[[str], None]:
    """Make a test, parametrized by module name, that runs each module's examples.

    Parameters
    ----------
    modules : list of str
        Dotted names of the modules whose docstring examples must all pass.
    with_examples : collection of str, optional
        The modules that must have at least one example (a module whose examples were
        deleted then fails); every module in ``modules`` when not given.

    Returns
    -------
    Callable[[str], None]
        The test; assign it to a ``test_…`` name in a test file for pytest to collect.
    """
    required = set(modules if with_examples is None else with_examples)

    @pytest.mark.parametrize("name", modules)
    def test_docstring_examples(name: str) -> None:
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        assert result.failed == 0, f"{result.failed} docstring examples of {name} fail"
        if name in required:
            assert result.attempted > 0, f"{name} has no docstring examples"

    return test_docstring_examples
