"""The weekly record's kernel (simmarket.kernels.record.view_stock) gives exactly what the NumPy it
replaces gives, for every authority or some, on random and empty tables (bit for bit)."""

import numpy as np
import pytest

from simmarket.kernels import record

HOME, UNREG, ACTIVE, PRIVATE, N_STATUS = 2, 3, 1, 0, 6
FAR, HIGH = 20.0, 10_000.0


def market(n, n_homes, n_la, seed):
    """Random homes' and children's columns, with the dtypes of the homes and children tables."""
    rng = np.random.default_rng(seed)
    homes = dict(la=rng.integers(0, n_la, n_homes), state=rng.integers(0, 3, n_homes),
                 secure=rng.random(n_homes) < 0.1, places=rng.integers(1, 7, n_homes),
                 manager=rng.random(n_homes) < 0.8, sector=rng.integers(0, 4, n_homes))
    status = rng.integers(0, N_STATUS, n).astype(np.int8)
    if not n_homes:
        status[status == HOME] = UNREG
    home = np.where(status == HOME, rng.integers(0, max(n_homes, 1), n), -1).astype(np.int32)
    children = dict(status=status, home=home,
                    la=rng.integers(0, n_la, n).astype(np.int32), price=np.round(rng.lognormal(8.5, 0.6, n), -1),
                    home_miles=rng.exponential(15, n), start3=rng.integers(-1, 60, n).astype(np.int32))
    return homes, children


def by_numpy(la_mask, h, c, recent_week):
    """The View's stock as metrics.View measured it with NumPy, in view_stock's order."""
    home_sel = la_mask[h["la"]] & (h["state"] == ACTIVE)
    ordinary = home_sel & ~h["secure"]
    homes_tally = [home_sel.sum(), ordinary.sum(), h["places"][ordinary].sum(), (~h["manager"][home_sel]).sum(),
                   (h["sector"][ordinary] == PRIVATE).sum(), h["places"][home_sel & h["secure"]].sum()]
    child_sel = la_mask[c["la"]]
    placed = np.flatnonzero(child_sel & (c["status"] == HOME))
    home_of, la_of, price_of = c["home"][placed], c["la"][placed], c["price"][placed]
    distance = c["home_miles"][placed]
    children_tally = [np.count_nonzero(distance > FAR), np.count_nonzero(h["la"][home_of] != la_of),
                      np.count_nonzero(c["start3"][placed] >= recent_week), np.count_nonzero(price_of >= HIGH),
                      np.count_nonzero(ordinary[c["home"][c["status"] == HOME]])]
    n_la = len(la_mask)
    la_over_10k = np.bincount(la_of[price_of >= HIGH], minlength=n_la) > 0
    la_unregistered = np.bincount(c["la"][child_sel & (c["status"] == UNREG)], minlength=n_la) > 0
    stats = [price_of.mean(), distance.mean()] if len(placed) else [np.nan] * 2
    return (home_sel, ordinary, homes_tally, np.bincount(c["status"][child_sel], minlength=N_STATUS), price_of,
            distance, children_tally, la_over_10k, la_unregistered, stats)


@pytest.mark.parametrize("n, n_homes, n_la", [(0, 0, 1), (1, 1, 1), (9, 3, 2), (400, 40, 5), (30_000, 2_000, 150)])
@pytest.mark.parametrize("view", ["everyone", "some", "none"])
def test_view_stock_is_the_numpy_it_replaces(n, n_homes, n_la, view):
    h, c = market(n, n_homes, n_la, n + n_homes)
    la_mask = {"everyone": np.ones(n_la, bool), "some": np.arange(n_la) % 3 != 1, "none": np.zeros(n_la, bool)}[view]
    got = record.view_stock(la_mask, c["status"], c["home"], c["la"], c["price"], c["home_miles"], c["start3"],
                            h["la"], h["state"], h["secure"], h["places"], h["manager"], h["sector"],
                            HOME, UNREG, ACTIVE, PRIVATE, N_STATUS, 7, FAR, HIGH)
    want = by_numpy(la_mask, h, c, 7)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    dtypes = [np.bool_, np.bool_, np.int64, np.int64, np.float64, np.float64, np.int64, np.bool_, np.bool_, np.float64]
    assert [g.dtype for g in got] == dtypes


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 127, 128, 129, 255, 256, 1_000, 8_877, 70_001])
def test_means_are_numpys_bit_for_bit(n):
    """Pairwise sums over every split NumPy makes (8 running sums up to 128 values, halves above)."""
    rng = np.random.default_rng(n)
    for a in (rng.lognormal(8, 1.5, n), rng.random(n) * 50, np.round(rng.lognormal(8, 0.3, n), -3)):
        assert record._mean(a) == a.mean()
