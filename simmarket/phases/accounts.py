"""Phase 6a, accounts: authorities pay for every placement; providers earn, pay their costs and
review their finances."""

from __future__ import annotations

import numpy as np

from ..kernels import books
from ..rules import establishment, property_cost, wage
from ..state import ACTIVE, COUNCIL, FOSTER, GONE, HOME, N_STATUS, SUPPORTED, UNREG
from ..time import WEEKS_PER_YEAR

PROFIT_SMOOTHING = 1 / 13  # weekly weight of a home's profit average (about a quarter; prior)
OCCUPANCY_MEMORY_WEEKS = 52  # providers' view of occupancy averages about the last year (prior)
REVIEW_EVERY_WEEKS = 4  # indebted owners review their finances every four weeks (prior)
REVIEWS_PER_YEAR = WEEKS_PER_YEAR // REVIEW_EVERY_WEEKS  # 13
HOME_OFFICE_UASC_GBP_NIGHT = 143.0  # NAO25 1.13, 3.18: the Home Office pays 143 a night for each unaccompanied child in care
NIGHTS_PER_WEEK = 7


def settle_accounts(m) -> None:
    """Authorities pay for every placement; providers earn, pay their costs, and review."""
    ch, homes = m.children, m.homes
    # spot placements (not block places) earn their homes their price, paid by the child's authority
    rev_spot, spend_homes, spend_unreg, in_use, uasc = books.child_accounts(
        ch.status, ch.block, ch.home, ch.la, ch.price, ch.uasc, homes.n, m.n_la, N_STATUS, HOME, UNREG, GONE)
    blocks = np.where(homes.state == ACTIVE, homes.block_places * homes.block_price, 0.0)
    rev = rev_spot + blocks
    cost = home_costs(m, rev)
    books.smooth_profit(homes.state, homes.profit_ewma, rev, cost, ACTIVE, 1 - PROFIT_SMOOTHING, PROFIT_SMOOTHING)
    # authorities' spend: home placements (spot and block) by the child's / holder's authority
    spend_homes += block_payments(m, blocks)
    spend_total = spend_homes + other_spend(m, spend_unreg, in_use)
    m.flows.record_money(m.week, spend_homes, spend_total, homes, rev, cost, m.region_of_la)
    record_finance(m, spend_unreg, in_use, rev, cost, uasc)
    review_owners(m, rev, cost)
    learn_occupancy(m)


def regional_occupancy(m) -> np.ndarray:
    """Children in homes per registered place of the active homes, by region."""
    homes = m.homes
    places, occupied = books.pair_sums(m.region_of_la[homes.la], homes.state == ACTIVE, homes.places, homes.occupied,
                                       len(m.occupancy_seen))
    return occupied / np.maximum(places, 1.0)


def learn_occupancy(m) -> None:
    """Providers price for the occupancy their region has had over about the last year
    (`pricing.price_for_occupancy`): a home's costs are spread over the children it can expect,
    so when places grow faster than children each child pays for more empty places (facts.md,
    History: occupancy fell from 0.77 to 0.69 while real prices rose)."""
    if m.params.pricing.price_for_occupancy:
        m.occupancy_seen[:] += (regional_occupancy(m) - m.occupancy_seen) / OCCUPANCY_MEMORY_WEEKS


def home_costs(m, rev: np.ndarray) -> np.ndarray:
    """Each home's weekly cost: its full staff establishment, its property, and (for highly
    indebted owners) debt service as a share of revenue."""
    homes, p = m.homes, m.params
    # homes pay for their full establishment: vacancies are covered by agency staff and overtime
    # (which keep the rota legal but do not add capacity for new children)
    return books.home_costs(homes.state, homes.places, establishment(homes.places, p.workforce), homes.staff,
                            homes.la, homes.owner, property_cost(m.geo.property_index, p), m.owners.indebted, rev,
                            ACTIVE, wage(p, m.week), float(p.pricing.debt_cost_share))


def other_spend(m, spend_unreg: np.ndarray, in_use: np.ndarray) -> np.ndarray:
    """Authorities' spend on unregistered settings (spend_unreg), foster care and supported
    accommodation; in_use: children by status and authority."""
    p = m.params
    return spend_unreg + in_use[FOSTER] * p.foster.cost_gbp_week + in_use[SUPPORTED] * p.supported.cost_gbp_week


def record_finance(m, spend_unreg: np.ndarray, in_use: np.ndarray, rev: np.ndarray, cost: np.ndarray,
                   uasc: np.ndarray) -> None:
    """Money a finance director adds to the prices paid, recorded by authority and read by no
    decision: spend on unregistered settings and supported accommodation; children in homes and
    unregistered settings (for spend per child); council homes' full running cost and their income
    from placements, by the authority the home is in (council homes are run by the authority they
    are in); and the Home Office's funding of unaccompanied children, 143 a night for each one in
    care (placed or waiting), by the child's authority (uasc: those in care, by authority)."""
    homes = m.homes
    council = (homes.sector == COUNCIL) & (homes.state == ACTIVE)
    council_cost, council_income = books.pair_sums(homes.la, council, cost, rev, m.n_la)
    m.flows.record_finance(
        m.week,
        spend_unregistered=spend_unreg,
        spend_supported=in_use[SUPPORTED] * m.params.supported.cost_gbp_week,
        residential_children=in_use[HOME] + in_use[UNREG],
        council_cost=council_cost,
        council_income=council_income,
        home_office=uasc * (HOME_OFFICE_UASC_GBP_NIGHT * NIGHTS_PER_WEEK))


def block_payments(m, blocks: np.ndarray) -> np.ndarray:
    """Block payments by authority: a cooperative's are shared by members' children in homes."""
    homes = m.homes
    held = homes.block_buyer >= 0
    by_buyer = np.bincount(homes.block_buyer[held], weights=blocks[held], minlength=m.n_la + len(m.rccs))
    pay = by_buyer[: m.n_la].copy()
    if len(m.rccs) and by_buyer[m.n_la:].any():
        ch = m.children
        kids = np.bincount(ch.la[ch.status == HOME], minlength=m.n_la).astype(float) + 1e-9
        for rcc in m.rccs:
            amount = by_buyer[rcc.customer_id]
            if amount:
                mem = rcc.active_members if len(rcc.active_members) else rcc.members
                pay[mem] += amount * kids[mem] / kids[mem].sum()
    return pay


def review_owners(m, rev: np.ndarray, cost: np.ndarray) -> None:
    """Owners' books: revenue and cost to date; every four weeks the highly indebted owners look
    at their last twelve months and may fail."""
    owners, n = m.owners, m.owners.n
    revenue, costs = books.pair_sums(m.homes.owner, None, rev, cost, n)
    owners.revenue_to_date[:] += revenue
    owners.cost_to_date[:] += costs
    if m.week % REVIEW_EVERY_WEEKS != REVIEW_EVERY_WEEKS - 1:
        return
    kept = m.owner_books
    kept.append((owners.revenue_to_date.copy(), owners.cost_to_date.copy()))
    # the books a year ago (none in the first year); indebted owners all exist from the start
    then = kept.popleft() if len(kept) > REVIEWS_PER_YEAR else None
    for prov in m.indebted_providers:
        i = prov.index
        prov.revenue_12m = owners.revenue_to_date[i] - (then[0][i] if then is not None else 0.0)
        prov.cost_12m = owners.cost_to_date[i] - (then[1][i] if then is not None else 0.0)
    m.indebted_providers.do("review")
