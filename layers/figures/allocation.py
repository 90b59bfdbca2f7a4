"""Figures of service allocation: the page's charts and map, reused by its slide.

Every function takes the library's frames (:mod:`layers.allocation`) and returns a
plotly figure with its title, axis titles with units and the money/data note under the
title. :func:`layers.slides.allocation_slide` restyles :func:`tier_bars` for a projector;
the Service allocation page draws all of them.

Two rules keep small differences small:

* a £-per-head map is **diverging**, centred on the ICS average and never narrower than
  :data:`MAP_MINIMUM_SHARE` of it either side (:func:`layers.style.diverging_range`), so
  a £37 gap is not painted as opposite extremes;
* an axis never spans less than a meaningful unit (:func:`axis_range`): £1 per head,
  one percentage point. Floating-point noise never fills a chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from layers import format as fmt
from layers._checks import require_frame
from layers.allocation.catalogue import COMPONENT_NAMES, COMPONENTS, TIER_NAMES, TIERS
from layers.allocation.need import INDEX_COLUMNS
from layers.geodata import DATA_VINTAGE
from layers.maps import geo_view
from layers.style import (
    DIVERGING_SCALE,
    GRID_COLOUR,
    NOTE_FONT,
    OKABE_ITO,
    OS_ATTRIBUTION,
    SEQUENTIAL_SCALE,
    TIER_COLOURS,
    TIER_PATTERNS,
    diverging_range,
    note_annotation,
    note_height,
    source_note,
    wrap_text,
)
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "DISTANCE_LIMIT",
    "MAP_MINIMUM_SHARE",
    "MINIMUM_PERCENT_SPAN",
    "MINIMUM_POUNDS_SPAN",
    "MONEY_NOTE",
    "PRICES",
    "axis_range",
    "difference_bars",
    "distance_bars",
    "fair_share_change_chart",
    "former_ccg_dumbbell",
    "need_heatmap",
    "per_head_map",
    "tier_bars",
]

#: The price base of every £ on the page.
#: Money is the budget the user enters, in cash: no year's prices are implied.
PRICES = "cash terms"
#: The note under every money figure.
MONEY_NOTE = f"Money in {PRICES}; the budget is a user input."
#: A £-per-head map's colour scale reaches at least this share of the ICS average
#: either side of it (5%: a unit 5% above the average is at the end of the scale).
MAP_MINIMUM_SHARE = 0.05
#: The narrowest span of a £-per-head axis (£1) and of a percentage axis (1 point).
MINIMUM_POUNDS_SPAN = 1.0
MINIMUM_PERCENT_SPAN = 1.0
#: Units drawn in the distance-from-target chart: the furthest from target.
DISTANCE_LIMIT = 40

_OVER, _UNDER = OKABE_ITO[1], OKABE_ITO[0]  # orange over target / blue under
_MORE, _LESS = OKABE_ITO[2], OKABE_ITO[3]  # green A more than B / pink A less
_CURRENT, _UNIFIED = OKABE_ITO[0], OKABE_ITO[5]


def axis_range(
    values: ArrayLike,
    minimum_span: float,
    *,
    include_zero: bool = False,
    pad: float = 0.12,
) -> list[float]:
    """An axis range that shows the values and never spans less than ``minimum_span``.

    Parameters
    ----------
    values : array_like
        The plotted values; missing values are ignored.
    minimum_span : float
        The narrowest axis, in the values' unit (for example £1 per head): values that
        differ by floating-point noise sit in the middle of a readable axis.
    include_zero : bool, default False
        For bars: the axis includes zero, and only the sides the bars reach are padded
        (for the labels outside the bars' ends).
    pad : float, default 0.12
        Room beyond the values, as a share of the span.

    Returns
    -------
    list of float
        ``[low, high]``.

    Examples
    --------
    >>> axis_range([1500.8260675, 1500.8260677], 1.0, pad=0.0)
    [1500.3260676, 1501.3260676]
    >>> axis_range([-2.0, 8.0], 1.0, include_zero=True, pad=0.1)
    [-3.0, 9.0]
    >>> axis_range([], 1.0, include_zero=True, pad=0.0)
    [-0.5, 0.5]
    """
    if not np.isfinite(minimum_span) or minimum_span <= 0:
        raise ValueError(f"minimum_span must be a positive number, got {minimum_span!r}")
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    low = float(array.min()) if array.size else 0.0
    high = float(array.max()) if array.size else 0.0
    if include_zero:
        low, high = min(0.0, low), max(0.0, high)
    if high - low < minimum_span:
        middle = (low + high) / 2
        low, high = middle - minimum_span / 2, middle + minimum_span / 2
    margin = pad * (high - low)
    if include_zero:
        return [low - margin if low < 0 else low, high + margin if high > 0 else high]
    return [round(low - margin, 10), round(high + margin, 10)]


def _layout(
    figure: go.Figure,
    title: str,
    height: int,
    x_title: str = "",
    y_title: str = "",
    note: str = MONEY_NOTE,
    data_line: str = DATA_VINTAGE,
) -> go.Figure:
    """Title with the money and data note under it, axis titles with units, white ground."""
    figure.update_layout(
        title={
            "text": title,
            "x": 0.01,
            # Wrapped: the 2026 data line alone is over 200 characters.
            "subtitle": {
                "text": wrap_text(f"{note} {source_note(data_line)}", 170),
                "font": NOTE_FONT,
            },
        },
        height=height,
        margin={"l": 10, "r": 70, "t": 80, "b": 80},
        xaxis={
            "title": {"text": x_title},
            "gridcolor": GRID_COLOUR,
            "zerolinecolor": "#768692",
            "automargin": True,
        },
        yaxis={"title": {"text": y_title}, "gridcolor": GRID_COLOUR, "automargin": True},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
    )
    return figure


def _hatch(shapes: object) -> dict:
    """A white pattern over the bar colour, so meaning never rests on colour alone."""
    return {"shape": shapes, "fgcolor": "rgba(255,255,255,0.65)", "fillmode": "overlay"}


def _signed_bars(
    names: Sequence[str] | np.ndarray,
    values: ArrayLike,
    colours: tuple[str, str],
    text: list[str],
    hover: str,
) -> go.Figure:
    """Horizontal bars of a signed measure, the bars at or above zero in the first colour.

    Those bars are hatched as well, so the sign never rests on colour alone.

    Parameters
    ----------
    names : sequence of str
        The bars' labels, bottom to top.
    values : array_like
        The measure; zero counts with the positive bars.
    colours : tuple of (str, str)
        Colour of the bars at or above zero, and of those below.
    text : list of str
        Each bar's label beside it.
    hover : str
        The hover template.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    positive = np.asarray(values) >= 0
    return go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker={
                "color": np.where(positive, *colours),
                "pattern": _hatch(np.where(positive, "/", "").tolist()),
            },
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=hover,
        )
    )


def tier_bars(summary: pd.DataFrame, title: str, *, data_line: str = DATA_VINTAGE) -> go.Figure:
    """£ per head of each place, stacked by the tier that commissions the money.

    Parameters
    ----------
    summary : DataFrame
        :func:`layers.allocation.allocation_summary` by place: ``place_name``,
        ``population``, ``pounds_per_head`` and ``<tier>_pence`` for each tier.
    title : str
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure
        One hatched bar per tier that holds money (places sorted by £ per head), and
        each place's total written beyond its bar.

    Examples
    --------
    >>> from layers.allocation import allocate, allocation_summary, example_practices
    >>> from layers.allocation import default_catalogue
    >>> out = allocate(example_practices(), default_catalogue(), 4000)
    >>> summary = allocation_summary(out, example_practices()).assign(place_name=["Ex", "Why"])
    >>> figure = tier_bars(summary, "By tier")
    >>> [trace.name for trace in figure.data if trace.type == "bar"]
    ['Commissioned by ICS', 'Commissioned by PCN', 'Commissioned by Practice']
    """
    columns = ["place_name", "population", "pounds_per_head", *(f"{t}_pence" for t in TIERS)]
    require_frame(summary, columns, "summary")
    order = summary.sort_values("pounds_per_head")
    names = order["place_name"].astype(str).tolist()
    population = order["population"].to_numpy(dtype=float)
    figure = go.Figure()
    for tier in TIERS:
        pence = order[f"{tier}_pence"].to_numpy(dtype=float)
        if not pence.any():
            continue  # a tier that commissions nothing has no bar and no legend entry
        values = pence / 100 / population
        figure.add_trace(
            go.Bar(
                y=names,
                x=values,
                cliponaxis=False,
                orientation="h",
                name=f"Commissioned by {TIER_NAMES[tier]}",
                marker={"color": TIER_COLOURS[tier], "pattern": _hatch(TIER_PATTERNS[tier])},
                text=[fmt.pounds(v) for v in values],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate="%{y}<br>" + TIER_NAMES[tier] + ": £%{x:,.2f} per head"
                "<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            y=names,
            x=order["pounds_per_head"],
            cliponaxis=False,
            mode="text",
            text=[f"  {fmt.pounds(v)}" for v in order["pounds_per_head"]],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    figure.update_layout(barmode="stack", uniformtext={"minsize": 9, "mode": "hide"})
    return _layout(
        figure, title, 120 + 45 * len(order), f"£ per head ({PRICES})", data_line=data_line
    )


def per_head_map(
    units: pd.DataFrame,
    geojson: dict,
    *,
    id_column: str,
    name_column: str,
    centre: float,
    bounds: Sequence[float],
    title: str,
    uirevision: str | None = None,
    data_line: str = DATA_VINTAGE,
) -> go.Figure:
    """£ per head by area, on a diverging scale centred on the ICS average.

    Hovering over an area gives its name, code, £, population and £ per head; the
    colour bar names the ICS average at its middle.

    Parameters
    ----------
    units : DataFrame
        :func:`layers.allocation.allocation_summary` rows of the areas drawn:
        ``id_column``, ``name_column``, ``pounds``, ``population``, ``pounds_per_head``.
    geojson : dict
        Feature collection whose feature ids are the ``id_column`` values.
    id_column, name_column : str
        The areas' codes (matched to the GeoJSON) and names (shown on hover).
    centre : float
        The ICS's £ per head: the neutral middle of the scale.
    bounds : sequence of float
        ``(minx, miny, maxx, maxy)`` of the ICS, to frame the map.
    title : str
        The figure's title.
    uirevision : str, optional
        Keeps the user's zoom while only the values change.

    Returns
    -------
    plotly.graph_objects.Figure
        The scale spans at least ±:data:`MAP_MINIMUM_SHARE` of ``centre``.

    Examples
    --------
    >>> units = pd.DataFrame({"place_code": ["X", "Y"], "place_name": ["Ex", "Why"],
    ...     "pounds": [1.0, 1.0], "population": [1, 1], "pounds_per_head": [1480.0, 1517.0]})
    >>> figure = per_head_map(units, {"type": "FeatureCollection", "features": []},
    ...     id_column="place_code", name_column="place_name", centre=1500.0,
    ...     bounds=(0, 50, 1, 51), title="£ per head")
    >>> figure.data[0].zmin, figure.data[0].zmax
    (1425.0, 1575.0)
    """
    columns = [id_column, name_column, "pounds", "population", "pounds_per_head"]
    require_frame(units, columns, "units")
    low, high = diverging_range(
        units["pounds_per_head"], centre, max(MAP_MINIMUM_SHARE * abs(centre), 0.01)
    )
    figure = go.Figure(
        go.Choropleth(
            geojson=geojson,
            locations=units[id_column],
            z=units["pounds_per_head"],
            zmin=low,
            zmax=high,
            colorscale=DIVERGING_SCALE,
            colorbar={
                "title": {
                    "text": f"£ per head<br>({PRICES})<br>middle: ICS average "
                    f"{fmt.per_head(centre)}"
                },
                "tickprefix": "£",
                "tickformat": ",.0f",
            },
            marker={"line": {"width": 1, "color": "white"}, "opacity": 0.9},
            customdata=np.column_stack(
                [
                    units[name_column].astype(str),
                    units["pounds"],
                    units["population"],
                    units["pounds_per_head"],
                ]
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>%{location}<br>£%{customdata[1]:,.0f}"
            "<br>Population (NHS England, allocation year): %{customdata[2]:,.0f}"
            "<br>£%{customdata[3]:,.2f} per head<extra></extra>",
            name="£ per head",
        )
    )
    figure.update_layout(
        geo=geo_view(bounds),
        height=560,
        margin={"l": 0, "r": 0, "t": 90, "b": 10},
        title={
            "text": title,
            "x": 0.01,
            "subtitle": {
                "text": f"{MONEY_NOTE} {source_note(data_line)}<br>{OS_ATTRIBUTION}",
                "font": NOTE_FONT,
            },
        },
        uirevision=uirevision,
    )
    return figure


def need_heatmap(
    need: pd.DataFrame, unit_names: Sequence[str], title: str, *, data_line: str = DATA_VINTAGE
) -> go.Figure:
    """NHS England's relative need index of each unit and component (1 = ICS average).

    Parameters
    ----------
    need : DataFrame
        :func:`layers.allocation.need_indices`: the :data:`INDEX_COLUMNS`.
    unit_names : sequence of str
        The units' names, in the rows' order.
    title : str
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from layers.allocation import example_practices, need_indices
    >>> need = need_indices(example_practices(), "place")
    >>> need_heatmap(need, ["Ex", "Why"], "Need").data[0].x[-1]
    'Overall (core)'
    """
    require_frame(need, INDEX_COLUMNS, "need")
    labels = [*(COMPONENT_NAMES[c] for c in COMPONENTS), "Overall (core)"]
    matrix = need[list(INDEX_COLUMNS)].to_numpy(dtype=float)
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=list(unit_names),
            colorscale=SEQUENTIAL_SCALE,
            zmid=1.0,
            text=np.round(matrix, 2),
            texttemplate="%{text:.2f}",
            colorbar={"title": {"text": "Need index<br>(1 = ICS average)"}},
            hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>",
        )
    )
    note = "Index 1 = ICS average need per head; NHS England weighted populations."
    return _layout(
        figure, title, 160 + 40 * len(need), "Need component", note=note, data_line=data_line
    )


def distance_bars(
    names: Sequence[str],
    distance_percent: ArrayLike,
    title: str,
    *,
    data_line: str = DATA_VINTAGE,
) -> go.Figure:
    """Each unit's distance from target (%), over target hatched; the furthest 40 units.

    Parameters
    ----------
    names : sequence of str
        The units' names.
    distance_percent : array_like
        :func:`layers.allocation.distance_from_target`'s ``distance_percent``: over
        target > 0. Units without a distance are left out.
    title : str
        The figure's title (the cut to the furthest units is added to it).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> figure = distance_bars(["A", "B"], [2.5, -1.0], "Distance")
    >>> list(figure.data[0].y), list(figure.data[0].text)
    (['B', 'A'], ['-1.0%', '+2.5%'])
    """
    chart = pd.DataFrame({"name": list(names), "distance": np.asarray(distance_percent, float)})
    chart = chart.dropna(subset=["distance"])
    n_units = len(chart)
    if n_units > DISTANCE_LIMIT:
        chart = chart.reindex(chart["distance"].abs().sort_values(ascending=False).index)
        chart = chart.iloc[:DISTANCE_LIMIT]
    chart = chart.sort_values("distance", kind="stable")
    figure = _signed_bars(
        chart["name"].to_numpy(dtype=str),
        chart["distance"],
        (_OVER, _UNDER),
        [fmt.number(v, 1, sign=True) + "%" for v in chart["distance"]],
        "%{y}: %{x:+.2f}% from target<extra></extra>",
    )
    cut = f" ({DISTANCE_LIMIT} furthest units)" if n_units > DISTANCE_LIMIT else ""
    _layout(
        figure,
        title + cut,
        140 + 22 * len(chart),
        "Distance from target (%; over target > 0, hatched)",
        data_line=data_line,
    )
    figure.update_xaxes(
        range=axis_range(chart["distance"], MINIMUM_PERCENT_SPAN, include_zero=True, pad=0.18)
    )
    return figure


def former_ccg_dumbbell(
    merger: pd.DataFrame,
    current_label: str,
    unified_label: str,
    title: str,
    *,
    data_line: str = DATA_VINTAGE,
) -> go.Figure:
    """£ per head of each former CCG: the current allocation against the unified formula.

    One row per CCG, the lowest unified £ per head at the bottom: a circle for the
    current allocation and a diamond for the unified one, joined by a line and labelled
    with the difference in per cent.

    Parameters
    ----------
    merger : DataFrame
        :func:`layers.allocation.former_ccg_funding`: ``former_ccg_name``,
        ``current_per_head``, ``unified_per_head``, ``difference_per_head``,
        ``difference_percent``.
    current_label, unified_label : str
        Names of the two allocations, for the legend.
    title : str
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure
        The £ axis spans at least £1 per head, even when both allocations agree.

    Examples
    --------
    >>> merger = pd.DataFrame({"former_ccg_name": ["NHS A CCG"],
    ...     "current_per_head": [1500.8260675], "unified_per_head": [1500.8260677],
    ...     "difference_per_head": [2e-7], "difference_percent": [0.0]})
    >>> axis = former_ccg_dumbbell(merger, "Equal", "Equal", "Same").layout.xaxis.range
    >>> axis[1] - axis[0] >= 1.0
    True
    """
    columns = [
        "former_ccg_name",
        "current_per_head",
        "unified_per_head",
        "difference_per_head",
        "difference_percent",
    ]
    require_frame(merger, columns, "merger")
    merger = merger.sort_values("unified_per_head")
    figure = go.Figure()
    for row in merger.itertuples(index=False):
        figure.add_shape(
            type="line",
            x0=row.current_per_head,
            x1=row.unified_per_head,
            y0=row.former_ccg_name,
            y1=row.former_ccg_name,
            line={"color": "#aeb7bd", "width": 3},
            layer="below",
        )
    figure.add_trace(
        go.Scatter(
            x=merger["current_per_head"],
            y=merger["former_ccg_name"],
            mode="markers",
            name=f"Current: {current_label}",
            marker={"symbol": "circle", "size": 13, "color": _CURRENT},
            hovertemplate="%{y}<br>Current: £%{x:,.2f} per head<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=merger["unified_per_head"],
            y=merger["former_ccg_name"],
            mode="markers+text",
            cliponaxis=False,
            name=f"Unified formula: {unified_label}",
            marker={"symbol": "diamond", "size": 14, "color": _UNIFIED},
            text=[fmt.number(v, 1, sign=True) + "%" for v in merger["difference_percent"]],
            textposition=[
                "middle right" if v >= 0 else "middle left" for v in merger["difference_per_head"]
            ],
            hovertemplate="%{y}<br>Unified: £%{x:,.2f} per head<extra></extra>",
        )
    )
    _layout(figure, title, 180 + 42 * len(merger), f"£ per head ({PRICES})", data_line=data_line)
    both = np.concatenate([merger["current_per_head"], merger["unified_per_head"]])
    figure.update_xaxes(range=axis_range(both, MINIMUM_POUNDS_SPAN))
    return figure


def difference_bars(
    names: Sequence[str],
    difference_per_head: ArrayLike,
    title: str,
    *,
    data_line: str = DATA_VINTAGE,
) -> go.Figure:
    """A − B in £ per head by unit; A more than B hatched.

    Parameters
    ----------
    names : sequence of str
        The units' names, in the order to draw them (bottom to top).
    difference_per_head : array_like
        £ per head of scenario A minus scenario B.
    title : str
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure
        The axis spans at least £1 per head, so penny rounding never fills it.

    Examples
    --------
    >>> figure = difference_bars(["A", "B"], [1e-9, -1e-9], "Same")
    >>> axis = figure.layout.xaxis.range
    >>> axis[1] - axis[0] >= 1.0
    True
    """
    values = np.asarray(difference_per_head, dtype=float)
    figure = _signed_bars(
        list(names),
        values,
        (_MORE, _LESS),
        [fmt.number(v, 2, sign=True) for v in values],
        "%{y}: £%{x:+,.2f} per head<extra></extra>",
    )
    _layout(
        figure,
        title,
        160 + 40 * len(values),
        f"Difference, £ per head ({PRICES}); A more than B > 0, hatched",
        data_line=data_line,
    )
    figure.update_xaxes(range=axis_range(values, MINIMUM_POUNDS_SPAN, include_zero=True, pad=0.18))
    return figure


def fair_share_change_chart(
    moves: pd.DataFrame, names: Sequence[str], title: str, vintage: str = DEFAULT_VINTAGE
) -> go.Figure:
    """Each unit's change in fair share from the first allocation year to the last.

    Parameters
    ----------
    moves : DataFrame
        From :func:`layers.allocation.need_over_years` (``fair_share_change``, 0–1).
    names : sequence of str
        The units' names, in the rows' order.
    title : str
    vintage : {"2022", "2026"}

    Examples
    --------
    >>> moves = pd.DataFrame({"fair_share_change": [0.002, -0.002]})
    >>> fig = fair_share_change_chart(moves, ["A", "B"], "Moves", "2026")
    >>> [round(v, 2) for v in fig.data[0].x], list(fig.data[0].y)
    ([0.2, -0.2], ['A', 'B'])
    """
    info = get_vintage(vintage)
    change = (moves["fair_share_change"].to_numpy(dtype=float) * 100).round(3)
    years = info.allocation_years
    figure = go.Figure(
        go.Bar(
            x=change.tolist(),
            y=list(names),
            orientation="h",
            marker_color=[OKABE_ITO[2] if v > 0 else OKABE_ITO[5] for v in change],
            text=[f"{v:+.3f} pts" for v in change],
            textposition="outside",
            name="Change in fair share",
        )
    )
    note = note_annotation(
        source_note(info.data_line), y=-0.12 if len(change) > 10 else -0.3, yanchor="top"
    )
    figure.update_layout(
        title=title,
        xaxis_title=f"Change in fair share of the ICS, {years[0]} → {years[-1]} (% points)",
        yaxis={"autorange": "reversed"},
        height=max(320, 24 * len(change) + 160),
        margin={"l": 10, "r": 40, "t": 60, "b": 77 + note_height(note)},
        annotations=[note],
    )
    return figure
