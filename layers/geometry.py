"""Small geometry helpers shared by the build and the five-layer model."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["COORDINATE_GRID_DEG", "dissolve", "exterior_rings"]

#: Coordinates are snapped to 1e-5 degrees (about 1 m) in ``geodata/``.
COORDINATE_GRID_DEG = 1e-5


def dissolve(
    frame: gpd.GeoDataFrame, by: str | list[str], overlay: bool = False
) -> gpd.GeoDataFrame:
    """Union polygons by key, on the same 1e-5 degree grid as the stored LSOAs.

    Snapping to the stored grid keeps the dissolved outlines on the LSOAs' own
    vertices, so that places and the ICS nest exactly over their LSOAs.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygons with the key column(s).
    by : str or list of str
        Key column(s); the result has one row per key, sorted.
    overlay : bool, default False
        Always use the general overlay. The build does, so that ``geodata/`` keeps
        the same vertex order byte for byte; the shapes are equal either way.

    Returns
    -------
    GeoDataFrame
        The key column(s) and the dissolved geometry, in the input CRS.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> squares = gpd.GeoDataFrame({"k": ["a", "a", "b"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2)], crs=4326)
    >>> out = dissolve(squares, "k")
    >>> out["k"].tolist(), [round(g.area, 6) for g in out.geometry]
    (['a', 'b'], [2.0, 1.0])
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise KeyError(f"dissolve: key column(s) {missing} not in the frame.")
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        parts = group.geometry.to_numpy()
        union = _union_on_grid if not overlay else _overlay_on_grid
        rows.append((*key, union(parts)))
    columns = [*keys, "geometry"]
    table = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=frame.crs)


def _union_on_grid(parts: np.ndarray) -> object:
    """The union of polygons on the stored grid: fast for a coverage, exact for any input.

    LSOAs tile England, so their union is a coverage union (edges shared by two parts
    cancel), ten to twenty times faster than a general overlay; snapping its result to
    the grid gives the same shape as the overlay (checked against it on every ICS's
    places and PCN footprints in both vintages). Parts that overlap are not a coverage:
    the area would come out short, so they, and anything GEOS refuses, take the overlay.
    """
    try:
        fast = shapely.set_precision(shapely.coverage_union_all(parts), COORDINATE_GRID_DEG)
    except shapely.errors.GEOSException:
        fast = None
    if fast is not None and fast.is_valid:
        total = float(shapely.area(parts).sum())
        if abs(fast.area - total) <= 1e-9 * max(total, 1e-12):
            # One piece is a Polygon, as the overlay gives it.
            return (
                fast.geoms[0] if fast.geom_type == "MultiPolygon" and len(fast.geoms) == 1 else fast
            )
    return _overlay_on_grid(parts)


def _overlay_on_grid(parts: np.ndarray) -> object:
    """The general overlay of polygons, snapped to the stored grid."""
    return shapely.union_all(parts, grid_size=COORDINATE_GRID_DEG)


def exterior_rings(geometry: object) -> tuple[list[float | None], list[float | None]]:
    """Exterior rings of (multi)polygons as x / y lists separated by None (plotly lines).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> xs, ys = exterior_rings(box(0, 0, 1, 1))
    >>> len(xs), xs[-1]
    (6, None)
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in shapely.get_parts(geometry):
        if part.is_empty or part.geom_type != "Polygon":
            continue
        coords = np.asarray(part.exterior.coords)
        xs += [*coords[:, 0].tolist(), None]
        ys += [*coords[:, 1].tolist(), None]
    return xs, ys
