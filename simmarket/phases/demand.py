"""Phase 1, demand: children age, leave care, end or lose placements, and enter care.

Foster care and supported accommodation are capacity-limited alternatives: a child goes to a
children's home when assessed as needing one, or when no foster place is free.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..arrays import choice_cdf, choose
from ..data.paths import uasc_index
from ..kernels.demand import entrant_places, home_endings
from ..kernels.rows import age_count_find, broken_placements, care_fates, entrants
from ..state import FOSTER, GONE, HOME, N_NEEDS, N_STATUS, SUPPORTED, WAITING, miles
from ..state.children import needs_of
from ..time import START_DATE, WEEKS_PER_YEAR
from .placements import leave_care, start_search, vacate

LEAVING_AGE = 18
CALIBRATION_START_YEAR = START_DATE.year  # need parameters are those of April 2024 to March 2025
MIN_AGE_FOSTER_TO_HOME = 11  # fostered children who come to need a home are 11+ (prior: homes are for 12-17s)
OLDER_ENTRANT_AGE = 12  # entrants split at 12 (DfE CLA 2024 publishes 10-15 and 16+; prior)
SUPPORTED_MIN_AGE = 16  # supported accommodation is for 16-17 year olds (Care Planning Regulations 2010)
UASC_16PLUS_SHARE = 0.89  # NAO25 1.13: 89% of UASC are 16+
UASC_MIN_AGE = 12  # unaccompanied children arriving are 12+ (prior)
NEED_DRAWS = 3 + N_NEEDS  # uniform draws per need profile (state.needs_of)
TOP, ALTERNATIVE_TOP = 2, 1  # complexity: the highest; at most medium in foster or supported care (prior)


def arrive_and_leave(m) -> None:
    """Ageing, leaving care, endings and breakdowns, then new entrants to care.

    The children by status and authority are counted once, in the pass that ages them, and kept
    up to date as children leave and move to and from foster and supported places (`used`; its
    row of those who left care is not: nothing reads it). The same pass finds the supported and
    placed children (none of whom leave care, or change status, before they are used here but the
    adults, who are left out); the fostered children (each with a draw) are as many as `used`
    counts, and only the few whose draws matter are looked up. The week's foster and supported
    places are worked out once; the fostered and supported children who leave care do so with
    those whose placements end (one pass of the bookkeeping).
    """
    ch, d, rng = m.children, m.params.demand, m.streams["care"]
    adults, used, supported, placed = age_count_find(ch.age, 1 / WEEKS_PER_YEAR, LEAVING_AGE, ch.status, ch.la, GONE,
                                                     N_STATUS, m.n_la, SUPPORTED, HOME)
    leave_care(m, adults)
    # fostered children: leaving care and coming to need a home are competing risks
    u = rng.random(int(used[FOSTER].sum()))
    p_home = d.residential_need_per_year * need_factor(m) / WEEKS_PER_YEAR
    left, need_home = care_fates(ch.status, FOSTER, u, ch.age, ch.uasc, d.foster_exit_young_per_year / WEEKS_PER_YEAR,
                                 d.foster_exit_per_year / WEEKS_PER_YEAR, p_home, MIN_AGE_FOSTER_TO_HOME, supported,
                                 rng.random(len(supported)), d.supported_exit_per_year / WEEKS_PER_YEAR, ch.la, used)
    capacity = capacities(m)
    break_down(m, placed, end_home_placements(m, used, placed, capacity, left))
    foster_to_residential(m, need_home, used)
    enter_care(m, used, capacity)


def years_since_calibration(m) -> float:
    """Years from 31 March 2024 (the start of the calibration year) to this week: the need
    parameters are 2024-25's, so a run from an earlier March reads its trends back from there."""
    return m.params.run.start_year - CALIBRATION_START_YEAR + m.week / WEEKS_PER_YEAR


def need_factor(m) -> float:
    """Residential need relative to 2024-25, net of prevention: the trend in all need, and the
    extra complex need (need_mix)."""
    trend = (1 + m.params.demand.need_trend_per_year) ** years_since_calibration(m)
    return trend * need_mix(m)[1] * m.levers.prevention_factor


def need_mix(m) -> tuple[np.ndarray, float]:
    """This week's complexity shares of residential need, and its size relative to 2024-25.

    Need of high complexity grows by `demand.complex_need_growth_per_year` on top of the rest:
    children who might otherwise be in more specialised settings (inpatient mental health,
    custody) increasingly need children's homes (facts.md, History; NAO25 2.11).
    `demand.complexity_shares` is the mix of 2024-25.
    """
    d = m.params.demand
    return _mix(tuple(d.complexity_shares), d.complex_need_growth_per_year, years_since_calibration(m))


@lru_cache(maxsize=8)  # (speed only) a week asks for its mix six times
def _mix(shares: tuple, growth: float, years: float) -> tuple[np.ndarray, float]:
    """need_mix's arithmetic, by value (its shares read-only: they are shared by the calls)."""
    base = np.asarray(shares, float)
    grown = base * np.array([1.0, 1.0, (1 + growth) ** years])
    mix = grown / grown.sum()
    mix.flags.writeable = False
    return mix, float(grown.sum() / base.sum())


def residential_needs(m, u: np.ndarray, sizes=None, caps=None, rows=None):
    """Need profiles from draws u (NEED_DRAWS a profile, in batches of `sizes`, one batch if not
    given, complexity at most `caps`, put in `rows`: state.needs_of), from this week's mix
    (need_mix); DoL and secure orders stay the same share of the complex children."""
    d = m.params.demand
    shares = need_mix(m)[0]
    more = shares[2] / d.complexity_shares[2] if d.complexity_shares[2] > 0 else 1.0
    if sizes is None:
        sizes, caps, rows = (len(u) // NEED_DRAWS,), (TOP,), np.arange(len(u) // NEED_DRAWS)
    dol = d.dol_share * more * dol_factor(d.dol_growth_per_year, years_since_calibration(m))
    return needs_of(u, sizes, caps, rows, shares, d.need_type_probs, dol, d.secure_share * more)


def dol_factor(growth: float, years: float) -> float:
    """The DoL share relative to 2024-25's (`demand.dol_share`) `years` from 31 March 2024: lower
    by `demand.dol_growth_per_year` compounded for each year before, held from then on."""
    return (1 + growth) ** min(years, 0.0)


def data_year(m) -> float:
    """This week as a decimal year from 31 March (the exogenous paths' clock)."""
    return m.params.run.start_year + m.week / WEEKS_PER_YEAR


def foster_capacity(m) -> np.ndarray:
    """Foster places by authority this week: fostered children each 31 March as the data say
    (linear between), then changing by `foster.capacity_trend_per_year`."""
    f, t = m.params.foster, data_year(m)
    trend = (1 + f.capacity_trend_per_year) ** m.paths.years_beyond(t)
    return (m.paths.at("cla_foster", t) * (1 + f.capacity_slack) * f.capacity_multiplier * trend
            * m.levers.foster_policy * m.levers.foster_hub)


def supported_capacity(m) -> np.ndarray:
    """Supported accommodation places by authority this week: the data's each 31 March, then
    changing by `supported.capacity_trend_per_year`."""
    s, t = m.params.supported, data_year(m)
    trend = (1 + s.capacity_trend_per_year) ** m.paths.years_beyond(t)
    return m.paths.at("cla_supported_accommodation", t) * (1 + s.capacity_slack) * trend


def capacities(m) -> tuple[np.ndarray, np.ndarray]:
    """This week's foster and supported places by authority (foster_capacity, supported_capacity)."""
    return foster_capacity(m), supported_capacity(m)


def place_groups(m) -> tuple[np.ndarray, np.ndarray]:
    """Whose places each authority's children take, (supported, foster): its own supported
    places; its own foster places, or, where a cooperative runs its members' fostering
    (`rcc.runs_fostering`, levers.foster_pool), any free in the cooperative (its customer
    number the group)."""
    own = np.arange(m.n_la)
    pool = m.levers.foster_pool
    return own, np.where(pool >= 0, pool, own)


def end_home_placements(m, used: np.ndarray | None = None, placed: np.ndarray | None = None,
                        capacity: tuple | None = None, leaving: np.ndarray | None = None) -> np.ndarray:
    """Planned endings: step down to foster care or supported accommodation where there is room,
    else leave care (kernels.demand.home_endings). used: children by status and authority
    (counted here if not given), updated; placed: the children in homes (found here if not
    given); capacity: this week's foster and supported places (capacities, if not given);
    leaving: other children (not in homes) who leave care now, with these. Returns the positions
    in `placed` of those who left their homes."""
    ch, d, rng = m.children, m.params.demand, m.streams["care"]
    placed = np.flatnonzero(ch.status == HOME) if placed is None else placed
    ending_at = np.flatnonzero(rng.random(len(placed)) < d.home_exit_per_year / WEEKS_PER_YEAR)
    u_step_down = rng.random(len(ending_at))
    used = ch.counts_by_status(m.n_la) if used is None else used
    foster, supported = capacities(m) if capacity is None else capacity
    moved, n_supported, leaving, gone = home_endings(
        placed, ending_at, u_step_down, d.step_down_share, SUPPORTED_MIN_AGE, ch.age, ch.la, (supported, foster),
        (used[SUPPORTED], used[FOSTER]), place_groups(m), np.zeros(0, np.int64) if leaving is None else leaving)
    vacate(m, moved)
    ch.status[moved[:n_supported]] = SUPPORTED
    ch.status[moved[n_supported:]] = FOSTER
    ch.residential[moved] = False
    ch.record_start(moved, m.week)
    leave_care(m, leaving)
    return gone


def break_down(m, placed: np.ndarray | None = None, gone: np.ndarray | None = None) -> None:
    """Placements break down, more often far from home and when the home lacks the child's needs.

    Each placement draws a number; only those below the highest hazard any placement could have
    (as far apart as the children and homes lie, no need met) need their own hazard worked out
    (kernels.rows.broken_placements, in one compiled pass).
    placed: children who were in homes (found here if not given); gone: the positions in it of
    those who no longer are (found here if not given), passed over.
    """
    ch, d, homes = m.children, m.params.demand, m.homes
    placed = np.flatnonzero(ch.status == HOME) if placed is None else placed
    gone = np.flatnonzero(ch.status[placed] != HOME) if gone is None else gone
    u = m.streams["care"].random(len(placed) - len(gone))
    cap = d.breakdown_per_year * (1 + d.breakdown_distance_per_20mi * farthest_miles(ch, homes) / 20
                                  + d.breakdown_mismatch * N_NEEDS)
    limit = cap * (1 + 1e-9) / WEEKS_PER_YEAR  # the margin covers rounding
    broke = broken_placements(placed, gone, u, limit, ch.home, ch.home_miles, ch.needs, homes.specialisms,
                              d.breakdown_per_year, d.breakdown_distance_per_20mi, d.breakdown_mismatch, WEEKS_PER_YEAR)
    vacate(m, broke)
    start_search(m, broke)
    m.flows.add_la("breakdowns", m.week, ch.la[broke])


def farthest_miles(ch, homes) -> float:
    """No child lives farther from any home than the corners of the box around them all (for
    the children, the box around every child ever added: a bound is all `break_down` needs)."""
    if ch.n == 0 or homes.n == 0:
        return 0.0
    x0, x1, y0, y1 = ch.extent
    dx = max(x1, homes.x.max()) - min(x0, homes.x.min())
    dy = max(y1, homes.y.max()) - min(y0, homes.y.min())
    return float(miles(dx, dy, 0.0, 0.0))


def foster_to_residential(m, idx: np.ndarray, used: np.ndarray | None = None) -> None:
    """Fostered children (idx) whose needs now call for a children's home join the search (and
    leave the count of fostered children in `used`, if given). Their draws, whether an emergency
    then their need profiles, follow one another and are made in one call."""
    ch, d, n = m.children, m.params.demand, len(idx)
    if used is not None:
        used[FOSTER] -= np.bincount(ch.la[idx], minlength=m.n_la)
    u = m.streams["care"].random(n * (1 + NEED_DRAWS))
    set_residential(m, idx, u[:n] < d.emergency_share, residential_needs(m, u[n:]))
    m.flows.add_la("need_from_foster", m.week, ch.la[idx])
    start_search(m, idx)


def set_residential(m, idx, emergency, profiles) -> None:
    """Children assessed as needing a children's home take their need profiles."""
    ch = m.children
    ch.complexity[idx], ch.needs[idx], ch.dol[idx], ch.secure[idx] = profiles
    ch.residential[idx] = True
    ch.emergency[idx] = emergency


def add_children(m, la, age, status, residential=False, uasc=False, emergency=None, rng=None) -> np.ndarray:
    """New rows for children entering care (or in care at the start), with home locations and
    needs (those not needing a home of at most medium complexity, without DoL or secure orders)."""
    rng, d = rng or m.rng, m.params.demand
    n = len(la)
    x, y = m.geo.points_in(la, rng)
    comp, needs, dol, secure = residential_needs(m, rng.random(n * NEED_DRAWS), (n,),
                                                 (TOP if residential else ALTERNATIVE_TOP,), np.arange(n))
    if emergency is None:
        emergency = residential & (rng.random(n) < d.emergency_share)
    return m.children.add(
        la=la, age=age, x=x, y=y, complexity=comp, needs=needs, dol=dol, secure=secure, uasc=uasc,
        emergency=emergency, residential=residential, status=status,
    )


def _entrants(m, rng):
    """This week's entrants to care: authorities, ages, who needs a home at once, and UASC (the
    draws made here, in their order, the entrants worked out by kernels.rows.entrants).

    Uniform draws that follow one another are made in one call (the same numbers): four for each
    entrant, and for each UASC the draw choice would make for the authority (arrays.choice_cdf)
    and three more.
    """
    d, s = m.params.demand, m.scale
    cla = m.paths.at("cla_total", data_year(m))  # looked-after children as the data say (entrants follow them)
    lam = d.entry_rate_per_cla_year * cla / WEEKS_PER_YEAR * m.levers.prevention_factor
    counts = rng.poisson(lam)
    n = int(counts.sum())
    u = rng.random(4 * n)  # older, old age, young age, direct
    n_uasc = rng.poisson(d.uasc_per_year * s * uasc_index(data_year(m)) / WEEKS_PER_YEAR)
    v = rng.random(4 * n_uasc)  # authority, over 16, old age, young age
    uasc_la = choose(choice_cdf(m.uasc_weights_at(m.week)), v[:n_uasc])
    ages = (OLDER_ENTRANT_AGE, LEAVING_AGE - OLDER_ENTRANT_AGE, OLDER_ENTRANT_AGE, SUPPORTED_MIN_AGE,
            LEAVING_AGE - SUPPORTED_MIN_AGE, UASC_MIN_AGE, SUPPORTED_MIN_AGE - UASC_MIN_AGE)
    return entrants(counts, u[:n], d.entry_age_12plus_share, u[n:2 * n], u[2 * n:3 * n], u[3 * n:],
                    d.direct_residential_share * need_factor(m), uasc_la, v[n_uasc:2 * n_uasc], UASC_16PLUS_SHARE,
                    v[2 * n_uasc:3 * n_uasc], v[3 * n_uasc:], ages)


def enter_care(m, used: np.ndarray | None = None, capacity: tuple | None = None) -> None:
    """Children entering care: some need a home at once, the rest go to foster or supported
    places where they are free (alternative_places), and otherwise need a home too.
    used, capacity: as in alternative_places.

    Where each goes is settled first (it draws nothing), and the rows are then added in one
    append; those waiting start their search, the others their placement. The draws after the
    home locations follow one another and are made in one call: need profiles for all (those
    placed keep theirs, capped as add_children caps them), whether each direct entrant is an
    emergency, and new profiles for the direct entrants and for those who found no place (capped
    likewise: they were not first assessed as needing a home).
    """
    rng, d, ch = m.streams["arrivals"], m.params.demand, m.children
    la, age, is_uasc, n_direct = _entrants(m, rng)
    n = len(la)
    status = np.full(n, WAITING, np.int8)
    status[n_direct:] = alternative_places(m, la[n_direct:], age[n_direct:], used, capacity)
    spill = n_direct + np.flatnonzero(status[n_direct:] == WAITING)
    x, y = m.geo.points_in(la, rng)
    u = rng.random((n + n_direct + len(spill)) * NEED_DRAWS + n_direct)
    at = n * NEED_DRAWS
    emergency = np.zeros(n, bool)
    emergency[:n_direct] = u[at:at + n_direct] < d.emergency_share
    comp, needs, dol, secure = residential_needs(m, np.concatenate([u[:at], u[at + n_direct:]]),
                                                 (n, n_direct, len(spill)), (ALTERNATIVE_TOP, TOP, ALTERNATIVE_TOP),
                                                 np.concatenate([np.arange(n), np.arange(n_direct), spill]))
    waiting = status == WAITING
    rows = ch.add(la=la, age=age, x=x, y=y, complexity=comp, needs=needs, dol=dol, secure=secure, uasc=is_uasc,
                  emergency=emergency, residential=waiting, status=status)
    start_search(m, rows[waiting])
    ch.record_start(rows[~waiting], m.week)  # a foster or supported placement starts
    m.flows.add_la("entries", m.week, la)
    m.flows.add_la("need_direct", m.week, la[:n_direct])
    m.flows.add_la("need_no_foster_place", m.week, la[spill])


def alternative_places(m, la: np.ndarray, age: np.ndarray, used: np.ndarray | None = None,
                       capacity: tuple | None = None) -> np.ndarray:
    """Where entrants who need no home at once go (their status): supported accommodation for
    16-17s, else foster care, where there is a free place, else WAITING (to need a home);
    kernels.demand.entrant_places. used: children by status and authority, up to date (counted
    here if not given), updated; capacity: this week's foster and supported places (capacities,
    if not given)."""
    used = m.children.counts_by_status(m.n_la) if used is None else used
    foster, supported = capacities(m) if capacity is None else capacity
    # the young are fostered beyond the capacity older children need, if young_always_fostered
    return entrant_places(la, age, SUPPORTED_MIN_AGE, MIN_AGE_FOSTER_TO_HOME, m.params.foster.young_always_fostered,
                          (supported, foster), (used[SUPPORTED], used[FOSTER]), place_groups(m),
                          (WAITING, SUPPORTED, FOSTER))
