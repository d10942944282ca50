"""Buyers' price ceilings: the most an authority will pay a home for a child it is searching for."""

from __future__ import annotations

import numpy as np


def price_ceiling(bench, multiple, urgent, growth_per_week, waited, cap_multiple, alternative=None) -> np.ndarray:
    """Each child's ceiling: its first week's `multiple` (x `urgent` for urgent cases) of the child's
    benchmark cost, rising by `growth_per_week` for each week waited, never above `cap_multiple` x the
    benchmark (an RCC's price benchmark; inf for none).

    With `alternative`, the weekly price of the authority's other option (an unregistered setting),
    waiting raises the ceiling only up to that price: an authority pays a home at most what it would
    pay instead, though a first week's ceiling already above it (a child whose care costs that much)
    stays. Without it, the ceiling grows with waiting for as long as the child waits.
    """
    first = bench * multiple * urgent
    grown = first * (1 + growth_per_week * waited)
    with np.errstate(invalid="ignore"):  # zero cost x no benchmark (inf) is NaN: fmin and fmax skip it
        if alternative is not None:
            grown = np.fmin(grown, np.fmax(first, alternative))
        return np.fmin(grown, bench * cap_multiple)
