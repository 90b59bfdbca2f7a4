"""Every page offers downloads: PNG and SVG for each chart, CSV and XLSX for each table."""

from __future__ import annotations

from tests.app.apptest import PAGES, assert_clean, run_page


def test_every_page_offers_downloads_for_its_charts_and_tables():
    missing = []
    for page in PAGES:
        at = run_page(page, "QGH", vintage="2022")
        assert_clean(at)
        labels = [b.proto.label for b in at.get("download_button")]
        charts, frames = len(at.get("plotly_chart")), len(at.dataframe)
        for label, needed in (("PNG", charts), ("SVG", charts), ("CSV", frames), ("XLSX", frames)):
            if labels.count(label) < needed:
                what = "charts" if label in ("PNG", "SVG") else "tables (incl. editors)"
                missing.append(f"{page}: {needed} {what}, {labels.count(label)} {label} buttons")
    assert not missing, "pages without downloads:\n" + "\n".join(missing)
