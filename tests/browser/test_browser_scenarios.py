"""The scenario library in headless Chromium: two server processes, and real sign-in.

* Two dashboard server processes share one real PostgreSQL (the URL in the environment,
  as a deployment behind a load balancer would): a scenario saved in a browser on one
  opens by its link on the other with the same numbers, and exports as a file.
* Sign-in against a real OpenID Connect provider on loopback (``oidc-provider-mock``):
  two users see each other's shared scenarios but not their private ones, and neither
  can archive the other's. The server reads a temporary ``secrets.toml`` through
  ``--secrets.files``, so the repository's ``.streamlit/`` is never touched.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
import time
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser_harness import dashboard_server, free_port, wait_for_charts, wait_for_script

pytestmark = pytest.mark.viewport(1400, 2400)

#: The numbers a page shows: every metric's text and every chart's data arrays.
NUMBERS_JS = """() => ({
  metrics: [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(m => m.innerText),
  charts: [...document.querySelectorAll('.js-plotly-plot')].map(gd => JSON.stringify(
    gd.data.map(t => [t.name, t.x, t.y, t.z, t.text]))),
})"""


def open_save_section(page) -> None:
    page.get_by_text("Save as a scenario (the shared scenario library)").click()
    page.get_by_role("textbox", name="Name to save it under").wait_for(timeout=30_000)


def save_as_new(page, name: str, private: bool = False) -> str:
    """Save the page's what-if under ``name``; return the scenario id from the link."""
    open_save_section(page)
    page.get_by_role("textbox", name="Name to save it under").fill(name)
    page.keyboard.press("Tab")
    if private:
        page.get_by_text("Private: only you can see it").click()
    wait_for_script(page)
    page.get_by_role("button", name="Save as a new scenario").click()
    page.wait_for_selector(f"text=Saved “{name}” as version 1", timeout=60_000)
    page.wait_for_function("() => location.search.includes('scenario=')", timeout=30_000)
    return dict(p.split("=", 1) for p in urlsplit(page.url).query.split("&"))["scenario"]


def test_two_server_processes_share_one_postgresql(browser, postgres, tmp_path):
    url = postgres.create_database("two_servers")
    env = {"ICS_PLANNER_DATABASE_URL": url}
    with dashboard_server(env=env) as (first, _), dashboard_server(env=env) as (second, _):
        context = browser.new_context(viewport={"width": 1400, "height": 2400})
        page = context.new_page()
        page.goto(
            f"{first}/allocation?vintage=2022&ics=QGH&method=inequality_zero_sum&budget=3456789012"
        )
        wait_for_charts(page)
        scenario = save_as_new(page, "Option B for the committee")
        wait_for_charts(page)
        here = page.evaluate(NUMBERS_JS)
        link = page.url.replace(first, second)
        context.close()

        # Another browser, on the other process, opens the link.
        context = browser.new_context(
            viewport={"width": 1400, "height": 2400}, accept_downloads=True
        )
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(link)
        wait_for_charts(page)
        assert page.get_by_text("Scenario open: “Option B for the committee”").count() == 1
        there = page.evaluate(NUMBERS_JS)
        assert there == here and len(here["charts"]) >= 2 and here["metrics"]
        budget = page.get_by_role("textbox", name="ICS budget in £ (your input, not a published")
        assert budget.input_value() == "3,456,789,012"

        # The library on that process lists it, and exports it as a scenario file.
        page.goto(f"{second}/scenarios?vintage=2022&ics=QGH")
        wait_for_script(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Export JSON").click()
        exported = json.loads(open(download.value.path(), encoding="utf-8").read())
        assert exported["kind"] == "allocation" and exported["ics"] == "QGH"
        assert exported["name"] == "Option B for the committee"
        assert exported["allocation"]["method"] == "inequality_zero_sum"
        assert listed(page) == ["Option B for the committee"]
        assert page.get_by_text(f"scenario={scenario}").count() == 0  # not opened here
        context.close()
        assert not errors


@contextlib.contextmanager
def oidc_provider():
    """``oidc-provider-mock`` on loopback; yields its issuer URL."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration").raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.25)
        yield issuer
    finally:
        process.terminate()
        process.wait(10)


def sign_in(browser, app: str, issuer: str, subject: str):
    """A new browser context signed in as ``subject`` through the provider's form."""
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{app}/scenarios?vintage=2022&ics=QGH")
    wait_for_script(page)
    page.get_by_role("button", name="Sign in").click(no_wait_after=True)
    page.wait_for_url(f"{issuer}/**", timeout=90_000)
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("text=Signed in as", timeout=90_000)
    page.goto(f"{app}/tiers?vintage=2022&ics=QGH")
    wait_for_script(page)
    return context, page


def listed(page) -> list[str]:
    """The scenarios the library's chooser offers (their names)."""
    page.get_by_role("combobox", name="Scenario (").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return sorted(option.split(" · ")[0] for option in options)


def choose(page, name: str) -> None:
    page.get_by_role("combobox", name="Scenario (").click()
    page.get_by_role("option", name=name).first.click()
    wait_for_script(page)


def test_signed_in_users_share_and_keep_private_scenarios(browser, tmp_path):
    import httpx

    with oidc_provider() as issuer:
        for subject, name in (
            ("ann@example.nhs.uk", "Ann Analyst"),
            ("bob@example.nhs.uk", "Bob Lead"),
        ):
            httpx.put(
                f"{issuer}/users/{quote(subject)}", json={"email": subject, "name": name}
            ).raise_for_status()
        port = free_port()
        settings = tmp_path / "secrets.toml"
        settings.write_text(
            f'database_url = "sqlite:///{tmp_path / "library.sqlite3"}"\n'
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "ics-planner"\n'
            'client_secret = "a-secret-the-mock-accepts"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        )
        with dashboard_server(port=port, extra=[f"--secrets.files={settings}"]):
            app = f"http://localhost:{port}"
            ann_context, ann = sign_in(browser, app, issuer, "ann@example.nhs.uk")
            save_as_new(ann, "Ann shared")
            ann.goto(f"{app}/tiers?vintage=2022&ics=QGH")
            wait_for_script(ann)
            save_as_new(ann, "Ann private", private=True)
            bob_context, bob = sign_in(browser, app, issuer, "bob@example.nhs.uk")
            save_as_new(bob, "Bob shared")
            bob.goto(f"{app}/tiers?vintage=2022&ics=QGH")
            wait_for_script(bob)
            save_as_new(bob, "Bob private", private=True)

            for page, own, other in ((ann, "Ann", "Bob Lead"), (bob, "Bob", "Ann Analyst")):
                page.goto(f"{app}/scenarios?vintage=2022&ics=QGH")
                wait_for_script(page)
                seen = listed(page)
                theirs = "Bob" if own == "Ann" else "Ann"
                assert seen == sorted([f"{own} private", f"{own} shared", f"{theirs} shared"])
                choose(page, f"{theirs} shared")
                # expect() retries: the rerun a choice starts may not have begun when
                # wait_for_script first looks.
                expect(page.get_by_text(f"Only its author, {other}, can rename")).to_have_count(1)
                expect(page.get_by_role("button", name="Archive")).to_have_count(0)
                choose(page, f"{own} shared")
                page.get_by_text("Rename, describe, share or archive").click()
                expect(page.get_by_role("button", name="Archive")).to_have_count(1)
            for page in (ann, bob):
                assert not page.errors, page.errors[:3]
            ann_context.close()
            bob_context.close()
