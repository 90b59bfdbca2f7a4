"""ICS Population Planner: the five planning layers of an Integrated Care System.

Quick start::

    import layers
    qgh = layers.load_system("QGH")
    qgh.pcns[["pcn_name", "registered_patients"]]
    wnl = layers.load_system("T04", vintage="2026")   # West and North London, April 2026

Two data vintages (:mod:`layers.vintages`): ``"2022"`` (42 ICBs, July 2022) and
``"2026"`` (36 ICBs, April 2026). Every vintage-aware function takes ``vintage=``.
"""

from layers import (
    ages,
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
    mergers,
    risk,
    slides,
    tiers,
    uploads,
    vintages,
)
from layers.geodata import DATA_VINTAGE, SOURCES, read_table
from layers.system import (
    NO_PCN_LABEL,
    PLACE_DEFINITIONS,
    AbolishedCodeError,
    NewCodeError,
    System,
    UnknownICSError,
    default_place_definition,
    list_systems,
    load_system,
    place_lookup,
    predecessor_icbs,
    resolve_ics,
    successor_icbs,
)
from layers.vintages import DEFAULT_VINTAGE, VINTAGES, UnknownVintageError, get_vintage

__all__ = [
    "DATA_VINTAGE",
    "DEFAULT_VINTAGE",
    "NO_PCN_LABEL",
    "PLACE_DEFINITIONS",
    "SOURCES",
    "VINTAGES",
    "AbolishedCodeError",
    "NewCodeError",
    "System",
    "UnknownICSError",
    "UnknownVintageError",
    "ages",
    "alignment",
    "allocation",
    "deck",
    "default_place_definition",
    "deprivation",
    "disclosure",
    "england",
    "export",
    "get_vintage",
    "indicators",
    "individuals",
    "inequality",
    "list_systems",
    "load_system",
    "maps",
    "mergers",
    "place_lookup",
    "predecessor_icbs",
    "read_table",
    "resolve_ics",
    "risk",
    "slides",
    "successor_icbs",
    "tiers",
    "uploads",
    "vintages",
]
