"""The AppTest tier: every page run in-process by Streamlit's testing harness.

Helpers to open a page live in :mod:`tests.app.apptest`; pages are listed from the
router's own ``PAGE_SPECS``, so a page file that goes missing fails here.
"""

import functools

import pytest
from streamlit.components.v2 import manifest_scanner


@pytest.fixture(scope="session", autouse=True)
def _scan_component_manifests_once():
    """Scan the installed packages for Streamlit components once per test process.

    Every ``AppTest`` makes its own component manager, which reads the metadata of every
    installed distribution (about half a second, most of the cost of a page run once the
    data is cached). The installed packages cannot change during a test run, so the
    first scan's answer is the answer; each caller gets its own copy of the list.
    """
    original = manifest_scanner.scan_component_manifests
    first = functools.cache(original)

    def scan(*args, **kwargs):
        return list(first(*args, **kwargs))

    manifest_scanner.scan_component_manifests = scan
    yield
    manifest_scanner.scan_component_manifests = original
