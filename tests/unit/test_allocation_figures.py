"""Allocation figures (layers.figures.allocation): readable axes, diverging maps, one chart.

Hand-made frames with known answers; the slide is checked to draw the page's figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import layers
from layers import slides
from layers.allocation import (
    allocate,
    allocation_summary,
    default_catalogue,
    default_scenario,
    example_practices,
)
from layers.figures import allocation as figures


def test_axis_range_never_spans_floating_point_noise():
    # Equal per head against itself: values 2e-7 apart get a £1 axis centred on them.
    low, high = figures.axis_range([1500.8260675, 1500.8260677], 1.0, pad=0.0)
    assert high - low == pytest.approx(1.0)
    assert (low + high) / 2 == pytest.approx(1500.8260676)
    # A real spread keeps its own span plus the margin.
    assert figures.axis_range([1480.0, 1520.0], 1.0, pad=0.1) == [1476.0, 1524.0]
    # Bars include zero and pad only the sides they reach; all-zero bars still get an axis.
    assert figures.axis_range([0.0, 0.0], 1.0, include_zero=True, pad=0.2) == [-0.7, 0.7]
    assert figures.axis_range([2.0, 5.0], 1.0, include_zero=True, pad=0.2) == [0.0, 6.0]
    assert figures.axis_range([np.nan, 3.0], 1.0) == [2.38, 3.62]
    with pytest.raises(ValueError, match="minimum_span"):
        figures.axis_range([1.0], 0.0)


def _places(per_head: list[float]) -> pd.DataFrame:
    codes = [f"P{i}" for i in range(len(per_head))]
    return pd.DataFrame(
        {
            "place_code": codes,
            "place_name": [f"Place {c}" for c in codes],
            "pounds": [v * 1000 for v in per_head],
            "population": [1000] * len(per_head),
            "pounds_per_head": per_head,
        }
    )


@pytest.mark.parametrize(
    ("per_head", "centre", "limits"),
    [
        # A £37 gap around a £1,500 average: well inside ±5% (±£75), not the two ends.
        ([1485.5, 1522.9], 1500.0, (1425.0, 1575.0)),
        # A real spread wider than 5% sets the scale, still centred on the average.
        ([1300.0, 1550.0], 1500.0, (1300.0, 1700.0)),
        # Everyone equal: the neutral colour, on a scale of ±5%.
        ([1500.0, 1500.0], 1500.0, (1425.0, 1575.0)),
    ],
)
def test_per_head_map_is_centred_on_the_ics_average(per_head, centre, limits):
    figure = figures.per_head_map(
        _places(per_head),
        {"type": "FeatureCollection", "features": []},
        id_column="place_code",
        name_column="place_name",
        centre=centre,
        bounds=(-2.0, 52.0, -1.0, 53.0),
        title="£ per head",
    )
    trace = figure.data[0]
    assert (trace.zmin, trace.zmax) == pytest.approx(limits)
    assert trace.colorscale[0][1] != trace.colorscale[-1][1]  # diverging, two ends


def test_tier_bars_stack_the_money_of_each_tier_that_holds_some():
    practices = example_practices()
    out = allocate(practices, default_catalogue(), 4000)
    summary = allocation_summary(out, practices).assign(place_name=["Ex", "Why"])
    figure = figures.tier_bars(summary, "By tier")
    bars = [t for t in figure.data if t.type == "bar"]
    # The neutral catalogue delegates nothing to places: no empty "Place" bar.
    assert [t.name for t in bars] == [
        "Commissioned by ICS",
        "Commissioned by PCN",
        "Commissioned by Practice",
    ]
    stacked = np.sum([t.x for t in bars], axis=0)
    order = summary.sort_values("pounds_per_head")
    assert stacked == pytest.approx(order["pounds_per_head"].to_numpy())
    assert len({t.marker.pattern.shape for t in bars}) == len(bars)  # not by colour alone


def test_the_allocation_slide_is_the_page_figure_restyled():
    system = layers.load_system("QWU", vintage="2022")
    frame = slides.practice_frame_for(system)
    slide = slides.allocation_slide(system, practices=frame)
    summary = allocation_summary(default_scenario(frame).run(frame), frame, "place")
    page = figures.tier_bars(summary, "Page title")
    for drawn, ours in zip(slide.figure.data, page.data, strict=True):
        assert drawn.name == ours.name
        assert list(drawn.y) == list(ours.y)
        assert np.allclose(drawn.x, ours.x)
    assert slide.figure.layout.title.text is None  # the slide carries its own title
    assert slide.figure.layout.font.size == 22  # restyled for a projector
