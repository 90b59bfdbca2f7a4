"""Units outside their band: the list of flagged units and the tier map."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import loaders
from dashboard.exports import COUNT, show_figure, show_table
from dashboard.scaffold import PageContext, link_choice, plain, warn_link
from dashboard.sections.tiers import TierView
from layers import format as fmt
from layers import tiers
from layers.figures import tiers as figures

#: Link parameters (and session keys) of the inputs of this tab.
LAYERS = "tiers_flag_layers"
SHOW_ALL = "tiers_show_all"
MAP_LAYER = "tiers_map_layer"

_MAP_NOTES = {
    "practice": "Colour, size and a black ring give the flag: practices outside their band "
    "are ringed (orange: below, blue: above); markers are sized by registered patients.",
    "area": "Colour, pattern and hover text all give the flag: below band is orange and "
    "dotted, above band blue and hatched, within band grey.",
    "pcn": " PCN footprints are where each PCN's patients live (real configuration); a merged "
    "PCN is drawn as its members' footprints, and moving one practice does not redraw "
    "boundaries.",
}


def flag_table(flags: pd.DataFrame) -> pd.DataFrame:
    """Flagged units in words: one row per unit, patients as numbers."""
    return pd.DataFrame(
        {
            "Layer": flags["layer"].map(tiers.LAYER_LABELS),
            "Unit": flags["name"],
            "Code": flags["code"],
            "Part of": flags["parent_name"].fillna(fmt.MISSING),
            "Registered patients": flags["registered_patients"],
            "Band": [
                f"{fmt.count(low)}–{fmt.count(high)}"
                for low, high in zip(flags["band_low"], flags["band_high"], strict=True)
            ],
            "Flag": _flag_words(flags),
            # A unit with no practice is not measured against the band (see Note).
            "Patients beyond band": flags["gap"].where(flags["flag"].notna()),
            "Residents (mid-2020)": flags["resident_population"],
            "Note": flags["note"] if "note" in flags.columns else "",
        }
    )


def _flag_words(flags: pd.DataFrame) -> pd.Series:
    """The flag's mark and words; a unit with no practice has its own status."""
    marks = flags["flag"].astype(str).map(figures.FLAG_MARKS)
    if "status" not in flags.columns:
        return marks
    return marks.where(flags["status"] != tiers.NO_PRACTICE, figures.NO_PRACTICE_MARK)


def _check_layers_link() -> None:
    """The one rule for bad links, for the multiselect (which takes several values)."""
    labels = [tiers.LAYER_LABELS[layer] for layer in tiers.BANDED_LAYERS]
    bad = [value for value in st.query_params.get_all(LAYERS) if value not in labels]
    if bad:
        warn_link("the layer", bad[0], "the layers that are valid")


def _flagged_units(ctx: PageContext, view: TierView) -> None:
    _check_layers_link()
    link_choice(SHOW_ALL, ("true", "false"), "the choice", "false")
    options = st.columns([3, 2])
    chosen = options[0].multiselect(
        "Layers",
        list(tiers.BANDED_LAYERS),
        default=list(tiers.BANDED_LAYERS),
        format_func=tiers.LAYER_LABELS.get,
        key=LAYERS,
        bind="query-params",
    )
    show_all = options[1].toggle(
        "Show units within their band too", key=SHOW_ALL, bind="query-params"
    )
    listed = view.flags[view.flags["layer"].isin(chosen)]
    if not show_all:
        # Units with no practice stay listed: their note says where their residents are.
        listed = listed[listed["flag"] != "within"]
    if listed.empty:
        st.success("Every unit of the chosen layers is within its band.")
        return
    show_table(
        flag_table(listed),
        f"Units against their band {ctx.code} ({view.configuration})",
        "tiers_flags",
        formats={c: COUNT for c in ("Registered patients", "Residents (mid-2020)")},
        column_config={
            "Patients beyond band": st.column_config.NumberColumn(
                format=COUNT,
                help="Negative: patients short of the lower bound; positive: above the upper.",
            )
        },
    )


def _located_elsewhere(view: TierView) -> None:
    """Practices the map draws in one place but the tables count in another, named."""
    moved = tiers.located_elsewhere(view.shown)
    if moved.empty:
        return
    st.caption(
        "Drawn in one place, counted in another (a practice counts with its PCN, in the "
        "place where most of the PCN's patients live): "
        + "; ".join(
            f"{plain(row.practice_name)} stands in {plain(row.located_place_name)} and counts "
            f"in {plain(row.place_name)} with {plain(row.pcn_name)}"
            for row in moved.itertuples(index=False)
        )
        + "."
    )


def _tier_map(ctx: PageContext, view: TierView) -> None:
    link_choice(MAP_LAYER, list(figures.MAP_LAYERS.values()), "the map", "PCN footprints")
    layer = st.radio(
        "Map",
        list(figures.MAP_LAYERS),
        format_func=figures.MAP_LAYERS.get,
        horizontal=True,
        key=MAP_LAYER,
        bind="query-params",
    )
    title = f"{tiers.LAYER_LABELS[layer]} against their band: {ctx.name} ({view.configuration})"
    figure = figures.tier_map(
        layer,
        view.shown,
        view.flags,
        loaders.tier_map_geometry(ctx.key),
        title,
        patterns=partial(loaders.tier_pattern, ctx.key),
        vintage=ctx.info.data_line,
    )
    show_figure(figure, f"Tiers map {layer} {ctx.code}", "tiers_map", config={"scrollZoom": True})
    note = _MAP_NOTES["practice" if layer == "practice" else "area"]
    if layer == "pcn":
        note += _MAP_NOTES["pcn"]
    st.caption(note + " No basemap is drawn, so the map works offline.")


def draw(ctx: PageContext, view: TierView) -> None:
    """The units outside their band (or all units), then the map of one layer."""
    st.subheader("Units outside their band")
    _flagged_units(ctx, view)
    _located_elsewhere(view)
    _tier_map(ctx, view)
