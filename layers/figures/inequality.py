"""Inequality figures: deprivation profile, indicators by IMD decile, the Core20 map.

The Inequality page, its slide (:func:`layers.slides.inequality_slide`) and notebooks
draw with these. Deciles are the vintage's national IMD deciles (IMD 2019 or IMD
2025) in the viridis decile colours
(:data:`layers.style.IMD_DECILE_COLOURS`), decile 1 (most deprived) first; figures
carry the data date; paired series differ by pattern as well as colour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers._checks import require_frame
from layers.deprivation import CORE20_LABEL
from layers.indicators import DECILE_LABELS, Indicator, indicator_spec
from layers.maps import feature_collection, geo_view, name_labels, pcn_labels
from layers.style import (
    IMD_DECILE_COLOURS,
    TEXT_COLOUR,
    map_note,
    note_annotation,
    note_height,
    top_margin,
    top_title,
)
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = ["CORE20_MAP_UNITS", "core20_map", "decile_figure", "profile_figure"]

#: What a Core20 map's areas are, in words, by level.
CORE20_MAP_UNITS = {"pcn": "PCN footprint", "place": "place"}
_GRID = "#e8edee"
_CORE20_BAR_TITLE = f"% residents in {CORE20_LABEL}"


def _below(text: str, y: float) -> dict:
    """A note under the plot."""
    return note_annotation(text, y=y, yanchor="top")


def _decile_bars(frame: pd.DataFrame, spec: Indicator, text: Sequence[str] | None) -> go.Bar:
    """The decile bars (width = population share, 95% limits unless modelled)."""
    y = frame["value"].to_numpy(dtype=float) * spec.scale
    lower = frame["lower_cl"].to_numpy(dtype=float) * spec.scale
    upper = frame["upper_cl"].to_numpy(dtype=float) * spec.scale
    labels = frame["imd_decile"].map(DECILE_LABELS).tolist()
    has_ci = bool(np.isfinite(lower).all() and np.isfinite(upper).all()) and not spec.modelled
    digits = spec.decimals + 1
    unit = "%" if spec.unit == "%" else " " + spec.unit
    return go.Bar(
        x=frame["cum_mid"].to_numpy(dtype=float) * 100,
        y=y,
        width=frame["population_share"].to_numpy(dtype=float) * 100 * 0.96,
        marker={
            "color": [IMD_DECILE_COLOURS[int(d) - 1] for d in frame["imd_decile"]],
            "line": {"color": "#ffffff", "width": 1},
        },
        error_y=(
            {
                "type": "data",
                "array": np.maximum(upper - y, 0),
                "arrayminus": np.maximum(y - lower, 0),
                "color": TEXT_COLOUR,
                "thickness": 1.2,
            }
            if has_ci
            else None
        ),
        # The values as text, for a reader who cannot tell the colours apart; hidden on
        # screen (the hover and the table give them), shown where a figure is projected.
        text=list(text) if text is not None else [spec.fmt(v) for v in frame["value"]],
        textposition="none",
        customdata=np.column_stack(
            [labels, frame["population"].round().astype(np.int64), lower, upper]
        ),
        hovertemplate=(
            "IMD decile %{customdata[0]}<br>"
            f"{spec.label}: %{{y:,.{digits}f}}{unit}"
            f"<br>95% CI %{{customdata[2]:,.{digits}f}} – %{{customdata[3]:,.{digits}f}}"
            "<br>Population %{customdata[1]:,}<extra></extra>"
        ),
        name="Decile value (95% CI)" if has_ci else "Decile value",
    )


def _sii_line(summary: Mapping[str, Any], spec: Indicator) -> go.Scatter | None:
    """The fitted line behind the SII, from the most to the least deprived end."""
    sii, intercept = summary.get("sii", math.nan), summary.get("intercept", math.nan)
    if not (np.isfinite(sii) and np.isfinite(intercept)):
        return None
    return go.Scatter(
        x=[0, 100],
        y=[intercept, intercept + sii],
        mode="lines",
        line={"color": TEXT_COLOUR, "width": 2.5, "dash": "dash"},
        name=f"SII line: gap {sii:+,.{spec.decimals + 1}f} "
        f"{'percentage points' if spec.unit == '%' else spec.unit}",
        hovertemplate="Fitted value %{y:,.2f}<extra>SII line</extra>",
    )


def decile_figure(
    deciles: pd.DataFrame,
    summary: Mapping[str, Any],
    indicator: str | Indicator,
    unit_name: str,
    *,
    text: Sequence[str] | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """Bars by decile (width = population share) with the fitted SII line.

    Bars stand at each decile's midpoint in the unit's cumulative population, most
    deprived on the left, with 95% limits; the dashed line is the population-weighted
    regression behind the SII, from its fitted value at the most deprived end
    (``intercept``) to the least deprived end (``intercept + sii``).

    Parameters
    ----------
    deciles : DataFrame
        :func:`layers.indicators.by_decile` rows for one unit.
    summary : mapping
        :func:`layers.indicators.summary_measures` (or
        :func:`~layers.indicators.decile_sii`) of the same unit.
    indicator : str or Indicator
        Key of :data:`layers.indicators.INDICATORS`.
    unit_name : str
        For the title.
    text : sequence of str, optional
        The bars' labels, one per decile in ``imd_decile`` order (default: the values,
        formatted). Hidden on screen; a slide shows them.
    vintage : {"2022", "2026"}
        Names the IMD and the data in the title and note.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> deciles = pd.DataFrame({"imd_decile": [1, 2], "population": [100, 300],
    ...     "value": [0.3, 0.2], "lower_cl": [0.25, 0.18], "upper_cl": [0.35, 0.22],
    ...     "population_share": [0.25, 0.75], "cum_mid": [0.125, 0.625]})
    >>> fig = decile_figure(deciles, {"sii": -10.0, "intercept": 31.0}, "aged_65_plus", "X")
    >>> [t.type for t in fig.data], fig.data[1].y, fig.data[0].text
    (['bar', 'scatter'], (31.0, 21.0), ('30.0%', '20.0%'))
    >>> fig.layout.xaxis.ticktext
    ('1 (most deprived)', '2')
    """
    spec = indicator_spec(indicator, vintage)
    info = get_vintage(vintage)
    require_frame(
        deciles,
        ["imd_decile", "population", "value", "lower_cl", "upper_cl", "population_share"],
        "deciles",
    )
    require_frame(deciles, ["cum_mid"], "deciles")
    frame = deciles.sort_values("imd_decile")
    fig = go.Figure(_decile_bars(frame, spec, text))
    notes = [f"Data: {info.data_line}."]
    line = _sii_line(summary, spec)
    if line is not None:
        fig.add_trace(line)
    else:
        notes.append(f"SII not computed: {summary.get('note') or 'not enough deciles'}.")
    if spec.modelled:
        notes.append(
            "Modelled from synthetic individuals, not observed prevalence; no confidence "
            "intervals are drawn for modelled figures."
        )
    note = _below("<br>".join(notes), y=-0.36)
    fig.update_layout(
        title={"text": f"{spec.label} by national {info.imd_name} decile: {unit_name}", "x": 0.01},
        xaxis={
            "title": {
                "text": f"National {info.imd_name} decile, placed at its midpoint in the "
                "cumulative population (%), most deprived on the left"
            },
            "range": [0, 100],
            "tickvals": (frame["cum_mid"].to_numpy(dtype=float) * 100).tolist(),
            "ticktext": frame["imd_decile"].map(DECILE_LABELS).tolist(),
            "tickangle": -30,
        },
        yaxis={"title": {"text": spec.axis}, "rangemode": "tozero"},
        bargap=0,
        height=480,
        margin={"l": 70, "r": 20, "t": 60, "b": 137 + note_height(note)},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        annotations=[note],
        plot_bgcolor="#ffffff",
    )
    fig.update_yaxes(gridcolor=_GRID)
    return fig


def profile_figure(profile: pd.DataFrame, title: str, vintage: str = DEFAULT_VINTAGE) -> go.Figure:
    """Residents and registered patients in each national IMD decile.

    Parameters
    ----------
    profile : DataFrame
        ``imd_decile``, ``residents`` and optionally ``patients``.
    title : str
        Figure title.
    vintage : {"2022", "2026"}
        Names the residents' source, the registrations and the IMD.

    Returns
    -------
    plotly.graph_objects.Figure
        Grouped bars: residents solid, registered patients hatched (so the two differ
        by pattern, not only colour), in the viridis decile colours.

    Examples
    --------
    >>> profile = pd.DataFrame({"imd_decile": [1, 2], "residents": [10, 20],
    ...                         "patients": [12, 18]})
    >>> [t.name for t in profile_figure(profile, "T", vintage="2022").data]
    ['Residents (ONS mid-2020)', 'Registered patients (Jul 2022)']
    >>> [t.name for t in profile_figure(profile, "T", vintage="2026").data]
    ['Residents (Census 2021)', 'Registered patients (2026/27, modelled)']
    """
    info = get_vintage(vintage)
    require_frame(profile, ["imd_decile", "residents"], "profile")
    labels = profile["imd_decile"].map(DECILE_LABELS).tolist()
    colours = [IMD_DECILE_COLOURS[int(d) - 1] for d in profile["imd_decile"]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=profile["residents"],
            name=f"Residents ({info.population_source})",
            marker={"color": colours},
            hovertemplate="Decile %{x}<br>%{y:,} residents<extra></extra>",
        )
    )
    if "patients" in profile.columns:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=profile["patients"],
                name=f"Registered patients ({info.registered_label})",
                marker={
                    "color": colours,
                    "pattern": {"shape": "/", "fgcolor": "#ffffff", "solidity": 0.35},
                },
                hovertemplate="Decile %{x}<br>%{y:,} registered patients<extra></extra>",
            )
        )
    note = _below(
        f"Data: {info.data_line}.<br>Patients are placed by the LSOA they live in "
        "(Welsh and unknown addresses have no English decile).",
        y=-0.3,
    )
    fig.update_layout(
        title={"text": title, "x": 0.01},
        barmode="group",
        xaxis={
            "title": {
                "text": f"National {info.imd_name} decile (1 = most deprived 10% of England)"
            },
            "type": "category",
        },
        yaxis={"title": {"text": "People"}, "gridcolor": _GRID},
        height=400,
        margin={"l": 70, "r": 20, "t": 60, "b": 84 + note_height(note)},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        annotations=[note],
        plot_bgcolor="#ffffff",
    )
    return fig


def core20_map(
    areas: gpd.GeoDataFrame,
    level: Literal["pcn", "place"] = "place",
    *,
    title: str | None = None,
    height: int = 560,
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """One-trace offline choropleth of the residents' Core20 share.

    Parameters
    ----------
    areas : GeoDataFrame
        From :func:`layers.indicators.core20_areas`.
    level : {"pcn", "place"}
        What the areas are (PCN footprints or places), for the default title.
    title : str, optional
        Figure title.
    height : int
        Pixels.
    vintage : {"2022", "2026"}
        For the data note.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Choropleth`` trace on an SVG ``geo`` map with no basemap (pass
        :data:`layers.maps.OFFLINE_TOPOJSON_URL` as ``topojsonURL``), reversed viridis
        from 0 to 100% so darker means more deprived, with the colour bar titled
        "% residents in national IMD deciles 1–2" and the value in every hover.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> areas = gpd.GeoDataFrame({"code": ["a"], "name": ["A"], "residents": [40],
    ...     "core20_residents": [10], "core20_share": [0.25]},
    ...     geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> fig = core20_map(areas, "place")
    >>> len(fig.data), fig.data[0].colorbar.title.text, fig.data[0].z.tolist()
    (2, '% residents in national IMD deciles 1–2', [25.0])
    >>> fig.layout.title.text
    'Residents in the most deprived 20% of England (Core20), by place'
    """
    require_frame(areas, ["code", "name", "residents", "core20_residents", "core20_share"], "areas")
    if level not in CORE20_MAP_UNITS:
        raise ValueError(f"level must be one of {', '.join(CORE20_MAP_UNITS)}, got {level!r}.")
    if areas.empty:
        raise ValueError("areas is empty: nothing to map")
    title = title or (
        f"Residents in the most deprived 20% of England (Core20), by {CORE20_MAP_UNITS[level]}"
    )
    share = areas["core20_share"].to_numpy(dtype=float) * 100
    fig = go.Figure(
        go.Choropleth(
            geojson=feature_collection(areas, "code"),
            locations=areas["code"].astype(str).tolist(),
            z=share.round(1),
            zmin=0,
            zmax=100,
            colorscale="Viridis",
            reversescale=True,
            marker={"line": {"width": 1, "color": "#ffffff"}, "opacity": 0.9},
            colorbar={
                "title": {"text": _CORE20_BAR_TITLE, "side": "right", "font": {"size": 12}},
                "ticksuffix": "%",
                "len": 0.95,
                "thickness": 18,
            },
            customdata=np.column_stack(
                [areas["name"], areas["residents"], areas["core20_residents"]]
            ),
            hovertemplate=(
                "<b>%{customdata[0]}</b> (%{location})<br>"
                "Core20: %{z:.1f}% of residents<br>"
                f"%{{customdata[2]:,}} of %{{customdata[1]:,}} residents in {CORE20_LABEL}"
                "<extra></extra>"
            ),
            name="Core20 share",
        )
    )
    # Names, so a printed map can be read: places always, PCNs where legible.
    label = name_labels if level == "place" else pcn_labels
    fig.add_trace(label(areas.geometry, areas["name"].astype(str)))
    note = map_note(get_vintage(vintage).data_line)
    fig.update_layout(
        geo=geo_view(areas.total_bounds),
        height=height,
        margin={"l": 0, "r": 0, "t": top_margin(note), "b": 10},
        title=top_title(title),
        annotations=[note],
        uirevision=title,
    )
    return fig
