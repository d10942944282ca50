"""Homes: places, staffing, registration, entry and exit, held as NumPy arrays."""

from __future__ import annotations

import numpy as np

PRIVATE, COUNCIL, VOLUNTARY, HEALTH = 0, 1, 2, 3
SECTOR_CODES = {"private": PRIVATE, "local_authority": COUNCIL, "voluntary": VOLUNTARY, "health_authority": HEALTH}
SECTOR_NAMES = {v: k for k, v in SECTOR_CODES.items()}
PIPELINE, ACTIVE, CLOSED = 0, 1, 2

# Share of homes that can take children of each complexity level at most (low, medium, high):
# NAO25 2.14: almost one in three homes often or always reject children with complex needs.
MAX_COMPLEXITY_SHARES = (0.10, 0.22, 0.68)
DOL_OK_SHARE = 0.3  # homes able to care for a child under a deprivation-of-liberty order (prior)
SPECIALISM_PROB = 0.6  # chance a home is set up for each need type (prior)

_FIELDS = {
    "la": (np.int64, -1),
    "x": (np.float64, 0.0),
    "y": (np.float64, 0.0),
    "places": (np.int64, 0),
    "sector": (np.int64, PRIVATE),
    "secure": (np.bool_, False),
    "owner": (np.int64, -1),  # index of the Provider in model.providers
    "state": (np.int64, PIPELINE),
    "open_week": (np.int64, 0),
    "close_week": (np.int64, -1),
    "staff": (np.int64, 0),
    "manager": (np.bool_, True),
    "no_manager_since": (np.int64, -1),
    "max_complexity": (np.int64, 2),
    "dol_ok": (np.bool_, False),
    "specialisms": (np.int64, 0),
    "occupied": (np.int64, 0),
    "staff_used": (np.float64, 0.0),  # staff needed by the current residents
    "price_factor": (np.float64, 1.0),  # provider-specific pricing (NAO25 3.3)
    "block_la": (np.int64, -1),  # authority holding a block contract on this home
    "block_places": (np.int64, 0),
    "block_price": (np.float64, 0.0),
    "profit_ewma": (np.float64, 0.0),  # weekly operating profit, smoothed
}


class Homes:
    """Column store of homes (registered, in the pipeline, or closed)."""

    def __init__(self, capacity: int = 8192):
        self._cols = {k: np.full(capacity, fill, dtype) for k, (dtype, fill) in _FIELDS.items()}
        self.n = 0

    def __getattr__(self, name):
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self.n]
        raise AttributeError(name)

    def add(self, **values) -> np.ndarray:
        k = len(next(v for v in values.values() if np.ndim(v) > 0))
        cap = len(self._cols["la"])
        if self.n + k > cap:
            new = max(self.n + k, 2 * cap)
            for name, (dtype, fill) in _FIELDS.items():
                col = np.full(new, fill, dtype)
                col[:cap] = self._cols[name]
                self._cols[name] = col
        idx = np.arange(self.n, self.n + k)
        for name, (dtype, fill) in _FIELDS.items():
            self._cols[name][idx] = values.get(name, fill)
        self.n += k
        return idx

    @property
    def active(self) -> np.ndarray:
        return self.state == ACTIVE

    def free_places(self) -> np.ndarray:
        return np.where(self.active, self.places - self.occupied, 0)


def draw_home_traits(rng: np.random.Generator, n: int) -> dict:
    """Care traits of n homes: highest complexity, DoL capability, specialisms, pricing."""
    bits = rng.random((n, 4)) < SPECIALISM_PROB
    return {
        "max_complexity": rng.choice(3, size=n, p=MAX_COMPLEXITY_SHARES),
        "dol_ok": rng.random(n) < DOL_OK_SHARE,
        "specialisms": (bits * (1 << np.arange(4))).sum(axis=1),
    }


def update_staffing(homes: Homes, rng: np.random.Generator, wf, week: int) -> None:
    """Turnover and recruitment of care staff and registered managers, home by home (one national
    labour market: `workforce.supply_multiplier` scales hiring everywhere)."""
    act = np.flatnonzero(homes.active)
    staff = homes.staff[act]
    leavers = rng.binomial(staff, min(wf.turnover_per_year / 52, 1.0))
    # homes recruit for their places, and for more if their residents need it
    target = np.ceil(np.maximum(homes.places[act] * wf.staff_per_place_target, homes.staff_used[act])).astype(np.int64)
    vacancies = np.maximum(target - (staff - leavers), 0)
    p_hire = min(wf.hire_per_week * wf.supply_multiplier, 1.0)
    hires = rng.binomial(vacancies, p_hire)
    homes.staff[act] = staff - leavers + hires

    manager = homes.manager[act]
    lose = manager & (rng.random(len(act)) < wf.manager_loss_per_year / 52)
    p_mgr = np.clip(wf.manager_hire_per_week * wf.supply_multiplier, 0, 1)
    gain = ~manager & (rng.random(len(act)) < p_mgr)
    new_manager = (manager & ~lose) | gain
    homes.manager[act] = new_manager
    since = homes.no_manager_since[act]
    homes.no_manager_since[act] = np.where(new_manager, -1, np.where(since < 0, week, since))


def usable_staff(homes: Homes) -> np.ndarray:
    """Staff not yet committed to current residents (can be negative after turnover)."""
    return homes.staff - homes.staff_used
