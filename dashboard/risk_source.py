"""Whose risk tiers a page shows: the user's uploaded aggregates, or the synthetic individuals.

The Your data page keeps an accepted aggregates file (:mod:`layers.people.upload`) in
this session only (:data:`dashboard.state.AGGREGATES_KEY`). The tiers page's risk tab,
the inequality page's at-risk indicator and their slides ask :func:`choose`: the
uploaded aggregates where they can answer (they cover the ICS, in the vintage shown, for
the real configuration and, for place figures, the place definition they were made
with), else the synthetic individuals, with the reason said by :func:`show`. Only the
file's published, disclosure-controlled counts (or sums of them) are ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import layers
from dashboard import loaders
from dashboard.scaffold import PageContext, quote
from dashboard.state import AGGREGATES_KEY
from layers.people import AggregatesUpload

#: Said where the synthetic individuals are shown.
SYNTHETIC_WORDS = (
    "Source: synthetic individuals with modelled risk (layers.risk), not real people. "
    "Upload aggregates of your own records on the Your data page to see real risk tiers."
)


@dataclass(frozen=True)
class HeldAggregates:
    """An applied aggregates file: its figures, a digest of its bytes (a cache key), its name."""

    upload: AggregatesUpload
    digest: str
    filename: str


@dataclass(frozen=True)
class RiskSource:
    """The uploaded aggregates a page uses (None: the synthetic individuals), and why not."""

    held: HeldAggregates | None = None
    note: str | None = None

    @property
    def own(self) -> bool:
        """Whether the figures are the user's own (uploaded) data."""
        return self.held is not None

    @property
    def upload(self) -> AggregatesUpload | None:
        """The aggregates used, or None."""
        return self.held.upload if self.held else None

    @property
    def digest(self) -> str:
        """The aggregates' digest ("" for the synthetic individuals), for cache keys."""
        return self.held.digest if self.held else ""

    @property
    def words(self) -> str:
        """What the figures are, for titles and file names."""
        return "your data" if self.own else "synthetic individuals"


def held() -> HeldAggregates | None:
    """The session's applied aggregates, if any."""
    return st.session_state.get(AGGREGATES_KEY)


def covered(upload: AggregatesUpload) -> str:
    """The ICSs a file covers, in words (codes the product does not know are quoted)."""
    try:
        names = loaders.system_names(upload.vintage)
    except ValueError:  # a vintage the dashboard does not have: codes are quoted
        names = {}
    return ", ".join(
        f"{names[code]} ({code})" if code in names else quote(code) for code in upload.icb_codes
    )


def choose(ctx: PageContext, *, regrouped: bool = False, by_place: bool = False) -> RiskSource:
    """The uploaded aggregates if they can answer for this view, else why not.

    Parameters
    ----------
    ctx : PageContext
    regrouped : bool
        A what-if regrouping is shown (the file counts the real configuration).
    by_place : bool
        Place figures are wanted (the file counts places of the ICS's default definition).
    """
    kept = held()
    if kept is None:
        return RiskSource()
    upload = kept.upload
    instead = "so the risk tiers shown are the synthetic individuals'"
    if ctx.code not in upload.icb_codes:
        return RiskSource(
            note=f"Your uploaded aggregates cover {covered(upload)}, not {ctx.name} "
            f"({ctx.code}), {instead}."
        )
    if upload.vintage != ctx.vintage:
        return RiskSource(
            note=f"Your uploaded aggregates were made with the {upload.vintage} data vintage "
            f"and this page shows the {ctx.vintage} vintage, {instead}."
        )
    if regrouped:
        return RiskSource(
            note="Your uploaded aggregates count the real configuration and a what-if "
            f"regrouping is shown, {instead}. Reset the what-if to see your data."
        )
    default = loaders.default_place_definition(ctx.code, ctx.vintage)
    if by_place and ctx.place_definition != default:
        return RiskSource(
            note="Your uploaded aggregates count places by the ICS's default definition "
            f"({layers.PLACE_DEFINITIONS[default]}) and this page uses another "
            f"({ctx.place_label}), {instead}. Choose PCNs or GP practices, or the default "
            "places, to see your data."
        )
    return RiskSource(kept)


def show(source: RiskSource) -> None:
    """Label the figures: the user's own data for this session, or why not, or synthetic."""
    if source.own:
        st.info(f"{source.upload.label} File: {quote(source.held.filename)}.")
        return
    if source.note:
        st.info(source.note)
    st.caption(SYNTHETIC_WORDS)
