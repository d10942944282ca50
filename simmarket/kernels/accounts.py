"""Kernels of the providers' and authorities' books: the week's accounts (phases.accounts) and
staffing (phases.staffing).

Each replaces a run of NumPy passes over the children or the homes by loops with the same
arithmetic in the same order. Grouped sums add in index order, as `np.bincount(weights=)` does,
so they give the same floats. Status, state and sector codes are passed in (this layer knows no
model).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Rows of `settle`'s table by authority: spend on spot placements in homes, on unregistered
# settings, on supported accommodation, on everything but homes (unregistered, foster care and
# supported accommodation); children in homes, and in homes or unregistered settings; council
# homes' cost and income (by the home's authority); the Home Office's funding of unaccompanied children.
(SPEND_SPOT, SPEND_UNREG, SPEND_SUPPORTED, SPEND_OTHER, IN_HOMES, RESIDENTIAL, COUNCIL_COST, COUNCIL_INCOME,
 HOME_OFFICE) = range(9)
N_ROWS = HOME_OFFICE + 1


@njit(cache=True)
def establishment(places, core, per_place):
    """rules.establishment of one home of `places` places: core + per_place * places staff (FTE)
    if it has places, else none."""
    return core + per_place * float(places) if places > 0 else 0.0


@njit(cache=True)
def settle(status, block, home, la, price, uasc, state, sector, home_la, owner, places, staff, block_buyer,
           block_places, block_price, profit_ewma, indebted, revenue_to_date, cost_to_date, prop_of_la, n_la,
           n_customers, codes, money):
    """The week's accounts (phases.accounts) in one pass over the children and one over the homes.

    codes: (home, unregistered, gone, foster, supported, number of statuses, active, council);
    money: (core staff of a home, staff per place beyond the core (rules.establishment), weekly
    wage, debt service share of revenue, profit average's keep and weight, foster care's and
    supported accommodation's weekly cost, the Home Office's weekly funding of a child).
    Returns each home's revenue and cost, block payments by customer (authority or cooperative,
    `n_customers` of them) and the (N_ROWS, n_la) table by authority (rows SPEND_SPOT...). In place:
    the homes' profit averages and the owners' revenue and cost to date.
    """
    home_code, unreg_code, gone_code, foster_code, supported_code, n_status, active_code, council_code = codes
    foster_cost, supported_cost, uasc_week = money[6], money[7], money[8]
    rev, spend_spot, spend_unreg, in_use, in_care_uasc = child_accounts(
        status, block, home, la, price, uasc, len(state), n_la, n_status, home_code, unreg_code, gone_code)
    cost, by_buyer, council, by_owner = home_accounts(
        rev, state, sector, home_la, owner, places, staff, block_buyer, block_places, block_price, profit_ewma,
        indebted, prop_of_la, n_la, n_customers, len(revenue_to_date), active_code, council_code, money)
    for o in range(len(revenue_to_date)):
        revenue_to_date[o] += by_owner[0, o]
        cost_to_date[o] += by_owner[1, o]
    by_la = np.empty((N_ROWS, n_la))
    for a in range(n_la):
        supported = in_use[supported_code, a] * supported_cost
        by_la[SPEND_SPOT, a] = spend_spot[a]
        by_la[SPEND_UNREG, a] = spend_unreg[a]
        by_la[SPEND_SUPPORTED, a] = supported
        by_la[SPEND_OTHER, a] = spend_unreg[a] + in_use[foster_code, a] * foster_cost + supported
        by_la[IN_HOMES, a] = in_use[home_code, a]
        by_la[RESIDENTIAL, a] = in_use[home_code, a] + in_use[unreg_code, a]
        by_la[COUNCIL_COST, a] = council[0, a]
        by_la[COUNCIL_INCOME, a] = council[1, a]
        by_la[HOME_OFFICE, a] = in_care_uasc[a] * uasc_week
    return rev, cost, by_buyer, by_la


@njit(cache=True)
def child_accounts(status, block, home, la, price, uasc, n_homes, n_la, n_status, home_code, unreg_code,
                   gone_code):
    """The children's side of the week's accounts in one pass (with spot = status == home_code &
    ~block and unreg = status == unreg_code):

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
        # indices as unsigned: they are never negative, and numba then need not wrap negative ones
        s, a = status[i], np.uint64(la[i])
        in_use[np.uint64(s), a] += 1
        if s == home_code:
            if not block[i]:
                rev_spot[np.uint64(home[i])] += price[i]
                spend_spot[a] += price[i]
        elif s == unreg_code:
            spend_unreg[a] += price[i]
        if uasc[i] and s != gone_code:
            in_care_uasc[a] += 1
    return rev_spot, spend_spot, spend_unreg, in_use, in_care_uasc


@njit(cache=True)
def home_accounts(rev, state, sector, home_la, owner, places, staff, block_buyer, block_places, block_price,
                  profit_ewma, indebted, prop_of_la, n_la, n_customers, n_owners, active_code, council_code, money):
    """The homes' side of the week's accounts in one pass, as NumPy wrote it (money as `settle`'s):

    blocks = where(active, block_places * block_price, 0.0); rev += blocks (in place, from the
    spot revenue); cost = where(active, maximum(est, staff) * wage + places * prop_of_la[home_la], 0.0)
    + where(indebted[owner], debt_share * rev, 0.0) with est = rules.establishment(places);
    profit_ewma = where(active, keep * profit_ewma + weight * (rev - cost), 0.0) (in place).
    Returns cost; by_buyer = bincount(block_buyer[held], blocks[held], n_customers) (held:
    block_buyer >= 0); council = (cost, rev) summed by home_la over active council homes; by_owner =
    (rev, cost) summed by owner.
    """
    core, per_place, wage, debt_share, keep, weight = money[0], money[1], money[2], money[3], money[4], money[5]
    cost = np.empty(len(state))
    by_buyer = np.zeros(n_customers)
    council = np.zeros((2, n_la))
    by_owner = np.zeros((2, n_owners))
    for i in range(len(state)):
        active = state[i] == active_code
        blocks = block_places[i] * block_price[i] if active else 0.0
        rev[i] = rev[i] + blocks
        c = 0.0
        if active:
            target = max(establishment(places[i], core, per_place), float(staff[i]))
            c = target * wage + places[i] * prop_of_la[home_la[i]]
        cost[i] = c + (debt_share * rev[i] if indebted[owner[i]] else 0.0)
        profit_ewma[i] = keep * profit_ewma[i] + weight * (rev[i] - cost[i]) if active else 0.0
        if block_buyer[i] >= 0:
            by_buyer[block_buyer[i]] += blocks
        if active and sector[i] == council_code:
            council[0, home_la[i]] += cost[i]
            council[1, home_la[i]] += rev[i]
        by_owner[0, owner[i]] += rev[i]
        by_owner[1, owner[i]] += cost[i]
    return cost, by_buyer, council, by_owner


@njit(cache=True)
def learn_occupancy(seen, region_of_la, home_la, state, places, occupied, active_code, memory_weeks):
    """In place, providers' view of their regions' occupancy (phases.accounts.learn_occupancy), as
    NumPy wrote it: with places and occupied summed by region (region_of_la[home_la]) over the
    active homes, seen += (occupied / maximum(places, 1.0) - seen) / memory_weeks."""
    n = len(seen)
    sum_places = np.zeros(n)
    sum_occupied = np.zeros(n)
    for i in range(len(state)):
        if state[i] == active_code:
            r = region_of_la[home_la[i]]
            sum_places[r] += places[i]
            sum_occupied[r] += occupied[i]
    for r in range(n):
        seen[r] += (sum_occupied[r] / max(sum_places[r], 1.0) - seen[r]) / memory_weeks


@njit(cache=True)
def staff_vacancies(act, places, core, per_place, staff_used, staff, leavers):
    """Vacancies of the active homes `act` (phases.staffing), as NumPy wrote them: target =
    ceil(maximum(est, staff_used) - 1e-9) as integers, with est = rules.establishment(places) (core
    and per_place as in `settle`'s money); vacancies = maximum(target - (staff - leavers), 0)
    (staff, leavers: of act)."""
    vacancies = np.empty(len(act), np.int64)
    for j in range(len(act)):
        i = act[j]
        target = np.int64(np.ceil(max(establishment(places[i], core, per_place), staff_used[i]) - 1e-9))
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
