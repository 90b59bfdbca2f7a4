"""Accessibility: axe-core, injected by Playwright, finds no serious or critical problem.

axe-core comes from the npm registry, pinned in ``tests/a11y/package.json`` and
installed with ``npm ci --prefix tests/a11y``. Outside CI the tests are skipped when it
(or Chromium) is missing; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import pytest

from dashboard.page_specs import PAGE_SPECS, PAGES_DIR
from tests.browser_harness import (
    wait_for_script,
)
from tests.conftest import ARTIFACTS, IN_CI, REPO_ROOT

AXE = REPO_ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

if not AXE.exists():
    if IN_CI:
        raise RuntimeError("CI=true but axe-core is missing: run `npm ci --prefix tests/a11y`")
    pytest.skip("axe-core is missing (npm ci --prefix tests/a11y)", allow_module_level=True)


#: Every routed page, then presentation mode on two slides (a chart and the map).
URLS = [
    f"/{url_path}?vintage=2022&ics=QGH"
    for file, _t, _i, url_path in PAGE_SPECS
    if (PAGES_DIR / file).exists()
] + ["/tiers?vintage=2022&ics=QGH&present=1", "/overview?vintage=2022&ics=QRV&present=1&slide=map"]

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 140)),
  }));
}"""


@pytest.mark.parametrize("path", URLS)
def test_no_serious_or_critical_violations(server, browser, path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{server}{path}")
        page.wait_for_selector("h1", timeout=90_000)
        wait_for_script(page, 120_000)
        # The sidebar is drawn after the page: judge it once its picker is there (a
        # half-drawn sidebar is a scroll region with nothing focusable in it yet).
        page.wait_for_selector(
            '[data-testid="stSidebarContent"] [data-testid="stSelectbox"]',
            state="attached",  # presentation mode hides the sidebar
            timeout=60_000,
        )
        page.wait_for_timeout(1500)  # let charts and tables paint
        assert page.locator("text=Sorry, the").count() == 0, f"{path} failed to draw"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        report = "\n".join(
            f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
            for v in blocking
        )
        if blocking:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = path.strip("/").replace("?", "_").replace("&", "_").replace("=", "-")
            page.screenshot(path=ARTIFACTS / f"a11y_{name}.png", full_page=True)
        assert not blocking, f"axe-core on {path}:\n{report}"
    finally:
        context.close()


def test_axe_is_the_pinned_version():
    text = AXE.read_text(encoding="utf-8")[:400]
    assert "axe v4.14.1" in text
