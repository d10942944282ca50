"""A cooperative holding the sufficiency duty secures places by forward contracts (issue 13 item 2)."""

import numpy as np

from simmarket import agents
from simmarket.phases import commissioning
from simmarket.state import ACTIVE, PIPELINE
from simmarket.time import WEEKS_PER_YEAR
from simhelpers import build

DUTY = {"rcc.membership": "regions", "rcc.start_week": 0, "rcc.holds_duty": True, "run.years": 2, "run.check": True}


def contracted(m):
    """Homes under a forward contract held by a cooperative, and the authorities they are in."""
    h = np.flatnonzero((m.homes.contract_until > m.week) & (m.homes.block_buyer >= m.n_la))
    return h, m.homes.la[h]


def test_the_duty_underwrites_new_homes_where_members_children_go_without_and_contracts_outlive_april():
    m = build(4, **DUTY)
    m.run_weeks(WEEKS_PER_YEAR + 1)  # through the first April renewal after the start
    h, la = contracted(m)
    assert len(h) > 0
    assert np.isin(m.homes.state[h], [PIPELINE, ACTIVE]).all()
    assert (m.homes.block_places[h] == m.homes.places[h]).all()  # every place contracted
    assert (m.homes.block_buyer[h] == m.n_la + m.levers.rcc_of_la[la]).all()  # in its own members' areas
    before = set(h.tolist())
    m.run_weeks(WEEKS_PER_YEAR)  # the next April: yearly blocks end, forward contracts do not
    still = set(contracted(m)[0].tolist())
    open_or_building = set(np.flatnonzero(np.isin(m.homes.state, [PIPELINE, ACTIVE])).tolist())
    assert len(before & open_or_building) > 0
    assert before & open_or_building <= still  # a home that closed ends its contract with it


def test_without_the_duty_no_home_is_underwritten_and_the_search_radius_is_the_authoritys():
    m = build(4, **{**DUTY, "rcc.holds_duty": False})
    m.run_weeks(WEEKS_PER_YEAR + 1)
    assert len(contracted(m)[0]) == 0
    duty = build(4, **DUTY)
    assert np.array_equal(duty.levers.radius_miles, m.levers.radius_miles)  # a duty is not a wider search


def test_a_declined_forward_contract_builds_nothing():
    """Forward contracts are offered, not imposed: a cooperative that offers less than a place's
    cost (a margin of -50%) finds no provider, and no home is built on a contract."""
    m = build(4, **{**DUTY, "rcc.block_margin": -0.5})
    m.run_weeks(WEEKS_PER_YEAR + 1)
    assert len(contracted(m)[0]) == 0 and (m.homes.contract_until < 0).all()


def test_forward_contracts_are_built_only_where_agreed_and_at_the_agreed_price(monkeypatch):
    """Homes are underwritten only in the authorities whose terms were agreed, at that price."""
    offered = []
    underwrite = commissioning.underwrite_homes

    def record(m, la, shortfall, buyer, margin):
        offered.append(la[shortfall > 0])
        return underwrite(m, la, shortfall, buyer, margin)

    def every_other(m, la, margin):
        return np.full(len(la), 4321.0), np.arange(len(la)) % 2 == 0

    monkeypatch.setattr(agents, "underwrite_homes", record)
    monkeypatch.setattr(commissioning, "forward_terms", every_other)
    m = build(4, **DUTY)
    m.run_weeks(1)  # the first April: one round of offers from each cooperative
    h, la = contracted(m)
    assert len(offered) == len(m.rccs) and len(h) > 0 and (m.homes.block_price[h] == 4321.0).all()
    agreed = np.concatenate([o[::2] for o in offered])
    assert np.isin(la, agreed).all() and not np.isin(la, np.concatenate([o[1::2] for o in offered])).any()
