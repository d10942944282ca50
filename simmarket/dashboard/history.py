"""What happened: the observed points drawn on the trends of a run whose years they fall in.

Only metrics measured the same way as a trend's line: occupancy of registered places each 31 March
(children in homes per registered place, DfE and Ofsted, data/history/national_series.csv) and the
mean weekly price of a place over a year ending 31 March at 2023-24 prices (NAO25 1.12, the
backcast's price row and its 2019-20 level, data/history_targets.toml).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


PRICE = "mean_weekly_price_gbp"
HISTORY_LABEL = "what happened (DfE, Ofsted, NAO)"


def at_31_march(year) -> np.ndarray:
    """31 March of `year` on the trends' axis (decimal years, time.decimal_year)."""
    return np.asarray(year, float) + 0.25


def mid_year(year_ending) -> np.ndarray:
    """The middle of the year ending 31 March `year_ending` (about 1 October before it)."""
    return np.asarray(year_ending, float) - 0.25


@lru_cache(maxsize=1)
def observed() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """metric key -> (decimal years, values in the metric's own units, as summary.json has them)."""
    from ..experiment.backcast import load_targets, observed_occupancy

    occupancy = observed_occupancy()
    out = {"occupancy_registered_places": (at_31_march(occupancy.index.to_numpy()), occupancy.to_numpy(float))}
    price = next(t for t in load_targets() if t.metric == PRICE)
    years, values = list(price.years), list(price.values)
    if price.start_level is not None:
        years, values = [price.start_level_year(), *years], [price.start_level, *values]
    out[PRICE] = (mid_year(years), np.array(values, float))
    return out


def points_between(x0: float, x1: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The observed points inside a run's window of decimal years [x0, x1]."""
    out = {}
    for key, (x, y) in observed().items():
        inside = (x >= x0) & (x <= x1)
        if inside.any():
            out[key] = (x[inside], y[inside])
    return out
