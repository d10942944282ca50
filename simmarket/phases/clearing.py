"""Phase 4, the clearing: referrals, providers' offers, authorities' choices and prices.

Everything here works on whole arrays of (child, home) referral pairs. A week clears in steps:
1. `shortlist`: each searching child is referred to the nearest suitable homes with room, and to
   homes across its authority's search area; homes that cannot care for the child drop out;
2. `rank_referrals`: the rest are ranked nearest and best matched first, and each child keeps its
   authority's shortlist;
3. `quote`: providers quote cost x target margin x scarcity (referrals per vacancy); council homes
   quote cost; block places cost their agreed price;
4. `screen_price`: quotes above the authority's ceiling are refused;
5. `bid`: providers decline referrals whose margin at that ceiling does not cover the child's
   risk; then in a few rounds each home offers its places (and staff) to its best referrals; each
   child's authority takes the best offer (price against distance); where customers compete for
   a home, the winner pays at least the next bidder's ceiling (capped at its own), so scarcity
   and bidding raise prices. Members of one customer (an RCC) never bid against each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.groups import rank_and_cut
from ..kernels.offers import STAFF_TOLERANCE, screen_and_bid
from ..kernels.quotes import quote_pairs
from ..kernels.search import shortlist_pairs
from ..rules import care_cost, price_ceiling, sector_margin, staff_need
from ..state import COUNCIL, HOME, METRES_PER_MILE, UNREG, WAITING
from .placements import place, search_weeks

QUERY_K = 18  # homes examined per child before feasibility filters (speed; prior)
ROUNDS = 3  # offer rounds a week (prior)
UNMET_NEED_RANK_WEIGHT = 0.3  # shortlist rank: one unmet need weighs like 30% of the search radius (prior)
RISK_PER_COMPLEXITY = 0.5  # providers' risk: per complexity level (0-2), per unmet need, for a DoL order (prior)
RISK_PER_UNMET_NEED = 0.5
RISK_DOL = 0.5
RISK_WEIGHTS = np.array([RISK_PER_COMPLEXITY, RISK_PER_UNMET_NEED, RISK_DOL])
SCORE_NOISE_SD = 0.1  # providers' judgement of a referral beyond margin and risk (prior)
COUNCIL_OWN_BONUS = 10.0  # council homes rank their own authority's children above any others (rule)
BLOCK_BONUS = 100.0  # a block-contracted place is offered to the holder's children first (contract)
KIND_ORDINARY, KIND_DOL, KIND_SECURE = 0, 1, 2  # what a child needs / a home accepts
NONE = np.zeros(0, np.int64)  # no cooperatives, or no pools of council homes (kernels take an empty array)


@dataclass
class Referrals:
    """The week's market: who was referred where, and what was offered and taken."""

    child: np.ndarray  # row of the child in model.children
    home: np.ndarray
    miles: np.ndarray
    quote: np.ndarray
    n_children: int
    offers: int = 0
    accepted: int = 0
    refused_price: int = 0
    refused_risk: int = 0
    contested_homes: int = 0


@dataclass
class Search:
    """The children searching this week (rows idx) and what their buyers will pay and travel."""

    idx: np.ndarray
    x: np.ndarray
    y: np.ndarray
    la: np.ndarray
    complexity: np.ndarray
    needs: np.ndarray
    dol: np.ndarray
    secure: np.ndarray
    customer: np.ndarray  # buyer of each child: its authority, or its cooperative as one customer
    wtp: np.ndarray  # highest weekly price the buyer will pay
    radius_m: np.ndarray  # search radius (metres)
    cost: np.ndarray | None = None  # the buyer's benchmark cost of the child's care (prices are judged against it)
    cooperative: np.ndarray | None = None  # customer number of the child's authority's cooperative (-1: none)
    distance_weight: np.ndarray | None = None  # price the child's authority trades for a mile between offers

    @property
    def kind(self) -> np.ndarray:
        return np.where(self.secure, KIND_SECURE, np.where(self.dol, KIND_DOL, KIND_ORDINARY))


@dataclass
class Pairs:
    """Referral pairs (child position in the Search, home) and what is known of each."""

    c: np.ndarray
    h: np.ndarray
    d: np.ndarray  # metres
    cost: np.ndarray | None = None
    quote: np.ndarray | None = None
    is_block: np.ndarray | None = None
    council_own: np.ndarray | None = None
    unmet: np.ndarray | None = None  # the child's needs the home does not specialise in
    cust: np.ndarray | None = None
    score: np.ndarray | None = None  # providers' score (by `quote` before noise and priorities)


@dataclass
class Market:
    """What the clearing needs besides the children: homes, rules in force, randomness."""

    homes: object
    params: object
    property_index_la: np.ndarray
    reserved_free: np.ndarray  # per home, block-contracted places still free for the holder's children
    n_customers: int  # authorities (customers 0..n_la-1); cooperatives are numbered above
    profit_cap: float
    rng: np.random.Generator
    week: int
    occupancy_la: np.ndarray | None = None  # occupancy providers price for, by authority (None: the parameter's)
    council_pool: np.ndarray | None = None  # per authority, the cooperative running its council homes (-1: none)


# ------------------------------------------------------------------------------- the model's side
def refer_and_place(m) -> None:
    """Every child waiting or in an unregistered setting is referred; offers taken are placed."""
    ch = m.children
    searching = np.flatnonzero((ch.status == WAITING) | (ch.status == UNREG))
    m.last_referrals = match(m, searching, record=True)


def search_of(m, idx: np.ndarray) -> Search:
    """Searching children with their buyers' price ceilings and search radii, widening with time."""
    ch, lv = m.children, m.levers  # each authority's commissioning values are the levers' (policy.levers)
    waited = search_weeks(m, idx)
    cols = {k: getattr(ch, k)[idx] for k in ("x", "y", "la", "complexity", "needs", "dol", "secure")}
    la = cols["la"]
    bench = care_cost(cols["complexity"], cols["dol"], m.geo.property_index[la], m.params, m.week,
                      occupancy=m.occupancy_seen[m.region_of_la[la]])
    urgent = np.where(ch.emergency[idx] | cols["dol"] | cols["secure"], lv.urgent_wtp_multiple[la], 1.0)
    cm = m.params.commissioning
    alternative = cm.unregistered_price_gbp_week + lv.unreg_fine_per_week if cm.ceiling_to_alternative else None
    wtp = price_ceiling(bench, lv.wtp_multiple[la], urgent, lv.wtp_growth_per_week[la], waited, lv.wtp_cap[la], alternative)
    radius = lv.radius_miles[la] * METRES_PER_MILE * (1 + lv.radius_growth_per_week[la] * waited)
    rcc = lv.rcc_of_la[la]
    coop = np.where(rcc >= 0, len(lv.customer) + rcc, -1)
    return Search(idx=idx, customer=lv.customer[la], wtp=wtp, radius_m=radius, cost=bench, cooperative=coop,
                  distance_weight=lv.distance_weight_gbp_per_mile[la], **cols)


def match(m, idx: np.ndarray, record: bool) -> Referrals | None:
    """Clear the market for these children and place those who took an offer."""
    if len(idx) == 0:
        return None
    ch, homes = m.children, m.homes
    in_block = np.flatnonzero(ch.block)  # few children hold block places: look only at them
    block_used = np.bincount(ch.home[in_block[ch.status[in_block] == HOME]], minlength=homes.n)
    market = Market(homes, m.params, m.geo.property_index, np.maximum(homes.block_places - block_used, 0),
                    len(m.levers.customer), m.levers.profit_cap, m.streams["market"], m.week,
                    m.occupancy_seen[m.region_of_la], m.levers.council_pool)
    s = search_of(m, idx)
    pos, home, price, blk, ref = clear(s, market)
    placed = idx[pos]
    if record:
        m.flows.record_placements(m.week, ch.la[placed], price, (m.week - ch.need_since[placed] + 0.5) * 7,
                                  relative_price=np.divide(price, s.cost[pos], out=np.ones(len(pos)), where=s.cost[pos] > 0))
    place(m, placed, home, price, blk)
    return ref


# ------------------------------------------------------------------------------- the clearing
def clear(s: Search, mk: Market):
    """Match searching children to homes for one week.

    Returns (placed child positions in s, home, price, is_block, Referrals).
    """
    homes, params = mk.homes, mk.params
    free = homes.free_places()
    spare_staff = homes.staff - homes.staff_used
    need = staff_need(s.complexity, s.dol, params.workforce.staff_per_child)
    p = shortlist(s, homes, available_homes(homes, params.workforce, free, spare_staff), params.commissioning, mk.rng,
                  need, spare_staff)
    p = rank_referrals(p, s, homes, params.commissioning, mk.rng)
    quote(p, s, mk, free)
    ref = Referrals(child=s.idx[p.c], home=p.h, miles=p.d / METRES_PER_MILE, quote=p.quote, n_children=len(s.idx))
    affordable = screen_price(p, s)
    n_affordable = int(np.count_nonzero(affordable))
    ref.refused_price = len(p.c) - n_affordable
    return bid(p, affordable, mk.rng.standard_normal(n_affordable), s, mk, free, spare_staff, need, ref)


def available_homes(homes, wf, free, spare_staff) -> np.ndarray:
    """Homes that can take a child this week: a free place, a manager (unless not required) and
    staff for at least the least demanding child."""
    admits = homes.manager | wf.no_manager_admits
    min_need = float(min(wf.staff_per_child))
    return (free > 0) & admits & (spare_staff >= min_need - STAFF_TOLERANCE)


def shortlist(s: Search, homes, available, cm, rng, need, spare_staff) -> Pairs:
    """Candidate homes of the right kind within each child's search radius, able to care for it.

    Authorities refer both to the nearest homes and across their whole search area (to the
    providers on their frameworks, wherever they are): a share of each child's candidates are
    the homes nearest to a random point in the search disc. Homes drop out that are not equipped
    for the child's complexity or lack the staff to spare for its needs. Pairs come sorted by
    child, distinct, with the child's needs each home does not specialise in (kernels/search.py
    `shortlist_pairs`).
    """
    k_wide = int(round(QUERY_K * cm.wide_referral_share))
    # the homes each kind of child may use: an ordinary child any but a secure home, a child under a
    # DoL order those of these able to care under one, a child needing security a secure home
    unsecured = available & ~homes.secure
    serves = np.stack([unsecured, unsecured & homes.dol_ok, available & homes.secure])
    ckind = s.kind
    n_kind, any_home = np.bincount(ckind, minlength=len(serves)).tolist(), serves.any(axis=1).tolist()
    u_spread, u_theta = [np.zeros(0)], [np.zeros(0)]  # the wide points' draws, kind by kind (those with homes)
    for kind in (KIND_ORDINARY, KIND_DOL, KIND_SECURE):
        if n_kind[kind] and any_home[kind]:
            u_spread.append(rng.random(n_kind[kind]))
            u_theta.append(rng.random(n_kind[kind]))
    theta = 2 * np.pi * np.concatenate(u_theta)  # its cos and sin are NumPy's (numba's can differ in the last bit)
    c, h, d, unmet = shortlist_pairs(ckind, serves, QUERY_K - k_wide, k_wide, s.x, s.y, s.radius_m,
                                     np.concatenate(u_spread), np.cos(theta), np.sin(theta), homes.x, homes.y,
                                     homes.max_complexity, s.complexity, spare_staff, need - STAFF_TOLERANCE,
                                     homes.specialisms, s.needs)
    return Pairs(c, h, d, unmet=unmet)


def rank_referrals(p: Pairs, s: Search, homes, cm, rng) -> Pairs:
    """Each child's shortlist: nearest and best matched first, with the frictions of who answers
    a referral; the authority refers to its first `commissioning.shortlist` homes."""
    draws = rng.random(len(p.c))
    c, h, d, unmet = rank_and_cut(p.c, p.h, p.d, p.unmet, s.radius_m, draws, UNMET_NEED_RANK_WEIGHT,
                                  cm.referral_spread, cm.shortlist)  # pairs come sorted by child
    return Pairs(c, h, d, unmet=unmet)


def quote(p: Pairs, s: Search, mk: Market, free) -> None:
    """Providers' quotes: cost x (1 + target margin) x scarcity x the provider's own pricing,
    within the profit cap; council homes quote cost; a block place costs its agreed price. A block
    place is the child's buyer's, its own authority's or its cooperative's (a member uses its own
    blocks and its cooperative's, whoever buys for it) while any is free; once full, the others.
    What depends on the home alone is computed once per quoting home (kernels/quotes.py)."""
    homes, params, pr = mk.homes, mk.params, mk.params.pricing
    hq, pressure = referral_pressure(p, homes, free, mk)
    scarcity = np.clip(pressure ** pr.scarcity_elasticity, 1.0, pr.scarcity_cap)
    hla = homes.la[hq]
    occupancy = None if mk.occupancy_la is None else mk.occupancy_la[hla][:, None]
    kinds = np.arange(2 * len(params.workforce.staff_per_child))[None]  # kinds of child: 2 x complexity + dol
    unit = care_cost(kinds // 2, kinds % 2 == 1, mk.property_index_la[hla][:, None], params, mk.week,
                     homes.places[hq][:, None], occupancy)
    p.cost, p.quote, p.is_block, p.council_own, p.cust, p.score = quote_pairs(
        p.c, p.h, hq, unit, sector_margin(homes.sector[hq], pr, mk.profit_cap), scarcity, s.complexity, s.dol, s.la,
        s.customer, NONE if s.cooperative is None else s.cooperative, s.wtp, p.unmet, homes.la, homes.sector, COUNCIL,
        homes.price_factor, homes.block_buyer, homes.block_price, mk.reserved_free,
        NONE if mk.council_pool is None else mk.council_pool, mk.profit_cap, pr.risk_aversion, RISK_WEIGHTS)


def referral_pressure(p: Pairs, homes, free, mk: Market) -> tuple[np.ndarray, np.ndarray]:
    """The homes referred to (increasing) and at each the referrals per vacancy, relative to the
    referrals each child sends out.

    Every child referred counts, whoever buys for it: a cooperative's coordinated referrals still
    bring each of its children to the home, so children per bed set the scarcity a provider sees
    (pairs are distinct by child and home here).
    """
    n_ref = np.bincount(p.h, minlength=homes.n)
    hq = np.flatnonzero(n_ref > 0)
    return hq, n_ref[hq] / np.maximum(free[hq], 1) / mk.params.commissioning.shortlist


def screen_price(p: Pairs, s: Search) -> np.ndarray:
    """Quotes the buyer will pay."""
    return p.quote <= s.wtp[p.c]


# ------------------------------------------------------------------------------- offers and bids
def bid(p: Pairs, affordable: np.ndarray, noise: np.ndarray, s: Search, mk: Market, free, spare_staff, need,
        ref: Referrals):
    """Providers choose by profit and by how hard a child is to care for (NAO25 2.3, 2.14): an
    affordable referral whose margin at the buyer's ceiling does not cover its risk is declined
    (`quote` scored every pair by margin less risk; to that come the providers' judgement, noise
    drawn for the affordable pairs only, and their priorities). Then the offer rounds
    (kernels/offers.py `screen_and_bid`): each round, every home offers its places (block and
    open places separately) to its referrals, best score first, while places and staff last;
    each child's buyer takes its best offer (price against distance) as far as the home's staff
    cover every child who took one of its offers; a losing bid from another customer lifts the
    price towards its ceiling (second price), within the profit cap; capacity is used up. Only
    the live pairs (those that passed the screens) take part."""
    placed, price, offers, contested, live = screen_and_bid(
        ROUNDS, affordable, noise, SCORE_NOISE_SD, mk.params.commissioning.council_own_first, COUNCIL_OWN_BONUS,
        BLOCK_BONUS, p.c, p.h, p.is_block, p.score, p.council_own, p.cust, p.quote, p.cost, p.d, need,
        s.distance_weight, s.wtp, mk.homes.sector, COUNCIL, mk.reserved_free, free, spare_staff, mk.profit_cap,
        METRES_PER_MILE)
    ref.refused_risk = len(noise) - live
    ref.offers += offers
    ref.contested_homes = contested
    ref.accepted = len(placed)
    return p.c[placed], p.h[placed], price, p.is_block[placed], ref
