"""Phase 3, commissioning: each April, running fees are uplifted, block contracts are renewed
and capital is committed.

Authorities with forward plans and cooperatives reserve places ahead at agreed prices (paid
for whether used or not); everything else is bought on the spot market in the clearing.
"""

from __future__ import annotations

import numpy as np

from ..rules import REFERENCE_PLACES_PER_HOME, care_cost, place_cost, staff_need
from ..state import ACTIVE, COUNCIL, HOME
from ..time import WEEKS_PER_YEAR
from .entry_exit import add_homes, through_planning

BLOCK_REFERENCE_COMPLEXITY = 1  # a block place is priced at a medium-need child's cost (prior)
FORWARD_CONTRACT_YEARS = 5  # a forward contract underwrites a new home's places for five years (prior: to finance it)
UNDERWRITTEN_HOME_PLACES = 3  # a home built on a forward contract has three places (prior; new homes register 2-3, NAO25 2.13)
BARGAINING_WEIGHT = 0.5  # a contract's price splits the difference between provider and buyer (prior: equal power)


def commission_blocks(m) -> None:
    """Each April, authorities with forward plans and cooperatives renew their block contracts;
    cooperatives commission new homes with their capital."""
    if m.week % WEEKS_PER_YEAR != 0:
        return
    if m.week > 0 and m.params.pricing.fee_uplift:
        uplift_fees(m)
    m.homes.end_yearly_blocks(m.week)
    m.children.block[:] = False
    ch = m.children
    m.authorities.do("plan_blocks", np.bincount(ch.la[ch.status == HOME], minlength=m.n_la))
    for rcc in m.rccs:
        rcc.plan_blocks()
        rcc.secure_sufficiency()
        rcc.shape_market()


def uplift_fees(m) -> None:
    """Each April, the fees of running spot placements rise with what the place has come to cost
    over the year (its staff's wages): placements are reviewed yearly and providers pass their
    cost growth on (prior; without it a placement's fee stays at its start price for years)."""
    ch, homes = m.children, m.homes
    running = np.flatnonzero((ch.status == HOME) & ~ch.block)
    h = ch.home[running]
    prop = m.geo.property_index[homes.la[h]]
    now = place_cost(prop, m.params, m.week, homes.places[h])
    ch.price[running] *= now / place_cost(prop, m.params, m.week - WEEKS_PER_YEAR, homes.places[h])


def reserve_places(m, la: int, wanted: int, buyer: int, margin: float) -> None:
    """Offer block contracts for up to `wanted` places in the homes nearest to an authority, for a
    buyer (the authority or its cooperative). A contract covers only free places the home can
    staff, at a negotiated price (`contract_terms`); a provider that declines reserves nothing."""
    if wanted <= 0:
        return
    homes = m.homes
    cand = np.flatnonzero((homes.state == ACTIVE) & (homes.block_buyer < 0) & (homes.sector != COUNCIL)
                          & ~homes.secure & (homes.places > homes.occupied) & homes.manager)
    room = np.minimum(homes.places[cand] - homes.occupied[cand], staffable_places(homes, cand, m.params.workforce))
    cand, room = cand[room > 0], room[room > 0]  # terms only where there is room (each home's its own)
    price, agreed = contract_terms(m, cand, la, margin)
    cand, room, price = cand[agreed], room[agreed], price[agreed]
    if len(cand) == 0:
        return
    dist = np.hypot(homes.x[cand] - m.geo.x[la], homes.y[cand] - m.geo.y[la])
    near = nearest_first(np.arange(len(cand)), dist, wanted)
    # nearest first, each home's places until enough are reserved
    free = room[near]
    before = np.cumsum(free) - free  # places reserved in nearer homes
    used = before < wanted
    pos = near[used]
    h = cand[pos]
    homes.block_buyer[h] = buyer
    homes.block_places[h] = np.minimum(free[used], wanted - before[used])
    homes.block_price[h] = price[pos]


def staffable_places(homes, h: np.ndarray, wf) -> np.ndarray:
    """Free places each of homes h has the staff for, each for a medium-need child."""
    need = float(staff_need(np.array([BLOCK_REFERENCE_COMPLEXITY]), np.zeros(1, bool), wf.staff_per_child)[0])
    spare = np.maximum(homes.staff[h] - homes.staff_used[h], 0.0)
    return np.floor(spare / need + 1e-9).astype(np.int64)


def contract_terms(m, h: np.ndarray, la: int, margin: float):
    """The price a block place in each of homes h would be agreed at for authority la's buyer, and
    whether it is agreed (`negotiate`, at the cost of a medium-need child's care in the home)."""
    return negotiate(m, block_cost(m, h), m.region_of_la[la], m.region_of_la[m.homes.la[h]], margin)


def negotiate(m, cost: np.ndarray, buyer_region, home_region, margin: float):
    """A contract's price for places costing `cost` a week, and whether it is agreed.

    A provider gives up the place's spot earnings: the buyer's region's recent spot price (relative
    to cost) times the occupancy the provider expects in the home's region. The buyer pays at most
    cost x (1 + margin). Where the provider's price is above the buyer's, it declines (providers
    will not commit when last-minute places fetch more, NAO25 2.16); otherwise they split the
    difference (BARGAINING_WEIGHT). Returns (price, agreed)."""
    spot = m.flows.recent_relative_price(m.week, m.region_of_la, len(m.occupancy_seen))[buyer_region]
    spot = np.where(np.isfinite(spot), spot, 1 + m.params.pricing.target_margin_private)  # no placements yet: a quote
    provider = cost * spot * m.occupancy_seen[home_region]
    buyer = cost * (1 + min(margin, m.levers.profit_cap))
    return provider + BARGAINING_WEIGHT * (buyer - provider), provider <= buyer


def underwrite_homes(m, la: np.ndarray, shortfall: np.ndarray, buyer: int, margin: float) -> np.ndarray:
    """Forward contracts: for each authority's shortfall of places, providers are offered contracts
    to open new homes there, every place contracted to the buyer for FORWARD_CONTRACT_YEARS from
    opening and paid whether used or not. The terms are negotiated like a block's (`negotiate`, for
    a medium-need child in a new home of UNDERWRITTEN_HOME_PLACES places in that authority): where
    providers' spot earnings are worth more than the buyer will pay, they decline and nothing is
    built. Agreed homes go through planning (some are refused) and Ofsted registration like any
    other. la: distinct authorities. Returns the new homes."""
    short = shortfall > 0
    la, shortfall = la[short], shortfall[short]
    region = m.region_of_la[la]
    cost = care_cost(np.full(len(la), BLOCK_REFERENCE_COMPLEXITY), np.zeros(len(la), bool), m.geo.property_index[la],
                     m.params, m.week, UNDERWRITTEN_HOME_PLACES, m.occupancy_seen[region])
    price, agreed = negotiate(m, cost, region, region, margin)
    n_homes = np.ceil(shortfall[agreed] / UNDERWRITTEN_HOME_PLACES).astype(np.int64)
    site, opens = through_planning(m, np.repeat(la[agreed], n_homes), m.week)
    if len(site) == 0:
        return site
    h = add_homes(m, site, opens, places=np.full(len(site), UNDERWRITTEN_HOME_PLACES))
    agreed_price = np.zeros(m.n_la)
    agreed_price[la[agreed]] = price[agreed]
    homes = m.homes
    homes.block_buyer[h] = buyer
    homes.block_places[h] = homes.places[h]
    homes.block_price[h] = agreed_price[site]
    homes.contract_until[h] = opens + FORWARD_CONTRACT_YEARS * WEEKS_PER_YEAR
    return h


def nearest_first(cand: np.ndarray, dist: np.ndarray, enough: int) -> np.ndarray:
    """Candidates nearest first (ties in candidate order), at least the `enough` nearest of them.

    Every candidate has a free place, so `enough` homes always cover the places wanted: only those
    (and any tied with the last) are sorted, in the order a full stable sort would give them.
    """
    if enough < len(cand):
        near = dist <= np.partition(dist, enough - 1)[enough - 1]
        cand, dist = cand[near], dist[near]
    return cand[np.argsort(dist, kind="stable")]


def block_cost(m, h: np.ndarray, occupancy=None, places=REFERENCE_PLACES_PER_HOME) -> np.ndarray:
    """Weekly cost of a block place in each of homes h: a medium-need child's care in a home of
    `places` places, at `occupancy` (default: what providers expect in the home's region)."""
    la = m.homes.la[h]
    occupancy = m.occupancy_seen[m.region_of_la[la]] if occupancy is None else occupancy
    return care_cost(np.full(len(h), BLOCK_REFERENCE_COMPLEXITY), np.zeros(len(h), bool),
                     m.geo.property_index[la], m.params, m.week, places, occupancy)


def transfer_blocks(homes, old_buyers: np.ndarray, new_buyer: int) -> None:
    """Block contracts held by these buyers pass to a new buyer (authorities joining a cooperative)."""
    homes.block_buyer[np.isin(homes.block_buyer, old_buyers)] = new_buyer
