"""Regional care cooperative membership: which authorities join which cooperative, and when.

Membership is a pure function of the scenario and the shipped data, so `compare` can measure
members and non-members identically in every scenario. It is drawn on the March 2024 map and
sizes whatever the run's start year: a cooperative is a policy's design, the same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import REGIONS, load_authorities

NATIONAL_COOPERATIVES = 20  # the 2022 independent review proposed up to 20 RCCs (NAO25 3.11)
NEVER_JOINS = 10**9  # join week of an authority outside every cooperative
GROUPING_SEED = 2024  # fixed k-means seed: the same groups in every run and scenario


@dataclass(frozen=True)
class Membership:
    """Which cooperative each authority joins (-1: none), from which week, and whether a mandate made it."""

    coop: np.ndarray
    join_week: np.ndarray
    names: tuple[str, ...]
    mandated: np.ndarray | None = None  # joins only because membership became mandatory (rcc.mandate_week)


def rcc_membership(scenario) -> Membership:
    """Membership in its three modes: voluntary (opt-outs stay out), phased (rcc.rollout_weeks) and,
    from rcc.mandate_week, mandatory (opted-out authorities join the cooperative they left)."""
    la = load_authorities()
    r = scenario.rcc
    codes = la["la_code"].to_numpy(str)
    coop, join, names, start, excluded_from = _cooperatives(r, la)
    opted_out = np.isin(codes, r.opt_out)
    left = np.where(opted_out & (coop >= 0), coop, excluded_from)  # the cooperative each opted-out authority left
    coop[opted_out] = -1
    if r.rollout_weeks and (coop >= 0).any():
        members = np.flatnonzero(coop >= 0)  # in ONS code order
        join[members] += (np.arange(len(members)) * r.rollout_weeks) // len(members)
    join[coop < 0] = NEVER_JOINS
    mandated = (coop < 0) & (left >= 0) & (r.mandate_week > 0)
    coop[mandated] = left[mandated]
    join[mandated] = np.maximum(r.mandate_week, start[left[mandated]])  # not before the cooperative starts
    return Membership(coop, join, tuple(names), mandated)


def _cooperatives(r, la):
    """Each authority's cooperative (-1: none) and join week before opt-outs; the cooperatives' names
    and start weeks; and for authorities a regional cooperative excludes (and no other takes), that
    cooperative (-1: none): named pilots record their opt-outs this way (scenarios/rcc_pilots.toml)."""
    n = len(la)
    coop = np.full(n, -1)
    join = np.full(n, NEVER_JOINS)
    excluded_from = np.full(n, -1)
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
            area = (region == c.region) if c.region else np.zeros(n, bool)
            mask = (area | np.isin(codes, c.members)) & ~np.isin(codes, c.exclude)
            coop[mask] = i
            join[mask] = c.start_week
            excluded_from[area & np.isin(codes, c.exclude) & (excluded_from < 0)] = i
            names.append(c.name or c.region or f"Cooperative {i + 1}")
        excluded_from[coop >= 0] = -1
    start = np.array([c.start_week for c in r.cooperatives] if r.membership == "named" else [r.start_week] * len(names),
                     dtype=np.int64)
    return coop, join, names, start, excluded_from


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
            from scipy.cluster.vq import kmeans2  # here: only about 20 cooperatives need it (20 ms to import)

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
