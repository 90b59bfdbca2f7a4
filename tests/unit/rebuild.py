"""Compare a rebuilt ``geodata/`` table with the committed one (used by the build tests)."""

import geopandas as gpd
import pandas as pd
import shapely

from layers.geodata import read_table

#: The key columns of the tables every vintage has (layers.geodata.TABLES).
TABLE_KEYS = {
    "lsoas": ["lsoa_code"],
    "practices": ["practice_code"],
    "pcns": ["pcn_code"],
    "registrations": ["practice_code", "lsoa_code"],
    "weighted_populations": ["practice_code"],
    "place_presets": ["icb_code", "ltla_code"],
    "lsoa_geometry_detail": ["lsoa_code"],
    "lsoa_geometry_light": ["lsoa_code"],
    "icb_geometry_light": ["icb_code"],
}


def assert_rebuild_matches(fresh: pd.DataFrame, name: str, keys: list[str], vintage: str) -> None:
    """The committed rows with ``fresh``'s keys equal ``fresh``, geometry within 1e-9°."""
    fresh = fresh.sort_values(keys).reset_index(drop=True)
    committed = read_table(name, vintage=vintage)
    wanted = fresh[keys].drop_duplicates()
    committed = committed.merge(wanted, on=keys).sort_values(keys).reset_index(drop=True)
    assert len(fresh) > 0
    assert len(committed) == len(fresh)
    if isinstance(fresh, gpd.GeoDataFrame):
        assert fresh.crs == committed.crs
        assert shapely.equals_exact(
            fresh.geometry.to_numpy(), committed.geometry.to_numpy(), tolerance=1e-9
        ).all()
        fresh, committed = fresh.drop(columns="geometry"), committed.drop(columns="geometry")
    pd.testing.assert_frame_equal(fresh, committed, check_dtype=False)
