"""England-wide view: every LSOA, the 42 ICS outlines, and national league tables.

The England map is drawn from the light geometry. Its GeoJSON is written once to a
file that the dashboard serves as a static asset (gzip-compressed by the server), so
the figure itself carries only LSOA ids and values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from layers.geodata import DATA_VINTAGE, read_manifest, read_table
from layers.maps import IMD_DECILE_COLOURS, geojson_text, outline_coordinates, write_once

__all__ = [
    "ENGLAND_VIEW",
    "england_geojson_text",
    "england_lsoa_values",
    "england_map",
    "ics_league_table",
    "write_england_geojson",
]

#: Centre and zoom that fit England in a 900 × 700 px map.
ENGLAND_VIEW = {"center": {"lon": -1.9, "lat": 52.75}, "zoom": 5.55}
_DECIMALS = 4  # about 10 m: far below a pixel at England zoom, and 8% less JSON


def england_geojson_text(decimals: int = _DECIMALS) -> str:
    """GeoJSON text of all 32,844 LSOAs (light geometry): ids and geometry only.

    Coordinates are rounded on output only, so no LSOA is dropped or emptied.

    Examples
    --------
    >>> text = england_geojson_text()
    >>> text.count('"type":"Feature"')
    32844
    """
    if not 0 < decimals <= 6:
        raise ValueError(f"decimals must be between 1 and 6, got {decimals}.")
    return geojson_text(read_table("lsoa_geometry_light"), "lsoa_code", decimals)


def write_england_geojson(folder: Path | str) -> Path:
    """Write the England GeoJSON into ``folder`` under a name tied to the data build.

    The file name carries a hash of ``geodata/manifest.json``, so a rebuilt
    ``geodata/`` gets a new file and browsers never see stale geometry.

    Returns
    -------
    Path
        The file written (or already present).
    """
    digest = hashlib.sha1(repr(read_manifest()).encode()).hexdigest()[:10]
    return write_once(Path(folder) / f"england_lsoas_{digest}.json", england_geojson_text)


def england_lsoa_values() -> pd.DataFrame:
    """LSOA code, IMD decile, residents and ICS for the England choropleth."""
    lsoas = read_table("lsoas")
    return lsoas[["lsoa_code", "lsoa_name", "imd_decile", "population", "icb_code", "icb_name"]]


def england_map(geojson: str | dict, measure: str = "imd_decile", height: int = 750) -> go.Figure:
    """The England map: every LSOA coloured, with the 42 ICS outlines on top.

    Parameters
    ----------
    geojson : str or dict
        Where the browser fetches the LSOA GeoJSON (see :func:`write_england_geojson`),
        or the GeoJSON itself (for image export, which cannot fetch a URL).
    measure : {"imd_decile", "population"}
        What colours the LSOAs.
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 is the LSOA choropleth, trace 1 the ICS outlines, trace 2 a
        transparent ICS layer that carries the ICS hover and click selection.
    """
    if measure not in ("imd_decile", "population"):
        raise ValueError(f"Unknown measure {measure!r}; choose 'imd_decile' or 'population'.")
    values = england_lsoa_values()
    icbs = read_table("icb_geometry_light")
    lon, lat = outline_coordinates(icbs.geometry)
    if measure == "imd_decile":
        scale = []
        for i, colour in enumerate(IMD_DECILE_COLOURS):
            scale += [(i / 10, colour), ((i + 1) / 10, colour)]
        colour = {
            "colorscale": scale,
            "zmin": 0.5,
            "zmax": 10.5,
            "colorbar": {
                "title": {"text": "IMD 2019 decile<br>(1 = most deprived)"},
                "tickvals": list(range(1, 11)),
                "len": 0.7,
            },
        }
    else:
        colour = {
            "colorscale": "Cividis",
            "reversescale": True,
            "colorbar": {"title": {"text": "Residents<br>(ONS mid-2020)"}, "len": 0.7},
        }
    figure = go.Figure()
    figure.add_trace(
        go.Choroplethmap(
            geojson=geojson,
            locations=values["lsoa_code"],
            z=values[measure],
            marker={"line": {"width": 0}},
            name="LSOAs",
            hoverinfo="skip",  # 32,844 hover targets cost more than they help at this zoom
            **colour,
        )
    )
    figure.add_trace(
        go.Scattermap(
            lon=lon,
            lat=lat,
            mode="lines",
            line={"color": "#005eb8", "width": 1.5},
            name="ICS outlines",
            hoverinfo="skip",
        )
    )
    population = values.groupby("icb_code")["population"].sum()
    icb_geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "geometry": shapely.geometry.mapping(shapely.simplify(geom, 0.01)),
            }
            for code, geom in zip(icbs["icb_code"], icbs.geometry, strict=True)
        ],
    }
    figure.add_trace(
        go.Choroplethmap(
            geojson=icb_geojson,
            locations=icbs["icb_code"],
            z=np.zeros(len(icbs)),
            colorscale=[(0, "rgba(0,0,0,0)"), (1, "rgba(0,0,0,0)")],
            showscale=False,
            marker={"line": {"width": 0}},
            customdata=np.column_stack([icbs["icb_name"], icbs["icb_code"].map(population)]),
            hovertemplate="<b>%{customdata[0]}</b> (%{location})<br>Residents (mid-2020): "
            "%{customdata[1]:,}<br>Click to select<extra></extra>",
            name="ICSs",
        )
    )
    figure.update_layout(
        map={"style": "white-bg", **ENGLAND_VIEW},
        height=height,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        title={"text": "England: 32,844 LSOAs and 42 ICSs", "x": 0.01},
        showlegend=False,
        annotations=[
            {
                "text": f"Data: {DATA_VINTAGE}. Contains OS data © Crown copyright.",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 10, "color": "#425563"},
            }
        ],
        uirevision="england",
    )
    return figure


def _share_in_band(sizes: pd.Series, band: tuple[float, float]) -> float:
    low, high = band
    if sizes.empty:
        return float("nan")
    return float(((sizes >= low) & (sizes <= high)).mean())


def ics_league_table(bands: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """National league table of the 42 ICSs.

    Parameters
    ----------
    bands : mapping
        Design bands (inclusive) by tier, checked by :func:`layers.tiers.validate_bands`
        (tiers left out take :data:`layers.tiers.DEFAULT_BANDS`), e.g.
        ``{"pcn": (30_000, 50_000)}``.

    Returns
    -------
    DataFrame
        One row per ICS: populations, unit counts, tier fit (share of practices, PCNs
        and places inside their band, by registered patients; places use each ICS's
        default definition and registered patients by where they live), need index
        (NHS England core weighted population per head relative to England), Core20
        share of residents, and alignment (share of the ICS's practices' patients who
        live in the ICS).

    Examples
    --------
    >>> table = ics_league_table({"practice": (1_000, 10_000), "pcn": (30_000, 50_000),
    ...                           "place": (100_000, 500_000)})
    >>> len(table), round(float(table.set_index("icb_code").loc["QGH", "alignment"]), 3)
    (42, 0.974)
    """
    from layers.system import list_systems, place_lookup
    from layers.tiers import validate_bands

    bands = validate_bands(bands)

    lsoas = read_table("lsoas")
    practices = read_table("practices")
    registrations = read_table("registrations")
    weighted = read_table("weighted_populations")
    table = list_systems()

    table["n_practices"] = table["icb_code"].map(practices.groupby("icb_code").size())
    table["practices_in_band"] = table["icb_code"].map(
        practices.groupby("icb_code")["registered_patients"].apply(
            _share_in_band, band=bands["practice"]
        )
    )
    pcn_sizes = (
        practices.dropna(subset=["pcn_code"])
        .groupby(["icb_code", "pcn_code"])["registered_patients"]
        .sum()
    )
    table["n_pcns"] = table["icb_code"].map(pcn_sizes.groupby(level=0).size())
    table["pcns_in_band"] = table["icb_code"].map(
        pcn_sizes.groupby(level=0).apply(_share_in_band, band=bands["pcn"])
    )

    # Place sizes: registered patients living in each place (residence-based).
    resident = registrations.merge(lsoas[["lsoa_code", "icb_code", "ltla_code"]], on="lsoa_code")
    place_rows = []
    for code in table["icb_code"]:
        lookup = place_lookup(
            code, "preset" if table.set_index("icb_code").loc[code, "has_preset_places"] else "utla"
        )
        sizes = (
            resident[resident["icb_code"] == code]
            .merge(lookup, on="ltla_code")
            .groupby("place_code")["patients"]
            .sum()
        )
        place_rows.append((code, len(sizes), _share_in_band(sizes, bands["place"])))
    places = pd.DataFrame(place_rows, columns=["icb_code", "n_places", "places_in_band"])
    table = table.merge(places, on="icb_code")

    wp = weighted.merge(practices[["practice_code", "icb_code"]], on="practice_code")
    per_ics = wp.groupby("icb_code")[["wp_core", "wp_population"]].sum()
    england_rate = per_ics["wp_core"].sum() / per_ics["wp_population"].sum()
    table["need_index"] = table["icb_code"].map(
        per_ics["wp_core"] / per_ics["wp_population"] / england_rate
    )
    core20 = lsoas[lsoas["imd_decile"] <= 2].groupby("icb_code")["population"].sum()
    table["core20_share"] = table["icb_code"].map(core20).fillna(0) / table["resident_population"]

    reg = registrations.merge(practices[["practice_code", "icb_code"]], on="practice_code")
    reg = reg.merge(
        lsoas[["lsoa_code", "icb_code"]].rename(columns={"icb_code": "home_icb"}),
        on="lsoa_code",
        how="left",
    )
    inside = reg[reg["icb_code"] == reg["home_icb"]].groupby("icb_code")["patients"].sum()
    table["alignment"] = table["icb_code"].map(inside) / table["registered_patients"]
    return table.drop(columns=["has_preset_places"]).reset_index(drop=True)
