"""Kernel of the weekly record: what a View of the market (metrics.View) measures of its homes and
children at the end of a week, in one pass over the homes, a few over the children's statuses and
one over the children in homes.

It replaces the View's NumPy passes (masks, status counts, the prices and distances of the children
in homes, the counts behind the shares and the means) and gives the same numbers: means add
by NumPy's pairwise summation, as np.mean does. The passes over every child count and gather
without branches (a status scan's cost is its mispredicted branches), and tallies run in local
sums. Codes are passed in (this layer knows no model).
"""

from __future__ import annotations

import numpy as np
from numba import njit

PAIRWISE_BLOCK = 128  # NumPy's pairwise summation adds blocks of up to 128 with 8 running sums


@njit(cache=True)
def view_stock(la_mask, status, home, la, price, home_miles, start3, h_la, h_state, h_secure, h_places, h_manager,
               h_sector, home_code, unreg_code, active_code, private_code, n_status, recent_week, far_miles,
               high_cost):
    """A View's stock, for the authorities in la_mask (homes by the authority they are in, children
    by their own):

    homes: home_sel = la_mask[h_la] & (h_state == active_code), ordinary = home_sel & ~h_secure, and
    their tally [home_sel.sum(), ordinary.sum(), h_places[ordinary].sum(), (home_sel & ~h_manager).sum(),
    (h_sector[ordinary] == private_code).sum(), h_places[home_sel & h_secure].sum()];
    children: status_counts = bincount(status[la_mask[la]], n_status); of the children in homes
    (placed = flatnonzero(la_mask[la] & (status == home_code))), their price and home_miles; their
    tally [far (home_miles > far_miles), outside (h_la[home] != la), start3 >= recent_week, price >=
    high_cost, children of any authority in the ordinary homes]; the authorities with a placement at
    high_cost or more, and with a child in an unregistered setting; and [mean price, mean home_miles]
    of the placed (NaN if none).
    """
    home_sel, ordinary, homes_tally = _homes_in_view(la_mask, h_la, h_state, h_secure, h_places, h_manager,
                                                     h_sector, active_code, private_code)
    everyone = la_mask.all()
    status_counts = _status_counts(status, la, la_mask, everyone, n_status)
    if everyone:
        n_either = status_counts[home_code] + status_counts[unreg_code]
    else:
        n_either = _count(status, home_code) + _count(status, unreg_code)
    in_homes_or_unregistered = _rows_of_either(status, home_code, unreg_code, n_either)
    price_of, distance, children_tally, la_over_10k, la_unregistered = _placed_children(
        in_homes_or_unregistered, status_counts[home_code], la_mask, ordinary, status, home, la, price, home_miles,
        start3, h_la, unreg_code, recent_week, far_miles, high_cost)
    stats = np.array([_mean(price_of), _mean(distance)])
    return (home_sel, ordinary, homes_tally, status_counts, price_of, distance, children_tally, la_over_10k,
            la_unregistered, stats)


@njit(cache=True)
def _homes_in_view(la_mask, h_la, h_state, h_secure, h_places, h_manager, h_sector, active_code, private_code):
    """The View's active homes, its ordinary (not secure) ones, and their tally (see view_stock)."""
    n = len(h_state)
    home_sel = np.zeros(n, np.bool_)
    ordinary = np.zeros(n, np.bool_)
    n_sel, n_ordinary, ordinary_places, no_manager, private, secure_places = 0, 0, 0, 0, 0, 0
    for h in range(n):
        sel = h_state[h] == active_code and la_mask[h_la[h]]
        plain = sel and not h_secure[h]
        home_sel[h], ordinary[h] = sel, plain
        n_sel += sel
        no_manager += sel and not h_manager[h]
        secure_places += h_places[h] * (sel and h_secure[h])
        n_ordinary += plain
        ordinary_places += h_places[h] * plain
        private += plain and h_sector[h] == private_code
    tally = np.array([n_sel, n_ordinary, ordinary_places, no_manager, private, secure_places], np.int64)
    return home_sel, ordinary, tally


@njit(cache=True)
def _count(codes, code):
    """np.count_nonzero(codes == code) (a loop the compiler vectorises)."""
    n = 0
    for i in range(len(codes)):
        n += codes[i] == code
    return n


@njit(cache=True)
def _status_counts(status, la, la_mask, everyone, n_status):
    """bincount(status[la_mask[la]], n_status) (for every authority, a vectorised count per status)."""
    counts = np.zeros(n_status, np.int64)
    if everyone:
        for s in range(n_status):
            counts[s] = _count(status, s)
        return counts
    for i in range(len(status)):
        counts[status[i]] += la_mask[la[i]]
    return counts


@njit(cache=True)
def _rows_of_either(codes, code_a, code_b, n):
    """flatnonzero((codes == code_a) | (codes == code_b)), given its length: gathered by a compaction
    without branches (it writes one past the last row)."""
    rows = np.empty(n + 1, np.int64)
    k = 0
    for i in range(len(codes)):
        rows[k] = i
        k += (codes[i] == code_a) | (codes[i] == code_b)
    return rows[:n]


@njit(cache=True)
def _placed_children(rows, n_placed, la_mask, ordinary, status, home, la, price, home_miles, start3, h_la,
                     unreg_code, recent_week, far_miles, high_cost):
    """The prices and distances of the View's children in homes (in row order, from the rows of the
    children in homes or in unregistered settings); their tally, the authorities with a placement at
    high_cost or more and those with a child in an unregistered setting (see view_stock)."""
    price_of, distance = np.empty(n_placed), np.empty(n_placed)
    costly_la = np.empty(n_placed + 1, la.dtype)  # the authorities of the costly placements, compacted
    la_unregistered = np.zeros(len(la_mask), np.bool_)
    far, outside, recent, costly, in_ordinary, k = 0, 0, 0, 0, 0, 0
    for i in rows:
        h, a = home[i], la[i]
        if status[i] == unreg_code:
            la_unregistered[a] |= la_mask[a]
            continue
        in_ordinary += ordinary[h]
        if not la_mask[a]:
            continue
        price_of[k], distance[k] = price[i], home_miles[i]
        far += home_miles[i] > far_miles
        outside += h_la[h] != a
        recent += start3[i] >= recent_week
        costly_la[costly] = a  # without a branch: whether a price is that high is hard to predict
        costly += price[i] >= high_cost
        k += 1
    la_over_10k = np.zeros(len(la_mask), np.bool_)
    la_over_10k[costly_la[:costly]] = True
    tally = np.array([far, outside, recent, costly, in_ordinary])
    return price_of, distance, tally, la_over_10k, la_unregistered


@njit(cache=True)
def _mean(a):
    """np.mean of a float array: its pairwise sum over its length (NaN if empty)."""
    if len(a) == 0:
        return np.nan
    return (0.0 + _pairwise_sum(a)) / len(a)


@njit(cache=True)
def _pairwise_sum(a):
    """NumPy's pairwise sum of a: a block of up to PAIRWISE_BLOCK values is summed as _block_sum
    does; a longer run is split in two (the first half a multiple of 8 long), each half summed
    apart and the two added. The halving runs on a stack of tasks (numba caches no recursion):
    a task (start, length) is a run to sum; (-1, 0) adds the last two sums."""
    task_start, task_length = np.empty(192, np.int64), np.empty(192, np.int64)  # 2 per halving, 62 at most
    sums = np.empty(64)
    task_start[0], task_length[0] = 0, len(a)
    n_tasks, n_sums = 1, 0
    while n_tasks:
        n_tasks -= 1
        lo, n = task_start[n_tasks], task_length[n_tasks]
        if lo < 0:
            n_sums -= 1
            sums[n_sums - 1] = sums[n_sums - 1] + sums[n_sums]
        elif n <= PAIRWISE_BLOCK:
            sums[n_sums] = _block_sum(a, lo, n)
            n_sums += 1
        else:
            half = n // 2
            half -= half % 8
            task_start[n_tasks], task_length[n_tasks] = -1, 0
            task_start[n_tasks + 1], task_length[n_tasks + 1] = lo + half, n - half
            task_start[n_tasks + 2], task_length[n_tasks + 2] = lo, half
            n_tasks += 3
    return sums[0]


@njit(cache=True)
def _block_sum(a, lo, n):
    """NumPy's sum of a block a[lo:lo + n] of up to PAIRWISE_BLOCK values: in order below 8 values;
    else 8 running sums (every 8th value each), combined in pairs, then the rest in order."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    end = lo + n - n % 8
    for i in range(lo + 8, end, 8):
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(end, lo + n):
        res += a[i]
    return res
