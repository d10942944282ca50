"""Entry and exit (phase 6b): homes open, close, fail with their owners, and are planned."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import GEO, N_LA, REGION_OF_LA, flows, levers, make_children, make_homes
from simmarket.invariants import violations
from simmarket.params import Scenario
from simmarket.phases.entry_exit import (MARCH_2024_HOMES, SHORTAGE_REFERENCE, close_failing, close_homes,
                                        entry_weights, fail_owner, open_registered, shaped_by_cooperatives,
                                        shortage_factor, start_projects, stock_factor)
from simmarket.rules import staff_target
from simmarket.state import ACTIVE, CLOSED, COUNCIL, HOME, NO_BUYER, PIPELINE, PRIVATE, WAITING, Owners
from simmarket.time import WEEKS_PER_YEAR
from simhelpers import build

P = Scenario()
NO_CLOSURES = {"supply.closure_base_per_year": 0.0, "supply.closure_loss_per_year": 0.0}


def exit_model(ch, homes, params=P, week=0, owners=None):
    """What opening and closing homes read and write."""
    m = SimpleNamespace(children=ch, homes=homes, params=params, week=week, flows=flows(), levers=levers(params),
                        region_of_la=REGION_OF_LA, streams={"supply": np.random.default_rng(0)}, owners=owners,
                        providers=[])

    def new_provider(name, sector):  # the model's wiring: a row in the owners table and an agent
        m.providers.append(SimpleNamespace(index=int(m.owners.add(sector=np.array([sector]))[0]), name=name))
        return m.providers[-1]

    m.new_provider = new_provider
    return m


def test_homes_in_the_pipeline_open_at_their_open_week():
    homes = make_homes(la=[0, 2, 1, 0, 0], state=[PIPELINE, PIPELINE, PIPELINE, ACTIVE, CLOSED],
                       open_week=[3, 5, 6, 0, 0])
    m = exit_model(make_children(), homes, week=5)
    open_registered(m)
    assert homes.state.tolist() == [ACTIVE, ACTIVE, PIPELINE, ACTIVE, CLOSED]
    opened = m.flows.region["homes_opened"][5]
    assert opened[0] == 1 and opened[2] == 1 and opened.sum() == 2
    m.week = 6
    open_registered(m)
    assert homes.state[2] == ACTIVE


def test_a_closing_homes_children_search_again_and_its_blocks_end():
    homes = make_homes(places=[2, 2], occupied=[2, 1], staff_used=[7.5, 3.75], block_buyer=[1, 0],
                       block_places=[1, 1], block_price=[5000.0, 5000.0])
    ch = make_children(status=[HOME, HOME, HOME, WAITING], home=[0, 0, 1, -1], block=[True, False, False, False],
                       price=[5000.0, 6000.0, 6000.0, 0.0], need_since=[-1, -1, -1, 2], la=[1, 0, 0, 0])
    m = exit_model(ch, homes, week=9)
    close_homes(m, np.array([0]))
    assert homes.state.tolist() == [CLOSED, ACTIVE] and homes.close_week[0] == 9
    assert homes.block_buyer.tolist() == [NO_BUYER, 0] and homes.block_places.tolist() == [0, 1]
    assert ch.status.tolist() == [WAITING, WAITING, HOME, WAITING]
    assert ch.need_since.tolist() == [9, 9, -1, 2]
    assert ch.home.tolist() == [-1, -1, 1, -1] and ch.price.tolist() == [0.0, 0.0, 6000.0, 0.0]
    assert not ch.block.any()
    assert homes.occupied.tolist() == [0, 1] and homes.staff_used.tolist() == pytest.approx([0.0, 3.75])
    assert m.flows.region["homes_closed"][9, 0] == 1


def test_a_home_long_without_a_manager_closes():
    p = P.replace(**{**NO_CLOSURES, "supply.closure_no_manager_weeks": 10})
    homes = make_homes(manager=False, no_manager_since=[10, 11, -1, 0], state=[1, 1, 1, PIPELINE])
    homes.manager[2] = True
    m = exit_model(make_children(status=WAITING), homes, p, week=20)
    close_failing(m)
    assert homes.state.tolist() == [CLOSED, ACTIVE, ACTIVE, PIPELINE]


def test_loss_making_homes_close_but_not_council_or_secure_ones():
    p = P.replace(**{"supply.closure_base_per_year": 0.0, "supply.closure_loss_per_year": 10.0})
    n = 200
    kind = np.repeat(np.arange(4), n)  # private losing, council losing, secure losing, private profitable
    homes = make_homes(sector=np.where(kind == 1, COUNCIL, PRIVATE), secure=kind == 2,
                       profit_ewma=np.where(kind == 3, 100.0, -100.0))
    m = exit_model(make_children(status=WAITING), homes, p, week=3)
    for week in range(3, 8):
        m.week = week
        close_failing(m)
    closed = homes.state == CLOSED
    assert closed[kind == 0].mean() == pytest.approx(1 - (1 - 10 / WEEKS_PER_YEAR) ** 5, abs=0.1)
    assert not closed[kind > 0].any()


def failing_market(orderly: bool):
    owners = Owners(capacity=4)
    owners.add(sector=np.array([PRIVATE, PRIVATE]), indebted=np.array([False, True]))
    homes = make_homes(owner=[1, 1, 1, 0], state=[ACTIVE, ACTIVE, PIPELINE, ACTIVE], places=2, occupied=[2, 0, 0, 1],
                       staff_used=[7.5, 0.0, 0.0, 3.75], block_buyer=[-1, 2, -1, -1], block_places=[0, 1, 0, 0])
    ch = make_children(status=HOME, home=[0, 0, 3], price=5000.0)
    m = exit_model(ch, homes, week=12, owners=owners)
    m.levers.orderly_transfer = orderly
    return m


def test_a_failed_owners_homes_close_and_its_projects_are_abandoned():
    m = failing_market(orderly=False)
    fail_owner(m, 1)
    assert m.owners.failed.tolist() == [False, True]
    assert m.homes.state.tolist() == [CLOSED, CLOSED, CLOSED, ACTIVE]
    assert m.children.status.tolist() == [WAITING, WAITING, HOME]
    assert m.homes.occupied.tolist() == [0, 0, 0, 1] and m.homes.block_places.tolist() == [0, 0, 0, 0]
    assert m.flows.region["homes_closed"][12].sum() == 2  # the two that were open


def test_with_orderly_transfer_a_failed_owners_homes_pass_to_a_successor_with_their_children():
    m = failing_market(orderly=True)
    fail_owner(m, 1)
    assert m.owners.failed.tolist() == [False, True, False] and m.owners.sector[2] == PRIVATE
    assert m.homes.state.tolist() == [ACTIVE, ACTIVE, CLOSED, ACTIVE]  # the project is still abandoned
    assert m.homes.owner.tolist() == [2, 2, 1, 0]
    assert m.children.status.tolist() == [HOME, HOME, HOME] and m.children.home.tolist() == [0, 0, 3]
    assert m.homes.block_places.tolist() == [0, 1, 0, 0]  # contracts continue
    assert m.flows.region["homes_closed"][12].sum() == 0


@pytest.mark.parametrize("orderly", [False, True])
def test_owner_failure_in_a_small_model_keeps_the_invariants(orderly):
    m = build(0, **{"run.scale": 0.5})
    m.levers.orderly_transfer = orderly
    busy = np.bincount(m.homes.owner[m.children.home[m.children.status == HOME]], minlength=len(m.providers))
    owner = int(np.argmax(busy))
    homes = np.flatnonzero((m.homes.owner == owner) & (m.homes.state == ACTIVE))
    kids = np.flatnonzero((m.children.status == HOME) & np.isin(m.children.home, homes))
    n_providers = len(m.providers)
    fail_owner(m, owner)
    assert violations(m) == []
    assert m.providers[owner].failed
    if orderly:
        assert len(m.providers) == n_providers + 1
        assert np.all(m.homes.owner[homes] == m.providers[-1].index) and m.providers[-1].sector == PRIVATE
        assert np.all(m.children.status[kids] == HOME)
    else:
        assert len(m.providers) == n_providers
        assert np.all(m.homes.state[homes] == CLOSED) and np.all(m.children.status[kids] == WAITING)


# ------------------------------------------------------------------------------- new homes
def test_entrants_go_where_margins_beat_the_target():
    p = P.replace(**{"pricing.target_margin_private": 0.3, "supply.return_elasticity": 1.0,
                     "supply.property_elasticity": 0.0})
    fl = flows()
    week = 20
    fl.region["private_revenue"][week - 13:week, 0] = 100.0  # East Midlands: 45% margin, 1.5 x the target
    fl.region["private_cost"][week - 13:week, 0] = 55.0
    fl.region["private_revenue"][week - 13:week, 2] = 100.0  # London: no margin
    fl.region["private_cost"][week - 13:week, 2] = 100.0
    m = SimpleNamespace(params=p, flows=fl, week=week, scale=p.run.scale, pop_0_17=np.array([100.0, 300.0, 600.0]),
                        geo=GEO, levers=levers(p), region_of_la=REGION_OF_LA, n_la=N_LA)
    np.testing.assert_allclose(entry_weights(m), [0.1 * 1.5, 0.3 * 1.5, 0.0])
    m.week = 50  # no revenue in the last quarter: every region is judged at the target margin
    np.testing.assert_allclose(entry_weights(m), [0.1, 0.3, 0.6])


def test_projects_join_the_pipeline_and_planning_refusal_stops_them():
    sup = {"supply.entry_projects_per_year": 5000.0, "supply.planning_refusal": 0.0,
           "supply.registration_weeks_min": 10, "supply.registration_weeks_max": 20}
    m = build(1, **{"run.scale": 0.5, **sup})
    n0, week = m.homes.n, 4
    start_projects(m, week)
    new = np.arange(n0, m.homes.n)
    assert len(new) > 3
    h = m.homes
    assert np.all(h.state[new] == PIPELINE)
    assert np.all((h.open_week[new] >= week + 10) & (h.open_week[new] <= week + 20))
    assert np.all(h.staff[new] <= staff_target(h.places[new], m.params.workforce))
    assert np.all(m.owners.sector[h.owner[new]] == h.sector[new])
    assert m.geo.within(h.la[new], h.x[new], h.y[new]).all()  # inside their authority
    refused = build(1, **{"run.scale": 0.5, **sup, "supply.planning_refusal": 1.0})
    n0 = refused.homes.n
    start_projects(refused, week)
    assert refused.homes.n == n0


def test_projects_grow_with_the_homes_open():
    m = SimpleNamespace(params=P, scale=0.5, homes=make_homes(places=np.full(10, 3), state=[ACTIVE] * 8 + [CLOSED] * 2))
    assert stock_factor(m) == pytest.approx(8 / (MARCH_2024_HOMES * 0.5))
    m.homes = make_homes(places=np.full(20, 3), state=ACTIVE)
    assert stock_factor(m) == pytest.approx(20 / (MARCH_2024_HOMES * 0.5))  # twice the homes, twice the projects
    m.params = P.replace(**{"supply.entry_scales_with_stock": False})
    assert stock_factor(m) == 1.0


def test_projects_follow_the_shortage_of_the_last_quarter():
    p = P.replace(**{"supply.shortage_weight": 1.0})
    homes = make_homes(places=np.full(10, 4), state=[ACTIVE] * 9 + [CLOSED])  # 36 registered places
    m = SimpleNamespace(params=p, homes=homes, flows=flows(), week=0, shortage_before_start=SHORTAGE_REFERENCE)
    assert shortage_factor(m) == pytest.approx(1.0)  # at the start, the shortage seen before it: here 2023-24's
    m.shortage_before_start = 0.2 * SHORTAGE_REFERENCE  # a start when few children went unregistered
    assert shortage_factor(m) == pytest.approx(0.6)
    m.shortage_before_start = SHORTAGE_REFERENCE
    m.week = 6  # half a quarter seen, with no child going unregistered: (1 + (7/13) s_ref) / 2
    assert shortage_factor(m) == pytest.approx((1 + 7 / 13) / 2)
    m.week = 40  # a quarter at three times 2023-24's rate
    m.flows.la["unregistered_new"][27:40, 0] = 3 * SHORTAGE_REFERENCE * 36 / WEEKS_PER_YEAR
    assert shortage_factor(m) == pytest.approx((1 + 3) / 2)
    m.flows.la["unregistered_new"][27:40] = 0.0  # none at all: half the projects of 2023-24's shortage
    assert shortage_factor(m) == pytest.approx(0.5)
    m.params = P  # weight 0: the shortage draws nothing
    assert shortage_factor(m) == 1.0


def test_market_shaping_steers_projects_within_a_cooperative_by_need_and_keeps_its_pull():
    base = np.array([4.0, 1.0, 5.0, 2.0, 3.0])
    need = np.array([0.0, 9.0, 1.0, 30.0, 5.0])
    coop = np.array([0, 0, 0, -1, 1])  # authorities 0-2 in one cooperative, 3 in none, 4 alone in another
    share = np.array([0.5, 0.5, 0.5, 0.0, 0.0])
    got = shaped_by_cooperatives(base, need, coop, share)
    assert got[:3].sum() == pytest.approx(base[:3].sum())  # the area's pull on entrants is unchanged
    np.testing.assert_allclose(got[:3], 0.5 * base[:3] + 0.5 * np.array([0.0, 0.9, 0.1]) * 10.0)
    assert got[1] > base[1] and got[0] < base[0]  # towards the member where children go without
    assert got[3] == base[3] and got[4] == base[4]  # non-members, and a cooperative that does not shape
    np.testing.assert_array_equal(shaped_by_cooperatives(base, need, coop, np.zeros(5)), base)
    np.testing.assert_array_equal(shaped_by_cooperatives(base, np.zeros(5), coop, share), base)  # no need: no signal
