"""The nearest-points grid (simmarket.kernels.search) returns what an exact k-d tree query does."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from simmarket.kernels.search import candidate_pairs, grid_index, nearest, shortlist_pairs
from simhelpers import popcount


def tree_sets(x, y, px, py, k):
    _, j = cKDTree(np.column_stack([x, y])).query(np.column_stack([px, py]), k=k)
    return np.sort(j.reshape(len(px), k), axis=1)


@pytest.mark.parametrize("n,k", [(1, 1), (13, 3), (13, 13), (400, 15), (3000, 3), (3000, 18)])
def test_same_neighbours_as_a_kd_tree(n, k):
    rng = np.random.default_rng(n * 100 + k)
    # clustered points (towns) over an England-sized box, queries inside and well outside it
    centres = rng.uniform(0, 600_000, (20, 2))
    pts = centres[rng.integers(0, 20, n)] + rng.normal(0, 15_000, (n, 2))
    x, y = pts[:, 0], pts[:, 1]
    px, py = rng.uniform(-200_000, 800_000, 500), rng.uniform(-200_000, 800_000, 500)
    got = nearest(px, py, k, *grid_index(x, y))
    assert got.shape == (500, k)
    assert np.array_equal(np.sort(got, axis=1), tree_sets(x, y, px, py, k))


def test_fewer_points_than_k_are_all_returned_and_padded():
    x, y = np.array([0.0, 10.0, 20.0]), np.array([0.0, 0.0, 5.0])
    got = nearest(np.array([1.0]), np.array([1.0]), 5, *grid_index(x, y))
    assert sorted(got[0, :3]) == [0, 1, 2] and list(got[0, 3:]) == [-1, -1]


def test_points_on_one_line_and_repeated_queries():
    x = np.arange(50, dtype=float) * 1000.0
    y = np.zeros(50)
    px, py = np.array([12_400.0, 12_400.0, -5_000.0]), np.array([3.0, 3.0, 0.0])
    got = np.sort(nearest(px, py, 3, *grid_index(x, y)), axis=1)
    assert got.tolist() == [[11, 12, 13], [11, 12, 13], [0, 1, 2]]


def test_no_query_points():
    x, y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    assert nearest(np.zeros(0), np.zeros(0), 2, *grid_index(x, y)).shape == (0, 2)


def test_candidate_pairs_are_the_distinct_pairs_within_each_radius():
    rng = np.random.default_rng(3)
    n_rows, width, n_pts, none = 40, 18, 30, 30
    found = rng.integers(0, n_pts + 1, (n_rows, width))  # repeats and `none` (30) mixed in
    qx, qy = rng.uniform(0, 1e5, n_rows), rng.uniform(0, 1e5, n_rows)
    x, y = rng.uniform(0, 1e5, n_pts), rng.uniform(0, 1e5, n_pts)
    radius = rng.uniform(1e4, 8e4, n_rows)
    level, row_level = rng.integers(0, 3, n_pts), rng.integers(0, 3, n_rows)
    staff, row_staff = rng.uniform(0, 2, n_pts), rng.uniform(0, 1, n_rows)
    spec, row_needs = rng.integers(0, 1 << 5, n_pts), rng.integers(-128, 128, n_rows).astype(np.int8)  # all 8 bits
    rows, pts, dist, unmet = candidate_pairs(found, none, qx, qy, x, y, radius, level, row_level, staff, row_staff,
                                             spec, row_needs)
    expect = sorted({(i, j) for i in range(n_rows) for j in found[i] if j != none
                     and np.hypot(qx[i] - x[j], qy[i] - y[j]) <= radius[i]
                     and level[j] >= row_level[i] and staff[j] >= row_staff[i]})
    assert list(zip(rows.tolist(), pts.tolist())) == expect
    assert np.array_equal(dist, np.hypot(qx[rows] - x[pts], qy[rows] - y[pts]))
    assert np.array_equal(unmet, popcount(row_needs[rows] & ~spec[pts]))
    assert 0 < len(rows) < n_rows * width and unmet.max() > 0


def shortlist_reference(kind, serves, k_near, k_wide, qx, qy, wx, wy, radius, x, y, level, child_level, staff,
                        child_staff):
    """shortlist_pairs by brute force: sort all usable points by distance, take the first k."""
    out = set()
    for i in range(len(qx)):
        pts = np.flatnonzero(serves[kind[i]])
        for k, px, py in ((k_near, qx[i], qy[i]), (k_wide, wx[i], wy[i])):
            near = pts[np.argsort((px - x[pts]) ** 2 + (py - y[pts]) ** 2)[:k]]
            out |= {(i, int(j)) for j in near if np.hypot(qx[i] - x[j], qy[i] - y[j]) <= radius[i]
                    and level[j] >= child_level[i] and staff[j] >= child_staff[i]}
    return sorted(out)


@pytest.mark.parametrize("n_q,n_pts,k_near,k_wide", [(0, 50, 9, 9), (30, 0, 9, 9), (60, 5, 9, 9), (200, 800, 9, 9),
                                                     (200, 800, 18, 0), (100, 3000, 4, 11)])
def test_shortlist_pairs_are_the_brute_force_pairs(n_q, n_pts, k_near, k_wide):
    rng = np.random.default_rng(n_q + n_pts + k_near)
    x, y = rng.uniform(0, 600_000, n_pts), rng.uniform(0, 600_000, n_pts)
    qx, qy = rng.uniform(0, 600_000, n_q), rng.uniform(0, 600_000, n_q)
    radius = rng.uniform(20_000, 150_000, n_q)
    kind = rng.integers(0, 3, n_q)
    serves = rng.random((3, n_pts)) < [[0.9], [0.4], [0.1]]
    # the wide points' draws come group by group (groups with points only), queries in order
    drawn = np.concatenate([np.zeros(0, np.int64)] + [np.flatnonzero(kind == g) for g in range(3) if serves[g].any()])
    u_spread, theta = rng.random(len(drawn)), 2 * np.pi * rng.random(len(drawn))
    wx, wy = qx.copy(), qy.copy()
    wx[drawn] += radius[drawn] * np.sqrt(u_spread) * np.cos(theta)
    wy[drawn] += radius[drawn] * np.sqrt(u_spread) * np.sin(theta)
    level, child_level = rng.integers(0, 3, n_pts), rng.integers(0, 3, n_q)
    staff, child_staff = rng.uniform(0, 10, n_pts), rng.uniform(0, 5, n_q)
    cols = (x, y, level, child_level, staff, child_staff)
    spec, needs = rng.integers(0, 1 << 5, n_pts), rng.integers(0, 1 << 5, n_q).astype(np.int8)
    c, h, d, unmet = shortlist_pairs(kind, serves, k_near, k_wide, qx, qy, radius, u_spread, np.cos(theta),
                                     np.sin(theta), *cols, spec, needs)
    expect = shortlist_reference(kind, serves, k_near, k_wide, qx, qy, wx, wy, radius, *cols)
    assert np.array_equal(unmet, popcount(needs[c] & ~spec[h]))
    assert list(zip(c.tolist(), h.tolist())) == expect
    assert np.array_equal(d, np.hypot(qx[c] - x[h], qy[c] - y[h]))
    if n_q and n_pts > 100:
        assert 0 < len(c) < n_q * (k_near + k_wide)
