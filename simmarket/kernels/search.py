"""Nearest homes: a uniform grid over a set of points, searched outwards from each query's cell.

The clearing asks, for a few hundred children a week, for the k nearest homes of the right kind
with a place free. A k-d tree built each week over those homes (scipy's cKDTree) spent most of
the shortlist's time building trees and in per-query overhead; a grid is built by one counting
sort and each query grows a block of cells around its own, on the side nearest the point. It
returns the same set of k points as an exact k-d tree query: squared distances are dx*dx + dy*dy,
and the search stops only once every unvisited cell lies farther than the k-th nearest point found
(an exact tie at the k-th distance could be broken differently; homes' coordinates are distinct).
`shortlist_pairs` does a week's whole shortlist in one call (per call from Python, the overhead
of a few small queries cost as much as the queries).
"""

from __future__ import annotations

import numpy as np
from numba import njit

POINTS_PER_CELL = 2.0  # the grid's mean occupancy over its bounding box (speed only)


@njit(cache=True)
def grid_index(x, y):
    """The grid over points (x, y): returns (x0, y0, cell, nx, ny, xs, ys, order, start), the
    arguments `nearest` takes; the points of cell c = row * nx + col are order[start[c]:start[c + 1]],
    at (xs, ys) in that order."""
    n = len(x)
    x0, y0, x1, y1 = (x.min(), y.min(), x.max(), y.max()) if n else (0.0, 0.0, 0.0, 0.0)
    cell = max(np.sqrt((x1 - x0) * (y1 - y0) * POINTS_PER_CELL / max(n, 1)), 1.0)
    nx, ny = int((x1 - x0) / cell) + 1, int((y1 - y0) / cell) + 1
    key = np.empty(n, np.int64)
    start = np.zeros(nx * ny + 1, np.int64)
    for i in range(n):
        key[i] = int((y[i] - y0) / cell) * nx + int((x[i] - x0) / cell)
        start[key[i] + 1] += 1
    for c in range(nx * ny):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    order, xs, ys = np.empty(n, np.int64), np.empty(n), np.empty(n)
    for i in range(n):
        t = fill[key[i]]
        order[t], xs[t], ys[t] = i, x[i], y[i]
        fill[key[i]] += 1
    return x0, y0, cell, nx, ny, xs, ys, order, start


@njit(cache=True)
def _cell_of(q, origin, cell, n_cells):
    """The grid column (or row) holding coordinate q, clamped to the grid."""
    c = int(np.floor((q - origin) / cell))
    return 0 if c < 0 else (n_cells - 1 if c > n_cells - 1 else c)


@njit(cache=True)
def _farthest(d, k):
    """The largest of d[:k] and its position (the first if tied)."""
    worst, w = d[0], 0
    for u in range(1, k):
        if d[u] > worst:
            worst, w = d[u], u
    return worst, w


@njit(cache=True)
def nearest(px, py, k, x0, y0, cell, nx, ny, xs, ys, order, start):
    """For each query point, the indices of its k nearest points (any order); -1 pads a row when
    there are fewer than k points. The visited cells are a block around the point's cell, grown by
    one row or column at a time on the side nearest the point, until every unvisited cell lies
    farther than the k-th nearest point found (a row of the block is one run of points in memory).
    (The scan is written out here: as calls it cost ten times more. The best k are kept in no order,
    with their farthest: kept sorted, their insertions cost more than the rest of the search.)"""
    out = np.full((len(px), k), -1, np.int64)
    bd, bi = np.empty(max(k, 1)), np.empty(max(k, 1), np.int64)  # the best k so far: squared distances, indices
    for q in range(len(px)):
        qx, qy = px[q], py[q]
        lx = hx = _cell_of(qx, x0, cell, nx)
        ly = hy = _cell_of(qy, y0, cell, ny)
        r0, r1, c0, c1, cnt = ly, hy, lx, hx, 0  # the strip of cells to scan next
        worst, w = np.inf, 0  # the farthest of the best k (once there are k) and its slot
        while True:
            for gy in range(r0, r1 + 1):
                for t in range(start[gy * nx + c0], start[gy * nx + c1 + 1]):
                    dx, dy = qx - xs[t], qy - ys[t]
                    d = dx * dx + dy * dy
                    if cnt < k:
                        bd[cnt], bi[cnt], cnt = d, order[t], cnt + 1
                    elif d < worst:
                        bd[w], bi[w] = d, order[t]
                    else:
                        continue
                    if cnt == k:
                        worst, w = _farthest(bd, k)
            g_left = qx - (x0 + lx * cell) if lx > 0 else np.inf
            g_right = x0 + (hx + 1) * cell - qx if hx < nx - 1 else np.inf
            g_down = qy - (y0 + ly * cell) if ly > 0 else np.inf
            g_up = y0 + (hy + 1) * cell - qy if hy < ny - 1 else np.inf
            gap = min(g_left, g_right, g_down, g_up)
            if gap == np.inf or (cnt == k and gap * gap > worst):
                break
            if gap == g_left:
                lx -= 1
                r0, r1, c0, c1 = ly, hy, lx, lx
            elif gap == g_right:
                hx += 1
                r0, r1, c0, c1 = ly, hy, hx, hx
            elif gap == g_down:
                ly -= 1
                r0, r1, c0, c1 = ly, ly, lx, hx
            else:
                hy += 1
                r0, r1, c0, c1 = hy, hy, lx, hx
        for t in range(cnt):
            out[q, t] = bi[t]
    return out


@njit(cache=True)
def candidate_pairs(found, none, qx, qy, x, y, radius, level, row_level, staff, row_staff, spec, row_needs):
    """Distinct (row, point) pairs of a table of candidates (one row per query, `none` for no
    point), sorted by row then point, with their distances (np.hypot), within each row's radius,
    whose point has level >= the row's and staff >= the row's (checked first: they are cheaper),
    and how many of the row's needs (bits of the low 8 of row_needs) the point's spec lacks."""
    n_rows, width = found.shape
    rows = np.empty(n_rows * width, np.int64)
    pts = np.empty(n_rows * width, np.int64)
    dist = np.empty(n_rows * width)
    unmet = np.empty(n_rows * width, np.int64)
    n = 0
    row = np.empty(width, found.dtype)
    for i in range(n_rows):
        for t in range(width):  # the row sorted by insertion (short rows; no allocation)
            v, p = found[i, t], t
            while p > 0 and row[p - 1] > v:
                row[p] = row[p - 1]
                p -= 1
            row[p] = v
        for t in range(width):
            j = row[t]
            if j == none or (t > 0 and j == row[t - 1]) or level[j] < row_level[i] or staff[j] < row_staff[i]:
                continue
            dd = np.hypot(qx[i] - x[j], qy[i] - y[j])
            if dd <= radius[i]:
                rows[n], pts[n], dist[n] = i, j, dd
                lack = (row_needs[i] & ~spec[j]) & 0xFF  # its bits counted in parallel (a loop branched per bit)
                lack = lack - ((lack >> 1) & 0x55)
                lack = (lack & 0x33) + ((lack >> 2) & 0x33)
                unmet[n] = (lack + (lack >> 4)) & 0x0F
                n += 1
    return rows[:n], pts[:n], dist[:n], unmet[:n]


@njit(cache=True)
def _wide_points(rows, at, qx, qy, radius, u_spread, cos_theta, sin_theta):
    """The wide points of queries rows: each query's point (qx, qy) moved radius x sqrt(u_spread)
    along (cos_theta, sin_theta), NumPy's arithmetic in its order; the draws of rows[i] are at + i."""
    wx, wy = np.empty(len(rows)), np.empty(len(rows))
    for i in range(len(rows)):
        q, t = rows[i], at + i
        spread = radius[q] * np.sqrt(u_spread[t])
        wx[i], wy[i] = qx[q] + spread * cos_theta[t], qy[q] + spread * sin_theta[t]
    return wx, wy


@njit(cache=True)
def _take(a, idx):
    """a[idx], as a loop (numba's fancy indexing costs several times more)."""
    out = np.empty(len(idx), a.dtype)
    for i in range(len(idx)):
        out[i] = a[idx[i]]
    return out


@njit(cache=True)
def shortlist_pairs(kind, serves, k_near, k_wide, qx, qy, radius, u_spread, cos_theta, sin_theta, x, y, level,
                    child_level, staff, child_staff, spec, needs):
    """The week's referral pairs in one call: for each query (a child, of group `kind`), the k_near
    points nearest to it and the k_wide nearest to its wide point, among the points its group may
    use (serves[kind]; k at most their number); of these, the distinct pairs within the query's
    radius whose point has level >= child_level and staff >= child_staff, sorted by query then
    point, with their distances and the child's needs the home's spec lacks (as `candidate_pairs`).
    The wide point (`_wide_points`) is drawn for the queries of each group that has points, group
    by group, queries in order: u_spread, cos_theta and sin_theta hold their draws in that order."""
    none = len(x)
    found = np.full((len(qx), k_near + k_wide), none, np.int64)
    at = 0
    for g in range(serves.shape[0]):
        rows, pts = np.flatnonzero(kind == g), np.flatnonzero(serves[g])
        if len(rows) == 0 or len(pts) == 0:
            continue
        x0, y0, cell, nx, ny, xs, ys, order, start = grid_index(_take(x, pts), _take(y, pts))
        wx, wy = _wide_points(rows, at, qx, qy, radius, u_spread, cos_theta, sin_theta)
        at += len(rows)
        col = 0
        for k, px, py in ((k_near, _take(qx, rows), _take(qy, rows)), (k_wide, wx, wy)):
            k = min(k, len(pts))
            if k <= 0:
                continue
            got = nearest(px, py, k, x0, y0, cell, nx, ny, xs, ys, order, start)
            for i in range(len(rows)):
                for t in range(k):
                    found[rows[i], col + t] = pts[got[i, t]]
            col += k
    return candidate_pairs(found, none, qx, qy, x, y, radius, level, child_level, staff, child_staff, spec, needs)
