"""The clearing (phase 4), step by step, on a few hand-made children and homes."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import N_LA, GEO, at, flows, levers, make_children, make_homes
from simmarket.data import REGIONS
from simmarket.params import Scenario
from simmarket.phases.clearing import (Market, Pairs, Search, available_homes, clear, quote, rank_referrals,
                                       refer_and_place, referral_pressure, search_of, shortlist)
from simmarket.rules import care_cost, staff_need
from simmarket.state import CLOSED, COUNCIL, GONE, HOME, METRES_PER_MILE, PIPELINE, UNREG, VOLUNTARY, WAITING

# no randomness in who is referred, and no risk premium: scores are margins (plus a little noise)
# homes of every size cost the same per place here (no core staff), so quotes compare across the tests
P = Scenario().replace(**{"commissioning.referral_spread": 0.0, "pricing.risk_aversion": 0.0,
                          "workforce.core_staff_per_home": 0.0})
COST = care_cost(np.array([1]), np.array([False]), np.ones(1), P)[0]  # a medium-need child, week 0
MARKUP = 1 + P.pricing.target_margin_private  # a private quote with no scarcity
SEARCH_COLS = ("x", "y", "la", "complexity", "needs", "dol", "secure")


def search(ch, wtp=3.0, customer=None, radius_miles=40.0, distance_weight=None) -> Search:
    """Every child of ch searching, with ceilings as multiples of COST, customers (default: own
    authority) and the price their buyers trade for a mile (default: [commissioning]'s)."""
    n = ch.n
    cols = {k: getattr(ch, k).copy() for k in SEARCH_COLS}
    cust = ch.la.copy() if customer is None else np.broadcast_to(customer, (n,)).astype(np.int64)
    return Search(idx=np.arange(n), customer=cust, wtp=np.broadcast_to(np.asarray(wtp, float) * COST, (n,)).copy(),
                  radius_m=np.full(n, radius_miles * METRES_PER_MILE),
                  distance_weight=np.full(n, P.commissioning.distance_weight_gbp_per_mile if distance_weight is None
                                          else distance_weight), **cols)


def market(homes, params=P, profit_cap=1.0, reserved_free=None, seed=0) -> Market:
    rf = np.zeros(homes.n, np.int64) if reserved_free is None else np.asarray(reserved_free)
    return Market(homes, params, GEO.property_index, rf, N_LA, profit_cap, np.random.default_rng(seed), week=0)


def placed(result):
    pos, home, price, blk, ref = result
    return {int(c): (int(h), float(pr), bool(b)) for c, h, pr, b in zip(pos, home, price, blk)}, ref


def shortlisted(p: Pairs, child: int) -> set:
    return set(p.h[p.c == child].tolist())


def shortlist_of(s: Search, homes, available) -> Pairs:
    """The shortlist with the homes' spare staff and the children's staff needs."""
    need = staff_need(s.complexity, s.dol, P.workforce.staff_per_child)
    return shortlist(s, homes, available, P.commissioning, np.random.default_rng(0), need, homes.staff - homes.staff_used)


# ------------------------------------------------------------------------------- shortlist
def test_children_are_only_shortlisted_to_homes_within_their_radius():
    miles = np.array([5.0, 15.0, 25.0, 35.0, 45.0])
    x, y = at(0, east_miles=miles)
    homes = make_homes(x=x, y=y)
    ch = make_children(la=[0, 0])
    s = search(ch)
    s.radius_m[:] = np.array([20.0, 40.0]) * METRES_PER_MILE
    p = shortlist_of(s, homes, np.ones(homes.n, bool))
    assert shortlisted(p, 0) == {0, 1}
    assert shortlisted(p, 1) == {0, 1, 2, 3}
    np.testing.assert_allclose(p.d / METRES_PER_MILE, miles[p.h])


def test_children_are_shortlisted_to_homes_of_their_kind():
    homes = make_homes(dol_ok=[False, True, True], secure=[False, False, True])  # ordinary, DoL, secure
    ch = make_children(complexity=[1, 2, 2], dol=[False, True, False], secure=[False, False, True])
    p = shortlist_of(search(ch), homes, np.ones(3, bool))
    assert shortlisted(p, 0) == {0, 1}  # an ordinary child: any home but a secure one
    assert shortlisted(p, 1) == {1}  # a DoL order: homes able to care under one
    assert shortlisted(p, 2) == {2}  # a secure need: secure homes only


def test_shortlist_skips_unavailable_homes():
    homes = make_homes(places=[1, 1, 1])
    p = shortlist_of(search(make_children()), homes, np.array([True, False, True]))
    assert shortlisted(p, 0) == {0, 2}


def test_homes_without_a_manager_staff_or_free_place_are_not_available():
    least = min(P.workforce.staff_per_child)
    homes = make_homes(
        places=[2, 2, 2, 2, 2, 2], occupied=[0, 0, 0, 2, 0, 0], state=[1, 1, 1, 1, PIPELINE, CLOSED],
        manager=[True, False, True, True, True, True], staff=[12, 12, 10, 12, 12, 12],
        staff_used=[0.0, 0.0, 10 - least + 0.5, 0.0, 0.0, 0.0])
    free, spare = homes.free_places(), homes.staff - homes.staff_used
    assert available_homes(homes, P.workforce, free, spare).tolist() == [True, False, False, False, False, False]
    wf = P.replace(**{"workforce.no_manager_admits": True}).workforce
    assert available_homes(homes, wf, free, spare).tolist() == [True, True, False, False, False, False]


def test_homes_unable_to_care_for_the_child_drop_out():
    homes = make_homes(max_complexity=[1, 2, 2], staff=[12, 5, 12])
    ch = make_children(complexity=2)  # a high-need child needs 6 staff
    assert shortlisted(shortlist_of(search(ch), homes, np.ones(3, bool)), 0) == {2}


def test_rank_keeps_the_nearest_best_matched_homes_up_to_the_shortlist():
    x, y = at(0, east_miles=[1.0, 2.0, 3.0, 4.0])
    homes = make_homes(x=x, y=y, specialisms=[0b0000, 0b0001, 0b0001, 0b0001])
    ch = make_children(needs=0b0001)
    s = search(ch)
    p = shortlist_of(s, homes, np.ones(4, bool))
    assert p.h.tolist() == [0, 1, 2, 3] and p.unmet.tolist() == [1, 0, 0, 0]  # the child's need, met or not
    cm = P.replace(**{"commissioning.shortlist": 2}).commissioning
    kept = rank_referrals(p, s, homes, cm, np.random.default_rng(0))
    # the nearest home lacks the child's need; the two next nearest are kept, nearest first
    assert kept.h.tolist() == [1, 2]


# ------------------------------------------------------------------------------- quotes
def test_quotes_private_at_margin_council_at_cost_block_at_block_price():
    homes = make_homes(la=[0, 1, 0, 0], sector=[0, COUNCIL, 0, VOLUNTARY], price_factor=[1.1, 1.3, 1.0, 1.0],
                       block_buyer=[-1, -1, 0, -1], block_price=[0.0, 0.0, 999.0, 0.0])
    ch = make_children(la=[0, 1])
    s = search(ch)
    p = Pairs(np.array([0, 0, 0, 0, 1, 1]), np.array([0, 1, 2, 3, 1, 2]), np.zeros(6), unmet=np.zeros(6, np.int64))
    quote(p, s, market(homes, reserved_free=[0, 0, 1, 0]), homes.free_places())
    np.testing.assert_allclose(p.cost, COST)
    vol = 1 + P.pricing.target_margin_voluntary
    np.testing.assert_allclose(p.quote, [COST * MARKUP * 1.1, COST, 999.0, COST * vol, COST, COST * MARKUP])
    assert p.is_block.tolist() == [False, False, True, False, False, False]  # only for the holder's child
    assert p.council_own.tolist() == [False, False, False, False, True, False]


def test_providers_quote_for_the_occupancy_they_expect():
    homes = make_homes(places=[3, 3], la=[0, 1])
    s = search(make_children(la=[0]))
    p = Pairs(np.array([0, 0]), np.array([0, 1]), np.zeros(2), unmet=np.zeros(2, np.int64))
    mk = market(homes)
    mk.occupancy_la = np.array([0.5, 0.75, 0.75])
    quote(p, s, mk, homes.free_places())
    assert p.cost[0] == pytest.approx(COST * P.pricing.expected_occupancy / 0.5)  # half full: each child pays for two places
    assert p.cost[1] == pytest.approx(COST * P.pricing.expected_occupancy / 0.75)


def test_a_small_home_quotes_more_for_the_same_child_when_homes_carry_core_staff():
    params = P.replace(**{"workforce.core_staff_per_home": 3.0})
    homes = make_homes(places=[2, 6])
    s = search(make_children(la=[0]))
    p = Pairs(np.array([0, 0]), np.array([0, 1]), np.zeros(2), unmet=np.zeros(2, np.int64))
    quote(p, s, market(homes, params), homes.free_places())
    assert p.cost[0] > COST > p.cost[1]  # the core spread over two places, or over six
    assert p.quote[0] / p.quote[1] == pytest.approx(p.cost[0] / p.cost[1])


def test_referral_pressure_counts_every_child_whoever_buys_for_it():
    """Children per bed set the scarcity a provider sees: a cooperative's coordinated referrals
    count child by child, as an authority's do (not as one sender, which hid the shortage)."""
    homes = make_homes(places=[1, 2])
    pairs = lambda cust: Pairs(np.array([0, 1, 2, 0]), np.array([0, 0, 0, 1]), np.zeros(4), cust=np.array(cust))
    mk = market(homes)
    per_shortlist = 1 / P.commissioning.shortlist
    free = homes.free_places()
    coop = N_LA  # a cooperative's customer number is above every authority's
    for cust in ([0, 1, 2, 0], [coop] * 4, [coop, coop, 2, coop]):
        hq, pressure = referral_pressure(pairs(cust), homes, free, mk)
        assert hq.tolist() == [0, 1]
        np.testing.assert_allclose(pressure, np.array([3, 0.5]) * per_shortlist)


def test_many_children_referred_raise_quotes_up_to_the_scarcity_cap_whoever_buys():
    params = P.replace(**{"commissioning.shortlist": 1})
    homes = make_homes()
    for n, coordinated in ((1, False), (4, False), (4, True), (10_000, False)):
        ch = make_children(la=np.arange(n) % N_LA)
        s = search(ch, customer=np.full(n, N_LA) if coordinated else None)
        p = Pairs(np.arange(n), np.zeros(n, np.int64), np.zeros(n), unmet=np.zeros(n, np.int64))
        quote(p, s, market(homes, params), homes.free_places())
        scarcity = min(max(n ** params.pricing.scarcity_elasticity, 1.0), params.pricing.scarcity_cap)
        np.testing.assert_allclose(p.quote, COST * MARKUP * scarcity)


def test_profit_cap_limits_quotes():
    homes = make_homes(price_factor=1.5)
    p = Pairs(np.array([0]), np.array([0]), np.zeros(1), unmet=np.zeros(1, np.int64))
    quote(p, search(make_children()), market(homes, profit_cap=0.1), homes.free_places())
    assert p.quote[0] == pytest.approx(COST * 1.1)


# ------------------------------------------------------------------------------- offers and bids
def test_one_place_goes_to_the_better_score_and_the_winner_pays_the_runner_ups_ceiling():
    homes = make_homes()
    ch = make_children(la=[1, 0])  # two authorities, each its own customer
    got, ref = placed(clear(search(ch, wtp=[1.5, 3.0]), market(homes)))
    assert list(got) == [1]  # the higher margin wins the single place
    home, price, blk = got[1]
    assert home == 0 and not blk
    assert price == pytest.approx(1.5 * COST)  # second price: the loser's ceiling, above the quote
    assert price > COST * MARKUP
    assert ref.contested_homes == 1 and ref.accepted == 1


def test_members_of_one_cooperative_do_not_bid_against_each_other():
    homes = make_homes()
    ch = make_children(la=[1, 0])
    got, ref = placed(clear(search(ch, wtp=[1.5, 3.0], customer=N_LA), market(homes)))
    assert list(got) == [1]
    assert got[1][1] == pytest.approx(COST * MARKUP)  # the quote: no bidding within one customer
    assert ref.contested_homes == 0


def test_a_quote_above_the_buyers_ceiling_is_refused_a_council_home_at_cost_is_not():
    x, y = at(0, east_miles=[1.0, 20.0])
    homes = make_homes(x=x, y=y, la=[0, 1], sector=[0, COUNCIL])
    ch = make_children()
    got, ref = placed(clear(search(ch, wtp=1.1), market(homes)))  # 1.1 x cost < the private quote
    assert ref.refused_price == 1
    assert got == {0: (1, pytest.approx(COST), False)}


def test_council_homes_charge_cost_even_when_contested():
    homes = make_homes(la=2, sector=COUNCIL)
    ch = make_children(la=[0, 1])
    got, _ = placed(clear(search(ch, wtp=[3.0, 2.0]), market(homes)))
    assert list(got) == [0]
    assert got[0][1] == pytest.approx(COST)


def test_council_homes_take_their_own_authoritys_child_first():
    homes = make_homes(la=1, sector=COUNCIL)
    ch = make_children(la=[0, 1])
    got, _ = placed(clear(search(ch, wtp=[3.0, 1.5]), market(homes)))
    assert list(got) == [1]  # its own child, though the other offers more margin


def test_a_cooperative_that_runs_council_homes_gives_every_member_their_priority():
    """With rcc.runs_council_homes a member authority's council home serves any member's child first."""
    homes = make_homes(la=1, sector=COUNCIL)
    ch = make_children(la=[2, 0])
    s = search(ch, wtp=[3.0, 1.5])
    s.cooperative = np.array([-1, N_LA])  # authority 0 is a member of the cooperative N_LA; 2 is not
    pool = np.full(N_LA, -1)
    pool[[0, 1]] = N_LA  # the cooperative runs authorities 0 and 1's council homes
    mk = market(homes)
    mk.council_pool = pool
    got, _ = placed(clear(s, mk))
    assert list(got) == [1]  # the member's child, though the other offers more margin
    s.cooperative = np.array([-1, -1])  # without the cooperative: the higher margin wins
    got, _ = placed(clear(s, market(homes)))
    assert list(got) == [0]


def test_a_block_place_is_priced_at_the_block_price_and_only_for_the_holders_children():
    block_price = 1.05 * COST
    homes = make_homes(places=2, block_buyer=0, block_places=1, block_price=block_price)
    ch = make_children(la=[0, 1])
    got, _ = placed(clear(search(ch), market(homes, reserved_free=[1])))
    assert got[0] == (0, pytest.approx(block_price), True)
    assert got[1] == (0, pytest.approx(COST * MARKUP), False)  # the open place, at a spot price
    # all places reserved: another authority's child cannot have one
    homes = make_homes(places=1, block_buyer=0, block_places=1, block_price=block_price)
    got, ref = placed(clear(search(make_children(la=1)), market(homes, reserved_free=[1])))
    assert got == {} and ref.offers == 0


def test_a_member_uses_its_cooperatives_block_even_when_it_buys_for_itself():
    """Blocks a cooperative holds serve its members' children whether or not it acts as one customer."""
    coop = N_LA  # the first cooperative's customer number
    homes = make_homes(places=1, block_buyer=coop, block_places=1, block_price=1.05 * COST)
    s = search(make_children(la=0))
    s.cooperative = np.array([coop])
    got, _ = placed(clear(s, market(homes, reserved_free=[1])))
    assert got == {0: (0, pytest.approx(1.05 * COST), True)}
    s = search(make_children(la=1))
    s.cooperative = np.array([-1])  # not a member: the reserved place is not its
    got, _ = placed(clear(s, market(homes, reserved_free=[1])))
    assert got == {}


def test_a_member_buying_through_its_cooperative_uses_its_own_authoritys_block():
    """An authority's own block (renewed each April) still serves its children when its
    cooperative buys for them as one customer (found by the decomposition: otherwise the block is
    paid for and never used)."""
    homes = make_homes(places=1, block_buyer=0, block_places=1, block_price=1.05 * COST)
    s = search(make_children(la=0), customer=N_LA)  # authority 0's child, bought by cooperative N_LA
    got, _ = placed(clear(s, market(homes, reserved_free=[1])))
    assert got == {0: (0, pytest.approx(1.05 * COST), True)}


def test_a_holders_child_can_take_an_open_place_once_its_block_places_are_used():
    """A member child never waits while a staffed free place exists in a home whose block is full."""
    homes = make_homes(places=3, occupied=1, staff_used=3.75, block_buyer=0, block_places=1,
                       block_price=1.05 * COST)
    got, _ = placed(clear(search(make_children(la=0)), market(homes, reserved_free=[0])))
    assert got == {0: (0, pytest.approx(COST * MARKUP), False)}


def test_the_profit_cap_binds_on_prices_including_bids():
    homes = make_homes()
    ch = make_children(la=[0, 1])
    got, ref = placed(clear(search(ch, wtp=[3.0, 2.0]), market(homes, profit_cap=1.0)))
    assert got[0][1] == pytest.approx(2.0 * COST)  # uncapped: the runner-up's ceiling
    got, ref = placed(clear(search(ch, wtp=[3.0, 2.0]), market(homes, profit_cap=0.1)))
    assert got[0][1] == pytest.approx(1.1 * COST)
    assert np.all(ref.quote <= 1.1 * COST + 1e-6)


def test_a_home_takes_no_more_children_than_its_staff_allow():
    need = P.workforce.staff_per_child[1]
    homes = make_homes(places=3, staff=int(2 * need))  # places for three, staff for two (7 of 11.25)
    got, _ = placed(clear(search(make_children(la=[0, 1, 2])), market(homes)))
    assert len(got) == 1
    homes = make_homes(places=3, staff=12)
    got, _ = placed(clear(search(make_children(la=[0, 1, 2])), market(homes)))
    assert len(got) == 3


def test_block_and_open_offers_together_stay_within_the_homes_staff():
    homes = make_homes(places=2, staff=5, block_buyer=0, block_places=1, block_price=COST)  # staff for one
    got, ref = placed(clear(search(make_children(la=[0, 1])), market(homes, reserved_free=[1])))
    assert ref.offers == 2  # the block place to the holder's child, the open place to the other
    assert got == {0: (0, pytest.approx(COST), True)}  # the block comes first


def test_buyers_trade_price_against_distance():
    x, y = at(0, east_miles=[1.0, 30.0])
    homes = make_homes(x=x, y=y, price_factor=[1.0, 0.9])  # the far home is about 550 a week cheaper
    ch = make_children()
    got, _ = placed(clear(search(ch), market(homes)))
    assert got[0][0] == 0  # 29 miles at 25 a mile outweigh the saving
    got, _ = placed(clear(search(ch, distance_weight=0.0), market(homes)))  # a buyer ignoring distance
    assert got[0][0] == 1


@pytest.mark.parametrize("seed", range(5))
def test_each_child_placed_once_and_homes_within_places_staff_and_kind(seed):
    rng = np.random.default_rng(seed)
    n_h, n_c = 10, 40
    hx, hy = at(0, rng.uniform(-20, 20, n_h), rng.uniform(-20, 20, n_h))
    places = rng.integers(1, 5, n_h)
    occupied = rng.integers(0, places + 1)
    staff_used = occupied * 3.75
    homes = make_homes(x=hx, y=hy, places=places, occupied=occupied, staff_used=staff_used,
                       staff=np.ceil(staff_used + rng.uniform(0, 15, n_h)).astype(int),
                       max_complexity=rng.integers(0, 3, n_h), dol_ok=rng.random(n_h) < 0.4,
                       secure=rng.random(n_h) < 0.2, sector=rng.integers(0, 3, n_h))
    cx, cy = at(0, rng.uniform(-20, 20, n_c), rng.uniform(-20, 20, n_c))
    kind = rng.integers(0, 3, n_c)
    ch = make_children(x=cx, y=cy, la=rng.integers(0, N_LA, n_c), dol=kind == 1, secure=kind == 2,
                       complexity=np.where(kind > 0, 2, rng.integers(0, 3, n_c)), needs=rng.integers(0, 16, n_c))
    s = search(ch, wtp=rng.uniform(1.0, 4.0, n_c))
    pos, home, price, blk, ref = clear(s, market(homes, seed=seed))
    assert len(pos) > 0
    assert len(np.unique(pos)) == len(pos)  # a child is placed at most once
    assert np.all(np.bincount(home, minlength=n_h) <= homes.free_places())
    need = staff_need(s.complexity[pos], s.dol[pos], P.workforce.staff_per_child)
    assert np.all(np.bincount(home, weights=need, minlength=n_h) <= homes.staff - homes.staff_used + 1e-9)
    assert np.all(homes.max_complexity[home] >= s.complexity[pos])
    assert np.all(homes.secure[home] == s.secure[pos])
    assert np.all(homes.dol_ok[home][s.dol[pos]])
    assert np.all(price <= s.wtp[pos] + 1e-6)  # nobody pays above the ceiling
    assert ref.accepted == len(pos) <= ref.offers


# ------------------------------------------------------------------------------- the model's side
def clearing_model(ch, homes, params=P, week=0):
    """What refer_and_place reads and writes."""
    return SimpleNamespace(children=ch, homes=homes, params=params, week=week, geo=GEO, levers=levers(params),
                           streams={"market": np.random.default_rng(0)}, flows=flows(), last_referrals=None,
                           region_of_la=GEO.region, occupancy_seen=np.full(len(REGIONS), params.pricing.expected_occupancy))


def test_search_ceiling_and_radius_widen_with_waiting_and_follow_the_levers():
    ch = make_children(la=[0, 0, 0, 1], need_since=[4, 2, 4, 4], emergency=[False, False, True, False])
    m = clearing_model(ch, make_homes(), week=4)
    m.levers.wtp_cap[1] = 1.1
    m.levers.radius_miles[1] = 2 * P.commissioning.radius_miles
    m.levers.customer[1] = N_LA
    s = search_of(m, np.arange(4))
    cm = P.commissioning
    cost = care_cost(np.array([1]), np.array([False]), np.ones(1), P, week=4)[0]  # wages have grown
    base = cost * cm.wtp_multiple
    np.testing.assert_allclose(s.wtp, [base, base * (1 + 2 * cm.wtp_growth_per_week),
                                       base * cm.urgent_wtp_multiple, cost * 1.1])
    r = cm.radius_miles * METRES_PER_MILE
    np.testing.assert_allclose(s.radius_m, [r, r * (1 + 2 * cm.radius_growth_per_week), r, 2 * r])
    assert s.customer.tolist() == [0, 0, 0, N_LA]


def test_refer_and_place_places_waiting_and_unregistered_children():
    week = 3
    ch = make_children(la=[0, 1, 0, 2], status=[WAITING, UNREG, HOME, GONE], need_since=[1, 0, -1, -1],
                       price=[0.0, 14_000.0, 5_000.0, 0.0], home=[-1, -1, 0, -1])
    homes = make_homes(places=3, occupied=1, staff_used=3.75)
    m = clearing_model(ch, homes, week=week)
    refer_and_place(m)
    assert ch.status.tolist() == [HOME, HOME, HOME, GONE]
    assert ch.home.tolist() == [0, 0, 0, -1]
    assert ch.price[2] == 5_000.0  # the child already placed was not referred
    assert np.all(ch.price[:2] < 14_000.0) and np.all(ch.price[:2] >= COST)
    assert ch.need_since[:2].tolist() == [-1, -1]
    assert ch.placed_week[:2].tolist() == [week, week] and ch.start1[:2].tolist() == [week, week]
    assert homes.occupied[0] == 3 and homes.staff_used[0] == pytest.approx(3 * 3.75)
    assert m.last_referrals.accepted == 2 and m.last_referrals.n_children == 2
    fl = m.flows.la
    assert fl["placements"][week].tolist() == [1, 1, 0]
    assert fl["wait_days"][week].tolist() == [(week - 1 + 0.5) * 7, (week + 0.5) * 7, 0]
    np.testing.assert_allclose(fl["placement_price"][week][:2], ch.price[:2])


def test_no_search_no_referrals():
    m = clearing_model(make_children(status=HOME, home=0), make_homes(occupied=1))
    refer_and_place(m)
    assert m.last_referrals is None
