"""Accounts (phase 6a): who pays whom, homes' costs, profits and owners' reviews."""

import datetime as dt
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from handmade import GEO, N_LA, REGION_OF_LA, flows, make_children, make_homes
from simmarket.params import Scenario
import simmarket.data
from simmarket.data import REGIONS, load_authorities
from simmarket.metrics import METRICS, View
from simmarket.kernels.accounts import IN_HOMES
from simmarket.phases.accounts import (HOME_OFFICE_UASC_GBP_NIGHT, OCCUPANCY_MEMORY_WEEKS, PROFIT_SMOOTHING,
                                      REVIEW_EVERY_WEEKS, block_payments, book_the_week, learn_occupancy,
                                      review_owners, settle_accounts)
from simmarket.rules import REFERENCE_PLACES_PER_HOME, care_cost, property_cost, wage
from simmarket.state import CLOSED, COUNCIL, FOSTER, GONE, HOME, PIPELINE, SUPPORTED, UNREG, WAITING, Owners
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()
SHIPPED_AUTHORITIES = Path(simmarket.data.__file__).parent / "local_authorities.csv"
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


def test_reserved_places_are_paid_for_empty_or_not_and_forward_contracts_once_the_home_opens():
    """Blocks are paid whether used or not: an empty block, a forward-contracted home with one of
    its three places used, and one still being built (not paid yet); spend = providers' revenue."""
    homes = make_homes(la=[0, 1, 2], places=[2, 3, 3], state=[1, 1, PIPELINE], owner=[0, 1, 1],
                       block_buyer=[0, 1, 2], block_places=[2, 3, 3], block_price=[3000.0, 2500.0, 2500.0],
                       contract_until=[-1, WEEK + 200, WEEK + 300])
    ch = make_children(la=[1, 2], status=[HOME, HOME], home=[1, 1], block=[True, False], price=[0.0, 7000.0])
    m = accounts_model(ch, homes)
    settle_accounts(m)
    spend = m.flows.la["spend_homes"][WEEK]
    assert spend.tolist() == pytest.approx([2 * 3000.0, 3 * 2500.0, 7000.0])
    assert m.flows.region["provider_revenue"][WEEK].sum() == pytest.approx(spend.sum())
    assert m.flows.la["residential_child_weeks"][WEEK].tolist() == [0, 1, 1]
    per_child = METRICS["la_spend_per_child_in_homes_gbp"].per_authority(View(m, np.ones(N_LA, bool), WEEK, WEEK + 1))
    assert per_child[1] == pytest.approx(3 * 2500.0 * WEEKS_PER_YEAR)  # one child carries the whole block
    assert np.isnan(per_child[0])  # an empty block and no child: no spend per child


def council_market():
    """Authority 0's council home, four places, two used (its own child and one of authority 1's,
    each at cost), a private home with authority 1's child, and one of authority 2's unregistered."""
    homes = make_homes(la=[0, 1], sector=[COUNCIL, 0], places=[4, 2], staff=[0, 0], owner=[0, 1])
    cost = care_cost(np.array([1, 1]), np.zeros(2, bool), np.ones(2), P, WEEK, 4)
    ch = make_children(la=[0, 1, 1, 2], status=[HOME, HOME, HOME, UNREG], home=[0, 0, 1, -1],
                       price=[*cost, 6000.0, 9000.0])
    return ch, homes


def test_council_homes_at_full_cost_cost_more_than_their_prices_when_places_are_empty():
    ch, homes = council_market()
    m = accounts_model(ch, homes)
    settle_accounts(m)
    full = book_the_week(accounts_model(*council_market()))[1][0]
    income = ch.price[:2].sum()
    la = m.flows.la
    assert la["council_home_cost"][WEEK].tolist() == pytest.approx([full, 0.0, 0.0])
    assert la["council_home_income"][WEEK].tolist() == pytest.approx([income, 0.0, 0.0])
    v = View(m, np.ones(N_LA, bool), WEEK, WEEK + 1)
    priced = METRICS["la_spend_childrens_homes_gbp"].definition(v) + la["spend_unregistered"][WEEK].sum()
    full_cost = METRICS["la_spend_residential_full_cost_gbp"].definition(v)
    assert full > income and full_cost > priced  # two empty places of four are paid for
    assert full_cost == pytest.approx(full + 6000.0 + 9000.0)  # non-council placements, council homes' cost, unregistered
    # by authority: the council pays its home's cost less what others paid it; they pay their prices
    by_la = METRICS["la_spend_residential_full_cost_gbp"].per_authority(v)
    assert by_la.tolist() == pytest.approx([full - ch.price[1], ch.price[1] + 6000.0, 9000.0])
    assert METRICS["council_homes_full_cost_gbp"].definition(v) == pytest.approx(full)


def test_the_home_office_pays_143_a_night_for_each_unaccompanied_child_in_care():
    ch = make_children(la=[0, 0, 1, 2, 2, 1], status=[FOSTER, WAITING, SUPPORTED, HOME, GONE, FOSTER],
                       home=[-1, -1, -1, 0, -1, -1], uasc=[True, True, True, True, True, False], price=5000.0)
    m = accounts_model(ch, make_homes(places=[2]))
    weeks = (12, 13, 14)  # no owners' review in these weeks
    for week in weeks:
        m.week = week
        settle_accounts(m)
    per_week = HOME_OFFICE_UASC_GBP_NIGHT * 7
    assert per_week == 1001.0
    v = View(m, np.ones(N_LA, bool), weeks[0], weeks[-1] + 1)
    funding = METRICS["home_office_uasc_funding_gbp"]
    assert funding.per_authority(v).tolist() == pytest.approx([2 * 3 * per_week, 3 * per_week, 3 * per_week])
    assert funding.definition(v) == pytest.approx(4 * 3 * per_week)  # 12 child-weeks; not the one who left care
    net = METRICS["la_spend_net_of_home_office_gbp"].definition(v)
    assert net == pytest.approx(METRICS["la_spend_total_gbp"].definition(v) - 12 * per_week)


def test_a_cooperatives_block_payments_are_shared_by_members_children_in_homes():
    coop = SimpleNamespace(customer_id=N_LA, members=np.array([0, 1]), active_members=np.array([0, 1]))
    homes = make_homes(places=[4, 4], block_buyer=[N_LA, 2], block_places=[2, 1], block_price=[3000.0, 2000.0])
    ch = make_children(la=[0, 0, 0, 1, 1, 2], status=[HOME, HOME, HOME, HOME, WAITING, HOME], home=[0, 0, 1, 1, -1, 1])
    m = accounts_model(ch, homes, rccs=[coop])
    blocks = homes.block_places * homes.block_price
    _, _, by_buyer, by_la = book_the_week(m)
    assert by_buyer.tolist() == [0.0, 0.0, 2000.0, 6000.0]  # by customer: the cooperative is customer N_LA
    pay = block_payments(m, by_buyer, by_la[IN_HOMES])
    assert pay.tolist() == pytest.approx([6000.0 * 3 / 4, 6000.0 / 4, 2000.0])
    assert pay.sum() == pytest.approx(blocks.sum())
    # members who have not joined yet pay nothing
    coop.active_members = np.array([1])
    assert block_payments(m, by_buyer, by_la[IN_HOMES]).tolist() == pytest.approx([0.0, 6000.0, 2000.0])


def test_a_homes_cost_covers_its_full_staff_establishment():
    p = P.replace(**{"workforce.staff_per_place_target": 4.0, "workforce.core_staff_per_home": 0.0})
    homes = make_homes(places=[3, 3, 3, 3], staff=[5, 15, 5, 5], state=[1, 1, 1, CLOSED], owner=[0, 0, 1, 0])
    paying = make_children(status=HOME, home=[0, 1, 2], price=10_000.0)  # spot placements: revenue of 10,000
    m = accounts_model(paying, homes, owners((False, True)), params=p)
    rev, cost, _, _ = book_the_week(m)
    assert rev.tolist() == [10_000.0, 10_000.0, 10_000.0, 0.0]
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
    cost = book_the_week(m)[1]
    staff = (cost - homes.places * property_cost(np.ones(1), p)[0]) / wage(p, WEEK)
    beyond = 4.0 - 3.0 / REFERENCE_PLACES_PER_HOME
    assert staff.tolist() == pytest.approx([3.0 + 2 * beyond, 3.0 + 6 * beyond])
    assert staff[0] / 2 > 4.0 > staff[1] / 6  # per place: dearer small, cheaper large


def test_providers_learn_their_regions_occupancy_over_about_a_year():
    homes = make_homes(la=[0, 1, 2], places=[4, 4, 2], occupied=[4, 1, 2], state=[1, 1, CLOSED])
    m = accounts_model(make_children(status=GONE), homes)
    occ = np.zeros(len(REGIONS))  # regions without active homes: none occupied
    for r in set(REGION_OF_LA[:2].tolist()):
        mine = REGION_OF_LA[homes.la[:2]] == r
        occ[r] = homes.occupied[:2][mine].sum() / homes.places[:2][mine].sum()  # closed: out
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
    rev, cost, _, _ = book_the_week(accounts_model(*market()))
    assert rev.tolist() == [11_000.0, 4000.0, 0.0]
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
        # the week's books by owner (book_the_week adds them), then the review
        m.owners.revenue_to_date[:] += np.bincount(homes.owner, rev * (2 if week >= WEEKS_PER_YEAR else 1))
        m.owners.cost_to_date[:] += np.bincount(homes.owner, cost)
        review_owners(m)
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


def test_residential_spend_is_compared_with_each_authoritys_shipped_ro3_outturn():
    """Hartlepool alone, Middlesbrough alone and every other authority as one (with some that did
    not report: NaN); at half scale, over April 2024 to March 2025 only."""
    codes = load_authorities()["la_code"].to_numpy(str)
    group = np.where(codes == "E06000001", 0, np.where(codes == "E06000002", 1, 2))
    m = accounts_model(make_children(status=GONE), make_homes(places=[1]), week=WEEKS_PER_YEAR)
    m.start_date, m.group_of_la, m.la_scale = dt.date(2024, 3, 31), group, 0.5
    weekly = {"spend_homes": 200_000.0, "council_home_income": 30_000.0, "council_home_cost": 50_000.0,
              "spend_unregistered": 10_000.0, "spend_supported": 5_000.0}
    for key, value in weekly.items():
        m.flows.la[key][:WEEKS_PER_YEAR] = value
    shipped = pd.read_csv(SHIPPED_AUTHORITIES).set_index("la_code")["residential_spend_2024_25_gbp_k"]
    year = (200_000.0 - 30_000.0 + 50_000.0 + 10_000.0 + 5_000.0) * WEEKS_PER_YEAR
    ratio = METRICS["la_residential_spend_vs_ro3"]
    got = ratio.per_authority(View(m, np.ones(N_LA, bool), 0, WEEKS_PER_YEAR))
    assert got[0] == pytest.approx(year / (0.5 * shipped["E06000001"] * 1000))
    assert got[1] == pytest.approx(year / (0.5 * shipped["E06000002"] * 1000))
    assert np.isnan(got[2])  # Birmingham and others did not report
    national = ratio.definition(View(m, np.ones(N_LA, bool), 0, WEEKS_PER_YEAR))
    assert national == pytest.approx(2 * year / (0.5 * 1000 * shipped[["E06000001", "E06000002"]].sum()))
    m.week = 2 * WEEKS_PER_YEAR  # 2025-26: RO3 does not describe it
    assert np.isnan(ratio.per_authority(View(m, np.ones(N_LA, bool), WEEKS_PER_YEAR, 2 * WEEKS_PER_YEAR))).all()
    assert np.isnan(ratio.definition(View(m, np.ones(N_LA, bool), WEEKS_PER_YEAR, 2 * WEEKS_PER_YEAR)))
