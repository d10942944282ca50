"""Owners: one row per organisation owning children's homes (the Provider agents' state)."""

from __future__ import annotations

import numpy as np

from .columns import ColumnStore
from .homes import PRIVATE


class Owners(ColumnStore):
    """Column store of owning organisations; row i is the Provider agent with index i."""

    FIELDS = {
        "sector": (np.int64, PRIVATE),
        "price_factor": (np.float64, 1.0),  # the organisation's own pricing (NAO25 3.3)
        "indebted": (np.bool_, False),  # highly indebted (NAO25 2.4); only these can fail
        "failed": (np.bool_, False),
        "revenue_to_date": (np.float64, 0.0),  # running totals since the start, for the accounts
        "cost_to_date": (np.float64, 0.0),
    }

    def __init__(self, capacity: int = 2048):
        super().__init__(capacity)
