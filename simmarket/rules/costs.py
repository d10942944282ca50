"""Costs, staffing needs and margins: one definition each, used by pricing, accounts and entry."""

from __future__ import annotations

import numpy as np

from ..state import PRIVATE, VOLUNTARY
from ..time import WEEKS_PER_YEAR

DOL_STAFF_MULTIPLIER = 1.5  # a DoL order usually comes with 2:1 or 3:1 supervision (prior)
PROPERTY_REGIONAL_SHARE = 0.5  # share of property and overheads that follows regional house prices (prior)


def staff_need(complexity: np.ndarray, dol: np.ndarray, staff_per_child) -> np.ndarray:
    """Staff (FTE) a child needs, by complexity and deprivation-of-liberty order."""
    need = np.asarray(staff_per_child, float)[complexity]
    return np.where(dol, need * DOL_STAFF_MULTIPLIER, need)


def staff_target(places, wf) -> np.ndarray:
    """Staff a home aims to employ for its registered places."""
    return np.ceil(places * wf.staff_per_place_target)


def wage(params, week: int) -> float:
    """Weekly cost of one FTE in a given week (real growth from April 2024)."""
    wf = params.workforce
    return wf.wage_gbp_week * (1 + wf.wage_growth_per_year) ** (week / WEEKS_PER_YEAR)


def property_cost(property_index, params) -> np.ndarray:
    """Weekly property and overheads of one place; part of it follows regional house prices."""
    fixed = 1 - PROPERTY_REGIONAL_SHARE
    return params.pricing.property_gbp_place_week * (fixed + PROPERTY_REGIONAL_SHARE * property_index)


def place_cost(property_index, params, week: int = 0) -> np.ndarray:
    """Weekly cost of running one registered place: its staff and its share of property."""
    return params.workforce.staff_per_place_target * wage(params, week) + property_cost(property_index, params)


def care_cost(complexity, dol, property_index, params, week: int = 0) -> np.ndarray:
    """Weekly cost of caring for a child: the cost of a place at the occupancy providers plan
    for, scaled by the staff the child needs relative to a medium-need child."""
    wf = params.workforce
    relative = staff_need(complexity, dol, wf.staff_per_child) / wf.staff_per_child[1]
    return place_cost(property_index, params, week) / params.pricing.expected_occupancy * relative


def sector_margin(sector: np.ndarray, pricing, profit_cap: float) -> np.ndarray:
    """The margin over cost each sector aims for, within the profit cap in force."""
    m = np.zeros(len(sector))
    m[sector == PRIVATE] = pricing.target_margin_private
    m[sector == VOLUNTARY] = pricing.target_margin_voluntary
    return np.minimum(m, profit_cap)
