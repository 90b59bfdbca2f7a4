"""5. What the measures mean, in plain words."""

from __future__ import annotations

import streamlit as st

from dashboard.scaffold import PageContext, vw
from dashboard.sections.inequality.choice import Choice
from layers.deprivation import CORE20_LABEL


def draw(ctx: PageContext, choice: Choice) -> None:
    """The measures and terms of the page, explained."""
    st.header("5. What the measures mean")
    st.markdown(
        vw(
            f"""
- **Slope index of inequality (SII)**: the gap between the most and the least deprived
  ends of the population, read from a straight line fitted through all the deciles
  (bigger deciles count more). Its units are the indicator's ({choice.unit_words} here).
  PHE's sign: *least deprived minus most deprived*, so a **negative** SII means the
  indicator is **higher in more deprived areas**. Confidence limits come from 100,000
  simulations, as in the PHEindicatormethods R package.
- **Relative index of inequality (RII)**: the same line's value at the least deprived end
  divided by its value at the most deprived end. 1 means no gradient; 0.8 means the least
  deprived end has 20% less than the most deprived end.
- **Concentration index**: every LSOA (or practice) is ranked from most to least deprived
  and weighted by its population. The index asks whether the indicator piles up at one
  end: 0 means spread evenly across deprivation, negative means concentrated among more
  deprived people, positive among less deprived people (range −1 to 1).
- **Absolute concentration index**: the concentration index times the mean, in the
  indicator's units, so it compares gaps of different sizes.
- **Gini coefficient**: how unevenly the indicator is spread across LSOAs or practices,
  whatever their deprivation: 0 if every area had the same value, near 1 if one area
  had it all. Population-weighted, so a large area counts more than a small one.
- **Deciles** are national (England-wide) IMD 2019 deciles, so an affluent ICS may have
  few people in deciles 1–2. The SII needs people in at least 5 deciles.
- **Core20** is NHS England's Core20PLUS5 term for the most deprived 20% of the
  population: residents of {CORE20_LABEL}.
"""
        )
    )
