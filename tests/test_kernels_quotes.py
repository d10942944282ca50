"""The quotes' kernel (simmarket.kernels.quotes) gives exactly what the NumPy quote it replaced gave,
on a hand-made market, on random ones (zero costs, caps, cooperatives, council pools) and on none."""

from __future__ import annotations

import numpy as np
import pytest

from simmarket.kernels.quotes import quote_pairs

COUNCIL = 1
RISK = np.array([0.5, 0.4, 0.3])


def reference(c, h, hq, unit, margin, scarcity, complexity, dol, child_la, customer, coop, wtp, unmet, home_la, sector,
              council_code, price_factor, block_buyer, block_price, reserved_free, pool, cap, risk_aversion, risk):
    """The clearing's quote and score as whole-array NumPy, per pair."""
    i = np.searchsorted(hq, h)
    cost = unit[i, 2 * complexity[c] + dol[c]]
    q = cost * (1 + margin[i]) * scarcity[i] * price_factor[h]
    if cap < 1.0:
        q = np.minimum(q, cost * (1 + cap))
    own = home_la[h] == child_la[c]
    cp = coop[c] if len(coop) else None
    if len(pool) and cp is not None:
        own |= (pool[home_la[h]] >= 0) & (pool[home_la[h]] == cp)
    council = sector[h] == council_code
    q = np.where(council, cost, q)
    cust = customer[c]
    holder = (block_buyer[h] == cust) | (block_buyer[h] == child_la[c])
    if cp is not None:
        holder |= (cp >= 0) & (block_buyer[h] == cp)
    is_block = holder & (reserved_free[h] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (wtp[c] - cost) / cost - risk_aversion * (complexity[c] * risk[0] + risk[1] * unmet + risk[2] * dol[c])
    return cost, np.where(is_block, block_price[h], q), is_block, council & own, cust, score


def random_market(rng, n_pairs, n_children=30, n_homes=25, n_la=5, cap=1.0, with_coops=True):
    c = np.sort(rng.integers(0, n_children, n_pairs))
    h = rng.integers(0, n_homes, n_pairs)
    hq = np.unique(h)
    unit = rng.uniform(500, 9000, (len(hq), 6)) * (rng.random((len(hq), 6)) > 0.1)  # some zero costs
    coop = np.where(rng.random(n_children) < 0.5, n_la + rng.integers(0, 2, n_children), -1) if with_coops else np.zeros(0, np.int64)
    pool = np.where(rng.random(n_la) < 0.5, n_la + rng.integers(0, 2, n_la), -1) if with_coops else np.zeros(0, np.int64)
    return (c, h, hq, unit, rng.uniform(0, 0.3, len(hq)), rng.uniform(1, 1.8, len(hq)),
            rng.integers(0, 3, n_children).astype(np.int8), rng.random(n_children) < 0.3,
            rng.integers(0, n_la, n_children).astype(np.int32), rng.integers(0, n_la + 2, n_children), coop,
            rng.uniform(3000, 12000, n_children), rng.integers(0, 3, n_pairs), rng.integers(0, n_la, n_homes),
            rng.integers(0, 4, n_homes), COUNCIL, rng.uniform(0.9, 1.3, n_homes),
            np.where(rng.random(n_homes) < 0.4, rng.integers(0, n_la + 2, n_homes), -1), rng.uniform(4000, 6000, n_homes),
            rng.integers(0, 2, n_homes), pool, cap, 0.7, RISK)


def assert_same(args):
    for got, want in zip(quote_pairs(*args), reference(*args)):
        assert got.dtype == want.dtype or got.dtype.kind == want.dtype.kind
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(8))
def test_random_markets_quote_as_numpy_does(seed):
    rng = np.random.default_rng(seed)
    assert_same(random_market(rng, int(rng.integers(1, 400)), cap=(1.0, 0.1)[seed % 2], with_coops=seed % 3 > 0))


def test_a_hand_made_market():
    # child 0 (authority 0, complexity 1) referred to a private home, a council home of its
    # authority and a home with its authority's free block place; child 1 (authority 1) to the last two
    c, h = np.array([0, 0, 0, 1, 1]), np.array([0, 1, 2, 1, 2])
    hq, unit = np.array([0, 1, 2]), np.full((3, 6), 1000.0)
    args = (c, h, hq, unit, np.array([0.2, 0.0, 0.2]), np.array([1.5, 1.0, 1.0]), np.array([1, 1], np.int8),
            np.zeros(2, bool), np.array([0, 1], np.int32), np.array([0, 1]), np.zeros(0, np.int64), np.array([5000.0, 900.0]),
            np.zeros(5, np.int64), np.array([0, 0, 0]), np.array([0, COUNCIL, 0]), COUNCIL, np.ones(3),
            np.array([-1, -1, 0]), np.array([0.0, 0.0, 777.0]), np.array([0, 0, 1]), np.zeros(0, np.int64), 1.0, 0.0, RISK)
    cost, q, is_block, council_own, cust, score = quote_pairs(*args)
    assert q.tolist() == [1000.0 * 1.2 * 1.5, 1000.0, 777.0, 1000.0, 1200.0]
    assert is_block.tolist() == [False, False, True, False, False]
    assert council_own.tolist() == [False, True, False, False, False]
    assert score.tolist() == [4.0, 4.0, 4.0, -0.1, -0.1]
    assert_same(args)


def test_no_pairs():
    args = list(random_market(np.random.default_rng(0), 0))
    args[2] = np.zeros(0, np.int64)
    args[3] = np.zeros((0, 6))
    assert all(len(a) == 0 for a in quote_pairs(*args))
    assert_same(args)
