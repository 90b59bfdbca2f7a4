"""Figures: one module per subject, drawn once for the pages, the slides and notebooks.

``layers.figures.<subject>`` (``maps``, ``tiers``, ``allocation``, ``inequality``,
``alignment``) turns the library's frames into plotly figures. The dashboard's sections
show them, ``layers.slides`` restyles the same figures for a projector and the deck, and
a notebook calls them directly, so a chart is defined once. Palettes and the source note
come from :mod:`layers.style`, numbers from :mod:`layers.format`.

Import a subject module directly, for example ``from layers.figures import tiers``.
"""
