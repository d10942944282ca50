"""Every metric key and its one definition.

A metric is a function of the model, a selection of authorities (national, a region, RCC
members...) and a window of weeks. Stocks are read at the end; flows are summed over the window.
`summary.json` uses the final simulated year; the weekly time series uses each single week.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np

from .data import REGIONS, RO3_YEAR_END, residential_outturn_gbp
from .kernels import record
from .state import ACTIVE, FOSTER, HOME, N_STATUS, PRIVATE, SUPPORTED, UNREG, WAITING
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
        """What the metrics read of the view's homes and children at the end of the window, measured
        in one go (kernels.record.view_stock; the weekly series builds a View every week): the active
        homes (home_sel) and the ordinary ones among them, with their counts and places; children by
        status; the prices and distances from home of the children in homes (by the child's
        authority); and the counts and means the stock metrics take of them. The rows of the children
        in homes, their homes and authorities are read when a metric by authority first asks."""
        ch, homes = self.model.children, self.model.homes
        (self.home_sel, self.ordinary, homes_tally, self.status_counts, self.price_of, self.distance,
         children_tally, self.la_over_10k, self.la_unregistered, stats) = record.view_stock(
            self.la_mask, ch.status, ch.home, ch.la, ch.price, ch.home_miles, ch.start3, homes.la, homes.state,
            homes.secure, homes.places, homes.manager, homes.sector, HOME, UNREG, ACTIVE, PRIVATE, N_STATUS,
            self.model.week - WEEKS_PER_YEAR, FAR_MILES, HIGH_COST_GBP)
        (self.n_active, self.n_ordinary, self.ordinary_places, self.n_without_manager, self.n_private,
         self.secure_places) = homes_tally.tolist()
        # children in homes placed over FAR_MILES, outside their authority, with 3+ placements in the last
        # 12 months, at HIGH_COST_GBP+; children of any authority in the view's ordinary homes
        self.n_far, self.n_outside, self.n_recent_3plus, self.n_over_10k, self.n_in_ordinary = children_tally.tolist()
        self.mean_price, self.mean_distance = stats.tolist()
        self.everyone = bool(self.la_mask.all())
        # the regions of the view's authorities (FlowBook.region's columns)
        self.regions = np.bincount(self.model.region_of_la[self.la_mask], minlength=len(REGIONS)) > 0
        self.every_region = bool(self.regions.all())

    @cached_property
    def placed(self) -> np.ndarray:
        """The rows of the view's children in homes (in row order, as price_of and distance)."""
        ch = self.model.children
        return np.flatnonzero(self.la_mask[ch.la] & (ch.status == HOME))

    @cached_property
    def home_of(self) -> np.ndarray:
        """The homes of the placed children, as int64: metrics index homes by them, and NumPy
        indexes far more quickly by intp."""
        return self.model.children.home[self.placed].astype(np.int64)

    @cached_property
    def la_of(self) -> np.ndarray:
        """The authorities of the placed children (their own, not their homes')."""
        return self.model.children.la[self.placed]

    def flow(self, key: str) -> float:
        return _window_sum(self.model.flows.la[key][self.w0:self.w1], self.la_mask, self.everyone)

    def region_flow(self, key: str) -> float:
        return _window_sum(self.model.flows.region[key][self.w0:self.w1], self.regions, self.every_region)

    def any_la(self, key: str) -> float:
        flags = self.model.flows.la[key][self.w0:self.w1][:, self.la_mask]
        return float(flags.any(axis=0).mean()) if flags.size else float("nan")

    def count(self, status: int) -> int:
        return int(self.status_counts[status])

    def prices(self) -> np.ndarray:
        return self.price_of


def _window_sum(weeks: np.ndarray, columns: np.ndarray, every_column: bool) -> float:
    """A window's flows summed over the view's columns (authorities or regions). The columns are
    copied out unless the window is one week and every column is the view's: a copy is laid out
    column by column, so a window of several weeks sums in another order than the rows in place."""
    if not (every_column and len(weeks) <= 1):
        weeks = weeks[:, columns]
    return float(weeks.sum())


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def _bn(value: float, sign: str = "") -> str:
    return f"{value / 1e9:{sign},.2f}"


# number formats by name: the one place that decides how a metric's value is written
FORMATS = {
    "count": "{:,.0f}",  # thousands separated
    "gbp": "{:,.0f}",
    "gbp_bn": _bn,
    "percent": "{:.0%}",
    "percent1": "{:.1%}",
    "days": "{:,.1f}",
    "miles": "{:,.1f}",
    "ratio": "{:,.2f}",
}
PERCENT_FORMATS = ("percent", "percent1")


@dataclass(frozen=True)
class Metric:
    """One metric: its key, its definition over a View, and how people read it.

    `label` is the text tables and charts show (with its unit in brackets where the table needs it);
    `unit` is the unit of the displayed number (after `scale`: shares become %, spend GBP bn);
    `fmt` names a number format in FORMATS; `weekly` says whether the weekly series carries it.
    `per_child` (stock means over children in homes) and `status` (counts of children by status)
    let `per_authority` compute the same measure for every authority at once.

    `scopes` says where the metric is measured (yearly.parquet): nationally and by region always;
    by authority when it has a per-authority form: `status`, `per_child`, or `by_authority` (a
    function of the national View giving one value per authority, vectorised). A metric without
    one must say why in `not_by_authority`.
    """

    key: str
    definition: "Callable[[View], float]"
    label: str
    unit: str
    fmt: str
    weekly: bool
    description: str
    per_child: "Callable[[View], np.ndarray] | None" = None
    status: int | None = None
    by_authority: "Callable[[View], np.ndarray] | None" = None
    not_by_authority: str = ""

    def __post_init__(self):
        if self.fmt not in FORMATS:
            raise ValueError(f"metric {self.key}: unknown format '{self.fmt}' (one of {', '.join(FORMATS)})")
        if not self.has_authority_form and not self.not_by_authority:
            raise ValueError(f"metric {self.key}: give a per-authority form or say why there is none")

    @property
    def has_authority_form(self) -> bool:
        return self.status is not None or self.per_child is not None or self.by_authority is not None

    @property
    def scopes(self) -> tuple[str, ...]:
        """Where the metric is measured: 'national', 'region' and, if it has a form, 'authority'."""
        return ("national", "region", "authority") if self.has_authority_form else ("national", "region")

    def per_authority(self, v: "View") -> np.ndarray:
        """One value per authority over a national View's window (NaN where undefined)."""
        n_la = v.model.n_la
        if self.by_authority is not None:
            return np.asarray(self.by_authority(v), float)
        if self.status is not None:
            ch = v.model.children
            return np.bincount(ch.la[ch.status == self.status], minlength=n_la).astype(float)
        if self.per_child is None:
            raise KeyError(f"metric '{self.key}' is not measured by authority: {self.not_by_authority}")
        return _la_mean(v.la_of, np.asarray(self.per_child(v), float), n_la)

    @property
    def is_count(self) -> bool:
        """A count or a sum of money: it grows with the size of the simulated market (run.scale)."""
        return self.fmt in ("count", "gbp_bn")

    @property
    def is_share(self) -> bool:
        return self.fmt in PERCENT_FORMATS

    @property
    def scale(self) -> float:
        """Multiplier from the stored value to the displayed unit (shares to %, spend to GBP bn)."""
        return 100.0 if self.is_share else 1e-9 if self.fmt == "gbp_bn" else 1.0

    @property
    def title(self) -> str:
        """The label without a bracketed money, days or miles unit (for chart titles)."""
        for tag in ("GBP bn", "GBP", "days", "miles"):
            if self.label.endswith(f" ({tag})"):
                return self.label[: -len(tag) - 3]
        return self.label

    def format(self, value, with_unit: bool = False) -> str:
        """The value as tables write it ('n/a' for None or NaN); with_unit adds '£', ' days', ' miles'."""
        if value is None or not np.isfinite(float(value)):
            return "n/a"
        pattern = FORMATS[self.fmt]
        text = pattern(value) if callable(pattern) else pattern.format(value)
        if with_unit:
            text = {"gbp": f"£{text}", "gbp_bn": f"£{text} bn", "days": f"{text} days",
                    "miles": f"{text} miles"}.get(self.fmt, text)
        return text

    @property
    def diff_unit(self) -> tuple[str, float]:
        """Unit and multiplier for a difference between runs (shares in percentage points, spend in GBP million)."""
        if self.is_share:
            return "percentage points", 100.0
        if self.fmt == "gbp_bn":
            return "GBP million", 1e-6
        return self.unit, 1.0

    def format_diff(self, value, with_unit: bool = True) -> str:
        """A signed difference in the metric's units (shares in percentage points, spend in GBP million)."""
        if value is None or not np.isfinite(float(value)):
            return "n/a"
        if self.is_share:
            return f"{value * 100:+.1f}" + (" pp" if with_unit else "")
        if self.fmt == "gbp_bn":
            m = value / 1e6
            return (f"{m:+,.1f}" if abs(m) < 100 else f"{m:+,.0f}") + (" m" if with_unit else "")
        size = abs(value)
        return f"{value:+,.2f}" if size < 10 else f"{value:+,.1f}" if size < 100 else f"{value:+,.0f}"


def _count(key, status, label, unit, description) -> Metric:
    """Children with a status, end of the window (by authority of the child)."""
    return Metric(key, lambda v: v.count(status), label, unit, "count", True, description, status=status)


def _child_mean(key, per_child, mean, label, unit, fmt, description) -> Metric:
    """A mean over the view's children in homes of a value per child (stock, end of the window): `mean`
    reads it from the View, which measures it (a share from its count) with the rest of its stock."""
    return Metric(key, mean, label, unit, fmt, True, description, per_child=per_child)


def _share_placed(v: View, count: int) -> float:
    """A share of the view's children in homes (NaN if none)."""
    return _ratio(count, len(v.price_of))


def _p90(v: View) -> float:
    """np.percentile(prices, 90): between the prices either side of the (n - 1) * 0.9-th, interpolated
    from the nearer one as its linear method does, read from one partition (np.percentile's own
    takes several passes more; same values, so the same result, NaN if a price is NaN)."""
    prices = v.prices()
    if not len(prices):
        return float("nan")
    virtual = (len(prices) - 1) * 0.9
    if len(prices) == 1:  # np.percentile takes the last value either side, 1 + virtual from the first
        lo = hi = prices[0]
        gamma = virtual + 1
    else:
        below = int(virtual)
        part = np.partition(prices, below)
        lo, hi = part[below], part[below + 1:].min()
        gamma = virtual - below
    diff = hi - lo
    return float(hi - diff * (1 - gamma) if gamma >= 0.5 else lo + diff * gamma)


def _occupancy(v: View) -> float:
    return _ratio(v.n_in_ordinary, v.ordinary_places)


def _recent_3plus(v: View) -> np.ndarray:
    return v.model.children.start3[v.placed] >= v.model.week - WEEKS_PER_YEAR


def _outside(v: View) -> np.ndarray:
    return v.model.homes.la[v.home_of] != v.la_of


# per-authority forms (Metric.by_authority): one value per authority from the national View, vectorised
def _la_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _la_mean(la: np.ndarray, values: np.ndarray, n_la: int) -> np.ndarray:
    """Mean of values grouped by authority index (NaN where an authority has none)."""
    n = np.bincount(la, minlength=n_la)
    return _la_ratio(np.bincount(la, weights=values, minlength=n_la), n)


def _la_flow(v: View, key: str) -> np.ndarray:
    return v.model.flows.la[key][v.w0:v.w1].sum(axis=0)


def _la_flow_ratio(v: View, key: str, per: str) -> np.ndarray:
    return _la_ratio(_la_flow(v, key), _la_flow(v, per))


def _la_any(v: View, key: str) -> np.ndarray:
    """1 for an authority flagged in any week of the window, else 0 (NaN for an empty window)."""
    flags = v.model.flows.la[key][v.w0:v.w1]
    return flags.any(axis=0).astype(float) if len(flags) else np.full(v.model.n_la, np.nan)


def _by_child_la(v: View, mask: np.ndarray) -> np.ndarray:
    """Children in homes (of the view) counted by their own authority."""
    return np.bincount(v.la_of[mask], minlength=v.model.n_la).astype(float)


def _by_home_la(v: View, mask: np.ndarray, weights=None) -> np.ndarray:
    """Homes (or, with weights, their places) counted by the authority they are in."""
    homes = v.model.homes
    w = None if weights is None else weights[mask]
    return np.bincount(homes.la[mask], weights=w, minlength=v.model.n_la).astype(float)


def _la_home_mean(v: View, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    return _la_mean(v.model.homes.la[mask], np.asarray(values[mask], float), v.model.n_la)


def _la_occupancy(v: View) -> np.ndarray:
    """Children in ordinary homes / their registered places, by the authority the homes are in."""
    ordinary, homes = v.ordinary, v.model.homes
    h = v.home_of[ordinary[v.home_of]]
    children = np.bincount(homes.la[h], minlength=v.model.n_la)
    return _la_ratio(children.astype(float), _by_home_la(v, ordinary, homes.places))


def _la_percentile(v: View, q: float) -> np.ndarray:
    """The q-th percentile of placement prices by the child's authority (linear, as np.percentile)."""
    n_la = v.model.n_la
    la = v.la_of
    order = np.lexsort((v.price_of, la))
    price = v.price_of[order]
    n = np.bincount(la, minlength=n_la)
    first = np.concatenate(([0], np.cumsum(n)[:-1]))
    pos = q / 100 * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    if not len(price):
        return np.full(n_la, np.nan)
    a, b = price[np.minimum(first + lo, len(price) - 1)], price[np.minimum(first + hi, len(price) - 1)]
    return np.where(n > 0, a + (pos - lo) * (b - a), np.nan)


def _placed_from_elsewhere(v: View) -> int:
    """Children from other authorities in homes located in the view's authorities, end of the window."""
    ch, homes = v.model.children, v.model.homes
    i = np.flatnonzero(ch.status == HOME)
    home_la = homes.la[ch.home[i]]
    return int(np.count_nonzero(v.la_mask[home_la] & (home_la != ch.la[i])))


def _la_placed_from_elsewhere(v: View) -> np.ndarray:
    """The same for every authority at once (the national View holds every child in a home)."""
    home_la = v.model.homes.la[v.home_of]
    return np.bincount(home_la[_outside(v)], minlength=v.model.n_la).astype(float)


# money as a finance director reads it; `flow` is View.flow (a sum) or partial(_la_flow, v) (by authority)
def _residential_full_cost(flow):
    """Spend on homes and unregistered settings with council homes at their full running cost: the
    prices paid (spot and blocks, reserved places empty or not) less what council homes earned
    from placements, plus their full cost (by the authority they are in), plus unregistered settings."""
    return flow("spend_homes") - flow("council_home_income") + flow("council_home_cost") + flow("spend_unregistered")


def _residential_all(flow):
    """The full-cost residential spend and supported accommodation: the settings RO3 reports."""
    return _residential_full_cost(flow) + flow("spend_supported")


def _spend_per_child_year(v: View) -> float:
    return _ratio((v.flow("spend_homes") + v.flow("spend_unregistered")) * WEEKS_PER_YEAR,
                  v.flow("residential_child_weeks"))


def _la_spend_per_child_year(v: View) -> np.ndarray:
    spend = _la_flow(v, "spend_homes") + _la_flow(v, "spend_unregistered")
    return _la_ratio(spend * WEEKS_PER_YEAR, _la_flow(v, "residential_child_weeks"))


def _ro3_outturn(v: View) -> np.ndarray | None:
    """RO3's 2024-25 outturn of each simulated authority at the run's scale, if the view's window
    is April 2024 to March 2025 (the year RO3 describes); otherwise None."""
    m = v.model
    if v.w1 - v.w0 != WEEKS_PER_YEAR or v.w1 % WEEKS_PER_YEAR or m.start_date.year + v.w1 // WEEKS_PER_YEAR != RO3_YEAR_END:
        return None
    return residential_outturn_gbp(m.group_of_la, m.n_la) * m.la_scale


def _ro3_ratio(v: View) -> float:
    """Over the view's authorities that reported to RO3: their residential spend / their outturn."""
    ro3 = _ro3_outturn(v)
    if ro3 is None:
        return float("nan")
    sel = v.la_mask & np.isfinite(ro3)
    return _ratio(_residential_all(partial(_la_flow, v))[sel].sum(), ro3[sel].sum())


def _la_ro3_ratio(v: View) -> np.ndarray:
    ro3 = _ro3_outturn(v)
    if ro3 is None:
        return np.full(v.model.n_la, np.nan)
    return _la_ratio(_residential_all(partial(_la_flow, v)), ro3)


_IN_HOMES = "% of children in homes"
# why a metric has no per-authority form (Metric.not_by_authority)
_BY_REGION_OF_HOME = ("recorded by region of the home (FlowBook.region), as margins and openings are judged "
                      "by providers region by region; not measured per authority")
_CONTRACT = (
    _count("children_in_homes", HOME, "Children in children's homes", "children",
           "children in children's homes and secure homes, end of year"),
    _count("children_in_supported_accommodation", SUPPORTED, "16-17s in supported accommodation", "children",
           "16-17s in supported accommodation, end of year"),
    _count("children_in_foster_care", FOSTER, "Children in foster care", "children",
           "children in foster care, end of year"),
    _count("children_unregistered", UNREG, "Children in unregistered settings", "children",
           "children in unregistered settings, end of year"),
    _count("children_waiting", WAITING, "Children waiting for a placement", "children",
           "children with no placement found yet, end of year"),
    Metric("unregistered_children_per_year", lambda v: v.flow("unregistered_new"),
           "Children in unregistered settings in the year", "children", "count", False,
           "distinct children in an unregistered setting at any time in the year",
           by_authority=lambda v: _la_flow(v, "unregistered_new")),
    _child_mean("mean_weekly_price_gbp", View.prices, lambda v: v.mean_price, "Mean weekly price (GBP)",
                "GBP per week", "gbp", "mean weekly price of children's home placements, stock"),
    Metric("new_placement_mean_weekly_price_gbp", lambda v: _ratio(v.flow("placement_price"), v.flow("placements")),
           "New placements' mean weekly price (GBP)", "GBP per week", "gbp", True,
           "mean weekly price of children's home placements that started in the year",
           by_authority=lambda v: _la_flow_ratio(v, "placement_price", "placements")),
    Metric("p90_weekly_price_gbp", _p90, "90th percentile weekly price (GBP)", "GBP per week", "gbp", True,
           "90th percentile weekly price, stock", by_authority=lambda v: _la_percentile(v, 90)),
    Metric("placements_over_10k", lambda v: v.n_over_10k,
           "Placements at 10,000+ a week", "placements", "count", True,
           "children's home placements at 10,000 a week or more, stock",
           by_authority=lambda v: _by_child_la(v, v.prices() >= HIGH_COST_GBP)),
    Metric("share_las_with_placement_over_10k", lambda v: v.any_la("over_10k"),
           "Authorities with a placement at 10,000+ a week", "% of authorities", "percent", False,
           "share of authorities with at least one such placement in the year",
           by_authority=lambda v: _la_any(v, "over_10k")),  # per authority: 1 if it had one, else 0
    Metric("share_las_using_unregistered", lambda v: v.any_la("used_unregistered"),
           "Authorities using unregistered settings", "% of authorities", "percent", False,
           "share of authorities that used an unregistered setting in the year",
           by_authority=lambda v: _la_any(v, "used_unregistered")),  # per authority: 1 or 0
    _child_mean("share_over_20_miles", lambda v: v.distance > FAR_MILES, lambda v: _share_placed(v, v.n_far),
                "Placed over 20 miles from home", _IN_HOMES, "percent",
                "share of children in homes placed more than 20 miles from home, stock"),
    _child_mean("share_outside_la", _outside, lambda v: _share_placed(v, v.n_outside),
                "Placed outside home authority", _IN_HOMES, "percent",
                "share of children in homes placed outside their home authority, stock"),
    _child_mean("mean_distance_miles", lambda v: v.distance, lambda v: v.mean_distance,
                "Mean distance from home (miles)", "miles", "miles",
                "mean home-to-placement distance for children in homes, stock"),
    _child_mean("share_children_3plus_placements_12m", _recent_3plus, lambda v: _share_placed(v, v.n_recent_3plus),
                "Children in homes with 3+ placements in 12 months", _IN_HOMES, "percent",
                "share of children in homes with 3+ placements in the last 12 months"),
    Metric("mean_wait_days", lambda v: _ratio(v.flow("wait_days"), v.flow("placements")),
           "Mean wait for a home (days)", "days", "days", True,
           "mean days from needing a placement to starting one, for placements started in the year",
           by_authority=lambda v: _la_flow_ratio(v, "wait_days", "placements")),
    Metric("occupancy_registered_places", _occupancy, "Occupancy of registered places", "% of registered places",
           "percent", True, "children in ordinary homes / registered places",
           by_authority=_la_occupancy),  # by authority and region: of the homes located there
    Metric("share_homes_without_manager", lambda v: _ratio(v.n_without_manager, v.n_active),
           "Homes without a registered manager", "% of homes", "percent", True,
           "share of active homes with no registered manager",
           by_authority=lambda v: _la_home_mean(v, v.home_sel, ~v.model.homes.manager)),
    Metric("homes_total", lambda v: v.n_ordinary, "Children's homes (ordinary)", "homes",
           "count", True, "active children's homes, end of year", by_authority=lambda v: _by_home_la(v, v.ordinary)),
    Metric("places_total", lambda v: v.ordinary_places, "Registered places (ordinary homes)", "places",
           "count", True, "registered places in active homes, end of year",
           by_authority=lambda v: _by_home_la(v, v.ordinary, v.model.homes.places)),
    Metric("places_per_home", lambda v: _ratio(v.ordinary_places, v.n_ordinary),
           "Places per home", "places per home", "ratio", True, "places_total / homes_total",
           by_authority=lambda v: _la_ratio(_by_home_la(v, v.ordinary, v.model.homes.places), _by_home_la(v, v.ordinary))),
    Metric("share_homes_private", lambda v: _ratio(v.n_private, v.n_ordinary),
           "Privately owned homes", "% of homes", "percent", True, "privately owned share of active homes",
           by_authority=lambda v: _la_home_mean(v, v.ordinary, v.model.homes.sector == PRIVATE)),
    Metric("homes_opened", lambda v: v.region_flow("homes_opened"), "Homes opened in the year", "homes", "count",
           True, "homes that became active during the year", not_by_authority=_BY_REGION_OF_HOME),
    Metric("homes_closed", lambda v: v.region_flow("homes_closed"), "Homes closed in the year", "homes", "count",
           True, "homes that closed during the year", not_by_authority=_BY_REGION_OF_HOME),
    Metric("provider_margin_private", lambda v: 1 - _ratio(v.region_flow("private_cost"), v.region_flow("private_revenue")),
           "Private providers' margin", "% of revenue", "percent1", False,
           "revenue-weighted operating margin of private providers", not_by_authority=_BY_REGION_OF_HOME),
    Metric("la_spend_childrens_homes_gbp", lambda v: v.flow("spend_homes"), "Spend on children's homes (GBP bn)",
           "GBP bn", "gbp_bn", False, "authorities' spend on children's home placements in the year",
           by_authority=lambda v: _la_flow(v, "spend_homes")),
    Metric("la_spend_total_gbp", lambda v: v.flow("spend_total"), "Spend on all placements (GBP bn)", "GBP bn",
           "gbp_bn", False, "authorities' spend on all placements modelled, in the year",
           by_authority=lambda v: _la_flow(v, "spend_total")),
)
_BEYOND_CONTRACT = (
    Metric("secure_places_total", lambda v: v.secure_places, "Secure places", "places",
           "count", False, "registered places in active secure homes, end of year",
           by_authority=lambda v: _by_home_la(v, v.home_sel & v.model.homes.secure, v.model.homes.places)),
    Metric("placements_started", lambda v: v.flow("placements"), "Placements started", "placements", "count", True,
           "children's home placements that started in the window",
           by_authority=lambda v: _la_flow(v, "placements")),
    Metric("placement_breakdowns", lambda v: v.flow("breakdowns"), "Placement breakdowns", "placements", "count",
           False, "placements that broke down in the window, sending the child back into the search",
           by_authority=lambda v: _la_flow(v, "breakdowns")),
    Metric("children_entering_care", lambda v: v.flow("entries"), "Children coming to need a placement", "children",
           "count", False, "children who came to need a placement in the window", by_authority=lambda v: _la_flow(v, "entries")),
    Metric("la_spend_per_child_in_homes_gbp", _spend_per_child_year, "Spend per child in homes (GBP)",
           "GBP per child per year", "gbp", False,
           "authorities' spend on children's homes (spot placements and block payments, reserved places empty or "
           "not, forward contracts included) and unregistered settings, per child in a home or unregistered "
           "setting (child-weeks / 52), a year", by_authority=_la_spend_per_child_year),
    Metric("council_homes_full_cost_gbp", lambda v: v.flow("council_home_cost"), "Council homes' full cost (GBP bn)",
           "GBP bn", "gbp_bn", False,
           "running cost of council-run homes in the year: full staff establishment and property, empty places "
           "included (accounts.book_the_week), by the authority the home is in",
           by_authority=lambda v: _la_flow(v, "council_home_cost")),
    Metric("la_spend_residential_full_cost_gbp", lambda v: _residential_full_cost(v.flow),
           "Spend on homes, council homes at full cost (GBP bn)", "GBP bn", "gbp_bn", False,
           "la_spend_childrens_homes_gbp with council homes at their full cost instead of the prices they "
           "charged, plus unregistered settings, in the year",
           by_authority=lambda v: _residential_full_cost(partial(_la_flow, v))),
    Metric("home_office_uasc_funding_gbp", lambda v: v.flow("home_office_uasc"),
           "Home Office funding for unaccompanied children (GBP bn)", "GBP bn", "gbp_bn", False,
           "143 a night for each unaccompanied asylum-seeking child in care (NAO25 1.13, 3.18), by the child's "
           "authority, in the year", by_authority=lambda v: _la_flow(v, "home_office_uasc")),
    Metric("la_spend_net_of_home_office_gbp", lambda v: v.flow("spend_total") - v.flow("home_office_uasc"),
           "Spend on all placements net of Home Office funding (GBP bn)", "GBP bn", "gbp_bn", False,
           "la_spend_total_gbp less home_office_uasc_funding_gbp, in the year",
           by_authority=lambda v: _la_flow(v, "spend_total") - _la_flow(v, "home_office_uasc")),
    Metric("la_residential_spend_vs_ro3", _ro3_ratio, "Residential spend / RO3 outturn 2024-25", "ratio", "ratio",
           False, "la_spend_residential_full_cost_gbp plus supported accommodation, over the year April 2024 to "
           "March 2025, divided by the authorities' RO3 2024-25 outturn on residential care (what they spent, not "
           "a budget) at the run's scale; NaN in other years and where an authority reported none",
           by_authority=_la_ro3_ratio),
)
# every metric by key: the contract's 28 first, in CONTRACT.md's order; weekly series use a one-week window
METRICS: dict[str, Metric] = {m.key: m for m in _CONTRACT + _BEYOND_CONTRACT}
CONTRACT_KEYS = tuple(m.key for m in _CONTRACT)
# measured each year (yearly.parquet, by_authority.csv) but not in summary.json, which stays as it was
_YEARLY_ONLY = (
    Metric("children_placed_from_elsewhere", _placed_from_elsewhere,
           "Children placed here from other authorities", "children", "count", False,
           "children from other authorities in homes located in the authority (region: in its authorities' "
           "homes, from any other authority), end of year", by_authority=_la_placed_from_elsewhere),
)
YEARLY_METRICS: dict[str, Metric] = {**METRICS, **{m.key: m for m in _YEARLY_ONLY}}
AUTHORITY_KEYS = tuple(k for k, m in YEARLY_METRICS.items() if "authority" in m.scopes)
WEEKLY_KEYS = tuple(k for k, m in METRICS.items() if m.weekly)


def final_year(model) -> tuple[int, int]:
    end = model.week
    return max(end - WEEKS_PER_YEAR, 0), end


def compute(model, la_mask=None, window=None) -> dict[str, float]:
    """All metrics for a selection of authorities over a window (default: the final year)."""
    la_mask = np.ones(model.n_la, bool) if la_mask is None else la_mask
    w0, w1 = window or final_year(model)
    v = View(model, la_mask, w0, w1)
    return {k: _clean(m.definition(v)) for k, m in METRICS.items()}


def by_region(model, window=None) -> dict[str, dict[str, float]]:
    return {r: compute(model, model.region_of_la == i, window) for i, r in enumerate(REGIONS)}


def measure_scopes(model, window=None) -> tuple[dict, dict, dict]:
    """Every YEARLY_METRICS key nationally and by region (the same Views and definitions as `compute`
    and `by_region`, so the same numbers), and each authority-scoped key for every authority at once
    (an array per key, from the national View), over a window (default: the final year)."""
    w0, w1 = window or final_year(model)
    v = View(model, np.ones(model.n_la, bool), w0, w1)
    national = {k: _clean(m.definition(v)) for k, m in YEARLY_METRICS.items()}
    regions = {}
    for i, r in enumerate(REGIONS):
        rv = View(model, model.region_of_la == i, w0, w1)
        regions[r] = {k: _clean(m.definition(rv)) for k, m in YEARLY_METRICS.items()}
    authorities = {k: YEARLY_METRICS[k].per_authority(v) for k in AUTHORITY_KEYS}
    return national, regions, authorities


def per_authority(model, key: str) -> np.ndarray:
    """A stock metric now for every authority at once (by the child's authority; NaN where undefined).

    Uses the metric's own per-child values (means over children in homes) or status (counts), so a
    map and the tables measure the same thing.
    """
    m = METRICS[key]
    ch = model.children
    if m.status is not None:
        return np.bincount(ch.la[ch.status == m.status], minlength=model.n_la).astype(float)
    if m.per_child is None:
        raise KeyError(f"metric '{key}' has no per-authority form (only stock counts and means over children in homes)")
    v = View(model, np.ones(model.n_la, bool), model.week, model.week)
    la = v.la_of
    n = np.bincount(la, minlength=model.n_la)
    total = np.bincount(la, weights=np.asarray(m.per_child(v), float), minlength=model.n_la)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


PER_AUTHORITY_KEYS = tuple(k for k, m in METRICS.items() if m.status is not None or m.per_child is not None)


def _clean(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else float("nan")


def weekly_view(model) -> View:
    """The national View of the week just recorded (built once a week, kept for its reporters)."""
    cache = model.__dict__.setdefault("_weekly_view", {})
    stamp = (model.week, model.steps)
    if cache.get("stamp") != stamp:
        cache["stamp"] = stamp
        cache["view"] = View(model, np.ones(model.n_la, bool), model.week, model.week + 1)
    return cache["view"]


def _weekly_value(model, key: str) -> float:
    """DataCollector reporter: a metric over the week just recorded."""
    return _clean(METRICS[key].definition(weekly_view(model)))


def weekly_reporters() -> dict:
    return {k: partial(_weekly_value, key=k) for k in WEEKLY_KEYS}
