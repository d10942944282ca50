"""draw_home_traits draws, in one call, the numbers the separate draws it replaced drew: the same
traits, draw for draw, and the generator left in the same state."""

import numpy as np
import pytest

from simmarket.state.children import N_NEEDS
from simmarket.state.homes import DOL_OK_SHARE, MAX_COMPLEXITY_SHARES, SPECIALISM_PROB, draw_home_traits


def traits_drawn_one_by_one(rng, n):
    bits = rng.random((n, N_NEEDS)) < SPECIALISM_PROB
    return {"max_complexity": rng.choice(3, size=n, p=MAX_COMPLEXITY_SHARES),
            "dol_ok": rng.random(n) < DOL_OK_SHARE,
            "specialisms": (bits * (1 << np.arange(N_NEEDS))).sum(axis=1)}


@pytest.mark.parametrize("n, seed", [(0, 1), (1, 2), (7, 3), (5000, 4)])
def test_home_traits_are_the_separate_draws(n, seed):
    rng, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    got, want = draw_home_traits(rng, n), traits_drawn_one_by_one(ref, n)
    for key in want:
        assert got[key].dtype == want[key].dtype and np.array_equal(got[key], want[key]), key
    assert rng.random() == ref.random()
    if n >= 1000:
        assert len(np.unique(got["max_complexity"])) == 3
