"""Kernels of the week's bookkeeping: accounts, staffing, entry and exit, and the weekly record.

Each replaces a run of NumPy passes over the children or the homes by one loop, with the same
arithmetic in the same order. Grouped sums add in index order, as `np.bincount(weights=)` does,
so they give the same floats. Status, state and sector codes are passed in (this layer knows no
model).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def child_accounts(status, block, home, la, price, uasc, n_homes, n_la, n_status, home_code, unreg_code,
                   gone_code):
    """The children's side of the week's accounts in one pass (it replaces, with spot = status ==
    home_code & ~block and unreg = status == unreg_code):

    rev_spot = bincount(home[spot], price[spot], n_homes); spend_spot = bincount(la[spot], price[spot],
    n_la); spend_unreg = bincount(la[unreg], price[unreg], n_la); in_use = children by status and
    authority (Children.counts_by_status); uasc = bincount(la[uasc & (status != gone_code)], n_la).
    """
    rev_spot = np.zeros(n_homes)
    spend_spot = np.zeros(n_la)
    spend_unreg = np.zeros(n_la)
    in_use = np.zeros((n_status, n_la), np.int64)
    in_care_uasc = np.zeros(n_la, np.int64)
    for i in range(len(status)):
        s, a = status[i], la[i]
        in_use[s, a] += 1
        if s == home_code:
            if not block[i]:
                rev_spot[home[i]] += price[i]
                spend_spot[a] += price[i]
        elif s == unreg_code:
            spend_unreg[a] += price[i]
        if uasc[i] and s != gone_code:
            in_care_uasc[a] += 1
    return rev_spot, spend_spot, spend_unreg, in_use, in_care_uasc


@njit(cache=True)
def home_costs(state, places, est, staff, la, owner, prop_of_la, indebted, rev, active_code, wage, debt_share):
    """Each home's weekly cost, as accounts.home_costs wrote it in NumPy, given its establishment
    `est` (rules.establishment): target = maximum(est, staff);
    cost = where(active, target * wage + places * prop_of_la[la], 0.0)
           + where(indebted[owner], debt_share * rev, 0.0).
    """
    n = len(state)
    cost = np.empty(n)
    for i in range(n):
        c = 0.0
        if state[i] == active_code:
            target = max(est[i], float(staff[i]))
            c = target * wage + places[i] * prop_of_la[la[i]]
        cost[i] = c + (debt_share * rev[i] if indebted[owner[i]] else 0.0)
    return cost


@njit(cache=True)
def smooth_profit(state, ewma, rev, cost, active_code, keep, weight):
    """In place: ewma = where(active, keep * ewma + weight * (rev - cost), 0.0)."""
    for i in range(len(state)):
        ewma[i] = keep * ewma[i] + weight * (rev[i] - cost[i]) if state[i] == active_code else 0.0


@njit(cache=True)
def pair_sums(groups, keep, a, b, n):
    """bincount(groups[keep], a[keep], n) and bincount(groups[keep], b[keep], n) in one pass (keep
    None: every element), each adding in index order as np.bincount does."""
    sum_a = np.zeros(n)
    sum_b = np.zeros(n)
    for i in range(len(groups)):
        if keep is None or keep[i]:
            sum_a[groups[i]] += a[i]
            sum_b[groups[i]] += b[i]
    return sum_a, sum_b


@njit(cache=True)
def rows_with(codes, code):
    """np.flatnonzero(codes == code): counted, then gathered by a compaction without branches (a
    status scan's cost is its mispredicted branches)."""
    n = 0
    for i in range(len(codes)):
        n += codes[i] == code
    rows = np.empty(n + 1, np.int64)  # the compaction writes one past the last row
    k = 0
    for i in range(len(codes)):
        rows[k] = i
        k += codes[i] == code
    return rows[:n]


@njit(cache=True)
def homes_closing(state, profit_ewma, sector, secure, no_manager_since, u, active_code, council_code, base, loss,
                  weeks_per_year, week, no_manager_weeks):
    """Homes that close this week (entry_exit.close_failing), flatnonzero(by_hazard | no_mgr) of:

    losing = active & (profit_ewma < 0) & (sector != council_code) & ~secure;
    hazard = where(active, base, 0.0) + where(losing, loss, 0.0); by_hazard = u < hazard / weeks_per_year;
    no_mgr = active & (no_manager_since >= 0) & (week - no_manager_since >= no_manager_weeks).
    """
    close = np.zeros(len(state), np.bool_)
    for i in range(len(state)):
        active = state[i] == active_code
        losing = active and profit_ewma[i] < 0 and sector[i] != council_code and not secure[i]
        hazard = (base if active else 0.0) + (loss if losing else 0.0)
        since = no_manager_since[i]
        close[i] = u[i] < hazard / weeks_per_year or (active and since >= 0 and week - since >= no_manager_weeks)
    return np.flatnonzero(close)


@njit(cache=True)
def growing_owners(sector, grows, pick, owner_sector, failed):
    """Existing owners of new homes that go to a growing organisation (entry_exit.owners_for): for
    home i with grows[i], the owner at position int(pick[i] * k) among the k owners of its sector
    that have not failed (in table order), or -1 if there are none (then a new organisation)."""
    n_sectors = max(sector.max() + 1 if len(sector) else 0, owner_sector.max() + 1 if len(owner_sector) else 0)
    k = np.zeros(n_sectors, np.int64)
    for j in range(len(owner_sector)):
        if not failed[j]:
            k[owner_sector[j]] += 1
    owner = np.full(len(sector), -1, np.int64)
    for i in range(len(sector)):
        if grows[i] and k[sector[i]] > 0:
            target = int(pick[i] * k[sector[i]])
            seen = 0
            for j in range(len(owner_sector)):
                if owner_sector[j] == sector[i] and not failed[j]:
                    if seen == target:
                        owner[i] = j
                        break
                    seen += 1
    return owner


@njit(cache=True)
def staff_vacancies(act, est, staff_used, staff, leavers):
    """Vacancies of the active homes `act` (staffing.update_staffing), as NumPy wrote them:
    target = ceil(maximum(est, staff_used) - 1e-9) as integers; vacancies = maximum(target -
    (staff - leavers), 0) (est: the establishment, rules.establishment; est, staff, leavers: of act)."""
    vacancies = np.empty(len(act), np.int64)
    for j in range(len(act)):
        i = act[j]
        target = np.int64(np.ceil(max(est[j], staff_used[i]) - 1e-9))
        vacancies[j] = max(target - (staff[j] - leavers[j]), 0)
    return vacancies


@njit(cache=True)
def settle_staff(act, staff, manager, no_manager_since, staff_act, leavers, hires, u_lose, u_gain, p_lose, p_gain,
                 week):
    """In place, for the active homes `act` (arrays of act: staff_act, leavers, hires, u_lose,
    u_gain): staff = staff_act - leavers + hires; a manager leaves if u_lose < p_lose, a home
    without one gains one if u_gain < p_gain; no_manager_since is -1 with a manager, else the
    week the home first had none."""
    for j in range(len(act)):
        i = act[j]
        staff[i] = staff_act[j] - leavers[j] + hires[j]
        had = manager[i]
        now = (had and not u_lose[j] < p_lose) or (not had and u_gain[j] < p_gain)
        manager[i] = now
        if now:
            no_manager_since[i] = -1
        elif no_manager_since[i] < 0:
            no_manager_since[i] = week


@njit(cache=True)
def region_money(la, region_of_la, sector, state, revenue, cost, n_regions, private_code, active_code):
    """Providers' money by region of the home, with region = region_of_la[la] and private = active
    private homes: bincount(region, revenue), bincount(region[private], revenue[private]) and
    bincount(region[private], cost[private]), in one pass."""
    all_revenue = np.zeros(n_regions)
    private_revenue = np.zeros(n_regions)
    private_cost = np.zeros(n_regions)
    for i in range(len(la)):
        r = region_of_la[la[i]]
        all_revenue[r] += revenue[i]
        if sector[i] == private_code and state[i] == active_code:
            private_revenue[r] += revenue[i]
            private_cost[r] += cost[i]
    return all_revenue, private_revenue, private_cost
