"""Boundary alignment sections: the shared controls, then one module per tab.

:func:`~dashboard.sections.boundaries.view.read` draws the controls every tab shares
(authority level, straddle threshold) and returns a :class:`~.view.View`; each tab's
module (``residence``, ``overlap``, ``area``, ``flows``, ``lineage``, ``cards``) has a
``draw(ctx, view)`` that shows its tables with :func:`~.view.show`.
"""
