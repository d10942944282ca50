"""Grouped operations on sorted arrays, against plain-Python references on random inputs; choice_cdf against
Generator.choice."""

import numpy as np
import pytest

from simmarket.arrays import SEARCH_MAX_LENGTH, choice_cdf, choose, cumsum_within, distinct, first_of_runs
from simmarket.kernels.groups import first_k_within, rank_and_cut

SEEDS = range(6)


def _sorted_groups(seed, n=None):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60)) if n is None else n
    return np.sort(rng.integers(0, max(n // 3, 1), n)), rng


@pytest.mark.parametrize("seed", SEEDS)
def test_first_of_runs_marks_each_new_value(seed):
    g, _ = _sorted_groups(seed)
    ref = [i == 0 or g[i] != g[i - 1] for i in range(len(g))]
    assert first_of_runs(g).tolist() == ref


@pytest.mark.parametrize("seed", SEEDS)
def test_distinct_is_the_sorted_set(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-5, 20, 50)
    assert distinct(a).tolist() == sorted(set(a.tolist()))


@pytest.mark.parametrize("seed", SEEDS)
def test_cumsum_within_restarts_at_each_run(seed):
    for n in (None, SEARCH_MAX_LENGTH + 50):  # short arrays, and long ones whose runs are found the other way
        g, rng = _sorted_groups(seed, n=n)
        v = rng.random(len(g)) * 10
        ref, total, prev = [], 0.0, None
        for gi, vi in zip(g.tolist(), v.tolist()):
            total = vi if gi != prev else total + vi
            ref.append(total)
            prev = gi
        np.testing.assert_allclose(cumsum_within(g, v), ref)


def test_empty_inputs():
    e = np.zeros(0, np.int64)
    assert len(first_of_runs(e)) == len(distinct(e)) == 0
    assert len(cumsum_within(e, np.zeros(0))) == 0


def _rank_reference(groups):
    """Each element's position among the elements of its group before it."""
    seen, out = {}, []
    for g in groups.tolist():
        out.append(seen.get(g, 0))
        seen[g] = seen.get(g, 0) + 1
    return np.array(out, np.int64)


@pytest.mark.parametrize("seed", SEEDS)
def test_first_k_within_is_lexsort_cut_to_k_per_group(seed):
    groups, rng = _sorted_groups(seed, n=int(np.random.default_rng(seed).integers(1, 300)))
    n = len(groups)
    distinct_keys = rng.random(n)
    tied_keys = rng.integers(0, 3, n).astype(float)  # ties: by position
    special = np.where(rng.random(n) < 0.3, rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], n), distinct_keys)
    for keys in (distinct_keys, tied_keys, special):
        full = np.lexsort((keys, groups))
        for k in (1, 3, 100):
            expect = full[_rank_reference(groups[full]) < k]
            assert np.array_equal(first_k_within(groups, keys, k), expect)
    assert len(first_k_within(np.zeros(0, np.int64), np.zeros(0), 3)) == 0



@pytest.mark.parametrize("seed", SEEDS)
def test_rank_and_cut_is_the_numpy_rank_key_then_first_k_within(seed):
    groups, rng = _sorted_groups(seed, n=int(np.random.default_rng(seed).integers(1, 300)))
    n = len(groups)
    h, d, unmet = rng.integers(0, 50, n), rng.uniform(0, 1e5, n), rng.integers(0, 4, n)
    radius, draws = rng.uniform(1e4, 1e5, groups.max() + 1), rng.random(n)
    key = d / radius[groups] + 0.3 * unmet + 2.0 * draws
    for k in (1, 3, 100):
        keep = first_k_within(groups, key, k)
        got = rank_and_cut(groups, h, d, unmet, radius, draws, 0.3, 2.0, k)
        for a, b in zip(got, (groups[keep], h[keep], d[keep], unmet[keep])):
            assert np.array_equal(a, b)

@pytest.mark.parametrize("seed", range(30))
def test_choice_cdf_picks_as_generator_choice_does(seed):
    """choose(choice_cdf(p), rng.random(n)) is rng.choice(len(p), size=n, p=p), draw for
    draw, on p of many lengths, with zeros (at either end), one certain entry, and sums that
    choice accepts but are not exactly 1."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 200))
    p = rng.random(k) ** 3 * (rng.random(k) < 0.8)
    p = [p / p.sum() if p.sum() > 0 else np.eye(k)[-1], np.eye(k)[seed % k], p / p.sum() * (1 + 1e-9)
         if p.sum() > 0 else np.eye(k)[0]][seed % 3]
    n = int(rng.integers(0, 300))
    ref_rng, got_rng = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    ref = ref_rng.choice(k, size=n, p=p)
    got = choose(choice_cdf(p), got_rng.random(n))
    assert np.array_equal(got, ref) and got.dtype == ref.dtype
    assert got_rng.bit_generator.state == ref_rng.bit_generator.state
