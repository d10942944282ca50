"""Exogenous inputs over a run's years: children by authority and setting each 31 March from the
start year to the last year of data, the real wage path and the dates regulation changed
(exogenous.toml). These are what was known at the time, never the market's own outcomes.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import LAST_START_YEAR, _path, load_national_series
from .scaling import authorities_at_scale

PATH_COLUMNS = ("cla_total", "cla_foster", "cla_supported_accommodation")  # (UASC arrivals follow the national series)
WAGE_BASE_APRIL = 2024  # workforce.wage_gbp_week is the April 2024 level


# March 2024 is the first count after supported accommodation had to be registered (28 October
# 2023): settings still awaiting registration were counted as other placements (3,953 children
# against 954 a year before, history/local_authorities_history.csv), so a path through March 2024
# would show 16-17s' places falling by a third and rising again. A path that passes that March
# runs straight from March 2023 to March 2025; a run starting at March 2024 starts from its count.
CLASSIFICATION_BREAKS = {"cla_supported_accommodation": 2024}


@dataclass(frozen=True)
class AuthorityPaths:
    """Children by simulated authority at each 31 March from the start year to the last year of
    data: `years[column]` and `values[column]` (years x authorities, already times the run's scale)."""

    years: dict
    values: dict

    @classmethod
    def of(cls, scale: float, start_year: int) -> "AuthorityPaths":
        all_years = np.arange(start_year, LAST_START_YEAR + 1)
        tables = {int(y): authorities_at_scale(scale, int(y))[0] for y in all_years}
        years, values = {}, {}
        for c in PATH_COLUMNS:
            ys = [int(y) for y in all_years if y == start_year or CLASSIFICATION_BREAKS.get(c) != y]
            years[c] = np.array(ys, float)
            values[c] = np.stack([tables[y][c].to_numpy(float) for y in ys]) * scale
        return cls(years, values)

    def at_start(self, column: str) -> np.ndarray:
        """Values at the run's start (its own 31 March is always on the path)."""
        return self.values[column][0]

    def at(self, column: str, year: float) -> np.ndarray:
        """Values at a decimal year counted from 31 March (start_year + weeks / 52): linear between
        two 31 Marches of data, the last one's after it."""
        ys, v = self.years[column], self.values[column]
        if year >= ys[-1] or len(ys) == 1:
            return v[-1]
        i = max(int(np.searchsorted(ys, year, side="right")) - 1, 0)
        f = (year - ys[i]) / (ys[i + 1] - ys[i])
        return v[i] * (1 - f) + v[i + 1] * f

    def years_beyond(self, year: float) -> float:
        """Years past the last 31 March of data (0 before it): trends apply from there."""
        return max(year - float(LAST_START_YEAR), 0.0)


@lru_cache(maxsize=None)
def load_exogenous() -> dict:
    """exogenous.toml: the real wage path and the regulation dates."""
    with _path("exogenous.toml").open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=256)
def real_wage_index(april: int, growth_after: float) -> float:
    """Real pay in the year from April `april`, relative to April 2024: the data's growth each
    April up to its last year, then `growth_after` a year."""
    rw = load_exogenous()["real_wage"]
    growth = dict(zip(rw["april"], rw["growth"]))
    last = max(growth)
    index = 1.0
    for y in range(WAGE_BASE_APRIL + 1, april + 1):
        index *= 1 + (growth[y] if y <= last else growth_after)
    for y in range(april + 1, WAGE_BASE_APRIL + 1):
        index /= 1 + growth.get(y, growth_after)
    return index


def regulation_dates() -> dict[str, dt.date]:
    """The dates regulation changed (exogenous.toml, [regulation] and [transfer_scheme])."""
    ex = load_exogenous()
    return {**ex["regulation"], "transfer_scheme": ex["transfer_scheme"]["mandatory"]}


@lru_cache(maxsize=None)
def _national_uasc() -> tuple[np.ndarray, np.ndarray]:
    u = load_national_series()["cla_uasc"].dropna()
    return u.index.to_numpy(float), u.to_numpy(float)


def uasc_index(year: float) -> float:
    """Unaccompanied children looked after in England at a decimal year (31 March = whole year),
    relative to March 2024: linear between 31 Marches, 2020's before, 2025's after. Arrivals
    follow it (DfE, history/national_series.csv: 5,080 in March 2020, 4,150 in 2021, 7,440 in 2024)."""
    years, v = _national_uasc()
    return float(np.interp(year, years, v) / v[years == WAGE_BASE_APRIL][0])
