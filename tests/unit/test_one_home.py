"""Each concept has one definition: Core20, a frame check, a random stream, a money format.

The source of ``layers/`` and ``dashboard/`` is read as code (doctests and docstrings are
not code): a second definition of any of these fails here, naming the file and line.
``tests/app/test_one_home_pages.py`` shows that a page and a slide follow the one
definition when it changes.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SOURCES = sorted(
    path
    for folder in ("layers", "dashboard")
    for path in (REPO_ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO_ROOT)}:{node.lineno}"


def _calls(name: str) -> list[str]:
    """Every call of a function or method called ``name``, outside docstrings."""
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.append(_where(path, node))
    return found


def test_sources_are_found():
    # A wrong folder would make every check below pass on nothing.
    names = {p.relative_to(REPO_ROOT).as_posix() for p in SOURCES}
    assert {"layers/deprivation.py", "layers/format.py", "layers/streams.py"} <= names
    assert len(SOURCES) > 100


def _compares_a_decile_with_2(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare):
        return False
    text = ast.unparse(node)
    return "decile" in text and bool(re.search(r"(<=|<)\s*[23]\b|\bin \(1, 2\)|in \[1, 2\]", text))


def _isin_1_2(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if node.func.attr != "isin" or not node.args:
        return False
    try:
        values = ast.literal_eval(node.args[0])
    except ValueError:
        return False
    return isinstance(values, (list, tuple, set)) and set(values) == {1, 2}


def _found_outside(home: str, matches: Callable[[ast.AST], bool]) -> list[str]:
    """Where ``matches`` holds in any source but ``layers/<home>``, the concept's one home."""
    own = REPO_ROOT / "layers" / home
    return [
        _where(path, node)
        for path in SOURCES
        if path != own
        for node in ast.walk(_tree(path))
        if matches(node)
    ]


def test_core20_is_defined_once():
    """Only layers.deprivation says which deciles are Core20."""
    found = _found_outside("deprivation.py", lambda n: _compares_a_decile_with_2(n) or _isin_1_2(n))
    assert found == []


def test_the_core20_checks_would_see_a_second_definition():
    copy = ast.parse("x = lsoas['imd_decile'] <= 2\ny = d.isin([1, 2])")
    assert sum(_compares_a_decile_with_2(n) or _isin_1_2(n) for n in ast.walk(copy)) == 2


def test_frame_checks_are_defined_once():
    """Frame checks live in layers._checks; no module keeps its own ``_require``."""
    found = _found_outside(
        "_checks.py",
        lambda n: (
            isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and re.fullmatch(r"_?require(_\w+)?", n.name) is not None
        ),
    )
    assert found == []


def test_random_streams_are_made_in_one_place():
    """Generators come from layers.streams.generator (seed and purpose), nowhere else."""
    made = [where for where in _calls("default_rng") if not where.startswith("layers/streams.py")]
    assert made == []
    assert _calls("seed") == []  # no global seeding (np.random.seed, random.seed)


def _pounds_by_hand(node: ast.AST) -> bool:
    """An f-string that writes "£" then a number formatted there (an echo has no spec)."""
    if not isinstance(node, ast.JoinedStr):
        return False
    parts = node.values
    for before, after in itertools.pairwise(parts):
        if (
            isinstance(before, ast.Constant)
            and str(before.value).endswith("£")
            and isinstance(after, ast.FormattedValue)
            and after.format_spec is not None
        ):
            return True
    return False


def test_money_is_formatted_in_one_place():
    """Pounds are written by layers.format (pounds, per_head, compact_pounds) only."""
    assert _found_outside("format.py", _pounds_by_hand) == []


def test_the_money_check_would_see_pounds_by_hand():
    copy = ast.parse('label = f"£{budget / 1e9:,.2f} bn"')
    assert any(_pounds_by_hand(n) for n in ast.walk(copy))
    echo = ast.parse('error = f"budget £{budget} has fractions of a penny"')
    assert not any(_pounds_by_hand(n) for n in ast.walk(echo))


def _file_name_rule(node: ast.AST) -> bool:
    """The download file-name pattern written out (runs of non-alphanumerics → "_")."""
    return isinstance(node, ast.Constant) and node.value == "[^A-Za-z0-9]+"


def test_download_file_names_follow_one_rule():
    """Download names come from layers.export.file_stem, not a regex copied per page."""
    assert _found_outside("export.py", _file_name_rule) == []
    copy = ast.parse('stem = re.sub(r"[^A-Za-z0-9]+", "_", name).lower()')
    assert any(_file_name_rule(n) for n in ast.walk(copy))


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("layers/slides.py", {"is_core20", "fmt"}),
        ("dashboard/sections/inequality/profile.py", {"is_core20", "fmt"}),
    ],
)
def test_pages_and_slides_import_the_one_definitions(module, names):
    tree = _tree(REPO_ROOT / module)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("layers")
        for alias in node.names
    }
    assert names <= imported
