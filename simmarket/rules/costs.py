"""Costs, staffing needs and margins: one definition each, used by pricing, accounts and entry."""

from __future__ import annotations

import numpy as np

from ..data.paths import WAGE_BASE_APRIL, real_wage_index
from ..params.sections import REFERENCE_PLACES_PER_HOME
from ..state import PRIVATE, VOLUNTARY
from ..time import WEEKS_PER_YEAR

DOL_STAFF_MULTIPLIER = 1.5  # a DoL order usually comes with 2:1 or 3:1 supervision (prior)
PROPERTY_REGIONAL_SHARE = 0.5  # share of property and overheads that follows regional house prices (prior)


def staff_need(complexity: np.ndarray, dol: np.ndarray, staff_per_child) -> np.ndarray:
    """Staff (FTE) a child needs, by complexity and deprivation-of-liberty order."""
    need = np.asarray(staff_per_child, float)[complexity]
    return np.where(dol, need * DOL_STAFF_MULTIPLIER, need)


def staff_per_place_beyond_core(wf) -> float:
    """Staff per place on top of a home's core, such that a home of the March 2024 average size
    employs `staff_per_place_target` per place."""
    return wf.staff_per_place_target - wf.core_staff_per_home / REFERENCE_PLACES_PER_HOME


def establishment(places, wf) -> np.ndarray:
    """Staff (FTE) a home of this size employs: a core whatever its size (a registered manager
    and waking-night cover) plus staff for each place; a small home carries its core for fewer
    children (facts.md, History: places per home fell from 4.07 to 3.55)."""
    places = np.asarray(places, float)
    return np.where(places > 0, wf.core_staff_per_home + staff_per_place_beyond_core(wf) * places, 0.0)


def staff_target(places, wf) -> np.ndarray:
    """Staff a home aims to employ for its registered places (whole posts)."""
    return np.maximum(np.ceil(establishment(places, wf) - 1e-9), 0.0)


def wage(params, week: int) -> float:
    """Weekly staff cost of one FTE post of a home's 2024 establishment in a given week:
    `workforce.wage_gbp_week` is April 2024's. Real pay moves each April as the data say
    (data/exogenous.toml: National Living Wage uprating less CPI, to April 2025), then by
    `workforce.wage_growth_per_year`; without the data, by that growth throughout (continuously,
    from April 2024). Before April 2024 a post also stood for fewer staff hours: ratios got richer
    by `workforce.richer_ratios_per_year` a year up to then (NAO25 2.14), so a run from an earlier
    March pays for the leaner staffing of its years; from April 2024 the factor is exactly 1."""
    wf, start = params.workforce, params.run.start_year
    years = start - WAGE_BASE_APRIL + week / WEEKS_PER_YEAR
    richer = (1 + wf.richer_ratios_per_year) ** min(years, 0.0)
    if wf.wage_growth_from_data:
        return wf.wage_gbp_week * real_wage_index(start + week // WEEKS_PER_YEAR, wf.wage_growth_per_year) * richer
    return wf.wage_gbp_week * (1 + wf.wage_growth_per_year) ** years * richer


def property_cost(property_index, params) -> np.ndarray:
    """Weekly property and overheads of one place; part of it follows regional house prices."""
    fixed = 1 - PROPERTY_REGIONAL_SHARE
    return params.pricing.property_gbp_place_week * (fixed + PROPERTY_REGIONAL_SHARE * property_index)


def place_cost(property_index, params, week: int = 0, places=REFERENCE_PLACES_PER_HOME) -> np.ndarray:
    """Weekly cost of running one registered place in a home of `places` places (by default the
    March 2024 average): its share of the home's staff and its property."""
    places = np.asarray(places, float)
    staff_per_place = establishment(places, params.workforce) / np.maximum(places, 1.0)
    return staff_per_place * wage(params, week) + property_cost(property_index, params)


def care_cost(complexity, dol, property_index, params, week: int = 0, places=REFERENCE_PLACES_PER_HOME,
              occupancy=None) -> np.ndarray:
    """Weekly cost of caring for a child in a home of `places` places: the cost of a place at
    the occupancy providers plan for (`occupancy`, by default `pricing.expected_occupancy`),
    scaled by the staff the child needs relative to a medium-need child."""
    wf = params.workforce
    occupancy = params.pricing.expected_occupancy if occupancy is None else occupancy
    relative = staff_need(complexity, dol, wf.staff_per_child) / wf.staff_per_child[1]
    return place_cost(property_index, params, week, places) / occupancy * relative


def sector_margin(sector: np.ndarray, pricing, profit_cap: float) -> np.ndarray:
    """The margin over cost each sector aims for, within the profit cap in force."""
    m = np.zeros(len(sector))
    m[sector == PRIVATE] = pricing.target_margin_private
    m[sector == VOLUNTARY] = pricing.target_margin_voluntary
    return np.minimum(m, profit_cap)
