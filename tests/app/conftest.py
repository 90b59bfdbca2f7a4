"""The AppTest tier: every page run in-process by Streamlit's testing harness.

Helpers to open a page live in :mod:`tests.app.apptest`; pages are listed from the
router's own ``PAGE_SPECS``, so a page file that goes missing fails here.
"""
