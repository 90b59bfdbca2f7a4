"""The AppTest tier: every page run in-process by Streamlit's testing harness.

Helpers to open a page live in :mod:`tests.app.apptest`; pages are listed from the
router's own ``PAGE_SPECS``, so a page file that goes missing fails here.
"""

import functools

from streamlit.components.v2 import manifest_scanner

# Each AppTest scans every installed distribution for component manifests on its first
# run (about 1.3 s of metadata parsing, the bulk of a small page test). What is installed
# does not change during a test session, so one scan per process serves them all.
manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests
)
