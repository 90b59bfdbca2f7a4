"""The sections of the dashboard's pages, one folder per page.

A page file in ``dashboard/views/`` is a thin frame that lays out its sections. Each
section is a module here with a ``draw(ctx, ...)`` function that reads its widgets,
calls cached loaders (``dashboard.loaders``) and draws with ``dashboard.exports``
(``show_figure``, ``show_table``). Figures come from ``layers.figures``; numbers are
formatted with ``layers.format``; nothing here computes what the library can.
"""
