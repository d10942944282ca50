"""Kernels of the week's bookkeeping: entry and exit, scans of a status (the weekly metrics,
escalation) and the weekly record (the accounts' and staffing's are in `kernels.accounts`).

Each replaces a run of NumPy passes over the children or the homes by one loop, with the same
arithmetic in the same order. Grouped sums add in index order, as `np.bincount(weights=)` does,
so they give the same floats. Status, state and sector codes are passed in (this layer knows no
model).
"""

from __future__ import annotations

import numpy as np
from numba import njit


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
