"""Shared rules: pure functions of parameters and state used by several phases."""

from .ceilings import price_ceiling
from .costs import (DOL_STAFF_MULTIPLIER, REFERENCE_PLACES_PER_HOME, care_cost, establishment, place_cost,
                    property_cost, sector_margin, staff_need, staff_target, wage)

__all__ = ["DOL_STAFF_MULTIPLIER", "price_ceiling", "REFERENCE_PLACES_PER_HOME", "care_cost", "establishment", "place_cost",
           "property_cost", "sector_margin", "staff_need", "staff_target", "wage"]
