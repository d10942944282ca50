"""One week's clearing as the dashboard shows it: referrals, offers and bidding, per referred home."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..state import HOME


@dataclass
class MarketWeek:
    """One week of the market: referrals, offers and bidding, per referred home."""

    week: int
    searching: int  # children searching this week
    referrals: int
    refused_price: int
    offers: int
    accepted: int
    contested: int  # homes where buyers bid against each other for a place
    home: np.ndarray  # referred homes
    home_la: np.ndarray
    referrals_per_home: np.ndarray
    vacancies: np.ndarray  # free places at the time of the clearing (approx.)
    buyers: np.ndarray  # distinct buyers (authorities or RCCs) referring to the home
    authorities: np.ndarray  # distinct authorities referring to the home
    quote_lo: np.ndarray
    quote_hi: np.ndarray

    @property
    def referrals_per_vacancy(self) -> float:
        v = self.vacancies.sum()
        return float(self.referrals_per_home.sum() / v) if v else float("nan")

    def summary(self) -> dict:
        return {
            "market_searching": self.searching,
            "market_referrals": self.referrals,
            "market_refused_price": self.refused_price,
            "market_offers": self.offers,
            "market_accepted": self.accepted,
            "market_contested_homes": self.contested,
            "market_referrals_per_vacancy": self.referrals_per_vacancy,
            "market_homes_several_buyers": int(np.count_nonzero(self.buyers >= 2)),
        }


def _distinct_per_home(inv: np.ndarray, who: np.ndarray, n_homes: int) -> np.ndarray:
    """How many different buyers (or authorities) referred to each home."""
    return np.bincount(np.unique(np.c_[inv, who], axis=0)[:, 0], minlength=n_homes)


def _quote_range(inv: np.ndarray, quote: np.ndarray, n_homes: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.full(n_homes, np.inf), np.full(n_homes, -np.inf)
    np.minimum.at(lo, inv, quote)
    np.maximum.at(hi, inv, quote)
    return lo, hi


def _free_places_at_clearing(model) -> np.ndarray:
    """Free places per home before this week's placements (approx.: free now plus those just taken)."""
    ch, homes = model.children, model.homes
    placed_now = (ch.status == HOME) & (ch.placed_week == model.week)
    taken = np.bincount(ch.home[placed_now], minlength=homes.n)
    return np.maximum(homes.places - homes.occupied, 0) + taken


def market_week(model) -> MarketWeek:
    """The week just cleared, from the model's last referrals."""
    r = model.last_referrals
    if r is None or len(r.child) == 0:
        empty = np.zeros(0, np.int64)
        return MarketWeek(model.week, int(r.n_children) if r is not None else 0, 0, 0, 0, 0, 0,
                          empty, empty, empty, empty, empty, empty, np.zeros(0), np.zeros(0))
    child, home = np.asarray(r.child), np.asarray(r.home)
    la = model.children.la[child]
    hs, inv, counts = np.unique(home, return_inverse=True, return_counts=True)
    qlo, qhi = _quote_range(inv, np.asarray(r.quote, float), len(hs))
    return MarketWeek(
        week=model.week, searching=int(r.n_children), referrals=len(child), refused_price=int(r.refused_price),
        offers=int(r.offers), accepted=int(r.accepted), contested=int(r.contested_homes), home=hs,
        home_la=model.homes.la[hs], referrals_per_home=counts, vacancies=_free_places_at_clearing(model)[hs],
        buyers=_distinct_per_home(inv, model.levers.customer[la], len(hs)),
        authorities=_distinct_per_home(inv, la, len(hs)), quote_lo=qlo, quote_hi=qhi,
    )
