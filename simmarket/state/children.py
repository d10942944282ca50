"""Children: one row per child looked after during the run, and their need profiles.

Rows are appended as children enter care and compacted away once they have left, so the arrays
stay the size of the care population; a child's `id` never changes.
"""

from __future__ import annotations

import numpy as np

from ..arrays import choice_cdf
from ..kernels.rows import count_pairs, needs_from_draws
from .columns import ColumnStore

# status codes
GONE, WAITING, HOME, UNREG, FOSTER, SUPPORTED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = {GONE: "left care", WAITING: "waiting", HOME: "children's home", UNREG: "unregistered",
                FOSTER: "foster care", SUPPORTED: "supported accommodation"}
N_STATUS = len(STATUS_NAMES)
N_NEEDS = 4  # mental health, autism, learning disability, exploitation risk
NEVER = -10**6  # a placement start week that means "no such placement"


class Children(ColumnStore):
    """Column store of children.

    Integer columns are as narrow as their values allow (authorities, homes and weeks in 32 bits,
    codes in 8): the table is scanned and compacted every few weeks, and narrow columns make that
    cheap. Arithmetic on them gives the same numbers (weeks stay far below 2**31; mixed with
    Python floats they give float64 as before).
    """

    FIELDS = {
        "la": (np.int32, -1),  # home authority
        "age": (np.float64, 0.0),
        "x": (np.float64, 0.0),  # home location (British National Grid metres)
        "y": (np.float64, 0.0),
        "complexity": (np.int8, 0),  # 0 low, 1 medium, 2 high
        "needs": (np.int8, 0),  # bit mask of N_NEEDS need types
        "dol": (np.bool_, False),  # deprivation-of-liberty order
        "secure": (np.bool_, False),  # needs a secure children's home
        "uasc": (np.bool_, False),  # unaccompanied asylum-seeking child
        "emergency": (np.bool_, False),
        "residential": (np.bool_, False),  # assessed as needing a children's home
        "status": (np.int8, GONE),  # narrow: the many scans of this column each week are then cheap
        "home": (np.int32, -1),
        "price": (np.float64, 0.0),
        "home_miles": (np.float64, 0.0),  # miles from home to the current placement, set when placed (metrics read it weekly)
        "block": (np.bool_, False),  # placed in a block-contracted place
        "need_since": (np.int32, -1),  # week the current search began (-1: not searching)
        "placed_week": (np.int32, -1),
        "start1": (np.int32, NEVER),  # the three most recent placement start weeks
        "start2": (np.int32, NEVER),
        "start3": (np.int32, NEVER),
        "unreg_year": (np.int32, -1),  # last year index in which the child was counted as unregistered
        "unreg_bar": (np.int32, -1),  # no unregistered setting before this week (enforcement)
    }

    def __init__(self, capacity: int = 1024):
        super().__init__(capacity)
        self.extent = (np.inf, -np.inf, np.inf, -np.inf)  # see add

    def add(self, **values) -> np.ndarray:
        """Append rows (as ColumnStore.add), and widen `extent`: the box (x min, x max, y min,
        y max) around every child ever added. Children do not move, and it never shrinks, so it
        bounds where the children in care live without a weekly scan of the table."""
        rows = super().add(**values)
        if len(rows):
            x, y = self.x[rows[0]:], self.y[rows[0]:]  # the new rows are the last
            x0, x1, y0, y1 = self.extent
            self.extent = (min(x0, x.min()), max(x1, x.max()), min(y0, y.min()), max(y1, y.max()))
        return rows

    def compact(self) -> None:
        """Drop children who have left care (status GONE)."""
        self.keep_only(self.status != GONE)

    def record_start(self, idx: np.ndarray, week: int) -> None:
        """A placement starts: shift the three most recent start weeks."""
        self.start3[idx] = self.start2[idx]
        self.start2[idx] = self.start1[idx]
        self.start1[idx] = week

    def counts_by_status(self, n_la: int) -> np.ndarray:
        """Children by status (rows) and authority (columns), in one pass over the table."""
        return count_pairs(self.status, self.la, N_STATUS, n_la)


def needs_of(u, sizes, caps, rows, complexity_shares, need_probs, dol_share, secure_share):
    """Need profiles (complexity, a bit mask of need types, DoL orders and secure needs, which go
    with the highest complexity) from uniform draws `u`, 3 + N_NEEDS a child: the draws of
    `rng.choice(3, size=n, p=complexity_shares)`, `rng.random((n, N_NEEDS))` and `rng.random(n)`
    twice, in that order, for batches of `sizes` children drawn one after another, each batch's
    complexity at most its `caps`, put in `rows` of the result (a later profile in place of an
    earlier): kernels.rows.needs_from_draws, which picks the complexity from choice's cdf as
    choice does (arrays.choice_cdf). The shares are probabilities (choice would check them;
    need_mix's are)."""
    top = max(complexity_shares[2], 1e-9)
    return needs_from_draws(u, np.asarray(sizes, np.int64), np.asarray(caps, np.int64), np.asarray(rows, np.int64),
                            choice_cdf(complexity_shares), np.asarray(need_probs, float), dol_share / top,
                            secure_share / top)
