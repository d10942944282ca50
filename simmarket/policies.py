"""Policy levers applied at their start weeks, and regional care cooperative membership.

Membership is a pure function of the scenario and the shipped data, so `compare` can measure
members and non-members identically in every scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

from .config import REGIONS, Scenario
from .data import load_authorities

NATIONAL_COOPERATIVES = 20  # the 2022 independent review proposed up to 20 RCCs (NAO25 3.11)


@dataclass(frozen=True)
class Membership:
    """Which cooperative each authority joins (-1: none) and from which week."""

    coop: np.ndarray
    join_week: np.ndarray
    names: tuple[str, ...]


def rcc_membership(scenario: Scenario) -> Membership:
    la = load_authorities()
    n = len(la)
    r = scenario.rcc
    coop = np.full(n, -1)
    join = np.full(n, 10**9)
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
    join[coop < 0] = 10**9
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
            _, labels = kmeans2(pts, k, seed=np.random.default_rng(2024), minit="++")
        for j in range(k):
            members = idx[labels == j]
            if len(members) == 0:
                continue
            coop[members] = len(names)
            names.append(f"{reg} {j + 1}" if k > 1 else reg)
    return names


def rcc_groups(scenario: Scenario) -> dict[str, list[str]]:
    """Authority codes of RCC members and non-members (empty when there are no RCCs)."""
    if scenario.rcc.membership == "none":
        return {}
    m = rcc_membership(scenario)
    codes = load_authorities()["la_code"].to_numpy(str)
    return {"rcc_members": codes[m.coop >= 0].tolist(), "non_members": codes[m.coop < 0].tolist()}


def ramp(week: int, start: int, weeks: int) -> float:
    """0 before start, rising linearly to 1 over `weeks`."""
    return float(np.clip((week - start + 1) / max(weeks, 1), 0.0, 1.0)) if week >= start else 0.0


class PolicySchedule:
    """Switches the scenario's levers on at their start weeks; called once a week by the model."""

    def __init__(self, model):
        self.model = model
        self.p = model.params.policy
        self.switched: set[str] = set()
        self.capital_events = self._plan_capital()

    def apply(self, week: int) -> None:
        m, p = self.model, self.p
        self._once("workforce", p.workforce.start_week, week, self._workforce)
        self._once("profit_cap", p.profit_cap.start_week, week, self._profit_cap, p.profit_cap.cap < 1.0)
        self._once("oversight", p.oversight.start_week, week, self._oversight)
        m.foster_policy = 1 + p.foster.capacity_uplift * ramp(week, p.foster.start_week, p.foster.ramp_weeks)
        m.prevention_factor = 1 - p.prevention.entry_reduction * ramp(week, p.prevention.start_week, p.prevention.ramp_weeks)
        if week >= p.planning.start_week:
            m.planning_refusal_factor = p.planning.refusal_multiplier
            m.planning_need_weight = p.planning.need_weight
        if week >= p.enforcement.start_week:
            e = p.enforcement
            m.unreg_detection = e.detection_per_week
            m.unreg_fine_per_week = e.detection_per_week * e.fine_gbp
            m.unreg_extra_weeks = e.deterrence_weeks
        for ev_week, action in self.capital_events.get(week, []):
            action()

    def _once(self, key, start, week, fn, enabled=True):
        if enabled and week >= start and key not in self.switched:
            self.switched.add(key)
            fn()

    def _workforce(self):
        m, w = self.model, self.p.workforce
        wf = m.params.workforce
        m.params = m.params.replace(**{
            "workforce.hire_per_week": min(wf.hire_per_week * (1 + w.hiring_uplift), 1.0),
            "workforce.turnover_per_year": wf.turnover_per_year * (1 - w.turnover_reduction),
            "workforce.manager_hire_per_week": min(wf.manager_hire_per_week * (1 + w.manager_uplift), 1.0),
        })

    def _profit_cap(self):
        m = self.model
        m.params = m.params.replace(**{"pricing.profit_cap": min(self.p.profit_cap.cap, m.params.pricing.profit_cap)})

    def _oversight(self):
        m, o = self.model, self.p.oversight
        m.oversight_factor = o.failure_multiplier
        m.orderly_transfer = o.orderly_transfer

    # --------------------------------------------------------------------------- capital
    def _plan_capital(self) -> dict[int, list]:
        """Capital programme events by week: extensions, new council homes, new secure homes."""
        m, c = self.model, self.p.capital
        events: dict[int, list] = {}
        scale = m.params.run.scale

        def at(week, fn):
            events.setdefault(int(week), []).append((week, fn))

        n_ext = int(round(c.existing_homes * scale))
        if n_ext and c.existing_home_places:
            places = _split(int(round(c.existing_home_places * scale)), n_ext)
            weeks = np.linspace(0, c.existing_end_week, n_ext).astype(int)
            for k, (w, pl) in enumerate(zip(weeks, places)):
                at(w, lambda pl=pl: m.extend_council_home(pl, c.target))
        n_new = int(round(c.new_council_homes * scale))
        if n_new and c.new_council_places:
            places = _split(int(round(c.new_council_places * scale)), n_new)
            weeks = np.linspace(c.new_start_week, c.new_end_week, n_new).astype(int)
            for w, pl in zip(weeks, places):
                at(w, lambda pl=pl: m.open_council_home(pl, c.target))
        if c.secure_places and c.secure_regions:
            places = _split(int(round(c.secure_places * scale)), len(c.secure_regions))
            for reg, pl in zip(c.secure_regions, places):
                if pl:
                    at(c.secure_week, lambda reg=reg, pl=pl: m.open_secure_home(REGIONS.index(reg), pl))
        return events


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(max(total, 0), max(parts, 1))
    return [base + (1 if i < extra else 0) for i in range(parts)]
