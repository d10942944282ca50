"""Authorities, regions, coordinates and distances (British National Grid metres)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arrays import cumsum_within
from ..data import REGIONS

METRES_PER_MILE = 1609.344
# England's extent in British National Grid metres (with a margin): used by invariant checks.
ENGLAND_EXTENT = ((80_000.0, 660_000.0), (0.0, 660_000.0))
# centres of the regions' children (0-17 population-weighted authority centres, BNG metres): a
# run below full scale shrinks each region about its centre
REGION_CENTRES = {
    "East Midlands": (466_193.0, 329_261.0),
    "East of England": (557_272.0, 242_409.0),
    "London": (531_062.0, 180_435.0),
    "North East": (427_004.0, 549_251.0),
    "North West": (364_109.0, 409_613.0),
    "South East": (506_343.0, 154_033.0),
    "South West": (336_773.0, 134_662.0),
    "West Midlands": (400_454.0, 292_014.0),
    "Yorkshire and The Humber": (441_487.0, 424_965.0),
}

# ONS UK House Price Index, regional average prices, March 2024 (GBP thousand, rounded).
# A proxy for the property cost of opening a home (NAO25 2.13: property prices are a barrier).
HOUSE_PRICE_K = {
    "London": 520,
    "South East": 380,
    "East of England": 335,
    "South West": 310,
    "West Midlands": 245,
    "East Midlands": 245,
    "North West": 215,
    "Yorkshire and The Humber": 205,
    "North East": 160,
}


@dataclass(frozen=True)
class Discs:
    """Below full scale, the discs of the authorities that make up each simulated authority: points
    are drawn in a member's own disc (chosen in proportion to its looked-after children), so that
    children and homes keep where they are within the group."""

    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray
    group: np.ndarray  # simulated authority of each member
    key: np.ndarray  # sorted by (group, cumulative share of the group's children): group + share
    position: np.ndarray  # where each of England's authorities (ONS order) is in these arrays

    @classmethod
    def of(cls, x, y, radius, group: np.ndarray, weight: np.ndarray) -> "Discs":
        order = np.lexsort((np.arange(len(group)), group))
        g = group[order]
        share = cumsum_within(g, weight[order] / np.bincount(group, weights=weight)[g])
        share[np.append(g[1:] != g[:-1], True)] = 1.0  # each group's last member closes it exactly
        position = np.empty(len(order), np.int64)
        position[order] = np.arange(len(order))
        return cls(x[order], y[order], radius[order], g, g + share, position)

    def pick(self, la: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A member disc for each point of authority la (positions in the sorted member arrays)."""
        return np.minimum(np.searchsorted(self.key, la + rng.random(len(la)), side="left"), len(self.key) - 1)


@dataclass(frozen=True)
class Geography:
    """Authority geometry as arrays indexed by authority (sorted by ONS code)."""

    codes: np.ndarray
    names: np.ndarray
    region: np.ndarray  # index into REGIONS
    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray  # radius (m) of a disc with the authority's area
    property_index: np.ndarray  # regional house price relative to England's mean
    discs: Discs | None = None  # below full scale: the member authorities' own discs

    @classmethod
    def from_authorities(cls, la: pd.DataFrame, shrink: float = 1.0, members: pd.DataFrame | None = None,
                         group: np.ndarray | None = None) -> "Geography":
        """The authorities' geometry. shrink < 1 shrinks the map by that factor about England's
        centre (a smaller England at England's density); `members` (England's authorities at the
        start, data.start_authorities) and `group` (the simulated authority of each) keep where
        children and homes are within a group: children in proportion to each member's `cla_total`."""
        region = la["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy(np.int64)
        prices = np.array([HOUSE_PRICE_K[r] for r in REGIONS], float)
        pidx = prices / np.average(prices[region], weights=la["pop_0_17"].to_numpy(float))
        x, y, radius = _shrunk(la, shrink)
        discs = None
        if members is not None and len(members) != len(la):
            mx, my, mr = _shrunk(members, shrink)
            discs = Discs.of(mx, my, mr, np.asarray(group), members["cla_total"].to_numpy(float) + 1e-9)
        return cls(codes=la["la_code"].to_numpy(str), names=la["la_name"].to_numpy(str), region=region,
                   x=x, y=y, radius=radius, property_index=pidx[region], discs=discs)

    @property
    def n(self) -> int:
        return len(self.codes)

    def index_of(self, codes) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.codes)}
        return np.array([lookup[c] for c in codes], dtype=np.int64)

    def points_in(self, la: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Random points inside each authority: uniform on the disc of its area around its centroid
        (below full scale, on the disc of one of its members).

        The disc has the authority's area, so a point is within the authority's own footprint
        around its centroid (addresses are not published; SOURCES.md).
        """
        if self.discs is not None:
            d = self.discs
            k = d.pick(np.asarray(la), rng)
            return _in_discs(d.x[k], d.y[k], d.radius[k], rng)
        return _in_discs(self.x[la], self.y[la], self.radius[la], rng)

    def points_in_members(self, la: np.ndarray, member: np.ndarray, rng: np.random.Generator):
        """Random points inside authorities whose member (England's authority, ONS order) is known,
        such as a home's; at full scale the same as points_in."""
        if self.discs is None:
            return self.points_in(la, rng)
        k = self.discs.position[member]
        return _in_discs(self.discs.x[k], self.discs.y[k], self.discs.radius[k], rng)

    def within(self, la: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point lies in its authority (one of its members' discs below full scale)."""
        if self.discs is None:
            return np.hypot(x - self.x[la], y - self.y[la]) <= self.radius[la] + 1e-6
        d = self.discs
        inside = np.zeros(len(la), bool)
        for k in range(len(d.x)):
            sel = la == d.group[k]
            inside[sel] |= np.hypot(x[sel] - d.x[k], y[sel] - d.y[k]) <= d.radius[k] + 1e-6
        return inside


def _shrunk(la: pd.DataFrame, shrink: float):
    """Centres and disc radii (metres); shrink < 1 shrinks each region about its own centre, so
    that distances within a region shrink and distances between regions stay England's."""
    x, y = la["easting_m"].to_numpy(float), la["northing_m"].to_numpy(float)
    radius = np.sqrt(la["area_km2"].to_numpy(float) * 1e6 / np.pi)
    if shrink == 1.0:
        return x, y, radius
    reg = la["region"].to_numpy(str)
    out_x, out_y = x.copy(), y.copy()
    for r in REGIONS:
        sel = reg == r
        cx, cy = REGION_CENTRES[r]
        out_x[sel] = cx + (x[sel] - cx) * shrink
        out_y[sel] = cy + (y[sel] - cy) * shrink
    return out_x, out_y, radius * shrink


def _in_discs(cx, cy, radius, rng) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points on discs, clipped to England's extent."""
    r = radius * np.sqrt(rng.random(len(cx)))
    theta = rng.random(len(cx)) * 2 * np.pi
    x = np.clip(cx + r * np.cos(theta), *ENGLAND_EXTENT[0])
    y = np.clip(cy + r * np.sin(theta), *ENGLAND_EXTENT[1])
    return x, y


def miles(x1, y1, x2, y2) -> np.ndarray:
    return np.hypot(np.subtract(x1, x2), np.subtract(y1, y2)) / METRES_PER_MILE
