"""England-wide view: every LSOA, the ICS outlines, and national league tables.

Every function takes the data ``vintage``: 32,844 LSOAs of 2011 and 42 ICSs in 2022,
33,755 LSOAs of 2021 and 36 ICSs in 2026. The England map is an SVG ``geo`` map, like
the ICS map, drawn from the light geometry. Each LSOA is coloured by one of ten
classes, and the LSOAs of one ICS and class are collected into one shape
(:func:`layers.maps.collect_polygons`): every LSOA polygon is drawn as it is, but as
417 paths rather than 32,844 (2022), because in SVG each path costs far more than its
vertices. The shapes carry the ICS hover and click.
Their GeoJSON is written once to a file that the dashboard serves as a static asset
(gzip-compressed by the server), so the figure itself carries only ids and values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from layers.deprivation import is_core20
from layers.geodata import read_manifest, read_table
from layers.maps import (
    IMD_DECILE_COLOURS,
    collect_polygons,
    geo_view,
    geojson_text,
    line_trace,
    outline_coordinates,
    write_once,
)
from layers.style import map_note, stepped_colorscale, top_margin, top_title
from layers.vintages import DEFAULT_VINTAGE, check_vintage, get_vintage

__all__ = [
    "ENGLAND_MEASURES",
    "england_geojson_text",
    "england_groups",
    "england_lsoa_classes",
    "england_lsoa_values",
    "england_map",
    "england_measures",
    "group_ics",
    "ics_league_table",
    "lsoa_classes",
    "write_england_geojson",
]


def england_measures(vintage: str = DEFAULT_VINTAGE) -> dict[str, tuple[str, str]]:
    """What can colour the England map: legend title and the hover's words for a class.

    Examples
    --------
    >>> england_measures("2026")["imd_decile"]
    ('IMD 2025 decile<br>(1 = most deprived)', 'IMD 2025 decile')
    """
    info = get_vintage(vintage)
    return {
        "imd_decile": (info.imd_decile_title, f"{info.imd_name} decile"),
        "population": (f"Residents ({info.population_source}),<br>tenths of LSOAs", "LSOAs of"),
    }


#: The England map's measures in the 2022 vintage (keys are the same in every vintage).
ENGLAND_MEASURES: dict[str, tuple[str, str]] = england_measures("2022")
_N_CLASSES = 10
_GROUP_SEPARATOR = "/"  # ICB codes are alphanumeric, so "QGH/3" splits unambiguously
_DECIMALS = 4  # about 10 m: far below a pixel at England zoom, and 8% less JSON


def _check_measure(measure: str) -> None:
    if measure not in ENGLAND_MEASURES:
        raise ValueError(f"Unknown measure {measure!r}; choose one of {list(ENGLAND_MEASURES)}.")


def lsoa_classes(values: pd.Series, measure: str) -> tuple[pd.Series, list[str]]:
    """Colour class (1 to 10) of each LSOA, and the label of each class.

    IMD deciles are their own classes. Residents are cut into tenths of LSOAs
    (quantiles, with :mod:`mapclassify`); a label gives the whole numbers in its class.

    Parameters
    ----------
    values : Series
        IMD deciles (whole numbers 1 to 10) or resident counts, one per LSOA.
    measure : {"imd_decile", "population"}

    Returns
    -------
    classes : Series of int
        Aligned with ``values``.
    labels : list of str
        ``labels[k - 1]`` describes class ``k``.

    Examples
    --------
    >>> classes, labels = lsoa_classes(pd.Series(range(1, 101)), "population")
    >>> classes.tolist()[:11], labels[0], labels[1], labels[-1]
    ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2], '1–10', '11–20', '91–100')
    >>> lsoa_classes(pd.Series([1, 10]), "imd_decile")[1][0]
    '1 (most deprived)'
    """
    _check_measure(measure)
    if values.empty or values.isna().any():
        raise ValueError(f"lsoa_classes needs {measure} for every LSOA; some are missing.")
    if measure == "imd_decile":
        if not values.isin(range(1, 11)).all():
            raise ValueError("IMD deciles must be whole numbers from 1 to 10.")
        labels = [str(d) for d in range(1, 11)]
        labels[0], labels[-1] = "1 (most deprived)", "10 (least deprived)"
        return values.astype(int), labels
    if (values < 0).any():
        raise ValueError("Resident counts cannot be negative.")
    # Imported here: mapclassify brings scipy.stats, scikit-learn and matplotlib, about
    # 100 MiB that a server showing only deciles never needs.
    import mapclassify

    classifier = mapclassify.Quantiles(values.to_numpy(dtype=float), k=_N_CLASSES)
    upper = np.floor(classifier.bins).astype(int)
    lower = np.concatenate([[int(values.min())], upper[:-1] + 1])
    labels = [f"{low:,}–{high:,}" for low, high in zip(lower, upper, strict=True)]
    return pd.Series(classifier.yb + 1, index=values.index), labels


def england_lsoa_values(vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
    """LSOA code, IMD decile, residents and ICS for the England choropleth."""
    lsoas = read_table("lsoas", vintage=vintage)
    return lsoas[["lsoa_code", "lsoa_name", "imd_decile", "population", "icb_code", "icb_name"]]


def england_lsoa_classes(
    measure: str = "imd_decile", vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """Every LSOA with its colour class and the id of its map shape (ICS and class).

    Examples
    --------
    >>> classes = england_lsoa_classes("imd_decile", vintage="2022")
    >>> first = classes.iloc[0]
    >>> len(classes), classes["group_id"].nunique(), first["lsoa_code"], first["group_id"]
    (32844, 417, 'E01000001', 'QMF/9')
    >>> now = england_lsoa_classes("imd_decile", vintage="2026")
    >>> len(now), now["group_id"].iloc[0]
    (33755, 'E54000029/8')
    """
    _check_measure(measure)
    values = england_lsoa_values(vintage)
    classes, labels = lsoa_classes(values[measure], measure)
    return values.assign(
        colour_class=classes,
        class_label=classes.map(dict(enumerate(labels, start=1))),
        group_id=values["icb_code"] + _GROUP_SEPARATOR + classes.astype(str),
    )


def england_groups(measure: str = "imd_decile", vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
    """The England map's shapes: one row per ICS and colour class, with counts.

    Returns
    -------
    DataFrame
        ``group_id``, ``icb_code``, ``icb_name``, ``colour_class``, ``class_label``,
        ``n_lsoas`` and ``population`` (residents of the vintage), sorted by ``group_id``.

    Examples
    --------
    >>> groups = england_groups("population", vintage="2022")
    >>> int(groups["n_lsoas"].sum()), int(groups["population"].sum())
    (32844, 56550138)
    >>> groups = england_groups("population", vintage="2026")
    >>> int(groups["n_lsoas"].sum()), int(groups["population"].sum())
    (33755, 56489608)
    """
    classes = england_lsoa_classes(measure, vintage)
    return (
        classes.groupby("group_id", sort=True)
        .agg(
            icb_code=("icb_code", "first"),
            icb_name=("icb_name", "first"),
            colour_class=("colour_class", "first"),
            class_label=("class_label", "first"),
            n_lsoas=("lsoa_code", "size"),
            population=("population", "sum"),
        )
        .reset_index()
    )


def group_ics(group_id: str) -> str:
    """The ICB code of an England map shape.

    Examples
    --------
    >>> group_ics("QGH/3"), group_ics("E54000071/10")
    ('QGH', 'E54000071')
    """
    code, separator, _ = str(group_id).partition(_GROUP_SEPARATOR)
    if not separator:
        raise ValueError(f"{group_id!r} is not an England map shape id such as 'QGH/3'.")
    return code


def england_geojson_text(
    measure: str = "imd_decile", decimals: int = _DECIMALS, vintage: str = DEFAULT_VINTAGE
) -> str:
    """GeoJSON text of the England map's shapes: every LSOA (light geometry), by group.

    Coordinates are rounded on output only, so no LSOA is dropped or emptied.

    Examples
    --------
    >>> import json
    >>> features = json.loads(england_geojson_text(vintage="2022"))["features"]
    >>> len(features), sum(len(f["geometry"]["coordinates"]) for f in features) >= 32844
    (417, True)
    """
    if not 0 < decimals <= 6:
        raise ValueError(f"decimals must be between 1 and 6, got {decimals}.")
    lsoas = read_table("lsoa_geometry_light", vintage=vintage).merge(
        england_lsoa_classes(measure, vintage)[["lsoa_code", "group_id"]],
        on="lsoa_code",
        validate="1:1",
    )
    return geojson_text(collect_polygons(lsoas, "group_id"), "group_id", decimals)


def write_england_geojson(
    folder: Path | str, measure: str = "imd_decile", vintage: str = DEFAULT_VINTAGE
) -> Path:
    """Write the England GeoJSON for ``measure`` into ``folder``, named for the data build.

    The file name carries the vintage and a hash of its ``manifest.json``, so a rebuilt
    ``geodata/`` gets a new file and browsers never see stale geometry.

    Returns
    -------
    Path
        The file written (or already present).
    """
    _check_measure(measure)
    vintage = check_vintage(vintage)
    digest = hashlib.sha1(repr(read_manifest(vintage)).encode()).hexdigest()[:10]
    # The 2022 file keeps its earlier name, so caches and links made before stay valid.
    tag = "" if vintage == "2022" else f"{vintage}_"
    return write_once(
        Path(folder) / f"england_lsoas_{tag}{measure}_{digest}.json",
        lambda: england_geojson_text(measure, vintage=vintage),
    )


def _class_colours(measure: str, n_classes: int) -> list[str]:
    if measure == "imd_decile":
        return list(IMD_DECILE_COLOURS)
    # More residents, darker; Cividis reads in colour-blind vision and in greyscale.
    return plotly.colors.sample_colorscale("Cividis_r", list(np.linspace(0, 1, n_classes)))


def england_map(
    geojson: str | dict,
    measure: str = "imd_decile",
    height: int = 750,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """The England map: every LSOA coloured by class, with the ICS outlines on top.

    Parameters
    ----------
    geojson : str or dict
        Where the browser fetches the shapes' GeoJSON (see :func:`write_england_geojson`),
        or the GeoJSON itself (for image export, which cannot fetch a URL).
    measure : {"imd_decile", "population"}
        What colours the LSOAs.
    height : int
        Figure height in pixels.
    vintage : {"2022", "2026"}
        The data vintage (the GeoJSON must be of the same vintage).

    Returns
    -------
    plotly.graph_objects.Figure
        An SVG ``geo`` map (pass :data:`layers.maps.OFFLINE_TOPOJSON_URL` as the
        ``topojsonURL`` config). Trace 0 is the choropleth, one shape per ICS and
        class, whose hover and click name the ICS; trace 1 the ICS outlines.

    Examples
    --------
    >>> figure = england_map("england.json", vintage="2022")
    >>> [trace.type for trace in figure.data], len(figure.data[0].locations)
    (['choropleth', 'scattergeo'], 417)
    >>> england_map("england.json", vintage="2026").layout.title.text
    'England: 33,755 LSOAs and 36 ICSs'
    """
    _check_measure(measure)
    if height < 200:
        raise ValueError(f"height must be at least 200 pixels, got {height}.")
    info = get_vintage(vintage)
    groups = england_groups(measure, info.key)
    labels = groups.drop_duplicates("colour_class").set_index("colour_class")["class_label"]
    labels = labels.sort_index()
    legend_title, class_words = england_measures(info.key)[measure]
    colours = _class_colours(measure, len(labels))
    suffix = "" if measure == "imd_decile" else " residents"
    icbs = read_table("icb_geometry_light", vintage=info.key)
    lon, lat = outline_coordinates(icbs.geometry)
    figure = go.Figure()
    figure.add_trace(
        go.Choropleth(
            geojson=geojson,
            locations=groups["group_id"],
            z=groups["colour_class"],
            colorscale=stepped_colorscale(colours),
            zmin=0.5,
            zmax=len(colours) + 0.5,
            colorbar={
                "title": {"text": legend_title},
                "tickvals": list(labels.index),
                "ticktext": list(labels),
                "len": 0.7,
            },
            marker={"line": {"width": 0}},
            customdata=np.column_stack(
                [
                    groups["icb_name"],
                    groups["icb_code"],
                    groups["class_label"],
                    groups["n_lsoas"],
                    groups["population"],
                ]
            ),
            hovertemplate=(
                "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
                f"{class_words} %{{customdata[2]}}{suffix}: %{{customdata[3]:,}} LSOAs, "
                f"%{{customdata[4]:,}} residents ({info.population_short})<br>Click to open "
                "this ICS's map"
                "<extra></extra>"
            ),
            name="LSOAs",
        )
    )
    figure.add_trace(line_trace(lon, lat, {"color": "#005eb8", "width": 1.5}, "ICS outlines"))
    note = map_note(info.data_line)
    figure.update_layout(
        geo=geo_view(icbs.total_bounds, margin=0.02),
        height=height,
        margin={"l": 0, "r": 0, "t": top_margin(note), "b": 0},
        title=top_title(f"England: {info.n_lsoas:,} LSOAs and {info.n_icbs} ICSs"),
        showlegend=False,
        annotations=[note],
        uirevision="england",
    )
    return figure


def _share_in_band(sizes: pd.Series, band: tuple[float, float]) -> float:
    low, high = band
    if sizes.empty:
        return float("nan")
    return float(((sizes >= low) & (sizes <= high)).mean())


def ics_league_table(
    bands: Mapping[str, tuple[float, float]], vintage: str = DEFAULT_VINTAGE
) -> pd.DataFrame:
    """National league table of the ICSs of a vintage (42 in 2022, 36 in 2026).

    Parameters
    ----------
    bands : mapping
        Design bands (inclusive) by tier, checked by :func:`layers.tiers.validate_bands`
        (tiers left out take :data:`layers.tiers.DEFAULT_BANDS`), e.g.
        ``{"pcn": (30_000, 50_000)}``.
    vintage : {"2022", "2026"}
        In 2026 registered patients by residence are *modelled from July 2022 patterns*,
        and need is NHS England's 2026/27 core weighted population.

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
    ...                           "place": (100_000, 500_000)}, vintage="2022")
    >>> len(table), round(float(table.set_index("icb_code").loc["QGH", "alignment"]), 3)
    (42, 0.974)
    """
    from layers.allocation.years import weighted_populations
    from layers.system import list_systems, place_lookup
    from layers.tiers import validate_bands

    bands = validate_bands(bands)
    vintage = check_vintage(vintage)

    lsoas = read_table("lsoas", vintage=vintage)
    practices = read_table("practices", vintage=vintage)
    registrations = read_table("registrations", vintage=vintage)
    weighted = weighted_populations(vintage)
    table = list_systems(vintage=vintage)

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
            code,
            "preset" if table.set_index("icb_code").loc[code, "has_preset_places"] else "utla",
            vintage=vintage,
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
    core20 = lsoas[is_core20(lsoas["imd_decile"])].groupby("icb_code")["population"].sum()
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
