"""The dashboard as an ASGI app: Streamlit's server plus precompressed static files.

``streamlit run dashboard/app.py`` (and ``python -m dashboard``, which runs exactly that)
finds the ``st.App`` below and serves the router, :mod:`dashboard.router`, with the
middleware of :mod:`dashboard.serve` in front.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.serve import middleware, tune_allocators

tune_allocators()  # before any session thread or table exists
# Streamlit looks for the static folder when it starts, and warns if it is missing.
(Path(__file__).resolve().parent / "static").mkdir(exist_ok=True)
app = st.App("router.py", middleware=middleware())
