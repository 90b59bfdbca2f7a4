"""Small geometry helpers shared by the build and the five-layer model."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["COORDINATE_GRID_DEG", "dissolve", "exterior_rings"]

#: Coordinates are snapped to 1e-5 degrees (about 1 m) in ``geodata/``.
COORDINATE_GRID_DEG = 1e-5


def dissolve(frame: gpd.GeoDataFrame, by: str | list[str]) -> gpd.GeoDataFrame:
    """Union polygons by key, on the same 1e-5 degree grid as the stored LSOAs.

    Snapping to the stored grid keeps the dissolved outlines on the LSOAs' own
    vertices, so that places and the ICS nest exactly over their LSOAs.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygons with the key column(s).
    by : str or list of str
        Key column(s); the result has one row per key, sorted.

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
        geom = shapely.union_all(group.geometry.to_numpy(), grid_size=COORDINATE_GRID_DEG)
        rows.append((*key, geom))
    columns = [*keys, "geometry"]
    table = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=frame.crs)


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
