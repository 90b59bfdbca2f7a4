"""Download buttons for every figure (PNG, SVG) and table (CSV, XLSX).

Files are built only when the user clicks (deferred data), so pages stay fast.
Tables must already have the disclosure rule applied where it applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from layers.export import figure_bytes, table_csv, table_xlsx


def _stem(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_").lower()


def figure_downloads(figure: go.Figure | Callable[[], go.Figure], title: str, key: str) -> None:
    """PNG and SVG download buttons for one figure.

    ``figure`` may be a callable, for figures worth building only when someone clicks.
    """
    left, right, _ = st.columns([1, 1, 6])

    def render(fmt: str) -> bytes:
        return figure_bytes(figure() if callable(figure) else figure, fmt)

    for column, fmt, mime in ((left, "png", "image/png"), (right, "svg", "image/svg+xml")):
        column.download_button(
            f"{fmt.upper()}",
            data=lambda fmt=fmt: render(fmt),
            file_name=f"{_stem(title)}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            help=f"Download this figure as {fmt.upper()}",
            on_click="ignore",
        )


def table_downloads(table: pd.DataFrame, title: str, key: str) -> None:
    """CSV and XLSX download buttons for one table."""
    left, right, _ = st.columns([1, 1, 6])
    left.download_button(
        "CSV",
        data=lambda: table_csv(table, title),
        file_name=f"{_stem(title)}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        help="Download this table as CSV",
    )
    right.download_button(
        "XLSX",
        data=lambda: table_xlsx(table, title),
        file_name=f"{_stem(title)}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
        help="Download this table as Excel",
    )
