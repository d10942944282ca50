"""Phase 6a, accounts: authorities pay for every placement; providers earn, pay their costs and
review their finances."""

from __future__ import annotations

import numpy as np

from ..kernels import accounts
from ..kernels.accounts import (COUNCIL_COST, COUNCIL_INCOME, HOME_OFFICE, IN_HOMES, RESIDENTIAL, SPEND_OTHER,
                               SPEND_SPOT, SPEND_SUPPORTED, SPEND_UNREG)
from ..rules import property_cost, wage
from ..rules.costs import staff_per_place_beyond_core
from ..state import ACTIVE, COUNCIL, FOSTER, GONE, HOME, N_STATUS, SUPPORTED, UNREG
from ..time import WEEKS_PER_YEAR

PROFIT_SMOOTHING = 1 / 13  # weekly weight of a home's profit average (about a quarter; prior)
OCCUPANCY_MEMORY_WEEKS = 52  # providers' view of occupancy averages about the last year (prior)
REVIEW_EVERY_WEEKS = 4  # indebted owners review their finances every four weeks (prior)
REVIEWS_PER_YEAR = WEEKS_PER_YEAR // REVIEW_EVERY_WEEKS  # 13
HOME_OFFICE_UASC_GBP_NIGHT = 143.0  # NAO25 1.13, 3.18: the Home Office pays 143 a night for each unaccompanied child in care
NIGHTS_PER_WEEK = 7
CODES = (HOME, UNREG, GONE, FOSTER, SUPPORTED, N_STATUS, ACTIVE, COUNCIL)  # kernels.accounts.settle's codes


def settle_accounts(m) -> None:
    """Authorities pay for every placement; providers earn, pay their costs, and review."""
    rev, cost, by_buyer, by_la = book_the_week(m)
    # authorities' spend: home placements (spot and block) by the child's / holder's authority
    spend_homes = by_la[SPEND_SPOT] + block_payments(m, by_buyer, by_la[IN_HOMES])
    spend_total = spend_homes + by_la[SPEND_OTHER]
    m.flows.record_money(m.week, spend_homes, spend_total, m.homes, rev, cost, m.region_of_la)
    record_finance(m, by_la)
    review_owners(m)
    learn_occupancy(m)


def book_the_week(m):
    """The week's books in one pass over the children and one over the homes: spot placements
    (not block places) earn their homes their price, paid by the child's authority; active homes
    earn their block places' price; each home pays its costs (`kernels.accounts.home_accounts`: its
    full staff establishment, whose vacancies are covered by agency staff and overtime, which keep
    the rota legal but do not add capacity for new children; its property; and, for highly indebted
    owners, debt service as a share of revenue), and its profit average and its owner's revenue
    and cost to date take them in.

    Returns each home's revenue and cost, block payments by customer (authority or cooperative)
    and the table by authority of `kernels.accounts.settle` (spend, children, council homes' money,
    Home Office funding)."""
    ch, homes, owners, p = m.children, m.homes, m.owners, m.params
    wf = p.workforce
    money = (float(wf.core_staff_per_home), float(staff_per_place_beyond_core(wf)), float(wage(p, m.week)),
             float(p.pricing.debt_cost_share), 1 - PROFIT_SMOOTHING, PROFIT_SMOOTHING, float(p.foster.cost_gbp_week),
             float(p.supported.cost_gbp_week), HOME_OFFICE_UASC_GBP_NIGHT * NIGHTS_PER_WEEK)
    return accounts.settle(ch.status, ch.block, ch.home, ch.la, ch.price, ch.uasc, homes.state, homes.sector, homes.la,
                           homes.owner, homes.places, homes.staff, homes.block_buyer, homes.block_places,
                           homes.block_price, homes.profit_ewma, owners.indebted, owners.revenue_to_date,
                           owners.cost_to_date, property_cost(m.geo.property_index, p), m.n_la, m.n_la + len(m.rccs),
                           CODES, money)


def learn_occupancy(m) -> None:
    """Providers price for the occupancy their region has had over about the last year
    (`pricing.price_for_occupancy`): a home's costs are spread over the children it can expect,
    so when places grow faster than children each child pays for more empty places (facts.md,
    History: occupancy fell from 0.77 to 0.69 while real prices rose). Occupancy is children in
    homes per registered place of the active homes, by region."""
    if m.params.pricing.price_for_occupancy:
        homes = m.homes
        accounts.learn_occupancy(m.occupancy_seen, m.region_of_la, homes.la, homes.state, homes.places, homes.occupied,
                                 ACTIVE, OCCUPANCY_MEMORY_WEEKS)


def record_finance(m, by_la: np.ndarray) -> None:
    """Money a finance director adds to the prices paid, recorded by authority and read by no
    decision: spend on unregistered settings and supported accommodation; children in homes and
    unregistered settings (for spend per child); council homes' full running cost and their income
    from placements, by the authority the home is in (council homes are run by the authority they
    are in); and the Home Office's funding of unaccompanied children, 143 a night for each one in
    care (placed or waiting), by the child's authority (by_la: `book_the_week`'s table)."""
    m.flows.record_finance(
        m.week,
        spend_unregistered=by_la[SPEND_UNREG],
        spend_supported=by_la[SPEND_SUPPORTED],
        residential_children=by_la[RESIDENTIAL],
        council_cost=by_la[COUNCIL_COST],
        council_income=by_la[COUNCIL_INCOME],
        home_office=by_la[HOME_OFFICE])


def block_payments(m, by_buyer: np.ndarray, in_homes: np.ndarray) -> np.ndarray:
    """Block payments by authority, from those by customer (by_buyer): a cooperative's are shared
    by members' children in homes (in_homes: by authority)."""
    pay = by_buyer[: m.n_la].copy()
    if len(m.rccs) and by_buyer[m.n_la:].any():
        kids = in_homes + 1e-9
        for rcc in m.rccs:
            amount = by_buyer[rcc.customer_id]
            if amount:
                mem = rcc.active_members if len(rcc.active_members) else rcc.members
                pay[mem] += amount * kids[mem] / kids[mem].sum()
    return pay


def review_owners(m) -> None:
    """Every four weeks the highly indebted owners look at their last twelve months (from their
    revenue and cost to date, `book_the_week`) and may fail."""
    owners = m.owners
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
