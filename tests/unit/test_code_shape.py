"""The shape of the code (issue #14, "Checks"): page files are thin frames and no function
is longer than a screenful or two.

Run as a script to list the offenders: ``python tests/unit/test_code_shape.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The folders whose functions are held to MAX_FUNCTION_LINES (test data is not).
CODE_FOLDERS = ("layers", "dashboard", "benchmarks")
MAX_FUNCTION_LINES = 120
MAX_PAGE_LINES = 150


def long_functions(
    folders: tuple[str, ...] = CODE_FOLDERS, limit: int = MAX_FUNCTION_LINES
) -> list[tuple[str, str, int]]:
    """Every function (nested ones too) longer than ``limit`` lines, as (file, name, lines).

    A function's length runs from its ``def`` (decorators excluded) to its last line.
    """
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > limit:
                        found.append((str(path.relative_to(ROOT)), node.name, length))
    return found


def long_pages(limit: int = MAX_PAGE_LINES) -> list[tuple[str, int]]:
    """Every page file under dashboard/views longer than ``limit`` lines, as (file, lines)."""
    pages = sorted((ROOT / "dashboard" / "views").glob("*.py"))
    lengths = [
        (str(p.relative_to(ROOT)), len(p.read_text(encoding="utf-8").splitlines())) for p in pages
    ]
    return [(name, n) for name, n in lengths if n > limit]


def test_the_checker_finds_a_long_function(tmp_path, monkeypatch):
    # A checker that finds nothing on anything would pass vacuously: show it a known offender.
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(f"def short():\n    pass\n\n\ndef long():\n{body}\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert long_functions(("pkg",)) == [("pkg/m.py", "long", MAX_FUNCTION_LINES + 1)]


def test_pages_are_thin_frames():
    assert long_pages() == [], f"page files over {MAX_PAGE_LINES} lines"


@pytest.mark.parametrize("folder", CODE_FOLDERS)
def test_no_function_is_too_long(folder):
    assert long_functions((folder,)) == [], f"functions over {MAX_FUNCTION_LINES} lines"


if __name__ == "__main__":
    for name, n in long_pages():
        print(f"page {name}: {n} lines")
    for name, func, n in long_functions():
        print(f"{name}: {func} ({n} lines)")
