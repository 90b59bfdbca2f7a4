"""Parameter descriptions the alignment functions share (see :mod:`layers._docs`).

The residence, overlap, flow, lineage and summary functions take the same tables,
unit level, authority level, ICB and straddle threshold with the same meaning; each
description is written once here so they cannot drift apart.
"""

from __future__ import annotations

from layers._docs import docfiller

__all__ = ["alignment_doc"]

_SNIPPETS = {
    "tables": (
        "registrations, lsoas, practices : DataFrame\n"
        "    As for :func:`layers.alignment.residence_shares`."
    ),
    "by": (
        'by : {"pcn", "practice"}\n'
        '    Unit of the rows; with "pcn" a practice in no PCN is its own unit.'
    ),
    "la_level": ('la_level : {"ltla", "utla"}\n    Lower-tier district or upper-tier authority.'),
    "icb_units": "icb_code : str, optional\n    Keep only the units of practices in this ICB.",
    "icb_code": 'icb_code : str\n    NHS ICB code, e.g. "QRV".',
    "places_la_level": 'la_level : {"ltla", "utla"}\n    Authority level of the default places.',
    "threshold": (
        "threshold : float\n    Straddle threshold on a unit's home share, in (0, 1]; default 0.9."
    ),
    # A whole section, heading included, for the functions that read ``lsoas`` alone.
    "lsoas_raises": (
        "Raises\n"
        "------\n"
        "TypeError\n"
        "    If ``lsoas`` is not a DataFrame.\n"
        "ValueError\n"
        "    On missing columns, an unknown level or ICB."
    ),
}
# The tables and unit choices of every per-unit residence table, in signature order.
_SNIPPETS["unit_args"] = "\n".join(_SNIPPETS[k] for k in ("tables", "by", "la_level", "icb_units"))

#: Decorator filling ``%(tables)s``, ``%(by)s``, ``%(la_level)s``, ``%(icb_units)s``,
#: ``%(unit_args)s`` (those four), ``%(icb_code)s``, ``%(places_la_level)s``,
#: ``%(threshold)s`` and ``%(lsoas_raises)s`` (a whole Raises section) in a docstring.
alignment_doc = docfiller(_SNIPPETS)
