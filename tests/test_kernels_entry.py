"""The kernels of homes' coming and going (simmarket.kernels.entry) give exactly what the NumPy they
replace gives, on small, random and empty tables (np.array_equal: bit for bit)."""

import numpy as np
import pytest

from simmarket.kernels import entry

PIPELINE, ACTIVE, COUNCIL, WAITING, HOME, NEED, WEIGHT = 0, 1, 1, 1, 2, 1.5, 0.5


def homes(n, n_la, seed):
    """Random homes' columns for block contracts, distances with ties (whole miles on a line)."""
    rng = np.random.default_rng(seed)
    places = rng.integers(0, 5, n)
    return dict(state=rng.integers(0, 3, n), block_buyer=np.where(rng.random(n) < 0.2, 3, -1),
                sector=rng.integers(0, 4, n), secure=rng.random(n) < 0.05, manager=rng.random(n) < 0.9,
                la=rng.integers(0, n_la, n), places=places, occupied=rng.integers(0, places + 1),
                staff=rng.integers(0, 12, n), staff_used=rng.random(n) * 8, x=rng.integers(-20, 20, n) * 1609.0,
                y=np.zeros(n), block_places=np.zeros(n, np.int64), block_price=np.zeros(n))


def reserved_by_numpy(h, cost_of_la, occ_of_la, spot, limit, where, wanted, buyer):
    """The NumPy commissioning.reserve_places had (with contract_terms, staffable_places and a full
    stable sort for nearest_first), on copies of the columns."""
    h = {k: v.copy() for k, v in h.items()}
    cand = np.flatnonzero((h["state"] == ACTIVE) & (h["block_buyer"] < 0) & (h["sector"] != COUNCIL) & ~h["secure"]
                          & (h["places"] > h["occupied"]) & h["manager"])
    spare = np.maximum(h["staff"][cand] - h["staff_used"][cand], 0.0)
    room = np.minimum(h["places"][cand] - h["occupied"][cand], np.floor(spare / NEED + 1e-9).astype(np.int64))
    cand, room = cand[room > 0], room[room > 0]
    cost = cost_of_la[h["la"][cand]]
    provider = cost * spot * occ_of_la[h["la"][cand]]
    buyer_price = cost * limit
    price, agreed = provider + WEIGHT * (buyer_price - provider), provider <= buyer_price
    cand, room, price = cand[agreed], room[agreed], price[agreed]
    dist = np.hypot(h["x"][cand] - where[0], h["y"][cand] - where[1])
    near = np.argsort(dist, kind="stable")
    free = room[near]
    before = np.cumsum(free) - free
    used = before < wanted
    pos = near[used]
    h["block_buyer"][cand[pos]] = buyer
    h["block_places"][cand[pos]] = np.minimum(free[used], wanted - before[used])
    h["block_price"][cand[pos]] = price[pos]
    return h


@pytest.mark.parametrize("n, wanted", [(0, 3), (1, 1), (12, 5), (400, 1), (400, 30), (400, 10_000)])
@pytest.mark.parametrize("spot", [1.0, 1.25])
def test_reserve_nearest_is_the_numpy_it_replaces(n, wanted, spot):
    n_la = 6
    h = homes(n, n_la, n + wanted)
    rng = np.random.default_rng(wanted)
    cost_of_la, occ_of_la = rng.lognormal(8, 0.2, n_la), rng.uniform(0.7, 0.95, n_la)
    where, limit = (1609.0 * 3, 0.0), 1.15
    want = reserved_by_numpy(h, cost_of_la, occ_of_la, spot, limit, where, wanted, 7)
    entry.reserve_nearest(tuple(h[k] for k in ("state", "block_buyer", "sector", "secure", "manager", "la", "places",
                                               "occupied", "staff", "staff_used", "x", "y")),
                          cost_of_la, occ_of_la, (spot, limit, WEIGHT, NEED, ACTIVE, COUNCIL), where, wanted, 7,
                          h["block_places"], h["block_price"])
    for k in ("block_buyer", "block_places", "block_price"):
        assert np.array_equal(h[k], want[k]), k
    if n > 100:
        assert (h["block_buyer"] == 7).any()  # some contracts agreed


@pytest.mark.parametrize("n, n_homes", [(0, 1), (3, 1), (5000, 300)])
@pytest.mark.parametrize("n_closing", [0, 1, 40])
def test_children_in_closing_homes(n, n_homes, n_closing):
    rng = np.random.default_rng(n + n_closing)
    status = rng.integers(0, 6, n).astype(np.int8)
    home = np.where((status == HOME) | (rng.random(n) < 0.05), rng.integers(0, n_homes, n), -1).astype(np.int32)
    closing = rng.choice(n_homes, min(n_closing, n_homes), replace=False)
    want = np.flatnonzero((status == HOME) & np.isin(home, closing))
    assert np.array_equal(entry.children_in(status, home, closing, n_homes, HOME), want)


@pytest.mark.parametrize("n", [0, 1, 500])
def test_open_due_opens_the_homes_numpy_found(n):
    rng = np.random.default_rng(n)
    state, open_week = rng.integers(0, 3, n), rng.integers(0, 20, n)
    due = (state == PIPELINE) & (open_week <= 10)
    want = np.where(due, ACTIVE, state)
    assert np.array_equal(entry.open_due(state, open_week, 10, PIPELINE, ACTIVE), np.flatnonzero(due))
    assert np.array_equal(state, want)


@pytest.mark.parametrize("n", [0, 1, 300, 20_000])
@pytest.mark.parametrize("extra", [0.0, 2.5])
def test_due_unregistered_is_the_numpy_it_replaces(n, extra):
    rng = np.random.default_rng(n)
    n_la, week = 5, 40
    rare = n > 1000  # waiting rows are few in a national table
    status = rng.choice(np.array([0, WAITING, HOME, 4], np.int8), n, p=[0.3, 0.01 if rare else 0.4, 0.2, 0.49 if rare else 0.1])
    unreg_bar = rng.integers(-1, 45, n).astype(np.int32)
    need_since = rng.integers(20, 45, n).astype(np.int32)  # some after the week: no weeks waited
    la = rng.integers(0, n_la, n).astype(np.int32)
    emergency, dol, secure = (rng.random(n) < p for p in (0.1, 0.05, 0.02))
    at_once, limit = rng.random(n_la) < 0.5, rng.uniform(2, 12, n_la)
    waiting = np.flatnonzero(status == WAITING)
    waiting = waiting[unreg_bar[waiting] <= week]
    waited = np.maximum(week - need_since[waiting], 0)
    a = la[waiting]
    urgent = (emergency[waiting] | dol[waiting] | secure[waiting]) & (at_once[a] | (waited >= 1))
    want = waiting[(waited >= limit[a] + extra) | urgent]
    got = entry.due_unregistered(status, unreg_bar, need_since, la, (emergency, dol, secure), at_once, limit, extra,
                                 week, WAITING)
    assert np.array_equal(got, want)
