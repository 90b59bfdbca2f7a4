"""Sections of the Population tiers page, and the configuration they all draw.

The design bands (:mod:`.bands`) and the what-if regrouping (:mod:`.whatif`) sit above
the tabs and make a :class:`TierView`; each tab is one section (:mod:`.five_layers`,
:mod:`.units`, :mod:`.age`, :mod:`.risk`) that draws from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from layers import tiers


@dataclass(frozen=True)
class TierView:
    """The configuration every tab shows: real or what-if, against the bands in use."""

    real: tiers.TierTables
    shown: tiers.TierTables
    regrouping: tiers.Regrouping
    bands: dict[str, tuple[int, int]]

    @property
    def changed(self) -> bool:
        """Whether a what-if regrouping is shown."""
        return bool(self.regrouping.operations)

    @property
    def configuration(self) -> str:
        """What is shown, in words, for titles and file names."""
        return "scenario" if self.changed else "real configuration"

    @cached_property
    def flags(self) -> pd.DataFrame:
        """Every unit of the configuration shown, flagged against its band."""
        return tiers.flag_units(self.shown, self.bands)
