"""Regional care cooperative membership: which authorities join which cooperative, and when.

Membership is a pure function of the scenario and the shipped data, so `compare` can measure
members and non-members identically in every scenario. It is drawn on the March 2024 map and
sizes whatever the run's start year: a cooperative is a policy's design, the same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

from ..data import REGIONS, load_authorities

NATIONAL_COOPERATIVES = 20  # the 2022 independent review proposed up to 20 RCCs (NAO25 3.11)
NEVER_JOINS = 10**9  # join week of an authority outside every cooperative
GROUPING_SEED = 2024  # fixed k-means seed: the same groups in every run and scenario


@dataclass(frozen=True)
class Membership:
    """Which cooperative each authority joins (-1: none) and from which week."""

    coop: np.ndarray
    join_week: np.ndarray
    names: tuple[str, ...]


def rcc_membership(scenario) -> Membership:
    la = load_authorities()
    n = len(la)
    r = scenario.rcc
    coop = np.full(n, -1)
    join = np.full(n, NEVER_JOINS)
    names: list[str] = []
    codes = la["la_code"].to_numpy(str)
    region = la["region"].to_numpy(str)
    if r.membership == "regions":
        for i, reg in enumerate(REGIONS):
            coop[region == reg] = i
            names.append(reg)
        join[:] = r.start_week
    elif r.membership == "national_20":
        names = _national_groups(la, coop)
        join[:] = r.start_week
    elif r.membership == "named":
        for i, c in enumerate(r.cooperatives):
            mask = (region == c.region) if c.region else np.zeros(n, bool)
            mask |= np.isin(codes, c.members)
            mask &= ~np.isin(codes, c.exclude)
            coop[mask] = i
            join[mask] = c.start_week
            names.append(c.name or c.region or f"Cooperative {i + 1}")
    coop[np.isin(codes, r.opt_out)] = -1
    if r.rollout_weeks and (coop >= 0).any():
        members = np.flatnonzero(coop >= 0)  # in ONS code order
        join[members] += (np.arange(len(members)) * r.rollout_weeks) // len(members)
    join[coop < 0] = NEVER_JOINS
    return Membership(coop, join, tuple(names))


def _national_groups(la, coop: np.ndarray) -> list[str]:
    """About 20 cooperatives: each region split into k contiguous groups, k by its share of
    looked-after children, by k-means on authority centroids with a fixed seed (reproducible)."""
    names: list[str] = []
    total = la["cla_total_2024"].sum()
    for reg in REGIONS:
        idx = np.flatnonzero(la["region"].to_numpy(str) == reg)
        k = max(1, int(round(NATIONAL_COOPERATIVES * la["cla_total_2024"].iloc[idx].sum() / total)))
        k = min(k, len(idx))
        pts = la[["easting_m", "northing_m"]].to_numpy(float)[idx] / 1000.0
        if k == 1:
            labels = np.zeros(len(idx), int)
        else:
            _, labels = kmeans2(pts, k, seed=np.random.default_rng(GROUPING_SEED), minit="++")
        for j in range(k):
            members = idx[labels == j]
            if len(members) == 0:
                continue
            coop[members] = len(names)
            names.append(f"{reg} {j + 1}" if k > 1 else reg)
    return names


def rcc_groups(scenario) -> dict[str, list[str]]:
    """Authority codes of RCC members and non-members (empty when there are no RCCs)."""
    if scenario.rcc.membership == "none":
        return {}
    m = rcc_membership(scenario)
    codes = load_authorities()["la_code"].to_numpy(str)
    return {"rcc_members": codes[m.coop >= 0].tolist(), "non_members": codes[m.coop < 0].tolist()}
