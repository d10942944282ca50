"""Grouped selections over runs of equal (sorted) group values, compiled."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def first_k_within(groups, keys, k):
    """`np.lexsort((keys, groups))` cut to the first k of each run of equal (sorted) groups: within
    a run, by key (NaN last), ties by position."""
    out = np.empty(len(groups), np.int64)
    n, start = 0, 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            order = np.argsort(keys[start:i], kind="mergesort")
            for t in range(min(k, i - start)):
                out[n] = start + order[t]
                n += 1
            start = i
    return out[:n]
