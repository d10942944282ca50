"""The weekly clearing: referrals, providers' offers, authorities' choices and prices.

Everything here works on whole arrays of (child, home) referral pairs. A week clears in a few
rounds: waiting children are referred to a shortlist of the nearest suitable homes with room;
each home ranks its referrals by profit and risk and offers its free places (and staff) to the
best; each child's authority takes the best offer (price against distance). Where authorities
compete for the same home, the winner pays at least the next bidder's ceiling (capped at its
own), so scarcity and bidding raise prices; members of one customer (an RCC) never bid
against each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .geography import METRES_PER_MILE
from .population import popcount
from .supply import COUNCIL, PRIVATE, VOLUNTARY

DOL_STAFF_MULTIPLIER = 1.5  # a DoL order usually comes with 2:1 or 3:1 supervision (prior)
QUERY_K = 18  # homes examined per child before feasibility filters
ROUNDS = 3


@dataclass
class Referrals:
    """The week's market: who was referred where, and what was offered and taken."""

    child: np.ndarray
    home: np.ndarray
    miles: np.ndarray
    quote: np.ndarray
    n_children: int
    n_homes_referred: int
    offers: int = 0
    accepted: int = 0
    refused_price: int = 0
    refused_risk: int = 0
    contested_homes: int = 0


def staff_need(complexity: np.ndarray, dol: np.ndarray, staff_per_child) -> np.ndarray:
    """Staff (FTE) a child needs, by complexity and deprivation-of-liberty order."""
    need = np.asarray(staff_per_child, float)[complexity]
    return np.where(dol, need * DOL_STAFF_MULTIPLIER, need)


def wage(params, week: int) -> float:
    """Weekly cost of one FTE in a given week (real growth from April 2024)."""
    wf = params.workforce
    return wf.wage_gbp_week * (1 + wf.wage_growth_per_year) ** (week / 52)


def property_cost(property_index, params) -> np.ndarray:
    """Weekly property and overheads of one place; half of it follows regional house prices."""
    return params.pricing.property_gbp_place_week * (0.5 + 0.5 * property_index)


def place_cost(property_index, params, week: int = 0) -> np.ndarray:
    """Weekly cost of running one registered place: its staff and its share of property."""
    return params.workforce.staff_per_place_target * wage(params, week) + property_cost(property_index, params)


def care_cost(complexity, dol, property_index, params, week: int = 0) -> np.ndarray:
    """Weekly cost of caring for a child: the cost of a place at the occupancy providers plan
    for, scaled by the staff the child needs relative to a medium-need child."""
    wf = params.workforce
    relative = staff_need(complexity, dol, wf.staff_per_child) / wf.staff_per_child[1]
    return place_cost(property_index, params, week) / params.pricing.expected_occupancy * relative


def sector_margin(sector: np.ndarray, params) -> np.ndarray:
    pr = params.pricing
    m = np.zeros(len(sector))
    m[sector == PRIVATE] = pr.target_margin_private
    m[sector == VOLUNTARY] = pr.target_margin_voluntary
    return np.minimum(m, pr.profit_cap)


def shortlist(cx, cy, ckind, radius_m, hx, hy, hkind, available, k_max: int, wide_share: float, rng):
    """Candidate homes of the right kind within each child's search radius.

    Authorities refer both to the nearest homes and across their whole search area (to the
    providers on their frameworks, wherever they are): a share of each child's candidates are
    the homes nearest to a random point in the search disc.
    ckind/hkind: 0 ordinary, 1 needs/accepts deprivation-of-liberty orders, 2 secure.
    Returns (child_pos, home_idx, metres) sorted by child, without duplicates.
    """
    k_wide = int(round(k_max * wide_share))
    k_near = k_max - k_wide
    out_c, out_h = [], []
    for kind in (0, 1, 2):
        cmask = np.flatnonzero(ckind == kind)
        if kind == 0:
            hmask = np.flatnonzero(available & (hkind != 2))
        else:
            hmask = np.flatnonzero(available & (hkind == kind))
        if len(cmask) == 0 or len(hmask) == 0:
            continue
        tree = cKDTree(np.column_stack([hx[hmask], hy[hmask]]))
        r = radius_m[cmask]
        spread = r * np.sqrt(rng.random(len(cmask)))
        theta = 2 * np.pi * rng.random(len(cmask))
        for k, px, py in ((k_near, cx[cmask], cy[cmask]),
                          (k_wide, cx[cmask] + spread * np.cos(theta), cy[cmask] + spread * np.sin(theta))):
            k = min(k, len(hmask))
            if k <= 0:
                continue
            _, j = tree.query(np.column_stack([px, py]), k=k)
            j = j.reshape(len(cmask), k)
            out_c.append(np.broadcast_to(cmask[:, None], j.shape).ravel())
            out_h.append(hmask[j.ravel()])
    if not out_c:
        e = np.zeros(0, np.int64)
        return e, e, np.zeros(0)
    n_h = len(hx)
    key = distinct(np.concatenate(out_c) * n_h + np.concatenate(out_h))
    c, h = key // n_h, key % n_h
    d = np.hypot(cx[c] - hx[h], cy[c] - hy[h])
    ok = d <= radius_m[c]
    return c[ok], h[ok], d[ok]


def first_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array."""
    first = np.ones(len(sorted_values), bool)
    first[1:] = sorted_values[1:] != sorted_values[:-1]
    return first


def distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, faster here than np.unique's hashing for these sizes)."""
    s = np.sort(a)
    return s[first_of_runs(s)]


def _run_start_of_each(groups: np.ndarray) -> np.ndarray:
    """For each element of a sorted array, the index where its run of equal values starts."""
    starts = np.flatnonzero(first_of_runs(groups))
    return np.repeat(starts, np.diff(np.append(starts, len(groups))))


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal (sorted) group values."""
    return np.arange(len(groups)) - _run_start_of_each(groups)


def cumsum_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running total of values within each run of equal (sorted) group values."""
    cum = np.cumsum(values)
    start = _run_start_of_each(groups)
    return cum - cum[start] + values[start]


def _home_accepts(home, score, need, cap_places, cap_staff):
    """Each home offers its places, best score first, while places and staff last.

    Returns the mask of offered pairs (in input order) and, per pair, the best losing bid at
    its home (index into input, -1 if none) for second-price bidding.
    """
    order = np.lexsort((-score, home))
    h = home[order]
    ok = (rank_within(h) < cap_places[h]) & (cumsum_within(h, need[order]) <= cap_staff[h] + 1e-9)
    offered = np.zeros(len(home), bool)
    offered[order[ok]] = True
    # best losing referral per home: first not-offered pair in score order
    runner_up = np.full(len(home), -1)
    lose = order[~ok]
    if len(lose):
        lh = home[lose]
        first = first_of_runs(lh)
        best = np.full(int(home.max()) + 1, -1)
        best[lh[first]] = lose[first]
        runner_up = best[home]
    return offered, runner_up


def clear(children_idx, child, homes, params, customer, wtp, radius_m, property_index_la,
          reserved_free, rng, week: int = 0):
    """Match waiting children to homes for one week.

    child: dict of per-searching-child arrays (x, y, la, complexity, needs, dol, secure).
    reserved_free: per home, block-contracted places still free (kept for the holder's children).
    Returns (placed_child_pos, home, price, is_block, Referrals).
    """
    n = len(children_idx)
    free = homes.free_places()
    admits = homes.manager | params.workforce.no_manager_admits
    spare_staff = homes.staff - homes.staff_used
    min_need = float(np.min(params.workforce.staff_per_child))
    available = (free > 0) & admits & (spare_staff >= min_need - 1e-9)
    hkind = np.where(homes.secure, 2, np.where(homes.dol_ok, 1, 0))
    ckind = np.where(child["secure"], 2, np.where(child["dol"], 1, 0))
    c, h, d = shortlist(child["x"], child["y"], ckind, radius_m, homes.x, homes.y, hkind, available, QUERY_K,
                        params.commissioning.wide_referral_share, rng)

    need = staff_need(child["complexity"], child["dol"], params.workforce.staff_per_child)
    feasible = (homes.max_complexity[h] >= child["complexity"][c]) & (spare_staff[h] >= need[c] - 1e-9)
    c, h, d = c[feasible], h[feasible], d[feasible]
    # the shortlist: nearest and best matched first, with the frictions of who answers a referral
    unmet = popcount(child["needs"][c] & ~homes.specialisms[h])
    rank_key = d / radius_m[c] + 0.3 * unmet + params.commissioning.referral_spread * rng.random(len(c))
    order = np.lexsort((rank_key, c))
    c, h, d = c[order], h[order], d[order]
    keep = rank_within(c) < params.commissioning.shortlist
    c, h, d = c[keep], h[keep], d[keep]

    hla = homes.la[h]
    prop_index_home = property_index_la[hla]
    cost = care_cost(child["complexity"][c], child["dol"][c], prop_index_home, params, week)
    margin = sector_margin(homes.sector[h], params)
    # referrals per vacancy, relative to the referrals each child sends out; a cooperative's
    # coordinated referrals reach a home as one customer's
    cust = customer[child["la"][c]]
    coordinated = cust >= len(customer)
    sender = np.where(coordinated, cust, len(customer) * 4 + c)
    n_ref = np.bincount(distinct(sender * homes.n + h) % homes.n, minlength=homes.n)
    pressure = n_ref[h] / np.maximum(free[h], 1) / params.commissioning.shortlist
    scarcity = np.clip(pressure ** params.pricing.scarcity_elasticity, 1.0, params.pricing.scarcity_cap)
    quote = cost * (1 + margin) * scarcity * homes.price_factor[h]
    if params.pricing.profit_cap < 1.0:
        quote = np.minimum(quote, cost * (1 + params.pricing.profit_cap))
    council_own = (homes.sector[h] == COUNCIL) & (hla == child["la"][c])
    quote = np.where(homes.sector[h] == COUNCIL, cost, quote)
    is_block = homes.block_la[h] == cust
    quote = np.where(is_block, homes.block_price[h], quote)
    ref = Referrals(child=children_idx[c], home=h, miles=d / METRES_PER_MILE, quote=quote,
                    n_children=n, n_homes_referred=int(np.count_nonzero(n_ref)))

    affordable = quote <= wtp[c]
    ref.refused_price = int(np.count_nonzero(~affordable))
    c, h, d, cost, quote, is_block, council_own, cust = (
        a[affordable] for a in (c, h, d, cost, quote, is_block, council_own, cust))

    unmet = popcount(child["needs"][c] & ~homes.specialisms[h])
    risk = child["complexity"][c] / 2 + 0.5 * unmet + 0.5 * child["dol"][c]
    # providers choose by profit and by how hard a child is to care for (NAO25 2.3, 2.14): a
    # referral whose margin at the authority's ceiling does not cover its risk is declined
    with np.errstate(invalid="ignore", divide="ignore"):  # zero cost: no margin to rank (NaN is never accepted)
        score = (wtp[c] - cost) / cost - params.pricing.risk_aversion * risk + 0.1 * rng.standard_normal(len(c))
    if params.commissioning.council_own_first:
        score = score + 10.0 * council_own
    score = score + 100.0 * is_block
    accept = score >= 0
    ref.refused_risk = int(np.count_nonzero(~accept))
    c, h, d, cost, quote, is_block, council_own, cust, score = (
        a[accept] for a in (c, h, d, cost, quote, is_block, council_own, cust, score))
    pair_need = need[c]

    placed_pos, placed_home, placed_price, placed_block = [], [], [], []
    cap_block = np.minimum(reserved_free, free).astype(np.int64)
    cap_open = (free - cap_block).astype(np.int64)
    cap_staff = spare_staff.astype(float).copy()
    alive = np.ones(len(c), bool)
    contested = set()
    for _ in range(ROUNDS):
        idx = np.flatnonzero(alive)
        if len(idx) == 0:
            break
        offered = np.zeros(len(idx), bool)
        runner = np.full(len(idx), -1)
        for blk, cap in ((True, cap_block), (False, cap_open)):
            sub = np.flatnonzero(is_block[idx] == blk)
            if len(sub) == 0:
                continue
            o, r = _home_accepts(h[idx[sub]], score[idx[sub]], pair_need[idx[sub]], cap, cap_staff)
            offered[sub] = o
            runner[sub] = np.where(r >= 0, sub[np.maximum(r, 0)], -1)
        off = idx[offered]
        ref.offers += len(off)
        # second price: a losing bid from another customer lifts the price towards its ceiling
        rival = runner[offered]
        has_rival = rival >= 0
        rival_pair = idx[np.maximum(rival, 0)]
        other_cust = has_rival & (cust[rival_pair] != cust[off]) & ~is_block[off]
        contested.update(h[off[other_cust]].tolist())
        bid = np.minimum(wtp[c[off]], wtp[c[rival_pair]])
        bidding = other_cust & (homes.sector[h[off]] != COUNCIL)
        price = np.where(bidding, np.maximum(quote[off], bid), quote[off])
        if params.pricing.profit_cap < 1.0:  # a cap binds on the price, bids included
            price = np.minimum(price, np.maximum(cost[off] * (1 + params.pricing.profit_cap), quote[off] * is_block[off]))
        # each child's authority takes the best offer: price against distance
        util = -price - params.commissioning.distance_weight_gbp_per_mile * d[off] / METRES_PER_MILE
        order = np.lexsort((-util, c[off]))
        take = order[first_of_runs(c[off][order])]
        # a home's staff must cover every child who took one of its offers this round
        tp = off[take]
        by_home = np.lexsort((-score[tp], h[tp]))
        hs = h[tp][by_home]
        fits = np.zeros(len(tp), bool)
        fits[by_home] = cumsum_within(hs, pair_need[tp][by_home]) <= cap_staff[hs] + 1e-9
        take, tp = take[fits], tp[fits]
        placed_pos.append(c[tp]); placed_home.append(h[tp]); placed_price.append(price[take]); placed_block.append(is_block[tp])
        np.subtract.at(cap_block, h[tp][is_block[tp]], 1)
        np.subtract.at(cap_open, h[tp][~is_block[tp]], 1)
        np.subtract.at(cap_staff, h[tp], pair_need[tp])
        done_child = np.zeros(n, bool)
        done_child[c[tp]] = True
        room = np.where(is_block, cap_block[h], cap_open[h]) > 0
        alive &= ~done_child[c] & room & (cap_staff[h] >= pair_need - 1e-9)
    ref.contested_homes = len(contested)
    if placed_pos:
        pos, home, price, blk = (np.concatenate(a) for a in (placed_pos, placed_home, placed_price, placed_block))
    else:
        pos = home = np.zeros(0, np.int64); price = np.zeros(0); blk = np.zeros(0, bool)
    ref.accepted = len(pos)
    return pos, home, price, blk, ref
