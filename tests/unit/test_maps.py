"""The ICS map: an offline SVG geo map whose LSOA geometry can travel as a file."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.parse

import pytest

from layers.export import figure_bytes
from layers.maps import (
    MAP_LAYERS,
    OFFLINE_TOPOJSON_URL,
    geo_view,
    geojson_text,
    system_map,
    write_lsoa_geojson,
    write_once,
)
from layers.system import load_system
from tests.browser_harness import CHROMIUM
from tests.conftest import IN_CI


@pytest.fixture
def toy_system(toy_tables):
    return load_system("QXX", "utla", tables=toy_tables, vintage="2022")


def test_every_layer_is_an_svg_geo_trace_with_no_basemap(toy_system):
    fig = system_map(toy_system)
    assert [t.type for t in fig.data] == ["choropleth"] + ["scattergeo"] * 6
    # Each layer, plus the place and PCN names (SVG text, offline too).
    assert {t.name for t in fig.data} == {*MAP_LAYERS.values(), "Place names", "PCN names"}
    assert fig.layout.geo.visible is False  # land and coastlines would need the web
    assert fig.layout.map.style is None  # nothing on MapLibre
    lsoas = fig.data[0]
    assert list(lsoas.locations) == toy_system.lsoas["lsoa_code"].tolist()
    assert [f["id"] for f in lsoas.geojson["features"]] == list(lsoas.locations)


def test_the_view_is_the_ics_not_an_outlying_practice(toy_system):
    minx, miny, maxx, maxy = toy_system.ics.total_bounds
    geo = system_map(toy_system).layout.geo
    assert geo.lonaxis.range[0] < minx < maxx < geo.lonaxis.range[1]
    assert geo.lataxis.range[0] < miny < maxy < geo.lataxis.range[1]
    assert (geo.lonaxis.range[1] - geo.lonaxis.range[0]) < 1.1 * (maxx - minx)
    with pytest.raises(ValueError, match="positive width"):
        geo_view((1, 1, 1, 2))


def test_offline_topology_is_an_empty_topojson_whatever_plotly_appends():
    # plotly asks for <topojsonURL>/world_110m.json; that lands in the fragment
    url = OFFLINE_TOPOJSON_URL + "/world_110m.json"
    header, _, rest = url.partition(",")
    body = urllib.parse.unquote(rest.split("#")[0])
    assert header == "data:application/json"
    assert json.loads(body) == {"type": "Topology", "objects": {}, "arcs": []}


def test_geometry_file_is_content_addressed_and_matches_the_figure(toy_system, tmp_path):
    path = write_lsoa_geojson(toy_system, tmp_path)
    assert path.name.startswith("lsoas_QXX_") and path.suffix == ".json"
    written = json.loads(path.read_text())
    inline = system_map(toy_system).data[0].geojson
    assert written["features"] == json.loads(json.dumps(inline["features"]))
    modified = path.stat().st_mtime_ns
    assert write_lsoa_geojson(toy_system, tmp_path) == path  # same content, same file
    assert path.stat().st_mtime_ns == modified
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left


def test_figure_can_point_at_the_geometry_file(toy_system):
    fig = system_map(toy_system, layers=["lsoas"], lsoa_geojson="app/static/lsoas_QXX_x.json")
    assert fig.data[0].geojson == "app/static/lsoas_QXX_x.json"
    assert list(fig.data[0].locations) == toy_system.lsoas["lsoa_code"].tolist()


def test_geojson_text_checks_its_inputs(toy_system):
    with pytest.raises(KeyError, match="no column 'code'"):
        geojson_text(toy_system.lsoas, "code")
    with pytest.raises(ValueError, match="decimals"):
        geojson_text(toy_system.lsoas, "lsoa_code", decimals=0)


def test_map_exports_to_svg_with_one_path_per_lsoa_offline(toy_system):
    if not CHROMIUM.exists():
        if IN_CI:
            raise RuntimeError("CI=true but Chromium is missing: kaleido needs it")
        pytest.skip("Debian chromium is not installed")
    # kaleido's page is offline too: without the empty topology this raises
    # "unexpected error while fetching topojson file at https://cdn.plot.ly/…".
    svg = figure_bytes(system_map(toy_system, layers=["lsoas"]), "svg").decode()
    assert svg.count('class="choroplethlocation"') == len(toy_system.lsoas)


# --------------------------------------------------------------------------- static files


def test_geometry_file_comes_back_after_the_folder_is_emptied(toy_system, tmp_path):
    folder = tmp_path / "static"
    first = write_lsoa_geojson(toy_system, folder)
    text = first.read_text()
    shutil.rmtree(folder)  # the README says the folder is safe to empty
    again = write_lsoa_geojson(toy_system, folder)
    assert again == first and again.read_text() == text


def test_twenty_threads_writing_one_file_never_collide(tmp_path):
    text = json.dumps({"type": "FeatureCollection", "features": [{"id": i} for i in range(2000)]})
    for trial in range(10):
        path = tmp_path / f"trial{trial}" / "lsoas_QXX_abc.json"
        start = threading.Barrier(20)
        errors: list[BaseException] = []

        def write(path=path, start=start, errors=errors):
            start.wait()
            try:
                write_once(path, lambda: text)
            except BaseException as exc:  # collected and reported below
                errors.append(exc)

        threads = [threading.Thread(target=write) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert path.read_text() == text
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


# --------------------------------------------------------------------------- names (#18)


def _text_trace(figure, name):
    found = [trace for trace in figure.data if trace.name == name]
    assert len(found) == 1, [trace.name for trace in figure.data]
    assert found[0].mode == "text"
    return found[0]


def test_the_ics_map_names_qghs_places_inside_them_and_its_pcns_where_legible():
    import shapely

    system = load_system("QGH", vintage="2022")
    figure = system_map(system)
    places = _text_trace(figure, "Place names")
    assert sorted(places.text) == ["Herefordshire", "Worcestershire"]
    shapes = system.places.set_index("place_name").geometry
    for name, lon, lat in zip(places.text, places.lon, places.lat, strict=True):
        assert shapes[name].contains(shapely.Point(lon, lat)), name
    # 15 PCNs: few enough to name, but only those big enough to hold a name.
    pcns = _text_trace(figure, "PCN names")
    assert "East Herefordshire PCN" in pcns.text
    assert 0 < len(pcns.text) < len(system.pcns) == 15
    assert set(pcns.text) <= set(system.pcns["pcn_name"])
    # Names switch off with their layers.
    assert [t.type for t in system_map(system, layers=["lsoas"]).data] == ["choropleth"]


def test_too_many_pcns_are_not_named_but_places_always_are():
    from shapely.geometry import box

    from layers.maps import MAX_PCN_LABELS, name_labels, pcn_labels

    # A grid, so that every name has room and only the count decides.
    boxes = [box(i % 6, i // 6, i % 6 + 1, i // 6 + 1) for i in range(MAX_PCN_LABELS + 1)]
    names = [f"PCN {i}" for i in range(len(boxes))]
    assert len(pcn_labels(boxes, names).text) == 0
    assert len(pcn_labels(boxes[:-1], names[:-1]).text) == MAX_PCN_LABELS
    assert len(name_labels(boxes, names).text) == len(boxes)
    with pytest.raises(ValueError, match="Unknown label kind"):
        name_labels(boxes, names, "lsoas")


def test_the_tier_map_names_places_and_pcns():
    from layers import tiers
    from layers.figures import tiers as tier_figures

    system = load_system("QGH", vintage="2022")
    tables = tiers.tier_tables(system)
    geometry = tier_figures.map_geometry(system.pcns, system.places, system.ics.total_bounds)
    for layer in ("pcn", "place"):
        figure = tier_figures.tier_map(layer, tables, tiers.flag_units(tables), geometry, "QGH")
        assert sorted(_text_trace(figure, "Place names").text) == [
            "Herefordshire",
            "Worcestershire",
        ]
    assert (
        "East Herefordshire PCN"
        in _text_trace(
            figure_pcn := tier_figures.tier_map(
                "pcn", tables, tiers.flag_units(tables), geometry, "QGH"
            ),
            "PCN names",
        ).text
    )
    assert figure_pcn.data[-1].name == "Place names"


def test_exported_svg_of_the_map_carries_the_names_as_text():
    if not CHROMIUM.exists():
        if IN_CI:
            raise RuntimeError("CI=true but Chromium is missing: kaleido needs it")
        pytest.skip("Debian chromium is not installed")
    system = load_system("QGH", vintage="2022")
    svg = figure_bytes(system_map(system), "svg").decode()
    texts = [t.split(">", 1)[1] for t in svg.split("<text")[1:]]
    shown = " ".join(texts)
    assert "Herefordshire" in shown and "Worcestershire" in shown
    assert "East Herefordshire PCN" in shown


def test_names_that_would_overlap_are_moved_inside_their_area_or_dropped_for_pcns():
    import shapely
    from shapely.geometry import box

    from layers.maps import name_labels, pcn_labels

    # Two neighbours side by side on a map wide enough that their long names, drawn at
    # the same height, would run into each other; a big third place sets the scale.
    west, east, rest = box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 8, 5)
    names = ["Hammersmith and Fulham", "Kensington and Chelsea", "Elsewhere"]
    trace = name_labels([west, east, rest], names)
    assert sorted(trace.text) == sorted(names)
    at = {name: (lon, lat) for name, lon, lat in zip(trace.text, trace.lon, trace.lat, strict=True)}
    for shape, name in zip([west, east, rest], names, strict=True):
        assert shape.contains(shapely.Point(*at[name])), name
    line = 1.3 * 14 * 5 / 520  # one line of 14 px text, in degrees, at this extent
    assert abs(at[names[0]][1] - at[names[1]][1]) >= line * 0.99
    # Two thin PCN strips, one line apart at most: the second name has no free line
    # inside its own footprint, so it is left to the hover.
    big, lower, upper = box(0, 0.16, 4, 4), box(0, 0, 4, 0.08), box(0, 0.08, 4, 0.16)
    named = pcn_labels([big, lower, upper], ["Big PCN", "Lower PCN", "Upper PCN"]).text
    assert list(named) == ["Big PCN", "Lower PCN"]
