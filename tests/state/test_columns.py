"""The column store: stable ids, positions found by id, capacity growth; and the stores built on it."""

import pickle

import numpy as np
import pytest

from simmarket.state import (ACTIVE, CLOSED, FOSTER, GONE, HOME, NEVER, NO_BUYER, PIPELINE, WAITING, Children,
                             Homes)
from simmarket.state.columns import ColumnStore


class Things(ColumnStore):
    FIELDS = {"size": (np.int64, 7), "weight": (np.float64, 0.5), "flag": (np.bool_, False)}


def test_add_gives_new_unique_ids_and_fills_defaults():
    t = Things(capacity=4)
    pos = t.add(size=np.array([1, 2, 3]))
    assert pos.tolist() == [0, 1, 2]
    assert t.id.tolist() == [0, 1, 2]
    assert t.weight.tolist() == [0.5] * 3 and not t.flag.any()
    t.add(weight=np.array([9.0, 8.0]), flag=True)  # a scalar applies to every new row
    assert t.id.tolist() == [0, 1, 2, 3, 4]
    assert t.size.tolist() == [1, 2, 3, 7, 7]
    assert t.flag.tolist() == [False, False, False, True, True]


def test_capacity_growth_keeps_values_and_fills_defaults():
    t = Things(capacity=2)
    t.add(size=np.array([10, 11]), weight=np.array([1.0, 2.0]))
    t.add(size=np.arange(5))  # beyond capacity
    assert t.n == 7
    assert t.size.tolist() == [10, 11, 0, 1, 2, 3, 4]
    assert t.weight.tolist() == [1.0, 2.0] + [0.5] * 5
    assert t.id.tolist() == list(range(7))


def test_ids_survive_keep_only_and_are_never_reused():
    t = Things(capacity=3)
    t.add(size=np.arange(6))
    t.keep_only(np.isin(np.arange(6), [1, 4, 5]))
    assert t.n == 3
    assert t.id.tolist() == [1, 4, 5] and t.size.tolist() == [1, 4, 5]
    t.add(size=np.array([60, 70]))
    assert t.id.tolist() == [1, 4, 5, 6, 7]  # the dropped ids 0, 2, 3 are not given out again
    assert len(np.unique(t.id)) == t.n


def test_keep_only_wants_a_flag_for_each_row():
    t = Things(capacity=4)
    t.add(size=np.arange(5))
    with pytest.raises(ValueError, match="a flag for each of the 5 rows"):
        t.keep_only(np.array([True, False]))
    assert t.size.tolist() == [0, 1, 2, 3, 4]


def test_keep_only_compacts_the_columns_in_use_after_growth_and_in_a_copy():
    """The columns grouped for compaction are those the store holds now: after it grows (new
    arrays), and in a pickled copy (its own arrays, not the original's)."""
    t = Things(capacity=2)
    t.add(size=np.arange(2))
    t.keep_only(np.array([False, True]))
    t.add(size=np.arange(10, 15))  # grows past its capacity
    t.keep_only(np.isin(np.arange(6), [0, 2, 5]))
    assert t.size.tolist() == [1, 11, 14] and t.id.tolist() == [1, 3, 6]
    copy = pickle.loads(pickle.dumps(t))
    copy.keep_only(np.array([True, False, False]))
    assert copy.size.tolist() == [1] and t.size.tolist() == [1, 11, 14]


def test_rows_of_finds_moved_rows_and_returns_minus_one_for_dropped():
    t = Things(capacity=8)
    t.add(size=np.arange(8) * 10)
    t.keep_only(np.isin(np.arange(8), [0, 3, 6, 7]))
    rows = t.rows_of(np.array([6, 0, 3, 2, 7, 100, -1]))
    assert rows.tolist() == [2, 0, 1, -1, 3, -1, -1]
    found = rows >= 0
    assert t.size[rows[found]].tolist() == [60, 0, 30, 70]  # the right rows, by value


def test_rows_of_on_an_empty_store():
    t = Things()
    assert t.rows_of(np.array([0, 1])).tolist() == [-1, -1]


def test_columns_are_live_views():
    t = Things()
    t.add(size=np.array([1, 2]))
    t.size[1] = 5
    assert t.size.tolist() == [1, 5]


def test_children_compact_drops_those_who_left_and_keeps_ids():
    ch = Children(capacity=2)
    ch.add(la=np.array([0, 1, 2, 0]), status=np.array([WAITING, GONE, HOME, GONE]), age=np.array([10.0, 11, 12, 13]))
    ch.compact()
    assert ch.n == 2
    assert ch.id.tolist() == [0, 2]
    assert ch.age.tolist() == [10.0, 12.0]
    assert ch.rows_of(np.array([2, 1])).tolist() == [1, -1]
    new = ch.add(la=np.array([1]), status=WAITING)
    assert ch.id[new].tolist() == [4]
    assert ch.start1[new].tolist() == [NEVER]


def test_children_extent_is_the_box_around_every_child_ever_added():
    ch = Children(capacity=2)
    ch.add(x=np.array([1.0, 5.0]), y=np.array([-2.0, 3.0]), status=GONE)
    ch.add(x=np.array([0.5]), y=np.array([7.0]), status=FOSTER)
    assert ch.extent == (0.5, 5.0, -2.0, 7.0)
    ch.compact()  # the box does not shrink: it stays a bound on where children live
    assert ch.n == 1 and ch.extent == (0.5, 5.0, -2.0, 7.0)


def test_record_start_keeps_the_three_latest_starts():
    ch = Children()
    ch.add(la=np.array([0, 0]), status=HOME)
    for week in (3, 5, 9, 12):
        ch.record_start(np.array([0]), week)
    assert (ch.start1[0], ch.start2[0], ch.start3[0]) == (12, 9, 5)
    assert ch.start1[1] == NEVER


def test_counts_by_status_by_authority():
    ch = Children()
    ch.add(la=np.array([0, 1, 1, 2, 2, 2]), status=np.array([HOME, HOME, FOSTER, WAITING, HOME, GONE]))
    counts = ch.counts_by_status(3)
    assert counts[HOME].tolist() == [1, 1, 1]
    assert counts[FOSTER].tolist() == [0, 1, 0]
    assert counts[WAITING].tolist() == [0, 0, 1]
    assert counts.sum() == 6


def test_homes_free_places_only_when_active_and_blocks_clear():
    h = Homes(capacity=4)
    h.add(places=np.array([3, 3, 3]), occupied=np.array([1, 0, 0]), state=np.array([ACTIVE, PIPELINE, CLOSED]),
          block_buyer=np.array([2, 1, NO_BUYER]), block_places=np.array([2, 1, 0]))
    assert h.free_places().tolist() == [2, 0, 0]
    h.clear_blocks(np.array([0]))
    assert h.block_buyer.tolist() == [NO_BUYER, 1, NO_BUYER] and h.block_places.tolist() == [0, 1, 0]
    h.clear_blocks()
    assert (h.block_buyer == NO_BUYER).all() and (h.block_places == 0).all()


def test_a_pickled_store_keeps_live_columns():
    ch = Children(capacity=4)
    ch.add(la=np.array([0, 1, 2]), status=np.array([1, 2, 1]))
    copy = pickle.loads(pickle.dumps(ch))
    copy.status[0] = 4
    assert copy._cols["status"][0] == 4 and ch.status[0] == 1
    copy.add(la=np.array([3]))
    assert copy.n == 4 and copy.la.tolist() == [0, 1, 2, 3]


def test_keep_only_moves_every_column_bit_for_bit_and_refills_the_rest():
    """Columns of every width and dtype (ids, floats with NaN and -0.0, narrow codes, flags)."""
    rng = np.random.default_rng(3)
    ch = Children(capacity=8)
    values = {name: (rng.random(40) * 200 - 100).astype(dtype) for name, (dtype, _) in Children.FIELDS.items()}
    values["age"][:3] = [np.nan, -0.0, np.inf]
    ch.add(**values)
    keep = rng.random(40) < 0.6
    before = {name: getattr(ch, name).copy() for name in ["id", *Children.FIELDS]}
    ch.keep_only(keep)
    assert ch.n == keep.sum()
    for name, col in before.items():
        assert getattr(ch, name).tobytes() == col[keep].tobytes(), name
        fill = np.array(ch._fields[name][1], col.dtype)
        assert (ch._cols[name][ch.n:] == fill).all(), name
