"""Inequality metrics for deprivation gradients.

One module per metric:

* :mod:`~layers.inequality.sii` - slope and relative index of inequality
  (PHE ``phe_sii``, Low & Low 2004) with simulated confidence limits;
* :mod:`~layers.inequality.quantile` - deprivation quantiles by rank
  (PHE ``phe_quantile``);
* :mod:`~layers.inequality.concentration` - population-weighted relative and
  absolute concentration index;
* :mod:`~layers.inequality.gini` - population-weighted Gini coefficient.
"""

from layers.inequality.concentration import absolute_concentration_index, concentration_index
from layers.inequality.gini import gini
from layers.inequality.quantile import assign_quantiles, quantiles_by_group
from layers.inequality.sii import SIIResult, sii_by_group, slope_index_of_inequality

__all__ = [
    "SIIResult",
    "absolute_concentration_index",
    "assign_quantiles",
    "concentration_index",
    "gini",
    "quantiles_by_group",
    "sii_by_group",
    "slope_index_of_inequality",
]
