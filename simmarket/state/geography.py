"""Authorities, regions, coordinates and distances (British National Grid metres)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import REGIONS

METRES_PER_MILE = 1609.344
# England's extent in British National Grid metres (with a margin): used by invariant checks.
ENGLAND_EXTENT = ((80_000.0, 660_000.0), (0.0, 660_000.0))

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
class Geography:
    """Authority geometry as arrays indexed by authority (sorted by ONS code)."""

    codes: np.ndarray
    names: np.ndarray
    region: np.ndarray  # index into REGIONS
    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray  # radius (m) of a disc with the authority's area
    property_index: np.ndarray  # regional house price relative to England's mean

    @classmethod
    def from_authorities(cls, la: pd.DataFrame) -> "Geography":
        region = la["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy(np.int64)
        prices = np.array([HOUSE_PRICE_K[r] for r in REGIONS], float)
        pidx = prices / np.average(prices[region], weights=la["pop_0_17"].to_numpy(float))
        return cls(
            codes=la["la_code"].to_numpy(str),
            names=la["la_name"].to_numpy(str),
            region=region,
            x=la["easting_m"].to_numpy(float),
            y=la["northing_m"].to_numpy(float),
            radius=np.sqrt(la["area_km2"].to_numpy(float) * 1e6 / np.pi),
            property_index=pidx[region],
        )

    @property
    def n(self) -> int:
        return len(self.codes)

    def index_of(self, codes) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.codes)}
        return np.array([lookup[c] for c in codes], dtype=np.int64)

    def points_in(self, la: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Random points inside each authority: uniform on the disc of its area around its centroid.

        The disc has the authority's area, so a point is within the authority's own footprint
        around its centroid (addresses are not published; SOURCES.md).
        """
        r = self.radius[la] * np.sqrt(rng.random(len(la)))
        theta = rng.random(len(la)) * 2 * np.pi
        x = np.clip(self.x[la] + r * np.cos(theta), *ENGLAND_EXTENT[0])
        y = np.clip(self.y[la] + r * np.sin(theta), *ENGLAND_EXTENT[1])
        return x, y


def miles(x1, y1, x2, y2) -> np.ndarray:
    return np.hypot(np.subtract(x1, x2), np.subtract(y1, y2)) / METRES_PER_MILE
