"""The row kernels against the NumPy expressions they replace, exactly, on hand-made and random arrays."""

import numpy as np
import pytest

from simmarket.kernels.rows import (age_count_find, broken_placements, care_fates, count_pairs, entrants,
                                    foster_fates, keep_rows, needs_from_draws, vacate_rows)
from simmarket.rules import DOL_STAFF_MULTIPLIER, staff_need
from simmarket.state.children import needs_of
from simmarket.state.geography import miles
from simhelpers import popcount

SEEDS = range(8)
GONE, N_STATUS = 0, 6


def _table(seed, n=None):
    """A random table of children: ages near 18 and 11, statuses, authorities, UASC flags."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300)) if n is None else n
    age = np.concatenate([rng.uniform(0, 18.2, n - n // 4), np.full(n // 4, 18 - 1 / 52)])[rng.permutation(n)]
    status = rng.integers(0, N_STATUS, n).astype(np.int8)
    la = rng.integers(0, 7, n).astype(np.int32)
    la[: n // 3] = np.sort(la[: n // 3])  # runs of one authority, as entrants are added
    return rng, age, status, la, rng.random(n) < 0.3


def _age_count_find_reference(age, status, la, n_la):
    age = age.copy()
    age[:] += 1 / 52
    adults = np.flatnonzero(age >= 18)
    adults = adults[status[adults] != GONE]
    after = status.copy()
    after[adults] = GONE
    key = np.multiply(after, n_la, dtype=np.int32) + la
    found = [np.flatnonzero(after == s) for s in (5, 2)]
    return age, adults, np.bincount(key, minlength=N_STATUS * n_la).reshape(N_STATUS, n_la), found


@pytest.mark.parametrize("seed", SEEDS)
def test_age_count_find_is_ageing_adults_counts_and_scans(seed):
    _, age, status, la, _ = _table(seed)
    ref_age, ref_adults, ref_counts, ref_found = _age_count_find_reference(age, status, la, 7)
    got = age.copy()
    adults, counts, *found = age_count_find(got, 1 / 52, 18, status, la, GONE, N_STATUS, 7, 5, 2)
    assert np.array_equal(got, ref_age) and np.array_equal(adults, ref_adults)
    assert np.array_equal(counts, ref_counts) and counts.dtype == ref_counts.dtype
    assert all(np.array_equal(f, r) and f.dtype == r.dtype for f, r in zip(found, ref_found))


def test_age_count_find_hand_made_and_empty():
    age = np.array([17.99, 18 - 1 / 52, 5.0, 30.0, 18 - 1 / 52, 3.0])
    status = np.array([4, 2, 5, GONE, GONE, 4], np.int8)
    la = np.array([1, 0, 1, 0, 1, 0], np.int32)
    adults, counts, supported, placed = age_count_find(age, 1 / 52, 18, status, la, GONE, N_STATUS, 2, 5, 2)
    assert adults.tolist() == [0, 1]  # 17.99 + 1/52 >= 18; gone rows are not adults
    assert counts[GONE].tolist() == [2, 2] and counts[5].tolist() == [0, 1] and counts.sum() == 6
    assert supported.tolist() == [2] and placed.tolist() == []  # adults left out
    adults, counts, *found = age_count_find(np.zeros(0), 1 / 52, 18, np.zeros(0, np.int8), np.zeros(0, np.int32), GONE,
                                            N_STATUS, 3, 5, 2)
    assert len(adults) == 0 and adults.dtype == np.int64 and np.array_equal(counts, np.zeros((N_STATUS, 3), np.int64))
    assert all(len(f) == 0 and f.dtype == np.int64 for f in found)


@pytest.mark.parametrize("seed", SEEDS)
def test_count_pairs_is_the_reshaped_bincount(seed):
    _, _, status, la, _ = _table(seed)
    key = np.multiply(status, 7, dtype=np.int32) + la
    ref = np.bincount(key, minlength=N_STATUS * 7).reshape(N_STATUS, 7)
    assert np.array_equal(count_pairs(status, la, N_STATUS, 7), ref)


def test_count_pairs_empty_and_single():
    assert np.array_equal(count_pairs(np.zeros(0, np.int8), np.zeros(0, np.int32), 2, 3), np.zeros((2, 3), np.int64))
    assert count_pairs(np.array([1], np.int8), np.array([2], np.int32), 2, 3).tolist() == [[0, 0, 0], [0, 0, 1]]


def _foster_fates_reference(rows, u, age, uasc, a, b, p_home):
    young = age[rows] < 11
    p_exit = np.where(young, a, b) / 52
    need = rows[(u >= p_exit) & (u < p_exit + p_home) & ~young & ~uasc[rows]]
    return rows[u < p_exit], need


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rates", [(8.0, 4.0, 0.5), (4.0, 8.0, 0.5), (8.0, 4.0, -0.01), (0.0, 0.0, 0.0),
                                   (60.0, 60.0, 1.0), (np.nan, 4.0, 0.3)])
def test_foster_fates_is_the_masks(seed, rates):
    rng, age, status, _, uasc = _table(seed)
    rows = np.flatnonzero(status == 4)
    a, b, p_home = rates
    u = rng.random(len(rows)) * 0.3  # many draws near the thresholds
    u[: len(u) // 5] = b / 52  # ties with a threshold
    ref = _foster_fates_reference(rows, u, age, uasc, a, b, p_home)
    got = foster_fates(status, 4, u, age, uasc, a / 52, b / 52, p_home, 11)
    assert all(np.array_equal(g, r) and g.dtype == r.dtype for g, r in zip(got, ref))


@pytest.mark.parametrize("n", [63, 64, 65, 1000, 6000])
@pytest.mark.parametrize("fostered_share", [0.0, 0.02, 0.5, 1.0])
def test_foster_fates_finds_rows_across_blocks(n, fostered_share):
    """Long tables, fostered rows sparse or dense, in runs (as the rows of authorities are) or
    not: the rows are found block by block."""
    rng = np.random.default_rng(n)
    status = np.where(rng.random(n) < fostered_share, 4, 1).astype(np.int8)
    status[n // 3: n // 2] = 1  # a long run without fostered rows
    status[n // 2: n // 2 + 300] = 4
    rows = np.flatnonzero(status == 4)
    age, uasc = rng.uniform(5, 18, n), rng.random(n) < 0.2
    u = rng.random(len(rows)) * rng.choice([0.05, 1.0])
    ref = _foster_fates_reference(rows, u, age, uasc, 4.0, 2.0, 0.02)
    got = foster_fates(status, 4, u, age, uasc, 4.0 / 52, 2.0 / 52, 0.02, 11)
    assert all(np.array_equal(g, r) and g.dtype == r.dtype for g, r in zip(got, ref))
    assert len(rows) == 0 or len(ref[0]) + len(ref[1]) > 0


def test_foster_fates_empty():
    for status in (np.zeros(0, np.int8), np.array([1, 5, 0], np.int8)):  # no row, no fostered row
        leave, need = foster_fates(status, 4, np.zeros(0), np.zeros(3), np.zeros(3, bool), 0.1, 0.1, 0.1, 11)
        assert len(leave) == len(need) == 0 and leave.dtype == need.dtype == np.int64


@pytest.mark.parametrize("seed", SEEDS)
def test_care_fates_is_foster_fates_the_supported_exits_and_the_count(seed):
    rng, age, status, la, uasc = _table(seed)
    fostered, supported = np.flatnonzero(status == 4), np.flatnonzero(status == 5)
    u, u_s = rng.random(len(fostered)) * 0.3, rng.random(len(supported))
    u_s[: len(u_s) // 4] = 0.2  # ties with the threshold stay
    used = count_pairs(status, la, N_STATUS, 7)
    leave, need = foster_fates(status, 4, u, age, uasc, 4.0 / 52, 2.0 / 52, 0.02, 11)
    left_ref = np.concatenate([leave, supported[u_s < 0.2]])
    used_ref = used - count_pairs(status[left_ref], la[left_ref], N_STATUS, 7)
    left, need_home = care_fates(status, 4, u, age, uasc, 4.0 / 52, 2.0 / 52, 0.02, 11, supported, u_s, 0.2, la, used)
    assert np.array_equal(left, left_ref) and left.dtype == left_ref.dtype and np.array_equal(need_home, need)
    assert np.array_equal(used, used_ref)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("width", [1, 4, 8])
def test_keep_rows_is_the_compaction(seed, width):
    """Columns of one width (as ColumnStore passes them: bools, codes and floats seen as unsigned
    integers), each compacted as `col[:k] = col[:n][keep]` and refilled past the k kept rows."""
    rng = np.random.default_rng(seed)
    cap = int(rng.integers(0, 50))
    n = int(rng.integers(0, cap + 1))
    dtypes = {1: [np.bool_, np.int8, np.uint8], 4: [np.int32, np.float32], 8: [np.int64, np.float64]}[width]
    cols = [(rng.random(cap) * 100 - 50).astype(dt) for dt in dtypes * 2]
    cols[-1][: cap // 2] = np.nan if cols[-1].dtype.kind == "f" else cols[-1][: cap // 2]
    fills = [np.array(v, c.dtype) for v, c in zip(rng.integers(-3, 3, len(cols)), cols)]
    keep = rng.random(n) < rng.random()
    k = int(keep.sum())
    refs = []
    for col, fill in zip(cols, fills):
        ref = col.copy()
        ref[:k] = ref[:n][keep]
        ref[k:n] = fill
        refs.append(ref)
    u = np.dtype(f"u{width}")
    assert keep_rows(tuple(c.view(u) for c in cols), np.array([f.view(u) for f in fills]), keep, n) == k
    assert all(np.array_equal(c.view(u), r.view(u)) for c, r in zip(cols, refs))  # bit for bit


def test_keep_rows_with_nothing_to_keep_or_no_rows():
    col = np.arange(5, dtype=np.int32)
    assert keep_rows((col,), np.array([-1], np.int32), np.zeros(3, np.bool_), 3) == 0
    assert col.tolist() == [-1, -1, -1, 3, 4]
    assert keep_rows((col,), np.array([7], np.int32), np.zeros(0, np.bool_), 0) == 0
    assert col.tolist() == [-1, -1, -1, 3, 4]


def _vacate_reference(rows, home, complexity, dol, occupied, staff_used, staff_per_child):
    need = staff_need(complexity[rows], dol[rows], staff_per_child)
    np.subtract.at(occupied, home[rows], 1)
    np.subtract.at(staff_used, home[rows], need)
    home[rows] = -1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("only", [-1, 2])
def test_vacate_rows_is_the_subtractions_and_clearing(seed, only):
    """All the rows given (only < 0), or those of them whose status is `only`, as
    `rows[status[rows] == only]` would pick them."""
    rng = np.random.default_rng(seed)
    n, n_homes = int(rng.integers(0, 60)), 6
    home = rng.integers(0, n_homes, n).astype(np.int32)
    complexity = rng.integers(0, 3, n).astype(np.int8)
    dol = rng.random(n) < 0.3
    status = rng.integers(0, N_STATUS, n).astype(np.int8)
    rows = rng.choice(n, int(rng.integers(0, n + 1)), replace=False) if n else np.zeros(0, np.int64)
    rows = np.concatenate([rows, rows[:2]])  # repeated rows: each subtracts, as in np.subtract.at
    chosen = rows if only < 0 else rows[status[rows] == only]
    occupied, staff_used = rng.integers(5, 20, n_homes), rng.random(n_homes) * 10 + 0.1
    spc = [0.35 + rng.random(), 0.7 + rng.random() / 3, 1.1 + rng.random() / 7]
    ref = [home.copy(), occupied.copy(), staff_used.copy()]
    _vacate_reference(chosen, ref[0], complexity, dol, ref[1], ref[2], spc)
    price, miles, block = rng.random(n) + 1, rng.random(n) + 1, rng.random(n) < 0.5
    vacate_rows(rows, status, only, complexity, dol, np.asarray(spc), DOL_STAFF_MULTIPLIER, home, price, miles, block,
                occupied, staff_used)
    assert all(np.array_equal(g, r) and g.dtype == r.dtype for g, r in zip((home, occupied, staff_used), ref))
    kept = np.setdiff1d(np.arange(n), chosen)
    assert (price[chosen] == 0).all() and (miles[chosen] == 0).all() and not block[chosen].any()
    assert (price[kept] > 0).all() and (miles[kept] > 0).all()


def ONE(n, top):
    """needs_from_draws' batches for one batch of n, uncapped (top: the highest complexity), in order."""
    return np.array([n], np.int64), np.array([top], np.int64), np.arange(n)


def _stream(u):
    """Uniform draws taken from u in order, k at a time, as Generator.random(k) takes them."""
    pos = [0]

    def take(k):
        pos[0] += k
        return u[pos[0] - k:pos[0]]
    return take


def _draw_needs_reference_from(stream, n, complexity_shares, need_probs, dol_share, secure_share):
    """draw_needs as it was, from a stream of uniform draws, in order, with choice's cdf as in _cdf."""
    complexity = np.searchsorted(_cdf(complexity_shares), stream(n), side="right")
    bits = stream(n * 4).reshape(n, 4) < np.asarray(need_probs)
    needs = (bits * (1 << np.arange(4))).sum(axis=1)
    dol = (stream(n) < dol_share / max(complexity_shares[2], 1e-9)) & (complexity == 2)
    secure = (stream(n) < secure_share / max(complexity_shares[2], 1e-9)) & (complexity == 2) & ~dol
    return complexity, needs, dol, secure


def _draw_needs_reference(rng, n, complexity_shares, need_probs, dol_share, secure_share):
    """draw_needs as it was, all in NumPy."""
    complexity = rng.choice(3, size=n, p=np.asarray(complexity_shares))
    bits = rng.random((n, 4)) < np.asarray(need_probs)
    needs = (bits * (1 << np.arange(4))).sum(axis=1)
    dol = (rng.random(n) < dol_share / max(complexity_shares[2], 1e-9)) & (complexity == 2)
    secure = (rng.random(n) < secure_share / max(complexity_shares[2], 1e-9)) & (complexity == 2) & ~dol
    return complexity, needs, dol, secure


SHARES = [(0.3, 0.5, 0.2), (0.5, 0.5, 0.0), (0.0, 0.0, 1.0), (0.0, 0.6, 0.4), (1 / 3, 1 / 3, 1 / 3),
          (0.1, 0.2, 0.7 + 1e-9), (0.25, 0.25 - 1e-9, 0.5)]  # the last two: sums choice accepts, not exactly 1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shares", SHARES)
def test_needs_from_draws_are_the_numpy_draw(seed, shares):
    n = [0, 1, 7, 300][seed % 4]
    probs = np.random.default_rng(seed).random(4) * [1, 1, 1, 0]  # one need type never drawn
    args = (n, np.array(shares), tuple(probs), 0.05 * seed, 0.03 * seed)
    ref_rng, rng = np.random.default_rng(seed), np.random.default_rng(seed)
    ref = _draw_needs_reference(ref_rng, *args)
    got = needs_of(rng.random(n * 7), (n,), (2,), np.arange(n), *args[1:])  # 3 + 4 need types a child
    assert all(np.array_equal(g, r) and g.dtype == r.dtype for g, r in zip(got, ref))
    assert rng.bit_generator.state == ref_rng.bit_generator.state


def _cdf(p):
    cdf = np.asarray(p, float).cumsum()
    return cdf / cdf[-1]


@pytest.mark.parametrize("seed", range(40))
def test_needs_from_draws_picks_complexity_as_choice_does(seed):
    """Generator.choice(len(p), size=n, p=p) on the same stream, for random and lopsided p."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 6))
    p = rng.random(k) * (rng.random(k) < 0.7)  # some zero, at either end too
    p = p / p.sum() if p.sum() > 0 else np.eye(k)[0]
    n = int(rng.integers(0, 500))
    ref = np.random.default_rng(seed + 100).choice(k, size=n, p=p)
    got = needs_from_draws(np.random.default_rng(seed + 100).random(n * 7), *ONE(n, k - 1), _cdf(p), np.ones(4), 0.5, 0.5)[0]
    assert np.array_equal(got, ref) and got.dtype == ref.dtype


def test_needs_from_draws_ties_and_empty():
    u_needs = [0.5, 0.2, 0.9, 0.0] * 3
    u = np.array([0.3, 0.8, 0.8 - 1e-12] + u_needs + [0.1, 0.9, 0.1] + [0.1, 0.1, 0.1])
    comp, needs, dol, secure = needs_from_draws(u, *ONE(3, 2), np.array([0.3, 0.8, 1.0]), np.array([0.5, 0.3, 1.0, 0.0]),
                                                0.5, 0.5)
    assert comp.tolist() == [1, 2, 1]  # a draw equal to a cdf entry goes above it (searchsorted side='right')
    assert needs.tolist() == [6, 6, 6] and dol.tolist() == [False, False, False]  # u == p: not drawn
    comp, needs, dol, secure = needs_from_draws(u, *ONE(3, 2), np.array([0.2, 0.3, 1.0]), np.array([0.5, 0.3, 1.0, 0.0]),
                                                0.5, 0.5)
    assert comp.tolist() == [2, 2, 2] and dol.tolist() == [True, False, True]  # DoL and secure go with the top
    assert secure.tolist() == [False, True, False]
    for sizes in ([0], [], [0, 0]):
        got = needs_from_draws(np.zeros(0), np.array(sizes, np.int64), np.ones(len(sizes), np.int64), np.zeros(0, np.int64),
                               np.array([0.2, 1.0]),
                               np.ones(4), 0.5, 0.5)
        assert [len(g) for g in got] == [0] * 4 and [g.dtype for g in got] == [np.int64, np.int64, np.bool_, np.bool_]


@pytest.mark.parametrize("seed", SEEDS)
def test_needs_from_draws_in_capped_batches_is_one_draw_each(seed):
    """Batches one after another are each what draw_needs would make of their draws, complexity
    at most the batch's cap, DoL and secure orders only at the (capped) top, each profile put in
    its row (a later one in place of an earlier; rows none goes to all zero)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 30, int(rng.integers(1, 4)))
    caps = rng.integers(0, 3, len(sizes))
    u = rng.random(int(sizes.sum()) * 7)
    shares, probs = (0.2, 0.3, 0.5), (0.4, 0.1, 0.7, 0.2)
    rows = rng.integers(0, max(int(sizes.sum()) // 2, 1), int(sizes.sum()))
    got = needs_from_draws(u, sizes, caps, rows, _cdf(shares), np.array(probs), 0.6, 0.3)
    take, parts = _stream(u), []
    for n, cap in zip(sizes.tolist(), caps.tolist()):
        comp, needs, dol, secure = _draw_needs_reference_from(take, n, shares, probs, 0.6 * 0.5, 0.3 * 0.5)
        top = np.minimum(comp, cap) == 2
        parts.append((np.minimum(comp, cap), needs, dol & top, secure & top))
    for g, r in zip(got, zip(*parts)):
        want = np.zeros(rows.max() + 1 if len(rows) else 0, g.dtype)
        for row, value in zip(rows.tolist(), np.concatenate(r).tolist()):
            want[row] = value
        assert np.array_equal(g, want) and g.dtype == want.dtype


def _broken_reference(placed, u, limit, home, x, y, needs, hx, hy, spec, rates):
    """demand.break_down's hazards as they were, in NumPy."""
    per_year, per_20mi, per_unmet = rates
    maybe = u < limit
    placed, u = placed[maybe], u[maybe]
    h = home[placed]
    dist = miles(x[placed], y[placed], hx[h], hy[h])
    unmet = popcount(needs[placed] & ~spec[h])
    hazard = per_year * (1 + per_20mi * dist / 20 + per_unmet * unmet)
    return placed[u < hazard / 52]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rates", [(0.5, 0.1, 0.2), (3.0, 0.0, 0.0), (0.0, 0.3, 0.0), (26.0, 1.0, 1.0)])
def test_broken_placements_is_the_numpy_hazard(seed, rates):
    rng = np.random.default_rng(seed)
    n, n_homes = int(rng.integers(0, 400)), 9
    x, y = rng.random(n) * 6e5, rng.random(n) * 6e5
    hx, hy = rng.random(n_homes) * 6e5, rng.random(n_homes) * 6e5
    needs = rng.integers(0, 16, n).astype(np.int8)
    spec = rng.integers(0, 16, n_homes).astype(np.int64)
    home = rng.integers(0, n_homes, n).astype(np.int32)
    placed = np.flatnonzero(rng.random(n) < 0.7)
    gone = np.flatnonzero(rng.random(len(placed)) < 0.2)  # positions in placed no longer at home
    home_miles = miles(x, y, hx[home], hy[home])  # each placement's distance, as placements.place keeps it
    cap = rates[0] * (1 + rates[1] * 600 / 20 + rates[2] * 4) / 52
    at_home = np.delete(placed, gone)
    u = rng.random(len(at_home)) * cap * 2
    ref = _broken_reference(at_home, u, cap, home, x, y, needs, hx, hy, spec, rates)
    for limit in (cap, cap / 3):  # all, or some, of the breakdowns below the limit
        got = broken_placements(placed, gone, u, limit, home, home_miles, needs, spec, *rates, 52)
        want = _broken_reference(at_home, u, limit, home, x, y, needs, hx, hy, spec, rates)
        assert np.array_equal(got, want) and got.dtype == want.dtype
    assert len(ref) > 0 or len(placed) == 0 or rates[0] == 0


def test_broken_placements_on_a_tie_and_empty():
    one = np.array([0])
    hazard = 0.5 * (1 + 0.1 * 1.0 / 20 + 0.2 * 2) / 52  # one mile apart, two needs unmet
    args = (one, np.array([0], np.int32), np.array([1.0]), np.array([0b1011], np.int8), np.array([0b0001]),
            0.5, 0.1, 0.2, 52)
    home = (np.zeros(0, np.int64),)  # none gone
    assert broken_placements(one, *home, np.array([hazard]), 1.0, *args[1:]).tolist() == []  # u == hazard: no breakdown
    assert broken_placements(one, *home, np.array([np.nextafter(hazard, 0)]), 1.0, *args[1:]).tolist() == [0]
    three = np.array([0, 1, 2])
    three_args = (np.zeros(3, np.int32), np.ones(3), np.full(3, 0b1011, np.int8)) + args[4:]
    for gone, want in (([0], [1, 2]), ([1], [0, 2]), ([0, 1], [2]), ([2], [0, 1]), ([0, 1, 2], [])):
        u = np.zeros(3 - len(gone))  # every draw breaks: the rows found are those not gone
        assert broken_placements(three, np.array(gone, np.int64), u, 1.0, *three_args).tolist() == want
    got = broken_placements(np.zeros(0, np.int64), *home, np.zeros(0), 1.0, *args[1:])
    assert len(got) == 0 and got.dtype == np.int64


AGES = (12, 6, 12, 16, 2, 12, 4)


def _entrants_reference(counts, u_older, p_older, u_old, u_young, u_direct, p_direct, uasc_la, u16, p16, u_a, u_b):
    """demand._entrants' arithmetic as it was, in NumPy."""
    la = np.repeat(np.arange(len(counts)), counts)
    older = u_older < p_older
    age = np.where(older, 12 + 6 * u_old, 12 * u_young)
    direct = older & (u_direct < p_direct)
    uasc_age = np.where(u16 < p16, 16 + (18 - 16) * u_a, 12 + (16 - 12) * u_b)
    la_all = np.concatenate([la[direct], la[~direct], uasc_la])
    age_all = np.concatenate([age[direct], age[~direct], uasc_age])
    return la_all, age_all, np.arange(len(la) + len(uasc_la)) >= len(la), int(direct.sum())


@pytest.mark.parametrize("seed", SEEDS)
def test_entrants_is_the_numpy_arithmetic(seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.random(7) * [0, 1, 2, 3, 0, 5, 9][seed % 7])
    n, n_uasc = int(counts.sum()), int(rng.integers(0, 5))
    u = [rng.random(n) for _ in range(4)]
    uasc = [rng.integers(0, 7, n_uasc)] + [rng.random(n_uasc) for _ in range(3)]
    p_older, p_direct = [(0.4, 0.3), (1.0, 1.0), (0.0, 0.5), (0.5, u[3][0] if n else 0.1)][seed % 4]
    ref = _entrants_reference(counts, u[0], p_older, u[1], u[2], u[3], p_direct, uasc[0], uasc[1], 0.89, *uasc[2:])
    got = entrants(counts, u[0], p_older, u[1], u[2], u[3], p_direct, uasc[0], uasc[1], 0.89, *uasc[2:], AGES)
    assert all(np.array_equal(g, r) and np.asarray(g).dtype == np.asarray(r).dtype for g, r in zip(got[:3], ref[:3]))
    assert got[3] == ref[3]


def test_entrants_empty():
    none = np.zeros(0)
    la, age, is_uasc, n_direct = entrants(np.zeros(3, np.int64), none, 0.5, none, none, none, 0.5,
                                          np.zeros(0, np.int64), none, 0.89, none, none, AGES)
    assert len(la) == len(age) == len(is_uasc) == n_direct == 0
    assert la.dtype == np.int64 and age.dtype == np.float64 and is_uasc.dtype == np.bool_


def test_rows_added_after_compaction_hold_the_fill_of_columns_not_given():
    """ColumnStore.add writes only the columns it is given: keep_rows refills what compaction frees."""
    from simmarket.state.children import NEVER, Children

    ch = Children(capacity=4)
    ch.add(la=np.arange(6), age=np.full(6, 3.0), status=np.full(6, 2, np.int8), home=np.arange(6), start1=np.arange(6))
    ch.keep_only(np.isin(np.arange(6), [1, 4]))
    rows = ch.add(la=np.array([7, 8, 9]), age=np.zeros(3))
    assert ch.home[rows].tolist() == [-1] * 3 and ch.start1[rows].tolist() == [NEVER] * 3
    assert ch.status[rows].tolist() == [0] * 3 and ch.id.tolist() == [1, 4, 6, 7, 8]
    assert ch.home[:2].tolist() == [1, 4] and ch.la.tolist() == [1, 4, 7, 8, 9]
