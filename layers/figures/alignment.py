"""Boundary-alignment figures: the Boundary alignment page's charts, maps and place card.

The page, its slide (:func:`layers.slides.alignment_slide`) and notebooks draw with these.
Every figure carries units and the data date, uses colour-blind-safe colours (cividis
for quantities, Okabe-Ito for categories) and never relies on colour alone: cells carry
their values as text, straddling bars carry a pattern and a label, categories differ by
marker symbol, and the lineage map is labelled.

Maps follow :mod:`layers.maps`: LSOA choropleths are offline SVG ``geo`` maps with no
basemap. The lineage map is an SVG figure in longitude/latitude (equal-area-looking
aspect) with text labels on the map. The place card is one A4-landscape page
(:data:`CARD_WIDTH` × :data:`CARD_HEIGHT`), for :func:`layers.export.figure_bytes`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from layers import format as fmt
from layers._checks import require_frame
from layers.alignment._core import NO_PCN, PSEUDO_NAMES, check_threshold
from layers.alignment.disclosed import REST_OF_ENGLAND, REST_OF_ENGLAND_NAME, DisclosedOverlap
from layers.alignment.lineage import merger_lineage, split_authorities
from layers.alignment.tables import COMPARISON_VERDICTS
from layers.figures.maps import filled_area
from layers.geometry import dissolve, exterior_rings
from layers.maps import feature_collection, geo_view, line_trace, outline_coordinates
from layers.style import (
    NOTE_FONT,
    OKABE_ITO,
    OS_ATTRIBUTION,
    SEQUENTIAL_SCALE,
    map_note,
    note_annotation,
    top_margin,
    top_title,
    wrap_text,
)
from layers.vintages import DEFAULT_VINTAGE, Vintage, get_vintage

__all__ = [
    "CARD_HEIGHT",
    "CARD_WIDTH",
    "COMPARISON_LABELS",
    "STRADDLE_STYLE",
    "comparison_chart",
    "flow_map",
    "home_share_bands",
    "home_share_chart",
    "lineage_map",
    "overlap_heatmap",
    "place_card_figure",
    "short_ccg_name",
]

#: A4 landscape at 96 dpi: kaleido's PDF page is exactly one A4 sheet.
CARD_WIDTH, CARD_HEIGHT = 1123, 794
#: Most units drawn on the card's chart (lowest home share first).
CARD_MAX_UNITS = 30

#: Fill patterns cycled with the colours, so neighbouring areas differ in texture too.
_PATTERNS = ("", "/", ".", "\\", "x", "-", "|", "+")

#: Colour and fill pattern of a unit that straddles (True) or fits (False).
STRADDLE_STYLE: dict[bool, tuple[str, str]] = {True: (OKABE_ITO[5], "/"), False: (OKABE_ITO[0], "")}

_COMPARISON_STYLE = {
    "agree": (OKABE_ITO[0], "circle"),
    "straddle_differs": (OKABE_ITO[1], "diamond"),
    "sparse_area": (OKABE_ITO[5], "triangle-up"),
    "patients_outside_footprint": (OKABE_ITO[3], "square"),
    "differ": (OKABE_ITO[7], "x"),
}
#: The :func:`layers.alignment.compare_alignment` categories drawn, in words.
COMPARISON_LABELS: dict[str, str] = {k: COMPARISON_VERDICTS[k] for k in _COMPARISON_STYLE}
#: Categories whose units are named on the comparison chart (the rest on hover).
_LABELLED = ("sparse_area", "patients_outside_footprint", "differ")
_GRID = "#e8edee"


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


def _straddle_marker(straddles: bool) -> dict:
    """Bar marker of a straddling (hatched) or fitting unit.

    The pattern's background colour is set explicitly: with "replace" fills some
    plotly.js builds leave it transparent, and the bar disappears.
    """
    colour, pattern = STRADDLE_STYLE[straddles]
    return {
        "color": colour,
        "pattern": {
            "shape": pattern,
            "fgcolor": "#ffffff",
            "fgopacity": 0.4,
            "solidity": 0.2,
            "bgcolor": colour,
        },
    }


# --------------------------------------------------------------------------- overlap


def _heatmap_cells(
    overlap: DisclosedOverlap, rows: list[str], columns: list[str], cells: str, when: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The z values, cell text, hover data and colour-bar title of the overlap heatmap."""
    shown = overlap.shown.loc[rows, columns]
    shares = overlap.shares.loc[rows, columns]
    counts = (
        np.vectorize(fmt.count, otypes=[object])(shown.to_numpy()) if len(rows) else np.array([])
    )
    share_text = np.where(
        shares.isna().to_numpy(), "*", np.char.add(shares.fillna(0).round(1).astype(str), "%")
    )
    if cells == "patients":
        z, text = overlap.values.loc[rows, columns].to_numpy(), counts
        bar_title = f"Registered patients<br>(rounded, {when})"
    else:
        z, text = shares.to_numpy(), share_text
        bar_title = f"% of the unit's<br>patients ({when})"
    totals = overlap.totals.reindex(rows).map(fmt.count).to_numpy(dtype=object)
    custom = np.dstack(
        [
            np.asarray(counts, dtype=object).reshape(len(rows), len(columns)),
            np.asarray(share_text, dtype=object).reshape(len(rows), len(columns)),
            np.repeat(totals[:, None], len(columns), axis=1),
        ]
    )
    return z, text, custom, bar_title


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
    z, text, custom, bar_title = _heatmap_cells(
        overlap, rows, columns, cells, info.registered_label
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
            colorscale=SEQUENTIAL_SCALE,
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
                "font": NOTE_FONT,
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


# --------------------------------------------------------------------------- home shares


def home_share_chart(
    home: pd.DataFrame,
    threshold: float,
    *,
    title: str | None = None,
    unit: str = "PCN",
    authority: str = "authority",
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
    authority : str
        What an authority is called in the legend ("authority", "district").
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
    labels = frame["unit_name"].fillna(frame["unit_code"]).astype(str)
    dup = labels.duplicated(keep=False)
    labels = labels.where(~dup, labels + " (" + frame["unit_code"].astype(str) + ")")
    frame = frame.assign(_label=labels.to_numpy(), _pct=100 * frame["home_share"])
    fig = go.Figure()
    for straddles in (True, False):
        part = frame.loc[(frame["home_share"] < limit) == straddles]
        fig.add_trace(
            go.Bar(
                x=part["_pct"],
                y=part["_label"],
                orientation="h",
                name=_fit_name(straddles, limit, authority),
                marker=_straddle_marker(straddles),
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
            "subtitle": {"text": f"Data: {info.data_line}.", "font": NOTE_FONT},
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


def _fit_name(straddles: bool, limit: float, authority: str) -> str:
    if straddles:
        return f"Straddles: under {limit:.0%} in one {authority}"
    return f"{limit:.0%} or more in one {authority}"


def home_share_bands(
    home: pd.DataFrame, threshold: float, *, authority: str = "authority"
) -> go.Figure:
    """How many PCNs have each share of their patients in their home authority.

    For an ICS with too many PCNs for one bar each (:func:`home_share_chart`).

    Parameters
    ----------
    home : DataFrame
        ``home_share`` of each unit (:func:`layers.alignment.home_authorities`).
    threshold : float
        Straddle threshold in (0, 1]: bands under it are straddling.
    authority : str
        What an authority is called in the legend and axis ("authority", "district").

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces (straddling bands, fitting bands), each bar labelled with its count.

    Examples
    --------
    >>> fig = home_share_bands(pd.DataFrame({"home_share": [0.5, 0.92, 0.99]}), 0.9)
    >>> [list(t.x) for t in fig.data], [list(t.text) for t in fig.data]
    ([['Under 60%', '60% to 70%', '70% to 80%', '80% to 90%'], ['90% to 95%', '95% or more']], \
[['1 PCN', '0 PCNs', '0 PCNs', '0 PCNs'], ['1 PCN', '1 PCN']])
    """
    limit = check_threshold(threshold)
    frame = require_frame(home, ["home_share"], "home")
    edges = sorted({0.0, 0.6, 0.7, 0.8, limit, 0.95, 1.0000001})
    counts = np.histogram(frame["home_share"].to_numpy(dtype=float), bins=edges)[0]
    names = []
    for lo, hi in itertools.pairwise(edges):
        if lo == 0:
            names.append(f"Under {hi:.0%}")
        elif hi > 1:
            names.append(f"{lo:.0%} or more")
        else:
            names.append(f"{lo:.0%} to {hi:.0%}")
    fig = go.Figure()
    for straddles in (True, False):
        keep = [(hi <= limit) == straddles for hi in edges[1:]]
        fig.add_trace(
            go.Bar(
                x=[n for n, k in zip(names, keep, strict=True) if k],
                y=[int(c) for c, k in zip(counts, keep, strict=True) if k],
                name=_fit_name(straddles, limit, authority),
                marker={**_straddle_marker(straddles), "line": {"color": "#212b32", "width": 1}},
                text=[fmt.plural(int(c), "PCN") for c, k in zip(counts, keep, strict=True) if k],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{x}} in the home {authority}: %{{y}} PCNs<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": f"PCNs by the share of their patients in their home {authority}"},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#ffffff",
    )
    fig.update_xaxes(
        title_text=f"Share of the PCN's patients living in its home {authority}",
        categoryorder="array",
        categoryarray=names,
    )
    fig.update_yaxes(title_text="Number of PCNs", rangemode="tozero")
    return fig


# --------------------------------------------------------------------------- comparison


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
    >>> from layers.alignment.examples import toy_figures
    >>> fig = comparison_chart(toy_figures()["alignment_comparison"], 0.9)
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
    note = note_annotation(
        f"Dashed lines: threshold {limit:.0%}. Dotted: equal shares. Data: {info.data_line}."
    )
    fig.update_layout(
        title=top_title(title or "Where patients live against where the footprint lies"),
        height=560,
        margin={"l": 10, "r": 10, "t": top_margin(note) + 21, "b": 10},
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
        annotations=[note],
    )
    fig.update_xaxes(showgrid=True, gridcolor=_GRID)
    fig.update_yaxes(showgrid=True, gridcolor=_GRID)
    return fig


# --------------------------------------------------------------------------- flows

#: Legend names of the outline drawn on a flow map, by the flow's level.
_FLOW_OUTLINES = {"icb": "ICS boundary", "place": "Place boundaries"}


def _union_bounds(first: Sequence[float], second: Sequence[float]) -> np.ndarray:
    return np.array(
        [
            min(first[0], second[0]),
            min(first[1], second[1]),
            max(first[2], second[2]),
            max(first[3], second[3]),
        ]
    )


def _flow_choropleth(mapped: gpd.GeoDataFrame, names: Mapping[str, str]) -> go.Choropleth:
    """The flow's LSOAs, coloured by the share of their registered residents in it."""
    custom = np.column_stack(
        [
            [names.get(c, c) for c in mapped["lsoa_code"]],
            mapped["patients"].to_numpy(),
            (100 * mapped["share_of_flow"]).round(1).to_numpy(),
        ]
    )
    return go.Choropleth(
        geojson=feature_collection(mapped, "lsoa_code"),
        locations=mapped["lsoa_code"].tolist(),
        z=(100 * mapped["share_of_lsoa"]).round(2).to_numpy(),
        customdata=custom,
        colorscale=SEQUENTIAL_SCALE,
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


def flow_map(
    rows: pd.DataFrame,
    geometry: gpd.GeoDataFrame,
    *,
    outline: gpd.GeoDataFrame | None = None,
    level: Literal["icb", "place"] = "icb",
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
        (lsoa_code, patients, share_of_flow, share_of_lsoa; from_name and to_name
        name the flow in the default title).
    geometry : GeoDataFrame
        lsoa_code, geometry in EPSG:4326, holding (at least) those LSOAs.
        Pooled Welsh / unknown rows have no geometry and are left out.
    outline : GeoDataFrame, optional
        Polygons drawn as a line for context: the ICS, or its places.
    level : {"icb", "place"}
        Whether the flow is between ICSs or places (names the outline).
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
    ...                      "share_of_flow": [0.86], "share_of_lsoa": [0.6],
    ...                      "from_name": ["Alpha"], "to_name": ["Beta"]})
    >>> fig = flow_map(rows, geo, outline=geo.iloc[:3])
    >>> [type(t).__name__ for t in fig.data], fig.layout.geo.visible
    (['Choropleth', 'Scattergeo'], False)
    >>> fig.layout.title.text
    'Residents of Alpha registered in Beta: where they live (2026/27, modelled)'
    """
    info = get_vintage(vintage)
    flow = require_frame(rows, ["lsoa_code", "patients", "share_of_flow", "share_of_lsoa"], "rows")
    if not isinstance(geometry, gpd.GeoDataFrame):
        raise TypeError(f"geometry must be a GeoDataFrame, got {type(geometry).__name__}.")
    if level not in _FLOW_OUTLINES:
        raise ValueError(f"level must be one of {', '.join(_FLOW_OUTLINES)}, got {level!r}.")
    shapes = geometry.loc[geometry["lsoa_code"].isin(flow["lsoa_code"]), ["lsoa_code", "geometry"]]
    mapped = flow.merge(shapes, on="lsoa_code")
    if mapped.empty:
        raise ValueError("none of the flow's LSOAs has geometry to map.")
    mapped = gpd.GeoDataFrame(mapped, geometry="geometry", crs=geometry.crs)
    fig = go.Figure(_flow_choropleth(mapped, lsoa_names or {}))
    bounds = np.array(mapped.total_bounds)
    if outline is not None and len(outline):
        lon, lat = outline_coordinates(outline.geometry)
        fig.add_trace(line_trace(lon, lat, {"color": "#005eb8", "width": 3}, _FLOW_OUTLINES[level]))
        bounds = _union_bounds(bounds, outline.total_bounds)
    if not (bounds[2] > bounds[0] and bounds[3] > bounds[1]):
        bounds = bounds + np.array([-0.05, -0.05, 0.05, 0.05])
    if title is None and {"from_name", "to_name"} <= set(flow.columns):
        first = flow.iloc[0]
        title = (
            f"Residents of {first['from_name']} registered in {first['to_name']}: "
            f"where they live ({info.registered_label})"
        )
    note = map_note(info.data_line)
    fig.update_layout(
        geo=geo_view(bounds),
        height=height,
        margin={"l": 0, "r": 0, "t": top_margin(note), "b": 30},
        title=top_title(title or "Where the flow's patients live"),
        legend={"orientation": "h", "y": -0.01, "yanchor": "top", "x": 0},
        showlegend=True,
        annotations=[note],
    )
    return fig


# --------------------------------------------------------------------------- lineage


def _label_point(geometry: object, within: object | None = None) -> tuple[float, float]:
    """A point inside the largest part (of the part inside ``within``, when it has one)."""
    if within is not None:
        clipped = shapely.intersection(geometry, within)
        if not clipped.is_empty and clipped.area > 0:
            geometry = clipped
    parts = [g for g in shapely.get_parts(geometry) if g.area > 0] or [geometry]
    point = max(parts, key=lambda g: g.area).representative_point()
    return point.x, point.y


def _map_label(point: tuple[float, float], text: str, size: int = 11) -> dict:
    """A text label on the lineage map, in data coordinates."""
    return {
        "x": point[0],
        "y": point[1],
        "xref": "x",
        "yref": "y",
        "text": text,
        "showarrow": False,
        "font": {"size": size, "color": "#000000"},
        "bgcolor": "rgba(255,255,255,0.85)",
        "borderpad": 2,
    }


def _lineage_view(mine: gpd.GeoDataFrame, everything: gpd.GeoDataFrame) -> np.ndarray:
    """The view: the ICS with a margin of half its size (split authorities can be huge)."""
    ics_box = np.array(mine.total_bounds)
    pad = 0.5 * np.array([ics_box[2] - ics_box[0], ics_box[3] - ics_box[1]])
    all_box = np.array(everything.total_bounds)
    low = np.maximum(ics_box[:2] - pad, all_box[:2])
    high = np.minimum(ics_box[2:] + pad, all_box[2:])
    return np.concatenate([low, high])


def _patterned_area(
    rings: tuple[list, list], colour: str, fill: dict, line: dict, name: str, hover: str
) -> go.Scatter:
    """Polygons filled with a colour and a pattern, named in the legend, hover on the fill."""
    return filled_area(
        rings, colour, line, name, hover, fillpattern={**fill, "bgcolor": colour}, hoverinfo="text"
    )


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


def _lineage_columns(info: Vintage) -> tuple[str, str, str]:
    """The vintage's predecessor code and name columns and its group's name column."""
    unit_level, group_level = list(info.lineage)
    unit_code, unit_name = info.lineage[unit_level][:2]
    return unit_code, unit_name, info.lineage[group_level][1]


def _ccg_traces(
    fig: go.Figure, lineage: pd.DataFrame, parts: gpd.GeoDataFrame, info: Vintage
) -> list[dict]:
    """One filled, patterned, labelled trace per predecessor unit; returns the labels."""
    words = _LINEAGE_WORDS[info.key]
    unit_code, unit_name, group_name = _lineage_columns(info)
    labels = []
    for i, row in enumerate(lineage.to_dict("records")):
        shape = parts.geometry.get(row[unit_code])
        if shape is None or shape.is_empty:
            continue
        xs, ys = exterior_rings(shape)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        pattern = _PATTERNS[(i // len(OKABE_ITO) + i) % len(_PATTERNS)]
        short = _short_unit_name(row[unit_name])
        hover = (
            f"<b>{row[unit_name]}</b> ({row[unit_code]})<br>{words['group']}: {row[group_name]}"
            f"<br>{row['population']:,} residents ({info.population_short}) in this ICB, "
            f"{row['share_of_icb']:.1%} of it"
            + ("" if row["whole"] else f"<br>Part went to: {row['other_icbs']}")
        )
        fill = {"shape": pattern, "fgcolor": "rgba(255,255,255,0.7)", "solidity": 0.25}
        line = {"color": "#ffffff", "width": 1}
        name = f"{i + 1}. {short} ({words['tag']})"
        fig.add_trace(_patterned_area((xs, ys), colour, fill, line, name, hover))
        labels.append(_map_label(_label_point(shape), f"{i + 1}. {short}"))
    return labels


def _away_parts(
    geo: gpd.GeoDataFrame,
    lineage: pd.DataFrame,
    split: pd.DataFrame,
    icb_code: str,
    icb_names: pd.Series,
    level: str,
    info: Vintage,
) -> list[tuple[str, gpd.GeoDataFrame, str, str]]:
    """Parts of the predecessors and of split authorities now in other ICBs, labelled."""
    unit_code, unit_name, _group = _lineage_columns(info)
    away_sets = []
    others = geo.loc[(geo["icb_code"] != icb_code) & geo[unit_code].isin(lineage[unit_code])]
    if len(others):
        away = dissolve(others[[unit_code, "icb_code", "geometry"]], [unit_code, "icb_code"])
        unit_names = lineage.set_index(unit_code)[unit_name]
        away["label"] = [
            f"{_short_unit_name(unit_names[c])} → {icb_names.get(i, i)}"
            for c, i in zip(away[unit_code], away["icb_code"], strict=True)
        ]
        what = f"Parts of those {_LINEAGE_WORDS[info.key]['units']} now in other ICBs"
        away_sets.append((what, away, "#999999", "x"))
    outside = geo.loc[(geo["icb_code"] != icb_code) & geo[level].isin(split["la_code"])]
    if len(outside):
        split_parts = dissolve(outside[[level, "icb_code", "geometry"]], [level, "icb_code"])
        la_names = split.drop_duplicates("la_code").set_index("la_code")["la_name"]
        split_parts["label"] = [
            f"{la_names[c]} → {icb_names.get(i, i)}"
            for c, i in zip(split_parts[level], split_parts["icb_code"], strict=True)
        ]
        away_sets.append(("Parts of split authorities in other ICBs", split_parts, "#cccccc", "."))
    return away_sets


def _away_traces(
    fig: go.Figure, away_sets: list[tuple[str, gpd.GeoDataFrame, str, str]], view: object
) -> list[dict]:
    """One hatched grey trace per kind of part elsewhere; returns their labels."""
    labels = []
    for trace_name, frame, colour, pattern in away_sets:
        xs, ys, hovers = [], [], []
        for shape, text in zip(frame.geometry, frame["label"], strict=True):
            rx, ry = exterior_rings(shape)
            xs += rx
            ys += ry
            labels.append(_map_label(_label_point(shape, view), text, size=10))
            hovers.append(text)
        fill = {"shape": pattern, "fgcolor": "#555555", "fgopacity": 0.6, "solidity": 0.15}
        line = {"color": "#666666", "width": 1, "dash": "dot"}
        fig.add_trace(_patterned_area((xs, ys), colour, fill, line, trace_name, "; ".join(hovers)))
    return labels


def _boundary_traces(
    fig: go.Figure, mine: gpd.GeoDataFrame, parts: gpd.GeoDataFrame, level: str
) -> None:
    """Council boundaries inside the ICS (dashed) and the ICS outline."""
    councils = dissolve(mine[[level, "geometry"]], level)
    lon, lat = outline_coordinates(councils.geometry)
    level_word = "upper-tier" if level == "utla_code" else "lower-tier"
    fig.add_trace(
        line_trace(
            lon,
            lat,
            {"color": "#212b32", "width": 1, "dash": "dash"},
            f"Local authority boundaries ({level_word})",
            flat=True,
        )
    )
    lon, lat = outline_coordinates([shapely.union_all(parts.geometry.to_numpy())])
    fig.add_trace(
        line_trace(lon, lat, {"color": "#000000", "width": 2.5}, "ICS boundary", flat=True)
    )


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

    Each former CCG is a filled area with its own colour, fill pattern and a text label;
    parts of those CCGs that went to other ICBs and parts of split local authorities
    lying in other ICBs are hatched grey and labelled with the ICB they went to. Drawn
    as SVG (offline, labels without map glyphs), longitude / latitude with a local
    aspect correction.

    Parameters
    ----------
    lsoas : DataFrame
        England-wide: lsoa_code, icb_code, the vintage's lineage columns (2022:
        ccg21_code, ccg21_name, stp21_code, stp21_name), population,
        ``{la_level}_code`` / ``_name`` (icb_name used when present).
    lsoa_geometry : GeoDataFrame
        lsoa_code, geometry in EPSG:4326 (England-wide; light is enough).
    icb_code : str
        NHS ICB code, e.g. "QE1".
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
        One filled trace per former CCG, a grey hatched trace for each of "parts of
        those CCGs now in other ICBs" and "parts of split authorities in other ICBs"
        when there are any, dashed council boundaries at ``la_level``, the ICS
        outline, and text labels as annotations.

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
    unit_code, _unit_name, _group = _lineage_columns(info)
    lineage = merger_lineage(lsoas, icb_code, level=next(iter(info.lineage)), vintage=info.key)
    level = f"{la_level}_code"
    split = split_authorities(lsoas, la_level=la_level, icb_code=icb_code)
    geo, icb_names = _lineage_geometry(
        lsoas, lsoa_geometry, icb_code, unit_code, level, (lineage, split)
    )
    name = icb_name or str(icb_names.get(icb_code, icb_code))
    mine = geo.loc[geo["icb_code"] == icb_code]
    minx, miny, maxx, maxy = _lineage_view(mine, geo)

    fig = go.Figure()
    parts = dissolve(mine[[unit_code, "geometry"]], unit_code).set_index(unit_code)
    labels = _ccg_traces(fig, lineage, parts, info)
    away = _away_parts(geo, lineage, split, icb_code, icb_names, level, info)
    labels += _away_traces(fig, away, shapely.box(minx, miny, maxx, maxy))
    # Council boundaries inside the ICS, so readers see how the CCGs map onto them.
    _boundary_traces(fig, mine, parts, level)
    note = note_annotation(f"{words['foot']}{OS_ATTRIBUTION}<br>Data: {info.data_line}.")
    fig.update_layout(
        title=top_title(f"{words['title']} {name} ICB ({icb_code})"),
        height=height,
        margin={"l": 10, "r": 10, "t": top_margin(note), "b": 10},
        plot_bgcolor="#ffffff",
        xaxis={"visible": False, "range": [minx, maxx], "constrain": "domain"},
        yaxis={
            "visible": False,
            "range": [miny, maxy],
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians((miny + maxy) / 2)),
            "constrain": "domain",
        },
        legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1, "font": {"size": 11}},
        annotations=[note, *labels],
    )
    return fig


def _lineage_geometry(
    lsoas: pd.DataFrame,
    lsoa_geometry: gpd.GeoDataFrame,
    icb_code: str,
    unit_code: str,
    level: str,
    found: tuple[pd.DataFrame, pd.DataFrame],
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """The LSOAs a lineage map draws (with shapes) and the ICB names by code.

    ``found`` is the lineage and the split authorities: their LSOAs are drawn wherever
    they lie, with those of the ICB itself.
    """
    lineage, split = found
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
    wanted = table[unit_code].isin(lineage[unit_code]) | table[level].isin(split["la_code"])
    wanted |= table["icb_code"] == icb_code
    geo = lsoa_geometry[["lsoa_code", "geometry"]].merge(table.loc[wanted], on="lsoa_code")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=lsoa_geometry.crs)
    if (geo["icb_code"] != icb_code).all():
        raise ValueError(f"lsoa_geometry has no LSOAs of {icb_code}.")
    return geo, icb_names


# --------------------------------------------------------------------------- place card

_CARD_UNIT_COLUMNS = ("unit_code", "unit_name", "unit_type", "home_share")


def _card_facts(facts: pd.DataFrame) -> go.Table:
    """The card's facts as a two-column table on the left half of the page."""
    return go.Table(
        domain={"x": [0.0, 0.5], "y": [0.0, 1.0]},
        columnwidth=[0.42, 0.58],
        header={
            "values": ["<b>Fact</b>", "<b>Value</b>"],
            "fill_color": "#005eb8",
            "font": {"color": "#ffffff", "size": 12},
            "align": "left",
        },
        cells={
            "values": [
                [wrap_text(v, 34) for v in facts["Item"]],
                [wrap_text(v, 44) for v in facts["Value"]],
            ],
            "fill_color": [["#f0f4f5", "#ffffff"] * (len(facts) // 2 + 1)],
            "font": {"size": 11, "color": "#212b32"},
            "align": "left",
            "height": 22,
        },
    )


def _card_notes(limit: float, more: int, info: Vintage) -> list[dict]:
    """The chart's heading and the page's footer (data date and sources)."""
    heading = (
        f"<b>PCNs homed here</b>: dashed line = threshold {limit:.0%}; hatched orange bars "
        "straddle" + (f"; {more} more not shown" if more > 0 else "")
    )
    footer = wrap_text(
        f"Data: {info.data_line}. "
        + (
            "Registered patients are modelled from July 2022 patterns, not published counts. "
            if info.registrations_modelled
            else "Registered patients are NHS Digital's published counts, shown exactly. "
        )
        + info.sources,
        190,
    )
    return [
        {**note_annotation(heading), "x": 0.54, "font": {"size": 12}},
        {**note_annotation(footer, y=-0.02, yanchor="top"), "font": {**NOTE_FONT, "size": 9}},
    ]


def place_card_figure(
    facts: pd.DataFrame,
    units: pd.DataFrame,
    *,
    threshold: float,
    title: str,
    subtitle: str = "",
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """One A4-landscape page: the card's facts beside a chart of its home units.

    Parameters
    ----------
    facts : DataFrame
        From :func:`layers.alignment.place_card_table` (Item, Value).
    units : DataFrame
        The place's rows of :func:`layers.alignment.place_units` (unit_code,
        unit_name, unit_type, home_share).
    threshold : float
        Straddle threshold in (0, 1], drawn on the chart.
    title : str
        Page title (e.g. the place name and ICS).
    subtitle : str
        Lines under the title, separated by newlines (e.g. the ICS and the place
        definition).
    vintage : {"2022", "2026"}
        The data vintage, for the footer.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``Table`` and two horizontal ``Bar`` traces (straddling, not), sized
        :data:`CARD_WIDTH` × :data:`CARD_HEIGHT` px, with the data date and sources
        in the footer.

    Examples
    --------
    >>> from layers.alignment import place_card_table
    >>> from layers.alignment.examples import toy_figures
    >>> toy = toy_figures()
    >>> facts = place_card_table(toy["place_summary"].iloc[0], threshold=0.9, ics_name="Alpha",
    ...                          vintage="2022")
    >>> fig = place_card_figure(facts, toy["place_units"], threshold=0.9, title="Town",
    ...                         vintage="2022")
    >>> [type(t).__name__ for t in fig.data], fig.layout.width, fig.layout.height
    (['Table', 'Bar', 'Bar'], 1123, 794)
    >>> list(fig.data[1].y), list(fig.data[1].text)
    (['U00002', 'A00004 (no PCN)'], ['60% straddles', '80% straddles'])
    """
    limit = check_threshold(threshold)
    table = require_frame(facts, ["Item", "Value"], "facts")
    frame = require_frame(units, _CARD_UNIT_COLUMNS, "units")
    frame = frame.sort_values(["home_share", "unit_code"]).head(CARD_MAX_UNITS)
    straddles = frame["home_share"] < limit
    labels = [
        wrap_text(name + (" (no PCN)" if kind == NO_PCN else ""), 34)
        for name, kind in zip(frame["unit_name"], frame["unit_type"], strict=True)
    ]
    fig = go.Figure(_card_facts(table))
    # One trace per kind, each with scalar colours (array pattern colours are not
    # drawn by every plotly.js build); the category order keeps the sort.
    for kind in (True, False):
        part = straddles == kind
        fig.add_trace(
            go.Bar(
                x=100 * frame.loc[part, "home_share"],
                y=[label for label, p in zip(labels, part, strict=True) if p],
                orientation="h",
                marker=_straddle_marker(kind),
                text=[
                    f"{100 * share:.0f}%" + (" straddles" if kind else "")
                    for share in frame.loc[part, "home_share"]
                ],
                textposition="inside",
                insidetextanchor="start",
                textfont={"size": 10, "color": "#ffffff"},
                showlegend=False,
                xaxis="x",
                yaxis="y",
            )
        )
    fig.update_layout(
        width=CARD_WIDTH,
        height=CARD_HEIGHT,
        margin={"l": 30, "r": 30, "t": 110, "b": 80},
        title={
            "text": f"<b>{title}</b>"
            + "".join(f"<br><sup>{line}</sup>" for line in subtitle.split("\n") if line),
            "x": 0.02,
            "font": {"size": 20},
        },
        xaxis={
            "domain": [0.78, 1.0],
            "range": [0, 100],
            "title": {"text": "% of patients living here"},
            "gridcolor": _GRID,
        },
        barmode="overlay",
        yaxis={
            "domain": [0.06, 0.95],
            "autorange": "reversed",
            "anchor": "x",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
        plot_bgcolor="#ffffff",
        annotations=_card_notes(limit, len(units) - len(frame), get_vintage(vintage)),
    )
    fig.add_vline(x=100 * limit, line={"color": "#000000", "dash": "dash", "width": 1.5})
    return fig
