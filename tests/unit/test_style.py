"""One ruff configuration for the whole repository, and a pure library."""

import re
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run_ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check_passes():
    result = run_ruff("check", ".", "--output-format", "concise")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_clean():
    result = run_ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout[-3000:]


def test_layers_never_imports_streamlit():
    pattern = re.compile(r"^\s*(import|from)\s+streamlit\b", re.MULTILINE)
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in (REPO_ROOT / "layers").rglob("*.py")
        if pattern.search(p.read_text())
    ]
    assert offenders == []
