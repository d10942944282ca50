"""Accounts (phase 6a): who pays whom, homes' costs, profits and owners' reviews."""

from collections import deque
from types import SimpleNamespace

import numpy as np
import pytest

from handmade import GEO, N_LA, REGION_OF_LA, flows, make_children, make_homes
from simmarket.params import Scenario
from simmarket.data import REGIONS
from simmarket.phases.accounts import (OCCUPANCY_MEMORY_WEEKS, PROFIT_SMOOTHING, REVIEW_EVERY_WEEKS, block_payments,
                                      home_costs, learn_occupancy, regional_occupancy, review_owners, settle_accounts)
from simmarket.rules import REFERENCE_PLACES_PER_HOME, property_cost, wage
from simmarket.state import CLOSED, COUNCIL, FOSTER, GONE, HOME, SUPPORTED, UNREG, WAITING, Owners
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()
WEEK = 10


def owners(indebted=(False, False)):
    o = Owners(capacity=4)
    o.add(indebted=np.asarray(indebted))
    return o


def accounts_model(ch, homes, owners_=None, rccs=(), week=WEEK, params=P):
    """What the accounts phase reads and writes (week 10 is not a week of owners' reviews)."""
    return SimpleNamespace(children=ch, homes=homes, owners=owners_ or owners(), params=params, week=week,
                           geo=GEO, n_la=N_LA, region_of_la=REGION_OF_LA, rccs=list(rccs), flows=flows(),
                           providers=[], indebted_providers=[], owner_books=deque(),
                           occupancy_seen=np.full(len(REGIONS), 0.75))


def market():
    """Three homes (one a council home in London, one closed) and children of every status."""
    homes = make_homes(la=[0, 1, 2], sector=[0, 0, COUNCIL], places=[3, 2, 2], occupied=[2, 1, 0],
                       state=[1, 1, CLOSED], owner=[0, 1, 1],
                       block_buyer=[-1, 2, -1], block_places=[0, 1, 0], block_price=[0.0, 4000.0, 0.0])
    ch = make_children(
        la=[0, 1, 2, 0, 1, 2, 0, 1],
        status=[HOME, HOME, HOME, UNREG, FOSTER, SUPPORTED, WAITING, GONE],
        home=[0, 0, 1, -1, -1, -1, -1, -1], block=[False, False, True, False, False, False, False, False],
        price=[5000.0, 6000.0, 4000.0, 12_000.0, 0.0, 0.0, 0.0, 0.0])
    return ch, homes


def test_authorities_spend_is_providers_revenue():
    ch, homes = market()
    m = accounts_model(ch, homes)
    settle_accounts(m)
    la, reg = m.flows.la, m.flows.region
    # spot placements by the child's authority, the block by its holder (authority 2)
    assert la["spend_homes"][WEEK].tolist() == pytest.approx([5000.0, 6000.0, 4000.0])
    assert reg["provider_revenue"][WEEK].sum() == pytest.approx(la["spend_homes"][WEEK].sum())
    assert reg["provider_revenue"][WEEK, 0] == pytest.approx(15_000.0)  # both homes are East Midlands
    other = [12_000.0, P.foster.cost_gbp_week, P.supported.cost_gbp_week]
    assert la["spend_total"][WEEK].tolist() == pytest.approx(np.add(la["spend_homes"][WEEK], other).tolist())
    assert reg["private_revenue"][WEEK, 0] == pytest.approx(15_000.0)
    assert la["spend_homes"][WEEK + 1].sum() == 0  # only this week's
    assert m.owners.revenue_to_date.tolist() == pytest.approx([11_000.0, 4000.0])  # the owners' books


def test_a_cooperatives_block_payments_are_shared_by_members_children_in_homes():
    coop = SimpleNamespace(customer_id=N_LA, members=np.array([0, 1]), active_members=np.array([0, 1]))
    homes = make_homes(places=[4, 4], block_buyer=[N_LA, 2], block_places=[2, 1], block_price=[3000.0, 2000.0])
    ch = make_children(la=[0, 0, 0, 1, 1, 2], status=[HOME, HOME, HOME, HOME, WAITING, HOME], home=[0, 0, 1, 1, -1, 1])
    m = accounts_model(ch, homes, rccs=[coop])
    blocks = homes.block_places * homes.block_price
    pay = block_payments(m, blocks)
    assert pay.tolist() == pytest.approx([6000.0 * 3 / 4, 6000.0 / 4, 2000.0])
    assert pay.sum() == pytest.approx(blocks.sum())
    # members who have not joined yet pay nothing
    coop.active_members = np.array([1])
    assert block_payments(m, blocks).tolist() == pytest.approx([0.0, 6000.0, 2000.0])


def test_a_homes_cost_covers_its_full_staff_establishment():
    p = P.replace(**{"workforce.staff_per_place_target": 4.0, "workforce.core_staff_per_home": 0.0})
    homes = make_homes(places=[3, 3, 3, 3], staff=[5, 15, 5, 5], state=[1, 1, 1, CLOSED], owner=[0, 0, 1, 0])
    m = accounts_model(make_children(status=GONE), homes, owners((False, True)), params=p)
    rev = np.array([10_000.0, 10_000.0, 10_000.0, 0.0])
    cost = home_costs(m, rev)
    prop = property_cost(np.ones(1), p)[0]
    w = wage(p, WEEK)
    assert cost[0] == pytest.approx(12 * w + 3 * prop)  # vacancies are paid for (agency staff)
    assert cost[1] == pytest.approx(15 * w + 3 * prop)  # staff above the establishment too
    assert cost[2] == pytest.approx(12 * w + 3 * prop + p.pricing.debt_cost_share * 10_000.0)  # indebted owner
    assert cost[3] == 0.0  # closed


def test_a_small_home_pays_its_core_staff_for_fewer_places():
    p = P.replace(**{"workforce.staff_per_place_target": 4.0, "workforce.core_staff_per_home": 3.0})
    homes = make_homes(places=[2, 6], staff=[0, 0], state=[1, 1], owner=[0, 0])
    m = accounts_model(make_children(status=GONE), homes, owners((False,)), params=p)
    cost = home_costs(m, np.zeros(2))
    staff = (cost - homes.places * property_cost(np.ones(1), p)[0]) / wage(p, WEEK)
    beyond = 4.0 - 3.0 / REFERENCE_PLACES_PER_HOME
    assert staff.tolist() == pytest.approx([3.0 + 2 * beyond, 3.0 + 6 * beyond])
    assert staff[0] / 2 > 4.0 > staff[1] / 6  # per place: dearer small, cheaper large


def test_providers_learn_their_regions_occupancy_over_about_a_year():
    homes = make_homes(la=[0, 1, 2], places=[4, 4, 2], occupied=[4, 1, 2], state=[1, 1, CLOSED])
    m = accounts_model(make_children(status=GONE), homes)
    occ = regional_occupancy(m)
    for r in set(REGION_OF_LA[:2].tolist()):
        mine = REGION_OF_LA[homes.la[:2]] == r
        assert occ[r] == pytest.approx(homes.occupied[:2][mine].sum() / homes.places[:2][mine].sum())  # closed: out
    before = m.occupancy_seen.copy()
    learn_occupancy(m)
    np.testing.assert_allclose(m.occupancy_seen, before + (occ - before) / OCCUPANCY_MEMORY_WEEKS)
    fixed = accounts_model(make_children(status=GONE), homes, params=P.replace(**{"pricing.price_for_occupancy": False}))
    learn_occupancy(fixed)
    assert (fixed.occupancy_seen == 0.75).all()


def test_profits_are_smoothed_and_only_active_homes_keep_them():
    ch, homes = market()
    homes.profit_ewma[:] = [100.0, -100.0, 50.0]
    m = accounts_model(ch, homes)
    rev = np.array([11_000.0, 4000.0, 0.0])
    cost = home_costs(m, rev)
    settle_accounts(m)
    expected = (1 - PROFIT_SMOOTHING) * np.array([100.0, -100.0]) + PROFIT_SMOOTHING * (rev - cost)[:2]
    assert homes.profit_ewma.tolist() == pytest.approx([*expected, 0.0])
    assert m.flows.region["private_cost"][WEEK, 0] == pytest.approx(cost[:2].sum())


def test_indebted_owners_review_their_last_twelve_months_every_four_weeks():
    homes = make_homes(owner=[0, 1, 1])
    provs = [SimpleNamespace(index=i, revenue_12m=0.0, cost_12m=0.0) for i in range(2)]
    reviews = []
    m = accounts_model(make_children(status=GONE), homes, owners((False, True)), week=0)
    m.providers, m.indebted_providers = provs, _AgentSet(provs[1:], reviews)
    rev, cost = np.array([1.0, 2.0, 4.0]), np.array([3.0, 5.0, 7.0])
    for week in range(WEEKS_PER_YEAR + 8):
        m.week = week
        review_owners(m, rev * (2 if week >= WEEKS_PER_YEAR else 1), cost)
        if week == WEEKS_PER_YEAR - 1:  # the 13th review: a year of books
            assert (provs[1].revenue_12m, provs[1].cost_12m) == (WEEKS_PER_YEAR * 6.0, WEEKS_PER_YEAR * 12.0)
    assert len(reviews) == (WEEKS_PER_YEAR + 8) // REVIEW_EVERY_WEEKS
    # at week 59: the last twelve months are weeks 8-59, eight of them at double revenue
    assert provs[1].revenue_12m == pytest.approx((WEEKS_PER_YEAR - 8) * 6.0 + 8 * 12.0)
    assert provs[1].cost_12m == pytest.approx(WEEKS_PER_YEAR * 12.0)
    assert provs[0].revenue_12m == 0.0  # not indebted: not reviewed
    to_date = (WEEKS_PER_YEAR + 16) * np.array([1.0, 6.0])  # 52 weeks at single and 8 at double revenue
    assert m.owners.revenue_to_date.tolist() == pytest.approx(to_date.tolist())


class _AgentSet(list):
    """The indebted providers: iterated, and told to review."""

    def __init__(self, items, log):
        super().__init__(items)
        self.log = log

    def do(self, name):
        self.log.append(name)
