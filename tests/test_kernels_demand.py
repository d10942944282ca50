"""The demand kernels against the NumPy code they replace (demand's fit of children to free
places, planned endings and entrants' places, as they were), exactly."""

import numpy as np
import pytest

from simmarket.kernels.demand import entrant_places, fit_places, home_endings

SEEDS = range(8)
N_LA = 5
OWN = np.arange(N_LA)
WAITING, SUPPORTED, FOSTER = 1, 5, 4


def _fit_in_order(groups, capacity, used):
    """The first max(floor(capacity) - used, 0) of each group fit, in order; used counts them in."""
    fits = np.zeros(len(groups), bool)
    for i, g in enumerate(groups.tolist()):
        if used[g] < np.floor(capacity[g]):
            fits[i] = True
            used[g] += 1
    return fits


def _fit_reference(la, group, capacity, used):
    """demand.fit_foster as it was: each authority on its own, or its places pooled by group."""
    if (group == OWN).all():
        return _fit_in_order(la, capacity, used)
    n_groups = int(group.max()) + 1
    fits = _fit_in_order(group[la], np.bincount(group, weights=capacity, minlength=n_groups),
                         np.bincount(group, weights=used, minlength=n_groups))
    used += np.bincount(la[fits], minlength=len(used))
    return fits


def _case(seed):
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(-2, 14, N_LA) * (rng.random(N_LA) < 0.8)  # some none, some fewer than used
    capacity[0] = np.floor(capacity[0])  # a whole number of places
    pooled = np.where(rng.random(N_LA) < 0.5, N_LA + rng.integers(0, 2, N_LA), OWN)
    return rng, capacity, rng.integers(0, 9, N_LA), (OWN, pooled)[seed % 2]


def test_fit_places_hand_made():
    used = np.array([1, 0, 0])
    fits = fit_places(np.array([0, 1, 0, 0, 1, 2, 0]), np.arange(3), np.array([3.9, 1.0, 0.0]), used)  # 3.9: 3
    assert fits.tolist() == [True, True, True, False, False, False, False] and used.tolist() == [3, 1, 0]
    assert fit_places(np.zeros(0, np.int64), np.arange(3), np.ones(3), used).tolist() == []
    used = np.array([2, 0, 0])  # authorities 0 and 1 share 3 places, 2 used
    fits = fit_places(np.array([1, 0, 2]), np.array([3, 3, 2]), np.array([1.5, 1.5, 1.0]), used)
    assert fits.tolist() == [True, False, True] and used.tolist() == [2, 1, 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_fit_places_is_the_fit_in_order_of_each_group(seed):
    rng, capacity, used, group = _case(seed)
    la = rng.integers(0, N_LA, int(rng.integers(0, 40)))
    used_ref = used.copy()
    fits_ref = _fit_reference(la, group, capacity, used_ref)
    assert np.array_equal(fit_places(la, group, capacity, used), fits_ref)
    assert np.array_equal(used, used_ref) and used.dtype == used_ref.dtype


def _endings_reference(placed, ending_at, u, p, age, la, places, used, groups, leaving):
    """demand.end_home_placements' selection as it was, in NumPy."""
    ending = placed[ending_at]
    step_down = u < p
    older = age[ending] >= 16
    to_sa = ending[step_down & older]
    to_sa = to_sa[_fit_reference(la[to_sa], groups[0], places[0], used[0])]
    to_f = ending[step_down & ~older]
    to_f = to_f[_fit_reference(la[to_f], groups[1], places[1], used[1])]
    moved = np.concatenate([to_sa, to_f])
    stays = step_down & ~np.isin(ending, moved)
    return moved, len(to_sa), np.concatenate([leaving, ending[~step_down]]), ending_at[~stays]


@pytest.mark.parametrize("seed", SEEDS)
def test_home_endings_is_the_numpy_selection(seed):
    rng, capacity, used, group = _case(seed)
    n = int(rng.integers(0, 60))
    age, la = rng.uniform(12, 18, n), rng.integers(0, N_LA, n)
    placed = np.sort(rng.choice(n, n // 2, replace=False)) if n else np.zeros(0, np.int64)
    ending_at = np.flatnonzero(rng.random(len(placed)) < 0.5)
    u = rng.random(len(ending_at))
    leaving = rng.integers(n, n + 5, 3)
    places, groups = (capacity[::-1].copy(), capacity), (OWN, group)
    used_s, used_f = rng.integers(0, 9, N_LA), used
    ref_used = (used_s.copy(), used_f.copy())
    ref = _endings_reference(placed, ending_at, u, 0.6, age, la, places, ref_used, groups, leaving)
    got = home_endings(placed, ending_at, u, 0.6, 16, age, la, places, (used_s, used_f), groups, leaving)
    assert all(np.array_equal(g, r) for g, r in zip(got, ref)) and got[1] == ref[1]
    assert np.array_equal(used_s, ref_used[0]) and np.array_equal(used_f, ref_used[1])


def _entrant_places_reference(la, age, young_always, places, used, groups):
    """demand.alternative_places as it was, in NumPy."""
    status = np.full(len(la), WAITING, np.int8)
    older = np.flatnonzero(age >= 16)
    status[older[_fit_reference(la[older], groups[0], places[0], used[0])]] = SUPPORTED
    rest = np.flatnonzero(status != SUPPORTED)
    fostered = _fit_reference(la[rest], groups[1], places[1], used[1])
    if young_always:
        young = ~fostered & (age[rest] < 11)
        used[1][:] += np.bincount(la[rest[young]], minlength=N_LA)
        fostered |= young
    status[rest[fostered]] = FOSTER
    return status


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("young_always", [True, False])
def test_entrant_places_is_the_numpy_choice(seed, young_always):
    rng, capacity, used, group = _case(seed)
    n = int(rng.integers(0, 60))
    age, la = rng.uniform(0, 18, n), rng.integers(0, N_LA, n)
    places, groups = (capacity[::-1].copy(), capacity), (OWN, group)
    used_s, used_f = rng.integers(0, 9, N_LA), used
    ref_used = (used_s.copy(), used_f.copy())
    ref = _entrant_places_reference(la, age, young_always, places, ref_used, groups)
    got = entrant_places(la, age, 16, 11, young_always, places, (used_s, used_f), groups, (WAITING, SUPPORTED, FOSTER))
    assert np.array_equal(got, ref) and got.dtype == ref.dtype
    assert np.array_equal(used_s, ref_used[0]) and np.array_equal(used_f, ref_used[1])
