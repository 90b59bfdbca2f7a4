"""ICS Population Planner: the five planning layers of an Integrated Care System.

Quick start::

    import layers
    qgh = layers.load_system("QGH")
    qgh.pcns[["pcn_name", "registered_patients"]]
"""

from layers import (
    alignment,
    allocation,
    deck,
    deprivation,
    disclosure,
    england,
    export,
    indicators,
    individuals,
    inequality,
    maps,
    risk,
    slides,
    tiers,
    uploads,
)
from layers.geodata import DATA_VINTAGE, SOURCES, read_table
from layers.system import (
    NO_PCN_LABEL,
    PLACE_DEFINITIONS,
    System,
    default_place_definition,
    list_systems,
    load_system,
    place_lookup,
    resolve_ics,
)

__all__ = [
    "DATA_VINTAGE",
    "NO_PCN_LABEL",
    "PLACE_DEFINITIONS",
    "SOURCES",
    "System",
    "alignment",
    "allocation",
    "deck",
    "default_place_definition",
    "deprivation",
    "disclosure",
    "england",
    "export",
    "indicators",
    "individuals",
    "inequality",
    "list_systems",
    "load_system",
    "maps",
    "place_lookup",
    "read_table",
    "resolve_ics",
    "risk",
    "slides",
    "tiers",
    "uploads",
]
