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
