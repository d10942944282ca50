"""FlowBook: the recent relative price (the last year's placements by group, kept for the week) and the week's flags."""

import numpy as np

from simmarket.state.flows import PRICE_WINDOW_WEEKS, FlowBook


def relative_price_by_hand(book, week, group_of_la, n_groups):
    """The mean by its definition (sums in another order: equal to rounding)."""
    lo = max(week - PRICE_WINDOW_WEEKS, 0)
    n, paid = np.zeros(n_groups), np.zeros(n_groups)
    for la, g in enumerate(group_of_la):  # each authority's weeks in order, then the authorities in order
        n[g] += sum(book.la["placements"][lo:week, la].tolist(), 0.0)
        paid[g] += sum(book.la["placement_relative_price"][lo:week, la].tolist(), 0.0)
    return np.array([p / k if k > 0 else np.nan for p, k in zip(paid, n)])


def uncached(book):
    """A new book holding the same flows (and nothing kept)."""
    fresh = FlowBook(len(book.la["placements"]), book.la["placements"].shape[1], 4)
    fresh.la = {k: v.copy() for k, v in book.la.items()}
    return fresh


def test_recent_relative_price_is_the_window_mean_and_kept_for_the_week():
    rng = np.random.default_rng(3)
    n_la, groups = 6, np.array([0, 0, 1, 1, 2, 2])
    book = FlowBook(80, n_la, 4)
    for week in range(70):
        la = rng.integers(0, 4, rng.integers(0, 5))  # authorities 4 and 5 (group 2) never place
        book.record_placements(week, la, rng.uniform(1e3, 9e3, len(la)), rng.uniform(0, 30, len(la)),
                               rng.uniform(0.8, 1.6, len(la)))
        got = book.recent_relative_price(week, groups, 4)
        np.testing.assert_allclose(got, relative_price_by_hand(book, week, groups, 4), rtol=1e-12)
        # placements recorded later in the same week are outside the window: the kept value holds
        book.record_placements(week, np.array([0]), np.array([5e3]), np.array([3.0]), np.array([1.2]))
        assert book.recent_relative_price(week, groups, 4) is got
        assert np.array_equal(got, uncached(book).recent_relative_price(week, groups, 4), equal_nan=True)
    assert np.isnan(got[2:]).all() and np.isfinite(got[:2]).all()
    other = np.array([1, 1, 0, 0, 0, 0])  # another grouping is computed afresh
    np.testing.assert_allclose(book.recent_relative_price(69, other, 2), relative_price_by_hand(book, 69, other, 2),
                               rtol=1e-12)


def test_record_week_keeps_the_flags_of_authorities_with_a_costly_placement_or_an_unregistered_setting():
    book = FlowBook(3, 4, 1)
    book.record_week(1, np.array([False, True, False, True]), np.array([False, False, True, False]))
    assert book.la["over_10k"][1].tolist() == [0, 1, 0, 1]
    assert book.la["used_unregistered"][1].tolist() == [0, 0, 1, 0]
    assert not book.la["over_10k"][[0, 2]].any() and not book.la["used_unregistered"][[0, 2]].any()
    book.record_week(3, np.ones(4, bool), np.ones(4, bool))  # past the horizon: nothing recorded
    assert book.la["over_10k"].sum() == 2 and book.la["used_unregistered"].sum() == 1
