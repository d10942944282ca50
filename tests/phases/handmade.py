"""Hand-made state for the phase tests: three authorities, and children and homes put where a
test wants them (imported by name, like simhelpers)."""

from __future__ import annotations

import numpy as np

from simmarket.data import REGIONS
from simmarket.params import Scenario
from simmarket.policy import Levers
from simmarket.state import ACTIVE, METRES_PER_MILE, WAITING, Children, FlowBook, Geography, Homes

N_LA = 3
# two East Midlands authorities 20 km apart, and one in London, far from both
GEO = Geography(
    codes=np.array(["E0", "E1", "E2"]), names=np.array(["Near", "Neighbour", "Far"]),
    region=np.array([0, 0, 2]), x=np.array([450_000.0, 470_000.0, 530_000.0]),
    y=np.array([300_000.0, 300_000.0, 180_000.0]), radius=np.array([10_000.0, 10_000.0, 5_000.0]),
    property_index=np.ones(N_LA),
)
REGION_OF_LA = GEO.region
N_REGIONS = len(REGIONS)


def at(la: int, east_miles=0.0, north_miles=0.0):
    """Coordinates this many miles east and north of an authority's centre."""
    return (GEO.x[la] + np.asarray(east_miles, float) * METRES_PER_MILE,
            GEO.y[la] + np.asarray(north_miles, float) * METRES_PER_MILE)


def _columns(defaults: dict, cols: dict) -> dict:
    n = max([len(v) for v in cols.values() if np.ndim(v) > 0] or [1])
    out = {**defaults, **cols}
    return {k: np.broadcast_to(np.asarray(v), (n,)).copy() for k, v in out.items()}


def make_homes(**cols) -> Homes:
    """Active homes at authority 0's centre, one place, staff to spare, able to care for anyone."""
    x, y = at(0)
    defaults = dict(la=0, x=x, y=y, places=1, state=ACTIVE, staff=12, manager=True, max_complexity=2,
                    specialisms=0b1111, owner=0)
    homes = Homes(capacity=16)
    homes.add(**_columns(defaults, cols))
    return homes


def make_children(**cols) -> Children:
    """Waiting 14-year-olds of authority 0, at its centre, of medium complexity with no needs."""
    x, y = at(0)
    defaults = dict(la=0, age=14.0, x=x, y=y, complexity=1, needs=0, status=WAITING, need_since=0,
                    residential=True)
    ch = Children(capacity=16)
    ch.add(**_columns(defaults, cols))
    return ch


def levers(params: Scenario) -> Levers:
    return Levers.neutral(params, np.full(N_LA, 2.0))


def flows(weeks: int = 104) -> FlowBook:
    return FlowBook(weeks, N_LA, N_REGIONS)
