"""Imported once by the upload forkserver: run each reader once so every child starts warm.

GDAL registers its drivers, PROJ opens its database and shapely, pandas and the csv
module build their caches on first use. A child forked after this inherits all of it,
instead of paying for it on every upload (see :mod:`layers.uploads.sandbox`).
"""

from __future__ import annotations

import json
import warnings

from layers.uploads import boundaries, csv_uploads

__all__: list[str] = []

_SQUARE = [[[-1.3, 54.5], [-1.2, 54.5], [-1.2, 54.6], [-1.3, 54.6], [-1.3, 54.5]]]
_GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "North"},
                "geometry": {"type": "Polygon", "coordinates": _SQUARE},
            }
        ],
    }
).encode()

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    boundaries._boundaries(_GEOJSON, "warm.geojson", ".geojson", 1 << 20, 200)
    csv_uploads._place_groupings(
        b"practice_code,place_name\nA81001,North\n", frozenset({"A81001"}), None
    )
