"""Grouped operations on sorted NumPy arrays (runs of equal values), and the cdf Generator.choice picks from,
used across the model."""

from __future__ import annotations

import numpy as np


def choice_cdf(p) -> np.ndarray:
    """The cdf NumPy's `Generator.choice(len(p), size, p=p)` picks from: `p.cumsum()` over its last
    entry. That choice is `choose(cdf, rng.random(size))` (numpy/random/_generator.pyx, NumPy 2.x),
    so the same draws pick the same, without choice's checks of p (the caller's p are
    probabilities) and with its draws made in one call with others."""
    cdf = np.asarray(p, float).cumsum()
    cdf /= cdf[-1]
    return cdf


def choose(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """What `Generator.choice(len(p), p=p)` picks with the uniform draws u, given cdf = choice_cdf(p)."""
    return cdf.searchsorted(u, side="right")


def first_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array."""
    first = np.ones(len(sorted_values), bool)
    first[1:] = sorted_values[1:] != sorted_values[:-1]
    return first


def distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, faster here than np.unique's hashing for these sizes)."""
    s = np.sort(a)
    return s[first_of_runs(s)]


SEARCH_MAX_LENGTH = 512  # below this length one binary search finds the runs quicker (measured)


def _run_start_of_each(groups: np.ndarray) -> np.ndarray:
    """For each element of a sorted array, the index where its run of equal values starts."""
    if len(groups) < SEARCH_MAX_LENGTH:  # short arrays (most): one call instead of five
        return np.searchsorted(groups, groups)
    starts = np.flatnonzero(first_of_runs(groups))
    return np.repeat(starts, np.diff(np.append(starts, len(groups))))


def cumsum_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running total of values within each run of equal (sorted) group values."""
    cum = np.cumsum(values)
    start = _run_start_of_each(groups)
    return cum - cum[start] + values[start]

