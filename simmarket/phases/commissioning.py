"""Phase 3, commissioning: each April, running fees are uplifted, block contracts are renewed
and capital is committed.

Authorities with forward plans and cooperatives reserve places ahead at agreed prices (paid
for whether used or not); everything else is bought on the spot market in the clearing.
"""

from __future__ import annotations

import numpy as np

from ..rules import care_cost, place_cost
from ..state import ACTIVE, COUNCIL, HOME
from ..time import WEEKS_PER_YEAR

BLOCK_REFERENCE_COMPLEXITY = 1  # a block place is priced at a medium-need child's cost (prior)


def commission_blocks(m) -> None:
    """Each April, authorities with forward plans and cooperatives renew their block contracts;
    cooperatives commission new homes with their capital."""
    if m.week % WEEKS_PER_YEAR != 0:
        return
    if m.week > 0 and m.params.pricing.fee_uplift:
        uplift_fees(m)
    m.homes.clear_blocks()
    m.children.block[:] = False
    ch = m.children
    m.authorities.do("plan_blocks", np.bincount(ch.la[ch.status == HOME], minlength=m.n_la))
    for rcc in m.rccs:
        rcc.plan_blocks()
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
    """Block-contract up to `wanted` free places in the homes nearest to an authority, for a buyer
    (the authority or its cooperative)."""
    if wanted <= 0:
        return
    homes = m.homes
    cand = np.flatnonzero((homes.state == ACTIVE) & (homes.block_buyer < 0) & (homes.sector != COUNCIL)
                          & ~homes.secure & (homes.places > homes.occupied) & homes.manager)
    if len(cand) == 0:
        return
    dist = np.hypot(homes.x[cand] - m.geo.x[la], homes.y[cand] - m.geo.y[la])
    near = nearest_first(cand, dist, wanted)
    # nearest first, each home's free places until enough are reserved
    free = homes.places[near] - homes.occupied[near]
    before = np.cumsum(free) - free  # places reserved in nearer homes
    used = before < wanted
    h = near[used]
    homes.block_buyer[h] = buyer
    homes.block_places[h] = np.minimum(free[used], wanted - before[used])
    homes.block_price[h] = block_price(m, h, margin)


def nearest_first(cand: np.ndarray, dist: np.ndarray, enough: int) -> np.ndarray:
    """Candidates nearest first (ties in candidate order), at least the `enough` nearest of them.

    Every candidate has a free place, so `enough` homes always cover the places wanted: only those
    (and any tied with the last) are sorted, in the order a full stable sort would give them.
    """
    if enough < len(cand):
        near = dist <= np.partition(dist, enough - 1)[enough - 1]
        cand, dist = cand[near], dist[near]
    return cand[np.argsort(dist, kind="stable")]


def block_price(m, h: np.ndarray, margin: float) -> np.ndarray:
    """Agreed weekly price for a block place in each of homes h: cost of a medium-need child plus
    the block margin."""
    la = m.homes.la[h]
    c = care_cost(np.full(len(h), BLOCK_REFERENCE_COMPLEXITY), np.zeros(len(h), bool),
                  m.geo.property_index[la], m.params, m.week, occupancy=m.occupancy_seen[m.region_of_la[la]])
    return c * (1 + min(margin, m.levers.profit_cap))


def transfer_blocks(homes, old_buyers: np.ndarray, new_buyer: int) -> None:
    """Block contracts held by these buyers pass to a new buyer (authorities joining a cooperative)."""
    homes.block_buyer[np.isin(homes.block_buyer, old_buyers)] = new_buyer
