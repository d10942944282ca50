"""The stock metrics read what the View measured in one go (kernels.record): the same numbers as their
plain NumPy forms over the view's children and homes, nationally and for a region (bit for bit)."""

from types import SimpleNamespace

import numpy as np
import pytest

from simhelpers import build
from simmarket import metrics
from simmarket.metrics import FAR_MILES, METRICS, View
from simmarket.state import ACTIVE, HOME, PRIVATE
from simmarket.state.flows import HIGH_COST_GBP
from simmarket.time import WEEKS_PER_YEAR


@pytest.fixture(scope="module")
def model():
    m = build(seed=2)
    m.run_weeks(8)
    return m


def by_numpy(m, la_mask):
    """The stock metrics as NumPy computes them from the tables (np.mean sums pairwise)."""
    ch, homes = m.children, m.homes
    placed = np.flatnonzero(la_mask[ch.la] & (ch.status == HOME))
    home_sel = la_mask[homes.la] & (homes.state == ACTIVE)
    ordinary = home_sel & ~homes.secure
    price, miles, home = ch.price[placed], ch.home_miles[placed], ch.home[placed]
    places = int(homes.places[ordinary].sum())
    return {
        "mean_weekly_price_gbp": price.mean(), "mean_distance_miles": miles.mean(),
        "p90_weekly_price_gbp": np.percentile(price, 90),
        "placements_over_10k": np.count_nonzero(price >= HIGH_COST_GBP),
        "share_over_20_miles": np.mean(miles > FAR_MILES), "share_outside_la": np.mean(homes.la[home] != ch.la[placed]),
        "share_children_3plus_placements_12m": np.mean(ch.start3[placed] >= m.week - WEEKS_PER_YEAR),
        "occupancy_registered_places": np.count_nonzero(ordinary[ch.home[ch.status == HOME]]) / places,
        "share_homes_without_manager": np.mean(~homes.manager[home_sel]), "homes_total": np.count_nonzero(ordinary),
        "places_total": places, "places_per_home": places / np.count_nonzero(ordinary),
        "share_homes_private": np.mean(homes.sector[ordinary] == PRIVATE),
        "secure_places_total": homes.places[home_sel & homes.secure].sum(),
    }


@pytest.mark.parametrize("region", [None, 0, 6])
def test_stock_metrics_are_their_numpy_forms(model, region):
    la_mask = np.ones(model.n_la, bool) if region is None else model.region_of_la == region
    v = View(model, la_mask, model.week, model.week + 1)
    ch = model.children
    placed = np.flatnonzero(la_mask[ch.la] & (ch.status == HOME))
    assert len(placed) > 10
    np.testing.assert_array_equal(v.placed, placed)
    np.testing.assert_array_equal(v.price_of, ch.price[placed])
    np.testing.assert_array_equal(v.distance, ch.home_miles[placed])
    assert v.home_of.dtype == np.int64 and v.la_of.dtype == ch.la.dtype
    for key, want in by_numpy(model, la_mask).items():
        assert METRICS[key].definition(v) == float(want), key


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 101, 8_877])
def test_p90_is_np_percentile_bit_for_bit(n):
    rng = np.random.default_rng(n)
    for prices in (rng.lognormal(8.5, 0.6, n), np.round(rng.lognormal(8.5, 0.3, n), -3), np.full(n, 4_000.0)):
        v = SimpleNamespace(prices=lambda prices=prices: prices)
        assert metrics._p90(v) == float(np.percentile(prices, 90))
    with_nan = rng.random(n)
    with_nan[n // 3] = np.nan
    assert np.isnan(metrics._p90(SimpleNamespace(prices=lambda: with_nan)))
    assert np.isnan(metrics._p90(SimpleNamespace(prices=lambda: np.empty(0))))
