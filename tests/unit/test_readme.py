"""The README's two fresh-machine commands stay true, and .ci/run runs the test one."""

import re
import tomllib

import pytest

from dashboard.__main__ import APP_PATH, CONFIG_PATH, command, config_flags
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
COMMANDS = re.findall(r"```\n(.+?)\n```", README)


def test_readme_opens_with_two_commands():
    first_block = README.index("```")
    assert README.index("Run the dashboard") < first_block
    run, test = COMMANDS[:2]
    assert run.endswith("-m dashboard") and "pip install -r requirements.txt" in run
    assert "pytest" in test and "apt-get install -y chromium" in test
    assert "pip install -r requirements-dev.txt" in test
    assert "npm ci --prefix tests/a11y" in test


def test_ci_runs_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert COMMANDS[1] in ci.splitlines()


def test_launcher_applies_streamlit_config():
    settings = tomllib.loads(CONFIG_PATH.read_text())
    flags = config_flags()
    assert "--theme.primaryColor=#005EB8" in flags
    assert "--browser.gatherUsageStats=false" in flags
    assert "--server.enableStaticServing=true" in flags
    assert len(flags) == sum(len(section) for section in settings.values())
    argv = command(["--server.port=9999"])
    assert argv[1:4] == ["-m", "streamlit", "run"]
    assert argv[4] == str(APP_PATH) and argv[-1] == "--server.port=9999"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(name):
    lines = [
        ln
        for ln in (REPO_ROOT / name).read_text().splitlines()
        if ln.strip() and not ln.startswith("#") and ln != "-r requirements.txt"
    ]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", ln) for ln in lines)


def test_runtime_requirements_leave_out_test_tools():
    """The run command installs only what the app needs (#18: a 1.4 GB environment)."""
    runtime = (REPO_ROOT / "requirements.txt").read_text()
    for tool in ("pytest", "playwright", "ruff", "hypothesis", "nbclient"):
        assert tool not in runtime
