"""Kernels of the week's bookkeeping: accounts, staffing, entry and exit, and the weekly record.

Each replaces a run of NumPy passes over the children or the homes by one loop, with the same
arithmetic in the same order. Grouped sums add in index order, as `np.bincount(weights=)` does,
so they give the same floats. Status, state and sector codes are passed in (this layer knows no
model).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def child_accounts(status, block, home, la, price, uasc, n_homes, n_la, n_status, home_code, unreg_code,
                   gone_code):
    """The children's side of the week's accounts in one pass (it replaces, with spot = status ==
    home_code & ~block and unreg = status == unreg_code):

    rev_spot = bincount(home[spot], price[spot], n_homes); spend_spot = bincount(la[spot], price[spot],
    n_la); spend_unreg = bincount(la[unreg], price[unreg], n_la); in_use = children by status and
    authority (Children.counts_by_status); uasc = bincount(la[uasc & (status != gone_code)], n_la).
    """
    rev_spot = np.zeros(n_homes)
    spend_spot = np.zeros(n_la)
    spend_unreg = np.zeros(n_la)
    in_use = np.zeros((n_status, n_la), np.int64)
    in_care_uasc = np.zeros(n_la, np.int64)
    for i in range(len(status)):
        s, a = status[i], la[i]
        in_use[s, a] += 1
        if s == home_code:
            if not block[i]:
                rev_spot[home[i]] += price[i]
                spend_spot[a] += price[i]
        elif s == unreg_code:
            spend_unreg[a] += price[i]
        if uasc[i] and s != gone_code:
            in_care_uasc[a] += 1
    return rev_spot, spend_spot, spend_unreg, in_use, in_care_uasc


@njit(cache=True)
def home_costs(state, places, staff, la, owner, prop_of_la, indebted, rev, active_code, core, per_place, wage,
               debt_share):
    """Each home's weekly cost, as accounts.home_costs wrote it in NumPy:

    est = where(places > 0, core + per_place * places, 0.0); target = maximum(est, staff);
    cost = where(active, target * wage + places * prop_of_la[la], 0.0)
           + where(indebted[owner], debt_share * rev, 0.0).
    """
    n = len(state)
    cost = np.empty(n)
    for i in range(n):
        c = 0.0
        if state[i] == active_code:
            p = places[i]
            est = core + per_place * p if p > 0 else 0.0
            target = max(est, float(staff[i]))
            c = target * wage + p * prop_of_la[la[i]]
        cost[i] = c + (debt_share * rev[i] if indebted[owner[i]] else 0.0)
    return cost


@njit(cache=True)
def smooth_profit(state, ewma, rev, cost, active_code, keep, weight):
    """In place: ewma = where(active, keep * ewma + weight * (rev - cost), 0.0)."""
    for i in range(len(state)):
        ewma[i] = keep * ewma[i] + weight * (rev[i] - cost[i]) if state[i] == active_code else 0.0


@njit(cache=True)
def pair_sums(groups, keep, a, b, n):
    """bincount(groups[keep], a[keep], n) and bincount(groups[keep], b[keep], n) in one pass (keep
    None: every element), each adding in index order as np.bincount does."""
    sum_a = np.zeros(n)
    sum_b = np.zeros(n)
    for i in range(len(groups)):
        if keep is None or keep[i]:
            sum_a[groups[i]] += a[i]
            sum_b[groups[i]] += b[i]
    return sum_a, sum_b


@njit(cache=True)
def rows_with(codes, code):
    """np.flatnonzero(codes == code): counted, then gathered by a compaction without branches (a
    status scan's cost is its mispredicted branches)."""
    n = 0
    for i in range(len(codes)):
        n += codes[i] == code
    rows = np.empty(n + 1, np.int64)  # the compaction writes one past the last row
    k = 0
    for i in range(len(codes)):
        rows[k] = i
        k += codes[i] == code
    return rows[:n]

