"""The accounts and staffing kernels (simmarket.kernels.accounts) give exactly what the NumPy they
replace gives, on small hand-made arrays, random ones and empty ones (np.array_equal: bit for bit)."""

import numpy as np
import pytest

from simmarket.kernels import accounts
from simmarket.kernels.accounts import (COUNCIL_COST, COUNCIL_INCOME, HOME_OFFICE, IN_HOMES, N_ROWS, RESIDENTIAL,
                                        SPEND_OTHER, SPEND_SPOT, SPEND_SUPPORTED, SPEND_UNREG)
from simmarket.params import Scenario
from simmarket.rules import establishment
from simmarket.rules.costs import staff_per_place_beyond_core
from simmarket.state import ACTIVE, COUNCIL, FOSTER, GONE, HOME, N_STATUS, SUPPORTED, UNREG

CODES = (HOME, UNREG, GONE, FOSTER, SUPPORTED, N_STATUS, ACTIVE, COUNCIL)


def children(n, n_homes, n_la, rng):
    """Random children's columns, with the narrow dtypes of the children table."""
    status = rng.integers(0, N_STATUS, n).astype(np.int8)
    home = np.where(status == HOME, rng.integers(0, max(n_homes, 1), n), -1).astype(np.int32)
    return dict(status=status, block=(status == HOME) & (rng.random(n) < 0.2), home=home,
                la=rng.integers(0, n_la, n).astype(np.int32), price=rng.lognormal(8, 1, n) * (status >= HOME),
                uasc=rng.random(n) < 0.1)


def homes(n, n_la, n_owners, n_customers, rng):
    """Random homes' columns, some with block contracts held by authorities or cooperatives."""
    return dict(state=rng.integers(0, 3, n), sector=rng.integers(0, 4, n), la=rng.integers(0, n_la, n),
                owner=rng.integers(0, n_owners, n), places=rng.integers(0, 7, n), staff=rng.integers(0, 30, n),
                block_buyer=np.where(rng.random(n) < 0.3, rng.integers(0, n_customers, n), -1),
                block_places=rng.integers(0, 4, n), block_price=rng.uniform(2000, 6000, n),
                profit_ewma=rng.normal(0, 1000, n), occupied=rng.integers(0, 5, n))


@pytest.mark.parametrize("n, n_homes, n_la, n_owners", [(0, 0, 1, 1), (1, 1, 1, 1), (9, 3, 2, 2),
                                                        (5000, 400, 150, 90)])
def test_settle_is_the_numpy_it_replaces(n, n_homes, n_la, n_owners):
    rng = np.random.default_rng(n)
    c, h, n_customers = children(n, n_homes, n_la, rng), homes(n_homes, n_la, n_owners, n_la + 2, rng), n_la + 2
    prop_of_la, indebted = rng.uniform(200, 400, n_la), rng.random(n_owners) < 0.3
    to_date = rng.uniform(0, 1e6, (2, n_owners))
    money = (2.0, 1.7, 612.3, 0.08, 1 - 1 / 13, 1 / 13, 450.0, 1200.0, 1001.0)
    core, per_place, wage, share, keep, weight, foster_cost, supported_cost, uasc_week = money
    ewma, got_to_date = h["profit_ewma"].copy(), to_date.copy()
    rev, cost, by_buyer, by_la = accounts.settle(
        c["status"], c["block"], c["home"], c["la"], c["price"], c["uasc"], h["state"], h["sector"], h["la"],
        h["owner"], h["places"], h["staff"], h["block_buyer"], h["block_places"], h["block_price"], ewma, indebted,
        got_to_date[0], got_to_date[1], prop_of_la, n_la, n_customers, CODES, money)
    # the NumPy of phases.accounts before the kernel
    spot, unreg, active = (c["status"] == HOME) & ~c["block"], c["status"] == UNREG, h["state"] == ACTIVE
    blocks = np.where(active, h["block_places"] * h["block_price"], 0.0)
    want_rev = np.bincount(c["home"][spot], weights=c["price"][spot], minlength=n_homes) + blocks
    est = np.where(h["places"] > 0, core + per_place * np.asarray(h["places"], float), 0.0)
    want_cost = np.where(active, np.maximum(est, h["staff"]) * wage + h["places"] * prop_of_la[h["la"]], 0.0)
    want_cost = want_cost + np.where(indebted[h["owner"]], share * want_rev, 0.0)
    assert np.array_equal(rev, want_rev) and np.array_equal(cost, want_cost)
    assert np.array_equal(ewma, np.where(active, keep * h["profit_ewma"] + weight * (want_rev - want_cost), 0.0))
    held = h["block_buyer"] >= 0
    assert np.array_equal(by_buyer, np.bincount(h["block_buyer"][held], weights=blocks[held], minlength=n_customers))
    for row, weights in enumerate((want_rev, want_cost)):  # the owners' revenue and cost to date
        by_owner = np.bincount(h["owner"], weights=weights, minlength=n_owners)
        assert np.array_equal(got_to_date[row], to_date[row] + by_owner)
    in_use = np.bincount(c["status"].astype(np.int64) * n_la + c["la"], minlength=N_STATUS * n_la).reshape(N_STATUS,
                                                                                                           n_la)
    council = (h["sector"] == COUNCIL) & active
    want = np.empty((N_ROWS, n_la))
    want[SPEND_SPOT] = np.bincount(c["la"][spot], weights=c["price"][spot], minlength=n_la)
    want[SPEND_UNREG] = np.bincount(c["la"][unreg], weights=c["price"][unreg], minlength=n_la)
    want[SPEND_SUPPORTED] = in_use[SUPPORTED] * supported_cost
    want[SPEND_OTHER] = want[SPEND_UNREG] + in_use[FOSTER] * foster_cost + in_use[SUPPORTED] * supported_cost
    want[IN_HOMES] = in_use[HOME]
    want[RESIDENTIAL] = in_use[HOME] + in_use[UNREG]
    want[COUNCIL_COST] = np.bincount(h["la"][council], weights=want_cost[council], minlength=n_la)
    want[COUNCIL_INCOME] = np.bincount(h["la"][council], weights=want_rev[council], minlength=n_la)
    in_care = c["uasc"] & (c["status"] != GONE)
    want[HOME_OFFICE] = np.bincount(c["la"][in_care], minlength=n_la) * uasc_week
    assert np.array_equal(by_la, want)


@pytest.mark.parametrize("n, n_la", [(0, 1), (3, 2), (4000, 150)])
def test_learn_occupancy_is_the_numpy_it_replaces(n, n_la):
    rng = np.random.default_rng(n)
    h = homes(n, n_la, 1, 1, rng)
    region_of_la, seen = rng.integers(0, 9, n_la), rng.uniform(0.5, 0.9, 9)
    got = seen.copy()
    accounts.learn_occupancy(got, region_of_la, h["la"], h["state"], h["places"], h["occupied"], ACTIVE, 52)
    region, active = region_of_la[h["la"]], h["state"] == ACTIVE
    places = np.bincount(region[active], weights=h["places"][active], minlength=9)
    occupied = np.bincount(region[active], weights=h["occupied"][active], minlength=9)
    assert np.array_equal(got, seen + (occupied / np.maximum(places, 1.0) - seen) / 52)


def test_establishment_is_the_rules():
    wf = Scenario().workforce
    places = np.arange(-1, 12)
    got = [accounts.establishment(p, wf.core_staff_per_home, staff_per_place_beyond_core(wf)) for p in places]
    assert np.array_equal(got, establishment(places, wf))


@pytest.mark.parametrize("n", [0, 1, 6, 4000])
def test_staffing_kernels_are_the_numpy_they_replace(n):
    rng = np.random.default_rng(n)
    h = homes(n, 5, 5, 5, rng)
    staff_used = rng.uniform(0, 25, n) * (rng.random(n) < 0.7)
    manager, since = rng.random(n) < 0.8, np.where(rng.random(n) < 0.5, rng.integers(0, 40, n), -1)
    act = np.flatnonzero(h["state"] == ACTIVE)
    staff = h["staff"][act]
    leavers = rng.binomial(staff, 0.1)
    core, per_place, week = 2.0, 1.05, 44
    est = np.where(h["places"][act] > 0, core + per_place * np.asarray(h["places"][act], float), 0.0)
    target = np.ceil(np.maximum(est, staff_used[act]) - 1e-9).astype(np.int64)
    vacancies = accounts.staff_vacancies(act, h["places"], core, per_place, staff_used, staff, leavers)
    assert np.array_equal(vacancies, np.maximum(target - (staff - leavers), 0))
    hires, u_lose, u_gain = rng.binomial(vacancies, 0.5), rng.random(len(act)), rng.random(len(act))
    new_manager = (manager[act] & ~(u_lose < 0.3)) | (~manager[act] & (u_gain < 0.4))
    want_since = since.copy()
    want_since[act] = np.where(new_manager, -1, np.where(since[act] < 0, week, since[act]))
    want_staff, want_manager = h["staff"].copy(), manager.copy()
    want_staff[act], want_manager[act] = staff - leavers + hires, new_manager
    accounts.settle_staff(act, h["staff"], manager, since, staff, leavers, hires, u_lose, u_gain, 0.3, 0.4, week)
    assert np.array_equal(h["staff"], want_staff) and np.array_equal(manager, want_manager)
    assert np.array_equal(since, want_since)
