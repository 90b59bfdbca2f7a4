"""Figures of ICB mergers, real (April 2026) or what-if: the map and before/after charts.

Every figure is drawn from the frames of :mod:`layers.mergers` (nothing is computed
here but the drawing), is offline (SVG, no basemap), and carries its data vintage in
a note. Used by the Mergers page and available to slides.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import shapely

from layers import format as fmt
from layers._checks import require_frame
from layers.figures.maps import filled_area
from layers.geometry import exterior_rings
from layers.maps import line_trace
from layers.style import OKABE_ITO, note_annotation, note_height, source_note
from layers.vintages import Vintage, get_vintage

__all__ = ["core20_chart", "merger_map", "need_chart", "tier_chart"]

#: Fill of a piece that moved ICB in April 2026, and of one that stayed where it was.
_MOVED = OKABE_ITO[1]
_STAYED = "#d9d9d9"
_OUTLINE = "#000000"
#: The thin grey edge of every filled piece or member.
_THIN_LINE = {"width": 0.5, "color": "#666666"}


def _label(geometry: object, text: str) -> dict:
    parts = [g for g in shapely.get_parts(geometry) if g.area > 0] or [geometry]
    point = max(parts, key=lambda g: g.area).representative_point()
    return {
        "x": point.x,
        "y": point.y,
        "xref": "x",
        "yref": "y",
        "text": text,
        "showarrow": False,
        "font": {"size": 11, "color": "#000000"},
        "bgcolor": "rgba(255,255,255,0.85)",
        "borderpad": 2,
    }


def merger_map(
    outline: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    pieces: gpd.GeoDataFrame | None = None,
    *,
    title: str,
    vintage: str,
    height: int = 600,
) -> go.Figure:
    """The merged ICB's outline, each member's (predecessor's) outline, the moved pieces.

    Parameters
    ----------
    outline : GeoDataFrame
        One row: the merged ICB (EPSG:4326).
    members : GeoDataFrame
        One row per predecessor (or what-if member): ``code``, ``name``, ``geometry``.
    pieces : GeoDataFrame, optional
        The merged ICB's area by predecessor: ``code``, ``moved`` (bool), ``geometry``;
        moved pieces are filled in orange, the rest grey. Without it (a what-if) each
        member is filled in its own colour.
    title : str
    vintage : {"2022", "2026"}
        Stated in the figure's note.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
        Filled traces (pieces or members), one dashed outline per member, the merged
        outline, and a label per member.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> a, b = box(0, 50, 1, 51), box(1, 50, 2, 51)
    >>> members = gpd.GeoDataFrame({"code": ["A", "B"], "name": ["Aye", "Bee"]},
    ...                            geometry=[a, b], crs=4326)
    >>> outline = gpd.GeoDataFrame({"code": ["A+B"]}, geometry=[a.union(b)], crs=4326)
    >>> fig = merger_map(outline, members, title="Aye + Bee", vintage="2026")
    >>> [t.name for t in fig.data]
    ['Aye', 'Bee', 'Predecessor outlines', 'Merged ICB']
    """
    require_frame(members, ("code", "name", "geometry"), "members")
    if pieces is not None:
        require_frame(pieces, ("code", "moved", "geometry"), "pieces")
        traces = _piece_traces(pieces, dict(zip(members["code"], members["name"], strict=True)))
    else:
        traces = _member_traces(members)
    traces += _outline_traces(outline, members)
    figure = go.Figure(traces)
    minx, miny, maxx, maxy = pd.concat([outline.geometry, members.geometry]).total_bounds
    # Longitude degrees shrink with latitude: keep the map's shape true.
    ratio = 1 / max(math.cos(math.radians((miny + maxy) / 2)), 0.1)
    info = get_vintage(vintage)
    figure.update_layout(
        title=title,
        height=height,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 60, "b": 60},
        xaxis={"visible": False, "range": [minx, maxx]},
        # Both ranges set: plotly widens one to keep the shape, so far-apart members
        # (a what-if of Cornwall and the North East) all stay in the frame.
        yaxis={
            "visible": False,
            "range": [miny, maxy],
            "scaleanchor": "x",
            "scaleratio": ratio,
            "constrain": "range",
        },
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        annotations=[
            *(_label(g, str(n)) for g, n in zip(members.geometry, members["name"], strict=True)),
            note_annotation(source_note(f"{info.icb_date} ICBs; {info.lsoa_year} LSOAs"), y=1.0),
        ],
    )
    return figure


def _piece_traces(pieces: gpd.GeoDataFrame, names: dict[str, str]) -> list[go.Scatter]:
    """The merged ICB's area filled by whether each piece changed ICB."""
    return [
        filled_area(
            exterior_rings(shapely.union_all(group.geometry.to_numpy())),
            _MOVED if moved else _STAYED,
            _THIN_LINE,
            "Pieces that changed ICB" if moved else "Pieces that stayed",
            ", ".join(names.get(c, c) for c in group["code"]),
            hoverinfo="text+name",
        )
        for moved, group in pieces.groupby("moved", sort=False)
    ]


def _member_traces(members: gpd.GeoDataFrame) -> list[go.Scatter]:
    """Each member of a what-if merge filled in its own colour."""
    return [
        filled_area(
            exterior_rings(row.geometry),
            OKABE_ITO[i % len(OKABE_ITO)],
            _THIN_LINE,
            str(row.name),
            f"{row.name} ({row.code})",
            opacity=0.6,
            hoverinfo="text",
        )
        for i, row in enumerate(members.itertuples())
    ]


def _outline_traces(outline: gpd.GeoDataFrame, members: gpd.GeoDataFrame) -> list[go.Scatter]:
    """The predecessors' dashed outlines and the merged ICB's outline on top."""
    xs, ys = [], []
    for geometry in members.geometry:
        x, y = exterior_rings(geometry)
        xs += x
        ys += y
    merged_x, merged_y = exterior_rings(shapely.union_all(outline.geometry.to_numpy()))
    return [
        line_trace(
            xs,
            ys,
            {"width": 1.5, "color": "#333333", "dash": "dash"},
            "Predecessor outlines",
            flat=True,
        ),
        line_trace(merged_x, merged_y, {"width": 3, "color": _OUTLINE}, "Merged ICB", flat=True),
    ]


def _member_bars(frame: pd.DataFrame, values: list, text: list[str], name: str) -> go.Figure:
    """One bar per member and one for the merged system, the merged one in black.

    The three before/after charts differ only in what they plot and how they write it.

    Parameters
    ----------
    frame : DataFrame
        ``role`` ("member" or "merged") and ``name``, one row per bar.
    values : list
        Bar heights, in the order of ``frame``.
    text : list of str
        Each bar's label above it.
    name : str
        The trace's name.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    merged = frame["role"].eq("merged").to_numpy()
    labels = [f"{n} (merged)" if m else str(n) for n, m in zip(frame["name"], merged, strict=True)]
    colours = [_OUTLINE if m else OKABE_ITO[4] for m in merged]
    return go.Figure(
        go.Bar(
            x=labels,
            y=values,
            marker_color=colours,
            text=text,
            textposition="outside",
            name=name,
        )
    )


def tier_chart(tiers: pd.DataFrame, *, vintage: str, height: int = 360) -> go.Figure:
    """Each member's and the merged system's residents against the ICS design band.

    Examples
    --------
    >>> tiers = pd.DataFrame({"role": ["member", "merged"], "name": ["A", "A+B"],
    ...     "residents": [800_000, 2_000_000], "registered_patients": [820_000, 2_050_000],
    ...     "ics_band_low": [500_000, 500_000], "ics_band_high": [1_500_000, 1_500_000]})
    >>> fig = tier_chart(tiers, vintage="2026")
    >>> list(fig.data[0].y), fig.layout.shapes[0].y1
    ([800000, 2000000], 1500000)
    """
    require_frame(tiers, ("role", "name", "residents", "ics_band_low", "ics_band_high"), "tiers")
    info = get_vintage(vintage)
    figure = _member_bars(
        tiers,
        tiers["residents"].tolist(),
        [fmt.count(v) for v in tiers["residents"]],
        f"Residents ({info.population_source})",
    )
    low, high = int(tiers["ics_band_low"].iloc[0]), int(tiers["ics_band_high"].iloc[0])
    figure.add_hrect(y0=low, y1=high, fillcolor=OKABE_ITO[2], opacity=0.15, line_width=0)
    return _before_after_layout(
        figure,
        info,
        height,
        title=f"ICS size against its design band ({fmt.count(low)}–{fmt.count(high)} residents)",
        yaxis_title=f"Residents ({info.population_source})",
    )


def _before_after_layout(figure: go.Figure, info: Vintage, height: int, **layout) -> go.Figure:
    """The before/after charts' common frame: height, margins and the source note below."""
    note = note_annotation(source_note(info.data_line), y=-0.25, yanchor="top")
    figure.update_layout(
        height=height,
        margin={"t": 60, "b": 67 + note_height(note)},
        annotations=[note],
        **layout,
    )
    return figure


def need_chart(need: pd.DataFrame, *, vintage: str, height: int = 360) -> go.Figure:
    """Each member's need index inside the merged system (1 = the merged average).

    Examples
    --------
    >>> need = pd.DataFrame({"role": ["member", "member", "merged"], "name": ["A", "B", "AB"],
    ...                      "overall_index": [0.98, 1.03, 1.0]})
    >>> [round(v, 2) for v in need_chart(need, vintage="2026").data[0].y]
    [0.98, 1.03, 1.0]
    """
    require_frame(need, ("role", "name", "overall_index"), "need")
    info = get_vintage(vintage)
    figure = _member_bars(
        need,
        need["overall_index"].tolist(),
        [f"{v:.3f}" for v in need["overall_index"]],
        "Need index",
    )
    figure.add_hline(y=1.0, line_dash="dot", line_color="#333333")
    return _before_after_layout(
        figure,
        info,
        height,
        title=f"Need index inside the merged system (NHS England {info.default_allocation_year}; "
        "1 = merged average)",
        yaxis_title="Core need index",
        yaxis_range=[
            min(0.8, float(need["overall_index"].min()) - 0.05),
            max(1.2, float(need["overall_index"].max()) + 0.05),
        ],
    )


def core20_chart(core20: pd.DataFrame, *, vintage: str, height: int = 360) -> go.Figure:
    """Share of residents in the most deprived 20% of LSOAs, members against the merger.

    Examples
    --------
    >>> core = pd.DataFrame({"role": ["member", "merged"], "name": ["A", "AB"],
    ...                      "core20_share": [0.17, 0.22]})
    >>> [round(v, 1) for v in core20_chart(core, vintage="2026").data[0].y]
    [17.0, 22.0]
    """
    require_frame(core20, ("role", "name", "core20_share"), "core20")
    info = get_vintage(vintage)
    shares = (core20["core20_share"] * 100).round(1)
    figure = _member_bars(
        core20, shares.tolist(), [f"{v:.1f}%" for v in shares], "Core20 residents %"
    )
    return _before_after_layout(
        figure,
        info,
        height,
        title=f"Core20: residents in {info.imd_name} national deciles 1–2",
        yaxis_title="Residents in Core20 (%)",
    )
