"""Figures of the population tiers: the ladder, the tier map, age pyramids and risk tiers.

Every figure of the Population tiers page is drawn here, from the frames of
:mod:`layers.tiers`; the page shows them, :func:`layers.slides.tiers_slide` puts
:func:`band_counts` and :func:`people_at_risk` side by side (:func:`briefing`) and
restyles them for a projector, and a notebook calls them directly.

A unit's flag is never shown by colour alone: the ladder uses marker shapes, the map
hatching (above band), dots (below band) and black rings (practices), and the bar
charts patterns and labels. Counts of people from the synthetic individuals arrive
disclosure-controlled (:func:`layers.tiers.risk_tiers_by_unit`) and are drawn as they
are: bar lengths use the rounded counts, and their value axes carry no ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.subplots import make_subplots

from layers import format as fmt
from layers import tiers
from layers._checks import require_choice, require_frame
from layers.geodata import DATA_VINTAGE
from layers.maps import (
    feature_collection,
    geo_view,
    line_trace,
    name_labels,
    outline_coordinates,
    pcn_labels,
)
from layers.risk import RISK_TIERS
from layers.style import (
    FLAG_COLOURS,
    FLAG_PATTERNS,
    GRID_COLOUR,
    NOTE_FONT,
    OS_ATTRIBUTION,
    RISK_TIER_COLOURS,
    RISK_TIER_PATTERNS,
    TEXT_COLOUR,
    source_note,
)

__all__ = [
    "FLAG_MARKS",
    "FLAG_SYMBOLS",
    "MAP_LAYERS",
    "NO_PRACTICE_MARK",
    "RISK_LABELS",
    "MapGeometry",
    "band_counts",
    "briefing",
    "dot_coordinates",
    "hatch_coordinates",
    "ladder",
    "map_geometry",
    "map_key",
    "pattern_coordinates",
    "people_at_risk",
    "pyramid",
    "risk_shares",
    "tier_map",
]

#: Marker shapes of the flags on the ladder, and the same marks in tables.
FLAG_SYMBOLS: Final = {"below": "triangle-down", "within": "circle", "above": "triangle-up"}
FLAG_MARKS: Final = {"below": "▼ Below band", "within": "● Within band", "above": "▲ Above band"}
#: The mark of a unit with no practice (not measured against its band).
NO_PRACTICE_MARK: Final = "○ " + tiers.STATUS_LABELS[tiers.NO_PRACTICE]
#: The map's pattern of each flag, in words (for its key).
_PATTERN_WORDS: Final = {"below": "dotted", "within": "plain", "above": "hatched"}
#: The layers the tier map can show, in words.
MAP_LAYERS: Final = {"pcn": "PCN footprints", "place": "Places", "practice": "GP practices"}
#: What the rising and high risk tiers mean, in words.
RISK_LABELS: Final = {
    "rising": "Rising risk (2+ long-term conditions)",
    "high": "High risk (moderate or severe frailty)",
}
_BAND_FILL = "rgba(0, 158, 115, 0.12)"
_BAND_LINE = "#009E73"
_LIGHT_GRID = "#E8EDEE"


def _note(text: str, yshift: float = -60) -> dict:
    """A small grey note under a chart (source, method)."""
    note = {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yanchor": "top",
        "showarrow": False,
        "xanchor": "left",
        "font": dict(NOTE_FONT),
    }
    return note | ({"yshift": yshift} if yshift else {})


# --------------------------------------------------------------------------- ladder


def ladder(
    summary: pd.DataFrame,
    flags: pd.DataFrame,
    title: str,
    *,
    scenario: bool = False,
    vintage: str = DATA_VINTAGE,
) -> go.Figure:
    """The five layers as rungs: every unit on a log scale against its design band.

    Parameters
    ----------
    summary : DataFrame
        :func:`layers.tiers.tier_summary`.
    flags : DataFrame
        :func:`layers.tiers.flag_units` of the same tables and bands.
    title : str
        The figure's title.
    scenario : bool, default False
        Whether a what-if regrouping is shown (said in the title).
    vintage : str
        The data vintage, for the source note.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per flag present (marker shapes differ), and the median of each layer.

    Examples
    --------
    >>> toy = tiers.example_tables()
    >>> flags = tiers.flag_units(toy, {"practice": (30, 100)})
    >>> figure = ladder(tiers.tier_summary(toy, {"practice": (30, 100)}, flags=flags),
    ...                 flags, "Toyshire", scenario=True)
    >>> [trace.name for trace in figure.data]
    ['Below band', 'Within band', 'Above band', 'Median unit']
    >>> figure.layout.title.text
    'Toyshire — what-if scenario'
    """
    require_frame(summary, ["layer", "label", "n_units", "median", "band_low"], "summary")
    require_frame(flags, ["layer", "registered_patients", "flag", "name", "code"], "flags")
    rung = {layer: i for i, layer in enumerate(tiers.LAYERS)}
    rows = summary.set_index("layer")
    figure = go.Figure()
    for layer in tiers.BANDED_LAYERS:
        figure.add_shape(
            type="rect",
            x0=rows.loc[layer, "band_low"],
            x1=rows.loc[layer, "band_high"],
            y0=rung[layer] - 0.4,
            y1=rung[layer] + 0.4,
            fillcolor=_BAND_FILL,
            line={"color": _BAND_LINE, "width": 1, "dash": "dot"},
            layer="below",
        )
    # Spread the units of a rung vertically so that they do not hide each other.
    order = flags.groupby("layer")["registered_patients"].rank(method="first").to_numpy()
    y_values = flags["layer"].map(rung).to_numpy() + ((order % 9) - 4) / 11.0
    for flag in tiers.FLAGS:
        chosen = (flags["flag"] == flag).to_numpy()
        if chosen.any():
            figure.add_trace(_ladder_trace(flags[chosen], y_values[chosen], flag))
    medians = rows.loc[list(tiers.BANDED_LAYERS), "median"]
    figure.add_trace(
        go.Scatter(
            x=medians.to_numpy(),
            y=[rung[layer] for layer in medians.index],
            mode="markers",
            name="Median unit",
            marker={
                "symbol": "line-ns-open",
                "size": 34,
                "color": TEXT_COLOUR,
                "line": {"width": 3},
            },
            hovertemplate="Median: %{x:,.0f} registered patients<extra></extra>",
        )
    )
    _ladder_layout(
        figure, rows, flags, title + (" — what-if scenario" if scenario else ""), vintage
    )
    return figure


def _ladder_layout(
    figure: go.Figure, rows: pd.DataFrame, flags: pd.DataFrame, title: str, vintage: str
) -> None:
    """The ladder's axes (a log scale of patients, one rung per layer) and its notes."""
    rung = {layer: i for i, layer in enumerate(tiers.LAYERS)}
    n_people = int(rows.loc["individual", "n_units"])
    top = max(float(flags["registered_patients"].max()), float(rows.loc["ics", "band_high"]))
    bottom = max(1.0, min(float(flags["registered_patients"].min()), 1_000.0) / 2)
    figure.update_layout(
        title={"text": title, "x": 0.01},
        height=500,
        margin={"l": 10, "r": 10, "t": 50, "b": 90},
        xaxis={
            "type": "log",
            "title": "Registered patients per unit, July 2022 (log scale)",
            "range": [np.log10(bottom), np.log10(top) + 0.2],
            "gridcolor": _LIGHT_GRID,
        },
        yaxis={
            "tickvals": list(range(len(tiers.LAYERS))),
            "ticktext": [_rung_label(rows, layer) for layer in tiers.LAYERS],
            "range": [-0.6, len(tiers.LAYERS) - 0.4],
            "gridcolor": _LIGHT_GRID,
        },
        legend={"orientation": "h", "y": -0.25, "x": 0},
        plot_bgcolor="white",
        annotations=[
            {
                "text": f"{n_people:,} synthetic individuals, one per registered patient: "
                "each is a unit of one person, so this layer has no band.",
                "xref": "paper",
                "yref": "y",
                "x": 0.01,
                "y": rung["individual"],
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 12, "color": TEXT_COLOUR},
            },
            {
                "text": "Green boxes: design bands. " + source_note(vintage),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.36,
                "showarrow": False,
                "xanchor": "left",
                "font": dict(NOTE_FONT),
            },
        ],
    )


def _ladder_trace(units: pd.DataFrame, y_values: np.ndarray, flag: str) -> go.Scatter:
    label = tiers.FLAG_LABELS[flag]
    return go.Scatter(
        x=units["registered_patients"],
        y=y_values,
        mode="markers",
        name=label,
        marker={
            "symbol": FLAG_SYMBOLS[flag],
            "color": FLAG_COLOURS[flag],
            "size": 10,
            "line": {"color": TEXT_COLOUR, "width": 0.6},
        },
        customdata=np.column_stack(
            [units["name"], units["code"], units["layer"].map(tiers.UNIT_NAMES)]
        ),
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]} %{customdata[1]})<br>"
        "Registered patients: %{x:,}<extra>" + label + "</extra>",
    )


def _rung_label(rows: pd.DataFrame, layer: str) -> str:
    row = rows.loc[layer]
    if layer == "individual":
        return f"<b>Individuals</b><br>{int(row['n_units']):,} people"
    outside = int(row["n_below"]) + int(row["n_above"])
    return f"<b>{row['label']}</b><br>{int(row['n_units']):,} · {outside} outside band"


# --------------------------------------------------------------------------- band counts


def band_counts(
    flags: pd.DataFrame,
    bands: Mapping[str, Sequence[int]] = tiers.DEFAULT_BANDS,
    title: str | None = None,
) -> go.Figure:
    """How many practices, PCNs and places are below, within and above their band.

    Bars are shares of each layer's units (stacked to 100%), labelled with the number
    of units, and patterned by flag.

    Parameters
    ----------
    flags : DataFrame
        :func:`layers.tiers.flag_units`.
    bands : mapping, default :data:`layers.tiers.DEFAULT_BANDS`
        The bands ``flags`` was made with (written under each layer's name).
    title : str, optional
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per flag (legend group ``"bands"``).

    Examples
    --------
    >>> flags = tiers.flag_units(tiers.example_tables(), {"practice": (30, 100)})
    >>> figure = band_counts(flags, {**tiers.DEFAULT_BANDS, "practice": (30, 100)})
    >>> below = figure.data[0]
    >>> below.name, list(below.y), list(below.text)
    ('Below band', ['Places<br>(100k–500k)', 'PCNs<br>(30k–50k)', 'GP practices<br>(30–100)'], \
['2', '2', '1'])
    """
    require_frame(flags, ["layer", "flag"], "flags")
    checked = tiers.validate_bands(bands)
    shown = [layer for layer in ("place", "pcn", "practice") if layer in set(flags["layer"])]
    counts = pd.crosstab(flags["layer"], flags["flag"].astype(str)).reindex(
        index=shown, columns=list(tiers.FLAGS), fill_value=0
    )
    labels = [
        f"{tiers.LAYER_LABELS[layer]}<br>({tiers.format_band(*checked[layer], '–')})"
        for layer in shown
    ]
    shares = 100 * counts.div(counts.sum(axis=1).replace(0, 1), axis=0)
    figure = go.Figure()
    for flag in tiers.FLAGS:
        figure.add_trace(
            go.Bar(
                y=labels,
                x=shares[flag],
                orientation="h",
                name=tiers.FLAG_LABELS[flag],
                legendgroup="bands",
                offsetgroup="bands",
                marker={
                    "color": FLAG_COLOURS[flag],
                    "pattern": {"shape": FLAG_PATTERNS[flag], "fgcolor": "#000000"},
                    "line": {"color": TEXT_COLOUR, "width": 1},
                },
                text=[str(v) if v else "" for v in counts[flag]],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "#FFFFFF" if flag == "above" else "#000000"},
                customdata=counts[flag],
                hovertemplate="%{y}: %{customdata} units " + flag + " the band<extra></extra>",
            )
        )
    figure.update_layout(
        title={"text": title, "x": 0.01} if title else None,
        barmode="stack",
        height=320,
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 40},
    )
    figure.update_xaxes(
        title_text="Share of units (%), labelled with the number",
        range=[0, 100],
        gridcolor=GRID_COLOUR,
    )
    return figure


# --------------------------------------------------------------------------- map cues


def _shapes(geometries: Iterable, spacing: float | None) -> tuple[list, float]:
    """The polygons to pattern (none empty) and the pattern's spacing."""
    if spacing is not None and not spacing > 0:
        raise ValueError(f"spacing must be > 0, got {spacing}")
    geoms = [g for g in geometries if g is not None and not g.is_empty]
    if spacing is not None or not geoms:
        return geoms, float(spacing or 0.01)
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms))
    return geoms, max(maxx - minx, maxy - miny) / 70 or 0.01


_Pieces = list[tuple[np.ndarray, np.ndarray]]


def _pattern(
    geometries: Iterable, spacing: float | None, draw: Callable[[shapely.Geometry, float], _Pieces]
) -> tuple[np.ndarray, np.ndarray]:
    """A pattern drawn polygon by polygon (``draw(polygon, step)``), joined into lon, lat."""
    geoms, step = _shapes(geometries, spacing)
    pieces = [piece for geom in geoms for piece in draw(geom, step)]
    if not pieces:
        return np.array([]), np.array([])
    return np.concatenate([x for x, _ in pieces]), np.concatenate([y for _, y in pieces])


def _hatch_lines(geom: shapely.Geometry, step: float) -> _Pieces:
    """Diagonal lines across one polygon's bounds, clipped to it; NaN ends each line."""
    minx, miny, maxx, maxy = geom.bounds
    offsets = np.arange(miny - (maxx - minx), maxy + step, step)
    lines = shapely.linestrings(
        np.stack(
            [
                np.column_stack([np.full(len(offsets), minx), offsets]),
                np.column_stack([np.full(len(offsets), maxx), offsets + (maxx - minx)]),
            ],
            axis=1,
        )
    )
    clipped = shapely.intersection(lines, geom)
    pieces = []
    for part in shapely.get_parts(clipped[~shapely.is_empty(clipped)]):
        xy = shapely.get_coordinates(part)
        if len(xy) >= 2:
            pieces.append((np.append(xy[:, 0], np.nan), np.append(xy[:, 1], np.nan)))
    return pieces


def _dot_grid(geom: shapely.Geometry, step: float) -> _Pieces:
    """A staggered grid of dots inside one polygon, or its representative point."""
    minx, miny, maxx, maxy = geom.bounds
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step * 0.7)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    inside = shapely.contains_xy(geom, gx, gy)
    if not inside.any():
        point = geom.representative_point()
        return [(np.array([point.x]), np.array([point.y]))]
    return [(gx[inside], gy[inside])]


def hatch_coordinates(
    geometries: Iterable, spacing: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal hatching lines clipped to polygons: a pattern, so colour is not the only cue.

    Parameters
    ----------
    geometries : iterable of shapely geometries
        Polygons in lon/lat.
    spacing : float, optional
        Distance between lines in degrees; default 1/70 of the extent.

    Returns
    -------
    lon, lat : numpy.ndarray
        Line vertices with NaN between lines (plotly reads NaN as a break).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> lon, lat = hatch_coordinates([box(0, 0, 1, 1)], spacing=0.25)
    >>> int(np.isnan(lon).sum()), bool(np.nanmax(lon) <= 1 and np.nanmin(lat) >= 0)
    (7, True)
    """
    return _pattern(geometries, spacing, _hatch_lines)


def dot_coordinates(
    geometries: Iterable, spacing: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A regular grid of dots inside polygons: a second pattern for maps.

    Each polygon gets at least one dot (its representative point).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> lon, lat = dot_coordinates([box(0, 0, 1, 1)], spacing=0.25)
    >>> len(lon), bool(((lon > 0) & (lon < 1) & (lat > 0) & (lat < 1)).all())
    (20, True)
    """
    return _pattern(geometries, spacing, _dot_grid)


# --------------------------------------------------------------------------- map


@dataclass(frozen=True)
class MapGeometry:
    """What the tier map draws on: footprints, places, outlines and the view.

    Build it with :func:`map_geometry`; it holds no flags, so one instance serves every
    band and every what-if scenario of an ICS.
    """

    pcn_geojson: dict = field(repr=False)
    pcn_codes: list[str]
    pcn_names: dict[str, str] = field(repr=False)
    place_geojson: dict = field(repr=False)
    place_codes: list[str]
    pcn_outline: tuple[np.ndarray, np.ndarray] = field(repr=False)
    place_outline: tuple[np.ndarray, np.ndarray] = field(repr=False)
    view: dict = field(repr=False)
    spacing: float
    shapes: dict[str, dict[str, object]] = field(repr=False)


def map_geometry(
    pcns: gpd.GeoDataFrame, places: gpd.GeoDataFrame, bounds: Sequence[float]
) -> MapGeometry:
    """The tier map's geometry from PCN footprints and places (lon/lat).

    Parameters
    ----------
    pcns : GeoDataFrame
        ``pcn_code``, ``pcn_name`` and the footprint geometry (empty ones are left out).
    places : GeoDataFrame
        ``place_code`` and geometry.
    bounds : sequence of float
        ``(minx, miny, maxx, maxy)`` of the ICS: the map's view.

    Returns
    -------
    MapGeometry

    Examples
    --------
    >>> from shapely.geometry import box
    >>> pcns = gpd.GeoDataFrame({"pcn_code": ["A", "B"], "pcn_name": ["PCN A", "PCN B"]},
    ...                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> places = gpd.GeoDataFrame({"place_code": ["U1", "U2"]},
    ...                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> geometry = map_geometry(pcns, places, (0, 0, 2, 1))
    >>> geometry.pcn_codes, geometry.place_codes, round(geometry.spacing, 4)
    (['A', 'B'], ['U1', 'U2'], 0.0222)
    """
    require_frame(pcns, ["pcn_code", "pcn_name", "geometry"], "pcns")
    require_frame(places, ["place_code", "geometry"], "places")
    pcns = pcns[~pcns.geometry.is_empty & pcns.geometry.notna()]
    minx, miny, maxx, maxy = bounds
    return MapGeometry(
        pcn_geojson=feature_collection(pcns, "pcn_code"),
        pcn_codes=pcns["pcn_code"].tolist(),
        pcn_names=dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True)),
        place_geojson=feature_collection(places, "place_code"),
        place_codes=places["place_code"].tolist(),
        pcn_outline=outline_coordinates(pcns.geometry),
        place_outline=outline_coordinates(places.geometry),
        view=geo_view(bounds),
        spacing=max(maxx - minx, maxy - miny) / 90,
        shapes={
            "pcn": dict(zip(pcns["pcn_code"], pcns.geometry, strict=True)),
            "place": dict(zip(places["place_code"], places.geometry, strict=True)),
        },
    )


def pattern_coordinates(
    geometry: MapGeometry, layer: str, kind: str, codes: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Hatching (``kind="hatch"``) or dots (``"dots"``) over PCN footprints or places.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> pcns = gpd.GeoDataFrame({"pcn_code": ["A"], "pcn_name": ["PCN A"]},
    ...                         geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> geometry = map_geometry(pcns, pcns.rename(columns={"pcn_code": "place_code"}),
    ...                         (0, 0, 1, 1))
    >>> lon, lat = pattern_coordinates(geometry, "pcn", "dots", ["A"])
    >>> len(lon) > 100, pattern_coordinates(geometry, "pcn", "dots", [])
    (True, ([], []))
    """
    require_choice(layer, ("pcn", "place"), "map layer with areas")
    require_choice(kind, ("hatch", "dots"), "pattern")
    shapes = geometry.shapes[layer]
    chosen = [shapes[code] for code in codes if code in shapes]
    draw = hatch_coordinates if kind == "hatch" else dot_coordinates
    lon, lat = draw(chosen, geometry.spacing)
    return lon.tolist(), lat.tolist()


#: ``patterns(layer, kind, codes) -> (lon, lat)``: e.g. a cached :func:`pattern_coordinates`.
Patterns = Callable[[str, str, tuple[str, ...]], tuple[Sequence[float], Sequence[float]]]


def map_key(layer: str) -> str:
    """An in-figure key, so exported images explain the colours and patterns too.

    Examples
    --------
    >>> "hatched" in map_key("pcn"), "black ring" in map_key("practice")
    (True, True)
    """
    parts = []
    for flag in tiers.FLAGS:
        cue = "" if flag == "within" else f" ({_PATTERN_WORDS[flag]})"
        if layer == "practice":
            cue = "" if flag == "within" else ", black ring"
        parts.append(
            f'<span style="color:{FLAG_COLOURS[flag]}">■</span> {tiers.FLAG_LABELS[flag]}{cue}'
        )
    return "   ".join(parts)


def tier_map(
    layer: str,
    tables: tiers.TierTables,
    flags: pd.DataFrame,
    geometry: MapGeometry,
    title: str,
    *,
    patterns: Patterns | None = None,
    vintage: str = DATA_VINTAGE,
) -> go.Figure:
    """Units of one layer coloured and patterned by their flag, on an offline map.

    PCN footprints are where each PCN's patients live (real configuration); after a
    what-if regrouping a footprint is drawn with the PCN it now belongs to.

    Parameters
    ----------
    layer : {"pcn", "place", "practice"}
    tables : TierTables
        The configuration shown (real or regrouped).
    flags : DataFrame
        :func:`layers.tiers.flag_units` of ``tables``.
    geometry : MapGeometry
        From :func:`map_geometry`.
    title : str
    patterns : callable, optional
        ``patterns(layer, kind, codes)`` gives the hatching or dots; default
        :func:`pattern_coordinates` on ``geometry``.
    vintage : str
        The data vintage, for the source note.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from shapely.geometry import box
    >>> toy = tiers.example_tables()
    >>> shapes = [box(0, 0, 1, 1), box(1, 0, 2, 1)]
    >>> geometry = map_geometry(
    ...     gpd.GeoDataFrame({"pcn_code": ["A", "B"], "pcn_name": ["PCN A", "PCN B"]},
    ...                      geometry=shapes, crs=4326),
    ...     gpd.GeoDataFrame({"place_code": ["U1", "U2"]}, geometry=shapes, crs=4326),
    ...     (0, 0, 2, 1))
    >>> figure = tier_map("pcn", toy, tiers.flag_units(toy), geometry, "Toyshire")
    >>> figure.data[0].type, list(figure.data[0].z), figure.data[1].name
    ('choropleth', [0, 0], 'Below band (dotted)')
    """
    require_choice(layer, tuple(MAP_LAYERS), "map layer")
    units = flags[flags["layer"] == layer].set_index("code")
    figure = go.Figure()
    if layer == "practice":
        for trace in _practice_traces(tables, units, geometry):
            figure.add_trace(trace)
    else:
        draw = patterns or partial(pattern_coordinates, geometry)
        for trace in _area_traces(layer, tables, units, geometry, draw):
            figure.add_trace(trace)
    for trace in _labels(layer, tables, geometry):
        figure.add_trace(trace)
    figure.update_layout(
        geo=geometry.view,
        height=600,
        margin={"l": 0, "r": 0, "t": 60, "b": 30},
        title={"text": title, "x": 0.01},
        annotations=[
            # The key sits above the map, in body text.
            _note(map_key(layer), yshift=0)
            | {"y": 1.0, "yanchor": "bottom", "font": {"size": 12, "color": TEXT_COLOUR}},
            _note(source_note(vintage, OS_ATTRIBUTION), yshift=0),
        ],
        uirevision=f"{tables.code}-{layer}",
    )
    return figure


def _area_traces(
    layer: str,
    tables: tiers.TierTables,
    units: pd.DataFrame,
    geometry: MapGeometry,
    patterns: Patterns,
) -> list:
    """The choropleth of PCN footprints or places, its patterns and the place outlines."""
    if layer == "pcn":
        owner = tables.footprints.set_index("footprint_code")["pcn_code"]
        locations = geometry.pcn_codes
        current = [owner.get(code) for code in locations]
        geojson = geometry.pcn_geojson
        notes = [
            "" if now == code else f"Footprint of {geometry.pcn_names[code]} ({code})"
            for code, now in zip(locations, current, strict=True)
        ]
    else:
        locations = current = geometry.place_codes
        geojson = geometry.place_geojson
        notes = [""] * len(locations)
    rows = units.reindex([code if isinstance(code, str) else "" for code in current])
    flags_here = rows["flag"].astype(object).to_numpy()
    flag_number = {flag: i for i, flag in enumerate(tiers.FLAGS)}
    low, high = units["band_low"].iloc[0], units["band_high"].iloc[0]
    band = f"{fmt.count(low)}–{fmt.count(high)}"
    traces: list = [
        go.Choropleth(
            geojson=geojson,
            locations=locations,
            z=[flag_number.get(flag, np.nan) for flag in flags_here],
            zmin=-0.5,
            zmax=2.5,
            colorscale=[
                (0.0, FLAG_COLOURS["below"]),
                (1 / 3, FLAG_COLOURS["below"]),
                (1 / 3, FLAG_COLOURS["within"]),
                (2 / 3, FLAG_COLOURS["within"]),
                (2 / 3, FLAG_COLOURS["above"]),
                (1.0, FLAG_COLOURS["above"]),
            ],
            showscale=False,
            marker={"opacity": 0.75, "line": {"width": 1, "color": "#FFFFFF"}},
            customdata=np.column_stack(
                [
                    rows["name"].fillna("No PCN (its practices moved)").to_numpy(),
                    [code if isinstance(code, str) else fmt.MISSING for code in current],
                    [fmt.count(value) for value in rows["registered_patients"]],
                    _status_words(rows),
                    notes,
                ]
            ),
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            "Registered patients: %{customdata[2]}<br>%{customdata[3]} "
            f"({band})<br>%{{customdata[4]}}<extra></extra>",
            name=tiers.LAYER_LABELS[layer],
            showlegend=False,
        )
    ]
    for flag, kind in (("above", "hatch"), ("below", "dots")):
        chosen = tuple(sorted(c for c, f in zip(locations, flags_here, strict=True) if f == flag))
        if not chosen:
            continue
        lon, lat = patterns(layer, kind, chosen)
        trace = go.Scattergeo(
            lon=lon,
            lat=lat,
            hoverinfo="skip",
            showlegend=False,
            name=f"{tiers.FLAG_LABELS[flag]} ({_PATTERN_WORDS[flag]})",
        )
        if kind == "hatch":
            trace.update(mode="lines", line={"color": TEXT_COLOUR, "width": 1})
        else:
            trace.update(mode="markers", marker={"size": 4, "color": TEXT_COLOUR})
        traces.append(trace)
    lon, lat = geometry.place_outline
    traces.append(_outline(lon, lat, "#000000", 2, "Places"))
    return traces


def _labels(layer: str, tables: tiers.TierTables, geometry: MapGeometry) -> list:
    """Place names (and PCN names where legible, on the PCN map): the one labelling rule."""
    labels = []
    if layer == "pcn":
        shapes = geometry.shapes["pcn"]
        labels.append(pcn_labels(shapes.values(), [geometry.pcn_names[c] for c in shapes]))
    names = tables.places.set_index("place_code")["place_name"]
    places = geometry.shapes["place"]
    labels.append(name_labels(places.values(), [names.get(code, "") for code in places]))
    return labels


def _status_words(rows: pd.DataFrame) -> list[str]:
    """Each unit's flag in words; a unit with no practice says where its residents are."""
    status = rows["status"] if "status" in rows.columns else rows["flag"].astype(object)
    return [tiers.STATUS_LABELS.get(value, fmt.MISSING) for value in status]


def _outline(lon: np.ndarray, lat: np.ndarray, colour: str, width: float, name: str):
    return line_trace(lon, lat, {"color": colour, "width": width}, name, showlegend=False)


def _practice_traces(tables: tiers.TierTables, units: pd.DataFrame, geometry: MapGeometry) -> list:
    """PCN outlines, black rings under practices outside their band, and the practices."""
    require_frame(tables.practices, ["longitude", "latitude"], "tables.practices")
    practices = tables.practices.set_index("practice_code")
    rows = units.reindex(practices.index)
    size = np.sqrt(rows["registered_patients"].clip(lower=1).to_numpy(dtype=float))
    size = 5 + 17 * size / size.max()
    outside = (rows["flag"] != "within").to_numpy()
    return [
        _outline(*geometry.pcn_outline, "#8C8C8C", 1, "PCN footprints"),
        go.Scattergeo(
            lon=practices.loc[outside, "longitude"],
            lat=practices.loc[outside, "latitude"],
            mode="markers",
            marker={"size": size[outside] + 5, "color": "#000000"},
            hoverinfo="skip",
            showlegend=False,
            name="Outside band (ring)",
        ),
        go.Scattergeo(
            lon=practices["longitude"],
            lat=practices["latitude"],
            mode="markers",
            marker={"size": size, "color": [FLAG_COLOURS[str(f)] for f in rows["flag"]]},
            customdata=np.column_stack(
                [
                    rows["name"],
                    rows.index,
                    [fmt.count(value) for value in rows["registered_patients"]],
                    rows["parent_name"],
                    [tiers.FLAG_LABELS[str(f)] for f in rows["flag"]],
                ]
            ),
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            "Registered patients: %{customdata[2]}<br>PCN: %{customdata[3]}<br>"
            "%{customdata[4]}<extra></extra>",
            showlegend=False,
            name="GP practices",
        ),
    ]


# --------------------------------------------------------------------------- age


def pyramid(
    unit: pd.DataFrame, ics: pd.DataFrame, title: str, *, vintage: str = DATA_VINTAGE
) -> go.Figure:
    """A unit's modelled age pyramid: female left, male right, the ICS as an outline.

    Parameters
    ----------
    unit, ics : DataFrame
        One unit's rows of :func:`layers.tiers.pyramid_from_structure`, and the ICS's.
    title : str
    vintage : str
        The data vintage, for the source note.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars in % of the unit's registered patients; the ICS as a stepped line.

    Examples
    --------
    >>> from layers.individuals import AGE_COLUMNS
    >>> structure = pd.DataFrame([[10.0] * 91], index=pd.Index(["P"], name="practice_code"),
    ...                          columns=list(AGE_COLUMNS))
    >>> rows = tiers.pyramid_from_structure(structure)
    >>> figure = pyramid(rows, rows, "P")
    >>> [trace.name for trace in figure.data]
    ['Female', 'ICS as a whole', 'Male', 'ICS (male)']
    """
    require_frame(unit, ["age_band", "female", "male", "female_share", "male_share"], "unit")
    require_frame(ics, ["female_share", "male_share"], "ics")
    bands = unit["age_band"].astype(str).tolist()
    figure = go.Figure()
    for sex, sign, colour, pattern in (("female", -1, "#CC79A7", ""), ("male", 1, "#009E73", "/")):
        figure.add_trace(
            go.Bar(
                y=bands,
                x=sign * unit[f"{sex}_share"].to_numpy(),
                orientation="h",
                name=sex.capitalize(),
                marker={"color": colour, "pattern": {"shape": pattern}},
                customdata=np.column_stack([unit[f"{sex}_share"].round(1), unit[sex].round(0)]),
                hovertemplate=f"{sex.capitalize()} %{{y}}: %{{customdata[0]}}% "
                "(about %{customdata[1]:,.0f} patients)<extra></extra>",
            )
        )
        figure.add_trace(
            go.Scatter(
                y=bands,
                x=sign * ics[f"{sex}_share"].to_numpy(),
                mode="lines",
                line={"color": TEXT_COLOUR, "width": 2, "shape": "vh"},
                name="ICS as a whole" if sex == "female" else "ICS (male)",
                showlegend=sex == "female",
                hovertemplate=f"ICS {sex} %{{y}}: %{{customdata:.1f}}%<extra></extra>",
                customdata=ics[f"{sex}_share"].to_numpy(),
            )
        )
    edge = float(max(unit[["female_share", "male_share"]].max().max(), 1)) * 1.15
    step = 1.0 if edge < 6 else 2.0 if edge < 12 else 5.0
    ticks = np.arange(-np.floor(edge / step) * step, edge, step)
    side = {"y": bands[-1], "showarrow": False}
    figure.update_layout(
        title={"text": title, "x": 0.01, "y": 0.99, "yanchor": "top"},
        barmode="overlay",
        bargap=0.08,
        height=540,
        margin={"l": 10, "r": 10, "t": 80, "b": 100},
        xaxis={
            "title": "% of the unit's registered patients (modelled), July 2022",
            "range": [-edge, edge],
            "tickvals": ticks,
            "ticktext": [f"{abs(t):.0f}%" for t in ticks],
            "gridcolor": _LIGHT_GRID,
        },
        yaxis={"title": "Age band (years)", "categoryorder": "array", "categoryarray": bands},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        annotations=[
            {"text": "◀ Female", "x": -edge * 0.95, "xanchor": "left", **side},
            {"text": "Male ▶", "x": edge * 0.95, "xanchor": "right", **side},
            _note(
                "Modelled: each practice's registrations × the ONS mid-2020 age mix of "
                "its patients' LSOAs; sex modelled from age.<br>" + source_note(vintage)
            ),
        ],
    )
    return figure


# --------------------------------------------------------------------------- risk


def risk_shares(
    table: pd.DataFrame,
    unit_label: str,
    title: str,
    *,
    vintage: str = DATA_VINTAGE,
    own_data: bool = False,
) -> go.Figure:
    """Share of each unit's people in each risk tier, from rounded counts.

    Parameters
    ----------
    table : DataFrame
        :func:`layers.tiers.risk_tiers_by_unit` (disclosure-controlled: a ``"*"`` count
        draws no bar).
    unit_label : str
        The units in words, for the axis ("PCNs").
    title : str
    vintage : str
        The data vintage, for the source note.
    own_data : bool, default False
        The counts are the user's uploaded aggregates (:mod:`layers.people.upload`),
        not synthetic individuals; the axis and the note say so.

    Returns
    -------
    plotly.graph_objects.Figure
        One stacked bar trace per risk tier.

    Examples
    --------
    >>> table = pd.DataFrame({"name": ["PCN A"], "low": [60], "rising": [30], "high": [10],
    ...                       "total": [100]})
    >>> figure = risk_shares(table, "PCNs", "Risk")
    >>> [(trace.name, float(trace.x[0])) for trace in figure.data]
    [('Low risk', 60.0), ('Rising risk', 30.0), ('High risk', 10.0)]
    """
    require_frame(table, ["name", *RISK_TIERS, "total"], "table")
    total = pd.to_numeric(table["total"], errors="coerce")
    figure = go.Figure()
    for tier in RISK_TIERS:
        share = 100 * pd.to_numeric(table[tier], errors="coerce") / total.where(total > 0)
        figure.add_trace(
            go.Bar(
                y=table["name"],
                x=share,
                orientation="h",
                name=f"{tier.capitalize()} risk",
                marker={
                    "color": RISK_TIER_COLOURS[tier],
                    "pattern": {"shape": RISK_TIER_PATTERNS[tier]},
                },
                hovertemplate="%{y}: %{x:.1f}% " + tier + " risk<extra></extra>",
            )
        )
    figure.update_layout(
        title={"text": title, "x": 0.01, "y": 0.99, "yanchor": "top"},
        barmode="stack",
        height=max(340, 24 * len(table) + 190),
        margin={"l": 10, "r": 10, "t": 80, "b": 100},
        xaxis={
            "title": f"% of {'people in your aggregates' if own_data else 'synthetic individuals'}"
            " (from counts rounded to 5)",
            "range": [0, 100],
            "gridcolor": _LIGHT_GRID,
        },
        yaxis={"title": unit_label, "autorange": "reversed"},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        annotations=[
            _note(
                (
                    "Your data: aggregates uploaded for this session, as published "
                    "(disclosure-controlled).<br>"
                    if own_data
                    else "Synthetic individuals, modelled risk (multimorbidity, frailty); "
                    "disclosure-controlled.<br>"
                )
                + source_note(vintage)
            )
        ],
    )
    return figure


def people_at_risk(
    table: pd.DataFrame, unit_label: str | None = None, title: str | None = None
) -> go.Figure:
    """People at rising and at high risk in each unit, labelled with the rounded counts.

    Bars are the disclosure-controlled counts (a ``"*"`` draws no bar but keeps its
    label); the value axis has no tick labels, so no tick can be read as a count.
    Units are ordered by their high-risk count, the largest at the top.

    Parameters
    ----------
    table : DataFrame
        :func:`layers.tiers.risk_tiers_by_unit` (display values).
    unit_label : str, optional
        The units in words, for the axis ("Places").
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces (legend group ``"risk"``), text the rounded counts.

    Examples
    --------
    >>> table = pd.DataFrame({"name": ["North", "South"], "rising": [20, 0],
    ...                       "high": ["*", 10]})
    >>> figure = people_at_risk(table, "Places")
    >>> for trace in figure.data:
    ...     print(trace.name, list(trace.y), list(trace.text))
    Rising risk (2+ long-term conditions) ['North', 'South'] ['20', '0']
    High risk (moderate or severe frailty) ['North', 'South'] ['*', '10']
    """
    require_frame(table, ["name", "rising", "high"], "table")
    numeric = {tier: pd.to_numeric(table[tier], errors="coerce") for tier in ("rising", "high")}
    order = np.argsort(numeric["high"].fillna(0).to_numpy(), kind="stable")
    figure = go.Figure()
    for tier in ("rising", "high"):
        label = RISK_LABELS[tier]
        figure.add_trace(
            go.Bar(
                y=table["name"].iloc[order],
                x=numeric[tier].fillna(0).iloc[order],
                orientation="h",
                name=label,
                legendgroup="risk",
                offsetgroup=tier,
                marker={
                    "color": RISK_TIER_COLOURS[tier],
                    "pattern": {"shape": RISK_TIER_PATTERNS[tier], "fgcolor": "#000000"},
                },
                text=[fmt.count(value) for value in table[tier].iloc[order]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text} people<extra>" + label + "</extra>",
            )
        )
    largest = float(np.nanmax([numeric["rising"].max(), numeric["high"].max(), 1]))
    figure.update_layout(
        title={"text": title, "x": 0.01} if title else None,
        barmode="stack",
        height=max(340, 30 * len(table) + 150),
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 60},
    )
    figure.update_xaxes(
        title_text="People (rounded to the nearest 5)",
        showticklabels=False,
        range=[0, 1.25 * largest],
        gridcolor=GRID_COLOUR,
    )
    if unit_label:
        figure.update_yaxes(title_text=unit_label)
    return figure


# --------------------------------------------------------------------------- briefing


def briefing(units: go.Figure, people: go.Figure) -> go.Figure:
    """:func:`band_counts` and :func:`people_at_risk` side by side, as on the slide.

    The traces and the axes of both figures are kept as they are; their titles and
    notes are left out (the slide has its own).

    Examples
    --------
    >>> flags = tiers.flag_units(tiers.example_tables())
    >>> people = people_at_risk(pd.DataFrame({"name": ["North"], "rising": [20],
    ...                                       "high": [10]}))
    >>> figure = briefing(band_counts(flags), people)
    >>> [trace.xaxis for trace in figure.data]
    ['x', 'x', 'x', 'x2', 'x2']
    >>> figure.layout.xaxis2.showticklabels
    False
    """
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.42, 0.58],
        horizontal_spacing=0.2,
        subplot_titles=("Units against their planning band", "People at risk, by place"),
    )
    for column, part in ((1, units), (2, people)):
        for trace in part.data:
            figure.add_trace(trace, row=1, col=column)
        figure.update_xaxes(_axis(part.layout.xaxis), row=1, col=column)
        figure.update_yaxes(_axis(part.layout.yaxis), row=1, col=column)
    figure.update_layout(barmode="stack")
    return figure


def _axis(axis: object) -> dict:
    """An axis's settings without its place in the figure."""
    settings = axis.to_plotly_json()  # type: ignore[attr-defined]
    for key in ("domain", "anchor", "overlaying", "side"):
        settings.pop(key, None)
    return settings
