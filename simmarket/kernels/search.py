"""Nearest homes: a uniform grid over a set of points, searched ring by ring.

The clearing asks, for a few hundred children a week, for the k nearest homes of the right kind
with a place free. A k-d tree built each week over those homes (scipy's cKDTree) spent most of
the shortlist's time building trees and in per-query overhead; a grid is built by one counting
sort and each query visits rings of cells outwards from its own. It returns the same set of k
points as an exact k-d tree query: squared distances are dx*dx + dy*dy, and the search stops only
once every unvisited cell lies farther than the k-th nearest point found (an exact tie at the
k-th distance could be broken differently; homes' coordinates are distinct).
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
    order = np.empty(n, np.int64)
    for i in range(n):
        order[fill[key[i]]] = i
        fill[key[i]] += 1
    return x0, y0, cell, nx, ny, x[order], y[order], order, start


@njit(cache=True)
def _gap(q, lo_cell, hi_cell, origin, cell, n_cells):
    """Distance from coordinate q to the nearest unvisited column (or row) of cells beyond the
    visited block [lo_cell, hi_cell]; inf where the block reaches the grid's edges."""
    g = np.inf
    if lo_cell > 0:
        g = min(g, q - (origin + lo_cell * cell))
    if hi_cell < n_cells - 1:
        g = min(g, origin + (hi_cell + 1) * cell - q)
    return g


@njit(cache=True)
def _cell_of(q, origin, cell, n_cells):
    """The grid column (or row) holding coordinate q, clamped to the grid."""
    c = int(np.floor((q - origin) / cell))
    return 0 if c < 0 else (n_cells - 1 if c > n_cells - 1 else c)


@njit(cache=True)
def nearest(px, py, k, x0, y0, cell, nx, ny, xs, ys, order, start):
    """For each query point, the indices of its k nearest points (any order), searching rings of
    cells outwards from the point's cell; -1 pads a row when there are fewer than k points.
    (The scan and the insertion are written out here: as function calls they cost ten times more.)"""
    out = np.full((len(px), k), -1, np.int64)
    bd = np.empty(max(k, 1))  # the best k so far: squared distances, ascending, and indices
    bi = np.empty(max(k, 1), np.int64)
    for q in range(len(px)):
        qx, qy = px[q], py[q]
        cx, cy = _cell_of(qx, x0, cell, nx), _cell_of(qy, y0, cell, ny)
        cnt, r = 0, 0
        while True:
            for gy in range(max(cy - r, 0), min(cy + r, ny - 1) + 1):
                step = 1 if (gy == cy - r or gy == cy + r) else 2 * r  # inside the ring: visited
                for gx in range(cx - r, cx + r + 1, max(step, 1)):
                    if gx < 0 or gx >= nx:
                        continue
                    c = gy * nx + gx
                    for t in range(start[c], start[c + 1]):
                        dx, dy = qx - xs[t], qy - ys[t]
                        d = dx * dx + dy * dy
                        if cnt < k:
                            p, cnt = cnt, cnt + 1
                        elif d < bd[k - 1]:
                            p = k - 1
                        else:
                            continue
                        while p > 0 and bd[p - 1] > d:
                            bd[p], bi[p], p = bd[p - 1], bi[p - 1], p - 1
                        bd[p], bi[p] = d, order[t]
            gap = min(_gap(qx, cx - r, cx + r, x0, cell, nx), _gap(qy, cy - r, cy + r, y0, cell, ny))
            if gap == np.inf or (cnt == k and gap * gap > bd[k - 1]):
                break
            r += 1
        for t in range(cnt):
            out[q, t] = bi[t]
    return out


@njit(cache=True)
def candidate_pairs(found, none, qx, qy, x, y, radius):
    """Distinct (row, point) pairs of a table of candidates (one row per query, `none` for no
    point), sorted by row then point, with their distances (np.hypot), within each row's radius."""
    n_rows, width = found.shape
    rows = np.empty(n_rows * width, np.int64)
    pts = np.empty(n_rows * width, np.int64)
    dist = np.empty(n_rows * width)
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
            if j == none or (t > 0 and j == row[t - 1]):
                continue
            dd = np.hypot(qx[i] - x[j], qy[i] - y[j])
            if dd <= radius[i]:
                rows[n], pts[n], dist[n] = i, j, dd
                n += 1
    return rows[:n], pts[:n], dist[:n]
