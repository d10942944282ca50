"""A cooperative's market shaping (rcc.market_shaping) steers entry among its members by need and
leaves each cooperative's pull on entrants, and everything outside cooperatives, as it was."""

import numpy as np
import pytest

from simmarket.phases.entry_exit import entry_weights
from simhelpers import build

SHAPING = {"rcc.membership": "regions", "rcc.start_week": 2, "rcc.market_shaping": 1.0}


def test_members_take_their_cooperatives_shaping_and_entry_follows_their_need():
    m = build(5, **SHAPING)
    m.run_weeks(8)
    coop = m.levers.rcc_of_la
    assert (coop >= 0).all() and (m.levers.shaping == 1.0).all()
    shaped = entry_weights(m)
    m.levers.shaping[:] = 0.0
    plain = entry_weights(m)
    assert not np.allclose(shaped, plain)
    for g in np.unique(coop):  # a region's cooperative: its total weight is unchanged
        assert shaped[coop == g].sum() == pytest.approx(plain[coop == g].sum())


def test_without_cooperatives_shaping_does_nothing():
    base, off = build(5), build(5, **{"rcc.market_shaping": 1.0})
    base.run_weeks(10)
    off.run_weeks(10)
    assert np.array_equal(base.homes.la, off.homes.la) and np.array_equal(base.children.price, off.children.price)
