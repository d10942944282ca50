"""The backcast: a run's simulated years against the market's history, year by year.

The targets (data/history_targets.toml, or a file of the same form) give, for each series, a metric
key, the years it was observed (Y: 31 March Y for stocks, the year ending 31 March Y for flows), the
observed values and an acceptance band: `band_relative = r` (value x (1 +- r)) or `band` (one
[low, high] per year). The mean price series also carries `growth_year4_over_year1` (a band for
the ratio of year 4's mean price to year 1's) and `start_level` (the 2019-20 price, informational).

A run's year k (yearly.py: 1 = the first simulated year) ends on 31 March of start_year + k; rows
are matched to target years by that calendar year, never by position. The table has one row per
(target, year): observed, band, the model's mean over seeds with its 5th and 95th percentiles, and
whether the mean lies inside the band (both ends included).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import load_history_targets
from ..metrics import YEARLY_METRICS
from ..params import ConfigError, Scenario, read_toml, suggest
from ..time import START_DATE
from .outputs import stats

COLUMNS = ("target", "year", "observed", "band_low", "band_high", "model_mean", "p05", "p95", "in_band")
GROWTH = "growth_year4_over_year1"
GROWTH_SPAN = 3  # year 1 to year 4 of the history (the years ending March 2021 and March 2024)
SHIPPED = "history_targets.toml"


@dataclass(frozen=True)
class Target:
    """One observed series: a metric's values in given years, each with its band."""

    name: str
    metric: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    bands: tuple[tuple[float, float], ...]
    growth_band: tuple[float, float] | None = None
    start_level: float | None = None
    description: str = ""
    source: str = ""

    @property
    def growth_name(self) -> str:
        return f"{self.name}_{GROWTH}"

    def growth_years(self) -> tuple[int, int]:
        """(year 1, year 4) of the growth ratio: year 4 is the series' last observed year."""
        return self.years[-1] - GROWTH_SPAN, self.years[-1]

    def start_level_year(self) -> int:
        """The year (ending 31 March) start_level describes: year 0, the one before year 1."""
        return self.growth_years()[0] - 1

    def observed_growth(self) -> float:
        """The year-4-over-year-1 ratio implied by start_level (year 0) and the year-4 value at a
        constant growth rate: (value / start_level) ** (3 / 4); NaN without a start level."""
        if self.start_level is None:
            return np.nan
        return float((self.values[-1] / self.start_level) ** (GROWTH_SPAN / (GROWTH_SPAN + 1)))


def start_year_of(scenario: Scenario) -> int:
    """The calendar year of the run's start state (31 March); the baseline's when the schema has none."""
    return int(getattr(scenario.run, "start_year", START_DATE.year))


# ------------------------------------------------------------------------------------ targets
def load_targets(path: str | Path | None = None) -> list[Target]:
    """The shipped history targets, or a file of the same form; a ConfigError naming the file and key."""
    if path is None:
        return parse_targets(load_history_targets(), SHIPPED)
    return parse_targets(read_toml(Path(path)), str(path))


def parse_targets(raw: dict, source: str) -> list[Target]:
    """Validate the tables of a targets file and return them as Targets, in file order."""
    targets = [_parse_one(name, t, source) for name, t in raw.items()]
    if not targets:
        raise ConfigError(source, None, "no targets: expected tables such as [children_in_homes]")
    return targets


def _number_list(t: dict, key: str, where: str, source: str, kind=float) -> tuple:
    v = t.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        raise ConfigError(source, f"{where}.{key}", "expected a non-empty list of numbers")
    if kind is int and not all(float(x).is_integer() for x in v):
        raise ConfigError(source, f"{where}.{key}", "expected whole years such as 2021")
    return tuple(kind(x) for x in v)


def _pair(v, key: str, source: str) -> tuple[float, float]:
    ok = isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
    if not ok or not v[0] <= v[1]:
        raise ConfigError(source, key, f"expected [low, high] with low <= high, got {v!r}")
    return float(v[0]), float(v[1])


def _parse_one(name: str, t, source: str) -> Target:
    if not isinstance(t, dict):
        raise ConfigError(source, name, "expected a table ([name] with metric, years, values and a band)")
    metric = t.get("metric", name)
    if metric not in YEARLY_METRICS:
        raise ConfigError(source, f"{name}.metric", f"unknown metric '{metric}'{suggest(str(metric), YEARLY_METRICS)}")
    years = _number_list(t, "years", name, source, int)
    values = _number_list(t, "values", name, source)
    if len(values) != len(years):
        raise ConfigError(source, f"{name}.values", f"{len(values)} values for {len(years)} years")
    if "band" in t:
        raw = t["band"]
        if not isinstance(raw, list) or len(raw) != len(years):
            raise ConfigError(source, f"{name}.band", f"expected one [low, high] per year ({len(years)})")
        bands = tuple(_pair(b, f"{name}.band", source) for b in raw)
    elif "band_relative" in t:
        r = t["band_relative"]
        if not isinstance(r, (int, float)) or isinstance(r, bool) or not 0 <= r < 1:
            raise ConfigError(source, f"{name}.band_relative", f"expected a number from 0 to 1, got {r!r}")
        bands = tuple((round(v * (1 - r), 9), round(v * (1 + r), 9)) for v in values)
    else:
        raise ConfigError(source, name, "no band: give band_relative = r or band = [[low, high], ...]")
    growth = _pair(t[GROWTH], f"{name}.{GROWTH}", source) if GROWTH in t else None
    level = t.get("start_level")
    if level is not None and (not isinstance(level, (int, float)) or isinstance(level, bool) or level <= 0):
        raise ConfigError(source, f"{name}.start_level", f"expected a positive number, got {level!r}")
    return Target(name, metric, years, values, bands, growth, None if level is None else float(level),
                  str(t.get("description", "")), str(t.get("source", "")))


# ---------------------------------------------------------------------------------- the table
def calendar_years(yearly: pd.DataFrame, start_year: int) -> pd.Series:
    """The 31 March year that ends each row's simulated year.

    By the rows' own label where it carries the run's calendar (a `year` that is a calendar year, or
    `year_end` dates consistent with start_year); else start_year + the year's number, as when the
    labels follow the baseline's calendar whatever the start.
    """
    year = yearly["year"].astype(int)
    if len(year) and year.min() >= 1900:
        return year
    if "year_end" in yearly:
        labelled = pd.to_datetime(yearly["year_end"]).dt.year.astype(int)
        if ((labelled - year) == start_year).all():
            return labelled
    return start_year + year


def national_by_year(yearly: pd.DataFrame, start_year: int, scale: float = 1.0) -> pd.DataFrame:
    """The national rows indexed by (calendar year, seed); counts as national equivalents (/ scale)."""
    nat = yearly[yearly["scope"] == "national"].copy()
    nat["calendar_year"] = calendar_years(nat, start_year).to_numpy()
    nat = nat.set_index(["calendar_year", "seed"]).sort_index()
    counts = [k for k in nat.columns if k in YEARLY_METRICS and YEARLY_METRICS[k].is_count]
    if scale != 1:
        nat[counts] = nat[counts] / scale
    return nat


def _row(target: str, year: int, observed: float, band: tuple[float, float], per_seed) -> dict:
    s = stats(per_seed)
    mean, p05, p95 = (np.nan if s[k] is None else s[k] for k in ("mean", "p05", "p95"))
    lo, hi = band
    return {"target": target, "year": year, "observed": observed, "band_low": lo, "band_high": hi,
            "model_mean": mean, "p05": p05, "p95": p95, "in_band": bool(np.isfinite(mean) and lo <= mean <= hi)}


def _values(nat: pd.DataFrame, metric: str, year: int) -> np.ndarray:
    if metric not in nat or year not in nat.index.get_level_values(0):
        return np.array([], float)
    return nat.loc[year, metric].to_numpy(float)


def growth_per_seed(nat: pd.DataFrame, metric: str, first: int, last: int) -> np.ndarray:
    """Each seed's ratio of the metric in year `last` to year `first` (seeds with both years)."""
    if metric not in nat:
        return np.array([], float)
    wide = nat[metric].unstack("seed")
    if first not in wide.index or last not in wide.index:
        return np.array([], float)
    return (wide.loc[last] / wide.loc[first]).dropna().to_numpy(float)


def backcast_table(yearly: pd.DataFrame, targets: list[Target], start_year: int, scale: float = 1.0) -> pd.DataFrame:
    """One row per (target, year) and one per growth ratio: observed, band, model mean, p05, p95, in band."""
    nat = national_by_year(yearly, start_year, scale)
    rows = []
    for t in targets:
        for year, value, band in zip(t.years, t.values, t.bands):
            rows.append(_row(t.name, year, value, band, _values(nat, t.metric, year)))
        if t.growth_band is not None:
            first, last = t.growth_years()
            rows.append(_row(t.growth_name, last, t.observed_growth(), t.growth_band,
                             growth_per_seed(nat, t.metric, first, last)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def trajectories(yearly: pd.DataFrame, targets: list[Target], start_year: int, scale: float = 1.0) -> pd.DataFrame:
    """Each target metric in every simulated year: metric, year, mean, p05, p95 over seeds (for charts)."""
    nat = national_by_year(yearly, start_year, scale)
    rows = []
    for metric in dict.fromkeys(t.metric for t in targets):
        if metric not in nat:
            continue
        for year, vals in nat[metric].groupby(level=0):
            s = stats(vals.to_numpy(float))
            rows.append({"metric": metric, "year": int(year),
                         **{k: np.nan if s[k] is None else s[k] for k in ("mean", "p05", "p95")}})
    return pd.DataFrame(rows, columns=["metric", "year", "mean", "p05", "p95"])


OCCUPANCY = "occupancy_registered_places"
OCCUPANCY_HISTORY = "children_in_homes_per_market_or_secure_place"  # data/history/national_series.csv
HIGH_COST = "placements_over_10k"
# LGA23 (facts.md, Prices): about 1,510 placements at 10,000+ a week in 2022-23, up from 120 in 2018-19.
# The LGA's 10,000 is that year's money and the model's is at 2023-24 prices (a higher bar in real
# terms), so against it the model's count, if anything, runs high.
HIGH_COST_HISTORY = {2023: 1510.0}
BEYOND_COLUMNS = ("metric", "year", "observed", "model_mean", "p05", "p95")


def observed_occupancy() -> pd.Series:
    """Children in homes per registered place at each 31 March (DfE and Ofsted, national_series.csv):
    the occupancy the history targets judge only in 2025, every year it is published."""
    from ..data import load_national_series

    return load_national_series()[OCCUPANCY_HISTORY].dropna()


def beyond_targets(yearly: pd.DataFrame, start_year: int, scale: float = 1.0) -> pd.DataFrame:
    """What history records and no target judges, against the model in every simulated year it
    covers (informational, no band): occupancy at each 31 March, and the placements at 10,000+ a week
    the LGA counted in 2022-23 (the model's at that year's end, as a national equivalent)."""
    nat = national_by_year(yearly, start_year, scale)
    rows = []
    for metric, observed in ((OCCUPANCY, observed_occupancy().to_dict()), (HIGH_COST, HIGH_COST_HISTORY)):
        for year, value in observed.items():
            vals = _values(nat, metric, int(year))
            if len(vals):
                s = stats(vals)
                rows.append({"metric": metric, "year": int(year), "observed": float(value),
                             "model_mean": s["mean"], "p05": s["p05"], "p95": s["p95"]})
    return pd.DataFrame(rows, columns=list(BEYOND_COLUMNS))


@dataclass
class Backcast:
    """A backcast's table and trajectories, with what they were computed from."""

    scenario: Scenario
    targets: list[Target]
    table: pd.DataFrame
    paths: pd.DataFrame
    start_year: int
    seeds: int
    calibration_year: pd.DataFrame | None = None  # the year to March 2025 against targets.toml (informational)
    beyond: pd.DataFrame | None = None  # the history's series no target judges (informational)

    @property
    def in_band(self) -> int:
        return int(self.table["in_band"].sum())


def backcast(scenario: Scenario, yearly: pd.DataFrame, targets: list[Target], seeds: int,
             calibration_year=None) -> Backcast:
    """The table and trajectories of a run's yearly results against the targets; calibration_year, if
    given, is a function (yearly, start year, scale) -> its year to March 2025 against targets.toml
    (experiment.calibrate.calibration_year_table), kept beside them and not counted."""
    start, scale = start_year_of(scenario), scenario.run.scale
    final = None if calibration_year is None else calibration_year(yearly, start, scale)
    return Backcast(scenario, targets, backcast_table(yearly, targets, start, scale),
                    trajectories(yearly, targets, start, scale), start, seeds, final,
                    beyond_targets(yearly, start, scale))


def simulated_years(scenario: Scenario) -> range:
    """The calendar years (31 March) that end the run's simulated years."""
    start = start_year_of(scenario)
    return range(start + 1, start + scenario.run.years + 1)


def uncovered_years(scenario: Scenario, targets: list[Target]) -> list[int]:
    """Target years the run does not simulate (their rows have no model values)."""
    covered = set(simulated_years(scenario))
    return sorted({y for t in targets for y in t.years if y not in covered})
