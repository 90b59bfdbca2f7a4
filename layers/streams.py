"""Seeded random streams: one generator per run and purpose, made from the parameters.

Everything random in the product (synthetic individuals, their risk tiers, the
simulated confidence intervals of the slope index) draws from a generator made here,
so a run is reproduced exactly by its seed, and two purposes never share draws by
accident. This follows the ``nhp_model`` pattern: the run's parameters make the
:class:`numpy.random.SeedSequence`, and the generator is passed in, never global.

Examples
--------
>>> a = generator(2022, "risk").random()
>>> b = generator(2022, "risk").random()
>>> a == b
True
"""

from __future__ import annotations

from typing import Final

import numpy as np

from layers._checks import require_choice

__all__ = ["DEFAULT_SEED", "STREAMS", "generator"]

#: The seed of the shipped views (synthetic individuals, risk tiers, SII intervals).
DEFAULT_SEED: Final = 2022

#: The extra entropy words of each purpose, appended to the seed.
#: ``individuals`` and ``sii`` use the bare seed, as they always have, so that published
#: numbers stay the same; ``risk`` has its own word so its draws are independent.
STREAMS: Final[dict[str, tuple[int, ...]]] = {
    "individuals": (),
    "risk": (1,),
    "sii": (),
}


def generator(seed: int = DEFAULT_SEED, purpose: str = "individuals") -> np.random.Generator:
    """A fresh, seeded generator for one run of one purpose.

    Parameters
    ----------
    seed : int, default 2022
        The run's seed (a non-negative integer).
    purpose : {"individuals", "risk", "sii"}
        What the draws are for; see :data:`STREAMS`.

    Returns
    -------
    numpy.random.Generator
        ``default_rng(SeedSequence([seed, *STREAMS[purpose]]))``.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is negative or ``purpose`` is unknown.

    Examples
    --------
    >>> float(generator(2022, "individuals").random()) == float(
    ...     np.random.default_rng(2022).random())
    True
    >>> generator(2022, "weather")
    Traceback (most recent call last):
    ...
    ValueError: Unknown random stream 'weather'; choose one of individuals, risk, sii.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    require_choice(purpose, STREAMS, "random stream")
    return np.random.default_rng(np.random.SeedSequence([int(seed), *STREAMS[purpose]]))
