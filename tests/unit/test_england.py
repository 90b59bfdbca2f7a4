"""The England map's shapes: hand-made polygons with known answers, then the real data."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from layers import england
from layers.export import figure_bytes
from layers.geodata import read_table
from layers.maps import collect_polygons
from tests.browser_harness import CHROMIUM
from tests.conftest import IN_CI

# ----------------------------------------------------------------- collect_polygons


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Five unit cells: a holed square and an island pair in group a, two plain in b."""
    holed = Polygon(
        [(0, 0), (3, 0), (3, 3), (0, 3)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]]
    )  # area 8
    islands = MultiPolygon([box(10, 0, 11, 1), box(12, 0, 13, 1)])  # area 2
    return gpd.GeoDataFrame(
        {"group": ["a", "b", "a", "b", "c"], "name": list("vwxyz")},
        geometry=[holed, box(3, 0, 4, 1), islands, box(4, 0, 5, 1), box(20, 0, 21, 1)],
        crs=4326,
    )


def test_collect_keeps_every_polygon_and_hole(squares):
    groups = collect_polygons(squares, "group").set_index("group")
    assert groups["n_rows"].to_dict() == {"a": 2, "b": 2, "c": 1}
    assert [len(groups.geometry[g].geoms) for g in "abc"] == [3, 2, 1]
    # Nothing dissolved: b's two touching squares stay two polygons, the hole stays.
    assert groups.geometry["a"].area == pytest.approx(10)
    assert groups.geometry["b"].area == pytest.approx(2)
    assert shapely.get_num_interior_rings(shapely.get_parts(groups.geometry["a"])).sum() == 1
    assert groups.crs == squares.crs


def test_collect_order_of_rows_does_not_matter(squares):
    shuffled = squares.sample(frac=1, random_state=3)
    a = collect_polygons(squares, "group")
    b = collect_polygons(shuffled, "group")
    assert a["group"].tolist() == b["group"].tolist() == ["a", "b", "c"]
    for left, right in zip(a.geometry, b.geometry, strict=True):
        assert left.normalize().equals(right.normalize())


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: f.drop(columns="group"), KeyError, "no column 'group'"),
        (lambda f: f.assign(group=[None, "b", "a", "b", "c"]), ValueError, "missing values"),
        (lambda f: f.set_geometry([Point(0, 0)] * 5), ValueError, "needs polygons"),
        (lambda f: f.set_geometry([Polygon(), *f.geometry[1:]]), ValueError, "empty"),
        (lambda f: pd.DataFrame(f), TypeError, "GeoDataFrame"),
    ],
)
def test_collect_refuses_bad_input(squares, change, error, message):
    with pytest.raises(error, match=message):
        collect_polygons(change(squares), "group")


# ---------------------------------------------------------------------- lsoa_classes


def test_population_classes_are_tenths_with_whole_number_labels():
    values = pd.Series(np.arange(1, 201), index=np.arange(1, 201) * 7)
    classes, labels = england.lsoa_classes(values, "population")
    assert classes.index.equals(values.index)
    assert classes.value_counts().sort_index().tolist() == [20] * 10
    assert labels[0] == "1–20" and labels[4] == "81–100" and labels[-1] == "181–200"
    # Labels cover every whole number once, with no gaps.
    bounds = [tuple(int(x.replace(",", "")) for x in label.split("–")) for label in labels]
    assert all(high + 1 == low for (_, high), (low, _) in itertools.pairwise(bounds))


def test_imd_classes_are_the_deciles():
    classes, labels = england.lsoa_classes(pd.Series([3, 1, 10]), "imd_decile")
    assert classes.tolist() == [3, 1, 10]
    assert labels[0] == "1 (most deprived)" and labels[9] == "10 (least deprived)"


@pytest.mark.parametrize(
    ("values", "measure", "message"),
    [
        (pd.Series([1, 11]), "imd_decile", "whole numbers from 1 to 10"),
        (pd.Series([1.0, np.nan]), "population", "missing"),
        (pd.Series([], dtype=float), "population", "missing"),
        (pd.Series([5, -1]), "population", "negative"),
        (pd.Series([1, 2]), "density", "Unknown measure"),
    ],
)
def test_lsoa_classes_refuse_bad_values(values, measure, message):
    with pytest.raises(ValueError, match=message):
        england.lsoa_classes(values, measure)


def test_group_ics():
    assert england.group_ics("QE1/10") == "QE1"
    with pytest.raises(ValueError, match="not an England map shape id"):
        england.group_ics("QE1")


# ------------------------------------------------------------------------ real data


def test_every_imd_decile_holds_a_tenth_of_englands_lsoas():
    groups = england.england_groups("imd_decile", vintage="2022")
    per_decile = groups.groupby("colour_class")["n_lsoas"].sum()
    # IMD deciles are tenths of the 32,844 LSOAs by definition.
    assert per_decile.index.tolist() == list(range(1, 11))
    assert per_decile.between(3284, 3285).all()
    assert per_decile.sum() == 32_844
    assert groups["population"].sum() == 56_550_138  # ONS mid-2020, England
    assert groups["icb_code"].nunique() == 42


def test_population_tenths_on_real_lsoas():
    classes = england.england_lsoa_classes("population", vintage="2022")
    counts = classes["colour_class"].value_counts()
    assert counts.index.sort_values().tolist() == list(range(1, 11))
    assert counts.between(3200, 3400).all()  # ties may move a few LSOAs
    # Each LSOA's residents fall inside its class's label.
    bounds = classes["class_label"].str.replace(",", "").str.split("–", expand=True).astype(int)
    assert ((classes["population"] >= bounds[0]) & (classes["population"] <= bounds[1])).all()


@pytest.fixture(scope="module")
def imd_geojson() -> dict:
    return json.loads(england.england_geojson_text("imd_decile", vintage="2022"))


def test_geojson_ids_are_the_figures_locations(imd_geojson):
    ids = [feature["id"] for feature in imd_geojson["features"]]
    figure = england.england_map("england.json", "imd_decile", vintage="2022")
    assert (
        ids
        == list(figure.data[0].locations)
        == england.england_groups(vintage="2022")["group_id"].tolist()
    )


def test_geojson_draws_every_lsoa_polygon_unchanged(imd_geojson):
    light = read_table("lsoa_geometry_light", vintage="2022")
    parts = shapely.get_parts(light.geometry.to_numpy())
    shapes = gpd.GeoDataFrame.from_features(imd_geojson["features"], crs=4326)
    drawn = shapely.get_parts(shapes.geometry.to_numpy())
    assert len(drawn) == len(parts) >= 32_844
    holes = shapely.get_num_interior_rings
    assert holes(drawn).sum() == holes(parts).sum()
    # Rounded to 4 decimals (about 10 m) only: areas agree to well under 0.1%.
    assert shapes.to_crs(27700).area.sum() == pytest.approx(light.to_crs(27700).area.sum(), 1e-4)


def test_a_shape_is_its_ics_lsoas_of_that_decile(imd_geojson):
    classes = england.england_lsoa_classes("imd_decile", vintage="2022")
    chosen = classes[classes["group_id"] == "QGH/1"]["lsoa_code"]
    light = read_table("lsoa_geometry_light", vintage="2022").set_index("lsoa_code")
    expected = light.loc[chosen].to_crs(27700).area.sum()
    feature = next(f for f in imd_geojson["features"] if f["id"] == "QGH/1")
    shape = gpd.GeoSeries([shapely.geometry.shape(feature["geometry"])], crs=4326)
    assert len(chosen) > 0
    assert shape.to_crs(27700).area.iloc[0] == pytest.approx(expected, rel=1e-3)


def test_england_map_hover_and_legend():
    figure = england.england_map("england.json", "population", vintage="2022")
    lsoas, outlines = figure.data
    assert (lsoas.type, outlines.type) == ("choropleth", "scattergeo")
    assert len(lsoas.colorbar.ticktext) == 10 and "–" in lsoas.colorbar.ticktext[0]
    groups = england.england_groups("population", vintage="2022").set_index("group_id")
    row = list(lsoas.locations).index("QGH/10")
    name, code, label, n_lsoas, residents = lsoas.customdata[row]
    assert (name, code, label) == (
        groups.loc["QGH/10", "icb_name"],
        "QGH",
        groups.loc["QGH/10", "class_label"],
    )
    assert (n_lsoas, residents) == tuple(groups.loc["QGH/10", ["n_lsoas", "population"]])
    assert "Click to open this ICS's map" in lsoas.hovertemplate
    assert outlines.hoverinfo == "skip"
    assert figure.layout.geo.visible is False  # no basemap: nothing to fetch


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"measure": "density"}, "Unknown measure"), ({"height": 10}, "at least 200")],
)
def test_england_map_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        england.england_map("england.json", **kwargs, vintage="2022")


def test_england_geojson_written_once_per_measure(tmp_path):
    first = england.write_england_geojson(tmp_path, "imd_decile", vintage="2022")
    again = england.write_england_geojson(tmp_path, "imd_decile", vintage="2022")
    other = england.write_england_geojson(tmp_path, "population", vintage="2022")
    assert first == again and first != other
    assert first.name.startswith("england_lsoas_imd_decile_")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, other.name])
    assert len(json.loads(other.read_text())["features"]) == len(
        england.england_groups("population", vintage="2022")
    )


def test_england_export_draws_every_shape_offline():
    if not CHROMIUM.exists():
        if IN_CI:
            raise RuntimeError("CI=true but Chromium is missing: kaleido needs it")
        pytest.skip("Debian chromium is not installed")
    geojson = json.loads(england.england_geojson_text("imd_decile", vintage="2022"))
    svg = figure_bytes(england.england_map(geojson, vintage="2022"), "svg").decode()
    assert svg.count('class="choroplethlocation"') == len(geojson["features"]) == 417
