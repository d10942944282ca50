"""Every metric key and its one definition.

A metric is a function of the model, a selection of authorities (national, a region, RCC
members...) and a window of weeks. Stocks are read at the end; flows are summed over the window.
`summary.json` uses the final simulated year; the weekly time series uses each single week.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .data import REGIONS
from .state import ACTIVE, FOSTER, HOME, PRIVATE, SUPPORTED, UNREG, WAITING, miles
from .state.flows import HIGH_COST_GBP
from .time import WEEKS_PER_YEAR

FAR_MILES = 20.0  # NAO25 1.17: placed more than 20 miles from home

@dataclass
class View:
    """The children, homes and authorities a metric is computed over, and its window of weeks."""

    model: object
    la_mask: np.ndarray
    w0: int
    w1: int

    def __post_init__(self):
        ch, homes = self.model.children, self.model.homes
        everyone = bool(self.la_mask.all())
        self.child_sel = np.ones(ch.n, bool) if everyone else self.la_mask[ch.la]
        self.home_sel = (homes.state == ACTIVE) if everyone else self.la_mask[homes.la] & (homes.state == ACTIVE)
        self.ordinary = self.home_sel & ~homes.secure
        status = ch.status if everyone else ch.status[self.child_sel]
        self.status_counts = np.bincount(status, minlength=6)
        self.in_home = self.child_sel & (ch.status == HOME)
        self.placed = np.flatnonzero(self.in_home)
        self.home_of = ch.home[self.placed]
        self.price_of = ch.price[self.placed]
        self._dist = None

    @property
    def distance(self) -> np.ndarray:
        if self._dist is None:
            ch, homes, i, h = self.model.children, self.model.homes, self.placed, self.home_of
            self._dist = miles(ch.x[i], ch.y[i], homes.x[h], homes.y[h])
        return self._dist

    def flow(self, key: str) -> float:
        return float(self.model.flows.la[key][self.w0:self.w1][:, self.la_mask].sum())

    def region_flow(self, key: str) -> float:
        regions = np.bincount(self.model.region_of_la[self.la_mask], minlength=len(REGIONS)) > 0
        return float(self.model.flows.region[key][self.w0:self.w1][:, regions].sum())

    def any_la(self, key: str) -> float:
        flags = self.model.flows.la[key][self.w0:self.w1][:, self.la_mask]
        return float(flags.any(axis=0).mean()) if flags.size else float("nan")

    def count(self, status: int) -> int:
        return int(self.status_counts[status])

    def prices(self) -> np.ndarray:
        return self.price_of


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def _mean(a: np.ndarray) -> float:
    return float(a.mean()) if len(a) else float("nan")


def _places(v: View, mask) -> int:
    return int(v.model.homes.places[mask].sum())


# key -> (definition, weekly?)  The weekly series use a one-week window.
METRICS = {
    "children_in_homes": (lambda v: v.count(HOME), True),
    "children_in_supported_accommodation": (lambda v: v.count(SUPPORTED), True),
    "children_in_foster_care": (lambda v: v.count(FOSTER), True),
    "children_unregistered": (lambda v: v.count(UNREG), True),
    "children_waiting": (lambda v: v.count(WAITING), True),
    "unregistered_children_per_year": (lambda v: v.flow("unregistered_new"), False),
    "mean_weekly_price_gbp": (lambda v: _mean(v.prices()), True),
    "new_placement_mean_weekly_price_gbp": (lambda v: _ratio(v.flow("placement_price"), v.flow("placements")), True),
    "p90_weekly_price_gbp": (lambda v: float(np.percentile(v.prices(), 90)) if v.in_home.any() else float("nan"), True),
    "placements_over_10k": (lambda v: int(np.count_nonzero(v.prices() >= HIGH_COST_GBP)), True),
    "share_las_with_placement_over_10k": (lambda v: v.any_la("over_10k"), False),
    "share_las_using_unregistered": (lambda v: v.any_la("used_unregistered"), False),
    "share_over_20_miles": (lambda v: _mean(v.distance > FAR_MILES), True),
    "share_outside_la": (lambda v: _mean(v.model.homes.la[v.home_of] != v.model.children.la[v.placed]), True),
    "mean_distance_miles": (lambda v: _mean(v.distance), True),
    "share_children_3plus_placements_12m": (
        lambda v: _mean(v.model.children.start3[v.placed] >= v.model.week - WEEKS_PER_YEAR), True),
    "mean_wait_days": (lambda v: _ratio(v.flow("wait_days"), v.flow("placements")), True),
    "occupancy_registered_places": (
        lambda v: _ratio(np.count_nonzero(v.ordinary[v.model.children.home[v.model.children.status == HOME]]),
                         _places(v, v.ordinary)), True),
    "share_homes_without_manager": (lambda v: _mean(~v.model.homes.manager[v.home_sel]), True),
    "homes_total": (lambda v: int(np.count_nonzero(v.ordinary)), True),
    "places_total": (lambda v: _places(v, v.ordinary), True),
    "places_per_home": (lambda v: _ratio(_places(v, v.ordinary), np.count_nonzero(v.ordinary)), True),
    "share_homes_private": (lambda v: _mean(v.model.homes.sector[v.ordinary] == PRIVATE), True),
    "homes_opened": (lambda v: v.region_flow("homes_opened"), True),
    "homes_closed": (lambda v: v.region_flow("homes_closed"), True),
    "provider_margin_private": (
        lambda v: 1 - _ratio(v.region_flow("private_cost"), v.region_flow("private_revenue")), False),
    "la_spend_childrens_homes_gbp": (lambda v: v.flow("spend_homes"), False),
    "la_spend_total_gbp": (lambda v: v.flow("spend_total"), False),
    # beyond the contract
    "secure_places_total": (lambda v: _places(v, v.home_sel & v.model.homes.secure), False),
    "placements_started": (lambda v: v.flow("placements"), True),
    "placement_breakdowns": (lambda v: v.flow("breakdowns"), False),
    "children_entering_care": (lambda v: v.flow("entries"), False),
}
CONTRACT_KEYS = tuple(list(METRICS)[:28])
WEEKLY_KEYS = tuple(k for k, (_, weekly) in METRICS.items() if weekly)


def final_year(model) -> tuple[int, int]:
    end = model.week
    return max(end - WEEKS_PER_YEAR, 0), end


def compute(model, la_mask=None, window=None) -> dict[str, float]:
    """All metrics for a selection of authorities over a window (default: the final year)."""
    la_mask = np.ones(model.n_la, bool) if la_mask is None else la_mask
    w0, w1 = window or final_year(model)
    v = View(model, la_mask, w0, w1)
    return {k: _clean(f(v)) for k, (f, _) in METRICS.items()}


def by_region(model, window=None) -> dict[str, dict[str, float]]:
    return {r: compute(model, model.region_of_la == i, window) for i, r in enumerate(REGIONS)}


def _clean(x) -> float:
    x = float(x)
    return x if np.isfinite(x) else float("nan")


def _weekly_value(model, key: str) -> float:
    """DataCollector reporter: a metric over the week just recorded (cached per week)."""
    cache = model.__dict__.setdefault("_weekly_view", {})
    stamp = (model.week, model.steps)
    if cache.get("stamp") != stamp:
        cache["stamp"] = stamp
        cache["view"] = View(model, np.ones(model.n_la, bool), model.week, model.week + 1)
    return _clean(METRICS[key][0](cache["view"]))


def weekly_reporters() -> dict:
    return {k: partial(_weekly_value, key=k) for k in WEEKLY_KEYS}
