"""Offline plotly maps of the five layers.

The ICS map is an SVG ``geo`` map: with no basemap to draw, SVG needs no WebGL and
draws a few thousand polygons faster than MapLibre's one-polygon minimum on machines
without a GPU. Each layer is one trace, so the legend switches layers on and off in
the browser, and the figure carries only ids, values and simplified geometry.

plotly loads a world topology for every ``geo`` map, even one with no basemap; pass
:data:`OFFLINE_TOPOJSON_URL` as the ``topojsonURL`` config so it never asks the web.
The England map (:mod:`layers.england`) is drawn the same way, with its LSOAs
collected into one shape per ICS and colour (:func:`collect_polygons`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from layers.style import (
    IMD_DECILE_COLOURS,
    map_note,
    stepped_colorscale,
    top_margin,
    top_title,
)
from layers.system import System
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "CHOROPLETH_MEASURES",
    "IMD_DECILE_COLOURS",
    "MAP_LAYERS",
    "OFFLINE_TOPOJSON_URL",
    "choropleth_measures",
    "collect_polygons",
    "feature_collection",
    "geo_view",
    "geojson_text",
    "line_trace",
    "name_labels",
    "outline_coordinates",
    "pcn_labels",
    "system_map",
    "write_lsoa_geojson",
    "write_once",
]

#: Layer keys in drawing order, with their legend names.
MAP_LAYERS: dict[str, str] = {
    "lsoas": "LSOAs (choropleth)",
    "practices": "GP practices (sized by list)",
    "pcns": "PCN footprints",
    "places": "Places",
    "ics": "ICS outline",
}


def choropleth_measures(vintage: str = DEFAULT_VINTAGE) -> dict[str, tuple[str, str]]:
    """Choropleth measures of a vintage: column and legend title (naming its IMD).

    Examples
    --------
    >>> choropleth_measures("2026")["imd_decile"][1]
    'IMD 2025 decile<br>(1 = most deprived)'
    """
    info = get_vintage(vintage)
    return {
        "imd_decile": ("imd_decile", info.imd_decile_title),
        "population": ("population", info.residents_title),
    }


#: Choropleth measures: column and legend title (2022 vintage; the keys are the same in
#: every vintage, the titles come from :func:`choropleth_measures`).
CHOROPLETH_MEASURES: dict[str, tuple[str, str]] = choropleth_measures("2022")

#: An empty world topology as a ``data:`` URL, for plotly's ``topojsonURL`` config (in
#: the browser and in kaleido). plotly appends ``/<scope>_<resolution>m.json``, which
#: lands in the URL's fragment and is ignored, so every ``geo`` map gets this file.
OFFLINE_TOPOJSON_URL = (
    "data:application/json,"
    + urllib.parse.quote(json.dumps({"type": "Topology", "objects": {}, "arcs": []}))
    + "#"
)

_OUTLINE_STYLE = {
    "pcns": {"color": "#e66100", "width": 1.5},
    "places": {"color": "#000000", "width": 2.5},
    "ics": {"color": "#005eb8", "width": 4.0},
}


def feature_collection(frame: gpd.GeoDataFrame, id_column: str) -> dict:
    """Return a minimal GeoJSON FeatureCollection: ids and geometry only.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> fc = feature_collection(
    ...     gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326), "code")
    >>> fc["features"][0]["id"], fc["features"][0]["geometry"]["type"]
    ('a', 'Polygon')
    """
    if id_column not in frame.columns:
        raise KeyError(f"feature_collection: no column {id_column!r}.")
    geometries = shapely.to_geojson(frame.geometry.to_numpy())
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": key, "geometry": json.loads(text)}
            for key, text in zip(frame[id_column].astype(str), geometries, strict=True)
        ],
    }


def geojson_text(frame: gpd.GeoDataFrame, id_column: str, decimals: int | None = None) -> str:
    """Compact GeoJSON FeatureCollection text (ids and geometry only), for a file.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygons in EPSG:4326.
    id_column : str
        The column whose values become the feature ids.
    decimals : int, optional
        Round coordinates on output only (4 is about 10 m), so no polygon is dropped.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(0, 0, 1.23456, 1)], crs=4326)
    >>> text = geojson_text(frame, "code", decimals=2)
    >>> json.loads(text)["features"][0]["id"], "1.23," in text
    ('a', True)
    """
    if id_column not in frame.columns:
        raise KeyError(f"geojson_text: no column {id_column!r}.")
    if decimals is not None and not 0 < decimals <= 8:
        raise ValueError(f"decimals must be between 1 and 8, got {decimals}.")
    geometries = frame.geometry.to_numpy()
    if decimals is not None:
        geometries = shapely.transform(geometries, lambda xy: np.round(xy, decimals))
    features = ",".join(
        f'{{"type":"Feature","id":{json.dumps(str(key))},"geometry":{text}}}'
        for key, text in zip(frame[id_column], shapely.to_geojson(geometries), strict=True)
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


def collect_polygons(frame: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """One MultiPolygon per value of ``by``, made of its rows' polygons as they are.

    Nothing is dissolved or moved: every polygon of every row is kept, so a map of the
    groups shows each row's shape. An SVG map draws one path per feature, and paths
    cost far more than vertices, so a choropleth whose rows share a few colours draws
    much faster from its groups than from its rows.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygons or MultiPolygons, none empty or missing.
    by : str
        The column to group by; it must have no missing values.

    Returns
    -------
    GeoDataFrame
        One row per value of ``by`` (sorted), with ``n_rows`` and the MultiPolygon.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame({"colour": ["red", "blue", "red"]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    >>> groups = collect_polygons(frame, "colour")
    >>> groups["colour"].tolist(), groups["n_rows"].tolist()
    (['blue', 'red'], [1, 2])
    >>> [len(g.geoms) for g in groups.geometry], float(groups.geometry.area.sum())
    ([1, 2], 3.0)
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"collect_polygons needs a GeoDataFrame, got {type(frame).__name__}.")
    if by not in frame.columns:
        raise KeyError(f"collect_polygons: no column {by!r}.")
    if frame[by].isna().any():
        raise ValueError(f"collect_polygons: column {by!r} has missing values.")
    geometries = frame.geometry.to_numpy()
    if (frame.geometry.isna() | shapely.is_empty(geometries)).any():
        raise ValueError("collect_polygons: some geometries are missing or empty.")
    kinds = set(frame.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise ValueError(f"collect_polygons needs polygons, got {sorted(kinds)}.")
    codes, values = pd.factorize(frame[by], sort=True)
    parts, row_of_part = shapely.get_parts(geometries, return_index=True)
    group_of_part = codes[row_of_part]
    order = np.argsort(group_of_part, kind="stable")  # shapely wants sorted indices
    collected = shapely.multipolygons(parts[order], indices=group_of_part[order])
    return gpd.GeoDataFrame(
        {by: values, "n_rows": np.bincount(codes, minlength=len(values))},
        geometry=collected,
        crs=frame.crs,
    )


def write_lsoa_geojson(system: System, folder: Path | str) -> Path:
    """Write an ICS's LSOA GeoJSON into ``folder``, named after its content.

    A dashboard serves the file as a static asset and passes its URL to
    :func:`system_map`, so the figure sent to each browser carries only ids and
    values, and browsers can cache the geometry. The name ends in a hash of the
    text, so changed geometry never meets a stale cached copy.

    Returns
    -------
    Path
        ``lsoas_<ICS code>_<hash>.json``, written or already present.
    """
    text = geojson_text(system.lsoas, "lsoa_code")
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    return write_once(Path(folder) / f"lsoas_{system.code}_{digest}.json", lambda: text)


def write_once(path: Path, text: Callable[[], str]) -> Path:
    """Write ``text()`` to ``path`` unless it exists; atomically, so no reader sees half.

    Safe under concurrency: each writer uses its own temporary file (process id,
    thread id and a random part) and renames it into place, so two threads writing the
    same file never collide, and the last rename wins with identical content. The
    folder is created when missing, so the file is written again after the folder has
    been emptied or removed; call this on every use, not once.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_once(folder / "a.json", lambda: "{}").read_text()
    '{}'
    >>> write_once(folder / "a.json", lambda: "not called").read_text()
    '{}'
    """
    for attempt in range(3):
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        unique = f"{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}"
        temporary = path.with_name(f"{path.name}.{unique}.tmp")
        try:
            temporary.write_text(text())
            temporary.replace(path)
            return path
        except FileNotFoundError:
            # The folder was removed between mkdir and the rename: make it again.
            if attempt == 2:
                raise
        finally:
            temporary.unlink(missing_ok=True)
    return path


def outline_coordinates(geometries: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """Lon and lat arrays of the edges of polygons, each shared edge drawn once.

    Lines are separated by NaN, which plotly reads as a break.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> lon, lat = outline_coordinates([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> int(np.isnan(lon).sum()) >= 1, float(np.nanmax(lon))
    (True, 2.0)
    """
    geoms = [g for g in geometries if g is not None and not g.is_empty]
    if not geoms:
        return np.array([]), np.array([])
    edges = shapely.line_merge(shapely.union_all(shapely.boundary(np.array(geoms))))
    parts = shapely.get_parts(edges)
    lon: list[np.ndarray] = []
    lat: list[np.ndarray] = []
    for part in parts:
        xy = shapely.get_coordinates(part)
        lon += [xy[:, 0], np.array([np.nan])]
        lat += [xy[:, 1], np.array([np.nan])]
    return np.concatenate(lon), np.concatenate(lat)


def line_trace(
    lon: Iterable, lat: Iterable, line: dict, name: str, *, flat: bool = False, **style: object
) -> go.Scattergeo | go.Scatter:
    """Lines drawn over a map that take no hover of their own: outlines and boundaries.

    The area under the pointer says what it is (an LSOA, a unit, a piece), so a line
    drawn over it must not take the hover away.

    Parameters
    ----------
    lon, lat : array_like
        The lines' coordinates, lines separated by NaN or None
        (:func:`outline_coordinates`).
    line : dict
        The lines' style (``color``, ``width``, ``dash``).
    name : str
        The legend entry.
    flat : bool, default False
        A flat (SVG) map drawn with x = longitude and y = latitude (``go.Scatter``)
        rather than a ``geo`` map (``go.Scattergeo``).
    **style
        Further trace settings (e.g. ``showlegend``).

    Returns
    -------
    plotly.graph_objects.Scattergeo or plotly.graph_objects.Scatter

    Examples
    --------
    >>> trace = line_trace([0, 1], [0, 1], {"width": 2}, "Edge")
    >>> type(trace).__name__, trace.hoverinfo
    ('Scattergeo', 'skip')
    >>> type(line_trace([0, 1], [0, 1], {"width": 2}, "Edge", flat=True)).__name__
    'Scatter'
    """
    if flat:
        return go.Scatter(
            x=lon, y=lat, mode="lines", line=line, name=name, hoverinfo="skip", **style
        )
    return go.Scattergeo(
        lon=lon, lat=lat, mode="lines", line=line, name=name, hoverinfo="skip", **style
    )


#: PCN names are drawn only where legible: at most this many PCNs on the map, and only
#: footprints of at least :data:`_MIN_LABEL_SHARE` of the map's area.
MAX_PCN_LABELS = 25
_MIN_LABEL_SHARE = 0.01
_LABEL_STYLE = {
    "places": {"size": 14, "color": "#000000", "weight": "bold"},
    "pcns": {"size": 10, "color": "#6b2f00"},
}


def name_labels(
    geometries: Iterable,
    names: Iterable[str],
    kind: str = "places",
    *,
    max_labels: int | None = None,
    min_share: float = 0.0,
    showlegend: bool = False,
) -> go.Scattergeo:
    """A text trace naming each area at a point inside it (offline SVG text).

    The one labelling rule of every map (ICS map, tier map, alignment maps): names are
    SVG text, so they need no glyph server and appear in PNG, SVG, PDF and deck exports.
    Each name sits at the area's representative point, which is always inside it.

    Parameters
    ----------
    geometries : iterable of shapely geometries
        In longitude and latitude.
    names : iterable of str
        One per geometry.
    kind : {"places", "pcns"}
        Sets the text style and the trace's legend name.
    max_labels : int, optional
        If there are more named areas than this, none is named (too crowded to read).
    min_share : float
        Areas smaller than this share of the largest area's bounding box area are not
        named (too small to hold a name).
    showlegend : bool
        Whether the legend lists the names as a layer to switch off.

    Returns
    -------
    plotly.graph_objects.Scattergeo
        ``mode="text"``; empty if nothing is legible.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> trace = name_labels([box(0, 0, 2, 2), box(2, 0, 4, 2)], ["North", "South"])
    >>> list(trace.text), [round(v, 1) for v in trace.lon], trace.mode
    (['North', 'South'], [1.0, 3.0], 'text')
    >>> len(name_labels([box(0, 0, 1, 1)], ["A"], "pcns", max_labels=0).text)
    0
    """
    if kind not in _LABEL_STYLE:
        raise ValueError(f"Unknown label kind {kind!r}; choose 'places' or 'pcns'.")
    pairs = [
        (geometry, str(name))
        for geometry, name in zip(geometries, names, strict=True)
        if geometry is not None and not geometry.is_empty and isinstance(name, str) and name
    ]
    if max_labels is not None and len(pairs) > max_labels:
        pairs = []
    if pairs and min_share > 0:
        geoms = np.array([geometry for geometry, _ in pairs])
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        whole = max((maxx - minx) * (maxy - miny), 1e-12)
        areas = shapely.area(geoms)
        pairs = [pair for pair, area in zip(pairs, areas, strict=True) if area >= min_share * whole]
    points, texts = _place_labels(pairs, _LABEL_STYLE[kind]["size"], drop=kind == "pcns")
    return go.Scattergeo(
        lon=[point.x for point in points],
        lat=[point.y for point in points],
        text=texts,
        mode="text",
        # A white halo keeps each name legible over the choropleth and the practices.
        textfont={
            **_LABEL_STYLE[kind],
            "family": "Arial, sans-serif",
            "shadow": "1px 1px 1px #FFFFFF, -1px -1px 1px #FFFFFF, 1px -1px 1px #FFFFFF, "
            "-1px 1px 1px #FFFFFF",
        },
        textposition="middle center",
        hoverinfo="skip",
        name="Place names" if kind == "places" else "PCN names",
        showlegend=showlegend,
    )


#: The map's drawing area in pixels, for judging whether two names would overlap.
_LABEL_PLOT_PX = (800, 520)
#: Text box of one character, in font sizes (Arial is about 0.55 em wide on average).
_CHAR_WIDTH_EM, _LINE_HEIGHT_EM = 0.58, 1.3


def _place_labels(
    pairs: list[tuple[object, str]], font_px: float, *, drop: bool
) -> tuple[list[shapely.Point], list[str]]:
    """Where each name goes: its area's representative point, moved if it hits another.

    Smaller areas are placed first, as they have least room to move. A name whose box
    would overlap one already placed is moved up or down, by whole lines, to a point
    still inside its area; if none is free it is dropped when ``drop`` (PCN names,
    which hover still gives) and otherwise kept where it was (a place's name is never
    lost). Boxes are estimated from the
    areas' extent drawn in :data:`_LABEL_PLOT_PX`, as the map fits its bounds.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> pairs = [(box(0, 0, 1, 1), "Long name here"), (box(1, 0, 2, 1), "Long name too"),
    ...          (box(0, 1, 8, 5), "Big")]
    >>> points, texts = _place_labels(pairs, 14, drop=False)
    >>> texts, [round(point.y, 2) for point in points[:2]]
    (['Long name here', 'Long name too', 'Big'], [0.5, 0.68])
    """
    if not pairs:
        return [], []
    geometries = np.array([geometry for geometry, _ in pairs])
    minx, miny, maxx, maxy = shapely.total_bounds(geometries)
    mid_lat = np.radians((miny + maxy) / 2)
    # Degrees of latitude per pixel: the tighter of the two fits, as plotly's geo fits.
    lat_per_px = max(
        (maxy - miny) / _LABEL_PLOT_PX[1],
        (maxx - minx) * np.cos(mid_lat) / _LABEL_PLOT_PX[0],
        1e-9,
    )
    lon_per_px = lat_per_px / max(np.cos(mid_lat), 0.1)
    line = _LINE_HEIGHT_EM * font_px * lat_per_px
    placed: list[shapely.Polygon] = []
    chosen: dict[int, tuple[shapely.Point, str]] = {}
    for index in np.argsort(shapely.area(geometries), kind="stable"):
        geometry, name = pairs[index]
        half_width = len(name) * _CHAR_WIDTH_EM * font_px * lon_per_px / 2
        anchor = geometry.representative_point()
        candidates = [anchor] + [
            shapely.Point(anchor.x, anchor.y + step * line)
            for step in (1, -1, 2, -2, 3, -3)
            if geometry.contains(shapely.Point(anchor.x, anchor.y + step * line))
        ]
        for point in candidates:
            label_box = shapely.box(
                point.x - half_width, point.y - line / 2, point.x + half_width, point.y + line / 2
            )
            # Boxes that only touch leave the names a line apart: that is free.
            if not any(label_box.intersection(other).area > 0 for other in placed):
                placed.append(label_box)
                chosen[index] = (point, name)
                break
        else:
            if not drop:
                chosen[index] = (anchor, name)
    kept = [chosen[i] for i in range(len(pairs)) if i in chosen]
    return [point for point, _ in kept], [name for _, name in kept]


def pcn_labels(
    geometries: Iterable, names: Iterable[str], *, showlegend: bool = False
) -> go.Scattergeo:
    """PCN names where legible: few enough PCNs, and footprints big enough to hold one.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> list(pcn_labels([box(0, 0, 1, 1), box(1, 0, 1.001, 0.001)], ["Big", "Tiny"]).text)
    ['Big']
    """
    return name_labels(
        geometries,
        names,
        "pcns",
        max_labels=MAX_PCN_LABELS,
        min_share=_MIN_LABEL_SHARE,
        showlegend=showlegend,
    )


def geo_view(bounds: Iterable[float], margin: float = 0.03) -> dict:
    """A plotly ``geo`` layout that shows lon/lat bounds on a blank Mercator map.

    The view is fixed to the bounds (not fitted to the traces), so an outlying point
    such as a practice registered far from the ICS does not zoom the map out.

    Examples
    --------
    >>> view = geo_view((-3.2, 51.8, -1.7, 52.5))
    >>> view["projection"]["type"], view["visible"], view["lonaxis"]["range"][0] < -3.2
    ('mercator', False, True)
    """
    minx, miny, maxx, maxy = bounds
    if not (maxx > minx and maxy > miny):
        raise ValueError(f"Bounds must have positive width and height, got {bounds}.")
    pad_x, pad_y = (maxx - minx) * margin, (maxy - miny) * margin
    return {
        "projection": {"type": "mercator"},
        "visible": False,  # no basemap: coastlines and land would need the web
        "showframe": False,
        "bgcolor": "rgba(0,0,0,0)",
        "lonaxis": {"range": [minx - pad_x, maxx + pad_x]},
        "lataxis": {"range": [miny - pad_y, maxy + pad_y]},
    }


def _lsoa_trace(system: System, measure: str, geojson: str | None) -> go.Choropleth:
    """The LSOA choropleth, whose hover names every layer above the LSOA."""
    info = get_vintage(getattr(system, "vintage", DEFAULT_VINTAGE))
    column, legend_title = choropleth_measures(info.key)[measure]
    lsoas = system.lsoas
    pcns = system.pcns.set_index("pcn_code")
    places = system.places.set_index("place_code")
    ics = system.ics.iloc[0]
    footprint = lsoas["footprint_pcn_code"]
    custom = np.column_stack(
        [
            lsoas["lsoa_name"],
            lsoas["population"],
            lsoas["imd_decile"],
            footprint.map(pcns["pcn_name"]).fillna("none"),
            footprint.fillna("–"),
            footprint.map(pcns["registered_patients"]).fillna(0).astype(int),
            lsoas["place_name"],
            lsoas["place_code"],
            lsoas["place_code"].map(places["resident_population"]),
        ]
    )
    trace = {
        "geojson": geojson or feature_collection(lsoas, "lsoa_code"),
        "locations": lsoas["lsoa_code"].tolist(),
        "z": lsoas[column].to_numpy(),
        "customdata": custom,
        "name": MAP_LAYERS["lsoas"],
        "showlegend": True,
        "marker": {"line": {"width": 0.3, "color": "rgba(255,255,255,0.6)"}, "opacity": 0.85},
        "hovertemplate": (
            "<b>LSOA %{customdata[0]}</b> (%{location})<br>"
            f"Residents ({info.population_short}): %{{customdata[1]:,}} · {info.imd_name} "
            "decile %{customdata[2]}<br>"
            "<b>PCN footprint</b>: %{customdata[3]} (%{customdata[4]}), "
            "%{customdata[5]:,} registered patients<br>"
            "<b>Place</b>: %{customdata[6]} (%{customdata[7]}), "
            "%{customdata[8]:,} residents<br>"
            f"<b>ICS</b>: {ics.icb_name} ({ics.icb_code}), {ics.registered_patients:,} "
            f"registered patients, {ics.resident_population:,} residents<extra></extra>"
        ),
    }
    if measure == "imd_decile":
        trace.update(
            colorscale=stepped_colorscale(IMD_DECILE_COLOURS),
            zmin=0.5,
            zmax=10.5,
            colorbar={
                "title": {"text": legend_title},
                "tickvals": list(range(1, 11)),
                "len": 0.75,
                "x": 1.0,
            },
        )
    else:
        trace.update(
            colorscale="Cividis",
            reversescale=True,
            colorbar={"title": {"text": legend_title}, "len": 0.75, "x": 1.0},
        )
    return go.Choropleth(**trace)


def system_map(
    system: System,
    measure: str = "imd_decile",
    layers: Iterable[str] = tuple(MAP_LAYERS),
    height: int = 650,
    title: str | None = None,
    lsoa_geojson: str | None = None,
) -> go.Figure:
    """Draw the five layers of an ICS on one offline plotly map.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system`; its vintage names the IMD, the residents'
        source and the data line.
    measure : {"imd_decile", "population"}
        What colours the LSOA choropleth.
    layers : iterable of str
        Keys of :data:`MAP_LAYERS` to draw.
    height : int
        Figure height in pixels.
    title : str, optional
        Figure title; by default the ICS name and what the colours show.
    lsoa_geojson : str, optional
        A URL the browser fetches the LSOA geometry from (see
        :func:`write_lsoa_geojson`). By default the geometry is inline, as image
        export (kaleido) needs.

    Returns
    -------
    plotly.graph_objects.Figure
        An SVG ``geo`` map with no basemap, framed on the ICS. Show it with
        ``config={"topojsonURL": OFFLINE_TOPOJSON_URL}`` so that it stays offline.

    Examples
    --------
    >>> from layers.system import load_system
    >>> fig = system_map(load_system("QGH", vintage="2022"), layers=["lsoas", "ics"])
    >>> [trace.name for trace in fig.data]
    ['LSOAs (choropleth)', 'ICS outline']
    >>> [trace.type for trace in fig.data]
    ['choropleth', 'scattergeo']
    >>> wnl = system_map(load_system("T04", vintage="2026"), layers=["lsoas"])
    >>> wnl.data[0].colorbar.title.text, len(wnl.data[0].locations)
    ('IMD 2025 decile<br>(1 = most deprived)', 1989)
    """
    if measure not in CHOROPLETH_MEASURES:
        raise ValueError(
            f"Unknown measure {measure!r}; choose one of {', '.join(CHOROPLETH_MEASURES)}."
        )
    info = get_vintage(getattr(system, "vintage", DEFAULT_VINTAGE))
    chosen = list(layers)
    unknown = [layer for layer in chosen if layer not in MAP_LAYERS]
    if unknown:
        raise ValueError(f"Unknown map layer(s) {unknown}; choose from {', '.join(MAP_LAYERS)}.")

    fig = go.Figure()
    if "lsoas" in chosen:
        fig.add_trace(_lsoa_trace(system, measure, lsoa_geojson))
    for key in ("pcns", "places", "ics"):
        if key in chosen:
            fig.add_trace(_outline_trace(system, key))
    if "practices" in chosen:
        fig.add_trace(_practice_trace(system.practices, info.registered_label))
    # Names on top of everything (they take no hover, so the practices' stays reachable).
    if "pcns" in chosen:
        pcns = system.pcns
        fig.add_trace(pcn_labels(pcns.geometry, pcns["pcn_name"], showlegend=True))
    if "places" in chosen:
        places = system.places
        fig.add_trace(name_labels(places.geometry, places["place_name"], showlegend=True))

    note = map_note(info.data_line)
    fig.update_layout(
        geo=geo_view(system.ics.total_bounds),
        height=height,
        # Room above the map for the title and the (wrapped) data note.
        margin={"l": 0, "r": 0, "t": top_margin(note), "b": 30},
        title=top_title(title or f"{system.name} ICS ({system.code})"),
        legend={"orientation": "h", "y": -0.01, "yanchor": "top", "x": 0},
        annotations=[note],
        uirevision=system.code,
    )
    return fig


def _outline_trace(system: System, key: str) -> go.Scattergeo:
    """The outline of one layer ("pcns", "places" or "ics") as a line trace."""
    frame = {"pcns": system.pcns, "places": system.places, "ics": system.ics}[key]
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()]
    lon, lat = outline_coordinates(frame.geometry)
    # Outlines carry no hover of their own: the LSOA hover names the PCN, place and ICS
    # under the pointer.
    return line_trace(lon, lat, _OUTLINE_STYLE[key], MAP_LAYERS[key])


def _practice_trace(practices: pd.DataFrame, registered_label: str) -> go.Scattergeo:
    """Practices as markers whose area grows with the list size."""
    size = np.sqrt(practices["registered_patients"].clip(lower=1).to_numpy())
    return go.Scattergeo(
        lon=practices["longitude"],
        lat=practices["latitude"],
        mode="markers",
        marker={
            "size": size,
            "sizemode": "area",
            "sizeref": 2 * size.max() / 22**2,
            "sizemin": 3,
            "color": "#d5006d",
            "opacity": 0.85,
        },
        customdata=np.column_stack(
            [
                practices["practice_name"],
                practices["practice_code"],
                practices["registered_patients"],
                practices["pcn_name"],
            ]
        ),
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>Practice %{customdata[1]}<br>"
            f"Registered patients ({registered_label}): %{{customdata[2]:,}}<br>"
            "PCN: %{customdata[3]}<extra></extra>"
        ),
        name=MAP_LAYERS["practices"],
    )
