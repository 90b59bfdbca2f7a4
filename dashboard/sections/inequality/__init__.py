"""Inequality page sections, top to bottom.

``profile`` (who lives in which deprivation decile, Core20 by place, PCN and practice),
``choice`` (the indicator, unit and allocation scenario the next three share: read once,
kept in the link), ``deciles`` (the indicator by decile), ``measures`` (SII, RII,
concentration indices, Gini), ``ranking`` (where inequalities are widest) and
``explain`` (what the measures mean).
"""
