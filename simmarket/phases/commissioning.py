"""Phase 3, commissioning: each April, running fees are uplifted, block contracts are renewed
and capital is committed.

Authorities with forward plans and cooperatives reserve places ahead at agreed prices (paid
for whether used or not); everything else is bought on the spot market in the clearing.
"""

from __future__ import annotations

import numpy as np

from ..kernels.entry import reserve_nearest
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
    staff (each for a medium-need child), at a negotiated price (`contract_terms`); a provider
    that declines reserves nothing. Nearest first, each home's places until enough are reserved:
    one pass over the homes (kernels.entry.reserve_nearest)."""
    if wanted <= 0:
        return
    homes, wf = m.homes, m.params.workforce
    need = float(staff_need(np.array([BLOCK_REFERENCE_COMPLEXITY]), np.zeros(1, bool), wf.staff_per_child)[0])
    spot, limit = contract_terms(m, la, margin)
    occupancy = m.occupancy_seen[m.region_of_la]  # what providers expect, by authority
    reserve_nearest((homes.state, homes.block_buyer, homes.sector, homes.secure, homes.manager, homes.la, homes.places,
                     homes.occupied, homes.staff, homes.staff_used, homes.x, homes.y),
                    block_cost(m, np.arange(len(occupancy)), occupancy), occupancy,
                    (spot, limit, BARGAINING_WEIGHT, need, ACTIVE, COUNCIL), (m.geo.x[la], m.geo.y[la]),
                    wanted, buyer, homes.block_places, homes.block_price)


def contract_terms(m, la: int, margin: float) -> tuple[float, float]:
    """The terms on which a block place would be agreed, each relative to the place's cost:
    (spot, limit).

    A provider gives up the place's spot earnings: the buyer's region's recent spot price (relative
    to cost, `spot`) times the occupancy the provider expects. The buyer pays at most cost x
    `limit`, 1 + margin. Where the provider's price is above the buyer's, it declines (providers
    will not commit when last-minute places fetch more, NAO25 2.16); otherwise they split the
    difference (BARGAINING_WEIGHT)."""
    region = m.region_of_la[la]
    spot = m.flows.recent_relative_price(m.week, m.region_of_la, len(m.occupancy_seen))[region]
    if not np.isfinite(spot):  # no placements yet: what providers quote a medium-need child
        spot = 1 + m.params.pricing.target_margin_private
    return float(spot), 1 + min(margin, m.levers.profit_cap)


def underwrite_homes(m, la: np.ndarray, shortfall: np.ndarray, buyer: int, margin: float) -> np.ndarray:
    """Forward contracts: for each authority's shortfall of places, providers are offered contracts
    to open new homes there, every place contracted to the buyer for FORWARD_CONTRACT_YEARS from
    opening and paid whether used or not. The terms are a block's (`contract_terms`, for a
    medium-need child in a new home of UNDERWRITTEN_HOME_PLACES places in that authority, at the
    occupancy providers expect in its region): where the places' spot earnings are worth more than
    the buyer will pay, the provider declines and nothing is built. Agreed homes go through planning
    (some are refused) and Ofsted registration like any other. la: distinct authorities. Returns
    the new homes."""
    short = shortfall > 0
    la, shortfall = la[short], shortfall[short]
    price, agreed = forward_terms(m, la, margin)
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


def forward_terms(m, la: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """The price a place in a new underwritten home in each of authorities la would be agreed at,
    and whether it is agreed: a block's terms (`contract_terms`; the provider gives up the places'
    spot earnings, the buyer pays at most cost x (1 + margin), and they split the difference)."""
    occupancy = m.occupancy_seen[m.region_of_la[la]]
    cost = block_cost(m, la, occupancy, places=UNDERWRITTEN_HOME_PLACES)
    spot, limit = np.array([contract_terms(m, a, margin) for a in la.tolist()]).reshape(-1, 2).T
    provider, buyer = cost * spot * occupancy, cost * limit
    return provider + BARGAINING_WEIGHT * (buyer - provider), provider <= buyer


def block_cost(m, la: np.ndarray, occupancy=None, places=REFERENCE_PLACES_PER_HOME) -> np.ndarray:
    """Weekly cost of a block place in a home in each of authorities la: a medium-need child's care
    in a home of `places` places, at `occupancy` (default: what providers expect in the region)."""
    occupancy = m.occupancy_seen[m.region_of_la[la]] if occupancy is None else occupancy
    return care_cost(np.full(len(la), BLOCK_REFERENCE_COMPLEXITY), np.zeros(len(la), bool),
                     m.geo.property_index[la], m.params, m.week, places, occupancy)


def transfer_blocks(homes, old_buyers: np.ndarray, new_buyer: int) -> None:
    """Block contracts held by these buyers pass to a new buyer (authorities joining a cooperative)."""
    homes.block_buyer[np.isin(homes.block_buyer, old_buyers)] = new_buyer
