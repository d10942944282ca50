"""yearly.parquet, by_authority.csv and Results.yearly (CONTRACT.md, "What a run writes").

One small run (half scale, 2 seeds x 2 years) is shared by the tests; the hand count uses its own
small model.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

import simmarket
from simmarket import metrics
from simmarket.data import REGIONS
from simmarket.experiment.yearly import authority_table
from simmarket.metrics import AUTHORITY_KEYS, METRICS, YEARLY_METRICS, Metric, View
from simmarket.state import HOME

SCALE, SEEDS, YEARS = 0.5, 2, 2


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    sc = simmarket.load("baseline").replace(**{"run.scale": SCALE})
    res = simmarket.run(sc, seeds=SEEDS, years=YEARS, workers=1)
    assert not res.failures
    out = res.write(tmp_path_factory.mktemp("yearly") / "run")
    summary = json.loads((out / "summary.json").read_text())
    return res, out, summary, pd.read_parquet(out / "yearly.parquet")


def _same(a, b) -> bool:
    a = float("nan") if a is None else float(a)
    b = float("nan") if b is None else float(b)
    return a == b or (np.isnan(a) and np.isnan(b))


def test_final_year_rows_equal_summary_exactly(written):
    _, _, summary, yearly = written
    last = yearly[yearly["year"] == YEARS]
    assert summary["seeds"] == sorted(last["seed"].unique().tolist())
    for i, seed in enumerate(summary["seeds"]):
        rows = last[last["seed"] == seed].set_index("scope")
        for key in METRICS:
            assert _same(rows.loc["national", key], summary["metrics"][key]["per_seed"][i]), key
            for region in REGIONS:
                assert _same(rows.loc[region, key], summary["by_region"][region][key]["per_seed"][i]), (region, key)


def test_rows_years_and_dates(written):
    _, _, _, yearly = written
    n_la = len(authority_table(SCALE))
    assert len(yearly) == SEEDS * YEARS * (1 + len(REGIONS) + n_la)
    assert sorted(yearly["year"].unique()) == list(range(1, YEARS + 1))
    ends = sorted(set(yearly["year_end"]))
    assert ends == [dt.date(2025, 3, 31), dt.date(2026, 3, 31)]
    assert not yearly.duplicated(["seed", "year", "scope"]).any()
    assert list(yearly.columns[5:]) == list(YEARLY_METRICS)


def test_every_authority_appears(written):
    _, _, _, yearly = written
    codes = set(authority_table(SCALE)["code"])
    for _, g in yearly[yearly["level"] == "authority"].groupby(["seed", "year"]):
        assert set(g["scope"]) == codes and len(g) == len(codes)


def _authorities(yearly):
    la = yearly[yearly["level"] == "authority"]
    return la, yearly[yearly["level"] == "national"].set_index(["seed", "year"])


def test_authority_counts_sum_to_national(written):
    _, _, _, yearly = written
    la, nat = _authorities(yearly)
    counts = [k for k in AUTHORITY_KEYS if YEARLY_METRICS[k].is_count]
    assert "children_placed_from_elsewhere" in counts and "homes_total" in counts
    sums = la.groupby(["seed", "year"])[counts].sum()
    for key in counts:
        np.testing.assert_allclose(sums[key], nat.loc[sums.index, key], rtol=1e-12, err_msg=key)


# share or mean -> the count it is taken over (so that sum(share x count) / sum(count) = national)
WEIGHTS = {
    "mean_weekly_price_gbp": "children_in_homes", "share_over_20_miles": "children_in_homes",
    "share_outside_la": "children_in_homes", "mean_distance_miles": "children_in_homes",
    "share_children_3plus_placements_12m": "children_in_homes",
    "new_placement_mean_weekly_price_gbp": "placements_started", "mean_wait_days": "placements_started",
    "occupancy_registered_places": "places_total", "share_homes_private": "homes_total",
    "places_per_home": "homes_total",
}


def test_authority_shares_consistent_via_counts(written):
    _, _, _, yearly = written
    la, nat = _authorities(yearly)
    for key, weight in WEIGHTS.items():
        num = (la[key].fillna(0) * la[weight]).groupby([la["seed"], la["year"]]).sum()
        den = la.groupby(["seed", "year"])[weight].sum()
        np.testing.assert_allclose(num / den, nat.loc[num.index, key], rtol=1e-9, err_msg=key)
    for key in ("share_las_with_placement_over_10k", "share_las_using_unregistered"):
        assert set(la[key].unique()) <= {0.0, 1.0}
        means = la.groupby(["seed", "year"])[key].mean()
        np.testing.assert_allclose(means, nat.loc[means.index, key], rtol=1e-12)
    placed_out = (nat["share_outside_la"] * nat["children_in_homes"]).round()
    np.testing.assert_array_equal(nat["children_placed_from_elsewhere"], placed_out)


def test_region_only_metrics_are_not_by_authority(written):
    _, out, _, yearly = written
    la = yearly[yearly["level"] == "authority"]
    for key in ("homes_opened", "homes_closed", "provider_margin_private"):
        assert YEARLY_METRICS[key].scopes == ("national", "region")
        assert YEARLY_METRICS[key].not_by_authority
        assert la[key].isna().all()
        assert yearly.loc[yearly["level"] != "authority", key].notna().all()
    assert set(AUTHORITY_KEYS) == {k for k, m in YEARLY_METRICS.items() if "authority" in m.scopes}
    with pytest.raises(ValueError, match="per-authority"):
        Metric("x", lambda v: 0.0, "X", "x", "count", False, "no form and no reason")


def test_by_authority_csv(written):
    _, out, _, yearly = written
    table = pd.read_csv(out / "by_authority.csv")
    expected = authority_table(SCALE)
    assert list(table.columns[:4]) == ["code", "name", "region", "members"]
    assert list(table.columns[4:]) == list(AUTHORITY_KEYS)
    assert list(table["code"]) == list(expected["code"]) and table["code"].is_unique
    assert set(table["region"]) == set(REGIONS)
    first = table["members"].str.split(" ").str[0]
    assert (first == table["code"]).all()  # a group's code is its first member's
    assert table["members"].str.split(" ").str.len().sum() == 153  # every English authority in one group
    final = yearly[(yearly["level"] == "authority") & (yearly["year"] == YEARS)]
    means = final.groupby("scope")[list(AUTHORITY_KEYS)].mean().loc[table["code"]]
    np.testing.assert_allclose(table[list(AUTHORITY_KEYS)].to_numpy(float), means.to_numpy(float), rtol=1e-12)


def test_api_yearly_equals_file(written):
    res, out, _, yearly = written
    pd.testing.assert_frame_equal(res.yearly, yearly)
    pd.testing.assert_frame_equal(res.by_authority(), pd.read_csv(out / "by_authority.csv"), check_dtype=False)


def test_full_scale_table_has_no_members():
    table = authority_table(1.0)
    assert list(table.columns) == ["code", "name", "region"] and len(table) == 153


@pytest.fixture(scope="module")
def small_model():
    sc = simmarket.load("baseline").replace(**{"run.scale": SCALE})
    model = simmarket.PlacementMarket(sc, rng=3)
    model.run_weeks(6)
    return model


def test_placed_from_elsewhere_equals_hand_count(small_model):
    m = small_model
    ch, homes = m.children, m.homes
    hand = np.zeros(m.n_la, int)
    for i in range(ch.n):
        if ch.status[i] == HOME and homes.la[ch.home[i]] != ch.la[i]:
            hand[homes.la[ch.home[i]]] += 1
    assert hand.sum() > 0
    metric = YEARLY_METRICS["children_placed_from_elsewhere"]
    everyone = View(m, np.ones(m.n_la, bool), m.week, m.week)
    np.testing.assert_array_equal(metric.per_authority(everyone), hand)
    assert metric.definition(everyone) == hand.sum()
    for i, region in enumerate(REGIONS):
        mask = m.region_of_la == i
        assert metric.definition(View(m, mask, m.week, m.week)) == hand[mask].sum(), region


def test_per_authority_p90_and_stock_forms_match_a_view_per_authority(small_model):
    """The vectorised forms equal the metric's own definition over a View of one authority (homes'
    measures by the homes located there, children's by the child's authority, as a region's View)."""
    m = small_model
    everyone = View(m, np.ones(m.n_la, bool), max(m.week - 4, 0), m.week)
    for la in (0, 5, m.n_la - 1):
        one = View(m, np.arange(m.n_la) == la, everyone.w0, everyone.w1)
        for key in AUTHORITY_KEYS:
            metric = YEARLY_METRICS[key]
            if key in ("share_las_with_placement_over_10k", "share_las_using_unregistered"):
                continue  # per authority: 1 or 0 (the national share is their mean)
            got, want = metric.per_authority(everyone)[la], metrics._clean(metric.definition(one))
            assert got == pytest.approx(want, rel=1e-12, nan_ok=True), (key, la)


def test_a_2020_start_labels_its_years_by_its_own_calendar(tmp_path):
    sc = simmarket.load("baseline", ["run.start_year=2020"]).replace(**{"run.scale": SCALE})
    out = simmarket.run(sc, seeds=1, years=2, workers=1).write(tmp_path / "run")
    yearly = pd.read_parquet(out / "yearly.parquet")
    assert sorted(set(yearly["year_end"])) == [dt.date(2021, 3, 31), dt.date(2022, 3, 31)]
    assert json.loads((out / "summary.json").read_text())["start_year"] == 2020


MONEY = ("la_spend_per_child_in_homes_gbp", "council_homes_full_cost_gbp", "la_spend_residential_full_cost_gbp",
         "home_office_uasc_funding_gbp", "la_spend_net_of_home_office_gbp", "la_residential_spend_vs_ro3")


def test_money_for_a_finance_director_is_in_every_output(written):
    _, out, summary, yearly = written
    table = pd.read_csv(out / "by_authority.csv")
    for key in MONEY:
        assert key in summary["metrics"] and key in summary["by_region"][REGIONS[0]], key
        assert key in yearly.columns and key in table.columns, key
    nat = yearly[yearly["level"] == "national"].set_index(["seed", "year"])
    np.testing.assert_allclose(nat["la_spend_net_of_home_office_gbp"],
                               nat["la_spend_total_gbp"] - nat["home_office_uasc_funding_gbp"], rtol=1e-12)
    assert (nat["home_office_uasc_funding_gbp"] > 0).all() and (nat["council_homes_full_cost_gbp"] > 0).all()
    assert (nat["la_spend_per_child_in_homes_gbp"] > 1e5).all()  # a year's spend per child, not a week's
    # RO3 describes April 2024 to March 2025: the first year only (so not in this final year's csv)
    la = yearly[yearly["level"] == "authority"]
    first = la.loc[la["year"] == 1, "la_residential_spend_vs_ro3"]
    assert first.notna().mean() > 0.8 and first.between(0.05, 20).mean() > 0.8
    assert la.loc[la["year"] == 2, "la_residential_spend_vs_ro3"].isna().all()
    assert table["la_residential_spend_vs_ro3"].isna().all()
