"""The opt-in run log: one JSON line per script run, written by the server (#18, load test)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import runlog
from tests.app.apptest import APP, run_page


def test_off_unless_asked(monkeypatch, tmp_path):
    monkeypatch.delenv(runlog.RUN_LOG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    run_page("tiers.py", "QGH")
    assert list(tmp_path.iterdir()) == []


def test_every_run_is_logged_with_its_page_time_and_error_flag(monkeypatch, tmp_path):
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv(runlog.RUN_LOG_ENV, str(log))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = "QRV"
    at.run()  # "/": the Home redirect, then the overview
    at.switch_page("views/tiers.py")
    at.run()
    assert not at.exception
    runs = runlog.read(log)
    assert [run["page"] for run in runs] == ["home", "overview", "tiers"]
    tiers_run = runs[-1]
    assert tiers_run["ics"] == "QRV" and tiers_run["error"] is False
    assert 0 < tiers_run["seconds"] < 300
    assert tiers_run["session"] and tiers_run["ended"] > 1.7e9
    # A page that fails is logged as an error (here: map layers that are not a list).
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = "QGH"
    at.session_state["map_layers"] = object()
    at.switch_page("views/map.py")
    at.run()
    last = runlog.read(log)[-1]
    assert last["page"] == "map"
    assert any("could not be drawn" in e.value for e in at.error), [e.value for e in at.error]
    assert last["error"] is True
