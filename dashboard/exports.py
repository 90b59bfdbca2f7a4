"""Draw figures and tables with their downloads: PNG and SVG, CSV and XLSX.

:func:`show_figure` and :func:`show_table` are how every section puts a chart or a
table on the page, so each one is drawn offline and carries its downloads. Files are
built only when the user clicks (deferred data), so pages stay fast. Tables must
already have the disclosure rule applied where it applies.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from layers.export import (
    export_unavailable_reason,
    figure_bytes,
    file_stem,
    table_csv,
    table_xlsx,
)
from layers.maps import OFFLINE_TOPOJSON_URL

#: Column formats for st.column_config.NumberColumn, one rule each (see layers.format).
MONEY = "£%,.0f"
MONEY_PER_HEAD = "£%,.2f"
PERCENT = "%.1f%%"
COUNT = "localized"

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figure_downloads(figure: go.Figure | Callable[[], go.Figure], title: str, key: str) -> None:
    """PNG and SVG download buttons for one figure.

    ``figure`` may be a callable, for figures worth building only when someone clicks.
    """
    left, right, _ = st.columns([1, 1, 6])
    missing = export_unavailable_reason()

    def render(fmt: str) -> bytes:
        return figure_bytes(figure() if callable(figure) else figure, fmt)

    for column, fmt, mime in ((left, "png", "image/png"), (right, "svg", "image/svg+xml")):
        column.download_button(
            f"{fmt.upper()}",
            data=lambda fmt=fmt: render(fmt),
            file_name=f"{file_stem(title)}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            help=missing or f"Download this figure as {fmt.upper()}",
            on_click="ignore",
            disabled=missing is not None,
        )
    if missing:
        figure_exports_note(missing)


def figure_exports_note(missing: str | None = None) -> None:
    """Say at the buttons why image, PDF and deck downloads are off, and the fix."""
    missing = missing or export_unavailable_reason()
    if missing:
        st.caption(missing)


def _vintage() -> str:
    """The data vintage on screen, so every download's notes state it."""
    from dashboard.state import DEFAULT_VINTAGE, VINTAGE_KEY

    return st.session_state.get(VINTAGE_KEY, DEFAULT_VINTAGE)


def table_downloads(table: pd.DataFrame, title: str, key: str) -> None:
    """CSV and XLSX download buttons for one table; their notes state the vintage shown."""
    vintage = _vintage()
    formats = (
        ("CSV", table_csv, "csv", "text/csv", "CSV"),
        ("XLSX", table_xlsx, "xlsx", XLSX_MIME, "Excel"),
    )
    for column, (label, write, suffix, mime, words) in zip(
        st.columns([1, 1, 6]), formats, strict=False
    ):
        column.download_button(
            label,
            data=lambda write=write: write(table, title, vintage),
            file_name=f"{file_stem(title)}.{suffix}",
            mime=mime,
            key=f"{key}_{suffix}",
            on_click="ignore",
            help=f"Download this table as {words}",
        )


def show_figure(
    figure: go.Figure,
    title: str,
    key: str,
    export: Callable[[], go.Figure] | None = None,
    config: dict | None = None,
    **chart: object,
) -> None:
    """Draw a figure (offline, SVG maps included) with its PNG and SVG downloads.

    ``export`` builds the figure to download when it differs from the one on screen
    (for example a map whose geometry the browser fetches from a URL); ``config`` adds
    to plotly's configuration, and other keywords go to ``st.plotly_chart``.
    """
    # The empty topology keeps SVG geo maps offline; other charts ignore it.
    settings = {"displaylogo": False, "topojsonURL": OFFLINE_TOPOJSON_URL, **(config or {})}
    st.plotly_chart(figure, key=key, config=settings, **chart)
    figure_downloads(export or figure, title, key)


def _label_in_vintage(config: object, vintage: str) -> object:
    """A column's configuration (a label, or a column config) in the vintage's words."""
    from dashboard.scaffold import in_vintage

    if isinstance(config, str):
        return in_vintage(config, vintage)
    if isinstance(config, dict) and isinstance(config.get("label"), str):
        return {**config, "label": in_vintage(config["label"], vintage)}
    return config


def show_table(
    table: pd.DataFrame,
    title: str,
    key: str,
    formats: dict[str, str] | None = None,
    **frame: object,
) -> None:
    """Draw a table with its CSV and XLSX downloads; ``formats`` maps columns to formats."""
    from dashboard.scaffold import in_vintage

    # Column labels written for the July 2022 data, in the words of the vintage shown.
    vintage = _vintage()
    table = table.rename(columns=lambda c: in_vintage(c, vintage) if isinstance(c, str) else c)
    formats = {in_vintage(c, vintage): f for c, f in (formats or {}).items()}
    config = {
        column: st.column_config.NumberColumn(column, format=number_format)
        for column, number_format in formats.items()
        if column in table.columns
    }
    config.update(
        {
            in_vintage(c, vintage): _label_in_vintage(v, vintage)
            for c, v in (frame.pop("column_config", {}) or {}).items()
        }
    )
    st.dataframe(table, hide_index=True, column_config=config, key=f"{key}_table", **frame)
    table_downloads(table, title, key)
