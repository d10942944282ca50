"""The bookkeeping kernels (simmarket.kernels.books) give exactly what the NumPy they replace gives,
on small hand-made arrays, random ones and empty ones (np.array_equal: bit for bit)."""

import numpy as np
import pytest

from simmarket.kernels import books

HOME, UNREG, GONE, N_STATUS = 2, 3, 0, 6
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


SIZES = [(0, 0, 1), (1, 1, 1), (7, 3, 2), (5000, 400, 150)]


@pytest.mark.parametrize("n, n_homes, n_la", SIZES)
def test_child_accounts_is_the_bincounts_it_replaces(n, n_homes, n_la):
    c = children(n, n_homes, n_la, n)
    rev, spend, spend_unreg, in_use, uasc = books.child_accounts(
        c["status"], c["block"], c["home"], c["la"], c["price"], c["uasc"], n_homes, n_la, N_STATUS, HOME, UNREG, GONE)
    spot = (c["status"] == HOME) & ~c["block"]
    unreg = c["status"] == UNREG
    assert np.array_equal(rev, np.bincount(c["home"][spot], weights=c["price"][spot], minlength=n_homes))
    assert np.array_equal(spend, np.bincount(c["la"][spot], weights=c["price"][spot], minlength=n_la))
    assert np.array_equal(spend_unreg, np.bincount(c["la"][unreg], weights=c["price"][unreg], minlength=n_la))
    key = c["status"].astype(np.int64) * n_la + c["la"]
    assert np.array_equal(in_use, np.bincount(key, minlength=N_STATUS * n_la).reshape(N_STATUS, n_la))
    in_care = c["uasc"] & (c["status"] != GONE)
    assert np.array_equal(uasc, np.bincount(c["la"][in_care], minlength=n_la))


@pytest.mark.parametrize("n, n_la, n_owners", [(0, 1, 1), (3, 2, 2), (4000, 150, 900)])
def test_home_costs_and_profit_smoothing_are_the_numpy_they_replace(n, n_la, n_owners):
    h = homes(n, n_la, n_owners, n)
    rng = np.random.default_rng(1)
    prop_of_la, indebted = rng.uniform(200, 400, n_la), rng.random(n_owners) < 0.3
    core, per_place, wage, share = 2.0, 1.7, 612.3, 0.08
    est = np.where(h["places"] > 0, core + per_place * np.asarray(h["places"], float), 0.0)
    cost = books.home_costs(h["state"], h["places"], est, h["staff"], h["la"], h["owner"], prop_of_la, indebted,
                            h["rev"], ACTIVE, wage, share)
    target = np.maximum(est, h["staff"])
    want = np.where(h["state"] == ACTIVE, target * wage + h["places"] * prop_of_la[h["la"]], 0.0)
    want = want + np.where(indebted[h["owner"]], share * h["rev"], 0.0)
    assert np.array_equal(cost, want)
    ewma = rng.normal(0, 1000, n)
    want = np.where(h["state"] == ACTIVE, (1 - 1 / 13) * ewma + 1 / 13 * (h["rev"] - cost), 0.0)
    books.smooth_profit(h["state"], ewma, h["rev"], cost, ACTIVE, 1 - 1 / 13, 1 / 13)
    assert np.array_equal(ewma, want)


@pytest.mark.parametrize("n, n_groups", [(0, 1), (1, 1), (9, 4), (5000, 153)])
def test_pair_sums_are_two_bincounts(n, n_groups):
    rng = np.random.default_rng(n)
    groups, keep = rng.integers(0, n_groups, n), rng.random(n) < 0.6
    a, b = rng.lognormal(8, 2, n), rng.integers(0, 9, n)
    sum_a, sum_b = books.pair_sums(groups, keep, a, b, n_groups)
    assert np.array_equal(sum_a, np.bincount(groups[keep], weights=a[keep], minlength=n_groups))
    assert np.array_equal(sum_b, np.bincount(groups[keep], weights=b[keep], minlength=n_groups))
    sum_a, sum_b = books.pair_sums(groups, None, a, b, n_groups)
    assert np.array_equal(sum_a, np.bincount(groups, weights=a, minlength=n_groups))
    assert np.array_equal(sum_b, np.bincount(groups, weights=b, minlength=n_groups))


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


@pytest.mark.parametrize("n", [0, 1, 6, 4000])
def test_staffing_kernels_are_the_numpy_they_replace(n):
    rng = np.random.default_rng(n)
    h = homes(n, 5, 5, n)
    staff_used = rng.uniform(0, 25, n) * (rng.random(n) < 0.7)
    manager, since = rng.random(n) < 0.8, np.where(rng.random(n) < 0.5, rng.integers(0, 40, n), -1)
    act = np.flatnonzero(h["state"] == ACTIVE)
    staff = h["staff"][act]
    leavers = rng.binomial(staff, 0.1)
    core, per_place, week = 2.0, 1.05, 44
    est = np.where(h["places"][act] > 0, core + per_place * np.asarray(h["places"][act], float), 0.0)
    target = np.ceil(np.maximum(est, staff_used[act]) - 1e-9).astype(np.int64)
    vacancies = books.staff_vacancies(act, est, staff_used, staff, leavers)
    assert np.array_equal(vacancies, np.maximum(target - (staff - leavers), 0))
    hires, u_lose, u_gain = rng.binomial(vacancies, 0.5), rng.random(len(act)), rng.random(len(act))
    new_manager = (manager[act] & ~(u_lose < 0.3)) | (~manager[act] & (u_gain < 0.4))
    want_since = since.copy()
    want_since[act] = np.where(new_manager, -1, np.where(since[act] < 0, week, since[act]))
    want_staff, want_manager = h["staff"].copy(), manager.copy()
    want_staff[act], want_manager[act] = staff - leavers + hires, new_manager
    books.settle_staff(act, h["staff"], manager, since, staff, leavers, hires, u_lose, u_gain, 0.3, 0.4, week)
    assert np.array_equal(h["staff"], want_staff) and np.array_equal(manager, want_manager)
    assert np.array_equal(since, want_since)


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
