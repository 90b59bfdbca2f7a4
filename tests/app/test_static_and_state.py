"""Loaders heal their static files, fall back to inline geometry, and bound shared state (#18)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from dashboard import loaders
from dashboard.state import SystemKey
from tests.app.apptest import assert_clean, run_page

QGH = SystemKey("QGH", "preset", "2022")


@pytest.fixture
def static_dir(tmp_path, monkeypatch):
    folder = tmp_path / "static"
    monkeypatch.setattr(loaders, "STATIC_DIR", folder)
    return folder


def test_map_geometry_file_is_written_again_after_the_folder_is_emptied(static_dir):
    if not loaders.static_serving():
        pytest.skip("run from the repository root, where .streamlit/config.toml applies")
    figure = loaders.map_figure(QGH, "imd_decile", ("lsoas", "ics"))
    url = figure.data[0].geojson
    assert url.startswith("app/static/lsoas_QGH_")
    name = url.removeprefix("app/static/")
    first = (static_dir / name).read_bytes()
    shutil.rmtree(static_dir)  # emptied while the server runs
    again = loaders.map_figure(QGH, "imd_decile", ("lsoas", "ics"))
    assert again.data[0].geojson == url
    assert (static_dir / name).read_bytes() == first


def test_england_geometry_file_is_written_again(static_dir):
    if not loaders.static_serving():
        pytest.skip("run from the repository root, where .streamlit/config.toml applies")
    url = loaders.england_figure("imd_decile").data[0].geojson
    name = url.removeprefix("app/static/")
    shutil.rmtree(static_dir)
    loaders.england_figure("imd_decile")
    assert (static_dir / name).exists()


def test_without_static_serving_maps_carry_their_geometry(static_dir, monkeypatch):
    monkeypatch.setattr(loaders, "static_serving", lambda: False)
    figure = loaders.map_figure(QGH, "imd_decile", ("lsoas",))
    geojson = figure.data[0].geojson
    assert isinstance(geojson, dict) and len(geojson["features"]) == len(figure.data[0].locations)
    assert not static_dir.exists()


def test_registry_is_bounded_by_size_and_age():
    now = [0.0]
    registry = loaders.BoundedRegistry(limit=3, ttl=100, clock=lambda: now[0])
    frames = {k: pd.DataFrame({"k": [k]}) for k in "abcd"}
    for key in "abc":
        registry.put(key, frames[key])
    assert registry.get("a") is frames["a"]  # "a" is now the most recently used
    registry.put("d", frames["d"])
    assert registry.get("b") is None  # least recently used went first
    assert len(registry) == 3
    now[0] = 150
    assert registry.get("c") is None  # not used for more than ttl seconds
    assert registry.get("a") is None and registry.get("d") is None
    assert len(registry) == 0


def test_server_keeps_a_bounded_number_of_groupings():
    registry = loaders._grouping_registry()
    digests = {
        loaders.register_grouping(
            pd.DataFrame({"practice_code": [f"A{i:05d}"], "place_name": ["North"]})
        )
        for i in range(loaders.GROUPING_LIMIT + 20)
    }
    assert len(digests) == loaders.GROUPING_LIMIT + 20
    assert len(registry) == loaders.GROUPING_LIMIT


def test_a_session_whose_grouping_was_evicted_registers_it_again():
    from layers.uploads import SessionData, validate_place_groupings

    at = run_page("overview.py", "QGH", vintage="2022")
    codes = loaders.system(QGH).practices["practice_code"].tolist()
    raw = ("practice_code,place_name\n" + "".join(f"{c},Everywhere\n" for c in codes)).encode()
    report = validate_place_groupings(raw, codes)
    at.session_state["uploads"] = SessionData().apply(report)
    at.session_state["uploads_ics"] = "QGH"
    at.session_state["grouping_digest"] = "0000000000000000"  # not (or no longer) held
    at.run()
    assert_clean(at)
    digest = at.session_state["grouping_digest"]
    assert digest != "0000000000000000" and loaders.grouping_available(digest)
    assert any("Your own place groupings" in c.value for c in at.caption)

    # Without its uploads the session is told to upload them again.
    del at.session_state["uploads"]
    at.session_state["grouping_digest"] = "0000000000000000"
    at.run()
    assert_clean(at)
    assert "grouping_digest" not in at.session_state
    assert any("Upload them again on the Your data page" in w.value for w in at.warning)
