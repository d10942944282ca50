"""Kernels of the demand phase: where children go when a placement in a home ends, and where
entrants who need no home at once go, given the week's draws (phases.demand makes them).

Each does the integer and boolean logic of the NumPy code it replaced (named in its docstring),
so results are identical. Places come as (supported, foster) pairs: `places` this week's places
by authority, `used` the children in them by authority (updated as children take them), and
`groups` the group whose places each authority's children share (its own for supported places;
a cooperative's for foster places it pools, demand.foster_groups).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def fit_places(la, group, capacity, used):
    """Which children, in order, by authority la, find one of their group's places: a group's whole
    places (`floor` of its authorities' `capacity`, summed in authority order, as
    `np.bincount(group, weights=capacity)`) less those its authorities have `used` (summed likewise)
    go to its first children. `used` counts each child who fits in, by authority
    (`used += np.bincount(la[fits], minlength=len(used))`). With each authority its own group,
    this is the first `max(floor(capacity) - used, 0)` of each authority's children."""
    n_groups = 0
    for g in group:
        n_groups = max(n_groups, g + 1)
    places = np.zeros(n_groups)
    taken = np.zeros(n_groups)
    for a in range(len(group)):
        places[group[a]] += capacity[a]
        taken[group[a]] += used[a]
    fits = np.zeros(len(la), np.bool_)
    for i in range(len(la)):
        g = group[la[i]]
        if taken[g] < np.floor(places[g]):
            fits[i] = True
            taken[g] += 1
            used[la[i]] += 1
    return fits


@njit(cache=True)
def home_endings(placed, ending_at, u_step_down, p_step_down, older_age, age, la, places, used, groups, leaving):
    """Planned endings of placements in homes (demand.end_home_placements), given the draws: the
    children `placed[ending_at]` step down where `u_step_down < p_step_down`, to supported
    accommodation if aged `older_age` or more, else to foster care, where a place is free
    (fit_places, in order, the supported first); the others leave care.

    Returns (moved, n_supported, leaving, gone): those who step down to a place (the first
    `n_supported` to supported accommodation, then those to foster care, each in order);
    `leaving` followed by those who leave care; and the positions in `placed` (`ending_at`'s, in
    order) of those who leave their homes (all but those who find no place to step down to).
    """
    n = len(ending_at)
    step = np.zeros(n, np.int8)  # 0 leaves care, 1 would step down but finds no place, 2 steps down
    for j in range(n):
        step[j] = u_step_down[j] < p_step_down
    for to in range(2):  # supported accommodation, then foster care
        cand = np.empty(n, np.int64)
        k = 0
        for j in range(n):
            if step[j] == 1 and (age[placed[ending_at[j]]] >= older_age) == (to == 0):
                cand[k] = j
                k += 1
        fits = fit_places(la[placed[ending_at[cand[:k]]]], groups[to], places[to], used[to])
        for c in range(k):
            step[cand[c]] += fits[c]
    return _endings_out(placed, ending_at, step, age, older_age, leaving)


@njit(cache=True)
def _endings_out(placed, ending_at, step, age, older_age, leaving):
    """home_endings' results from each ending's fate (`step`)."""
    n = len(ending_at)
    moved = np.empty(n, np.int64)
    n_moved = n_supported = n_gone = 0
    gone = np.empty(n, np.int64)
    out = np.empty(len(leaving) + n, np.int64)
    out[:len(leaving)] = leaving
    n_out = len(leaving)
    for to in range(2):
        for j in range(n):
            i = placed[ending_at[j]]
            if step[j] == 2 and (age[i] >= older_age) == (to == 0):
                moved[n_moved] = i
                n_moved += 1
        if to == 0:
            n_supported = n_moved
    for j in range(n):
        if step[j] == 0:
            out[n_out] = placed[ending_at[j]]
            n_out += 1
        if step[j] != 1:
            gone[n_gone] = ending_at[j]
            n_gone += 1
    return moved[:n_moved].copy(), n_supported, out[:n_out].copy(), gone[:n_gone].copy()


@njit(cache=True)
def entrant_places(la, age, older_age, young_age, young_always_fostered, places, used, groups, codes):
    """Where entrants who need no home at once go (demand.alternative_places): returns their
    statuses (codes: waiting, supported, fostered). Those aged `older_age` or more take a free
    supported place (fit_places, in order); the rest, in order, a free foster place; if
    `young_always_fostered`, those under `young_age` left without one are fostered all the same
    (counted in `used` after the others). The rest are waiting (to need a home)."""
    waiting, supported, fostered = codes
    n = len(la)
    status = np.full(n, waiting, np.int8)
    older = np.flatnonzero(age >= older_age)
    fits = fit_places(la[older], groups[0], places[0], used[0])
    for c in range(len(older)):
        if fits[c]:
            status[older[c]] = supported
    rest = np.flatnonzero(status != supported)
    fits = fit_places(la[rest], groups[1], places[1], used[1])
    for c in range(len(rest)):
        i = rest[c]
        if fits[c]:
            status[i] = fostered
        elif young_always_fostered and age[i] < young_age:
            status[i] = fostered
            used[1][la[i]] += 1
    return status
