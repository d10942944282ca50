"""Homes: one row per children's home, registered, in the pipeline or closed (rows never move)."""

from __future__ import annotations

import numpy as np

from ..arrays import choice_cdf, choose
from .children import N_NEEDS
from .columns import ColumnStore

PRIVATE, COUNCIL, VOLUNTARY, HEALTH = 0, 1, 2, 3
SECTOR_CODES = {"private": PRIVATE, "local_authority": COUNCIL, "voluntary": VOLUNTARY, "health_authority": HEALTH}
SECTOR_NAMES = {v: k for k, v in SECTOR_CODES.items()}
PIPELINE, ACTIVE, CLOSED = 0, 1, 2
NO_BUYER = -1  # block_buyer of a home with no block contract

# Share of homes that can take children of each complexity level at most (low, medium, high):
# NAO25 2.14: almost one in three homes often or always reject children with complex needs.
MAX_COMPLEXITY_SHARES = (0.10, 0.22, 0.68)
DOL_OK_SHARE = 0.3  # homes able to care for a child under a deprivation-of-liberty order (prior)
SPECIALISM_PROB = 0.6  # chance a home is set up for each need type (prior)
MAX_COMPLEXITY_CDF = choice_cdf(MAX_COMPLEXITY_SHARES)


class Homes(ColumnStore):
    """Column store of homes."""

    FIELDS = {
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
        "specialisms": (np.int64, 0),  # bit mask of need types the home is set up for
        "occupied": (np.int64, 0),
        "staff_used": (np.float64, 0.0),  # staff needed by the current residents
        "price_factor": (np.float64, 1.0),  # provider-specific pricing (NAO25 3.3)
        "block_buyer": (np.int64, NO_BUYER),  # customer (authority or cooperative) holding a block contract
        "block_places": (np.int64, 0),
        "block_price": (np.float64, 0.0),
        "contract_until": (np.int64, -1),  # week a forward contract on the home's places ends (-1: none)
        "profit_ewma": (np.float64, 0.0),  # weekly operating profit, smoothed
    }

    def __init__(self, capacity: int = 8192):
        super().__init__(capacity)

    @property
    def active(self) -> np.ndarray:
        return self.state == ACTIVE

    def free_places(self) -> np.ndarray:
        return np.where(self.active, self.places - self.occupied, 0)

    def registered_places(self) -> float:
        """Places in the homes open now (the pipeline and closed homes excluded)."""
        return float(self.places[self.active].sum())

    def clear_blocks(self, h=slice(None)) -> None:
        """End the block contracts on these homes (default: all)."""
        self.block_buyer[h] = NO_BUYER
        self.block_places[h] = 0

    def end_yearly_blocks(self, week: int) -> None:
        """Each April the year's block contracts end; forward contracts run until their end week."""
        self.clear_blocks(self.contract_until <= week)


def draw_home_traits(rng: np.random.Generator, n: int) -> dict:
    """Care traits of n homes: highest complexity, DoL capability, specialisms.

    One call draws what random((n, N_NEEDS)), choice(3, n, p=MAX_COMPLEXITY_SHARES) and random(n)
    drew in turn (the same numbers: choice picks by arrays.choice_cdf from random(n))."""
    u = rng.random(n * (N_NEEDS + 2))
    bits = u[: n * N_NEEDS].reshape(n, N_NEEDS) < SPECIALISM_PROB
    return {
        "max_complexity": choose(MAX_COMPLEXITY_CDF, u[n * N_NEEDS: n * (N_NEEDS + 1)]),
        "dol_ok": u[n * (N_NEEDS + 1):] < DOL_OK_SHARE,
        "specialisms": (bits * (1 << np.arange(N_NEEDS))).sum(axis=1),
    }
