"""A cooperative with every function off is no cooperative: the run equals the baseline bit for bit."""

import numpy as np

from simmarket import metrics
from simhelpers import build

NULL = {"rcc.membership": "regions", "rcc.start_week": 4, "rcc.one_customer": False, "rcc.block_share": 0.0,
        "rcc.foster_uplift": 0.0, "rcc.holds_duty": False, "rcc.price_benchmark": 0.0, "rcc.capital_gbp_per_year": 0.0,
        "rcc.runs_council_homes": False, "rcc.runs_fostering": False, "rcc.market_shaping": 0.0}


def test_a_cooperative_with_every_function_off_equals_the_baseline_bit_for_bit():
    base, null = build(5), build(5, **NULL)
    base.run_weeks(30)
    null.run_weeks(30)
    assert (null.levers.rcc_of_la >= 0).all()  # everyone is a member of a cooperative that does nothing
    a, b = metrics.compute(base), metrics.compute(null)
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])), k
    assert np.array_equal(base.children.price, null.children.price)


def test_a_cooperative_with_one_function_on_differs():
    """The comparison above can fail: one customer alone changes the run."""
    base, one = build(5), build(5, **{**NULL, "rcc.one_customer": True})
    base.run_weeks(30)
    one.run_weeks(30)
    assert not np.array_equal(base.children.price, one.children.price)
