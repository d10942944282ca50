"""Kernels of the homes' coming and going (block contracts reserved in the nearest homes, homes
opening, the children of homes that close) and of children's escalation to unregistered settings.

Each replaces a run of NumPy passes over the homes (or the children) by one loop, with the same
arithmetic in the same order, so it gives the same numbers. State and sector codes are passed in
(this layer knows no model).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def reserve_nearest(homes, cost_of_la, occupancy_of_la, terms, where, wanted, buyer, block_places, block_price):
    """Reserve up to `wanted` places for `buyer` in the nearest homes that agree a block contract
    (commissioning.reserve_places), writing block_buyer, block_places and block_price in place.

    homes = (state, block_buyer, sector, secure, manager, la, places, occupied, staff, staff_used, x, y);
    terms = (spot, buyer_factor, bargaining_weight, staff_need, active_code, council_code);
    where = (x, y) of the buyer's authority. A home is a candidate when active, not held (its
    block_buyer negative), not council, not secure, with a free place and a manager; its room is
    `min(places - occupied, floor(max(staff - staff_used, 0.0) / staff_need + 1e-9))`, the free
    places it can staff. With cost = cost_of_la[la], provider = cost * spot * occupancy_of_la[la]
    and limit = cost * buyer_factor, a home with room agrees where provider <= limit, at
    provider + bargaining_weight * (limit - provider). Homes are taken nearest first (ties in
    table order: a stable sort by np.hypot distance), each for its room until `wanted` are held.
    """
    cand, room, price, dist = _agreed_homes(homes, cost_of_la, occupancy_of_la, terms, where)
    block_buyer = homes[1]
    order = _nearest_first(dist, wanted)
    before = 0  # places reserved in nearer homes
    for p in order:
        if before >= wanted:
            break
        h = cand[p]
        block_buyer[h] = buyer
        block_places[h] = min(room[p], wanted - before)
        block_price[h] = price[p]
        before += room[p]


@njit(cache=True)
def _agreed_homes(homes, cost_of_la, occupancy_of_la, terms, where):
    """The homes with room that agree a contract (see reserve_nearest): (their rows, room, price,
    distance from the buyer), in table order."""
    state, block_buyer, sector, secure, manager, la, places, occupied, staff, staff_used, x, y = homes
    spot, buyer_factor, weight, need, active_code, council_code = terms
    cand = _candidates(state, block_buyer, sector, secure, manager, places, occupied, active_code, council_code)
    room = np.empty(len(cand), np.int64)
    price = np.empty(len(cand))
    dist = np.empty(len(cand))
    k = 0
    for i in cand:
        staffable = np.int64(np.floor(max(staff[i] - staff_used[i], 0.0) / need + 1e-9))
        r = min(places[i] - occupied[i], staffable)
        if r <= 0:
            continue
        cost = cost_of_la[la[i]]
        provider = cost * spot * occupancy_of_la[la[i]]
        limit = cost * buyer_factor
        if provider <= limit:
            cand[k], room[k] = i, r
            price[k] = provider + weight * (limit - provider)
            dist[k] = np.hypot(x[i] - where[0], y[i] - where[1])
            k += 1
    return cand[:k], room[:k], price[:k], dist[:k]


@njit(cache=True)
def _candidates(state, block_buyer, sector, secure, manager, places, occupied, active_code, council_code):
    """Rows of the homes that could take a block contract: active, not held, not council, not
    secure, with a free place and a manager. Each row is written to the list, which moves on only
    where all hold (one test of them all, not a branch each: speed only)."""
    rows = np.empty(len(state) + 1, np.int64)  # the compaction writes one past the last row
    k = 0
    for i in range(len(state)):
        rows[k] = i
        k += ((state[i] == active_code) & (block_buyer[i] < 0) & (sector[i] != council_code) & (not secure[i])
              & (places[i] > occupied[i]) & manager[i])
    return rows[:k]


@njit(cache=True)
def _nearest_first(dist, enough):
    """Positions nearest first (ties in position order), at least the `enough` nearest of them:
    only those within the `enough`-th smallest distance are sorted, as a full stable sort would
    order them."""
    pos = np.arange(len(dist))
    if enough < len(dist):
        pos = pos[dist <= np.partition(dist, enough - 1)[enough - 1]]
    return pos[np.argsort(dist[pos], kind="mergesort")]


@njit(cache=True)
def children_in(status, home, homes, n_homes, home_code):
    """np.flatnonzero((status == home_code) & np.isin(home, homes)): the children placed in these
    homes (of n_homes), in one pass over the table. Each row's home is looked up in a table of
    flags with a place for no home (-1) first; its index is unsigned, which spares the check
    for a negative index that made the lookup slow (speed only)."""
    closing = np.zeros(n_homes + 1, np.bool_)
    for h in homes:
        closing[h + 1] = True
    rows = np.empty(len(status), np.int64)
    k = 0
    for i in range(len(status)):
        if closing[np.uint32(home[i] + 1)] and status[i] == home_code:
            rows[k] = i
            k += 1
    return rows[:k].copy()


@njit(cache=True)
def open_due(state, open_week, week, pipeline_code, active_code):
    """Homes in the pipeline whose open week has come open: in place, state = active_code where
    `(state == pipeline_code) & (open_week <= week)`; returns those rows (np.flatnonzero)."""
    rows = np.empty(len(state) + 1, np.int64)  # the compaction writes one past the last row
    k = 0
    for i in range(len(state)):
        due = state[i] == pipeline_code and open_week[i] <= week
        rows[k] = i
        k += due
    for j in range(k):
        state[rows[j]] = active_code
    return rows[:k].copy()


@njit(cache=True)
def due_unregistered(status, unreg_bar, need_since, la, urgent_need, at_once, limit_of_la, extra_weeks, week,
                     waiting_code):
    """The waiting children who go to an unregistered setting this week (escalation.escalate):
    of the rows with status waiting_code and unreg_bar <= week, in order, those with
    `(waited >= limit_of_la[la] + extra_weeks) | urgent`, where waited = max(week - need_since, 0)
    (placements.search_weeks) and urgent = (emergency | dol | secure) & (at_once[la] | (waited >= 1)),
    urgent_need = (emergency, dol, secure)."""
    emergency, dol, secure = urgent_need
    waiting = _rows_with_rare(status, waiting_code)
    go = np.empty(len(waiting), np.int64)
    k = 0
    for i in waiting:
        if unreg_bar[i] > week:
            continue
        waited = max(week - need_since[i], 0)
        a = la[i]
        urgent = (emergency[i] or dol[i] or secure[i]) and (at_once[a] or waited >= 1)
        if waited >= limit_of_la[a] + extra_weeks or urgent:
            go[k] = i
            k += 1
    return go[:k].copy()


@njit(cache=True)
def _rows_with_rare(codes, code):
    """np.flatnonzero(codes == code) for a code few rows have: the rows are counted in blocks
    (a loop the compiler runs many rows at a time), and only blocks with one are scanned."""
    n, block = len(codes), 64  # (speed only)
    counts = np.zeros((n + block - 1) // block, np.int64)
    for b in range(len(counts)):
        part = codes[b * block:(b + 1) * block]
        c = 0
        for r in range(len(part)):
            c += part[r] == code
        counts[b] = c
    rows = np.empty(counts.sum(), np.int64)
    k = 0
    for b in range(len(counts)):
        if counts[b]:
            for i in range(b * block, min((b + 1) * block, n)):
                if codes[i] == code:
                    rows[k] = i
                    k += 1
    return rows
