"""The policy schedule: switches the scenario's levers on at their start weeks, gives the authorities
of each [[commissioning.local]] table their own commissioning from its week, and plans the capital
programme's events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import REGIONS, load_authorities
from ..phases.capital import extend_council_home, open_council_home, open_secure_home
from ..time import ramp


class PolicySchedule:
    """Applies the scenario's [policy.*] levers and local commissioning tables to the model's levers;
    called once a week."""

    def __init__(self, model):
        self.model = model
        self.p = model.params.policy
        self.local = model.params.commissioning.local
        self.switched: set[str] = set()
        self.capital_events = self._plan_capital()

    def apply(self, week: int) -> None:
        lv, p = self.model.levers, self.p
        self._once("workforce", p.workforce.start_week, week, self._workforce)
        self._once("profit_cap", p.profit_cap.start_week, week, self._profit_cap, p.profit_cap.cap < 1.0)
        self._once("oversight", p.oversight.start_week, week, self._oversight)
        lv.foster_policy = 1 + p.foster.capacity_uplift * ramp(week, p.foster.start_week, p.foster.ramp_weeks)
        lv.prevention_factor = 1 - p.prevention.entry_reduction * ramp(week, p.prevention.start_week, p.prevention.ramp_weeks)
        if week >= p.planning.start_week:
            lv.planning_refusal_factor = p.planning.refusal_multiplier
            lv.planning_need_weight = p.planning.need_weight
        if week >= p.enforcement.start_week:
            e = p.enforcement
            lv.unreg_detection = e.detection_per_week
            lv.unreg_fine_per_week = e.detection_per_week * e.fine_gbp
            lv.unreg_extra_weeks = e.deterrence_weeks
        for i, table in enumerate(self.local):  # in file order: a later table wins for the same week
            self._once(f"local[{i}]", table.from_week, week, lambda t=table: self._commission_locally(t))
        for action in self.capital_events.get(week, []):
            action()

    def _commission_locally(self, table) -> None:
        """A [[commissioning.local]] table's authorities take its values (below full scale, the
        simulated authority each named one is merged into)."""
        m = self.model
        england = load_authorities()["la_code"]
        la = np.unique(m.group_of_la[pd.Index(england).get_indexer(list(table.authorities))])
        agents = sorted(m.authorities, key=lambda a: a.index)
        spread = np.array([a.limit_spread for a in agents])
        draw = np.array([a.plan_draw for a in agents])
        m.levers.commission_locally(la, table.settings(), spread, draw)

    def _once(self, key, start, week, fn, enabled=True):
        if enabled and week >= start and key not in self.switched:
            self.switched.add(key)
            fn()

    def _workforce(self):
        lv, w = self.model.levers, self.p.workforce
        lv.hire_per_week = min(lv.hire_per_week * (1 + w.hiring_uplift), 1.0)
        lv.turnover_per_year = lv.turnover_per_year * (1 - w.turnover_reduction)
        lv.manager_hire_per_week = min(lv.manager_hire_per_week * (1 + w.manager_uplift), 1.0)

    def _profit_cap(self):
        lv = self.model.levers
        lv.profit_cap = min(self.p.profit_cap.cap, lv.profit_cap)

    def _oversight(self):
        lv, o = self.model.levers, self.p.oversight
        lv.oversight_factor = o.failure_multiplier
        lv.orderly_transfer = o.orderly_transfer

    def _plan_capital(self) -> dict[int, list]:
        """Capital programme events by week: extensions, new council homes, new secure homes."""
        m, c = self.model, self.p.capital
        events: dict[int, list] = {}
        scale = m.scale  # the share of England simulated

        def at(week, fn):
            events.setdefault(int(week), []).append(fn)

        n_ext = int(round(c.existing_homes * scale))
        if n_ext and c.existing_home_places:
            places = split(int(round(c.existing_home_places * scale)), n_ext)
            for w, pl in zip(np.linspace(0, c.existing_end_week, n_ext).astype(int), places):
                at(w, lambda pl=pl: extend_council_home(m, pl, c.target))
        n_new = int(round(c.new_council_homes * scale))
        if n_new and c.new_council_places:
            places = split(int(round(c.new_council_places * scale)), n_new)
            for w, pl in zip(np.linspace(c.new_start_week, c.new_end_week, n_new).astype(int), places):
                at(w, lambda pl=pl: open_council_home(m, pl, c.target))
        if c.secure_places and c.secure_regions:
            places = split(int(round(c.secure_places * scale)), len(c.secure_regions))
            for reg, pl in zip(c.secure_regions, places):
                if pl:
                    at(c.secure_week, lambda reg=reg, pl=pl: open_secure_home(m, REGIONS.index(reg), pl))
        return events


def split(total: int, parts: int) -> list[int]:
    """`total` split into `parts` whole numbers that differ by at most one."""
    base, extra = divmod(max(total, 0), max(parts, 1))
    return [base + (1 if i < extra else 0) for i in range(parts)]
