"""Phase 6b, entry and exit: homes close, registered homes open, providers start new projects.

Entrants open homes where expected returns are high and property is affordable (often not where
children come from), subject to planning refusal and an Ofsted registration delay; homes close
on losses, on a long-lost manager, or when their owner fails, and their children search again.
"""

from __future__ import annotations

import numpy as np

from ..arrays import choice_cdf, choose
from ..kernels import books, entry
from ..rules import staff_target
from ..state import ACTIVE, CLOSED, COUNCIL, HOME, PIPELINE, PRIVATE, UNREG, VOLUNTARY, WAITING, draw_home_traits
from ..time import WEEKS_PER_YEAR
from .placements import start_search, vacate

INITIAL_STAFFING = 0.9  # share of target staff in post when a home opens (prior)
MARCH_2024_HOMES = 3292  # ordinary market homes at 31 March 2024 (OFS, data/history/national_series.csv)
NEW_ENTRANT_SHARE = 0.5  # share of private new homes opened by a new organisation (prior)
MAX_ATTRACTIVENESS = 3.0  # a region's margin counts at most 3x the target margin in entrants' choice (prior)
# NAO25 1.18: 982 children first in an unregistered setting in 2023-24; OFS: 12,138 registered places at 31 March 2024
SHORTAGE_REFERENCE = 982 / 12138
SECTOR_LABELS = ("private", "council", "voluntary", "health")


def enter_and_exit(m) -> None:
    close_failing(m)
    open_registered(m)
    start_projects(m, m.week)


def close_failing(m) -> None:
    """Homes close at a base rate, more often when losing money, and after a long time with no
    registered manager."""
    homes, sup, rng = m.homes, m.params.supply, m.streams["supply"]
    u = rng.random(homes.n)
    # active homes close at the base hazard, plus the loss hazard when losing money (council and
    # secure homes excepted), or after closure_no_manager_weeks without a manager
    close_homes(m, books.homes_closing(homes.state, homes.profit_ewma, homes.sector, homes.secure,
                                       homes.no_manager_since, u, ACTIVE, COUNCIL, sup.closure_base_per_year,
                                       sup.closure_loss_per_year, WEEKS_PER_YEAR, m.week,
                                       sup.closure_no_manager_weeks))


def close_homes(m, h: np.ndarray) -> None:
    """Close homes; their children go back into the search."""
    if len(h) == 0:
        return
    ch, homes = m.children, m.homes
    kids = entry.children_in(ch.status, ch.home, h, homes.n, HOME)
    vacate(m, kids)
    start_search(m, kids)
    homes.state[h] = CLOSED
    homes.close_week[h] = m.week
    homes.clear_blocks(h)
    m.flows.add_region("homes_closed", m.week, m.region_of_la[homes.la[h]])


def open_registered(m) -> None:
    """Homes whose registration is through open."""
    homes = m.homes
    opening = entry.open_due(homes.state, homes.open_week, m.week, PIPELINE, ACTIVE)
    if len(opening) == 0:
        return
    m.flows.add_region("homes_opened", m.week, m.region_of_la[homes.la[opening]])


def entry_weights(m) -> np.ndarray:
    """Where new homes are attractive: expected margin against property cost, by authority."""
    sup, pr = m.params.supply, m.params.pricing
    target = pr.target_margin_private
    margin = m.flows.expected_margin(m.week, target)
    # a region's margin relative to the margin entrants aim for (with no positive target, any profit attracts)
    relative = margin / target if target > 0 else np.where(margin > 0, MAX_ATTRACTIVENESS, 0.0)
    attractive = np.clip(relative, 0.0, MAX_ATTRACTIVENESS) ** sup.return_elasticity
    base = m.pop_0_17 * m.geo.property_index ** -sup.property_elasticity
    norm = base.sum()
    shaping = np.any(m.levers.shaping > 0)
    need = need_score(m) if m.levers.planning_need_weight > 0 or shaping else None  # one scan of the children
    if m.levers.planning_need_weight > 0:
        w, needy = m.levers.planning_need_weight, need + 1e-9
        base = (1 - w) * base + w * needy / needy.sum() * norm
    if shaping:
        base = shaped_by_cooperatives(base, need, m.levers.rcc_of_la, m.levers.shaping)
    return base * attractive[m.region_of_la] / norm


def shaped_by_cooperatives(base: np.ndarray, need: np.ndarray, coop: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Market shaping: a cooperative's market position statement tells providers where its
    members' children go without (waiting, unregistered or placed outside their authority), and
    `share` of the projects providers would start in its members' area go there, by that need.
    The area's pull on entrants stays the same (information redirects projects; it does not add
    returns): within each cooperative, weights are mixed towards the members' shares of need."""
    out = base.copy()
    for g in np.unique(coop[(coop >= 0) & (share > 0)]):
        members = np.flatnonzero(coop == g)
        if need[members].sum() <= 0:
            continue
        w = share[members]
        out[members] = (1 - w) * base[members] + w * need[members] / need[members].sum() * base[members].sum()
    return out


def stock_factor(m) -> float:
    """Projects grow with the market (`supply.entry_scales_with_stock`): homes open relative to
    March 2024's (OFS: 3,292). Providers open new homes from their base, so a smaller market
    starts fewer (a prior; 339 homes opened in 2020-21 from 2,212, 671 in 2024-25 from 3,292)."""
    if not m.params.supply.entry_scales_with_stock:
        return 1.0
    return float(np.count_nonzero(m.homes.state == ACTIVE)) / (MARCH_2024_HOMES * m.scale)


def shortage_factor(m) -> float:
    """Projects follow the shortage providers see (`supply.shortage_weight`, w): children going to
    unregistered settings for want of a registered place, per registered place over the last
    quarter, against 2023-24's (s). Projects scale by (1 + w s) / (1 + w): 1 at 2023-24's shortage,
    1 / (1 + w) with none. Weeks before the start count at the shortage seen then (start.py)."""
    w = m.params.supply.shortage_weight
    if w == 0:
        return 1.0
    s = m.flows.recent_unregistered_rate(m.week, m.homes.registered_places(), m.shortage_before_start)
    s /= SHORTAGE_REFERENCE
    return (1 + w * s) / (1 + w)


def start_projects(m, week: int) -> None:
    """Providers start new-home projects; planning refuses some; Ofsted registers the rest later."""
    rng, sup, s = m.streams["supply"], m.params.supply, m.scale
    w = entry_weights(m)
    n = rng.poisson(sup.entry_projects_per_year / WEEKS_PER_YEAR * s * stock_factor(m) * shortage_factor(m) * w.sum())
    if n == 0:
        return
    # rng.choice(m.n_la, size=n, p=w / w.sum()): the same draw, without choice's checks
    la, opens = through_planning(m, choose(choice_cdf(w / w.sum()), rng.random(n)), week)
    if len(la):
        add_homes(m, la, opens)


def through_planning(m, la: np.ndarray, week: int) -> tuple[np.ndarray, np.ndarray]:
    """Projects started in `week` at these authorities: planning refuses some; Ofsted registers the
    rest after a random delay. Returns the sites kept and the week each opens."""
    rng, sup = m.streams["supply"], m.params.supply
    la = la[rng.random(len(la)) >= min(sup.planning_refusal * m.levers.planning_refusal_factor, 1.0)]
    if len(la) == 0:
        return la, la
    return la, week + rng.integers(sup.registration_weeks_min, sup.registration_weeks_max + 1, len(la))


def add_homes(m, la: np.ndarray, open_week: np.ndarray, sector: np.ndarray | None = None,
              places: np.ndarray | None = None, owner: np.ndarray | None = None) -> np.ndarray:
    """New homes (in the pipeline until open_week), by default with new or growing providers."""
    rng, sup = m.streams["supply"], m.params.supply
    n = len(la)
    if places is None:
        places = 1 + choose(choice_cdf(sup.new_home_places), rng.random(n))
    if sector is None:
        sector = np.where(rng.random(n) < sup.private_entry_share, PRIVATE, VOLUNTARY)
    owner = owners_for(m, sector) if owner is None else owner
    x, y = m.geo.points_in(la, rng)
    target = staff_target(places, m.params.workforce).astype(np.int64)
    return m.homes.add(
        la=la, x=x, y=y, places=places, sector=sector, owner=owner, state=PIPELINE, open_week=open_week,
        staff=rng.binomial(target, INITIAL_STAFFING), manager=True,
        price_factor=m.owners.price_factor[owner] * rng.lognormal(0, m.params.pricing.price_noise_sd / 2, n),
        **draw_home_traits(rng, n),
    )


def owners_for(m, sector: np.ndarray) -> np.ndarray:
    """New homes' owners: new organisations, or existing ones of the same sector that grow.

    The new organisations are created together, after the choices (one append to the owners
    table; the same names, draws and order as one at a time)."""
    rng = m.streams["supply"]
    new_org = (sector == COUNCIL) | (rng.random(len(sector)) < NEW_ENTRANT_SHARE)
    pick = rng.random(len(sector))
    # a growing organisation: picked uniformly (by `pick`) among the sector's owners not failed
    owner = books.growing_owners(sector, ~new_org, pick, m.owners.sector, m.owners.failed)
    new = np.flatnonzero(owner < 0)
    first = len(m.providers)
    names = [f"New {SECTOR_LABELS[sec]} provider {first + j}" for j, sec in enumerate(sector[new].tolist())]
    owner[new] = m.new_providers(names, sector[new])
    return owner


def need_score(m) -> np.ndarray:
    """Where places are short: each authority's children waiting or placed outside it."""
    ch, homes = m.children, m.homes
    placed = ch.status == HOME
    outside = placed & (homes.la[np.maximum(ch.home, 0)] != ch.la)
    searching = (ch.status == WAITING) | (ch.status == UNREG)
    return np.bincount(ch.la[outside | searching], minlength=m.n_la).astype(float)


def fail_owner(m, owner: int) -> None:
    """An owner fails: its projects are abandoned and its homes close, or pass with their children
    to a successor when oversight arranges an orderly transfer."""
    m.owners.failed[owner] = True
    homes = np.flatnonzero((m.homes.owner == owner) & (m.homes.state != CLOSED))
    m.homes.state[homes[m.homes.state[homes] == PIPELINE]] = CLOSED  # projects abandoned
    homes = homes[m.homes.state[homes] == ACTIVE]
    if m.levers.orderly_transfer:
        transfer_homes(m, homes)
    else:
        close_homes(m, homes)


def transfer_homes(m, h: np.ndarray) -> None:
    """Financial oversight: a failed owner's homes pass, with their children, to a new owner."""
    if len(h):
        m.homes.owner[h] = m.new_provider(f"Successor provider {len(m.providers)}", PRIVATE).index
