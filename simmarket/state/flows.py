"""Flows: what happened each week, by authority (children, money) and by region of the home."""

from __future__ import annotations

import numpy as np

from ..kernels import books
from ..time import WEEKS_PER_YEAR
from .homes import ACTIVE, PRIVATE

HIGH_COST_GBP = 10_000.0  # LGA23: placements at 10,000+ a week
MARGIN_WINDOW_WEEKS = 13  # entrants judge a region by its last quarter's margin (prior)
PRICE_WINDOW_WEEKS = 52  # block contracts are negotiated against the last year's spot prices (prior)

LA_FLOWS = ("entries", "exits", "breakdowns", "need_direct", "need_from_foster", "need_no_foster_place", "placements", "placement_price", "placement_relative_price", "wait_days",
            "unregistered_new", "unregistered_detected", "spend_homes", "spend_total", "over_10k", "used_unregistered",
            # money as a finance director reads it (recorded only; no decision reads them): by the
            # child's (payer's) authority, except the council homes' cost and income, by the home's
            "spend_unregistered", "spend_supported", "residential_child_weeks", "council_home_cost",
            "council_home_income", "home_office_uasc")
REGION_FLOWS = ("homes_opened", "homes_closed", "private_revenue", "private_cost", "provider_revenue")


class FlowBook:
    """Weekly flows by authority (children, money) and by region of the home (homes, margins)."""

    def __init__(self, weeks: int, n_la: int, n_regions: int):
        w = max(weeks, 1)
        self.la = {k: np.zeros((w, n_la)) for k in LA_FLOWS}
        self.region = {k: np.zeros((w, n_regions)) for k in REGION_FLOWS}
        self._recent_price = (None, None, None)  # recent_relative_price's last answer: (week, groups), groups, value

    def add_la(self, key: str, week: int, la: np.ndarray, weights=None) -> None:
        if 0 <= week < len(self.la[key]):
            self.la[key][week] += np.bincount(la, weights=weights, minlength=self.la[key].shape[1])

    def add_region(self, key: str, week: int, region: np.ndarray, weights=None) -> None:
        if 0 <= week < len(self.region[key]):
            self.region[key][week] += np.bincount(region, weights=weights, minlength=self.region[key].shape[1])

    def record_placements(self, week, la, price, wait_days, relative_price=None) -> None:
        """Placements started: by authority, their prices (also relative to the cost of each child's
        care, so that prices of children with different needs compare) and waits."""
        self.add_la("placements", week, la)
        self.add_la("placement_price", week, la, price)
        if relative_price is not None:
            self.add_la("placement_relative_price", week, la, relative_price)
        self.add_la("wait_days", week, la, wait_days)

    def record_money(self, week, spend_homes, spend_total, homes, revenue, cost, region_of_la) -> None:
        if not 0 <= week < len(self.la["spend_homes"]):
            return
        self.la["spend_homes"][week] += spend_homes
        self.la["spend_total"][week] += spend_total
        by_region = books.region_money(homes.la, region_of_la, homes.sector, homes.state, revenue, cost,
                                       self.region["provider_revenue"].shape[1], PRIVATE, ACTIVE)
        for key, value in zip(("provider_revenue", "private_revenue", "private_cost"), by_region):
            self.region[key][week] += value

    def record_finance(self, week, spend_unregistered, spend_supported, residential_children, council_cost,
                       council_income, home_office) -> None:
        """The week's money beyond prices paid, by authority (accounts.record_finance)."""
        if not 0 <= week < len(self.la["spend_unregistered"]):
            return
        for key, value in (("spend_unregistered", spend_unregistered), ("spend_supported", spend_supported),
                           ("residential_child_weeks", residential_children), ("council_home_cost", council_cost),
                           ("council_home_income", council_income), ("home_office_uasc", home_office)):
            self.la[key][week] += value

    def record_week(self, week: int, la_over_10k: np.ndarray, la_unregistered: np.ndarray) -> None:
        """Which authorities had a placement at HIGH_COST_GBP or more a week and which used an
        unregistered setting this week (flags by authority, as the weekly metrics' View measures them)."""
        if not 0 <= week < len(self.la["over_10k"]):
            return
        self.la["over_10k"][week] = la_over_10k
        self.la["used_unregistered"][week] = la_unregistered

    def recent_unregistered_rate(self, week: int, places: float, default: float) -> float:
        """Children first placed in an unregistered setting over the last quarter, a year per
        registered place; weeks before the start count at `default` (the start knows no history)."""
        lo = week - MARGIN_WINDOW_WEEKS
        seen = self.la["unregistered_new"][max(lo, 0):max(week, 0)].sum() * WEEKS_PER_YEAR / max(places, 1.0)
        unseen = MARGIN_WINDOW_WEEKS - (max(week, 0) - max(lo, 0))
        return (seen + default * unseen) / MARGIN_WINDOW_WEEKS

    def recent_relative_price(self, week: int, group_of_la: np.ndarray, n_groups: int) -> np.ndarray:
        """Mean price relative to cost of the placements authorities started over the last year, by
        group of authorities (e.g. region); NaN where they started none.

        Kept for the week (read-only): weeks before `week` are complete, and each April
        every buyer's block contracts are priced against it."""
        key, groups, value = self._recent_price
        if key == (week, n_groups) and groups is group_of_la:
            return value
        lo = max(week - PRICE_WINDOW_WEEKS, 0)
        n = np.bincount(group_of_la, weights=self.la["placements"][lo:week].sum(axis=0), minlength=n_groups)
        paid = np.bincount(group_of_la, weights=self.la["placement_relative_price"][lo:week].sum(axis=0),
                           minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, paid / np.where(n > 0, n, 1), np.nan)
        value.flags.writeable = False  # shared by the week's callers
        self._recent_price = ((week, n_groups), group_of_la, value)
        return value

    def expected_margin(self, week: int, default: float) -> np.ndarray:
        """Private providers' margin by region over the last quarter (`default` before any revenue)."""
        lo = max(week - MARGIN_WINDOW_WEEKS, 0)
        rev = self.region["private_revenue"][lo:week].sum(axis=0)
        cost = self.region["private_cost"][lo:week].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # a tiny revenue: a margin of -inf
            return np.where(rev > 0, 1 - cost / np.where(rev > 0, rev, 1), default)
