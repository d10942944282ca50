"""Costs, staffing needs and margins (simmarket.rules.costs)."""

import numpy as np
import pytest

from simmarket.data.paths import load_exogenous
from simmarket.params import Scenario
from simmarket.rules import (DOL_STAFF_MULTIPLIER, REFERENCE_PLACES_PER_HOME, care_cost, establishment, place_cost,
                             property_cost, sector_margin, staff_need, staff_target, wage)
from simmarket.state import COUNCIL, HEALTH, PRIVATE, VOLUNTARY
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()


def test_staff_need_by_complexity_and_dol():
    spc = (2.0, 3.0, 5.0)
    need = staff_need(np.array([0, 1, 2, 2]), np.array([False, False, False, True]), spc)
    assert need.tolist() == [2.0, 3.0, 5.0, 5.0 * DOL_STAFF_MULTIPLIER]


def test_staff_target_rounds_up():
    wf = Scenario().replace(**{"workforce.staff_per_place_target": 3.9, "workforce.core_staff_per_home": 0.0}).workforce
    assert staff_target(np.array([0, 1, 2, 3]), wf).tolist() == [0, 4, 8, 12]


def test_a_home_of_the_reference_size_has_the_target_ratio_whatever_its_core():
    for core in (0.0, 3.0, 8.0):
        wf = P.replace(**{"workforce.core_staff_per_home": core}).workforce
        staff = establishment(np.array([REFERENCE_PLACES_PER_HOME]), wf)[0]
        assert staff / REFERENCE_PLACES_PER_HOME == pytest.approx(wf.staff_per_place_target)


def test_a_core_makes_small_homes_dearer_per_place():
    p = P.replace(**{"workforce.core_staff_per_home": 3.0})
    per_place = place_cost(np.ones(5), p, 0, np.array([1, 2, 3, 4, 6]))
    assert np.all(np.diff(per_place) < 0)
    flat = P.replace(**{"workforce.core_staff_per_home": 0.0})
    np.testing.assert_allclose(place_cost(np.ones(3), flat, 0, np.array([1, 3, 6])), place_cost(np.ones(3), flat, 0))
    assert establishment(np.array([0]), p.workforce)[0] == 0.0  # no places, no staff


def test_a_dol_order_costs_the_staff_multiplier_more():
    c = care_cost(np.array([2, 2]), np.array([False, True]), np.ones(2), P)
    assert c[1] == pytest.approx(DOL_STAFF_MULTIPLIER * c[0])


def test_medium_need_child_costs_a_place_at_expected_occupancy():
    for occ in (0.5, 0.75, 1.0):
        p = P.replace(**{"pricing.expected_occupancy": occ})
        c = care_cost(np.array([1]), np.array([False]), np.array([1.3]), p, week=30)
        assert c[0] == pytest.approx(place_cost(np.array([1.3]), p, 30)[0] / occ)


def test_care_cost_scales_with_staff_need():
    c = care_cost(np.array([0, 1, 2]), np.zeros(3, bool), np.ones(3), P)
    spc = np.asarray(P.workforce.staff_per_child)
    np.testing.assert_allclose(c / c[1], spc / spc[1])


def test_wage_grows_by_real_growth_per_year():
    p = P.replace(**{"workforce.wage_growth_per_year": 0.1, "workforce.wage_gbp_week": 500.0,
                     "workforce.wage_growth_from_data": False})
    assert wage(p, 0) == pytest.approx(500.0)
    assert wage(p, WEEKS_PER_YEAR) == pytest.approx(550.0)
    assert wage(p, 2 * WEEKS_PER_YEAR) == pytest.approx(605.0)
    assert wage(p.replace(**{"workforce.wage_growth_per_year": 0.0}), 300) == pytest.approx(500.0)


def test_wage_follows_the_data_each_april_then_the_growth_parameter():
    p = P.replace(**{"workforce.wage_growth_per_year": 0.1, "workforce.wage_gbp_week": 500.0})
    growth = dict(zip(*load_exogenous()["real_wage"].values()))
    assert wage(p, 0) == wage(p, WEEKS_PER_YEAR - 1) == pytest.approx(500.0)  # April 2024 to March 2025
    assert wage(p, WEEKS_PER_YEAR) == pytest.approx(500.0 * (1 + growth[2025]))  # April 2025, the data's
    assert wage(p, 2 * WEEKS_PER_YEAR) == pytest.approx(500.0 * (1 + growth[2025]) * 1.1)  # then the parameter
    early = p.replace(**{"run.start_year": 2020, "workforce.richer_ratios_per_year": 0.0})  # April 2020: back
    back = (1 + growth[2021]) * (1 + growth[2022]) * (1 + growth[2023]) * (1 + growth[2024])  # through the data
    assert wage(early, 0) == pytest.approx(500.0 / back)
    assert wage(early, 4 * WEEKS_PER_YEAR) == pytest.approx(500.0)


def test_a_post_stood_for_fewer_staff_hours_before_april_2024_and_exactly_2024s_after():
    p = P.replace(**{"workforce.wage_growth_from_data": False, "workforce.wage_growth_per_year": 0.0,
                     "workforce.wage_gbp_week": 500.0, "workforce.richer_ratios_per_year": 0.05})
    early = p.replace(**{"run.start_year": 2020})
    assert wage(early, 0) == pytest.approx(500.0 / 1.05**4)  # March 2020: four years of richer ratios to come
    assert wage(early, 2 * WEEKS_PER_YEAR) == pytest.approx(500.0 / 1.05**2)
    assert wage(early, 4 * WEEKS_PER_YEAR) == wage(early, 5 * WEEKS_PER_YEAR) == 500.0  # from April 2024: none
    for week in (0, 30, 300):  # a run from March 2024 is untouched, bit for bit
        assert wage(p, week) == wage(p.replace(**{"workforce.richer_ratios_per_year": 0.0}), week)


def test_property_cost_follows_house_prices_in_part():
    p = P.replace(**{"pricing.property_gbp_place_week": 600.0})
    c = property_cost(np.array([0.0, 1.0, 2.0]), p)
    assert c[1] == pytest.approx(600.0)  # England's mean
    assert 0 < c[0] < c[1] < c[2]
    assert c[2] - c[1] == pytest.approx(c[1] - c[0])  # linear in the index


def test_place_cost_is_staff_plus_property():
    idx = np.array([0.8, 1.2])
    expected = P.workforce.staff_per_place_target * wage(P, 10) + property_cost(idx, P)  # at the reference size
    np.testing.assert_allclose(place_cost(idx, P, 10), expected)
    assert place_cost(idx, P, 104)[0] > place_cost(idx, P, 0)[0]  # wages grow


def test_sector_margin_by_sector_and_profit_cap():
    sectors = np.array([PRIVATE, VOLUNTARY, COUNCIL, HEALTH])
    pr = P.replace(**{"pricing.target_margin_private": 0.3, "pricing.target_margin_voluntary": 0.05}).pricing
    assert sector_margin(sectors, pr, 1.0).tolist() == pytest.approx([0.3, 0.05, 0.0, 0.0])
    assert sector_margin(sectors, pr, 0.1).tolist() == pytest.approx([0.1, 0.05, 0.0, 0.0])  # the cap binds
    assert sector_margin(sectors, pr, 0.0).tolist() == [0.0, 0.0, 0.0, 0.0]
