"""Children: arrival, need profiles, ageing, endings and breakdowns, held as NumPy arrays.

One row per child who has been looked after in the run. Rows are appended as children enter
care and compacted away once they have left, so the arrays stay the size of the care population.
"""

from __future__ import annotations

import numpy as np

# status codes
GONE, WAITING, HOME, UNREG, FOSTER, SUPPORTED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = {GONE: "left care", WAITING: "waiting", HOME: "children's home", UNREG: "unregistered",
                FOSTER: "foster care", SUPPORTED: "supported accommodation"}
N_NEEDS = 4  # mental health, autism, learning disability, exploitation risk

_FIELDS = {
    "la": (np.int64, -1),
    "age": (np.float64, 0.0),
    "x": (np.float64, 0.0),
    "y": (np.float64, 0.0),
    "complexity": (np.int64, 0),  # 0 low, 1 medium, 2 high
    "needs": (np.int64, 0),  # bit mask of N_NEEDS need types
    "dol": (np.bool_, False),  # deprivation-of-liberty order
    "secure": (np.bool_, False),  # needs a secure children's home
    "uasc": (np.bool_, False),
    "emergency": (np.bool_, False),
    "residential": (np.bool_, False),  # assessed as needing a children's home
    "status": (np.int64, GONE),
    "home": (np.int64, -1),
    "price": (np.float64, 0.0),
    "block": (np.bool_, False),  # placed in a block-contracted place
    "need_since": (np.int64, -1),  # week the current search began (-1: not searching)
    "placed_week": (np.int64, -1),
    "start1": (np.int64, -10**6),  # the three most recent placement start weeks
    "start2": (np.int64, -10**6),
    "start3": (np.int64, -10**6),
    "unreg_year": (np.int64, -1),
    "unreg_bar": (np.int64, -1),  # no unregistered setting before this week (enforcement)  # last year index counted as using an unregistered setting
}


class Children:
    """Column store of children. Attribute access returns the live slice of each column."""

    def __init__(self, capacity: int = 1024):
        self._cols = {k: np.full(capacity, fill, dtype) for k, (dtype, fill) in _FIELDS.items()}
        self.n = 0

    def __getattr__(self, name):
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self.n]
        raise AttributeError(name)

    def add(self, **values) -> np.ndarray:
        """Append children; each keyword is a column (array or scalar). Returns their indices."""
        k = len(next(v for v in values.values() if np.ndim(v) > 0))
        self._reserve(self.n + k)
        idx = np.arange(self.n, self.n + k)
        for name, (dtype, fill) in _FIELDS.items():
            self._cols[name][idx] = values.get(name, fill)
        self.n += k
        return idx

    def _reserve(self, size: int) -> None:
        cap = len(self._cols["la"])
        if size <= cap:
            return
        new = max(size, 2 * cap)
        for name, (dtype, fill) in _FIELDS.items():
            col = np.full(new, fill, dtype)
            col[:cap] = self._cols[name]
            self._cols[name] = col

    def compact(self) -> None:
        """Drop children who have left care (status GONE)."""
        keep = np.flatnonzero(self.status != GONE)
        for name in _FIELDS:
            col = self._cols[name]
            col[: len(keep)] = col[keep]
            col[len(keep): self.n] = _FIELDS[name][1]
        self.n = len(keep)

    def record_start(self, idx: np.ndarray, week: int) -> None:
        """A placement starts: shift the three most recent start weeks."""
        self.start3[idx] = self.start2[idx]
        self.start2[idx] = self.start1[idx]
        self.start1[idx] = week

    def count(self, status: int) -> int:
        return int(np.count_nonzero(self.status == status))


def draw_needs(rng: np.random.Generator, n: int, complexity_shares, need_probs, dol_share, secure_share):
    """Need profiles for n children who need residential care."""
    complexity = rng.choice(3, size=n, p=np.asarray(complexity_shares))
    bits = rng.random((n, N_NEEDS)) < np.asarray(need_probs)
    needs = (bits * (1 << np.arange(N_NEEDS))).sum(axis=1)
    # DoL orders and secure needs go with the highest complexity
    dol = (rng.random(n) < dol_share / max(complexity_shares[2], 1e-9)) & (complexity == 2)
    secure = (rng.random(n) < secure_share / max(complexity_shares[2], 1e-9)) & (complexity == 2) & ~dol
    return complexity, needs, dol, secure


def popcount(a: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a.astype(np.uint8)).astype(np.int64)
