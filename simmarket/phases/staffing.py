"""Phase 2, staffing: turnover and recruitment of care staff and registered managers.

One national labour market: `workforce.supply_multiplier` scales hiring everywhere. The hiring,
turnover and manager rates in force are the levers' (a workforce package changes them).
"""

from __future__ import annotations

import numpy as np

from ..rules import establishment
from ..time import WEEKS_PER_YEAR


def staff_homes(m) -> None:
    update_staffing(m.homes, m.streams["staff"], m.params.workforce, m.levers, m.week)


def update_staffing(homes, rng: np.random.Generator, wf, rates, week: int) -> None:
    """Home by home: staff leave, vacancies are filled at the hiring rate, managers come and go.

    rates: the hiring, turnover and manager-hiring rates in force (`hire_per_week`,
    `turnover_per_year`, `manager_hire_per_week`).
    """
    act = np.flatnonzero(homes.active)
    staff = homes.staff[act]
    leavers = rng.binomial(staff, min(rates.turnover_per_year / WEEKS_PER_YEAR, 1.0))
    # homes recruit for their places, and for more if their residents need it
    target = np.ceil(np.maximum(establishment(homes.places[act], wf), homes.staff_used[act]) - 1e-9).astype(np.int64)
    vacancies = np.maximum(target - (staff - leavers), 0)
    p_hire = min(rates.hire_per_week * wf.supply_multiplier, 1.0)
    hires = rng.binomial(vacancies, p_hire)
    homes.staff[act] = staff - leavers + hires

    manager = homes.manager[act]
    lose = manager & (rng.random(len(act)) < wf.manager_loss_per_year / WEEKS_PER_YEAR)
    p_mgr = np.clip(rates.manager_hire_per_week * wf.supply_multiplier, 0, 1)
    gain = ~manager & (rng.random(len(act)) < p_mgr)
    new_manager = (manager & ~lose) | gain
    homes.manager[act] = new_manager
    since = homes.no_manager_since[act]
    homes.no_manager_since[act] = np.where(new_manager, -1, np.where(since < 0, week, since))
