"""Boundary alignment: whether NHS units line up with council boundaries.

Residence-based (:mod:`~layers.alignment.residence`,
:mod:`~layers.alignment.overlap`) and area-based (:mod:`~layers.alignment.area`)
alignment of PCNs and practices with local authorities, cross-boundary patient
flows (:mod:`~layers.alignment.flows`), the 2021 → 2022 merger lineage
(:mod:`~layers.alignment.lineage`) and a place-by-place card
(:mod:`~layers.alignment.summary`). Inputs are the ``geodata/`` tables
(registrations, lsoas, practices, geometry); practices in no PCN are kept as
units of their own.
"""

from layers.alignment.area import (
    area_shares,
    authority_polygons,
    compare_alignment,
    plurality_footprints,
)
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
from layers.alignment.summary import alignment_figures, place_summary

__all__ = [
    "alignment_figures",
    "area_shares",
    "authority_coterminosity",
    "authority_polygons",
    "compare_alignment",
    "cross_boundary_flows",
    "flow_concentration",
    "home_authorities",
    "ics_flow_summary",
    "merger_lineage",
    "overlap_matrix",
    "place_flows",
    "place_summary",
    "plurality_footprints",
    "residence_shares",
    "split_authorities",
    "straddling_units",
]
