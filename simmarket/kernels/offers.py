"""The clearing's offer rounds in one compiled loop (phases/clearing.py `bid` says what they do).

A round works on a few thousand referral pairs in small groups (a home's block or open places);
written with NumPy it was about 700 calls a week, mostly call overhead. Each step here does the
arithmetic of the NumPy version it replaced, in the same order: orders are np.lexsort's (by group,
then key, then position), running totals of staff are a cumulative sum over the round's order less
its value at the group's start (as `arrays.cumsum_within`), staff are used up pair by pair in the
order the placements are listed, and minima and maxima propagate NaN as np.minimum/np.maximum do.
Helpers that take arrays are written out inline: as calls they cost many times more.
"""

from __future__ import annotations

import numpy as np
from numba import njit

STAFF_TOLERANCE = 1e-9  # staff are compared with this slack (floating sums of fractional staff)


@njit(cache=True)
def lexsort2(keys, groups):
    """np.lexsort((keys, groups)): by group, then key (NaN last, -0.0 equal to 0.0), then position.
    A counting sort places each position in its group's run (the groups are a home's or a child's
    number here), and an insertion sort keeps the run in key order as positions arrive in turn:
    the runs are short (a home's referrals or offers, a child's offers), so this is faster than
    sorting the keys whole (a radix sort by their bits, or numba's mergesort)."""
    n = len(keys)
    out = np.empty(n, np.int64)
    if n == 0:
        return out
    lo = groups.min()
    start = np.zeros(groups.max() - lo + 2, np.int64)
    for g in groups:
        start[g - lo + 1] += 1
    for d in range(1, len(start)):
        start[d] += start[d - 1]
    fill = start[:-1].copy()
    for i in range(n):
        d = groups[i] - lo
        p, v = fill[d], keys[i]
        fill[d] += 1
        while p > start[d] and (keys[out[p - 1]] > v or (v == v and keys[out[p - 1]] != keys[out[p - 1]])):
            out[p] = out[p - 1]
            p -= 1
        out[p] = i
    return out


@njit(cache=True)
def _nan_min(a, b):
    """np.minimum of two floats (NaN if either is NaN)."""
    return a if (a != a or a < b) else b


@njit(cache=True)
def _nan_max(a, b):
    """np.maximum of two floats (NaN if either is NaN)."""
    return a if (a != a or a > b) else b


@njit(cache=True)
def _offers(order, group, h, blk, need, block, open_, staff, n_groups):
    """Each group offers its places, best score first, while places and staff last. Returns the
    offered pairs (increasing) and for each the best losing pair of its group (-1 if none)."""
    offered = np.zeros(len(group), np.bool_)
    best = np.full(n_groups, -1, np.int64)
    run_start, cum, cum_at_start, v_start = 0, 0.0, 0.0, 0.0
    for i in range(len(order)):
        j = order[i]
        cum += need[j]
        if i == 0 or group[j] != group[order[i - 1]]:
            run_start, cum_at_start, v_start = i, cum, need[j]
        used = cum - cum_at_start + v_start
        places = block[h[j]] if blk[j] else open_[h[j]]
        if i - run_start < places and used <= staff[h[j]] + STAFF_TOLERANCE:
            offered[j] = True
        elif best[group[j]] < 0:
            best[group[j]] = j
    off = np.flatnonzero(offered)
    rival = np.empty(len(off), np.int64)
    for i in range(len(off)):
        rival[i] = best[group[off[i]]]
    return off, rival


@njit(cache=True)
def _prices(off, rival, c, h, blk, cust, quote, cost, wtp_child, council, profit_cap, contested):
    """Second price: a losing bid from another customer lifts the price towards its ceiling,
    within the profit cap; marks the homes whose offers were contested."""
    price = np.empty(len(off))
    for i in range(len(off)):
        j, r = off[i], max(rival[i], 0)
        other_cust = rival[i] >= 0 and cust[r] != cust[j] and not blk[j]
        bid = _nan_min(wtp_child[c[j]], wtp_child[c[r]])
        price[i] = _nan_max(quote[j], bid) if (other_cust and not council[j]) else quote[j]
        if profit_cap < 1.0:
            price[i] = _nan_min(price[i], _nan_max(cost[j] * (1 + profit_cap), quote[j] * (1.0 if blk[j] else 0.0)))
        if other_cust:
            contested[h[j]] = True
    return price


@njit(cache=True)
def _choose(off, price, c, h, d, score, need, staff, weight_per_mile, metres_per_mile):
    """Each child's buyer takes its best offer (price against distance) as far as the home's staff
    cover every child who took one of its offers this round. Returns positions in off, by child.
    (Gathers are written out as loops: numba's fancy indexing cost several times more.)"""
    n = len(off)
    key, child = np.empty(n), np.empty(n, c.dtype)
    for i in range(n):
        j = off[i]
        util = -price[i] - weight_per_mile[j] * d[j] / metres_per_mile
        key[i], child[i] = -util, c[j]
    order = lexsort2(key, child)
    take, m = np.empty(n, np.int64), 0
    for i in range(n):  # each child's first (best) offer
        if i == 0 or child[order[i]] != child[order[i - 1]]:
            take[m], m = order[i], m + 1
    tp, key2, home = np.empty(m, np.int64), np.empty(m), np.empty(m, h.dtype)
    for i in range(m):
        tp[i] = off[take[i]]
        key2[i], home[i] = -score[tp[i]], h[tp[i]]
    by_home = lexsort2(key2, home)
    fits = np.zeros(m, np.bool_)
    cum, cum_at_start, v_start = 0.0, 0.0, 0.0
    for i in range(m):
        j = tp[by_home[i]]
        cum += need[j]
        if i == 0 or h[j] != h[tp[by_home[i - 1]]]:
            cum_at_start, v_start = cum, need[j]
        fits[by_home[i]] = cum - cum_at_start + v_start <= staff[h[j]] + STAFF_TOLERANCE
    out, n_out = np.empty(m, np.int64), 0
    for i in range(m):
        if fits[i]:
            out[n_out], n_out = take[i], n_out + 1
    return out[:n_out]


@njit(cache=True)
def offer_rounds(rounds, live, c, h, blk, score, cust, quote, cost, d, need, council, wtp_child,
                 block, open_, staff, profit_cap, weight_per_mile, metres_per_mile, n_homes):
    """The week's offer rounds over referral pairs (child c, home h; live: the pairs taking part,
    as if the others were not there; need: the child's staff; weight_per_mile: the price the
    child's buyer trades for a mile):
    homes offer, buyers choose, prices are settled, capacity (block, open, staff: per home,
    updated in place) is used up. Returns the placed pairs in order, their prices, the number
    of offers made and which homes' offers were contested."""
    group = 2 * h + blk
    n_groups = (group.max() + 1) if len(group) else 1
    pairs = np.flatnonzero(live)
    key, grp = np.empty(len(pairs)), np.empty(len(pairs), group.dtype)
    for i in range(len(pairs)):
        key[i], grp[i] = -score[pairs[i]], group[pairs[i]]
    by_group = pairs[lexsort2(key, grp)]  # a round's live pairs are a subset, in the same order
    alive, buffer = live.copy(), np.empty(len(pairs), np.int64)
    placed, prices = np.empty(len(c), np.int64), np.empty(len(c))
    n_placed, n_offers = 0, 0
    contested = np.zeros(n_homes, np.bool_)
    for _ in range(rounds):
        n_alive = 0
        for j in by_group:
            if alive[j]:
                buffer[n_alive], n_alive = j, n_alive + 1
        if n_alive == 0:
            break
        order = buffer[:n_alive]
        off, rival = _offers(order, group, h, blk, need, block, open_, staff, n_groups)
        n_offers += len(off)
        price = _prices(off, rival, c, h, blk, cust, quote, cost, wtp_child, council, profit_cap, contested)
        take = _choose(off, price, c, h, d, score, need, staff, weight_per_mile, metres_per_mile)
        done_child = np.zeros(len(wtp_child), np.bool_)
        for t in take:
            j = off[t]
            placed[n_placed], prices[n_placed] = j, price[t]
            n_placed += 1
            if blk[j]:
                block[h[j]] -= 1
            else:
                open_[h[j]] -= 1
            staff[h[j]] -= need[j]
            done_child[c[j]] = True
        for j in pairs:
            left = block[h[j]] if blk[j] else open_[h[j]]
            alive[j] = alive[j] and not done_child[c[j]] and left > 0 and staff[h[j]] >= need[j] - STAFF_TOLERANCE
    return placed[:n_placed], prices[:n_placed], n_offers, contested


@njit(cache=True)
def _screen_risk(affordable, noise, noise_sd, own_first, own_bonus, block_bonus, score, council_own, blk):
    """Providers' scores with their judgement (noise, drawn for the affordable pairs only, in
    order) and priorities (own authority's child if own_first, block place), as NumPy added them
    in turn; the live pairs are the affordable ones scoring at least 0."""
    out, live = np.empty(len(score)), np.empty(len(score), np.bool_)
    t = 0
    for j in range(len(score)):
        e = 0.0
        if affordable[j]:
            e, t = noise[t], t + 1
        s = score[j] + noise_sd * e
        if own_first:
            s = s + own_bonus * (1.0 if council_own[j] else 0.0)
        out[j] = s + block_bonus * (1.0 if blk[j] else 0.0)
        live[j] = affordable[j] and out[j] >= 0
    return out, live


@njit(cache=True)
def screen_and_bid(rounds, affordable, noise, noise_sd, own_first, own_bonus, block_bonus, c, h, blk, score,
                   council_own, cust, quote, cost, d, need_child, weight_child, wtp_child, sector, council_code,
                   reserved_free, free, spare_staff, profit_cap, metres_per_mile):
    """The week's bidding on its referral pairs (child c, home h): providers screen the affordable
    referrals by risk (`_screen_risk`), then the offer rounds run on the live ones, with each
    home's block places (its reserved places still free), open places (the rest of its free
    places) and spare staff; council homes (sector == council_code) charge their quote; need and
    weight (the price a mile is worth) are the child's. Returns the placed pairs, their prices,
    the number of offers made, of homes whose offers were contested and of live pairs."""
    final, live = _screen_risk(affordable, noise, noise_sd, own_first, own_bonus, block_bonus, score, council_own, blk)
    n = len(c)
    need, weight, council = np.empty(n), np.empty(n), np.empty(n, np.bool_)
    for j in range(n):
        need[j], weight[j], council[j] = need_child[c[j]], weight_child[c[j]], sector[h[j]] == council_code
    block, open_ = np.empty(len(free), np.int64), np.empty(len(free), np.int64)
    for i in range(len(free)):
        block[i] = min(reserved_free[i], free[i])
        open_[i] = free[i] - block[i]
    placed, price, offers, contested = offer_rounds(rounds, live, c, h, blk, final, cust, quote, cost, d, need,
                                                    council, wtp_child, block, open_, spare_staff.astype(np.float64),
                                                    profit_cap, weight, metres_per_mile, len(free))
    return placed, price, offers, np.count_nonzero(contested), np.count_nonzero(live)
