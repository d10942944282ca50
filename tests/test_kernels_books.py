"""The bookkeeping kernels (simmarket.kernels.books) give exactly what the NumPy they replace gives,
on small hand-made arrays, random ones and empty ones (np.array_equal: bit for bit)."""

import numpy as np
import pytest

from simmarket.kernels import books

HOME, N_STATUS = 2, 6
ACTIVE, PRIVATE, COUNCIL = 1, 0, 1


def children(n, n_homes, n_la, seed):
    """Random children's columns, with the narrow dtypes of the children table."""
    rng = np.random.default_rng(seed)
    status = rng.integers(0, N_STATUS, n).astype(np.int8)
    home = np.where(status == HOME, rng.integers(0, max(n_homes, 1), n), -1).astype(np.int32)
    return dict(status=status, block=(status == HOME) & (rng.random(n) < 0.2), home=home,
                la=rng.integers(0, n_la, n).astype(np.int32), price=rng.lognormal(8, 1, n) * (status >= HOME),
                uasc=rng.random(n) < 0.1)


def homes(n, n_la, n_owners, seed):
    rng = np.random.default_rng(seed)
    return dict(state=rng.integers(0, 3, n), sector=rng.integers(0, 4, n), la=rng.integers(0, n_la, n),
                owner=rng.integers(0, n_owners, n), places=rng.integers(0, 7, n), staff=rng.integers(0, 30, n),
                rev=rng.lognormal(9, 1, n) * (rng.random(n) < 0.8), cost=rng.lognormal(9, 1, n))


@pytest.mark.parametrize("n", [0, 1, 2, 17, 5000])
def test_rows_with_is_flatnonzero(n):
    codes = np.random.default_rng(n).integers(0, 6, n).astype(np.int8)
    for code in range(7):
        assert np.array_equal(books.rows_with(codes, code), np.flatnonzero(codes == code))


@pytest.mark.parametrize("n", [0, 1, 5, 4000])
def test_homes_closing_is_the_numpy_it_replaces(n):
    rng = np.random.default_rng(n)
    h = homes(n, 10, 10, n)
    ewma, secure = rng.normal(0, 500, n), rng.random(n) < 0.1
    since = np.where(rng.random(n) < 0.2, rng.integers(0, 60, n), -1)
    u = rng.random(n) ** 4  # some below the weekly hazards
    base, loss, week, weeks = 0.03, 0.25, 70, 26
    got = books.homes_closing(h["state"], ewma, h["sector"], secure, since, u, ACTIVE, COUNCIL, base, loss, 52, week,
                              weeks)
    act = h["state"] == ACTIVE
    losing = act & (ewma < 0) & (h["sector"] != COUNCIL) & ~secure
    hazard = np.where(act, base, 0.0) + np.where(losing, loss, 0.0)
    no_mgr = act & (since >= 0) & (week - since >= weeks)
    assert np.array_equal(got, np.flatnonzero((u < hazard / 52) | no_mgr))


@pytest.mark.parametrize("n, n_owners", [(0, 0), (1, 0), (4, 3), (30, 2000)])
def test_growing_owners_pick_as_the_loop_did(n, n_owners):
    rng = np.random.default_rng(n + n_owners)
    sector, grows, pick = rng.choice([0, 1, 2], n), rng.random(n) < 0.5, rng.random(n)
    owner_sector, failed = rng.integers(0, 3, n_owners), rng.random(n_owners) < 0.2
    want = np.full(n, -1, np.int64)
    for i in range(n):
        same = np.flatnonzero((owner_sector == sector[i]) & ~failed)
        if grows[i] and len(same):
            want[i] = same[int(pick[i] * len(same))]
    assert np.array_equal(books.growing_owners(sector, grows, pick, owner_sector, failed), want)


@pytest.mark.parametrize("n, n_la", [(0, 1), (2, 2), (4000, 150)])
def test_region_money_is_three_bincounts(n, n_la):
    h = homes(n, n_la, 3, n)
    region_of_la = np.random.default_rng(n).integers(0, 9, n_la)
    got = books.region_money(h["la"], region_of_la, h["sector"], h["state"], h["rev"], h["cost"], 9, PRIVATE, ACTIVE)
    region = region_of_la[h["la"]]
    private = (h["sector"] == PRIVATE) & (h["state"] == ACTIVE)
    want = (np.bincount(region, weights=h["rev"], minlength=9),
            np.bincount(region[private], weights=h["rev"][private], minlength=9),
            np.bincount(region[private], weights=h["cost"][private], minlength=9))
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
