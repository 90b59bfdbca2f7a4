"""Plotly figures for the boundary-alignment tables.

Every figure carries units and the data date, uses colour-blind-safe colours
(cividis for quantities, Okabe-Ito for categories) and never relies on colour
alone: cells carry their values as text, straddling bars carry a pattern and a
label, categories differ by marker symbol, and the lineage map is labelled.

Maps follow :mod:`layers.maps`: LSOA choropleths are offline SVG ``geo`` maps with
no basemap. The lineage map is an SVG figure in longitude/latitude
(equal-area-looking aspect) with text labels on the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from layers._checks import require_frame
from layers.alignment._core import PSEUDO_NAMES, check_threshold
from layers.alignment.disclosed import REST_OF_ENGLAND, REST_OF_ENGLAND_NAME, DisclosedOverlap
from layers.alignment.lineage import merger_lineage, split_authorities
from layers.geometry import dissolve
from layers.maps import feature_collection, geo_view, outline_coordinates
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "COMPARISON_LABELS",
    "OKABE_ITO",
    "comparison_chart",
    "flow_map",
    "home_share_chart",
    "lineage_map",
    "overlap_heatmap",
    "short_ccg_name",
]

#: Okabe-Ito categorical palette (colour-blind safe), black last.
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
#: Fill patterns cycled with the colours, so neighbouring areas differ in texture too.
_PATTERNS = ("", "/", ".", "\\", "x", "-", "|", "+")

#: Plain-words labels of :func:`layers.alignment.compare_alignment` categories.
COMPARISON_LABELS: dict[str, str] = {
    "agree": "Same home authority, same verdict",
    "straddle_differs": "Same home, only one view straddles",
    "sparse_area": "Different home: most area is sparsely populated",
    "patients_outside_footprint": "Different home: patients live beyond the footprint",
    "differ": "Different home (other reasons)",
}
_COMPARISON_STYLE = {
    "agree": ("#0072B2", "circle"),
    "straddle_differs": ("#E69F00", "diamond"),
    "sparse_area": ("#D55E00", "triangle-up"),
    "patients_outside_footprint": ("#CC79A7", "square"),
    "differ": ("#000000", "x"),
}
_NOTE_FONT = {"size": 10, "color": "#425563"}
#: Categories whose units are named on the comparison chart (the rest on hover).
_LABELLED = ("sparse_area", "patients_outside_footprint", "differ")


def _note(text: str, y: float = 1.0, yanchor: str = "bottom") -> dict:
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": y,
        "xanchor": "left",
        "yanchor": yanchor,
        "font": _NOTE_FONT,
        "align": "left",
    }


def short_ccg_name(name: str) -> str:
    """Drop the "NHS " prefix and " CCG" suffix of a CCG name.

    Examples
    --------
    >>> short_ccg_name("NHS East Lancashire CCG")
    'East Lancashire'
    >>> short_ccg_name("Elsewhere")
    'Elsewhere'
    """
    text = str(name)
    text = text[4:] if text.startswith("NHS ") else text
    return text[:-4] if text.endswith(" CCG") else text


def _count_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return f"{int(value):,}"


def overlap_heatmap(
    overlap: DisclosedOverlap,
    *,
    unit_labels: Mapping[str, str] | None = None,
    area_labels: Mapping[str, str] | None = None,
    cells: Literal["patients", "share"] = "patients",
    order: Sequence[str] | None = None,
    x_title: str = "Local authority where patients live",
    y_title: str = "PCN (or practice in no PCN)",
    title: str | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Heatmap of a disclosure-controlled overlap, values written in every cell.

    Parameters
    ----------
    overlap : DisclosedOverlap
        From :func:`layers.alignment.disclose_overlap`.
    unit_labels, area_labels : mapping, optional
        Display names for unit codes (rows) and authority codes (columns).
    cells : {"patients", "share"}
        Colour and label cells by rounded patients or by the percent of the
        unit's patients (from rounded counts).
    order : sequence of str, optional
        Unit codes top to bottom (default: the overlap's order).
    x_title, y_title, title : str
        Axis titles and figure title.

    vintage : {"2022", "2026"}
        The data vintage, for the data note and labels.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace; suppressed cells are blank with "*".

    Raises
    ------
    ValueError
        For an unknown ``cells`` or ``order`` codes not in the overlap.

    Examples
    --------
    >>> from layers.alignment.disclosed import disclose_overlap
    >>> matrix = pd.DataFrame({"A": [1300, 3], "B": [12, 40]},
    ...                       index=pd.Index(["U1", "U2"], name="unit_code"))
    >>> fig = overlap_heatmap(disclose_overlap(matrix), area_labels={"A": "Townham"})
    >>> fig.data[0].x, fig.data[0].text.tolist()
    (('Townham', 'B'), [['1,300', '10'], ['*', '40']])
    """
    info = get_vintage(vintage)
    if cells not in ("patients", "share"):
        raise ValueError(f"cells must be 'patients' or 'share', got {cells!r}.")
    rows = list(overlap.values.index) if order is None else list(order)
    missing = [u for u in rows if u not in overlap.values.index]
    if missing:
        raise ValueError(f"order has unit codes not in the overlap: {missing[:3]}.")
    units = dict(unit_labels or {})
    areas = {**PSEUDO_NAMES, REST_OF_ENGLAND: REST_OF_ENGLAND_NAME, **dict(area_labels or {})}
    columns = list(overlap.values.columns)
    shown = overlap.shown.loc[rows, columns]
    shares = overlap.shares.loc[rows, columns]
    counts = np.vectorize(_count_text, otypes=[object])(shown.to_numpy()) if len(rows) else []
    share_text = np.where(
        shares.isna().to_numpy(), "*", np.char.add(shares.fillna(0).round(1).astype(str), "%")
    )
    if cells == "patients":
        z, text = overlap.values.loc[rows, columns].to_numpy(), counts
        bar_title = f"Registered patients<br>(rounded, {info.registered_label})"
    else:
        z, text = shares.to_numpy(), share_text
        bar_title = f"% of the unit's<br>patients ({info.registered_label})"
    totals = overlap.totals.reindex(rows).map(_count_text).to_numpy(dtype=object)
    custom = np.dstack(
        [
            np.asarray(counts, dtype=object).reshape(len(rows), len(columns)),
            np.asarray(share_text, dtype=object).reshape(len(rows), len(columns)),
            np.repeat(totals[:, None], len(columns), axis=1),
        ]
    )
    y = [units.get(u, u) for u in rows]
    # Duplicate labels would merge heatmap rows: keep them apart with the code.
    seen = pd.Series(y).duplicated(keep=False).to_numpy()
    y = [
        f"{label} ({code})" if dup else label
        for label, code, dup in zip(y, rows, seen, strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[areas.get(c, c) for c in columns],
            y=y,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=custom,
            colorscale="Cividis",
            reversescale=True,
            zmin=0,
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": bar_title}, "len": 0.8},
            hovertemplate=(
                "<b>%{y}</b><br>Living in %{x}<br>Patients (rounded): %{customdata[0]}"
                "<br>Share of the unit's patients: %{customdata[1]}"
                "<br>Unit total (rounded): %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title={
            "text": title or "Registered patients by unit and authority of residence",
            "subtitle": {
                "text": f"Data: {info.data_line}.<br>Counts rounded to the nearest 5, 1–7 "
                "shown as *; percentages from the rounded counts (NHS Digital rule).",
                "font": _NOTE_FONT,
            },
            "yref": "container",
            "y": 0.995,
            "yanchor": "top",
        },
        height=max(400, 260 + 24 * len(rows)),
        margin={"l": 10, "r": 10, "t": 190, "b": 40},
        xaxis={"title": {"text": x_title}, "side": "top", "tickangle": -30},
        yaxis={"title": {"text": y_title}, "autorange": "reversed"},
        plot_bgcolor="#ffffff",
    )
    return fig


def home_share_chart(
    home: pd.DataFrame,
    threshold: float,
    *,
    title: str | None = None,
    unit: str = "PCN",
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Bars of each unit's home-authority share, straddling units patterned and labelled.

    Parameters
    ----------
    home : DataFrame
        From :func:`layers.alignment.home_authorities` (unit_code, unit_name,
        home_la_name, home_share).
    threshold : float
        Straddle threshold in (0, 1], drawn as a line.
    title : str, optional
        Figure title.
    unit : str
        What a row is, for the axis title ("PCN", "practice").

    vintage : {"2022", "2026"}
        The data vintage, for the data note and labels.

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces (straddling, within one authority) and a threshold line.

    Examples
    --------
    >>> home = pd.DataFrame({"unit_code": ["U1", "U2"], "unit_name": ["North", "South"],
    ...                      "home_la_name": ["Townham", "Fieldshire"],
    ...                      "home_share": [0.62, 0.97]})
    >>> fig = home_share_chart(home, 0.9)
    >>> [t.name for t in fig.data], list(fig.data[0].y)
    (['Straddles: under 90% in one authority', '90% or more in one authority'], ['North'])
    """
    info = get_vintage(vintage)
    limit = check_threshold(threshold)
    frame = require_frame(home, ["unit_code", "unit_name", "home_la_name", "home_share"], "home")
    frame = frame.sort_values(["home_share", "unit_code"], ascending=[True, True])
    labels = frame["unit_name"].astype(str)
    dup = labels.duplicated(keep=False)
    labels = labels.where(~dup, labels + " (" + frame["unit_code"].astype(str) + ")")
    frame = frame.assign(_label=labels.to_numpy(), _pct=100 * frame["home_share"])
    fig = go.Figure()
    for straddles, name, colour, pattern in (
        (True, f"Straddles: under {limit:.0%} in one authority", "#D55E00", "/"),
        (False, f"{limit:.0%} or more in one authority", "#0072B2", ""),
    ):
        part = frame.loc[(frame["home_share"] < limit) == straddles]
        fig.add_trace(
            go.Bar(
                x=part["_pct"],
                y=part["_label"],
                orientation="h",
                name=name,
                # bgcolor set explicitly: with "replace" fills some plotly.js builds
                # leave the background transparent, and the bar disappears.
                marker={
                    "color": colour,
                    "pattern": {
                        "shape": pattern,
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.4,
                        "solidity": 0.2,
                        "bgcolor": colour,
                    },
                },
                text=[
                    f"{p:.1f}% {la}" + (" – straddles" if straddles else "")
                    for p, la in zip(part["_pct"], part["home_la_name"], strict=True)
                ],
                textposition="inside",
                insidetextanchor="start",
                textfont={"size": 10},
                customdata=part[["unit_code"]].to_numpy(),
                hovertemplate=(
                    "<b>%{y}</b> (%{customdata[0]})<br>%{x:.1f}% of patients live in the "
                    "home authority<extra></extra>"
                ),
            )
        )
    fig.add_vline(
        x=100 * limit,
        line={"color": "#000000", "dash": "dash", "width": 1.5},
        annotation_text=f"threshold {limit:.0%}",
        annotation_position="bottom left",
    )
    fig.update_layout(
        title={
            "text": title or f"Share of each {unit}'s patients living in its home authority",
            "subtitle": {"text": f"Data: {info.data_line}.", "font": _NOTE_FONT},
            "yref": "container",
            "y": 0.995,
            "yanchor": "top",
        },
        barmode="overlay",
        height=max(340, 190 + 20 * len(frame)),
        margin={"l": 10, "r": 10, "t": 110, "b": 10},
        xaxis={
            "title": {
                "text": "% of registered patients living in the home authority "
                f"({info.registered_label})"
            },
            "range": [0, 100],
            "side": "top",
        },
        yaxis={
            "title": {"text": unit},
            "categoryorder": "array",
            "categoryarray": frame["_label"].tolist(),
            "autorange": "reversed",
        },
        legend={"orientation": "h", "y": -0.01, "yanchor": "top", "x": 0},
        plot_bgcolor="#ffffff",
    )
    return fig


def comparison_chart(
    comparison: pd.DataFrame,
    threshold: float,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Residence-based against area-based home share, one marker symbol per category.

    Parameters
    ----------
    comparison : DataFrame
        From :func:`layers.alignment.compare_alignment`.
    threshold : float
        Straddle threshold in (0, 1], drawn on both axes.
    labels : mapping, optional
        Unit code → display name; units that disagree are labelled on the chart.
    title : str, optional
        Figure title.

    vintage : {"2022", "2026"}
        The data vintage, for the data note and labels.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per category present (units with only one view are
        left out).

    Examples
    --------
    >>> from layers.alignment import (area_shares, authority_polygons, compare_alignment,
    ...                               residence_shares)
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> res = residence_shares(toy.registrations, toy.lsoas, toy.practices)
    >>> ar = area_shares(toy.footprints, authority_polygons(toy.lsoa_geometry, toy.lsoas))
    >>> fig = comparison_chart(compare_alignment(res, ar), 0.9)
    >>> [t.name for t in fig.data]
    ['Same home authority, same verdict', 'Different home: most area is sparsely populated']
    """
    info = get_vintage(vintage)
    limit = check_threshold(threshold)
    columns = ["unit_code", "residence_home_share", "area_home_share", "category"]
    frame = require_frame(comparison, columns, "comparison")
    frame = frame.loc[frame["category"].isin(list(COMPARISON_LABELS))]
    names = dict(labels or {})
    fig = go.Figure()
    for category, label in COMPARISON_LABELS.items():
        part = frame.loc[frame["category"] == category]
        if part.empty:
            continue
        colour, symbol = _COMPARISON_STYLE[category]
        unit_names = [names.get(u, u) for u in part["unit_code"]]
        explanation = part["explanation"] if "explanation" in part.columns else part["category"]
        fig.add_trace(
            go.Scatter(
                x=100 * part["area_home_share"],
                y=100 * part["residence_home_share"],
                mode="markers+text" if category in _LABELLED else "markers",
                text=unit_names if category in _LABELLED else None,
                textposition="top center",
                textfont={"size": 10},
                name=label,
                marker={"color": colour, "symbol": symbol, "size": 11, "line": {"width": 1}},
                customdata=np.column_stack([unit_names, explanation]),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Patients in home authority: %{y:.1f}%"
                    "<br>Footprint area in home authority: %{x:.1f}%"
                    "<br>%{customdata[1]}<extra></extra>"
                ),
            )
        )
    low = 5 * math.floor(min(100 * limit, *(100 * frame["area_home_share"]), 100) / 5)
    low = max(0, min(low, 5 * math.floor(min([100.0, *(100 * frame["residence_home_share"])]) / 5)))
    line = {"color": "#425563", "dash": "dot", "width": 1}
    fig.add_shape(type="line", x0=low, y0=low, x1=100, y1=100, line=line)
    fig.add_hline(y=100 * limit, line={"color": "#000000", "dash": "dash", "width": 1})
    fig.add_vline(x=100 * limit, line={"color": "#000000", "dash": "dash", "width": 1})
    fig.update_layout(
        title={"text": title or "Where patients live against where the footprint lies"},
        height=560,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        xaxis={
            "title": {"text": "% of the PCN footprint's area in its largest authority"},
            "range": [low - 1, 101],
        },
        yaxis={
            "title": {"text": "% of the PCN's patients living in their home authority"},
            "range": [low - 1, 102],
        },
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0},
        plot_bgcolor="#ffffff",
        annotations=[
            _note(
                f"Dashed lines: threshold {limit:.0%}. Dotted: equal shares. "
                f"Data: {info.data_line}.",
                y=1.0,
            )
        ],
    )
    fig.update_xaxes(showgrid=True, gridcolor="#e8edee")
    fig.update_yaxes(showgrid=True, gridcolor="#e8edee")
    return fig


def flow_map(
    rows: pd.DataFrame,
    geometry: gpd.GeoDataFrame,
    *,
    outline: gpd.GeoDataFrame | None = None,
    outline_name: str = "ICS boundary",
    lsoa_names: Mapping[str, str] | None = None,
    title: str | None = None,
    height: int = 620,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Offline map of the LSOAs where one patient flow concentrates.

    Parameters
    ----------
    rows : DataFrame
        The rows of :func:`layers.alignment.flow_concentration` for one flow
        (lsoa_code, patients, share_of_flow, share_of_lsoa).
    geometry : GeoDataFrame
        lsoa_code, geometry in EPSG:4326, holding (at least) those LSOAs.
        Pooled Welsh / unknown rows have no geometry and are left out.
    outline : GeoDataFrame, optional
        Polygons drawn as a line for context (e.g. the ICS).
    outline_name : str
        Legend name of the outline.
    lsoa_names : mapping, optional
        LSOA code → name for the hover.
    title : str, optional
        Figure title.
    height : int
        Figure height in pixels.

    vintage : {"2022", "2026"}
        The data vintage, for the data note and labels.

    Returns
    -------
    plotly.graph_objects.Figure
        An SVG ``geo`` map (no basemap; pass :data:`layers.maps.OFFLINE_TOPOJSON_URL`
        as ``topojsonURL``): a ``Choropleth`` of the share of each LSOA's registered
        residents in the flow, plus the outline (``Scattergeo`` lines) when given.

    Raises
    ------
    ValueError
        If no row has geometry.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> geo = toy_geography().lsoa_geometry.to_crs(4326)
    >>> rows = pd.DataFrame({"lsoa_code": ["E01000003"], "patients": [300],
    ...                      "share_of_flow": [0.86], "share_of_lsoa": [0.6]})
    >>> fig = flow_map(rows, geo, outline=geo.iloc[:3])
    >>> [type(t).__name__ for t in fig.data], fig.layout.geo.visible
    (['Choropleth', 'Scattergeo'], False)
    """
    info = get_vintage(vintage)
    flow = require_frame(rows, ["lsoa_code", "patients", "share_of_flow", "share_of_lsoa"], "rows")
    if not isinstance(geometry, gpd.GeoDataFrame):
        raise TypeError(f"geometry must be a GeoDataFrame, got {type(geometry).__name__}.")
    shapes = geometry.loc[geometry["lsoa_code"].isin(flow["lsoa_code"]), ["lsoa_code", "geometry"]]
    mapped = flow.merge(shapes, on="lsoa_code")
    if mapped.empty:
        raise ValueError("none of the flow's LSOAs has geometry to map.")
    mapped = gpd.GeoDataFrame(mapped, geometry="geometry", crs=geometry.crs)
    names = dict(lsoa_names or {})
    custom = np.column_stack(
        [
            [names.get(c, c) for c in mapped["lsoa_code"]],
            mapped["patients"].to_numpy(),
            (100 * mapped["share_of_flow"]).round(1).to_numpy(),
        ]
    )
    fig = go.Figure(
        go.Choropleth(
            geojson=feature_collection(mapped, "lsoa_code"),
            locations=mapped["lsoa_code"].tolist(),
            z=(100 * mapped["share_of_lsoa"]).round(2).to_numpy(),
            customdata=custom,
            colorscale="Cividis",
            reversescale=True,
            zmin=0,
            marker={"line": {"width": 0.3, "color": "rgba(80,80,80,0.5)"}, "opacity": 0.9},
            colorbar={
                "title": {"text": "% of the LSOA's<br>registered residents<br>in this flow"},
                "len": 0.75,
            },
            name="LSOAs in the flow",
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>LSOA %{location}<br>Patients in the flow: "
                "%{customdata[1]:,}<br>%{z:.1f}% of the LSOA's registered residents"
                "<br>%{customdata[2]}% of the whole flow<extra></extra>"
            ),
        )
    )
    bounds = np.array(mapped.total_bounds)
    if outline is not None and len(outline):
        lon, lat = outline_coordinates(outline.geometry)
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"color": "#005eb8", "width": 3},
                name=outline_name,
                hoverinfo="skip",
            )
        )
        other = np.array(outline.total_bounds)
        bounds = np.array(
            [
                min(bounds[0], other[0]),
                min(bounds[1], other[1]),
                max(bounds[2], other[2]),
                max(bounds[3], other[3]),
            ]
        )
    if not (bounds[2] > bounds[0] and bounds[3] > bounds[1]):
        bounds = bounds + np.array([-0.05, -0.05, 0.05, 0.05])
    fig.update_layout(
        geo=geo_view(bounds),
        height=height,
        margin={"l": 0, "r": 0, "t": 50, "b": 30},
        title={"text": title or "Where the flow's patients live", "x": 0.01},
        legend={"orientation": "h", "y": -0.01, "yanchor": "top", "x": 0},
        showlegend=True,
        annotations=[_note(f"Data: {info.data_line}. Contains OS data © Crown copyright.", y=1.0)],
    )
    return fig


def _rings(geometry: object) -> tuple[list[float | None], list[float | None]]:
    """Exterior rings of (multi)polygons as x / y lists separated by None."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in shapely.get_parts(geometry):
        if part.is_empty or part.geom_type != "Polygon":
            continue
        coords = np.asarray(part.exterior.coords)
        xs += [*coords[:, 0].tolist(), None]
        ys += [*coords[:, 1].tolist(), None]
    return xs, ys


def _label_point(geometry: object, within: object | None = None) -> tuple[float, float]:
    """A point inside the largest part (of the part inside ``within``, when it has one)."""
    if within is not None:
        clipped = shapely.intersection(geometry, within)
        if not clipped.is_empty and clipped.area > 0:
            geometry = clipped
    parts = [g for g in shapely.get_parts(geometry) if g.area > 0] or [geometry]
    point = max(parts, key=lambda g: g.area).representative_point()
    return point.x, point.y


#: Words of the lineage map per vintage: unit tag, title, footnote, group and unit words.
_LINEAGE_WORDS = {
    "2022": {
        "tag": "2021 CCG",
        "title": "Former 2021 CCGs that formed",
        "foot": "CCGs as at April 2021, ICB as at July 2022, by 2011 LSOA. ",
        "group": "STP",
        "units": "CCGs",
    },
    "2026": {
        "tag": "2024 sub-ICB",
        "title": "April 2024 sub-ICB locations that formed",
        "foot": "Sub-ICB locations and ICBs as at April 2024, ICB as at April 2026, by 2021 LSOA. ",
        "group": "ICB (April 2024)",
        "units": "sub-ICBs",
    },
}


def _short_unit_name(name: str) -> str:
    """A CCG's or sub-ICB location's name without "NHS", " CCG" or " ICB -"."""
    return short_ccg_name(str(name)).replace(" ICB - ", " ")


def lineage_map(
    lsoas: pd.DataFrame,
    lsoa_geometry: gpd.GeoDataFrame,
    icb_code: str,
    *,
    la_level: Literal["ltla", "utla"] = "utla",
    icb_name: str | None = None,
    height: int = 640,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Labelled map of the units that formed an ICB, and split authorities.

    2022 vintage: the April 2021 CCGs that formed a July 2022 ICB; 2026 vintage: the
    April 2024 sub-ICB locations that formed an April 2026 ICB
    (:attr:`layers.vintages.Vintage.lineage`).

    Each former CCG is a filled area with its own colour, fill pattern and a
    text label; parts of those CCGs that went to other ICBs and parts of
    split local authorities lying in other ICBs are hatched grey and labelled
    with the ICB they went to. Drawn as SVG (offline, labels without map
    glyphs), longitude / latitude with a local aspect correction.

    Parameters
    ----------
    lsoas : DataFrame
        England-wide: lsoa_code, icb_code, the vintage's lineage columns (2022:
        ccg21_code, ccg21_name, stp21_code, stp21_name), population,
        ``{la_level}_code`` / ``_name`` (icb_name used when present).
    lsoa_geometry : GeoDataFrame
        lsoa_code, geometry in EPSG:4326 (England-wide; light is enough).
    icb_code : str
        ICB code, e.g. "QE1".
    la_level : {"ltla", "utla"}
        Level at which split authorities are looked for.
    icb_name : str, optional
        Name for the title (default: from ``lsoas``).
    height : int
        Figure height in pixels.
    vintage : {"2022", "2026"}
        The vintage of ``lsoas``.

    Returns
    -------
    plotly.graph_objects.Figure
        One filled trace per former CCG, a grey hatched trace for each of
        "parts of those CCGs now in other ICBs" and "parts of split
        authorities in other ICBs" when there are any, dashed council
        boundaries at ``la_level``, the ICS outline, and text labels as
        annotations.

    Raises
    ------
    TypeError, ValueError
        As for :func:`layers.alignment.merger_lineage`.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> fig = lineage_map(toy.lsoas, toy.lsoa_geometry.to_crs(4326), "QAA", la_level="ltla",
    ...                   vintage="2022")
    >>> [t.name for t in fig.data]  # doctest: +NORMALIZE_WHITESPACE
    ['1. Town (2021 CCG)', '2. Field (2021 CCG)', 'Parts of those CCGs now in other ICBs',
     'Parts of split authorities in other ICBs', 'Local authority boundaries (lower-tier)',
     'ICS boundary']
    >>> sorted(a.text for a in fig.layout.annotations if a.xref == "x")
    ['1. Town', '2. Field', 'Field → Beta', 'Fieldshire → Beta']
    """
    info = get_vintage(vintage)
    words = _LINEAGE_WORDS[info.key]
    unit_level, group_level = list(info.lineage)
    unit_code, unit_name = info.lineage[unit_level][:2]
    group_name = info.lineage[group_level][1]
    lineage = merger_lineage(lsoas, icb_code, level=unit_level, vintage=info.key)
    level = f"{la_level}_code"
    split = split_authorities(lsoas, la_level=la_level, icb_code=icb_code)
    if not isinstance(lsoa_geometry, gpd.GeoDataFrame):
        raise TypeError(
            f"lsoa_geometry must be a GeoDataFrame, got {type(lsoa_geometry).__name__}."
        )
    columns = ["lsoa_code", "icb_code", unit_code, level]
    table = lsoas[columns + (["icb_name"] if "icb_name" in lsoas.columns else [])]
    icb_names = (
        table.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
        if "icb_name" in table.columns
        else pd.Series(dtype=object)
    )
    name = icb_name or str(icb_names.get(icb_code, icb_code))
    ccgs = lineage[unit_code].tolist()
    wanted = table[unit_code].isin(ccgs) | table[level].isin(split["la_code"])
    wanted |= table["icb_code"] == icb_code
    geo = lsoa_geometry[["lsoa_code", "geometry"]].merge(table.loc[wanted], on="lsoa_code")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=lsoa_geometry.crs)
    mine = geo.loc[geo["icb_code"] == icb_code]
    if mine.empty:
        raise ValueError(f"lsoa_geometry has no LSOAs of {icb_code}.")

    # The view: the ICS with a margin of half its size (split authorities can be huge).
    ics_box = np.array(mine.total_bounds)
    pad = 0.5 * np.array([ics_box[2] - ics_box[0], ics_box[3] - ics_box[1]])
    all_box = np.array(geo.total_bounds)
    minx, miny = np.maximum(ics_box[:2] - pad, all_box[:2])
    maxx, maxy = np.minimum(ics_box[2:] + pad, all_box[2:])
    view = shapely.box(minx, miny, maxx, maxy)

    fig = go.Figure()
    annotations = []

    def label(x: float, y: float, text: str, size: int = 11) -> None:
        annotations.append(
            {
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "text": text,
                "showarrow": False,
                "font": {"size": size, "color": "#000000"},
                "bgcolor": "rgba(255,255,255,0.85)",
                "borderpad": 2,
            }
        )

    parts = dissolve(mine[[unit_code, "geometry"]], unit_code).set_index(unit_code)
    for i, row in enumerate(lineage.to_dict("records")):
        shape = parts.geometry.get(row[unit_code])
        if shape is None or shape.is_empty:
            continue
        xs, ys = _rings(shape)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        pattern = _PATTERNS[(i // len(OKABE_ITO) + i) % len(_PATTERNS)]
        short = _short_unit_name(row[unit_name])
        hover = (
            f"<b>{row[unit_name]}</b> ({row[unit_code]})<br>{words['group']}: {row[group_name]}"
            f"<br>{row['population']:,} residents ({info.population_short}) in this ICB, "
            f"{row['share_of_icb']:.1%} of it"
            + ("" if row["whole"] else f"<br>Part went to: {row['other_icbs']}")
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                fillpattern={
                    "shape": pattern,
                    "bgcolor": colour,
                    "fgcolor": "rgba(255,255,255,0.7)",
                    "solidity": 0.25,
                },
                line={"color": "#ffffff", "width": 1},
                name=f"{i + 1}. {short} ({words['tag']})",
                hoveron="fills",
                text=hover,
                hoverinfo="text",
            )
        )
        x, y = _label_point(shape)
        label(x, y, f"{i + 1}. {short}")

    away_sets = []
    others = geo.loc[(geo["icb_code"] != icb_code) & geo[unit_code].isin(ccgs)]
    if len(others):
        away = dissolve(others[[unit_code, "icb_code", "geometry"]], [unit_code, "icb_code"])
        ccg_names = lineage.set_index(unit_code)[unit_name]
        away["label"] = [
            f"{_short_unit_name(ccg_names[c])} → {icb_names.get(i, i)}"
            for c, i in zip(away[unit_code], away["icb_code"], strict=True)
        ]
        away_sets.append(
            (f"Parts of those {words['units']} now in other ICBs", away, "#999999", "x")
        )
    outside = geo.loc[(geo["icb_code"] != icb_code) & geo[level].isin(split["la_code"])]
    if len(outside):
        split_parts = dissolve(outside[[level, "icb_code", "geometry"]], [level, "icb_code"])
        la_names = split.drop_duplicates("la_code").set_index("la_code")["la_name"]
        split_parts["label"] = [
            f"{la_names[c]} → {icb_names.get(i, i)}"
            for c, i in zip(split_parts[level], split_parts["icb_code"], strict=True)
        ]
        away_sets.append(("Parts of split authorities in other ICBs", split_parts, "#cccccc", "."))
    for trace_name, frame, colour, pattern in away_sets:
        xs, ys, hovers = [], [], []
        for shape, text in zip(frame.geometry, frame["label"], strict=True):
            rx, ry = _rings(shape)
            xs += rx
            ys += ry
            x, y = _label_point(shape, view)
            label(x, y, text, size=10)
            hovers.append(text)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                fillpattern={
                    "shape": pattern,
                    "bgcolor": colour,
                    "fgcolor": "#555555",
                    "fgopacity": 0.6,
                    "solidity": 0.15,
                },
                line={"color": "#666666", "width": 1, "dash": "dot"},
                name=trace_name,
                hoveron="fills",
                text="; ".join(hovers),
                hoverinfo="text",
            )
        )

    # Council boundaries inside the ICS, so readers see how the CCGs map onto them.
    councils = dissolve(mine[[level, "geometry"]], level)
    lon, lat = outline_coordinates(councils.geometry)
    level_word = "upper-tier" if la_level == "utla" else "lower-tier"
    fig.add_trace(
        go.Scatter(
            x=lon,
            y=lat,
            mode="lines",
            line={"color": "#212b32", "width": 1, "dash": "dash"},
            name=f"Local authority boundaries ({level_word})",
            hoverinfo="skip",
        )
    )
    boundary = shapely.union_all(parts.geometry.to_numpy())
    lon, lat = outline_coordinates([boundary])
    fig.add_trace(
        go.Scatter(
            x=lon,
            y=lat,
            mode="lines",
            line={"color": "#000000", "width": 2.5},
            name="ICS boundary",
            hoverinfo="skip",
        )
    )
    ratio = 1 / math.cos(math.radians((miny + maxy) / 2))
    fig.update_layout(
        title={"text": f"{words['title']} {name} ICB ({icb_code})", "x": 0.01},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        plot_bgcolor="#ffffff",
        xaxis={"visible": False, "range": [minx, maxx], "constrain": "domain"},
        yaxis={
            "visible": False,
            "range": [miny, maxy],
            "scaleanchor": "x",
            "scaleratio": ratio,
            "constrain": "domain",
        },
        legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1, "font": {"size": 11}},
        annotations=[
            _note(
                f"{words['foot']}Contains OS data © Crown copyright.<br>Data: {info.data_line}.",
                y=1.0,
            ),
            *annotations,
        ],
    )
    return fig
