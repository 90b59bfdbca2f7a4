"""The dashboard's pages: file in ``views/``, title, icon and stable URL path."""

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
    ("data.py", "Your data", None, "data"),
]
