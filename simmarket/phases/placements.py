"""Placement bookkeeping shared by the phases: children take, leave and look for places."""

from __future__ import annotations

import numpy as np

from ..kernels.rows import vacate_rows
from ..rules import DOL_STAFF_MULTIPLIER, staff_need
from ..state import GONE, HOME, WAITING, miles


def children_staff_need(m, idx: np.ndarray) -> np.ndarray:
    ch = m.children
    return staff_need(ch.complexity[idx], ch.dol[idx], m.params.workforce.staff_per_child)


def place(m, idx: np.ndarray, home: np.ndarray, price: np.ndarray, block: np.ndarray) -> None:
    """Children move into homes at agreed weekly prices; the homes' places and staff are taken."""
    ch, homes = m.children, m.homes
    ch.status[idx] = HOME
    ch.home[idx] = home
    ch.price[idx] = price
    ch.home_miles[idx] = miles(ch.x[idx], ch.y[idx], homes.x[home], homes.y[home])
    ch.block[idx] = block
    ch.placed_week[idx] = m.week
    ch.need_since[idx] = -1
    ch.emergency[idx] = False
    ch.record_start(idx, m.week)
    np.add.at(homes.occupied, home, 1)
    np.add.at(homes.staff_used, home, children_staff_need(m, idx))


def vacate(m, idx: np.ndarray, only: int = -1) -> None:
    """Children (idx; only those whose status is `only`, if given) leave their homes: free the
    places and staff (in one compiled pass)."""
    if len(idx) == 0:
        return
    ch, homes = m.children, m.homes
    vacate_rows(np.asarray(idx, np.int64), ch.status, only, ch.complexity, ch.dol,
                np.asarray(m.params.workforce.staff_per_child, float), DOL_STAFF_MULTIPLIER, ch.home, ch.price,
                ch.home_miles, ch.block, homes.occupied, homes.staff_used)


def start_search(m, idx: np.ndarray) -> None:
    """Children begin (or go back to) looking for a children's home this week."""
    ch = m.children
    ch.status[idx] = WAITING
    ch.need_since[idx] = m.week


def leave_care(m, idx: np.ndarray) -> None:
    """Children leave care (their placement, if any, ends)."""
    if len(idx) == 0:
        return
    ch = m.children
    vacate(m, idx, HOME)
    m.flows.add_la("exits", m.week, ch.la[idx])
    ch.status[idx] = GONE
    ch.need_since[idx] = -1


def search_weeks(m, idx: np.ndarray) -> np.ndarray:
    """Whole weeks each child has been searching."""
    return np.maximum(m.week - m.children.need_since[idx], 0)
