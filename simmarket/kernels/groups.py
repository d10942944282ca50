"""Grouped selections over runs of equal (sorted) group values, compiled."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def first_k_within(groups, keys, k):
    """`np.lexsort((keys, groups))` cut to the first k of each run of equal (sorted) groups: within
    a run, by key (NaN last), ties by position. Runs are sorted by insertion (they are short: a
    child's referrals; np.argsort per run cost more in allocation than in sorting)."""
    out = np.empty(len(groups), np.int64)
    n, start = 0, 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            for j in range(start, i):  # out[n:n + j - start] holds the run so far, in order
                v, p = keys[j], n + j - start
                while p > n and (keys[out[p - 1]] > v or (v == v and keys[out[p - 1]] != keys[out[p - 1]])):
                    out[p] = out[p - 1]
                    p -= 1
                out[p] = j
            n += min(k, i - start)
            start = i
    return out[:n]


@njit(cache=True, error_model="numpy")
def rank_and_cut(c, h, d, unmet, radius, draws, unmet_weight, spread, k):
    """Each child's shortlist from its referral pairs (sorted by child c, to home h, d metres away,
    with `unmet` needs the home lacks): the pairs ranked by d / radius[c] + unmet_weight x unmet +
    spread x draws (NumPy's arithmetic, in that order; a zero radius divides as NumPy does), cut to
    the first k of each child as `first_k_within`. Returns the kept pairs' (c, h, d, unmet)."""
    key = np.empty(len(c))
    for j in range(len(c)):
        key[j] = d[j] / radius[c[j]] + unmet_weight * unmet[j] + spread * draws[j]
    keep = first_k_within(c, key, k)
    n = len(keep)
    kc, kh, kd, ku = np.empty(n, c.dtype), np.empty(n, h.dtype), np.empty(n), np.empty(n, unmet.dtype)
    for i in range(n):  # one pass (four gathers cost twice as much)
        kc[i], kh[i], kd[i], ku[i] = c[keep[i]], h[keep[i]], d[keep[i]], unmet[keep[i]]
    return kc, kh, kd, ku
