"""Age structure of a unit: its modelled pyramid against the ICS's."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.exports import show_figure, table_downloads
from dashboard.scaffold import PageContext, link_choice
from dashboard.sections.tiers import TierView
from layers import format as fmt
from layers import tiers
from layers.figures import tiers as figures
from layers.individuals import age_band_labels
from layers.vintages import Vintage

#: Link parameters (and session keys) of the inputs of this tab.
AGE_LAYER = "tiers_age_layer"
_DEFAULT_LAYER = "pcn"
#: The downloadable table's columns, in words.
_TABLE_COLUMNS = {
    "unit": "Unit",
    "code": "Code",
    "age_band": "Age band",
    "people": "Registered patients (modelled)",
    "female": "Female",
    "male": "Male",
    "share": "% of the unit's patients",
}


def unit_key(layer: str) -> str:
    """Link parameter (and session key) of the unit: one per layer, so each keeps its own."""
    return f"tiers_age_{layer}"


def _choose_unit(view: TierView) -> tuple[str, dict[str, str], object]:
    """The layer and unit inputs; returns the unit's code, unit names and the mapping."""
    labels = [tiers.LAYER_LABELS[layer] for layer in tiers.BANDED_LAYERS]
    link_choice(AGE_LAYER, labels, "the layer", tiers.LAYER_LABELS[_DEFAULT_LAYER])
    controls = st.columns([1, 3])
    layer = controls[0].selectbox(
        "Layer",
        list(tiers.BANDED_LAYERS),
        index=tiers.BANDED_LAYERS.index(_DEFAULT_LAYER),
        format_func=tiers.LAYER_LABELS.get,
        key=AGE_LAYER,
        bind="query-params",
    )
    mapping = tiers.unit_mapping(view.shown, layer)
    names = mapping.drop_duplicates("code").set_index("code")["name"].to_dict()
    codes = sorted(names, key=lambda code: (code == tiers.NO_PCN_CODE, names[code], code))
    unit_labels = {code: f"{names[code]} ({code})" for code in codes}
    link_choice(unit_key(layer), list(unit_labels.values()), "the unit", unit_labels[codes[0]])
    unit = controls[1].selectbox(
        "Unit", codes, format_func=unit_labels.get, key=unit_key(layer), bind="query-params"
    )
    return unit, names, mapping


def draw(ctx: PageContext, view: TierView) -> None:
    """Choose a layer and a unit; its age pyramid and the downloadable table."""
    st.subheader("Age structure of a unit")
    unit, names, mapping = _choose_unit(view)
    structure = loaders.practice_age_structure(ctx.key)
    pyramid = tiers.pyramid_from_structure(structure, mapping, vintage=ctx.vintage)
    ics = tiers.pyramid_from_structure(
        structure, tiers.unit_mapping(view.shown, "ics"), vintage=ctx.vintage
    )
    rows = pyramid[pyramid["code"] == unit]
    if rows.empty or rows["people"].sum() <= 0:
        st.info("This unit has no registered patients, so it has no age structure.")
    else:
        title = f"Age structure: {names[unit]} ({fmt.count(rows['people'].sum())} patients)"
        show_figure(
            figures.pyramid(rows, ics, title, vintage=ctx.info.data_line),
            f"Age pyramid {unit}",
            "tiers_pyramid",
        )
        table = rows.assign(unit=names[unit])[list(_TABLE_COLUMNS)].round(
            {"people": 0, "female": 0, "male": 0, "share": 2}
        )
        table_downloads(
            table.rename(columns=_TABLE_COLUMNS),
            f"Modelled age structure {unit}",
            "tiers_pyramid_table",
        )
    st.caption(_AGE_CAPTION.format(mix=_age_mix_words(ctx.info)))


#: Why the pyramid is modelled; ``mix`` says what each LSOA's ages are in the vintage.
_AGE_CAPTION = (
    "Modelled, not counted: a practice's age structure is its registrations by LSOA × "
    "{mix} (patients in Wales or at unknown addresses take the practice's own mix); PCNs, "
    "places and the ICS add up their practices. The sex split is modelled from age "
    "(layers.individuals.MALE_SHARE_BY_AGE)."
)


def _age_mix_words(info: Vintage) -> str:
    """Each LSOA's age mix in the vintage's words: single years, or the Census bands.

    Examples
    --------
    >>> import layers
    >>> _age_mix_words(layers.get_vintage("2022"))
    "each LSOA's ONS mid-2020 single-year age mix"
    >>> _age_mix_words(layers.get_vintage("2026"))[:61]
    "each LSOA's Census 2021 age mix in 6 broad bands (0-15, 16-24"
    """
    if info.single_year_ages:
        return f"each LSOA's {info.population_source} single-year age mix"
    return (
        f"each LSOA's {info.population_source} age mix in {len(info.age_bands)} broad bands ("
        + ", ".join(age_band_labels(info.age_bands))
        + "), so the pyramid is drawn in those bands; registrations are "
        + info.registered_label
    )
