"""England's authorities at a run's scale.

Below full scale, neighbouring authorities of a region are merged into groups of about 1/scale
(recursive bisection of the region along its longer side, balancing looked-after children), and
the model then gives each group that share of its
members' children and homes: each simulated authority is about the size of one of England's,
with foster and supported pools, homes of its own and a map area of that size (the model shrinks
the map by sqrt(scale), geography.Geography). Thinning every authority instead makes each a
small market of its own: small foster pools fill up, few homes lie in the authority, and the
market is not England's (docs/model.md, "Scale").
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..time import START_DATE
from . import REGIONS, start_authorities


@lru_cache(maxsize=16)
def authorities_at_scale(scale: float, year: int = START_DATE.year) -> tuple[pd.DataFrame, np.ndarray]:
    """The simulated authorities' table at 31 March of the start year `year` (start_authorities;
    ONS order of their first member) and, for each of England's authorities in ONS order, the row
    of the simulated authority it belongs to.

    The groups are formed on the March 2024 sizes whatever the start year, so a simulated
    authority is the same set of England's authorities in every run (by_authority.csv, cooperatives).
    """
    la = start_authorities(year)
    if scale >= 1:
        return la, np.arange(len(la))
    group = np.empty(len(la), np.int64)
    region = la["region"].to_numpy(str)
    pts = la[["easting_m", "northing_m"]].to_numpy(float)
    size = la["cla_total_2024"].to_numpy(float)
    n_groups = 0
    for reg in REGIONS:
        idx = np.flatnonzero(region == reg)
        k = min(len(idx), max(1, int(round(scale * len(idx)))))
        for part in _bisect(idx, k, pts, size):
            group[part] = n_groups
            n_groups += 1
    return _merge(la, group, n_groups)


def _bisect(idx: np.ndarray, k: int, pts: np.ndarray, size: np.ndarray) -> list[np.ndarray]:
    """k compact groups of the authorities idx with about equal children: split along the longer
    side of their extent where the cumulative children reach the share of the first k // 2."""
    if k <= 1 or len(idx) <= 1:
        return [idx]
    axis = int(np.ptp(pts[idx], axis=0).argmax())
    order = idx[np.argsort(pts[idx, axis], kind="stable")]
    k1 = k // 2
    cum = np.cumsum(size[order])
    cut = int(np.clip(np.searchsorted(cum, cum[-1] * k1 / k) + 1, k1, len(order) - (k - k1)))
    return _bisect(order[:cut], k1, pts, size) + _bisect(order[cut:], k - k1, pts, size)


def _merge(la: pd.DataFrame, group: np.ndarray, n_groups: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per group: counts, areas and money summed; the centre weighted by children's
    population; the first member's code (groups are then in ONS order) and region."""
    g = pd.Series(group, index=la.index)
    numeric = [c for c in la.columns if la[c].dtype.kind in "fi" and c not in ("easting_m", "northing_m", "lat", "lon")]
    out = la[numeric].groupby(g).sum()
    w = la["pop_0_17"].to_numpy(float)
    for c in ("easting_m", "northing_m", "lat", "lon"):
        out[c] = (la[c] * w).groupby(g).sum() / pd.Series(w, index=la.index).groupby(g).sum()
    flags = [c for c in la.columns if la[c].dtype == bool]
    out[flags] = la[flags].groupby(g).any()
    first = la[["la_code", "region"]].groupby(g).first()  # members are in ONS order
    out["la_code"] = first["la_code"]
    out["region"] = first["region"]
    out["la_name"] = la.groupby(g)["la_name"].agg(lambda names: " + ".join(names))
    order = np.argsort(out["la_code"].to_numpy(str), kind="stable")
    row_of_group = np.empty(n_groups, np.int64)
    row_of_group[order] = np.arange(n_groups)
    return out.iloc[order].reset_index(drop=True)[la.columns], row_of_group[group]
