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


def test_without_chromium_the_image_buttons_say_how_to_install_it(monkeypatch, tmp_path):
    """kaleido pointed at a browser that is not there: greyed buttons and the fix (#18)."""
    from layers.export import CHROMIUM_INSTALL, export_unavailable_reason

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    monkeypatch.setattr("layers.export._CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr("layers.export._kaleido_download", lambda: tmp_path / "chrome")
    message = export_unavailable_reason()
    assert message is not None and CHROMIUM_INSTALL in message
    at = run_page("tiers.py", "QGH")
    assert not at.exception
    buttons = [b.proto for b in at.get("download_button")]
    images = [b for b in buttons if b.label in ("PNG", "SVG")]
    tables = [b for b in buttons if b.label in ("CSV", "XLSX")]
    assert images and all(b.disabled and b.help == message for b in images)
    assert tables and not any(b.disabled for b in tables)  # tables need no browser
    assert any(c.value == message for c in at.caption)
