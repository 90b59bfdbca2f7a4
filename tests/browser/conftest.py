"""The browser tier: one dashboard server and one Chromium per test session.

Every test gets a fresh browser context (``page``) that records JavaScript errors and
any request that leaves loopback; a test fails if either happened, so a page that
breaks in the browser can never pass silently. In CI (``CI=true``) Chromium must be
installed; on a developer machine without it the tier is skipped.
"""

from __future__ import annotations

import pytest

from tests.browser_harness import chromium_available, dashboard_server, launch_chromium
from tests.conftest import IN_CI

if not chromium_available():
    if IN_CI:
        raise RuntimeError("CI=true but Chromium/Playwright are missing: install them in .ci/run")
    collect_ignore_glob = ["test_*.py"]

#: The screen size every page is judged at unless a test asks for another.
DEFAULT_VIEWPORT = {"width": 1440, "height": 900}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "viewport(width, height): the browser window size for the page fixture"
    )
    config.addinivalue_line(
        "markers", "allow_page_errors: the test checks page errors itself (an error is expected)"
    )


@pytest.fixture(scope="session")
def server():
    """The dashboard on loopback, started once for the session (per xdist worker)."""
    with dashboard_server() as (url, _process):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, launched once for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def watch(page) -> None:
    """Record the page's JavaScript errors and every request that leaves loopback."""
    page.errors = []
    page.external = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "request",
        lambda r: (
            page.external.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))
            else None
        ),
    )


@pytest.fixture
def page(browser, request):
    """A fresh context and page; fails the test on a JavaScript error or an external fetch."""
    marker = request.node.get_closest_marker("viewport")
    viewport = {"width": marker.args[0], "height": marker.args[1]} if marker else DEFAULT_VIEWPORT
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    watch(page)
    yield page
    context.close()
    if request.node.get_closest_marker("allow_page_errors") is None:
        assert not page.errors, f"JavaScript errors: {page.errors[:3]}"
    assert not page.external, f"the page asked the internet for {page.external[:3]}"
