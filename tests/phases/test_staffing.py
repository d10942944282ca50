"""Staffing (phase 2): turnover, hiring and managers, at the rates the levers set."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import levers, make_homes
from simmarket.params import Scenario
from simmarket.phases.staffing import staff_homes, update_staffing
from simmarket.policy import PolicySchedule
from simmarket.rules import staff_target
from simmarket.state import ACTIVE, CLOSED, PIPELINE
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()


def rates(hire=0.0, turnover=0.0, manager_hire=0.0):
    return SimpleNamespace(hire_per_week=hire, turnover_per_year=turnover, manager_hire_per_week=manager_hire)


def staffing_model(homes, params, week=0, seed=0):
    """What the staffing phase reads and writes."""
    return SimpleNamespace(homes=homes, params=params, levers=levers(params), week=week,
                           streams={"staff": np.random.default_rng(seed)})


def test_no_hiring_without_labour_supply_while_turnover_removes_staff():
    wf = P.replace(**{"workforce.supply_multiplier": 0.0, "workforce.manager_loss_per_year": 0.0}).workforce
    homes = make_homes(places=np.full(50, 3), staff=6)  # every home short of its 12-staff target
    rng = np.random.default_rng(0)
    before = homes.staff.copy()
    for week in range(10):
        prev = homes.staff.copy()
        update_staffing(homes, rng, wf, rates(hire=1.0, turnover=5.0, manager_hire=1.0), week)
        assert np.all(homes.staff <= prev)
    assert homes.staff.sum() < 0.6 * before.sum()
    assert homes.manager.all()  # and no manager was lost or needed


def test_vacancies_fill_up_to_the_target_or_the_residents_needs():
    wf = P.workforce
    homes = make_homes(places=[2, 2, 1], staff=[0, 12, 0], staff_used=[0.0, 0.0, 7.5])
    update_staffing(homes, np.random.default_rng(0), wf, rates(hire=1.0), 0)
    target = staff_target(2, wf)  # a two-place home: its core and its places
    assert homes.staff.tolist() == [target, 12, 8]  # full, above target (nobody leaves), residents' 7.5


def test_only_active_homes_are_staffed():
    homes = make_homes(places=2, staff=[1, 1, 1], state=[ACTIVE, PIPELINE, CLOSED], manager=False)
    update_staffing(homes, np.random.default_rng(0), P.workforce, rates(hire=1.0, manager_hire=1.0), 4)
    assert homes.staff[1:].tolist() == [1, 1] and homes.staff[0] > 1
    assert homes.manager.tolist() == [True, False, False]
    assert homes.no_manager_since.tolist() == [-1, -1, -1]


def test_managers_lost_set_no_manager_since_to_the_week():
    wf = P.replace(**{"workforce.manager_loss_per_year": 5.0, "workforce.supply_multiplier": 0.0}).workforce
    homes = make_homes(places=np.ones(400, int))
    rng = np.random.default_rng(0)
    update_staffing(homes, rng, wf, rates(manager_hire=1.0), 7)
    lost = ~homes.manager
    assert lost.mean() == pytest.approx(5.0 / WEEKS_PER_YEAR, rel=0.4)
    assert np.all(homes.no_manager_since[lost] == 7) and np.all(homes.no_manager_since[~lost] == -1)
    first = lost.copy()
    update_staffing(homes, rng, wf, rates(manager_hire=1.0), 8)
    assert np.all(homes.no_manager_since[first] == 7)  # since the first week without one
    assert np.all(homes.no_manager_since[~homes.manager & ~first] == 8)


def test_a_manager_found_clears_no_manager_since():
    wf = P.replace(**{"workforce.manager_loss_per_year": 0.0}).workforce
    homes = make_homes(places=[1, 1], manager=False, no_manager_since=[3, 5])
    update_staffing(homes, np.random.default_rng(0), wf, rates(manager_hire=1.0), 9)
    assert homes.manager.all() and homes.no_manager_since.tolist() == [-1, -1]


def test_rates_come_from_the_levers_not_the_scenario():
    p = P.replace(**{"workforce.hire_per_week": 0.0, "workforce.turnover_per_year": 5.0,
                     "workforce.manager_loss_per_year": 0.0})
    m = staffing_model(make_homes(places=np.full(20, 2), staff=3), p)
    m.levers.hire_per_week, m.levers.turnover_per_year = 1.0, 0.0
    staff_homes(m)
    assert np.all(m.homes.staff == staff_target(2, p.workforce))


def test_a_workforce_package_raises_hiring():
    p = P.replace(**{"policy.workforce.hiring_uplift": 1.0, "policy.workforce.start_week": 2})

    def hires(week):
        m = staffing_model(make_homes(places=np.full(500, 2), staff=4), p, week=week, seed=3)
        PolicySchedule(SimpleNamespace(params=p, levers=m.levers, scale=1.0)).apply(week)
        before = m.homes.staff.sum()
        m.levers.turnover_per_year = 0.0
        staff_homes(m)
        return m.levers.hire_per_week, m.homes.staff.sum() - before

    rate_before, hired_before = hires(1)
    rate_after, hired_after = hires(2)
    assert rate_before == P.workforce.hire_per_week and rate_after == 2 * rate_before
    assert hired_after > 1.5 * hired_before
