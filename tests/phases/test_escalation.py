"""Escalation (phase 5): unregistered settings, and enforcement finding them."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import flows, levers, make_children
from simmarket.params import Scenario
from simmarket.phases.escalation import UNREG_BAR_WEEKS, escalate
from simmarket.state import HOME, UNREG, WAITING
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()


def escalation_model(ch, week, params=P, limits=(2.0, 6.0, 4.0)):
    """What escalation reads and writes."""
    lv = levers(params)
    lv.unreg_limit[:] = limits
    return SimpleNamespace(children=ch, params=params, levers=lv, week=week, flows=flows(),
                           streams={"market": np.random.default_rng(0)},
                           regulation_weeks={"under_16_ban": -300, "supported_registration": -20})  # both in force


def test_a_child_goes_unregistered_once_past_its_authoritys_limit():
    # limits 2, 6, 4 weeks; at week 10 these have waited 2, 1, 6, 5, 4, 3 weeks
    ch = make_children(la=[0, 0, 1, 1, 2, 2], need_since=[8, 9, 4, 5, 6, 7])
    m = escalation_model(ch, week=10)
    escalate(m)
    assert ch.status.tolist() == [UNREG, WAITING, UNREG, WAITING, UNREG, WAITING]
    assert ch.start1.tolist()[::2] == [10, 10, 10]
    assert m.flows.la["unregistered_new"][10].tolist() == [1, 1, 1]
    m.levers.unreg_extra_weeks = 10.0  # deterrence: nobody else goes
    m.week = 11
    escalate(m)
    assert ch.status.tolist()[1::2] == [WAITING, WAITING, WAITING]


def test_unregistered_settings_are_priced_around_the_parameter():
    p = P.replace(**{"commissioning.unregistered_price_gbp_week": 10_000.0})
    ch = make_children(la=np.zeros(2000, int), need_since=0)
    m = escalation_model(ch, week=10, params=p)
    escalate(m)
    assert np.all(ch.status == UNREG)
    assert np.median(ch.price) == pytest.approx(10_000.0, rel=0.05)
    assert ch.price.std() > 1000  # settings differ
    ch2 = make_children(la=np.zeros(2000, int), need_since=0)
    m = escalation_model(ch2, week=10, params=p)
    m.levers.unreg_fine_per_week = 3_000.0  # expected fines are passed on in the price
    escalate(m)
    assert np.median(ch2.price) == pytest.approx(13_000.0, rel=0.05)


def test_counted_once_per_year():
    ch = make_children(la=[1], need_since=0)
    m = escalation_model(ch, week=10)
    escalate(m)
    for week in (20, WEEKS_PER_YEAR + 5):
        ch.status[0], ch.price[0], ch.need_since[0] = WAITING, 0.0, 0  # back to the search
        m.week = week
        escalate(m)
        assert ch.status[0] == UNREG
    new = m.flows.la["unregistered_new"][:, 1]
    assert new[10] == 1 and new[20] == 0 and new[WEEKS_PER_YEAR + 5] == 1
    assert ch.unreg_year[0] == 1


def test_an_urgent_child_goes_at_once_unless_its_authority_searches_on():
    kinds = dict(emergency=[True, False, False, False], dol=[False, True, False, False],
                 secure=[False, False, True, False])
    ch = make_children(la=0, need_since=5, **kinds)
    escalate(escalation_model(ch, week=5))
    assert ch.status.tolist() == [UNREG, UNREG, UNREG, WAITING]
    ch = make_children(la=0, need_since=5, **kinds)
    m = escalation_model(ch, week=5)
    m.levers.urgent_at_once[0] = False  # e.g. a cooperative holding the sufficiency duty
    escalate(m)
    assert np.all(ch.status == WAITING)
    m.week = 6  # after a week's search they go
    escalate(m)
    assert ch.status.tolist() == [UNREG, UNREG, UNREG, WAITING]


def test_detection_returns_children_to_the_search_with_a_bar():
    ch = make_children(la=[0, 1, 2, 0], status=[UNREG, UNREG, HOME, WAITING], price=[14e3, 15e3, 5e3, 0.0],
                       need_since=[0, 0, -1, 0], home=[-1, -1, 0, -1])
    m = escalation_model(ch, week=20)
    m.levers.unreg_detection = 1.0
    escalate(m)
    assert ch.status.tolist() == [WAITING, WAITING, HOME, UNREG]  # found and shut; the waiting one goes
    assert ch.price.tolist()[:3] == [0.0, 0.0, 5e3]
    assert ch.unreg_bar.tolist()[:2] == [20 + UNREG_BAR_WEEKS] * 2
    assert ch.need_since.tolist()[:2] == [0, 0]  # still searching
    assert m.flows.la["unregistered_detected"][20].tolist() == [1, 1, 0]
    m.levers.unreg_detection = 0.0
    for week in range(21, 20 + UNREG_BAR_WEEKS):
        m.week = week
        escalate(m)
        assert ch.status.tolist()[:2] == [WAITING, WAITING]  # barred
    m.week = 20 + UNREG_BAR_WEEKS
    escalate(m)
    assert ch.status.tolist()[:2] == [UNREG, UNREG]


def test_before_the_law_changed_only_care_needing_registration_is_reported():
    # weeks 0-9: under-16s' unregulated settings legal; 10-19: banned; from 20 all ages' are unregistered
    ages = [14.0, 17.0, 17.0, 17.0]
    for week, reported in ((5, [False, False, True, True]), (12, [True, False, True, True]), (25, [True] * 4)):
        ch = make_children(la=[0, 1, 2, 0], age=ages, dol=[False, False, True, False], secure=[False, False, False, True],
                           need_since=[week - 10] * 4)
        m = escalation_model(ch, week)
        m.regulation_weeks = {"under_16_ban": 10, "supported_registration": 20}
        escalate(m)
        assert (ch.status == UNREG).all()  # where they go does not change, only whether it is reported
        assert (ch.unreg_year >= 0).tolist() == reported
        assert m.flows.la["unregistered_new"][week].sum() == sum(reported)
