"""Boundary alignment: whether NHS units line up with council boundaries.

Residence-based (:mod:`~layers.alignment.residence`,
:mod:`~layers.alignment.overlap`) and area-based (:mod:`~layers.alignment.area`)
alignment of PCNs and practices with local authorities, cross-boundary patient
flows (:mod:`~layers.alignment.flows`), the 2021 → 2022 merger lineage
(:mod:`~layers.alignment.lineage`) and a place-by-place card
(:mod:`~layers.alignment.summary`, :mod:`~layers.alignment.cards`). Thresholds
are re-applied cheaply with :mod:`~layers.alignment.threshold`, export tables
get the disclosure rule in :mod:`~layers.alignment.disclosed`, and
:mod:`~layers.alignment.tables` lays the tables out for people to read; the figures
are drawn by :mod:`layers.figures.alignment`. Inputs are the ``geodata/`` tables
(registrations, lsoas, practices, geometry); practices in no PCN are kept as
units of their own.
"""

from layers.alignment.area import (
    area_shares,
    authority_polygons,
    compare_alignment,
    plurality_footprints,
)
from layers.alignment.cards import place_card_table, place_card_xlsx
from layers.alignment.disclosed import DisclosedOverlap, disclose_overlap, disclose_straddlers
from layers.alignment.flows import (
    cross_boundary_flows,
    flow_concentration,
    ics_flow_summary,
    place_flows,
)
from layers.alignment.lineage import merger_lineage, split_authorities
from layers.alignment.overlap import overlap_matrix, straddling_units
from layers.alignment.residence import (
    authority_coterminosity,
    home_authorities,
    residence_shares,
)
from layers.alignment.summary import alignment_figures, place_summary, place_units
from layers.alignment.threshold import apply_threshold, place_straddling

__all__ = [
    "DisclosedOverlap",
    "alignment_figures",
    "apply_threshold",
    "area_shares",
    "authority_coterminosity",
    "authority_polygons",
    "compare_alignment",
    "cross_boundary_flows",
    "disclose_overlap",
    "disclose_straddlers",
    "flow_concentration",
    "home_authorities",
    "ics_flow_summary",
    "merger_lineage",
    "overlap_matrix",
    "place_card_table",
    "place_card_xlsx",
    "place_flows",
    "place_straddling",
    "place_summary",
    "place_units",
    "plurality_footprints",
    "residence_shares",
    "split_authorities",
    "straddling_units",
]
