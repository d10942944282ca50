"""Extreme but valid inputs run to completion, with every invariant checked every week, and give
sensible results (judged against a normal run on the same seed) or a clear warning."""

from __future__ import annotations

import json
import math
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simmarket import invariants, metrics, params
from simmarket.cli import main
from simmarket.data import load_authorities
from simmarket.params.sections import Demand
from simmarket.experiment import RunResult, SeedSpec
from simmarket.model import PlacementMarket
from simmarket.experiment.outputs import summarise, write_run



def small(**overrides):
    """As tests/conftest.py's small(), defined here: `from conftest import` is ambiguous with
    tests/experiment/conftest.py in the same session."""
    base = {"run.scale": 0.5, "run.years": 1, "run.seeds": 2, "run.check": True}
    return params.baseline().replace(**{**base, **overrides})

SCALE, WEEKS, SEED = 0.5, 26, 3
CODES = list(load_authorities()["la_code"])


def run_model(weeks: int = WEEKS, **overrides) -> PlacementMarket:
    model = PlacementMarket(small(**{"run.scale": SCALE, **overrides}), rng=SeedSpec(SEED, (0,)).rng())
    invariants.begin(model)
    model.run_weeks(weeks)  # run.check is on: InvariantError at the first broken week
    assert invariants.violations(model) == []
    return model


def sane(m: dict) -> None:
    """What any result must satisfy whatever the inputs."""
    for k in metrics.CONTRACT_KEYS:
        assert k in m
        assert m[k] is None or isinstance(m[k], float)
    for k in ("children_in_homes", "children_in_supported_accommodation", "children_in_foster_care",
              "children_unregistered", "children_waiting", "homes_total", "places_total", "homes_opened",
              "homes_closed", "la_spend_childrens_homes_gbp", "la_spend_total_gbp", "placements_over_10k"):
        assert m[k] >= 0, (k, m[k])
    for k in ("share_las_with_placement_over_10k", "share_las_using_unregistered", "share_over_20_miles",
              "share_outside_la", "share_homes_without_manager", "share_homes_private",
              "share_children_3plus_placements_12m"):
        assert math.isnan(m[k]) or 0 <= m[k] <= 1, (k, m[k])
    assert math.isnan(m["occupancy_registered_places"]) or 0 <= m["occupancy_registered_places"] <= 1
    assert math.isnan(m["mean_weekly_price_gbp"]) or m["mean_weekly_price_gbp"] >= 0
    assert m["la_spend_total_gbp"] >= m["la_spend_childrens_homes_gbp"] - 1e-6


@pytest.fixture(scope="module")
def normal():
    model = run_model()
    return metrics.compute(model)


def test_normal_run_is_sane(normal):
    sane(normal)
    assert normal["children_in_homes"] > 0 and normal["homes_opened"] > 0


def test_zero_supply_growth(normal):
    m = metrics.compute(run_model(**{"supply.entry_projects_per_year": 0.0}))
    sane(m)
    assert m["homes_opened"] == 0  # no projects, so nothing in the pipeline either
    assert m["homes_total"] <= normal["homes_total"]
    assert ("supply.entry_projects_per_year", ) == tuple(k for k, _ in params.warnings_for(
        small(**{"supply.entry_projects_per_year": 0.0})))


def test_no_staff(normal):
    over = {"workforce.supply_multiplier": 0.0, "workforce.staff_per_place_target": 0.0,
            "workforce.core_staff_per_home": 0.0}  # no staff at all: neither per place nor a home's core
    m = metrics.compute(run_model(**over))
    sane(m)
    assert m["children_in_homes"] == 0  # no staff: no home can care for a child
    assert math.isnan(m["mean_weekly_price_gbp"])  # no placements, so no price (null in summary.json)
    assert m["children_unregistered"] + m["children_waiting"] > normal["children_unregistered"] + normal["children_waiting"]
    keys = {k for k, _ in params.warnings_for(small(**over))}
    assert keys == {"workforce.supply_multiplier", "workforce.staff_per_place_target"}


def test_no_hiring_only():
    """Without hiring, homes lose staff and place no more children. Compared without block
    contracts: a contract covers only places a home can staff, so with no hiring fewer places are
    reserved and left empty for their holders, which by itself places more children (measured,
    seed 3, 26 weeks: 4,388 against 4,369 with blocks; 4,325 against 4,428 without)."""
    no_blocks = {"commissioning.block_share": 0.0}
    normal = metrics.compute(run_model(**no_blocks))
    m = metrics.compute(run_model(**{"workforce.supply_multiplier": 0.0, **no_blocks}))
    sane(m)
    assert m["children_in_homes"] <= normal["children_in_homes"]


def test_no_foster_places(normal):
    m = metrics.compute(run_model(**{"foster.capacity_multiplier": 0.0}))
    sane(m)
    assert m["children_in_foster_care"] < normal["children_in_foster_care"]
    assert m["children_unregistered"] + m["children_waiting"] >= normal["children_unregistered"] + normal["children_waiting"]
    assert [k for k, _ in params.warnings_for(small(**{"foster.capacity_multiplier": 0.0}))] == ["foster.capacity_multiplier"]


def test_every_authority_in_one_rcc():
    coop = [{"name": "England", "members": CODES}]
    model = run_model(**{"rcc.membership": "named", "rcc.cooperatives": coop})
    sane(metrics.compute(model))
    everyone = metrics.compute(model, np.ones(model.n_la, bool))
    assert everyone["children_in_homes"] == metrics.compute(model)["children_in_homes"]


def test_rcc_regions_with_everything_on():
    over = {"rcc.membership": "regions", "rcc.block_share": 1.0, "rcc.holds_duty": True,
            "rcc.price_benchmark": 1.0, "rcc.foster_uplift": 2.0, "rcc.foster_ramp_weeks": 1,
            "rcc.capital_gbp_per_year": 1e10}
    sane(metrics.compute(run_model(**over)))


def test_single_authority_cooperative():
    coop = [{"name": "Camden alone", "members": ["E09000007"]}]
    over = {"rcc.membership": "named", "rcc.cooperatives": coop}
    model = run_model(**over)
    sane(metrics.compute(model))
    sane(metrics.compute(model, model.geo.codes == "E09000007"))  # one authority's own metrics
    assert [k for k, _ in params.warnings_for(small(**over))] == ["rcc.cooperatives[0].members"]


def test_a_single_authority_alone_in_the_metrics():
    """Metrics over one authority (the smallest selection) are defined or NaN, never an error."""
    model = run_model(weeks=4)
    for code in ("E06000053", "E09000001", CODES[0]):  # Isles of Scilly, City of London: tiny
        if code in CODES:
            sane(metrics.compute(model, model.geo.codes == code))


def test_demand_ten_times_normal(normal):
    rate = 10 * params.baseline().demand.entry_rate_per_cla_year
    hi = next(f.metadata["hi"] for f in fields(Demand) if f.name == "entry_rate_per_cla_year")
    m = metrics.compute(run_model(**{"demand.entry_rate_per_cla_year": min(rate, hi)}))
    sane(m)
    assert m["children_unregistered"] + m["children_waiting"] > normal["children_unregistered"] + normal["children_waiting"]
    assert m["children_entering_care"] > 5 * normal["children_entering_care"]


@pytest.mark.parametrize("over", [
    {"commissioning.radius_miles": 0.0, "commissioning.radius_growth_per_week": 0.0},
    {"commissioning.shortlist": 1, "commissioning.wtp_multiple": 0.1, "commissioning.wtp_growth_per_week": 0.0},
    {"commissioning.unregistered_after_weeks": 0, "commissioning.unregistered_price_gbp_week": 0.0},
    {"supply.closure_base_per_year": 1.0, "supply.closure_loss_per_year": 10.0, "supply.closure_no_manager_weeks": 1},
    {"demand.breakdown_per_year": 10.0, "demand.home_exit_per_year": 10.0, "demand.step_down_share": 1.0},
    {"supply.registration_weeks_min": 0, "supply.registration_weeks_max": 0, "supply.planning_refusal": 1.0},
    {"pricing.profit_cap": 0.0, "pricing.scarcity_cap": 10.0, "pricing.price_noise_sd": 2.0},
    {"workforce.wage_gbp_week": 0.0, "pricing.property_gbp_place_week": 0.0, "workforce.staff_per_child": [0.0, 1.0, 50.0]},
    {"demand.complexity_shares": [0.0, 0.0, 1.0], "demand.dol_share": 1.0, "demand.secure_share": 1.0},
    {"policy.prevention.entry_reduction": 1.0, "policy.prevention.ramp_weeks": 1, "demand.uasc_per_year": 0.0},
    {"policy.enforcement.detection_per_week": 1.0, "policy.enforcement.fine_gbp": 1e8},
    {"commissioning.block_share": 1.0, "commissioning.forward_plan_share": 1.0, "commissioning.block_margin": -1.0},
], ids=["no-search-radius", "one-referral-tiny-budget", "unregistered-at-once-free", "homes-close-fast",
        "placements-churn", "instant-registration-no-planning", "profit-cap-zero", "free-care",
        "all-high-need-secure", "no-new-entrants", "full-enforcement", "all-blocks"])
def test_other_corners_of_the_parameter_space(over):
    sane(metrics.compute(run_model(weeks=13, **over)))


def test_one_week_horizon_and_its_metrics(tmp_path):
    """run.years = 1 run for a single week (and for none): metrics, regions, summary and files."""
    for weeks in (0, 1):
        model = run_model(weeks=weeks)
        m = metrics.compute(model)
        sane(m)
        regions = metrics.by_region(model)
        assert set(regions) == set(params.REGIONS)
        for r in regions.values():
            sane(r)
        ts = model.datacollector.get_model_vars_dataframe()
        assert len(ts) == weeks + 1
        result = RunResult(SeedSpec(SEED, (0,)), m, regions, ts.reset_index(names="week").assign(seed=0), 0.0)
        summary = summarise(small(), [result])
        folder = tmp_path / f"w{weeks}"
        folder.mkdir()
        write_run(folder, small(), [result], "2024-04-01T00:00:00+00:00")
        again = json.loads((folder / "summary.json").read_text())  # strict JSON: NaN became null
        assert again["metrics"].keys() == summary["metrics"].keys()
        assert len(pd.read_parquet(folder / "timeseries.parquet")) == weeks + 1
    from simmarket.report import summary_table

    assert "Children in" in summary_table(summary)


def test_extreme_run_through_the_cli_warns_and_writes_nulls(tmp_path):
    out = tmp_path / "out"
    sc = tmp_path / "s.toml"
    sc.write_text('name = "nostaff"\n[run]\nyears = 1\nseeds = 2\nscale = 0.5\n'
                  "[workforce]\nsupply_multiplier = 0.0\nstaff_per_place_target = 0.0\ncore_staff_per_home = 0.0\n")
    result = CliRunner().invoke(main, ["run", str(sc), "--out", str(out), "--workers", "1", "--check"])
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("simmarket: warning:")]
    assert len(warnings) == 2 and all("s.toml" in w for w in warnings)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["mean_weekly_price_gbp"]["mean"] is None
    assert summary["metrics"]["children_in_homes"]["per_seed"] == [0.0, 0.0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["run"]["check"] is True  # --check reached the model


@pytest.mark.slow
def test_one_hundred_seeds(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--seeds", "100", "--years", "1", "--set", "run.scale=0.5",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seeds"] == list(range(100))
    for k in metrics.CONTRACT_KEYS:
        s = summary["metrics"][k]
        assert len(s["per_seed"]) == 100
        if s["mean"] is not None:
            assert s["p05"] - 1e-9 <= s["mean"] <= s["p95"] + 1e-9, k
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert sorted(ts["seed"].unique()) == list(range(100))
    assert len(ts) == 100 * 53
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["runs"]) == 100 and len({r["state"] for r in manifest["runs"]}) == 100
