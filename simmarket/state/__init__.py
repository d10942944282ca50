"""The model's state: column stores of children and homes, weekly flows, and the geography."""

from .children import FOSTER, GONE, HOME, N_NEEDS, N_STATUS, NEVER, STATUS_NAMES, SUPPORTED, UNREG, WAITING, Children
from .flows import FlowBook
from .geography import ENGLAND_EXTENT, METRES_PER_MILE, Geography, miles
from .owners import Owners
from .homes import (ACTIVE, CLOSED, COUNCIL, HEALTH, NO_BUYER, PIPELINE, PRIVATE, SECTOR_CODES, SECTOR_NAMES,
                    VOLUNTARY, Homes, draw_home_traits)

__all__ = [
    "FOSTER", "GONE", "HOME", "N_NEEDS", "N_STATUS", "NEVER", "STATUS_NAMES", "SUPPORTED", "UNREG", "WAITING", "Children",
    "FlowBook", "ENGLAND_EXTENT", "METRES_PER_MILE", "Geography", "miles",
    "ACTIVE", "CLOSED", "COUNCIL", "HEALTH", "NO_BUYER", "PIPELINE", "PRIVATE", "SECTOR_CODES", "SECTOR_NAMES",
    "VOLUNTARY", "Homes", "draw_home_traits", "Owners",
]
