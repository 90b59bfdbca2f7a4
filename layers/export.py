"""Presentation-ready files from figures and tables: PNG, SVG, PDF, CSV and XLSX.

Figures are rendered by kaleido through Debian's Chromium (``/usr/bin/chromium``),
offline; :func:`export_unavailable_reason` says, before anyone clicks, when Chromium is
missing and how to install it.

Tables are the one export path for every CSV and XLSX file the tool writes:

* **no formula reaches a spreadsheet**: every text cell (and header) that starts with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return is written with a leading ``'``
  (OWASP's rule for CSV injection), numbers stay numbers, and XLSX strings are written
  as strings, never as formulas or links (:func:`neutralise`);
* **headers are words**, not internal names (:func:`layers.format.column_label`);
* **a CSV is only the table**, so that ``pandas.read_csv`` and Excel open it as it is;
  the title, data vintage and attribution go in the XLSX ``About`` sheet and in a
  sidecar text file (:func:`table_about`).
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from layers.format import column_label
from layers.maps import OFFLINE_TOPOJSON_URL
from layers.names import FORMULA_PREFIXES
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "CHROMIUM_INSTALL",
    "FIGURE_FORMATS",
    "KALEIDO_CHROME",
    "chromium_path",
    "export_frame",
    "export_unavailable_reason",
    "figure_bytes",
    "file_stem",
    "neutralise",
    "table_about",
    "table_csv",
    "table_xlsx",
    "workbook_xlsx",
]

FIGURE_FORMATS = ("png", "svg", "pdf")
#: The one command that installs what figure exports need on Debian or Ubuntu.
CHROMIUM_INSTALL = "apt-get install -y chromium"
#: kaleido's own download of Chrome for Testing, for machines without root.
KALEIDO_CHROME = ".venv/bin/kaleido_get_chrome"
_CHROMIUM = Path("/usr/bin/chromium")
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Text that is a plain number (a sign, £, thousands commas, decimals, %): a spreadsheet
# reads it as a number, never as a formula, so it is left as it is.
_NUMBER_TEXT = re.compile(r"^[+-]?£?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?$")
# xlsxwriter would otherwise turn text starting with "=" into a formula, and URLs into
# links.
_XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def _kaleido_download() -> Path:
    """Where ``kaleido_get_chrome`` (kaleido 1.5, via choreographer) puts its Chrome."""
    from choreographer.browsers.chromium import get_chrome_download_path

    return Path(get_chrome_download_path())


def chromium_path() -> Path | None:
    """The Chromium or Chrome that kaleido will drive, or None if there is none.

    Looked for, in order: ``BROWSER_PATH``, ``/usr/bin/chromium``, a Chromium or
    Chrome on ``PATH``, and the Chrome that ``kaleido_get_chrome`` downloads.
    """
    for candidate in (os.environ.get("BROWSER_PATH"), str(_CHROMIUM)):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    downloaded = _kaleido_download()
    return downloaded if downloaded.is_file() else None


def export_unavailable_reason() -> str | None:
    """Why PNG, PDF and slide-deck exports cannot work here, or None when they can.

    They need Chromium (kaleido drives it). A page shows this message at the export
    buttons instead of failing on click.

    Returns
    -------
    str or None
        The message, naming the one command that fixes it; None if Chromium is found
        (see :func:`chromium_path`).

    Examples
    --------
    >>> message = export_unavailable_reason()
    >>> message is None or CHROMIUM_INSTALL in message
    True
    """
    if chromium_path() is not None:
        return None
    return (
        "Image, PDF and slide-deck downloads need the Chromium browser, which is not "
        f"installed on this server. Install it with: {CHROMIUM_INSTALL} (or, without "
        f"root: {KALEIDO_CHROME})."
    )


def file_stem(title: str, *, default: str = "download", max_length: int | None = None) -> str:
    """The one rule for a download's file name (before its suffix).

    Runs of anything but ASCII letters and digits become one underscore, with none at
    either end, in lower case, so a name reads the same on every system and in a link.

    Parameters
    ----------
    title : str
        What the file holds, in words (a figure title, a scenario name).
    default : str, default "download"
        The stem when ``title`` has no letters or digits at all.
    max_length : int, optional
        Longest stem kept (user-named scenarios can be long); no limit if None.

    Returns
    -------
    str
        The stem, never empty.

    Examples
    --------
    >>> file_stem("QGH: £ per head, 2026/27")
    'qgh_per_head_2026_27'
    >>> file_stem("  ***  ", default="scenario")
    'scenario'
    >>> file_stem("Level up the most deprived places", max_length=8)
    'level_up'
    """
    stem = re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_").lower()
    if max_length is not None:
        stem = stem[:max_length].rstrip("_")
    return stem or default


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
    RuntimeError
        If Chromium is missing (the message is :func:`export_unavailable_reason`).
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"Unknown figure format {fmt!r}; choose 'png', 'svg' or 'pdf'.")
    browser = chromium_path()
    if browser is None:
        raise RuntimeError(export_unavailable_reason())
    # kaleido would otherwise look for (or try to download) a Chrome of its own.
    os.environ.setdefault("BROWSER_PATH", str(browser))
    # kaleido directly rather than figure.to_image: that reads the topology from a
    # process-wide default, which concurrent sessions should not have to mutate.
    import kaleido  # on first export: the server need not hold it until then

    return kaleido.calc_fig_sync(
        figure.to_dict(),
        opts={"format": fmt, "width": width, "height": height, "scale": scale},
        topojson=pio.defaults.topojson or OFFLINE_TOPOJSON_URL,
    )


def neutralise(value: object) -> object:
    """A cell as it is safe to export: text a spreadsheet would run as a formula gets ``'``.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed
    with a single quote, unless it is a plain number (``-1,500``, ``+0.50``, ``-12%``).
    Anything that is not text (numbers, dates, missing values) is returned unchanged.

    Examples
    --------
    >>> print(neutralise('=HYPERLINK("http://x")'), neutralise("-2+3+cmd|' /C calc'!A0"))
    '=HYPERLINK("http://x") '-2+3+cmd|' /C calc'!A0
    >>> neutralise("-£1,500"), neutralise(-1500), neutralise("North")
    ('-£1,500', -1500, 'North')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if not _NUMBER_TEXT.match(value):
            return "'" + value
    return value


def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A table as every export writes it: headers in words, every text cell neutralised.

    Examples
    --------
    >>> export_frame(pd.DataFrame({"pcn_name": ["@North"], "pounds": [-5]})).to_dict("list")
    {'PCN': ["'@North"], '£': [-5]}
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame, got {type(table).__name__}")
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype,)):
            out[column] = values.map(neutralise).astype(object)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = values.astype(object).map(neutralise)
    out.columns = [neutralise(column_label(c)) for c in out.columns]
    return out


def table_about(title: str, vintage: str = DEFAULT_VINTAGE) -> bytes:
    """The sidecar of a CSV download: its title, data vintage and attribution (UTF-8 text).

    Examples
    --------
    >>> lines = table_about("Places of QGH", "2026").decode().splitlines()
    >>> lines[0], lines[1][:22]
    ('Places of QGH', 'Data: ICBs April 2026;')
    """
    info = get_vintage(vintage)
    lines = [str(title), f"Data: {info.data_line}", info.sources]
    return ("\n".join(lines) + "\n").encode("utf-8")


def table_csv(
    table: pd.DataFrame, title: str | None = None, vintage: str = DEFAULT_VINTAGE
) -> bytes:
    """CSV bytes of the table alone: headers in words, text neutralised, UTF-8 with a BOM.

    The CSV holds nothing but the table, so ``pandas.read_csv`` and Excel open it as
    it is (the byte-order mark makes Excel read ``£`` and accents as UTF-8). ``title``
    and ``vintage`` are not written into it; they belong in the sidecar,
    :func:`table_about`, and in the XLSX ``About`` sheet.

    Examples
    --------
    >>> data = table_csv(pd.DataFrame({"place_name": ["=cmd"], "pounds": [-1]}), "Toy")
    >>> pd.read_csv(io.BytesIO(data)).to_dict("list")
    {'Place': ["'=cmd"], '£': [-1]}
    """
    del title, vintage  # part of the common signature; see table_about
    # CRLF line ends (RFC 4180) also make the csv module quote a value holding a lone CR,
    # which would otherwise split its row in two.
    return export_frame(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def workbook_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    title: str,
    vintage: str = DEFAULT_VINTAGE,
    column_widths: Mapping[str, Mapping[int, float]] | None = None,
) -> bytes:
    """XLSX bytes: each table on its sheet (see :func:`export_frame`), then an About sheet.

    Strings are written as strings: never formulas, never links.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name → table, in order.
    title : str
        The workbook's title, first line of the About sheet.
    vintage : str, default :data:`layers.vintages.DEFAULT_VINTAGE`
        The data vintage ("2022" or "2026"); its data line and sources go on About.
    column_widths : mapping, optional
        Sheet name → {column index: width in characters}.

    Examples
    --------
    >>> data = workbook_xlsx({"Data": pd.DataFrame({"a": [1]})}, "Toy")
    >>> list(pd.read_excel(io.BytesIO(data), sheet_name=None))
    ['Data', 'About']
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": _XLSX_OPTIONS}
    ) as writer:
        for name, table in sheets.items():
            export_frame(table).to_excel(writer, sheet_name=name, index=False)
            for column, width in (column_widths or {}).get(name, {}).items():
                writer.sheets[name].set_column(column, column, width)
        info = get_vintage(vintage)
        about = pd.DataFrame(
            {"About": [neutralise(str(title)), f"Data: {info.data_line}", info.sources]}
        )
        about.to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()


def table_xlsx(table: pd.DataFrame, title: str, vintage: str = DEFAULT_VINTAGE) -> bytes:
    """XLSX bytes: the table on one sheet, its title, vintage and sources on ``About``.

    Examples
    --------
    >>> data = table_xlsx(pd.DataFrame({"a": [1, 2]}), "Toy")
    >>> pd.read_excel(io.BytesIO(data), sheet_name="Data")["A"].tolist()
    [1, 2]
    """
    return workbook_xlsx({"Data": table}, title, vintage)
