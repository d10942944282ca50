"""Kernels over the rows of a table: one pass where NumPy would scan a column several times.

Each does the integer and boolean logic (and the few float operations, in the same order) of the
NumPy expressions named in its docstring, so results are identical.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def age_count_find(age, step, leaving_age, status, la, gone, n_status, n_la, find0, find1):
    """Age every row by `step` (`age += step`), find the adults (rows not `gone` whose new age
    is at least `leaving_age`), count the rows by status and `la` as if the adults had gone, and
    find the rows of two statuses as if the adults had gone.

    Returns (adults, counts, rows0, rows1): the adults' positions, increasing; the
    (n_status, n_la) table `np.bincount(status * n_la + la, minlength=n_status * n_la)`, reshaped,
    with the adults counted as `gone`; and `np.flatnonzero(status == find0)` (and find1) with the
    adults gone. One pass replaces the ageing, the search for adults, the weekly count of
    children by status and authority and two scans of the table. Each row is written to both
    lists, and a list moves on only where the status matches: no branch to mispredict.
    """
    n = len(age)
    adults = np.empty(n, np.int64)
    k = 0
    parts = np.zeros((4, n_status * n_la), np.int64)
    rows0 = np.empty(n + 1, np.int64)
    rows1 = np.empty(n + 1, np.int64)
    k0 = k1 = 0
    for i in range(n):
        a = age[i] + step
        age[i] = a
        s = status[i]
        if a >= leaving_age and s != gone:
            adults[k] = i
            k += 1
            s = gone
        parts[i & 3, s * n_la + la[i]] += 1
        rows0[k0] = i
        k0 += s == find0
        rows1[k1] = i
        k1 += s == find1
    counts = _sum_parts(parts).reshape(n_status, n_la)
    return adults[:k].copy(), counts, rows0[:k0], rows1[:k1]


@njit(cache=True)
def count_pairs(a, b, n_a, n_b):
    """Rows by (a, b), an (n_a, n_b) table: `np.bincount(a * n_b + b, minlength=n_a * n_b)`
    reshaped, in one pass without the key array."""
    parts = np.zeros((4, n_a * n_b), np.int64)
    for i in range(len(a)):
        parts[i & 3, a[i] * n_b + b[i]] += 1
    return _sum_parts(parts).reshape(n_a, n_b)


@njit(cache=True)
def _sum_parts(parts):
    """Sum of the partial counts, by column. Counting neighbouring rows into different parts
    spares the wait on the same counter (neighbours often share a key): integers, so exact."""
    total = parts[0].copy()
    for p in range(1, parts.shape[0]):
        total += parts[p]
    return total


@njit(cache=True)
def care_fates(status, fostered, u, age, uasc, p_young, p_old, p_home, young_age, supported, u_supported,
               p_supported, la, used):
    """The week's fates of fostered children and of those in supported places, given their draws.

    The fostered (foster_fates: `u`, one for each row whose status is `fostered`, in order) leave
    care or come to need a home; the `supported` children leave care where
    `u_supported < p_supported`. Returns (left, need_home): the fostered then the supported who
    leave (`np.concatenate([leave, supported[u_supported < p_supported]])`), and the fostered who
    come to need a home; those who leave are taken out of `used`, the (status, la) counts
    (`used -= count_pairs(status[left], la[left], ...)`).
    """
    leave, need = foster_fates(status, fostered, u, age, uasc, p_young, p_old, p_home, young_age)
    left = np.empty(len(leave) + len(supported), np.int64)
    left[:len(leave)] = leave
    k = len(leave)
    for j in range(len(supported)):
        if u_supported[j] < p_supported:
            left[k] = supported[j]
            k += 1
    for i in left[:k]:
        used[status[i], la[i]] -= 1
    return left[:k].copy(), need


@njit(cache=True)
def foster_fates(status, fostered, u, age, uasc, p_young, p_old, p_home, young_age):
    """Fostered children's competing risks, given their draws `u`, one for each row whose status
    is `fostered`, in order (`rows = np.flatnonzero(status == fostered)`); care_fates' helper.

    With young = age[rows] < young_age and p_exit = p_young where young else p_old, returns
    (leave, need_home): `rows[u < p_exit]` and
    `rows[(u >= p_exit) & (u < p_exit + p_home) & ~young & ~uasc[rows]]`.
    Only draws below the largest of the four thresholds can meet either condition (few); their
    rows are found by counting the table in blocks, scanning row by row only the block that holds one.
    """
    hi = -np.inf
    for p in (p_young, p_old, p_young + p_home, p_old + p_home):
        if p > hi:
            hi = p
    cand = np.flatnonzero(u < hi)
    leave, need = np.empty(len(cand), np.int64), np.empty(len(cand), np.int64)
    n, block = len(status), 64  # (speed only)
    i = seen = n_leave = n_need = 0  # seen: the fostered rows before row i
    for j in cand:
        while i + block <= n:
            rows = status[i:i + block]  # a slice and a loop from 0: the compiler counts many rows at a time
            c = 0
            for r in range(block):
                c += rows[r] == fostered
            if seen + c > j:
                break
            seen += c
            i += block
        while i < n and (seen < j or status[i] != fostered):
            seen += status[i] == fostered
            i += 1
        if i == n:  # more draws than fostered rows
            break
        uj = u[j]
        young = age[i] < young_age
        p_exit = p_young if young else p_old
        if uj < p_exit:
            leave[n_leave] = i
            n_leave += 1
        if uj >= p_exit and uj < p_exit + p_home and not young and not uasc[i]:
            need[n_need] = i
            n_need += 1
        i += 1
        seen += 1
    return leave[:n_leave].copy(), need[:n_need].copy()


@njit(cache=True)
def keep_rows(cols, fills, keep, n):
    """Compact columns in place, keeping the rows of the first n where `keep` (n flags) is True:
    for each column and its fill, `col[:k] = col[:n][keep]` and `col[k:n] = fill`, k the rows
    kept (returned), without a temporary copy.

    The columns come as a tuple of one dtype (callers pass columns of one item size as views of
    one integer type: a bit-for-bit copy), moved row by row together, each row to the next free
    position (never after its own, so no row is overwritten before it is read). Every row is
    written there, and the position moves on only where the row is kept: no branch to
    mispredict, and no list of the kept rows to build and read (speed only).
    """
    k = 0
    for i in range(n):
        for c in range(len(cols)):
            cols[c][k] = cols[c][i]
        k += keep[i]
    for c in range(len(cols)):
        col = cols[c]
        for j in range(k, n):
            col[j] = fills[c]
    return k


@njit(cache=True)
def vacate_rows(rows, status, only, complexity, dol, staff_per_child, dol_multiplier, home, price, home_miles, block,
                occupied, staff_used):
    """Children leave their homes: of `rows`, those whose status is `only` (all, if `only` < 0),
    `np.subtract.at(occupied, home[rows], 1)` and `np.subtract.at(staff_used, home[rows], need)`,
    need each child's staff (rules.staff_need: `staff_per_child[complexity]`, times
    `dol_multiplier` with a DoL order), subtracted in the same order; then the rows' home, price,
    home_miles and block are cleared. Homes are all read before any is cleared, as NumPy's gather does."""
    for i in rows:
        if only < 0 or status[i] == only:
            h = home[i]
            need = staff_per_child[complexity[i]]
            if dol[i]:
                need = need * dol_multiplier
            occupied[h] -= 1
            staff_used[h] -= need
    for i in rows:
        if only < 0 or status[i] == only:
            home[i] = -1
            price[i] = 0.0
            home_miles[i] = 0.0
            block[i] = False


@njit(cache=True)
def needs_from_draws(u, sizes, caps, rows, cdf, need_probs, p_dol, p_secure):
    """Need profiles of children from their uniform draws u, in batches (as the need draw in NumPy
    did with `Generator.choice` and a dozen array operations, once a batch): batch b of `sizes[b]`
    children takes the next n * (3 + k) draws (k need types), n for complexity, then n rows of k
    for the need types, then n for DoL and n for secure. The profiles, batch after batch, are
    written to `rows` of the result (`max(rows) + 1` long, rows none goes to all zero): where two go
    to one row, the later.

    complexity is `cdf.searchsorted(u[:n], side='right')`, which is how NumPy's `choice(len(p),
    size=n, p=p)` picks from its draws (cdf = p.cumsum() / its last entry; the cdf rises, so the
    count of its entries at or below the draw), then at most `caps[b]`; `needs` the bit mask
    `((u_needs < need_probs) * (1 << np.arange(k))).sum(axis=1)`; `dol = (u_dol < p_dol) & top`
    and `secure = (u_secure < p_secure) & top & ~dol`, top the highest complexity (after the cap:
    a batch capped below it has none).
    """
    k = len(need_probs)
    top = len(cdf) - 1
    total = 0
    for r in rows:
        total = max(total, r + 1)
    complexity = np.zeros(total, np.int64)
    needs = np.zeros(total, np.int64)
    dol = np.zeros(total, np.bool_)
    secure = np.zeros(total, np.bool_)
    at, row = 0, 0  # the batch's first draw and first profile
    for b in range(len(sizes)):
        n = sizes[b]
        for i in range(n):
            c = 0
            for v in cdf:
                c += v <= u[at + i]
            c = min(c, caps[b])
            r = rows[row + i]
            complexity[r] = c
            bits = 0
            for j in range(k):
                if u[at + n + i * k + j] < need_probs[j]:
                    bits += 1 << j
            needs[r] = bits
            dol[r] = u[at + (k + 1) * n + i] < p_dol and c == top
            secure[r] = u[at + (k + 2) * n + i] < p_secure and c == top and not dol[r]
        at += n * (3 + k)
        row += n
    return complexity, needs, dol, secure


@njit(cache=True)
def broken_placements(placed, gone, u, limit, home, home_miles, needs, specialisms, per_year, per_20mi, per_unmet,
                      weeks_per_year):
    """Placements that break down this week, as demand.break_down did in NumPy: of the `placed`
    children but those at positions `gone` (increasing: `np.delete(placed, gone)`, without that
    copy), each with its draw in `u` in order, those with u < hazard / weeks_per_year, where
    hazard = per_year * (1 + per_20mi * miles / 20 + per_unmet * unmet), miles the placement's
    distance from the child's home (`home_miles`, kept per placement) and unmet the child's needs
    the home lacks (popcount of the low 8 bits of `needs & ~specialisms`); same operations in the
    same order. Only the few draws below `limit` have their hazard worked out, and their rows
    looked up."""
    broke = np.empty(len(u), np.int64)
    k = s = 0  # s: the gone positions before the current child's
    for j in range(len(u)):
        if u[j] < limit:
            while s < len(gone) and gone[s] <= j + s:
                s += 1
            i = placed[j + s]
            h = home[i]
            dist = home_miles[i]
            lacking = (np.int64(needs[i]) & ~specialisms[h]) & 255
            unmet = 0
            while lacking:
                unmet += lacking & 1
                lacking >>= 1
            hazard = per_year * (1 + per_20mi * dist / 20 + per_unmet * unmet)
            if u[j] < hazard / weeks_per_year:
                broke[k] = i
                k += 1
    return broke[:k].copy()


@njit(cache=True)
def entrants(counts, u_older, p_older, u_old_age, u_young_age, u_direct, p_direct, uasc_la, u_over16, p_over16,
             u_uasc_old, u_uasc_young, ages):
    """This week's entrants from their draws, as demand._entrants did in NumPy: authority a's
    `counts[a]` children (`np.repeat(np.arange(len(counts)), counts)`), older where
    `u_older < p_older`, aged `old + old_span * u_old_age` if older else `young_span * u_young_age`,
    and needing a home at once (direct) where older and `u_direct < p_direct`; then the UASC,
    aged `old16 + span16 * u_uasc_old` where `u_over16 < p_over16`, else
    `young12 + span12 * u_uasc_young`; ages = (old, old_span, young_span, old16, span16, young12,
    span12). Returns (la, age, is_uasc, n_direct): the direct entrants first, then the others,
    then the UASC, each in order; one call in place of a dozen small array operations.
    """
    old, old_span, young_span, old16, span16, young12, span12 = ages
    n, n_uasc = len(u_older), len(uasc_la)
    n_direct = 0
    for i in range(n):
        n_direct += u_older[i] < p_older and u_direct[i] < p_direct
    la = np.empty(n + n_uasc, np.int64)
    age = np.empty(n + n_uasc)
    i, k_direct, k_rest = 0, 0, n_direct
    for a in range(len(counts)):
        for _ in range(counts[a]):
            older = u_older[i] < p_older
            x = old + old_span * u_old_age[i] if older else young_span * u_young_age[i]
            if older and u_direct[i] < p_direct:
                k, k_direct = k_direct, k_direct + 1
            else:
                k, k_rest = k_rest, k_rest + 1
            la[k], age[k] = a, x
            i += 1
    for j in range(n_uasc):
        la[n + j] = uasc_la[j]
        age[n + j] = old16 + span16 * u_uasc_old[j] if u_over16[j] < p_over16 else young12 + span12 * u_uasc_young[j]
    is_uasc = np.zeros(n + n_uasc, np.bool_)
    is_uasc[n:] = True
    return la, age, is_uasc, n_direct
