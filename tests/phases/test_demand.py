"""Demand (phase 1): leaving care, breakdowns, endings and entries, on hand-made children."""

from types import SimpleNamespace

import numpy as np
import pytest

from handmade import GEO, N_LA, at, flows, levers, make_children, make_homes
from simmarket.data.paths import PATH_COLUMNS, AuthorityPaths
from simmarket.params import Scenario
from simmarket.phases.demand import (NEED_DRAWS, arrive_and_leave, break_down, end_home_placements, enter_care,
                                     need_factor, need_mix, residential_needs, set_residential)
from simmarket.state import FOSTER, GONE, HOME, SUPPORTED, WAITING, miles
from simmarket.time import WEEKS_PER_YEAR

P = Scenario()
QUIET = {  # nothing happens to anyone unless a test asks for it
    "demand.entry_rate_per_cla_year": 0.0, "demand.uasc_per_year": 0.0, "demand.home_exit_per_year": 0.0,
    "demand.breakdown_per_year": 0.0, "demand.foster_exit_per_year": 0.0, "demand.foster_exit_young_per_year": 0.0,
    "demand.supported_exit_per_year": 0.0,
    "demand.residential_need_per_year": 0.0, "foster.capacity_slack": 0.0, "supported.capacity_slack": 0.0,
    "foster.capacity_trend_per_year": 0.0, "supported.capacity_trend_per_year": 0.0,
}


def demand_model(ch, homes, params, week=0, foster_base=(0, 0, 0), supported_base=(0, 0, 0), cla_total=(0, 0, 0)):
    """What the demand phase reads and writes; the exogenous paths hold one 31 March (the start's)."""
    year = params.run.start_year
    paths = AuthorityPaths({c: np.array([year], float) for c in PATH_COLUMNS}, {
        "cla_foster": np.asarray([foster_base], float), "cla_supported_accommodation": np.asarray([supported_base], float),
        "cla_total": np.asarray([cla_total], float)})
    weights = np.full(N_LA, 1 / N_LA)  # UASC shared equally by the three
    return SimpleNamespace(
        children=ch, homes=homes, params=params, week=week, n_la=N_LA, geo=GEO, levers=levers(params),
        streams={"care": np.random.default_rng(1), "arrivals": np.random.default_rng(2)}, flows=flows(),
        paths=paths, scale=params.run.scale, uasc_weights_at=lambda week: weights)


def test_children_turning_18_leave_care_and_free_their_place():
    p = P.replace(**QUIET)
    almost = 18 - 0.5 / WEEKS_PER_YEAR
    ch = make_children(la=[0, 1, 2, 1], age=[almost, 17.5, almost, almost], status=[HOME, HOME, FOSTER, WAITING],
                       home=[0, 0, -1, -1], price=[5000.0, 5000.0, 0.0, 0.0])
    homes = make_homes(places=2, occupied=2, staff_used=2 * 3.75)
    m = demand_model(ch, homes, p, week=5, foster_base=(0, 0, 5))
    arrive_and_leave(m)
    assert ch.status.tolist() == [GONE, HOME, GONE, GONE]
    assert ch.home.tolist() == [-1, 0, -1, -1] and ch.price.tolist() == [0.0, 5000.0, 0.0, 0.0]
    assert homes.occupied[0] == 1 and homes.staff_used[0] == pytest.approx(3.75)
    assert m.flows.la["exits"][5].tolist() == [1, 1, 1]
    assert ch.age[1] == pytest.approx(17.5 + 1 / WEEKS_PER_YEAR)


def test_young_fostered_children_leave_care_at_their_own_rate():
    """Under-11s leave foster care at `foster_exit_young_per_year`, 11-17s at `foster_exit_per_year`."""
    ages = np.repeat([3.0, 10.9, 11.1, 16.5], 100)
    young = ages < 11
    for young_rate, old_rate in ((10.0, 0.0), (0.0, 10.0)):
        p = P.replace(**{**QUIET, "demand.foster_exit_young_per_year": young_rate, "demand.foster_exit_per_year": old_rate})
        n = len(ages)
        ch = make_children(la=[0] * n, age=ages, status=[FOSTER] * n, home=[-1] * n, price=[0.0] * n)
        m = demand_model(ch, make_homes(places=2), p, foster_base=(n, 0, 0))
        arrive_and_leave(m)
        gone = ch.status == GONE
        leaving, staying = (young, ~young) if young_rate else (~young, young)
        assert not gone[staying].any()
        assert 0.1 < gone[leaving].mean() < 0.3  # 10 a year is 0.19 a week


def test_breakdowns_are_more_likely_far_from_home():
    n = 3000
    p = P.replace(**{"demand.breakdown_per_year": 2.0})
    x, y = at(0, east_miles=[0.0, 100.0])
    homes = make_homes(x=x, y=y, places=n, occupied=n, staff_used=n * 3.75)
    home = np.repeat([0, 1], n)
    ch = make_children(la=0, status=HOME, home=home, price=4000.0)
    ch.home_miles[:] = miles(ch.x, ch.y, homes.x[home], homes.y[home])  # as placements.place keeps it
    m = demand_model(ch, homes, p, week=7)
    break_down(m)
    broke = ch.status == WAITING
    near, far = broke[home == 0].mean(), broke[home == 1].mean()
    base = 2.0 / WEEKS_PER_YEAR
    assert near == pytest.approx(base, rel=0.3)
    assert far == pytest.approx(base * (1 + p.demand.breakdown_distance_per_20mi * 5), rel=0.2)
    # the broken placements are searching again, and their places are free
    assert np.all(ch.home[broke] == -1) and np.all(ch.need_since[broke] == 7) and np.all(ch.price[broke] == 0)
    assert homes.occupied.tolist() == [n - broke[home == 0].sum(), n - broke[home == 1].sum()]
    assert m.flows.la["breakdowns"][7, 0] == broke.sum()


def test_breakdowns_are_more_likely_when_the_home_lacks_the_childs_needs():
    n = 3000
    p = P.replace(**{"demand.breakdown_per_year": 2.0})
    homes = make_homes(places=n, occupied=n, staff_used=n * 3.75, specialisms=[0b1111, 0b0000])
    home = np.repeat([0, 1], n)
    ch = make_children(status=HOME, home=home, needs=0b0011, price=4000.0)
    break_down(demand_model(ch, homes, p))
    broke = ch.status == WAITING
    base = 2.0 / WEEKS_PER_YEAR
    assert broke[home == 1].mean() == pytest.approx(base * (1 + 2 * p.demand.breakdown_mismatch), rel=0.2)
    assert broke[home == 0].mean() < 0.6 * broke[home == 1].mean()


def test_planned_endings_step_down_where_there_is_room_or_leave_care():
    n = 2000
    p = P.replace(**{**QUIET, "demand.home_exit_per_year": 10.0, "demand.step_down_share": 0.5})
    ch = make_children(la=0, status=HOME, home=0, age=np.where(np.arange(n) % 2, 16.5, 13.0), price=4000.0)
    homes = make_homes(places=n, occupied=n, staff_used=n * 3.75)
    m = demand_model(ch, homes, p, week=2, foster_base=(10, 0, 0), supported_base=(4, 0, 0))
    end_home_placements(m)
    assert np.count_nonzero(ch.status == FOSTER) == 10  # while foster places last
    assert np.count_nonzero(ch.status == SUPPORTED) == 4
    assert np.all(ch.age[ch.status == SUPPORTED] >= 16) and np.all(ch.age[ch.status == FOSTER] < 16)
    gone = ch.status == GONE
    ending = n * 10 / WEEKS_PER_YEAR
    assert gone.sum() == pytest.approx(ending / 2, rel=0.25)  # those not stepping down leave care
    assert m.flows.la["exits"][2, 0] == gone.sum()
    moved = ch.status != HOME
    assert homes.occupied[0] == n - moved.sum()
    assert np.all(ch.home[moved] == -1) and np.all(ch.start1[(ch.status == FOSTER) | (ch.status == SUPPORTED)] == 2)


def test_entrants_go_to_foster_or_supported_places_while_they_last_and_the_rest_need_a_home():
    p = P.replace(**{**QUIET, "demand.entry_rate_per_cla_year": 5.0, "demand.direct_residential_share": 0.0,
                     "demand.entry_age_12plus_share": 1.0})
    old = make_children(la=[0, 0], status=FOSTER, residential=False)  # two of authority 0's places are taken
    m = demand_model(old, make_homes(), p, week=3, cla_total=(600, 600, 600), foster_base=(5, 0, 10_000),
                     supported_base=(2, 0, 0))
    enter_care(m)
    ch = m.children
    new = np.arange(2, ch.n)
    la, status = ch.la[new], ch.status[new]
    assert len(new) > 100
    older = ch.age[new] >= 16
    assert np.count_nonzero((la == 0) & (status == SUPPORTED)) == min(2, np.count_nonzero((la == 0) & older))
    assert np.count_nonzero((la == 0) & (status == FOSTER)) == 3  # 5 places, 2 in use
    assert np.all(status[la == 1] == WAITING)  # no places at all
    assert np.all(status[la == 2] == FOSTER)  # places for everyone
    waiting = new[status == WAITING]
    assert np.all(ch.residential[waiting]) and np.all(ch.need_since[waiting] == 3)
    assert np.all(ch.complexity[waiting] <= 1) and not ch.dol[waiting].any() and not ch.secure[waiting].any()
    assert not ch.residential[new[status != WAITING]].any()
    fl = m.flows.la
    assert fl["entries"][3].tolist() == np.bincount(la, minlength=N_LA).tolist()
    assert fl["need_no_foster_place"][3].tolist() == np.bincount(ch.la[waiting], minlength=N_LA).tolist()
    # entrants live in their authority
    d = np.hypot(ch.x[new] - GEO.x[la], ch.y[new] - GEO.y[la])
    assert np.all(d <= GEO.radius[la] + 1e-6)


def test_a_cooperative_running_fostering_pools_its_members_foster_places():
    """With rcc.runs_fostering, a member's entrant takes a foster place free in another member's
    area; authorities outside the cooperative keep their own places."""
    p = P.replace(**{**QUIET, "demand.entry_rate_per_cla_year": 5.0, "demand.direct_residential_share": 0.0,
                     "demand.entry_age_12plus_share": 0.0,  # entrants under 12: foster care or a home
                     "foster.young_always_fostered": False})

    def entrants(pool):
        m = demand_model(make_children(la=[], status=[]), make_homes(), p, week=3, cla_total=(600, 600, 600),
                         foster_base=(0, 10_000, 0))
        m.levers.foster_pool = np.asarray(pool)
        enter_care(m)
        ch = m.children
        return ch.la, ch.status

    la, status = entrants([-1, -1, -1])
    assert np.all(status[la == 1] == FOSTER) and not np.any(status[la != 1] == FOSTER)
    la, status = entrants([N_LA, N_LA, -1])  # authorities 0 and 1 in one cooperative (customer N_LA)
    assert np.all(status[la <= 1] == FOSTER)  # authority 0's children fostered in authority 1's places
    assert not np.any(status[la == 2] == FOSTER)


def test_direct_entrants_need_a_home_at_once():
    p = P.replace(**{**QUIET, "demand.entry_rate_per_cla_year": 5.0, "demand.direct_residential_share": 1.0,
                     "demand.entry_age_12plus_share": 1.0})
    m = demand_model(make_children(la=[0], status=FOSTER), make_homes(), p, cla_total=(300, 300, 300),
                     foster_base=(10_000,) * 3, supported_base=(10_000,) * 3)
    enter_care(m)
    new = np.arange(1, m.children.n)
    assert len(new) > 50
    assert np.all(m.children.status[new] == WAITING) and np.all(m.children.residential[new])
    assert m.flows.la["need_direct"][0].sum() == len(new)


def test_fostered_children_come_to_need_a_home():
    n = 8000
    p = P.replace(**{**QUIET, "demand.residential_need_per_year": 2.0})
    ch = make_children(la=1, status=FOSTER, residential=False, age=np.where(np.arange(n) % 2, 14.0, 8.0),
                       uasc=np.arange(n) % 4 == 1)
    m = demand_model(ch, make_homes(), p, week=9)
    arrive_and_leave(m)
    need = ch.status == WAITING
    eligible = (ch.age >= 11) & ~ch.uasc
    assert not need[~eligible].any()  # under-11s and unaccompanied children stay in foster care
    assert need[eligible].mean() == pytest.approx(2.0 / WEEKS_PER_YEAR, rel=0.35)
    assert np.all(ch.residential[need]) and np.all(ch.need_since[need] == 9)
    assert m.flows.la["need_from_foster"][9, 1] == need.sum()


def test_complex_need_grows_on_top_and_shifts_the_mix_with_its_dol_orders():
    p = P.replace(**{"demand.complex_need_growth_per_year": 0.1, "demand.need_trend_per_year": 0.0})
    at_start = demand_model(make_children(), make_homes(), p, week=0)
    later = demand_model(make_children(), make_homes(), p, week=4 * WEEKS_PER_YEAR)
    shares0, size0 = need_mix(at_start)
    shares4, size4 = need_mix(later)
    base = np.asarray(p.demand.complexity_shares)
    np.testing.assert_allclose(shares0, base)
    assert size0 == pytest.approx(1.0)
    grown = base[2] * 1.1 ** 4
    assert size4 == pytest.approx(1 - base[2] + grown)  # the other need stays, complex need adds to it
    assert shares4[2] == pytest.approx(grown / size4) and shares4[2] > base[2]
    assert need_factor(later) == pytest.approx(size4)
    # drawn needs: more complex children, the same share of them under a DoL order
    n = 40_000
    ch = make_children(la=np.zeros(n, np.int64), status=np.full(n, WAITING))
    later.children = ch
    u = np.random.default_rng(3).random(n * NEED_DRAWS)
    set_residential(later, np.arange(n), np.zeros(n, bool), residential_needs(later, u))
    complex_ = ch.complexity == 2
    assert complex_.mean() == pytest.approx(shares4[2], abs=0.01)
    assert ch.dol[complex_].mean() == pytest.approx(p.demand.dol_share / base[2], abs=0.02)
    flat = demand_model(make_children(), make_homes(), P.replace(**{"demand.complex_need_growth_per_year": 0.0}),
                        week=4 * WEEKS_PER_YEAR)
    np.testing.assert_allclose(need_mix(flat)[0], base)


@pytest.mark.parametrize("start_year, weeks, factor", [(2020, 0, 1.2 ** -4), (2022, WEEKS_PER_YEAR, 1.2 ** -1),
                                                       (2024, 0, 1.0), (2024, 3 * WEEKS_PER_YEAR, 1.0)])
def test_dol_orders_are_rarer_before_the_calibration_year_and_held_after(start_year, weeks, factor):
    """demand.dol_growth_per_year: the DoL share of complex need is 2024-25's (dol_share) from 31 March
    2024 on, and lower by the growth compounded for each year before it."""
    p = P.replace(**{"demand.dol_growth_per_year": 0.2, "demand.complex_need_growth_per_year": 0.0,
                     "run.start_year": start_year})
    m = demand_model(make_children(), make_homes(), p, week=weeks)
    n = 60_000
    m.children = make_children(la=np.zeros(n, np.int64), status=np.full(n, WAITING))
    u = np.random.default_rng(5).random(n * NEED_DRAWS)
    set_residential(m, np.arange(n), np.zeros(n, bool), residential_needs(m, u))
    complex_ = m.children.complexity == 2
    expected = p.demand.dol_share / p.demand.complexity_shares[2] * factor
    assert m.children.dol[complex_].mean() == pytest.approx(expected, abs=0.015)
