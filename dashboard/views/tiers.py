"""Population tiers: are our units the right size for their layer, and who is at risk.

Five layers (individuals, GP practices, PCNs, places, the ICS) measured against the
design bands of the ICS's plans, with what-if regrouping kept in this session only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import figure_downloads, table_downloads
from layers import tiers
from layers.maps import OFFLINE_TOPOJSON_URL
from layers.risk import RISK_TIERS

#: Okabe–Ito orange and blue for the two ways out of a band; grey for within.
FLAG_COLOURS = {"below": "#E69F00", "within": "#8C8C8C", "above": "#0072B2"}
FLAG_SYMBOLS = {"below": "triangle-down", "within": "circle", "above": "triangle-up"}
FLAG_TEXT = {"below": "▼ Below band", "within": "● Within band", "above": "▲ Above band"}
FLAG_PATTERN = {"below": "dotted", "within": "plain", "above": "hatched"}
TIER_COLOURS = {"low": "#56B4E9", "rising": "#E69F00", "high": "#D55E00"}
TIER_PATTERNS = {"low": "", "rising": "/", "high": "x"}
BAND_STEPS = {"practice": 500, "pcn": 5_000, "place": 50_000, "ics": 100_000}
OPERATION_KINDS = {
    "move_practice": "Move a practice to another PCN",
    "merge_pcns": "Merge two PCNs",
    "move_pcn": "Move a PCN to another place",
}
UNIT_WORD = {"practice": "practice", "pcn": "PCN", "place": "place", "ics": "ICS"}
SEED = loaders.TIERS_SEED


def fmt(value: object) -> str:
    """Whole numbers with thousands separators; '–' for missing; '*' stays '*'."""
    if isinstance(value, str):
        return value
    return "–" if value is None or pd.isna(value) else f"{round(float(value)):,}"


def pct(value: object) -> str:
    """A disclosure-controlled percentage for display."""
    if isinstance(value, str):
        return value
    return "–" if value is None or pd.isna(value) else f"{float(value):.1f}%"


# --------------------------------------------------------------------------- state


def scenario_key(code: str, place_definition: str) -> str:
    """Scenarios are kept per ICS and place definition."""
    return f"{code}|{place_definition}"


def current_regrouping(code: str, place_definition: str) -> tiers.Regrouping:
    """The session's scenario for this ICS (empty: the real configuration)."""
    return st.session_state.setdefault("tiers_scenarios", {}).get(
        scenario_key(code, place_definition), tiers.Regrouping()
    )


def store_regrouping(code: str, place_definition: str, regrouping: tiers.Regrouping) -> None:
    """Keep the scenario (a short list of operations, no data) in the session."""
    st.session_state.setdefault("tiers_scenarios", {})[scenario_key(code, place_definition)] = (
        regrouping
    )


def add_operation(code: str, place_definition: str) -> None:
    """Callback of the Apply button: validate the change against the base tables."""
    state = st.session_state
    kind = state.get("tiers_op_kind")
    try:
        if kind == "move_practice":
            operation = tiers.MovePractice(state["tiers_op_practice"], state["tiers_op_to_pcn"])
        elif kind == "merge_pcns":
            name = (state.get("tiers_op_name") or "").strip() or None
            operation = tiers.MergePCNs(state["tiers_op_kept"], state["tiers_op_absorbed"], name)
        else:
            operation = tiers.MovePCNToPlace(state["tiers_op_pcn"], state["tiers_op_to_place"])
        candidate = current_regrouping(code, place_definition).then(operation)
        tiers.apply_regrouping(loaders.tier_tables(system_key), candidate)
    except (KeyError, TypeError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, tiers.RegroupingError) else str(exc)
        state["tiers_message"] = f"That change was not applied: {reason}"
        return
    store_regrouping(code, place_definition, candidate)
    state.pop("tiers_op_name", None)


def undo_operation(code: str, place_definition: str) -> None:
    """Callback: drop the last change."""
    store_regrouping(code, place_definition, current_regrouping(code, place_definition).undo())


def reset_scenario(code: str, place_definition: str) -> None:
    """Callback: back to the real configuration."""
    store_regrouping(code, place_definition, tiers.Regrouping())


def set_band_widgets(bands: dict[str, tuple[int, int]]) -> None:
    """Put bands into the band inputs (before they are drawn)."""
    for layer, (low, high) in bands.items():
        st.session_state[f"tiers_band_{layer}_low"] = low
        st.session_state[f"tiers_band_{layer}_high"] = high
    st.session_state["tiers_bands"] = dict(bands)


def restore_default_bands() -> None:
    """Callback: the plans' default bands."""
    set_band_widgets(dict(tiers.DEFAULT_BANDS))


def bands_from_link() -> None:
    """Read ``?bands=`` when it is new to this session; a bad value warns and uses defaults."""
    requested = st.query_params.get("bands")
    if requested is not None and requested != st.session_state.get("tiers_bands_text"):
        try:
            set_band_widgets(tiers.parse_bands(requested))
        except (TypeError, ValueError) as exc:
            st.warning(
                f"The link's design bands ({requested!r}) could not be read: {exc} "
                "Showing the default bands instead."
            )
            set_band_widgets(dict(tiers.DEFAULT_BANDS))
    elif "tiers_bands" not in st.session_state:
        set_band_widgets(dict(tiers.DEFAULT_BANDS))
    for layer, (low, high) in st.session_state["tiers_bands"].items():
        # Widget values are forgotten when another page is shown; restore them.
        st.session_state.setdefault(f"tiers_band_{layer}_low", low)
        st.session_state.setdefault(f"tiers_band_{layer}_high", high)


def band_inputs() -> dict[str, tuple[int, int]]:
    """The band editor; returns valid bands and keeps them in the URL."""
    bands_from_link()
    with st.expander("Design bands (registered patients per unit): edit", expanded=False):
        st.caption(
            "Defaults from Herefordshire and Worcestershire's “Layers of Planning and "
            "Delivery” (2019): practices c. 1,000–10,000, PCNs 30,000–50,000, place-based "
            "alliances 100,000–500,000, the ICS c. 1 million (read here as 500,000–1.5 "
            "million). A unit is within its band when low ≤ patients ≤ high."
        )
        for layer in tiers.BANDED_LAYERS:
            left, right = st.columns(2)
            left.number_input(
                f"{tiers.LAYER_LABELS[layer]}: lowest",
                min_value=0,
                step=BAND_STEPS[layer],
                key=f"tiers_band_{layer}_low",
            )
            right.number_input(
                f"{tiers.LAYER_LABELS[layer]}: highest",
                min_value=0,
                step=BAND_STEPS[layer],
                key=f"tiers_band_{layer}_high",
            )
        st.button(
            "Restore the default bands", on_click=restore_default_bands, key="tiers_bands_reset"
        )
    bands: dict[str, tuple[int, int]] = {}
    for layer in tiers.BANDED_LAYERS:
        pair = (
            int(st.session_state[f"tiers_band_{layer}_low"]),
            int(st.session_state[f"tiers_band_{layer}_high"]),
        )
        try:
            tiers.validate_bands({layer: pair})
        except ValueError as exc:
            default = tiers.DEFAULT_BANDS[layer]
            st.warning(f"{exc} Using the default {default[0]:,}–{default[1]:,} until it is fixed.")
            pair = default
        bands[layer] = pair
    st.session_state["tiers_bands"] = bands
    if bands == dict(tiers.DEFAULT_BANDS):
        st.query_params.pop("bands", None)
        st.session_state["tiers_bands_text"] = None
    else:
        text = tiers.format_bands(bands)
        st.query_params["bands"] = text
        st.session_state["tiers_bands_text"] = text
    return bands


# --------------------------------------------------------------------------- figures


def ladder_figure(
    summary: pd.DataFrame, flags: pd.DataFrame, title: str, scenario: bool
) -> go.Figure:
    """The five layers as rungs: every unit on a log scale against its band."""
    rung = {layer: i for i, layer in enumerate(tiers.LAYERS)}
    fig = go.Figure()
    rows = summary.set_index("layer")
    for layer in tiers.BANDED_LAYERS:
        low, high = rows.loc[layer, "band_low"], rows.loc[layer, "band_high"]
        y = rung[layer]
        fig.add_shape(
            type="rect",
            x0=low,
            x1=high,
            y0=y - 0.4,
            y1=y + 0.4,
            fillcolor="rgba(0, 158, 115, 0.12)",
            line={"color": "#009E73", "width": 1, "dash": "dot"},
            layer="below",
        )
    # Spread the units of a rung vertically so that they do not hide each other.
    order = flags.groupby("layer")["registered_patients"].rank(method="first").to_numpy()
    jitter = ((order % 9) - 4) / 11.0
    y_values = flags["layer"].map(rung).to_numpy() + jitter
    for flag in tiers.FLAGS:
        chosen = (flags["flag"] == flag).to_numpy()
        if not chosen.any():
            continue
        units = flags[chosen]
        fig.add_trace(
            go.Scatter(
                x=units["registered_patients"],
                y=y_values[chosen],
                mode="markers",
                name=tiers.FLAG_LABELS[flag],
                marker={
                    "symbol": FLAG_SYMBOLS[flag],
                    "color": FLAG_COLOURS[flag],
                    "size": 10,
                    "line": {"color": "#212B32", "width": 0.6},
                },
                customdata=np.column_stack(
                    [units["name"], units["code"], units["layer"].map(UNIT_WORD)]
                ),
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]} %{customdata[1]})<br>"
                "Registered patients: %{x:,}<extra>" + tiers.FLAG_LABELS[flag] + "</extra>",
            )
        )
    medians = rows.loc[list(tiers.BANDED_LAYERS), "median"]
    fig.add_trace(
        go.Scatter(
            x=medians.to_numpy(),
            y=[rung[layer] for layer in medians.index],
            mode="markers",
            name="Median unit",
            marker={"symbol": "line-ns-open", "size": 34, "color": "#212B32", "line": {"width": 3}},
            hovertemplate="Median: %{x:,.0f} registered patients<extra></extra>",
        )
    )
    n_people = int(rows.loc["individual", "n_units"])
    ticktext = []
    for layer in tiers.LAYERS:
        row = rows.loc[layer]
        if layer == "individual":
            ticktext.append(f"<b>Individuals</b><br>{n_people:,} people")
        else:
            outside = int(row["n_below"]) + int(row["n_above"])
            ticktext.append(
                f"<b>{row['label']}</b><br>{int(row['n_units']):,} · {outside} outside band"
            )
    top = max(float(flags["registered_patients"].max()), float(rows.loc["ics", "band_high"]))
    bottom = max(1.0, min(float(flags["registered_patients"].min()), 1_000.0) / 2)
    fig.update_layout(
        title={
            "text": title + (" — what-if scenario" if scenario else ""),
            "x": 0.01,
        },
        height=500,
        margin={"l": 10, "r": 10, "t": 50, "b": 90},
        xaxis={
            "type": "log",
            "title": "Registered patients per unit, July 2022 (log scale)",
            "range": [np.log10(bottom), np.log10(top) + 0.2],
            "gridcolor": "#E8EDEE",
        },
        yaxis={
            "tickvals": list(range(len(tiers.LAYERS))),
            "ticktext": ticktext,
            "range": [-0.6, len(tiers.LAYERS) - 0.4],
            "gridcolor": "#E8EDEE",
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
                "font": {"size": 12, "color": "#212B32"},
            },
            {
                "text": f"Green boxes: design bands. Data: {layers.DATA_VINTAGE}.",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.36,
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#425563"},
            },
        ],
    )
    return fig


def map_key(layer: str) -> str:
    """An in-figure key, so exported PNGs explain the colours and patterns too."""
    parts = []
    for flag in tiers.FLAGS:
        cue = "" if flag == "within" else f" ({FLAG_PATTERN[flag]})"
        if layer == "practice":
            cue = "" if flag == "within" else ", black ring"
        parts.append(
            f'<span style="color:{FLAG_COLOURS[flag]}">■</span> {tiers.FLAG_LABELS[flag]}{cue}'
        )
    return "   ".join(parts)


def tier_map(
    code: str,
    place_definition: str,
    layer: str,
    tables: tiers.TierTables,
    flags: pd.DataFrame,
    title: str,
) -> go.Figure:
    """Units of one layer coloured and patterned by their flag, on an offline map."""
    geo = loaders.tier_geometry(system_key)
    units = flags[flags["layer"] == layer].set_index("code")
    colours = [
        (0.0, FLAG_COLOURS["below"]),
        (1 / 3, FLAG_COLOURS["below"]),
        (1 / 3, FLAG_COLOURS["within"]),
        (2 / 3, FLAG_COLOURS["within"]),
        (2 / 3, FLAG_COLOURS["above"]),
        (1.0, FLAG_COLOURS["above"]),
    ]
    flag_number = {flag: i for i, flag in enumerate(tiers.FLAGS)}
    fig = go.Figure()
    if layer in ("pcn", "place"):
        if layer == "pcn":
            owner = tables.footprints.set_index("footprint_code")["pcn_code"]
            locations = geo["pcn_codes"]
            current = [owner.get(c) for c in locations]
            geojson = geo["pcn_geojson"]
            footprint_note = [
                "" if cur == c else f"Footprint of {geo['pcn_names'][c]} ({c})"
                for c, cur in zip(locations, current, strict=True)
            ]
        else:
            locations = geo["place_codes"]
            current = locations
            geojson = geo["place_geojson"]
            footprint_note = [""] * len(locations)
        rows = units.reindex([c if isinstance(c, str) else "" for c in current])
        flags_here = rows["flag"].astype(object).to_numpy()
        z = [flag_number.get(f, np.nan) for f in flags_here]
        low, high = units["band_low"].iloc[0], units["band_high"].iloc[0]
        band = f"{int(low):,}–{int(high):,}"
        fig.add_trace(
            go.Choropleth(
                geojson=geojson,
                locations=locations,
                z=z,
                zmin=-0.5,
                zmax=2.5,
                colorscale=colours,
                showscale=False,
                marker={"opacity": 0.75, "line": {"width": 1, "color": "#FFFFFF"}},
                customdata=np.column_stack(
                    [
                        rows["name"].fillna("No PCN (its practices moved)").to_numpy(),
                        [c if isinstance(c, str) else "–" for c in current],
                        [fmt(v) for v in rows["registered_patients"]],
                        [tiers.FLAG_LABELS.get(f, "–") for f in flags_here],
                        footprint_note,
                    ]
                ),
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
                "Registered patients: %{customdata[2]}<br>%{customdata[3]} "
                f"({band})<br>%{{customdata[4]}}<extra></extra>",
                name=tiers.LAYER_LABELS[layer],
                showlegend=False,
            )
        )
        for flag, kind in (("above", "hatch"), ("below", "dots")):
            chosen = tuple(
                sorted(c for c, f in zip(locations, flags_here, strict=True) if f == flag)
            )
            if not chosen:
                continue
            lon, lat = loaders.tier_pattern(system_key, layer, kind, chosen)
            trace = go.Scattergeo(
                lon=lon,
                lat=lat,
                hoverinfo="skip",
                showlegend=False,
                name=f"{tiers.FLAG_LABELS[flag]} ({FLAG_PATTERN[flag]})",
            )
            if kind == "hatch":
                trace.update(mode="lines", line={"color": "#212B32", "width": 1})
            else:
                trace.update(mode="markers", marker={"size": 4, "color": "#212B32"})
            fig.add_trace(trace)
        lon, lat = geo["place_outline"]
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"color": "#000000", "width": 2},
                hoverinfo="skip",
                showlegend=False,
                name="Places",
            )
        )
    else:
        lon, lat = geo["pcn_outline"]
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"color": "#8C8C8C", "width": 1},
                hoverinfo="skip",
                showlegend=False,
                name="PCN footprints",
            )
        )
        practices = tables.practices.set_index("practice_code")
        rows = units.reindex(practices.index)
        size = np.sqrt(rows["registered_patients"].clip(lower=1).to_numpy(dtype=float))
        size = 5 + 17 * size / size.max()
        outside = (rows["flag"] != "within").to_numpy()
        fig.add_trace(
            go.Scattergeo(
                lon=practices.loc[outside, "longitude"],
                lat=practices.loc[outside, "latitude"],
                mode="markers",
                marker={"size": size[outside] + 5, "color": "#000000"},
                hoverinfo="skip",
                showlegend=False,
                name="Outside band (ring)",
            )
        )
        fig.add_trace(
            go.Scattergeo(
                lon=practices["longitude"],
                lat=practices["latitude"],
                mode="markers",
                marker={
                    "size": size,
                    "color": [FLAG_COLOURS[str(f)] for f in rows["flag"]],
                },
                customdata=np.column_stack(
                    [
                        rows["name"],
                        rows.index,
                        [fmt(v) for v in rows["registered_patients"]],
                        rows["parent_name"],
                        [tiers.FLAG_LABELS[str(f)] for f in rows["flag"]],
                    ]
                ),
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
                "Registered patients: %{customdata[2]}<br>PCN: %{customdata[3]}<br>"
                "%{customdata[4]}<extra></extra>",
                showlegend=False,
                name="GP practices",
            )
        )
    fig.update_layout(
        geo=geo["view"],
        height=600,
        margin={"l": 0, "r": 0, "t": 60, "b": 30},
        title={"text": title, "x": 0.01},
        annotations=[
            {
                "text": map_key(layer),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 12, "color": "#212B32"},
            },
            {
                "text": f"Data: {layers.DATA_VINTAGE}. Contains OS data © Crown copyright.",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 10, "color": "#425563"},
            },
        ],
        uirevision=f"{code}-{layer}",
    )
    return fig


def pyramid_figure(unit: pd.DataFrame, ics: pd.DataFrame, title: str) -> go.Figure:
    """Female left, male right, % of the unit's patients; the ICS as an outline."""
    bands = unit["age_band"].astype(str).tolist()
    fig = go.Figure()
    for sex, sign, colour, pattern in (
        ("female", -1, "#CC79A7", ""),
        ("male", 1, "#009E73", "/"),
    ):
        fig.add_trace(
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
        fig.add_trace(
            go.Scatter(
                y=bands,
                x=sign * ics[f"{sex}_share"].to_numpy(),
                mode="lines",
                line={"color": "#212B32", "width": 2, "shape": "vh"},
                name="ICS as a whole" if sex == "female" else "ICS (male)",
                showlegend=sex == "female",
                hovertemplate=f"ICS {sex} %{{y}}: %{{customdata:.1f}}%<extra></extra>",
                customdata=ics[f"{sex}_share"].to_numpy(),
            )
        )
    edge = float(max(unit[["female_share", "male_share"]].max().max(), 1)) * 1.15
    step = 1.0 if edge < 6 else 2.0 if edge < 12 else 5.0
    ticks = np.arange(-np.floor(edge / step) * step, edge, step)
    fig.update_layout(
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
            "gridcolor": "#E8EDEE",
        },
        yaxis={"title": "Age band (years)", "categoryorder": "array", "categoryarray": bands},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        annotations=[
            {
                "text": "◀ Female",
                "x": -edge * 0.95,
                "y": bands[-1],
                "showarrow": False,
                "xanchor": "left",
            },
            {
                "text": "Male ▶",
                "x": edge * 0.95,
                "y": bands[-1],
                "showarrow": False,
                "xanchor": "right",
            },
            {
                "text": "Modelled: each practice's registrations × the ONS mid-2020 age mix of "
                "its patients' LSOAs; sex modelled from age.<br>"
                f"Data: {layers.DATA_VINTAGE}.",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -60,
                "yanchor": "top",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#425563"},
            },
        ],
    )
    return fig


def risk_figure(table: pd.DataFrame, layer_label: str, title: str) -> go.Figure:
    """Share of each unit's individuals in each risk tier, from rounded counts."""
    numeric = table.copy()
    total = pd.to_numeric(numeric["total"], errors="coerce")
    fig = go.Figure()
    for tier in RISK_TIERS:
        count = pd.to_numeric(numeric[tier], errors="coerce")
        share = 100 * count / total.where(total > 0)
        fig.add_trace(
            go.Bar(
                y=numeric["name"],
                x=share,
                orientation="h",
                name=f"{tier.capitalize()} risk",
                marker={"color": TIER_COLOURS[tier], "pattern": {"shape": TIER_PATTERNS[tier]}},
                hovertemplate="%{y}: %{x:.1f}% " + tier + " risk<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": title, "x": 0.01, "y": 0.99, "yanchor": "top"},
        barmode="stack",
        height=max(340, 24 * len(numeric) + 190),
        margin={"l": 10, "r": 10, "t": 80, "b": 100},
        xaxis={
            "title": "% of synthetic individuals (from counts rounded to 5)",
            "range": [0, 100],
            "gridcolor": "#E8EDEE",
        },
        yaxis={"title": layer_label, "autorange": "reversed"},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        annotations=[
            {
                "text": "Synthetic individuals, modelled risk (multimorbidity, frailty); "
                f"disclosure-controlled.<br>Data: {layers.DATA_VINTAGE}.",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -60,
                "yanchor": "top",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#425563"},
            }
        ],
    )
    return fig


# --------------------------------------------------------------------------- page

ctx = scaffold.context()
code, place_definition, system_key = ctx.code, ctx.place_definition, ctx.key
base = loaders.tier_tables(system_key)

st.title(f"Population tiers: {base.name} ICS")
scaffold.place_note(ctx)
st.caption(
    "Population basis: practices, PCNs and places are sized by **registered patients** "
    "(GP lists, July 2022); the ICS shows registered patients and ONS mid-2020 "
    "**residents**; the individuals layer counts **synthetic individuals**, one per "
    "registered patient."
)

bands = band_inputs()
st.caption(
    "Bands: "
    + " · ".join(
        f"{tiers.LAYER_LABELS[layer]} {low:,}–{high:,}" for layer, (low, high) in bands.items()
    )
)

# ---- what-if regrouping
regrouping = current_regrouping(code, place_definition)
try:
    scenario = tiers.apply_regrouping(base, regrouping)
except tiers.RegroupingError as error:
    st.warning(f"The saved scenario no longer applies ({error}); it has been reset.")
    regrouping = tiers.Regrouping()
    store_regrouping(code, place_definition, regrouping)
    scenario = base

st.subheader("What-if regrouping")
st.caption(
    "Try changes and see every figure on this page update. Scenarios live only in this "
    "browser session; the real configuration is never changed."
)
message = st.session_state.pop("tiers_message", None)
if message:
    st.warning(message)
kind = st.radio(
    "Change",
    list(OPERATION_KINDS),
    format_func=OPERATION_KINDS.get,
    horizontal=True,
    key="tiers_op_kind",
)
pcn_names = dict(zip(scenario.pcns["pcn_code"], scenario.pcns["pcn_name"], strict=True))
pcn_place = dict(zip(scenario.pcns["pcn_code"], scenario.pcns["place_code"], strict=True))
place_names = dict(zip(scenario.places["place_code"], scenario.places["place_name"], strict=True))
pcn_order = sorted(pcn_names, key=lambda c: (pcn_names[c], c))
practices = scenario.practices.sort_values(["practice_name", "practice_code"])
practice_pcn = dict(zip(practices["practice_code"], practices["pcn_code"], strict=True))
practice_label = {
    c: f"{n} ({c}) · {pcn_names[p] if isinstance(p, str) else tiers.NO_PCN_LABEL}"
    for c, n, p in zip(
        practices["practice_code"], practices["practice_name"], practices["pcn_code"], strict=True
    )
}
controls = st.columns([3, 3, 2])
if kind == "move_practice":
    chosen_practice = controls[0].selectbox(
        "Practice", list(practice_label), format_func=practice_label.get, key="tiers_op_practice"
    )
    targets = [c for c in pcn_order if c != practice_pcn.get(chosen_practice)]
    ready = controls[1].selectbox(
        "Move to PCN",
        targets,
        format_func=lambda c: f"{pcn_names[c]} ({c})",
        key="tiers_op_to_pcn",
    )
elif kind == "merge_pcns":
    kept = controls[0].selectbox(
        "Keep PCN (code and place)",
        pcn_order,
        format_func=lambda c: f"{pcn_names[c]} ({c})",
        key="tiers_op_kept",
    )
    ready = controls[1].selectbox(
        "Merge into it",
        [c for c in pcn_order if c != kept],
        format_func=lambda c: f"{pcn_names[c]} ({c})",
        key="tiers_op_absorbed",
    )
    controls[2].text_input(
        "New name (optional)", key="tiers_op_name", placeholder="e.g. Malvern & Upton PCN"
    )
else:
    chosen_pcn = controls[0].selectbox(
        "PCN",
        pcn_order,
        format_func=lambda c: f"{pcn_names[c]} ({c}) · {place_names[pcn_place[c]]}",
        key="tiers_op_pcn",
    )
    ready = controls[1].selectbox(
        "Move to place",
        [p for p in place_names if p != pcn_place.get(chosen_pcn)],
        format_func=place_names.get,
        key="tiers_op_to_place",
    )
buttons = st.columns([2, 2, 3, 5])
buttons[0].button(
    "Apply change",
    type="primary",
    on_click=add_operation,
    args=(code, place_definition),
    key="tiers_apply",
    disabled=ready is None,
    help=None if ready is not None else "There is nothing to move or merge it with here.",
)
buttons[1].button(
    "Undo last change",
    on_click=undo_operation,
    args=(code, place_definition),
    key="tiers_undo",
    disabled=not regrouping.operations,
)
buttons[2].button(
    "Reset to the real configuration",
    on_click=reset_scenario,
    args=(code, place_definition),
    key="tiers_reset",
    disabled=not regrouping.operations,
)
if regrouping.operations:
    steps = tiers.describe_regrouping(base, regrouping)
    st.info(
        f"Showing a what-if scenario with {len(steps)} change(s); the real configuration "
        "is unchanged. Registered patients in the ICS: "
        f"{scenario.registered_patients:,} (real: {base.registered_patients:,}).\n\n"
        + "\n".join(f"{i}. {text}" for i, text in enumerate(steps, start=1))
    )
else:
    st.caption("No changes: the figures show the real configuration (July 2022).")

# ---- tier figures (recomputed from the scenario each run: milliseconds)
flags = tiers.flag_units(scenario, bands)
summary = tiers.tier_summary(scenario, bands, flags=flags)
real_summary = tiers.tier_summary(base, bands) if regrouping.operations else summary
configuration = "scenario" if regrouping.operations else "real configuration"

st.subheader("The five layers against their design bands")
ics_row = summary.set_index("layer").loc["ics"]
metrics = st.columns(4)
metrics[0].metric("Registered patients (Jul 2022)", f"{int(ics_row['registered_patients']):,}")
metrics[1].metric("Residents (ONS mid-2020)", fmt(ics_row["resident_population"]))
metrics[2].metric(
    "Synthetic individuals",
    f"{int(summary.set_index('layer').loc['individual', 'n_units']):,}",
    help="One synthetic individual per registered patient (layers.individuals).",
)
outside = int((flags["flag"] != "within").sum())
change = outside - int(real_summary[["n_below", "n_above"]].sum().sum())
metrics[3].metric(
    "Units outside their band",
    f"{outside} of {len(flags)}",
    delta=f"{change:+d} vs real" if regrouping.operations and change else None,
    delta_color="off",
    help="Practices, PCNs, places and the ICS outside their design band"
    + (" (what-if scenario)." if regrouping.operations else "."),
)
ladder = ladder_figure(summary, flags, f"Population tiers: {base.name} ICS", bool(regrouping))
st.plotly_chart(ladder, config={"displaylogo": False}, key="tiers_ladder")
figure_downloads(ladder, f"Population tiers {code}", "tiers_ladder")

summary_view = pd.DataFrame(
    {
        "Layer": summary["label"],
        "Units": summary["n_units"],
        "Median": summary["median"].round(0),
        "Smallest": summary["smallest"],
        "Largest": summary["largest"],
        "Band": [
            "–" if pd.isna(lo) else f"{int(lo):,}–{int(hi):,}"
            for lo, hi in zip(summary["band_low"], summary["band_high"], strict=True)
        ],
        "Below band": summary["n_below"],
        "Within band": summary["n_within"],
        "Above band": summary["n_above"],
        "Population basis": summary["population_basis"],
    }
)
if regrouping.operations:
    summary_view["Units (real)"] = real_summary["n_units"].to_numpy()
    summary_view["Outside band (real)"] = (
        real_summary["n_below"] + real_summary["n_above"]
    ).to_numpy()
    summary_view = summary_view[[c for c in summary_view if c != "Population basis"]].assign(
        **{"Population basis": summary_view["Population basis"]}
    )
st.dataframe(
    summary_view.assign(
        **{
            column: summary_view[column].map(fmt)
            for column in summary_view.columns
            if column not in ("Layer", "Band", "Population basis")
        }
    ),
    hide_index=True,
)
table_downloads(summary_view, f"Population tiers summary {code} ({configuration})", "tiers_summary")
pcn_row = summary.set_index("layer").loc["pcn"]
notes = [
    "The individuals rung counts synthetic individuals (one per registered patient); an "
    "individual has no band.",
    f"The ICS is flagged on registered patients ({int(ics_row['registered_patients']):,}); "
    f"it has {fmt(ics_row['resident_population'])} residents (ONS mid-2020).",
]
if pcn_row["outside_layer"]:
    notes.append(
        f"{int(pcn_row['outside_layer'])} practice(s) with "
        f"{int(pcn_row['outside_layer_patients']):,} patients are in no PCN "
        f"(“{layers.NO_PCN_LABEL}”): they are kept in the practice, place and ICS figures "
        "but belong to no PCN."
    )
st.caption(" ".join(notes))

# ---- flagged units
st.subheader("Units outside their band")
options = st.columns([3, 2])
shown_layers = options[0].multiselect(
    "Layers",
    list(tiers.BANDED_LAYERS),
    default=list(tiers.BANDED_LAYERS),
    format_func=tiers.LAYER_LABELS.get,
    key="tiers_flag_layers",
)
show_all = options[1].toggle("Show units within their band too", key="tiers_show_all")
listed = flags[flags["layer"].isin(shown_layers)]
if not show_all:
    listed = listed[listed["flag"] != "within"]
flag_view = pd.DataFrame(
    {
        "Layer": listed["layer"].map(tiers.LAYER_LABELS),
        "Unit": listed["name"],
        "Code": listed["code"],
        "Part of": listed["parent_name"].fillna("–"),
        "Registered patients": listed["registered_patients"],
        "Band": [
            f"{lo:,}–{hi:,}" for lo, hi in zip(listed["band_low"], listed["band_high"], strict=True)
        ],
        "Flag": listed["flag"].astype(str).map(FLAG_TEXT),
        "Patients beyond band": listed["gap"],
        "Residents (mid-2020)": listed["resident_population"],
    }
)
if flag_view.empty:
    st.success("Every unit of the chosen layers is within its band.")
else:
    st.dataframe(
        flag_view,
        hide_index=True,
        column_config={
            "Registered patients": st.column_config.NumberColumn(format="localized"),
            "Patients beyond band": st.column_config.NumberColumn(
                format="localized",
                help="Negative: patients short of the lower bound; positive: above the upper.",
            ),
            "Residents (mid-2020)": st.column_config.NumberColumn(format="localized"),
        },
    )
    table_downloads(flag_view, f"Units against their band {code} ({configuration})", "tiers_flags")

map_layer = st.radio(
    "Map",
    ["pcn", "place", "practice"],
    format_func={
        "pcn": "PCN footprints",
        "place": "Places",
        "practice": "GP practices",
    }.get,
    horizontal=True,
    key="tiers_map_layer",
)
map_title = f"{tiers.LAYER_LABELS[map_layer]} against their band: {base.name} ({configuration})"
figure = tier_map(code, place_definition, map_layer, scenario, flags, map_title)
st.plotly_chart(
    figure,
    config={"displaylogo": False, "scrollZoom": True, "topojsonURL": OFFLINE_TOPOJSON_URL},
    key="tiers_map",
)
figure_downloads(figure, f"Tiers map {map_layer} {code}", "tiers_map")
if map_layer == "practice":
    map_note = (
        "Colour, size and a black ring give the flag: practices outside their band are "
        "ringed (orange: below, blue: above); markers are sized by registered patients."
    )
else:
    map_note = (
        "Colour, pattern and hover text all give the flag: below band is orange and dotted, "
        "above band blue and hatched, within band grey."
    )
if map_layer == "pcn":
    map_note += (
        " PCN footprints are where each PCN's patients live (real configuration); a merged "
        "PCN is drawn as its members' footprints, and moving one practice does not redraw "
        "boundaries."
    )
st.caption(map_note + " No basemap is drawn, so the map works offline.")

# ---- age structure
st.subheader("Age structure of a unit")
age_controls = st.columns([1, 3])
age_layer = age_controls[0].selectbox(
    "Layer",
    list(tiers.BANDED_LAYERS),
    index=1,
    format_func=tiers.LAYER_LABELS.get,
    key="tiers_age_layer",
)
mapping = tiers.unit_mapping(scenario, age_layer)
unit_names = mapping.drop_duplicates("code").set_index("code")["name"]
unit_codes = sorted(unit_names.index, key=lambda c: (c == tiers.NO_PCN_CODE, unit_names[c], c))
age_unit = age_controls[1].selectbox(
    "Unit",
    unit_codes,
    format_func=lambda c: f"{unit_names[c]} ({c})",
    key="tiers_age_unit",
)
structure = loaders.practice_age_structure(code)
pyramid = tiers.pyramid_from_structure(structure, mapping)
ics_pyramid = tiers.pyramid_from_structure(structure, tiers.unit_mapping(scenario, "ics"))
unit_pyramid = pyramid[pyramid["code"] == age_unit]
if unit_pyramid.empty or unit_pyramid["people"].sum() <= 0:
    st.info("This unit has no registered patients, so it has no age structure.")
else:
    pyramid_fig = pyramid_figure(
        unit_pyramid,
        ics_pyramid,
        f"Age structure: {unit_names[age_unit]} ({fmt(unit_pyramid['people'].sum())} patients)",
    )
    st.plotly_chart(pyramid_fig, config={"displaylogo": False}, key="tiers_pyramid")
    figure_downloads(pyramid_fig, f"Age pyramid {age_unit}", "tiers_pyramid")
    pyramid_view = unit_pyramid.assign(unit=unit_names[age_unit])[
        ["unit", "code", "age_band", "people", "female", "male", "share"]
    ].round({"people": 0, "female": 0, "male": 0, "share": 2})
    table_downloads(pyramid_view, f"Modelled age structure {age_unit}", "tiers_pyramid_table")
st.caption(
    "Modelled, not counted: a practice's age structure is its registrations by LSOA × "
    "each LSOA's ONS mid-2020 single-year age mix (patients in Wales or at unknown "
    "addresses take the practice's own mix); PCNs, places and the ICS add up their "
    "practices. The sex split is modelled from age (layers.individuals.MALE_SHARE_BY_AGE)."
)

# ---- individuals layer: risk tiers
st.subheader("Individuals: who is at risk?")
with st.spinner("Generating the synthetic individuals and their risk tiers…"):
    counts = loaders.practice_risk_counts(code, SEED)
risk_layer = st.radio(
    "Counts for",
    ["pcn", "place", "practice"],
    format_func=tiers.LAYER_LABELS.get,
    horizontal=True,
    key="tiers_risk_layer",
)
ics_risk = tiers.risk_tiers_by_unit(counts, scenario, "ics").iloc[0]
risk_metrics = st.columns(3)
for column, tier in zip(risk_metrics, RISK_TIERS, strict=True):
    share = ics_risk[f"{tier}_imd_1_2_pct"]
    column.metric(
        f"{tier.capitalize()} risk (ICS)",
        fmt(ics_risk[tier]),
        help=f"{pct(share)} of them live in IMD deciles 1–2 (the most deprived 20%).",
    )
risk = tiers.risk_tiers_by_unit(counts, scenario, risk_layer)
risk_view = pd.DataFrame(
    {
        tiers.LAYER_LABELS[risk_layer]: risk["name"],
        "Code": risk["code"],
        "Low": risk["low"],
        "Rising": risk["rising"],
        "High": risk["high"],
        "Total": risk["total"],
        "% of low in IMD 1–2": risk["low_imd_1_2_pct"],
        "% of rising in IMD 1–2": risk["rising_imd_1_2_pct"],
        "% of high in IMD 1–2": risk["high_imd_1_2_pct"],
    }
)
shown_risk = risk_view.copy()
for column in ("Low", "Rising", "High", "Total"):
    shown_risk[column] = shown_risk[column].map(fmt)
for column in [c for c in shown_risk.columns if c.startswith("% of")]:
    shown_risk[column] = shown_risk[column].map(pct)
if risk_layer != "practice":
    risk_fig = risk_figure(
        risk.assign(name=risk["name"]),
        tiers.LAYER_LABELS[risk_layer],
        f"Risk tiers by {UNIT_WORD[risk_layer]}: {base.name} ({configuration})",
    )
    st.plotly_chart(risk_fig, config={"displaylogo": False}, key="tiers_risk_chart")
    figure_downloads(risk_fig, f"Risk tiers {risk_layer} {code}", "tiers_risk_chart")
st.dataframe(shown_risk, hide_index=True)
table_downloads(
    risk_view, f"Risk tiers by {UNIT_WORD[risk_layer]} {code} ({configuration})", "tiers_risk"
)
st.caption(
    "Aggregates only: no individual is ever shown or exported. Counts of synthetic "
    "individuals follow NHS Digital's rule (0 stays 0, 1–7 shown as *, others rounded to "
    "the nearest 5; totals rounded after summing; percentages from the rounded counts). "
    "High risk = moderate or severe frailty (eFI > 0.24); rising = two or more long-term "
    "conditions without frailty; modelled from age and IMD decile (layers.risk). After a "
    "regrouping, practice counts are re-aggregated, not regenerated."
)
scaffold.finish(ctx)
