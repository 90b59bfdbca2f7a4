"""The design-band editor: edits the bands the router read from the link, and writes them back.

The bands live in the link (``?bands=``, see :mod:`dashboard.link`); this editor only
shows them in number inputs and writes an edit back with :func:`dashboard.link.write_bands`.
A bad pair warns and uses the default, and stays in its input until it is fixed.
"""

from __future__ import annotations

import streamlit as st

from dashboard.link import write_bands
from dashboard.scaffold import PageContext
from layers import format as fmt
from layers import tiers

#: Step of each layer's inputs (people).
BAND_STEPS = {"practice": 500, "pcn": 5_000, "place": 50_000, "ics": 100_000}
#: The bands the inputs last gave; new bands in the link refill the inputs.
INPUTS_FROM = "tiers_band_inputs_from"
#: The bands the current inputs start from, and their generation (part of their keys).
SEED = "tiers_band_seed"
GENERATION = "tiers_band_generation"


def input_key(layer: str, end: str, generation: int) -> str:
    """The session key of one bound of one layer (``end``: "low" or "high")."""
    return f"tiers_band_{layer}_{end}_{generation}"


def _current_keys() -> list[str]:
    generation = st.session_state.get(GENERATION, 0)
    return [
        input_key(layer, end, generation)
        for layer in tiers.BANDED_LAYERS
        for end in ("low", "high")
    ]


def _refill(bands: dict[str, tuple[int, int]]) -> None:
    """New inputs starting from ``bands``.

    Each refill makes new widgets (a new generation in their keys) whose own default is
    the band, rather than writing into the old widgets' session state: a browser that
    reports a widget before it has taken a value written that way sends its default
    (0) back, and under load that turned bands into 0 (seen in CI).
    """
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    st.session_state[SEED] = dict(bands)
    st.session_state[INPUTS_FROM] = dict(bands)


def _restore_defaults() -> None:
    _refill(dict(tiers.DEFAULT_BANDS))


def _checked(edited: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The bands as edited; a pair that is not a band warns and keeps its default."""
    bands: dict[str, tuple[int, int]] = {}
    for layer, pair in edited.items():
        try:
            tiers.validate_bands({layer: pair})
        except ValueError as problem:
            pair = tiers.DEFAULT_BANDS[layer]
            st.warning(
                f"{problem} Using the default {fmt.count(pair[0])}–{fmt.count(pair[1])} "
                "until it is fixed."
            )
        bands[layer] = pair
    return bands


def draw(ctx: PageContext) -> dict[str, tuple[int, int]]:
    """The band editor; returns the bands in use (valid) and keeps them in the link."""
    # Inputs are forgotten on other pages, and a new link brings new bands: refill them.
    if st.session_state.get(INPUTS_FROM) != ctx.band_dict or not all(
        key in st.session_state for key in _current_keys()
    ):
        _refill(ctx.band_dict)
    generation, seed = st.session_state[GENERATION], st.session_state[SEED]
    edited: dict[str, tuple[int, int]] = {}
    with st.expander("Design bands (registered patients per unit): edit", expanded=False):
        st.caption(
            "Defaults from Herefordshire and Worcestershire's “Layers of Planning and "
            "Delivery” (2019): practices c. 1,000–10,000, PCNs 30,000–50,000, place-based "
            "alliances 100,000–500,000, the ICS c. 1 million (read here as 500,000–1.5 "
            "million). A unit is within its band when low ≤ patients ≤ high."
        )
        for layer in tiers.BANDED_LAYERS:
            left, right = st.columns(2)
            edited[layer] = tuple(
                int(
                    column.number_input(
                        f"{tiers.LAYER_LABELS[layer]}: {word}",
                        min_value=0,
                        value=int(bound),
                        step=BAND_STEPS[layer],
                        key=input_key(layer, end, generation),
                    )
                )
                for column, end, word, bound in zip(
                    (left, right), ("low", "high"), ("lowest", "highest"), seed[layer], strict=True
                )
            )
        st.button("Restore the default bands", on_click=_restore_defaults, key="tiers_bands_reset")
    bands = _checked(edited)
    write_bands(bands)
    st.session_state[INPUTS_FROM] = bands
    st.caption(
        "Bands: "
        + " · ".join(
            f"{tiers.LAYER_LABELS[layer]} {fmt.count(low)}–{fmt.count(high)}"
            for layer, (low, high) in bands.items()
        )
    )
    return bands
