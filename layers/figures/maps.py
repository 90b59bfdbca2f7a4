"""Map figures: the five-layer ICS map and what is drawn over it.

The ICS map itself is :func:`layers.maps.system_map`; this module adds overlays. Every
map names its areas with :func:`layers.maps.name_labels` (re-exported here).
"""

from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers._checks import require_geoframe
from layers.maps import line_trace, name_labels, outline_coordinates, pcn_labels

__all__ = [
    "PROPOSED_COLOUR",
    "filled_area",
    "name_labels",
    "pcn_labels",
    "with_proposed_boundaries",
]

#: Uploaded, proposed boundaries: a magenta that no layer of the map uses.
PROPOSED_COLOUR = "#d5006d"


def with_proposed_boundaries(figure: go.Figure, proposed: gpd.GeoDataFrame) -> go.Figure:
    """A copy of ``figure`` with the proposed boundaries drawn on top.

    The figure given is not changed (it may be a cached, shared figure).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> proposed = gpd.GeoDataFrame(geometry=[box(0, 50, 1, 51)], crs=4326)
    >>> drawn = with_proposed_boundaries(go.Figure(), proposed)
    >>> drawn.data[-1].name, len(go.Figure().data)
    ('Proposed boundaries (your upload)', 0)
    """
    require_geoframe(proposed, ["geometry"], "proposed")
    lon, lat = outline_coordinates(proposed.geometry)
    copy = go.Figure(figure)
    copy.add_trace(
        line_trace(
            lon, lat, {"color": PROPOSED_COLOUR, "width": 3}, "Proposed boundaries (your upload)"
        )
    )
    return copy


def filled_area(
    rings: tuple[list, list], fillcolor: str, line: dict, name: str, text: str, **style: object
) -> go.Scatter:
    """Polygons filled with a colour on a flat map (x, y), named, hovered on the fill.

    The lineage and merger maps are drawn as SVG without a basemap, each area a filled
    ``go.Scatter``; this is the one place that says how.

    Parameters
    ----------
    rings : tuple of (list, list)
        x and y of the polygons' rings, rings separated by None
        (:func:`layers.geometry.exterior_rings`).
    fillcolor : str
        The fill.
    line : dict
        The outline's style.
    name : str
        The legend entry.
    text : str
        What the hover says.
    **style
        Further ``go.Scatter`` settings (e.g. ``fillpattern``, ``opacity``, ``hoverinfo``).

    Returns
    -------
    plotly.graph_objects.Scatter

    Examples
    --------
    >>> area = filled_area(([0, 1, 1, 0], [0, 0, 1, 1]), "#cccccc", {"width": 1}, "A", "a")
    >>> area.fill, area.hoveron, area.name
    ('toself', 'fills', 'A')
    """
    xs, ys = rings
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=fillcolor,
        line=line,
        name=name,
        hoveron="fills",
        text=text,
        **style,
    )
