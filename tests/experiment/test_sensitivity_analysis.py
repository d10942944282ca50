"""Sensitivity indices: known answers on toy functions, and the command end to end on the model."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sweep_toys
from simmarket.cli import main
from simmarket.experiment import driver, sensitivity
from simmarket.experiment.space import Real
from simmarket.report import sensitivity as sensitivity_report

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"

# Ishigami (a=7, b=0.1): analytic first-order and total indices (Saltelli et al. 2008, 4.2)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
ISHIGAMI_S13 = 0.2437


def test_sobol_indices_of_the_ishigami_function(tmp_path, threads):
    params = tuple(Real(k, -math.pi, math.pi) for k in ("x1", "x2", "x3"))
    sweep = sweep_toys.toy_sweep("sobol", replications=1, params=params, metrics=("y",), samples=1024)
    out = driver.execute(sweep, tmp_path / "s", threads, fn=sweep_toys.ishigami, charts=False, batch_size=256)
    assert len(out.runs) == 1024 * (2 * 3 + 2)
    tables = sensitivity.analyse(sweep, out.runs)
    idx = tables["indices"].set_index("parameter")
    for k in ISHIGAMI_S1:
        assert idx.loc[k, "S1"] == pytest.approx(ISHIGAMI_S1[k], abs=0.05)
        assert idx.loc[k, "ST"] == pytest.approx(ISHIGAMI_ST[k], abs=0.05)
        assert 0 < idx.loc[k, "S1_conf"] < 0.2
    s2 = tables["second_order"].set_index(["parameter_1", "parameter_2"])["S2"]
    assert s2["x1", "x3"] == pytest.approx(ISHIGAMI_S13, abs=0.08)
    assert abs(s2["x1", "x2"]) < 0.08
    paths = sensitivity_report.write(sweep, tables, tmp_path / "s")
    assert {p.name for p in paths} >= {"sensitivity_sobol.csv", "sensitivity_sobol_s2.csv", "sensitivity_y.png"}


def test_morris_mu_star_is_the_effect_over_each_range(tmp_path, threads):
    params = (Real("a", 0.0, 1.0), Real("b", 0.0, 1.0), Real("c", 0.0, 1.0))
    sweep = sweep_toys.toy_sweep("morris", replications=3, params=params, samples=20, levels=4)
    out = driver.execute(sweep, tmp_path / "m", threads, fn=sweep_toys.linear, charts=False)
    tables = sensitivity.analyse(sweep, out.runs)
    y = tables["indices"][tables["indices"]["metric"] == "y"].set_index("parameter")
    assert y.loc["a", "mu_star"] == pytest.approx(3.0) and y.loc["b", "mu_star"] == pytest.approx(1.0)
    assert y.loc["c", "mu_star"] == pytest.approx(0.0, abs=1e-12) and y["sigma"].max() < 1e-9
    # seed noise is averaged over replications before the indices: c matters little for `noisy`
    noisy = tables["indices"][tables["indices"]["metric"] == "noisy"].set_index("parameter")
    assert noisy.loc["c", "mu_star"] < noisy.loc["a", "mu_star"]


def test_points_with_no_successful_run_skip_the_metric(tmp_path, threads):
    params = (Real("a", 0.0, 1.0), Real("b", 0.0, 1.0))
    sweep = sweep_toys.toy_sweep("morris", replications=1, params=params, samples=4, levels=4)
    out = driver.execute(sweep, tmp_path / "m", threads, fn=sweep_toys.fails_above, charts=False)
    tables = sensitivity.analyse(sweep, out.runs)
    assert set(tables["skipped"]["metric"]) == {"y", "noisy"} and not len(tables["indices"])


def test_sensitivity_command_end_to_end_on_the_model(tmp_path):
    shutil.copy(BASELINE, tmp_path / "baseline.toml")
    path = tmp_path / "sa.toml"
    path.write_text("""
scenario = "baseline.toml"
[set]
"run.years" = 1
"run.scale" = 0.5
[design]
method = "morris"
samples = 2
second_order = false
replications = 1
metrics = ["children_unregistered", "mean_weekly_price_gbp"]
[parameters."workforce.supply_multiplier"]
lo = 0.5
hi = 1.5
[parameters."pricing.scarcity_elasticity"]
lo = 0.05
hi = 0.4
""")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["sensitivity", str(path), "--method", "sobol", "--workers", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    assert "sobol sensitivity of 2 outcomes to 2 parameters" in res.output
    idx = pd.read_csv(out / "sensitivity_sobol.csv")
    runs = driver.store_mod.read_runs(out / "runs")
    assert len(runs) == 2 * (2 + 2) and (runs["status"] == "ok").all()
    assert set(idx["parameter"]) == {"workforce.supply_multiplier", "pricing.scarcity_elasticity"}
    assert set(idx["metric"]) | set(pd.read_csv(out / "sensitivity_skipped.csv")["metric"] if (out / "sensitivity_skipped.csv").exists() else []) \
        == {"children_unregistered", "mean_weekly_price_gbp"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns)
    assert len(list((out / "charts").glob("sensitivity_*.png"))) == idx["metric"].nunique()
