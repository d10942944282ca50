"""The start state of any 31 March 2020-2025 is that day's market in the shipped data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simhelpers import build
from simmarket import data, metrics
from simmarket.data import REGIONS
from simmarket.experiment.yearly import YearRecorder, run_by_year
from simmarket.state import ACTIVE, FOSTER, GONE, HOME, SUPPORTED


@pytest.fixture(scope="module", params=[2020, 2024])
def started(request):
    year = request.param
    return year, build(6, **{"run.scale": 1.0, "run.check": False, "run.start_year": year})


def test_homes_are_that_days_stock(started):
    year, m = started
    homes = data.start_homes(year)
    ordinary = homes[homes.provision_type == "childrens_home"]
    v = metrics.compute(m, window=(0, 1))
    assert m.start_date == dt.date(year, 3, 31)
    assert (v["homes_total"], v["places_total"]) == (len(ordinary), ordinary.places.sum())
    assert m.homes.secure.sum() == (homes.provision_type == "secure_childrens_home").sum()
    assert v["share_homes_private"] == pytest.approx((ordinary.sector == "private").mean())


def test_children_are_that_days_by_setting(started):
    year, m = started
    la = data.start_authorities(year)
    v = metrics.compute(m, window=(0, 1))
    assert v["children_in_foster_care"] == la.cla_foster.sum()
    assert v["children_in_supported_accommodation"] == la.cla_supported_accommodation.sum()
    assert np.array_equal(m.paths.at("cla_total", year), la.cla_total) and np.array_equal(m.pop_0_17, la.pop_0_17)


def test_children_in_homes_are_placed_by_region_as_far_as_the_stock_allows(started):
    """The children in homes are placed by the market, never copied: at most the data's count in
    each region, and almost all of it (at the start homes are staffed for whoever they took in)."""
    year, m = started
    ch = m.children
    placed = np.bincount(m.region_of_la[ch.la[ch.status == HOME]], minlength=len(REGIONS))
    want = data.start_authorities(year).groupby("region")["cla_childrens_homes"].sum().reindex(REGIONS).to_numpy()
    assert (placed <= want).all()
    assert (placed >= 0.97 * want).all()
    assert placed.sum() >= 0.99 * want.sum()


def test_the_start_knows_the_shortage_providers_had_seen(started):
    """Entrants read the year before the start's unregistered use per registered place (147 children
    in 2020-21 stand for 2019-20; 982 in 2023-24) until a quarter of their own has passed."""
    year, m = started
    places = m.homes.places[m.homes.state == ACTIVE].sum()
    assert m.shortage_before_start == pytest.approx({2020: 147, 2024: 982}[year] / places)


def test_a_2020_start_runs_a_year_with_invariants_checked():
    m = build(3, **{"run.start_year": 2020, "run.check": True})
    rec = YearRecorder()
    run_by_year(m, rec)
    assert m.week == 52 and set(rec.frame()["year_end"]) == {dt.date(2021, 3, 31)}


def test_the_start_year_unaccompanied_children_are_flagged_where_they_live(started):
    """Each authority's UASC of that 31 March carry the flag, fostered or supported, aged 12+,
    about 89% of them 16-17 (NAO25 1.13), so Home Office funding covers them from week 0."""
    year, m = started
    ch, la = m.children, data.start_authorities(year)
    flagged = ch.uasc & (ch.status != GONE)
    assert np.isin(ch.status[flagged], [FOSTER, SUPPORTED]).all() and (ch.age[flagged] >= 12).all()
    by_la = np.bincount(ch.la[flagged], minlength=m.n_la)
    candidates = np.bincount(ch.la[np.isin(ch.status, [FOSTER, SUPPORTED]) & (ch.age >= 12)], minlength=m.n_la)
    assert np.array_equal(by_la, np.minimum(la.cla_uasc.to_numpy(int), candidates))
    assert by_la.sum() > 0.99 * la.cla_uasc.sum()
    assert (ch.age[flagged] >= 16).mean() == pytest.approx(0.89, abs=0.02)


def test_flagging_the_start_uasc_changes_no_other_draw(monkeypatch):
    """The flags come from a stream of their own: the start's other columns are those drawn with
    the flagging skipped."""
    import simmarket.start as start

    kw = {"run.scale": 1.0, "run.check": False}
    flagged = build(3, **kw)
    monkeypatch.setattr(start, "flag_start_uasc", lambda m: None)
    plain = build(3, **kw)
    assert plain.children.uasc.sum() == 0 and flagged.children.uasc.sum() > 0
    for col in ("la", "age", "x", "y", "status", "home", "price", "complexity", "needs"):
        assert np.array_equal(getattr(flagged.children, col), getattr(plain.children, col)), col
