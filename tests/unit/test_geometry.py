"""Dissolving LSOAs: the fast coverage union gives the overlay's shapes (hand-made and real)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from layers.geometry import COORDINATE_GRID_DEG, dissolve
from layers.system import load_system


def _frame(keys, shapes):
    return gpd.GeoDataFrame({"k": keys}, geometry=shapes, crs=4326)


def test_a_vertex_on_a_neighbours_edge_still_dissolves_to_one_square():
    # The bottom box has no vertex at (1, 1), where the two top boxes meet.
    shapes = [box(0, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    out = dissolve(_frame(["a"] * 3, shapes), "k")
    assert out.geometry.iloc[0].geom_type == "Polygon"
    assert out.geometry.iloc[0].equals(box(0, 0, 2, 2))


def test_overlapping_parts_are_not_a_coverage_and_still_union_exactly():
    out = dissolve(_frame(["a", "a"], [box(0, 0, 2, 2), box(1, 1, 3, 3)]), "k")
    assert out.geometry.iloc[0].area == pytest.approx(7.0)
    assert out.geometry.iloc[0].is_valid


def test_separate_pieces_stay_a_multipolygon():
    out = dissolve(
        _frame(["a", "a", "b"], [box(0, 0, 1, 1), box(5, 5, 6, 6), box(1, 0, 2, 1)]), "k"
    )
    first, second = out.geometry
    assert first.geom_type == "MultiPolygon" and len(first.geoms) == 2
    assert second.equals(box(1, 0, 2, 1))


@pytest.mark.parametrize(("code", "vintage"), [("QGH", "2022"), ("QRV", "2022"), ("QGH", "2026")])
def test_places_and_pcn_footprints_equal_the_overlay_on_the_grid(code, vintage):
    system = load_system(code, vintage=vintage)
    for layer, key, column in (
        (system.places, "place_code", "place_code"),
        (system.pcns, "pcn_code", "footprint_pcn_code"),
    ):
        shapes = layer.set_index(key).geometry
        for unit, group in system.lsoas.dropna(subset=[column]).groupby(column):
            overlay = shapely.union_all(group.geometry.to_numpy(), grid_size=COORDINATE_GRID_DEG)
            assert shapes[unit].equals(overlay), (code, vintage, unit)
            assert shapes[unit].geom_type == overlay.geom_type
    outline = system.ics.geometry.iloc[0]
    assert outline.equals(shapely.union_all(np.asarray(system.lsoas.geometry), grid_size=1e-5))
