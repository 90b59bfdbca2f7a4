"""The dashboard's pages: file in ``views/``, title and stable URL path."""

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "views"

#: (file in views/, title, icon, url path); every page keeps a stable path such as /map.
#: No icons: Streamlit fetches :material/ icons from the internet, and emoji need fonts.
PAGE_SPECS = [
    ("overview.py", "Overview", None, "overview"),
    ("map.py", "Map", None, "map"),
    ("england.py", "England", None, "england"),
    ("tiers.py", "Population tiers", None, "tiers"),
    ("allocation.py", "Service allocation", None, "allocation"),
    ("inequality.py", "Inequality", None, "inequality"),
    ("boundaries.py", "Boundary alignment", None, "boundaries"),
    ("mergers.py", "ICB mergers", None, "mergers"),
    ("data.py", "Your data", None, "data"),
    ("scenarios.py", "Scenario library", None, "scenarios"),
]


def page_paths(pages_dir: Path = PAGES_DIR) -> list[tuple[Path, str, str]]:
    """Every page as (file path, title, url path).

    Raises
    ------
    FileNotFoundError
        If a page's file is missing: a page must fail loudly, never vanish.

    Examples
    --------
    >>> [url for _path, _title, url in page_paths()][:2]
    ['overview', 'map']
    """
    missing = [file for file, *_ in PAGE_SPECS if not (pages_dir / file).exists()]
    if missing:
        raise FileNotFoundError(
            f"Dashboard page file(s) missing from {pages_dir}: {', '.join(missing)}."
        )
    return [(pages_dir / file, title, url) for file, title, _icon, url in PAGE_SPECS]
