"""The offer rounds' kernel (simmarket.kernels.offers): lexsort's order, second prices on a hand-made
market, and on random markets the rounds' invariants (capacity is never exceeded, a child is placed
once, a price is never below its quote without a cap)."""

from __future__ import annotations

import numpy as np
import pytest

from simmarket.kernels.offers import lexsort2, offer_rounds, screen_and_bid

MILE = 1609.344


@pytest.mark.parametrize("seed", range(6))
def test_lexsort2_is_lexsorts_order_with_ties_and_nan(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    groups = rng.integers(0, 20, n)
    distinct_keys = rng.random(n)
    tied = rng.integers(0, 4, n).astype(float)
    with_nan = np.where(rng.random(n) < 0.2, np.nan, distinct_keys)
    for keys in (distinct_keys, -distinct_keys, tied, with_nan):
        assert np.array_equal(lexsort2(keys, groups), np.lexsort((keys, groups)))
    spread = rng.integers(-5000, 5000, n)  # groups over a wide range, some negative
    assert np.array_equal(lexsort2(tied, spread), np.lexsort((tied, spread)))
    signed = rng.choice([-np.inf, -3.5, -1e-300, -0.0, 0.0, 1e-300, 2.25, np.inf, np.nan, -np.nan, 1e300], n)
    for keys in (signed, signed * rng.normal(size=n)):  # both signs, both zeros, infinities, NaNs, subnormals
        assert np.array_equal(lexsort2(keys, groups), np.lexsort((keys, groups)))
    assert len(lexsort2(np.zeros(0), np.zeros(0, np.int64))) == 0


def rounds(c, h, blk, score, cust, quote, wtp, block, open_, staff, need=None, cost=None, d=None, council=None,
           cap=1.0, n_rounds=3, weight=None, live=None):
    n = len(c)
    need = np.ones(n) if need is None else need
    return offer_rounds(n_rounds, np.ones(n, bool) if live is None else live, c, h, blk, score, cust, quote, quote if cost is None else cost,
                        np.zeros(n) if d is None else d, need, np.zeros(n, bool) if council is None else council,
                        wtp, block, open_, staff, cap, np.zeros(n) if weight is None else weight, MILE, len(block))


def test_one_place_two_buyers_goes_to_the_best_score_at_the_second_price():
    c, h = np.array([0, 1]), np.array([0, 0])
    placed, price, offers, contested = rounds(
        c, h, np.zeros(2, bool), score=np.array([0.2, 0.5]), cust=np.array([0, 1]), quote=np.array([5000.0, 5000.0]),
        wtp=np.array([6000.0, 7000.0]), block=np.zeros(1, np.int64), open_=np.ones(1, np.int64), staff=np.array([3.0]))
    assert placed.tolist() == [1]  # the better-scored referral gets the only offer
    assert price.tolist() == [6000.0]  # the losing buyer's ceiling lifts the price from the quote
    assert contested.tolist() == [True]
    assert offers == 1


def test_the_same_buyer_does_not_bid_against_itself_and_a_cap_binds():
    c, h = np.array([0, 1]), np.array([0, 0])
    args = dict(score=np.array([0.2, 0.5]), quote=np.array([5000.0, 5000.0]), wtp=np.array([6000.0, 7000.0]))
    cap = dict(block=np.zeros(1, np.int64), open_=np.ones(1, np.int64), staff=np.array([3.0]))
    _, price, _, contested = rounds(c, h, np.zeros(2, bool), cust=np.array([4, 4]), **args, **cap)
    assert price.tolist() == [5000.0] and not contested.any()
    cap = dict(block=np.zeros(1, np.int64), open_=np.ones(1, np.int64), staff=np.array([3.0]))
    _, price, _, _ = rounds(c, h, np.zeros(2, bool), cust=np.array([0, 1]), cost=np.array([5000.0, 5000.0]) / 1.1,
                            cap=0.12, **args, **cap)
    assert price[0] == pytest.approx(5000.0 / 1.1 * 1.12)  # the bid is cut to cost x (1 + cap)


def random_pairs(rng, n_children: int, n_homes: int, draws: int):
    """Distinct random (child, home) referral pairs, sorted by child then home."""
    pairs = np.unique(np.column_stack([rng.integers(0, n_children, draws), rng.integers(0, n_homes, draws)]), axis=0)
    return pairs[:, 0], pairs[:, 1]


@pytest.mark.parametrize("seed", range(8))
def test_random_markets_keep_capacity_and_place_each_child_once(seed):
    rng = np.random.default_rng(seed)
    n_children, n_homes = 60, 25
    c, h = random_pairs(rng, n_children, n_homes, 300)
    n = len(c)
    blk = rng.random(n) < 0.2
    need = rng.choice([1.0, 1.5, 2.0], n_children)[c]
    quote = rng.uniform(4000, 8000, n)
    block0, open0 = rng.integers(0, 2, n_homes), rng.integers(0, 3, n_homes)
    staff0 = rng.uniform(0, 6, n_homes)
    block, open_, staff = block0.copy(), open0.copy(), staff0.copy()
    placed, price, offers, _ = rounds(c, h, blk, rng.random(n), rng.integers(0, 5, n_children)[c], quote,
                                      rng.uniform(5000, 9000, n_children), block, open_, staff, need=need,
                                      d=rng.uniform(0, 50 * MILE, n))
    assert len(np.unique(c[placed])) == len(placed) <= offers
    taken_block = np.bincount(h[placed][blk[placed]], minlength=n_homes)
    taken_open = np.bincount(h[placed][~blk[placed]], minlength=n_homes)
    assert (taken_block <= block0).all() and (taken_open <= open0).all()
    assert np.array_equal(block, block0 - taken_block) and np.array_equal(open_, open0 - taken_open)
    used = np.bincount(h[placed], weights=need[placed], minlength=n_homes)
    assert (used <= staff0 + 1e-9).all()
    assert (price >= quote[placed]).all()


def test_each_buyer_weighs_distance_against_price_by_its_own_weight():
    # two children, each referred to a near dear home (0) and a far cheap one (1), one place each way
    c, h = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    d = np.array([5.0, 60.0, 5.0, 60.0]) * MILE
    quote = np.array([7000.0, 6000.0, 7000.0, 6000.0])
    args = dict(score=np.array([0.5, 0.5, 0.4, 0.4]), cust=np.array([0, 0, 1, 1]), quote=quote,
                wtp=np.array([9000.0, 9000.0]), d=d, council=np.ones(4, bool))  # council: no bidding up
    cap = lambda: dict(block=np.zeros(2, np.int64), open_=np.full(2, 2, np.int64), staff=np.array([5.0, 5.0]))
    for weights, homes in (([0.0, 0.0], [1, 1]), ([25.0, 0.0], [0, 1]), ([0.0, 25.0], [1, 0])):
        placed, _, _, _ = rounds(c, h, np.zeros(4, bool), **args, **cap(), weight=np.array(weights)[c])
        assert h[placed].tolist() == homes, weights  # 55 miles x 25 = 1,375 a week outweighs the 1,000 saved


@pytest.mark.parametrize("seed", range(4))
def test_pairs_not_live_are_as_if_absent(seed):
    rng = np.random.default_rng(seed)
    n_children, n_homes = 50, 15
    c, h = random_pairs(rng, n_children, n_homes, 250)
    n = len(c)
    cols = dict(blk=rng.random(n) < 0.2, score=rng.random(n), cust=rng.integers(0, 4, n_children)[c],
                quote=rng.uniform(4000, 8000, n), need=rng.choice([1.0, 1.5], n_children)[c],
                d=rng.uniform(0, 50 * MILE, n), council=rng.random(n) < 0.2, weight=rng.uniform(0, 30, n))
    wtp = rng.uniform(5000, 9000, n_children)
    cap = (rng.integers(0, 2, n_homes), rng.integers(0, 3, n_homes), rng.uniform(0, 5, n_homes))
    live = rng.random(n) < 0.6
    sub = {k: v[live] for k, v in cols.items()}
    placed, price, offers, contested = rounds(c, h, wtp=wtp, live=live, **cols, **dict(zip(("block", "open_", "staff"),
                                                                                        [a.copy() for a in cap])))
    placed_s, price_s, offers_s, contested_s = rounds(c[live], h[live], wtp=wtp, **sub,
                                                      **dict(zip(("block", "open_", "staff"), [a.copy() for a in cap])))
    assert len(placed_s) > 0
    assert np.array_equal(placed, np.flatnonzero(live)[placed_s]) and np.array_equal(price, price_s)
    assert offers == offers_s and np.array_equal(contested, contested_s)


@pytest.mark.parametrize("seed", range(4))
def test_screen_and_bid_is_the_numpy_screen_then_the_offer_rounds(seed):
    """The risk screen (noise on the affordable pairs, then the council and block priorities) and
    the per-child and per-home columns gathered in the kernel, as the NumPy version did them."""
    rng = np.random.default_rng(seed)
    n_children, n_homes = 50, 15
    c, h = random_pairs(rng, n_children, n_homes, 250)
    n = len(c)
    blk, own = rng.random(n) < 0.2, rng.random(n) < 0.2
    score, cust, quote = rng.normal(0.1, 0.3, n), rng.integers(0, 4, n_children)[c], rng.uniform(4000, 8000, n)
    d, need, weight = rng.uniform(0, 50 * MILE, n), rng.choice([1.0, 1.5], n_children), rng.uniform(0, 30, n_children)
    wtp, sector = rng.uniform(5000, 9000, n_children), rng.integers(0, 3, n_homes)
    reserved, free, spare = rng.integers(0, 2, n_homes), rng.integers(0, 4, n_homes), rng.uniform(0, 5, n_homes)
    affordable = rng.random(n) < 0.7
    noise = rng.standard_normal(np.count_nonzero(affordable))
    for own_first in (False, True):
        full = np.zeros(n)
        full[affordable] = noise
        final = score + 0.1 * full
        if own_first:
            final = final + 10.0 * own
        final = final + 100.0 * blk
        live = affordable & (final >= 0)
        block = np.minimum(reserved, free)
        want = offer_rounds(3, live, c, h, blk, final, cust, quote, quote, d, need[c], sector[h] == 2, wtp, block,
                            free - block, spare.copy(), 0.5, weight[c], MILE, n_homes)
        got = screen_and_bid(3, affordable, noise, 0.1, own_first, 10.0, 100.0, c, h, blk, score, own, cust, quote,
                             quote, d, need, weight, wtp, sector, 2, reserved, free, spare, 0.5, MILE)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]) and got[2] == want[2]
        assert got[3] == np.count_nonzero(want[3]) and got[4] == np.count_nonzero(live) and len(want[0]) > 0
