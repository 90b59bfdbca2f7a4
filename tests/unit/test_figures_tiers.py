"""Figures of the population tiers (layers.figures.tiers) on hand-made data with known answers.

The toy ICS (``toy_tables``): PCN A holds P1 (60) and P2 (25); PCN B holds P3 (115);
P4 (40) is in no PCN; place D1 holds P1, P2, P4 (125) and D2 holds P3 (115).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

import layers
from layers import slides, tiers
from layers._checks import MissingColumnsError
from layers.figures import tiers as figures
from layers.individuals import aggregate_individuals
from layers.risk import RISK_TIERS
from tests.conftest import REPO_ROOT

#: Bands that put the toy's units on every side: P2 below, P3 above; A below; D1 above.
BANDS = {"practice": (30, 100), "pcn": (100, 200), "place": (100, 120), "ics": (200, 300)}


@pytest.fixture
def toy(toy_tables):
    return layers.load_system("QXX", "ltla", tables=toy_tables, vintage="2022")


@pytest.fixture
def toy_flags(toy):
    tables = tiers.tier_tables(toy)
    return tables, tiers.flag_units(tables, BANDS)


def people(spec: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [
        (p, tier, 1) for p, tiers_ in spec.items() for tier, n in tiers_.items() for _ in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["practice_code", "risk_tier", "imd_decile"])
    frame["risk_tier"] = pd.Categorical(frame["risk_tier"], categories=RISK_TIERS, ordered=True)
    return frame


def test_figures_never_import_streamlit():
    code = "import sys, layers.figures.tiers; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0


# --------------------------------------------------------------------------- ladder


def test_ladder_draws_every_unit_once_with_its_flag(toy_flags):
    tables, flags = toy_flags
    summary = tiers.tier_summary(tables, BANDS, flags=flags)
    figure = figures.ladder(summary, flags, "Toy")
    by_name = {trace.name: trace for trace in figure.data}
    # Practices P2 (below), A and B (below, within), D1 above, D2 within, ICS 240 within.
    assert len(by_name["Below band"].x) == 2  # P2, PCN A
    assert sorted(by_name["Above band"].x) == [115, 125]  # P3, place D1
    assert sum(len(t.x) for t in figure.data if t.name != "Median unit") == len(flags)
    assert list(by_name["Median unit"].x) == [50.0, 100.0, 120.0, 240.0]
    assert [(s.x0, s.x1) for s in figure.layout.shapes] == list(BANDS.values())
    assert figure.layout.title.text == "Toy"
    assert "2 outside band" in figure.layout.yaxis.ticktext[1]  # practices P2 and P3


# --------------------------------------------------------------------------- band counts


def test_band_counts_are_shares_labelled_with_counts(toy_flags):
    _, flags = toy_flags
    figure = figures.band_counts(flags, BANDS)
    traces = {trace.name: trace for trace in figure.data}
    layers_ = list(traces["Below band"].y)
    assert layers_ == ["Places<br>(100–120)", "PCNs<br>(100–200)", "GP practices<br>(30–100)"]
    assert list(traces["Below band"].text) == ["", "1", "1"]
    assert list(traces["Within band"].text) == ["1", "1", "2"]
    assert list(traces["Above band"].text) == ["1", "", "1"]
    total = sum(np.asarray(trace.x, dtype=float) for trace in figure.data)
    np.testing.assert_allclose(total, 100.0)
    assert {t.marker.pattern.shape for t in figure.data} == {".", "", "/"}  # not colour alone


# --------------------------------------------------------------------------- map


def test_patterns_stay_inside_their_polygons():
    triangle = Polygon([(0, 0), (1, 0), (0, 1)])
    lon, lat = figures.hatch_coordinates([triangle, box(2, 0, 3, 1)], spacing=0.1)
    points = ~np.isnan(lon)
    assert points.sum() > 20
    shapes = triangle.union(box(2, 0, 3, 1)).buffer(1e-9)
    inside = [shapes.contains(Point(x, y)) for x, y in zip(lon[points], lat[points], strict=True)]
    assert all(inside)
    dots_lon, dots_lat = figures.dot_coordinates([triangle], spacing=0.1)
    assert len(dots_lon) > 10
    assert ((dots_lon + dots_lat) < 1).all()
    tiny = box(0, 0, 0.001, 0.001)
    assert len(figures.dot_coordinates([tiny], spacing=0.1)[0]) == 1
    assert len(figures.hatch_coordinates([])[0]) == 0
    with pytest.raises(ValueError, match="spacing"):
        figures.dot_coordinates([triangle], spacing=0)


def test_tier_map_patterns_only_the_flagged_areas(toy, toy_flags):
    tables, flags = toy_flags
    geometry = figures.map_geometry(toy.pcns, toy.places, toy.ics.total_bounds)
    asked = []

    def patterns(layer, kind, codes):
        asked.append((layer, kind, codes))
        return figures.pattern_coordinates(geometry, layer, kind, codes)

    places = figures.tier_map("place", tables, flags, geometry, "Toy", patterns=patterns)
    d1 = toy.places.loc[toy.places["place_code"] == "D1", "place_code"].iloc[0]
    assert asked == [("place", "hatch", (d1,))]  # D1 above; nothing below
    choropleth = places.data[0]
    assert dict(zip(choropleth.locations, choropleth.z, strict=True)) == {"D1": 2, "D2": 1}
    assert [t.name for t in places.data[1:]] == [
        "Above band (hatched)",
        "Places",
        "Place names",
    ]
    assert list(places.data[-1].text) == toy.places["place_name"].tolist()
    asked.clear()
    pcns = figures.tier_map("pcn", tables, flags, geometry, "Toy", patterns=patterns)
    assert asked == [("pcn", "dots", ("A",))]  # A below, B within
    assert pcns.data[0].customdata[0][2] == "85"  # formatted patients on hover


def test_tier_map_of_practices_rings_those_outside(toy_flags, toy):
    tables, flags = toy_flags
    geometry = figures.map_geometry(toy.pcns, toy.places, toy.ics.total_bounds)
    figure = figures.tier_map("practice", tables, flags, geometry, "Toy")
    rings = next(t for t in figure.data if t.name == "Outside band (ring)")
    assert len(rings.lon) == 2  # P2 below, P3 above
    with pytest.raises(ValueError, match="map layer"):
        figures.tier_map("ics", tables, flags, geometry, "Toy")
    bare = tiers.example_tables()  # no coordinates: a clear error, not a KeyError
    with pytest.raises(MissingColumnsError, match="longitude"):
        figures.tier_map("practice", bare, tiers.flag_units(bare), geometry, "Toy")


# --------------------------------------------------------------------------- age and risk


def test_pyramid_shares_add_to_100():
    structure = pd.DataFrame(
        [np.arange(91, dtype=float)], index=pd.Index(["P"], name="practice_code")
    ).set_axis([f"age_{a}" for a in range(91)], axis=1)
    rows = tiers.pyramid_from_structure(structure)
    figure = figures.pyramid(rows, rows, "P")
    female, male = figure.data[0], figure.data[2]
    assert -np.sum(female.x) + np.sum(male.x) == pytest.approx(100.0)
    assert (np.asarray(female.x) <= 0).all() and (np.asarray(male.x) >= 0).all()


def test_risk_figures_draw_the_rounded_counts_only(toy):
    spec = {"P1": {"high": 3, "rising": 20, "low": 37}, "P2": {"low": 25}}
    spec |= {"P3": {"high": 12, "low": 103}, "P4": {"low": 40}}
    counts = aggregate_individuals(people(spec), ["practice_code", "risk_tier", "imd_decile"])
    table = tiers.risk_tiers_by_unit(counts, tiers.tier_tables(toy), "place")
    names = dict(zip(toy.places["place_code"], toy.places["place_name"], strict=True))
    figure = figures.people_at_risk(table, "Places")
    high = next(t for t in figure.data if t.name.startswith("High"))
    labels = dict(zip(high.y, high.text, strict=True))
    lengths = dict(zip(high.y, high.x, strict=True))
    assert labels == {names["D1"]: "*", names["D2"]: "10"}  # 3 suppressed, 12 rounds to 10
    assert lengths == {names["D1"]: 0.0, names["D2"]: 10.0}  # no bar reveals the 3
    assert figure.layout.xaxis.showticklabels is False
    shares = figures.risk_shares(table, "Places", "Risk")
    low = dict(zip(shares.data[0].y, shares.data[0].x, strict=True))
    assert low[names["D2"]] == pytest.approx(100 * 105 / 115)  # 103 → 105 of 115


# --------------------------------------------------------------------------- the slide


def test_the_tiers_slide_is_the_page_figures_side_by_side(toy):
    spec = {"P1": {"high": 3, "rising": 20, "low": 37}, "P2": {"low": 25}}
    spec |= {"P3": {"high": 12, "low": 103}, "P4": {"low": 40}}
    slide = slides.tiers_slide(toy, "S", individuals=people(spec))
    tables = tiers.tier_tables(toy)
    counts = aggregate_individuals(people(spec), ["practice_code", "risk_tier", "imd_decile"])
    units = figures.band_counts(tiers.flag_units(tables), tiers.DEFAULT_BANDS)
    at_risk = figures.people_at_risk(tiers.risk_tiers_by_unit(counts, tables, "place"))

    def drawn(traces):
        return [(t.name, list(t.y), list(t.x), list(t.text)) for t in traces]

    assert drawn(t for t in slide.figure.data if t.xaxis == "x") == drawn(units.data)
    assert drawn(t for t in slide.figure.data if t.xaxis == "x2") == drawn(at_risk.data)
    assert slide.figure.layout.xaxis2.showticklabels is False
