"""Phase 2, staffing: turnover and recruitment of care staff and registered managers.

One national labour market: `workforce.supply_multiplier` scales hiring everywhere. The hiring,
turnover and manager rates in force are the levers' (a workforce package changes them).
"""

from __future__ import annotations

import numpy as np

from ..kernels import accounts
from ..rules.costs import staff_per_place_beyond_core
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
    # homes recruit for their places (their establishment), and for more if their residents need it
    vacancies = accounts.staff_vacancies(act, homes.places, float(wf.core_staff_per_home),
                                         float(staff_per_place_beyond_core(wf)), homes.staff_used, staff, leavers)
    p_hire = min(rates.hire_per_week * wf.supply_multiplier, 1.0)
    hires = rng.binomial(vacancies, p_hire)
    u_lose, u_gain = rng.random(len(act)), rng.random(len(act))
    p_mgr = min(max(rates.manager_hire_per_week * wf.supply_multiplier, 0.0), 1.0)  # np.clip's number
    accounts.settle_staff(act, homes.staff, homes.manager, homes.no_manager_since, staff, leavers, hires, u_lose,
                          u_gain, wf.manager_loss_per_year / WEEKS_PER_YEAR, p_mgr, week)
