"""Commissioning (phase 3): block contracts reserve the nearest suitable free places at an agreed price."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import GEO, at, flows, levers, make_children, make_homes
from simmarket.data import REGIONS
from simmarket.params import Scenario
from simmarket.phases.commissioning import BARGAINING_WEIGHT, UNDERWRITTEN_HOME_PLACES, forward_terms, reserve_places, transfer_blocks, uplift_fees
from simmarket.rules import care_cost, place_cost
from simmarket.state import CLOSED, COUNCIL, HOME, NO_BUYER, WAITING
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()


def commissioning_model(homes, week=0, occupancy=P.pricing.expected_occupancy):
    """What reserving places reads and writes."""
    return SimpleNamespace(homes=homes, geo=GEO, params=P, week=week, levers=levers(P), region_of_la=GEO.region,
                           occupancy_seen=np.full(len(REGIONS), occupancy), flows=flows())


def negotiated(cost, margin, spot=1 + P.pricing.target_margin_private, occupancy=P.pricing.expected_occupancy):
    """A block price between the provider's spot earnings (spot price x occupancy) and the buyer's limit."""
    provider, buyer = cost * spot * occupancy, cost * (1 + margin)
    return provider + BARGAINING_WEIGHT * (buyer - provider)


def test_blocks_reserve_the_nearest_suitable_free_places():
    # by distance: council, secure, full, no manager, closed, already held: none can be reserved;
    # then two free places at 10 miles, three at 20 and two at 30
    miles = [1, 2, 3, 4, 5, 6, 20, 10, 30]
    x, y = at(0, east_miles=miles)
    homes = make_homes(x=x, y=y, places=[2, 2, 2, 2, 2, 2, 3, 3, 2], occupied=[0, 0, 2, 0, 0, 0, 0, 1, 0],
                       sector=[COUNCIL, 0, 0, 0, 0, 0, 0, 0, 0], secure=[False, True] + [False] * 7,
                       manager=[True, True, True, False, True, True, True, True, True],
                       state=[1, 1, 1, 1, CLOSED, 1, 1, 1, 1], block_buyer=[-1] * 5 + [2, -1, -1, -1],
                       block_places=[0] * 5 + [1, 0, 0, 0])
    reserve_places(commissioning_model(homes), 0, 4, 1, margin=0.1)
    assert homes.block_buyer.tolist() == [NO_BUYER] * 5 + [2, 1, 1, NO_BUYER]
    assert homes.block_places.tolist() == [0] * 5 + [1, 2, 2, 0]  # 2 free at 10 miles, then 2 of 3 at 20


def test_block_price_is_negotiated_between_spot_earnings_and_the_buyers_limit_within_the_profit_cap():
    homes = make_homes(places=[2, 2], la=[0, 1])
    m = commissioning_model(homes, week=30)
    cost = care_cost(np.array([1]), np.array([False]), np.ones(1), P, week=30)[0]
    reserve_places(m, 0, 2, 0, margin=0.1)
    assert cost < homes.block_price[0] < cost * 1.1
    assert homes.block_price[0] == pytest.approx(negotiated(cost, 0.1))
    m.levers.profit_cap = 0.05
    reserve_places(m, 1, 2, 1, margin=0.1)
    assert homes.block_price[1] == pytest.approx(negotiated(cost, 0.05))


def test_block_price_follows_the_spot_prices_the_buyers_region_recently_paid():
    homes = make_homes(places=[2], la=[0])
    m = commissioning_model(homes, week=30)
    m.flows.record_placements(10, np.array([0, 0]), np.array([7000.0, 9000.0]), np.zeros(2),
                              relative_price=np.array([1.3, 1.1]))
    cost = care_cost(np.array([1]), np.array([False]), np.ones(1), P, week=30)[0]
    reserve_places(m, 0, 2, 0, margin=0.2)
    assert homes.block_price[0] == pytest.approx(negotiated(cost, 0.2, spot=1.2))


def test_a_provider_declines_a_contract_where_spot_places_earn_more_and_nothing_is_reserved():
    """Providers will not commit when last-minute places fetch more (NAO25 2.16): at high
    occupancy a place's spot earnings exceed what the buyer will pay for a block."""
    homes = make_homes(places=[2, 2])
    m = commissioning_model(homes, occupancy=0.98)
    reserve_places(m, 0, 4, 0, margin=0.1)  # spot earnings 1.2 x 0.98 of cost > 1.1
    assert (homes.block_buyer == NO_BUYER).all() and (homes.block_places == 0).all()
    reserve_places(commissioning_model(homes), 0, 4, 0, margin=0.1)  # at 75% occupancy: agreed
    assert (homes.block_places == 2).all()


def test_a_block_covers_only_the_free_places_a_home_can_staff():
    need = P.workforce.staff_per_child[1]
    homes = make_homes(places=[3, 3], staff=[int(np.ceil(need)), 12])  # staff for one child in the first
    reserve_places(commissioning_model(homes), 0, 6, 0, margin=0.1)
    assert homes.block_places.tolist() == [1, 3]


def test_nothing_wanted_nothing_reserved():
    homes = make_homes(places=[2, 2])
    reserve_places(commissioning_model(homes), 0, 0, 0, margin=0.1)
    assert (homes.block_buyer == NO_BUYER).all()


def test_blocks_pass_to_a_cooperative_when_authorities_join():
    homes = make_homes(block_buyer=[0, 1, 2, NO_BUYER], block_places=[1, 1, 1, 0])
    transfer_blocks(homes, np.array([0, 2]), 7)
    assert homes.block_buyer.tolist() == [7, 1, 7, NO_BUYER]


def test_running_fees_rise_each_april_with_their_homes_cost():
    homes = make_homes(places=[2, 6], la=[0, 1])
    ch = make_children(la=[0, 0, 1, 2], status=[HOME, HOME, HOME, WAITING], home=[0, 1, 1, -1],
                       block=[False, False, True, False], price=[5000.0, 6000.0, 4000.0, 0.0])
    p = P.replace(**{"workforce.wage_growth_per_year": 0.1})
    m = SimpleNamespace(homes=homes, children=ch, geo=GEO, params=p, week=WEEKS_PER_YEAR)
    uplift_fees(m)
    prop = GEO.property_index[homes.la]
    growth = place_cost(prop, p, WEEKS_PER_YEAR, homes.places) / place_cost(prop, p, 0, homes.places)
    assert 1.0 < growth[0] < 1.1  # staff costs grew 10%, property did not
    assert ch.price.tolist() == pytest.approx([5000.0 * growth[0], 6000.0 * growth[1], 4000.0, 0.0])
    flat = SimpleNamespace(homes=homes, children=ch, geo=GEO, params=P.replace(**{"workforce.wage_growth_per_year": 0.0}),
                           week=2 * WEEKS_PER_YEAR)
    before = ch.price.copy()
    uplift_fees(flat)
    assert ch.price.tolist() == before.tolist()  # no cost growth, no uplift


def test_forward_contracts_are_priced_like_blocks_for_a_new_three_place_home_and_declined_alike():
    """A forward contract's terms are a block's, for a medium-need child in a new home of
    UNDERWRITTEN_HOME_PLACES places: between spot earnings and the buyer's limit, or declined."""
    m = commissioning_model(make_homes(places=[2]))
    price, agreed = forward_terms(m, np.array([0, 1]), 0.1)
    cost = care_cost(np.array([1]), np.array([False]), GEO.property_index[:2], P, places=UNDERWRITTEN_HOME_PLACES,
                     occupancy=P.pricing.expected_occupancy)
    assert agreed.all() and price == pytest.approx(negotiated(cost, 0.1))
    tight = commissioning_model(make_homes(places=[2]), occupancy=0.98)  # spot earnings 1.2 x 0.98 of cost > 1.1
    assert not forward_terms(tight, np.array([0, 1]), 0.1)[1].any()
