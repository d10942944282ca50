"""The model's invariants, conservation laws, determinism and start state."""

import gc
import weakref

import numpy as np
import pytest

from simmarket import data, metrics
from simmarket.experiment import seed_specs, run_replicates
from simmarket.invariants import violations
from simmarket.phases import accounts
from simmarket.state import GONE, HOME
from simhelpers import build, small

VARIATIONS = {
    "baseline": {},
    "rcc_regions": {"rcc.membership": "regions", "rcc.block_share": 0.2,
                    "rcc.price_benchmark": 1.5, "rcc.holds_duty": True},
    "staff_shortage": {"workforce.supply_multiplier": 0.3},
    "no_foster_growth": {"foster.capacity_multiplier": 0.9, "supply.entry_projects_per_year": 0.0},
}


@pytest.mark.parametrize("name,seed", [(name, 1) for name in VARIATIONS] + [("baseline", 2)])
def test_invariants_hold_every_week(name, seed):
    # run.check = True makes every step raise InvariantError on any violation
    m = build(seed, **{"run.years": 1, **VARIATIONS[name]})
    for _ in range(26):
        m.step()
        assert violations(m) == []
    assert np.all(m.homes.occupied <= m.homes.places)


def test_children_are_conserved():
    m = build(3)
    start = int(np.count_nonzero(m.children.status != GONE))
    m.run_weeks(30)
    now = int(np.count_nonzero(m.children.status != GONE))
    entries = m.flows.la["entries"][:30].sum()
    exits = m.flows.la["exits"][:30].sum()
    assert entries > 0 and exits > 0
    assert now - start == entries - exits


def test_each_child_in_at_most_one_placement():
    m = build(4)
    m.run_weeks(20)
    ch = m.children
    in_home = ch.status == HOME
    assert np.all(ch.home[in_home] >= 0) and np.all(ch.home[~in_home] == -1)
    # a child is in exactly one status, and each placed child is counted once by its home
    assert np.array_equal(np.bincount(ch.home[in_home], minlength=m.homes.n), m.homes.occupied)


def test_money_is_conserved():
    """What authorities pay for homes is what providers receive, week by week, and equals the prices."""
    m = build(5, **{"commissioning.block_share": 0.3})
    for _ in range(20):
        m.step()
    spend = m.flows.la["spend_homes"][:20].sum(axis=1)
    revenue = m.flows.region["provider_revenue"][:20].sum(axis=1)
    np.testing.assert_allclose(spend, revenue, rtol=1e-9)
    # this week's bill is the sum of current spot prices plus block payments for reserved places
    ch, homes = m.children, m.homes
    spot = (ch.status == HOME) & ~ch.block
    expected = ch.price[spot].sum() + (homes.block_places * homes.block_price)[homes.state == 1].sum()
    assert m.flows.la["spend_homes"][m.week].sum() == 0
    accounts.settle_accounts(m)
    assert (homes.block_places > 0).any()
    assert m.flows.la["spend_homes"][m.week].sum() == pytest.approx(expected, rel=1e-12)


def test_same_seed_same_numbers_different_seed_different():
    a = build(11)
    b = build(11)
    c = build(12)
    for m in (a, b, c):
        m.run_weeks(15)
    ma, mb, mc = (metrics.compute(m) for m in (a, b, c))
    assert ma == mb or all((x == y) or (np.isnan(x) and np.isnan(y)) for x, y in zip(ma.values(), mb.values()))
    assert ma["mean_weekly_price_gbp"] != mc["mean_weekly_price_gbp"]


def test_results_do_not_depend_on_when_leavers_rows_are_dropped(monkeypatch):
    """Compaction is bookkeeping: how often the rows of children who left care are dropped must not
    change any number (enforcement's detection once drew one number per row, so it did)."""
    import simmarket.model as model_module

    lever = {"policy.enforcement.start_week": 0, "policy.enforcement.detection_per_week": 0.2, "run.check": False}
    frames = []
    for every in (1, 4, 13):
        monkeypatch.setattr(model_module, "COMPACT_EVERY_WEEKS", every)
        m = build(5, **lever)
        m.run_weeks(40)
        assert m.flows.la["unregistered_detected"][:40].sum() > 0
        frames.append(m.datacollector.get_model_vars_dataframe())
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])


def test_results_do_not_depend_on_worker_count():
    sc = small(**{"run.scale": 0.5, "run.check": False})
    seeds = seed_specs(99, 2)
    one = run_replicates(sc, seeds, workers=1)
    two = run_replicates(sc, seeds, workers=2)
    for r1, r2 in zip(one, two):
        assert r1.metrics.keys() == r2.metrics.keys()
        for k in r1.metrics:
            assert (r1.metrics[k] == r2.metrics[k]) or (np.isnan(r1.metrics[k]) and np.isnan(r2.metrics[k])), k
        assert r1.timeseries.equals(r2.timeseries)


def test_start_state_comes_from_the_data():
    m = build(6, **{"run.scale": 1.0, "run.check": False})
    homes = data.start_homes()
    ordinary = homes[homes.provision_type == "childrens_home"]
    v = metrics.compute(m, window=(0, 1))
    assert v["homes_total"] == len(ordinary)  # 3,292 ordinary homes at 31 March 2024, the real stock
    assert v["places_total"] == ordinary.places.sum()
    la = data.load_authorities()
    assert abs(v["children_in_foster_care"] - la.cla_foster_2024.sum()) < 1
    # the March 2024 stock of children in homes is placed by the market, not copied
    placed = v["children_in_homes"]
    assert 0.85 * la.cla_childrens_homes_2024.sum() < placed <= la.cla_childrens_homes_2024.sum()
    assert 0.3 < v["share_outside_la"] < 0.95


def test_homes_are_placed_inside_their_authority():
    for scale in (1.0, 0.5):  # below full scale, inside one of the group's member authorities
        m = build(7, **{"run.scale": scale, "run.check": False})
        h, ch = m.homes, m.children
        assert m.geo.within(h.la, h.x, h.y).all()
        alive = ch.status != GONE
        assert m.geo.within(ch.la[alive], ch.x[alive], ch.y[alive]).all()


def test_below_full_scale_authorities_are_englands_size():
    """At half scale, each simulated authority has about as many children as one of England's."""
    full, half = build(7, **{"run.scale": 1.0, "run.check": False}), build(7, **{"run.scale": 0.5, "run.check": False})
    per_la = [np.count_nonzero(m.children.status != GONE) / m.n_la for m in (full, half)]
    assert half.n_la < 0.6 * full.n_la
    assert per_la[1] == pytest.approx(per_la[0], rel=0.15)


def test_new_homes_come_from_the_entry_mechanism():
    m = build(8, **{"supply.entry_projects_per_year": 0.0})
    n0 = int(np.count_nonzero(m.homes.state == 1))
    m.run_weeks(52)
    assert m.flows.region["homes_opened"].sum() == 0
    assert int(np.count_nonzero(m.homes.state == 1)) <= n0


def test_model_can_be_freed():
    m = build(9)
    m.run_weeks(2)
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is None


def test_timing_the_phases_changes_nothing_and_times_every_phase():
    from simmarket.model import PhaseTimer

    plain, timed = build(4), build(4)
    timed.timer = PhaseTimer()
    plain.run_weeks(6)
    timed.run_weeks(6)
    for key, series in plain.datacollector.model_vars.items():
        np.testing.assert_array_equal(series, timed.datacollector.model_vars[key])  # NaN equals NaN here
    rows = timed.timer.table(timed.week)
    names = [r[0] for r in rows]
    assert set(names) >= {"tidy", "demand", "staffing", "commissioning", "clearing", "escalation", "accounts",
                          "entry_exit", "record", "apply_policies"}
    assert all(sec >= 0 and ms >= 0 for _, sec, ms, _ in rows)
    assert sum(r[3] for r in rows) == pytest.approx(1.0)
