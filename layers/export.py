"""Presentation-ready files from figures and tables: PNG, SVG, PDF, CSV and XLSX.

Figures are rendered by kaleido through Debian's Chromium (``/usr/bin/chromium``),
offline. Every file carries the data vintage and the OGL attribution.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import kaleido
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from layers.maps import OFFLINE_TOPOJSON_URL
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = ["FIGURE_FORMATS", "figure_bytes", "table_csv", "table_xlsx"]

FIGURE_FORMATS = ("png", "svg", "pdf")
_CHROMIUM = Path("/usr/bin/chromium")


def figure_bytes(
    figure: go.Figure, fmt: str = "png", width: int = 1280, height: int = 720, scale: float = 2
) -> bytes:
    """Render a plotly figure to PNG, SVG or PDF bytes with kaleido.

    A PDF is one page of ``width`` × ``height`` CSS pixels (at 96 per inch). ``geo``
    maps get the empty offline topology (unless ``plotly.io.defaults.topojson`` names
    another), so no export asks the web for a basemap.

    Raises
    ------
    ValueError
        For a format other than PNG, SVG or PDF.
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"Unknown figure format {fmt!r}; choose 'png', 'svg' or 'pdf'.")
    if _CHROMIUM.exists():
        # kaleido would otherwise look for (or try to download) a Chrome of its own.
        os.environ.setdefault("BROWSER_PATH", str(_CHROMIUM))
    # kaleido directly rather than figure.to_image: that reads the topology from a
    # process-wide default, which concurrent sessions should not have to mutate.
    return kaleido.calc_fig_sync(
        figure.to_dict(),
        opts={"format": fmt, "width": width, "height": height, "scale": scale},
        topojson=pio.defaults.topojson or OFFLINE_TOPOJSON_URL,
    )


def table_csv(table: pd.DataFrame, title: str, vintage: str = DEFAULT_VINTAGE) -> bytes:
    """CSV bytes with the title, data vintage and attribution as leading comment lines.

    Examples
    --------
    >>> text = table_csv(pd.DataFrame({"a": [1]}), "Toy").decode()
    >>> text.splitlines()[0], text.splitlines()[-1]
    ('# Toy', '1')
    >>> "IMD 2025" in table_csv(pd.DataFrame({"a": [1]}), "Toy", vintage="2026").decode()
    True
    """
    info = get_vintage(vintage)
    header = f"# {title}\n# Data: {info.data_line}\n# {info.sources}\n"
    return (header + table.to_csv(index=False)).encode("utf-8")


def table_xlsx(table: pd.DataFrame, title: str, vintage: str = DEFAULT_VINTAGE) -> bytes:
    """XLSX bytes: the table on one sheet, its title, vintage and sources on ``About``.

    Examples
    --------
    >>> data = table_xlsx(pd.DataFrame({"a": [1, 2]}), "Toy")
    >>> pd.read_excel(io.BytesIO(data), sheet_name="Data")["a"].tolist()
    [1, 2]
    """
    info = get_vintage(vintage)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        table.to_excel(writer, sheet_name="Data", index=False)
        about = pd.DataFrame({"About": [title, f"Data: {info.data_line}", info.sources]})
        about.to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()
