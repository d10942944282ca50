"""Buyers' price ceilings (simmarket.rules.ceilings)."""

import numpy as np

from simmarket.rules import price_ceiling

BENCH = np.array([4000.0, 4000.0, 4000.0, 12000.0, 0.0])
WAITED = np.array([0, 5, 40, 40, 3])


def test_without_an_alternative_a_ceiling_grows_with_every_week_waited():
    c = price_ceiling(BENCH, 1.5, np.ones(5), 0.1, WAITED, np.full(5, np.inf))
    np.testing.assert_array_equal(c, BENCH * 1.5 * (1 + 0.1 * WAITED))


def test_waiting_raises_a_ceiling_only_up_to_the_alternatives_price():
    c = price_ceiling(BENCH, 1.5, np.ones(5), 0.1, WAITED, np.full(5, np.inf), alternative=14000.0)
    assert c[0] == 6000.0  # first week: its multiple of the benchmark
    assert c[1] == 9000.0  # five weeks: still below the alternative
    assert c[2] == 14000.0  # forty weeks: held at the alternative's price
    assert c[3] == 18000.0  # a first-week ceiling above the alternative stays, and does not grow
    assert c[4] == 0.0  # no cost, no ceiling (not NaN)


def test_an_rcc_benchmark_caps_a_ceiling_below_the_alternative():
    cap = np.full(5, 2.0)
    c = price_ceiling(BENCH, 1.5, np.ones(5), 0.1, WAITED, cap, alternative=14000.0)
    assert c[2] == 8000.0 and c[3] == 18000.0
    assert np.all(c <= BENCH * cap)


def test_urgent_cases_start_higher():
    urgent = np.array([1.0, 1.5, 1.0, 1.0, 1.0])
    c = price_ceiling(BENCH[:2], 1.5, urgent[:2], 0.0, np.zeros(2), np.full(2, np.inf))
    assert c[1] == 1.5 * c[0]
