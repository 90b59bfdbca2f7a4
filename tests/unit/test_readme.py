"""The README's two fresh-machine commands stay true, and .ci/run runs the test one."""

import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.request

import pytest

from dashboard.__main__ import APP_PATH, CONFIG_PATH, STATIC_DIR, command, config_flags
from tests.browser_harness import plain_streamlit_run
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


# --------------------------------------------------------------------------- plain launch


def test_plain_streamlit_run_reads_the_same_settings_file():
    """`streamlit run dashboard/app.py` reads .streamlit/config.toml: a link to ours (#18)."""
    link = REPO_ROOT / ".streamlit" / "config.toml"
    assert link.is_symlink() and os.readlink(link) == "../streamlit_config.toml"
    assert link.resolve() == CONFIG_PATH.resolve()
    check = (
        "from streamlit import config; from dashboard.__main__ import differing_settings; "
        "print(differing_settings(config.get_option))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    at_root = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert at_root.stdout.strip() == "[]", at_root.stderr
    # Elsewhere Streamlit's defaults apply, and the check says so.
    elsewhere = subprocess.run(
        [sys.executable, "-c", check], cwd="/", env=env, capture_output=True, text=True
    )
    assert "server.enableStaticServing is False, not True" in elsewhere.stdout


def test_streamlit_run_from_another_folder_reads_the_settings_next_to_the_script():
    """Streamlit reads <script folder>/.streamlit/config.toml: a link to ours too."""
    link = REPO_ROOT / "dashboard" / ".streamlit" / "config.toml"
    assert link.is_symlink() and link.resolve() == CONFIG_PATH.resolve()
    check = (
        "from streamlit import config; from dashboard.__main__ import differing_settings; "
        f"config._main_script_path = {str(REPO_ROOT / 'dashboard' / 'app.py')!r}; "
        "print(differing_settings(config.get_option))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    elsewhere = subprocess.run(
        [sys.executable, "-c", check], cwd="/", env=env, capture_output=True, text=True
    )
    assert elsewhere.stdout.strip() == "[]", elsewhere.stderr


def test_static_folder_is_tracked_so_fresh_starts_find_it():
    tracked = subprocess.run(
        ["git", "ls-files", "dashboard/static", ".streamlit"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert tracked == [".streamlit/config.toml", "dashboard/static/.gitkeep"]


def test_plain_streamlit_run_serves_static_files_without_warnings(tmp_path):
    """Started for real as a new user would start it, from the repository root."""
    probe = STATIC_DIR / f"probe_{tmp_path.name}.json"
    probe.write_text('{"probe": true}')
    log = tmp_path / "server.log"
    try:
        with plain_streamlit_run(log) as port:
            url = f"http://127.0.0.1:{port}/app/static/{probe.name}"
            with urllib.request.urlopen(url, timeout=5) as reply:
                assert json.loads(reply.read()) == {"probe": True}
    finally:
        probe.unlink(missing_ok=True)
    text = log.read_text()
    assert "static folder" not in text.lower(), text
    assert "gather" not in text.lower() and "usage statistics" not in text.lower(), text
