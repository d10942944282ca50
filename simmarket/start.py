"""The start state: England's market at 31 March of the run's start year, from the shipped data.

Authorities and their looked-after children that year (data/history/), the homes active that day
with their owners, and the projects already in planning or registration. The stock of children in homes is placed
by the same clearing the weeks use (most complex first), never copied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data
from .data.scaling import authorities_at_scale
from .agents import INDEBTED_MIN_HOMES, LocalAuthority, Provider, RegionalCareCooperative
from .phases.clearing import match
from .phases.demand import SUPPORTED_MIN_AGE, LEAVING_AGE, UASC_16PLUS_SHARE, UASC_MIN_AGE, add_children
from .phases.entry_exit import INITIAL_STAFFING, start_projects
from .policy import Levers, rcc_membership
from .rules import staff_need, staff_target
from .state import ACTIVE, FOSTER, Geography, HOME, NEVER, PRIVATE, SECTOR_CODES, SUPPORTED, WAITING, draw_home_traits

INITIAL_MATCH_ROUNDS = 30  # search weeks allowed to place the start's stock (prior)
INITIAL_MANAGER_SHARE = 0.82  # homes with a registered manager, March 2024 (NAO25 2.14: 81% in 2025)
FOSTER_AGES = ((0, 5, 0.2), (5, 10, 0.22), (10, 16, 0.4), (16, 18, 0.18))  # DfE CLA 2024 age mix (approx.)
HOME_AGES = ((8, 12, 0.06), (12, 16, 0.54), (16, 18, 0.40))  # children in homes are mostly 12-17 (DfE CLA 2024, approx.)
CURRENT_PLACEMENT_MAX_WEEKS = 104  # the stock's placements began up to two years before the start (prior)
EARLIER_PLACEMENT_SHARE = 0.3  # share of the stock with another placement in the year before it (prior)
EARLIER_PLACEMENT_MAX_WEEKS = 52
OCCUPANCY_FLOOR = 0.3  # a region's start occupancy is read as at least this (guards tiny runs; prior)
PIPELINE_EXTRA_WEEKS = 8  # the pipeline is seeded from this long before the longest registration delay (prior)
# children first placed in an unregistered setting in the year to each start's 31 March (NAO25 1.18, Ofsted:
# 147 in 2020-21, 304, 724, 982 in 2023-24); 2019-20 and 2024-25 are not published, so the nearest year stands in
UNREGISTERED_BEFORE_START = {2020: 147, 2021: 147, 2022: 304, 2023: 724, 2024: 982, 2025: 982}


def place_authorities(m) -> None:
    """The simulated authorities and what the run's scale means (data/scaling.py).

    At scale s >= 1 every authority is simulated with s times its children and homes (a denser
    England, for timing). Below full scale, neighbouring authorities are merged into groups of
    about 1/s, each given s times its members' children and homes, on a map shrunk by sqrt(s):
    authorities about England's size, at England's density. m.la_scale multiplies each simulated
    authority's data; m.scale is the share of England's market simulated (it scales national
    flows: UASC arrivals, new-home projects, capital). The table holds the start year's children
    (data.start_authorities); the groups are the same in every start year.
    """
    s, year = m.params.run.scale, m.params.run.start_year
    m.la_table, m.group_of_la = authorities_at_scale(s, year)
    m.la_scale = m.scale = s
    m.geo = Geography.from_authorities(m.la_table, min(s, 1.0) ** 0.5, data.start_authorities(year), m.group_of_la)
    m.n_la = m.geo.n
    m.region_of_la = m.geo.region


def build(m) -> None:
    """Authorities, levers, homes and owners, children, the pipeline and cooperatives."""
    create_authorities(m)
    create_homes(m)
    m.occupancy_seen = start_occupancy(m)
    create_children(m)
    flag_start_uasc(m)
    m.shortage_before_start = shortage_before_start(m)
    seed_pipeline(m)
    create_cooperatives(m)


def create_authorities(m) -> None:
    cols = m.la_table
    plan_draw = m.rng.random(m.n_la)
    agents = [LocalAuthority(m, i, row, float(plan_draw[i])) for i, row in cols.iterrows()]
    m.authorities = m.agents_by_type[LocalAuthority]
    m.levers = Levers.neutral(m.params, np.array([a.unregistered_after_weeks for a in agents], float),
                              forward_plan=plan_draw < m.params.commissioning.forward_plan_share)


def _start_stock(m):
    """The homes of the start state in the simulated authorities, each copied floor(la_scale)
    times plus one with the remainder."""
    s = m.la_scale
    start = data.start_homes(m.params.run.start_year).copy()
    england = data.load_authorities()["la_code"]
    start["member"] = pd.Index(england).get_indexer(start["la_code"])  # the home's own authority
    start["la_code"] = m.geo.codes[m.group_of_la[start["member"]]]  # the simulated authority it is in
    copies = np.floor(s).astype(int) + (m.rng.random(len(start)) < s - np.floor(s))
    return start.loc[start.index.repeat(copies)].reset_index(drop=True)


def create_owners(m, start) -> np.ndarray:
    """A Provider per owning organisation (sorted by name); the largest private owners are
    highly indebted. Returns each home's owner index."""
    owner_sector = start.drop_duplicates("owner").set_index("owner")["sector"]
    names = sorted(start["owner"].unique())
    m.new_providers(names, [SECTOR_CODES[owner_sector[name]] for name in names])
    homes_per_owner = data.start_homes(m.params.run.start_year)["owner"].value_counts()  # England's, whatever the scale
    for p in m.providers:
        m.owners.indebted[p.index] = p.sector == PRIVATE and homes_per_owner.get(p.name, 0) >= INDEBTED_MIN_HOMES
    # only highly indebted owners can fail (agents.Provider.review); entrants start debt-free
    m.indebted_providers = m.agents_by_type[Provider].select(lambda p: p.indebted)
    owner_idx = {p.name: p.index for p in m.providers}
    return np.array([owner_idx[o] for o in start["owner"]])


def create_homes(m) -> None:
    rng, p = m.rng, m.params
    start = _start_stock(m)
    owner = create_owners(m, start)
    la = m.geo.index_of(start["la_code"])
    x, y = m.geo.points_in_members(la, start["member"].to_numpy(), rng)
    n = len(start)
    places = start["places"].to_numpy(np.int64)
    secure = (start["provision_type"] == "secure_childrens_home").to_numpy()
    places = np.where(secure, np.round(places * p.supply.secure_capacity_multiplier), places).astype(np.int64)
    m.homes.add(
        la=la, x=x, y=y, places=places, sector=start["sector"].map(SECTOR_CODES).to_numpy(),
        secure=secure, owner=owner, state=ACTIVE, open_week=-1,
        staff=rng.binomial(staff_target(places, p.workforce).astype(np.int64), INITIAL_STAFFING),
        manager=rng.random(n) < INITIAL_MANAGER_SHARE,
        price_factor=m.owners.price_factor[owner] * rng.lognormal(0, p.pricing.price_noise_sd / 2, n),
        **draw_home_traits(rng, n),
    )
    _backdate_manager_vacancies(m, n)
    m.homes.max_complexity[:n][secure] = 2
    m.homes.dol_ok[:n][secure] = True


def _backdate_manager_vacancies(m, n: int) -> None:
    """Vacancies began in the past: geometric durations so far, shorter than the closure limit
    (homes with longer vacancies would already have closed)."""
    vacant = ~m.homes.manager[:n]
    p = m.params.workforce.manager_hire_per_week
    limit = m.params.supply.closure_no_manager_weeks - 1
    u = m.rng.random(vacant.sum()) * (1 - (1 - p) ** limit)
    so_far = np.ceil(np.log1p(-u) / np.log1p(-p)) if 0 < p < 1 else np.zeros(vacant.sum())
    m.homes.no_manager_since[:n][vacant] = 1 - np.clip(so_far, 1, limit).astype(np.int64)


def start_occupancy(m) -> np.ndarray:
    """The occupancy providers price for at the start, by region: the start year's children in
    homes per registered place (data), or `pricing.expected_occupancy` if they do not learn it."""
    n = len(data.REGIONS)
    if not m.params.pricing.price_for_occupancy:
        return np.full(n, m.params.pricing.expected_occupancy)
    homes = m.homes
    kids = np.bincount(m.region_of_la, weights=m.la_table["cla_childrens_homes"].to_numpy(float) * m.la_scale, minlength=n)
    places = np.bincount(m.region_of_la[homes.la], weights=homes.places.astype(float), minlength=n)
    return np.clip(kids / np.maximum(places, 1.0), OCCUPANCY_FLOOR, 1.0)


def draw_ages(rng, n, bands) -> np.ndarray:
    """Ages uniform within bands (lo, hi, share)."""
    lo = np.array([b[0] for b in bands], float)
    hi = np.array([b[1] for b in bands], float)
    p = np.array([b[2] for b in bands], float)
    k = rng.choice(len(bands), size=n, p=p / p.sum())
    return lo[k] + (hi[k] - lo[k]) * rng.random(n)


def _count(rng, expected: np.ndarray, scale: float) -> np.ndarray:
    """Children per authority: the data's counts at full scale; otherwise Poisson draws above it
    and, below it, the scaled count rounded up or down at random (unbiased, and as close to the
    scaled data as whole children can be, so each authority's stock keeps its relation to its
    foster and supported capacity)."""
    if scale == 1:
        return expected.astype(int)
    if scale > 1:
        return rng.poisson(expected)
    low = np.floor(expected)
    return (low + (rng.random(len(expected)) < expected - low)).astype(int)


def create_children(m) -> None:
    """The start's stock: foster and supported placements, then homes by matching."""
    rng, s = m.rng, m.la_scale
    at = np.arange(m.n_la)
    la = np.repeat(at, _count(rng, m.paths.at_start("cla_foster"), s))
    add_children(m, la, draw_ages(rng, len(la), FOSTER_AGES), status=FOSTER)
    la = np.repeat(at, _count(rng, m.paths.at_start("cla_supported_accommodation"), s))
    span = LEAVING_AGE - SUPPORTED_MIN_AGE
    add_children(m, la, SUPPORTED_MIN_AGE + span * rng.random(len(la)), status=SUPPORTED)
    la = np.repeat(at, _count(rng, m.la_table["cla_childrens_homes"].to_numpy(float) * s, s))
    idx = add_children(m, la, draw_ages(rng, len(la), HOME_AGES), status=WAITING, residential=True)
    ch = m.children
    ch.need_since[idx] = 0
    ch.start1[idx] = -rng.integers(1, CURRENT_PLACEMENT_MAX_WEEKS, len(idx))
    earlier = rng.random(len(idx)) < EARLIER_PLACEMENT_SHARE
    ch.start2[idx] = np.where(earlier, ch.start1[idx] - rng.integers(1, EARLIER_PLACEMENT_MAX_WEEKS, len(idx)), NEVER)
    place_initial_stock(m, idx)


def flag_start_uasc(m) -> None:
    """The start's unaccompanied asylum-seeking children: each authority's UASC looked after that
    31 March (data, scaled as the other counts), among its fostered and supported children aged 12+
    (where nearly all UASC live: most are 16-17 in supported accommodation or foster care), 89% of
    them 16-17 where there are enough (NAO25 1.13), chosen at random.

    The draws come from a stream of their own ("stock"), so every other draw of the run is as it
    was; the flag then counts for the Home Office's funding and keeps a fostered child from moving
    to a home (kernels.rows.foster_fates), as for UASC who arrive during the run.
    """
    ch, rng, s = m.children, m.streams["stock"], m.la_scale
    want = _count(rng, m.la_table["cla_uasc"].to_numpy(float) * s, s)
    rows = np.flatnonzero(((ch.status == FOSTER) | (ch.status == SUPPORTED)) & (ch.age >= UASC_MIN_AGE))
    la, older = ch.la[rows], ch.age[rows] >= SUPPORTED_MIN_AGE
    order = np.lexsort((rng.random(len(rows)), ~older, la))  # by authority, 16-17s first, at random within
    rows, la, older = rows[order], la[order], older[order]
    has_old = np.bincount(la[older], minlength=m.n_la)
    has_young = np.bincount(la[~older], minlength=m.n_la)
    n_old = np.minimum(has_old, np.round(UASC_16PLUS_SHARE * want).astype(int))
    n_young = np.minimum(has_young, want - n_old)
    n_old = np.minimum(has_old, want - n_young)  # too few under 16: more 16-17s
    first = np.concatenate([[0], np.cumsum(has_old + has_young)[:-1]])  # each authority's first row
    rank = np.arange(len(rows)) - np.where(older, first[la], first[la] + has_old[la])
    ch.uasc[rows[rank < np.where(older, n_old[la], n_young[la])]] = True


def place_initial_stock(m, idx: np.ndarray) -> None:
    """Place the start's stock through the market, widening the search round by round.

    The stock built up over years, the hardest placements first into the homes equipped for
    them, so the most complex children are matched first, each group over several rounds.
    """
    ch, homes = m.children, m.homes
    in_post = homes.staff.copy()
    # the stock built up over years and homes recruited for whoever they took in (staffing.py),
    # so staff do not limit who is placed at the start; places, complexity and distance do
    # (homes that employ no staff at all, workforce.staff_per_place_target = 0, take no one)
    most = staff_need(np.array([2]), np.array([True]), m.params.workforce.staff_per_child)[0]
    homes.staff[:] = np.where(staff_target(homes.places, m.params.workforce) > 0, np.ceil(homes.places * most), 0)
    for level in (2, 1, 0):
        group = idx[ch.complexity[idx] == level]
        for r in range(INITIAL_MATCH_ROUNDS):
            waiting = group[ch.status[group] == WAITING]
            if len(waiting) == 0:
                break
            ch.need_since[waiting] = -r
            match(m, waiting, record=False)
    homes.staff[:] = np.maximum(in_post, np.ceil(homes.staff_used - 1e-9))
    ch.need_since[idx[ch.status[idx] == WAITING]] = 0
    ch.placed_week[idx[ch.status[idx] == HOME]] = -1


def shortage_before_start(m) -> float:
    """The shortage providers had seen before the start (entry reads it until a quarter has passed):
    children first placed in an unregistered setting in the year to the start, per registered place."""
    return UNREGISTERED_BEFORE_START[m.params.run.start_year] * m.scale / max(m.homes.registered_places(), 1.0)


def seed_pipeline(m) -> None:
    """Homes already in planning or registration at the start: the entry mechanism, run back."""
    sup = m.params.supply
    for w in range(-sup.registration_weeks_max - PIPELINE_EXTRA_WEEKS, 0):
        start_projects(m, w)


def create_cooperatives(m) -> None:
    if m.params.rcc.membership == "none":
        return
    ms = rcc_membership(m.params)
    # a simulated authority joins with its first member (ONS order); below full scale, a group
    first = np.unique(m.group_of_la, return_index=True)[1]
    coop, join_week = ms.coop[first], ms.join_week[first]
    for i, name in enumerate(ms.names):
        members = np.flatnonzero(coop == i)
        if len(members):
            m.rccs.append(RegionalCareCooperative(m, i, name, members, join_week[members]))
