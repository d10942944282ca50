"""Per-authority commissioning ([[commissioning.local]]): the levers change exactly at a table's
week for exactly its authorities, and a table that repeats the national values changes nothing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simmarket.data import load_authorities
from simmarket.experiment import seed_specs, simulate
from simmarket.model import PlacementMarket
from simmarket.params import baseline
from simmarket.params.sections import Rcc
from simmarket.policy import Levers, PolicySchedule
from simmarket.policy.levers import COMMISSIONING_ARRAYS

CODES = load_authorities()["la_code"].tolist()
BIRMINGHAM, CAMDEN = "E08000025", "E09000007"


def with_local(sc, *tables):
    return sc.replace(**{"commissioning.local": list(tables)})


def test_commission_locally_sets_only_the_named_authorities():
    sc = baseline()
    lv = Levers.neutral(sc, np.full(4, 2.0), forward_plan=np.array([True, False, True, False]))
    spread = np.array([0.5, 1.0, 2.0, 4.0])
    draw = np.array([0.1, 0.6, 0.3, 0.9])
    la = np.array([1, 3])
    lv.commission_locally(la, {"radius_miles": 20.0, "wtp_multiple": 1.9, "unregistered_after_weeks": 6.0,
                               "forward_plan_share": 0.7, "block_share": 0.3}, spread, draw)
    cm = sc.commissioning
    assert lv.radius_miles.tolist() == [cm.radius_miles, 20.0, cm.radius_miles, 20.0]
    assert lv.wtp_multiple.tolist() == [cm.wtp_multiple, 1.9, cm.wtp_multiple, 1.9]
    assert lv.unreg_limit.tolist() == [2.0, 6.0, 2.0, 24.0]  # the authority's own spread around the local mean
    assert lv.forward_plan.tolist() == [True, True, True, False]  # its own draw against the local share
    assert lv.block_share.tolist() == [cm.block_share, 0.3, cm.block_share, 0.3]
    assert lv.radius_growth_per_week.tolist() == [cm.radius_growth_per_week] * 4  # keys not given stay national


def test_a_cooperative_holding_the_duty_keeps_its_search_limit():
    sc = baseline()
    lv = Levers.neutral(sc, np.full(3, 2.0))
    lv.join_cooperative(np.array([0]), 0, 3, Rcc(holds_duty=True, duty_unregistered_after_weeks=8))
    lv.commission_locally(np.array([0, 1]), {"unregistered_after_weeks": 6.0}, np.ones(3), np.zeros(3))
    assert lv.unreg_limit.tolist() == [8.0, 6.0, 2.0]


def _schedule_model(sc):
    """What the schedule reads: England's authorities at full scale with their own draws."""
    n = len(CODES)
    rng = np.random.default_rng(1)
    agents = [SimpleNamespace(index=i, limit_spread=s, plan_draw=d)
              for i, s, d in zip(range(n), rng.lognormal(0, 0.3, n), rng.random(n))]
    m = SimpleNamespace(params=sc, scale=1.0, group_of_la=np.arange(n), authorities=agents[::-1])
    m.levers = Levers.neutral(sc, np.array([a.limit_spread for a in agents]) * sc.commissioning.unregistered_after_weeks,
                              forward_plan=np.array([a.plan_draw for a in agents]) < sc.commissioning.forward_plan_share)
    return m


def test_the_schedule_switches_a_table_on_exactly_at_its_week_for_exactly_its_authorities():
    sc = with_local(baseline(), {"authorities": [BIRMINGHAM, CAMDEN], "from_week": 26, "radius_miles": 30.0,
                                 "unregistered_after_weeks": 6.0, "forward_plan_share": 1.0, "block_share": 0.25},
                    {"authorities": [CAMDEN], "from_week": 40, "radius_miles": 10.0})
    m = _schedule_model(sc)
    before = {k: getattr(m.levers, k).copy() for k in (*COMMISSIONING_ARRAYS, "unreg_limit", "forward_plan")}
    schedule = PolicySchedule(m)
    named = [CODES.index(BIRMINGHAM), CODES.index(CAMDEN)]
    others = np.setdiff1d(np.arange(len(CODES)), named)
    for week in range(26):
        schedule.apply(week)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(m.levers, k), v, err_msg=f"{k} changed before week 26")
    schedule.apply(26)
    lv = m.levers
    assert lv.radius_miles[named].tolist() == [30.0, 30.0]
    assert lv.block_share[named].tolist() == [0.25, 0.25] and lv.forward_plan[named].all()
    spread = np.array([a.limit_spread for a in sorted(m.authorities, key=lambda a: a.index)])
    np.testing.assert_array_equal(lv.unreg_limit[named], 6.0 * spread[named])
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(lv, k)[others], v[others], err_msg=f"{k} changed for others")
    schedule.apply(39)
    assert lv.radius_miles[named].tolist() == [30.0, 30.0]
    schedule.apply(40)  # the later table wins for Camden, Birmingham keeps the first
    assert lv.radius_miles[named].tolist() == [30.0, 10.0]


def test_the_model_reads_the_local_values_from_their_week():
    sc = with_local(baseline().replace(**{"run.years": 1}),
                    {"authorities": [BIRMINGHAM], "from_week": 2, "radius_miles": 5.0})
    m = PlacementMarket(sc, rng=np.random.default_rng(0))
    b = m.geo.index_of([BIRMINGHAM])[0]
    m.run_weeks(1)
    assert m.levers.radius_miles[b] == sc.commissioning.radius_miles
    m.run_weeks(1)  # week 2's levers are applied at the end of week 1
    assert m.levers.radius_miles[b] == 5.0
    assert np.count_nonzero(m.levers.radius_miles != sc.commissioning.radius_miles) == 1


@pytest.mark.parametrize("from_week", [0, 13])
def test_a_table_repeating_the_national_values_is_the_baseline_bit_for_bit(from_week):
    base = baseline().replace(**{"run.years": 1})
    national = {k: getattr(base.commissioning, k) for k in
                ("radius_miles", "radius_growth_per_week", "wtp_multiple", "urgent_wtp_multiple", "wtp_growth_per_week",
                 "unregistered_after_weeks", "forward_plan_share", "block_share", "block_margin")}
    same = with_local(base, {"authorities": [BIRMINGHAM, CAMDEN, "E10000016"], "from_week": from_week, **national})
    spec = seed_specs(base.run.root_seed, 1)[0]
    a, b = simulate(base, spec), simulate(same, spec)
    assert a.metrics == b.metrics
    assert a.timeseries.equals(b.timeseries)
    changed = with_local(base, {"authorities": [BIRMINGHAM, CAMDEN, "E10000016"], "from_week": from_week,
                                "radius_miles": 10.0})
    assert simulate(changed, spec).metrics != a.metrics  # the comparison can fail


def test_every_local_key_has_a_lever():
    from simmarket.params.sections import LOCAL_KEYS

    assert set(LOCAL_KEYS) == set(COMMISSIONING_ARRAYS) | {"unregistered_after_weeks", "forward_plan_share"}
