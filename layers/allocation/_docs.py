"""Parameter descriptions the allocation functions share (see :mod:`layers._docs`).

The views, comparisons and methods take the same practice frame, reporting level,
population column, catalogue and budget; each is described once here so the
descriptions cannot drift apart.
"""

from __future__ import annotations

from layers._docs import docfiller

__all__ = ["allocation_doc"]

_SNIPPETS = {
    "practices": "practices : DataFrame\n    The practice frame of the ICS.",
    "level": (
        'level : {"place", "pcn", "practice"}, default "place"\n'
        '    Reporting level; at ``"pcn"`` a practice in no PCN is its own unit.'
    ),
    "population_column": 'population_column : str, default "wp_population"\n'
    "    Population for £ per head.",
    "catalogue_budget": (
        "catalogue : DataFrame\n"
        "    Service catalogue (see :func:`~layers.allocation.catalogue.validate_catalogue`).\n"
        "budget : int, float, Decimal or str\n"
        "    ICS budget in pounds."
    ),
    "deprivation": (
        'deprivation_column : str, default "core20_share"\n'
        "    Practice-level deprivation measure.\n"
        'deprivation_scale : {"share", "imd_decile"}, default "share"\n'
        "    How to read it (see :data:`~layers.allocation.methods.DEPRIVATION_SCALES`)."
    ),
}
# The practice frame, level and population of every per-unit view, in signature order.
_SNIPPETS["by_unit"] = "\n".join(_SNIPPETS[k] for k in ("practices", "level", "population_column"))

#: Decorator filling ``%(practices)s``, ``%(level)s``, ``%(population_column)s``,
#: ``%(by_unit)s`` (those three), ``%(catalogue_budget)s`` and ``%(deprivation)s`` in
#: a docstring.
allocation_doc = docfiller(_SNIPPETS)
