"""Contrast sweeps: each run paired with a contrast scenario on the same point values and seed."""

import pytest

from simmarket.experiment import driver
from simmarket.experiment.runs import simulate
from simmarket.experiment.space import load_sweep
from simmarket.experiment.sweep import run_seed
from simmarket.params import ConfigError

METRICS = ["children_unregistered", "unregistered_children_per_year", "mean_weekly_price_gbp"]

# the contrast authorities wait much longer before an unregistered setting, so the arms differ in a year
CONTRAST = 'extends = "baseline.toml"\nname = "patient"\n[commissioning]\nunregistered_after_weeks = 40.0\n'

PAIRED = f"""
name = "paired"
contrast = "patient.toml"
[set]
"run.years" = 1
"run.scale" = 0.5
[design]
method = "table"
replications = 2
metrics = {METRICS!r}
points = [{{ "workforce.supply_multiplier" = 0.8 }}]
""".replace("'", '"')


@pytest.fixture
def paired(sweep_dir):
    path = sweep_dir(PAIRED)
    (path.parent / "patient.toml").write_text(CONTRAST, encoding="utf-8")
    return path


def test_a_contrast_sweep_stores_each_metric_its_contrast_and_the_difference(paired):
    sweep = load_sweep(paired)
    assert sweep.contrast.name == "patient" and sweep.contrast.run.years == 1  # [set] applies to both arms
    assert sweep.deltas == tuple(f"delta_{m}" for m in METRICS)
    assert set(sweep.outcomes) == {*METRICS, *sweep.deltas, *(f"contrast_{m}" for m in METRICS)}
    plain = paired.with_name("plain.toml")
    plain.write_text(paired.read_text().replace('contrast = "patient.toml"\n', ""))
    plain_sweep = load_sweep(plain)
    assert plain_sweep.outcomes == plain_sweep.metrics and plain_sweep.deltas == ()
    points = [{"workforce.supply_multiplier": 0.8}]
    assert plain_sweep.fingerprint(points) != sweep.fingerprint(points)  # resuming one into the other is refused


def test_contrast_deltas_are_scenario_minus_contrast_for_each_seed(paired, tmp_path, threads):
    sweep = load_sweep(paired)
    runs = driver.execute(sweep, tmp_path / "out", threads, charts=False).runs
    assert (runs["status"] == "ok").all() and len(runs) == 2
    for _, row in runs.iterrows():
        seed = run_seed(sweep, int(row["point"]), int(row["replication"]))
        params = {"workforce.supply_multiplier": row["workforce.supply_multiplier"]}
        own = simulate(sweep.scenario.replace(**params), seed, timeseries=False).metrics
        other = simulate(sweep.contrast.replace(**params), seed, timeseries=False).metrics
        for m in METRICS:
            assert row[m] == pytest.approx(own[m]) and row[f"contrast_{m}"] == pytest.approx(other[m])
            assert row[f"delta_{m}"] == pytest.approx(own[m] - other[m])
    assert runs["delta_unregistered_children_per_year"].abs().sum() > 0  # the arms really differ
    assert runs["children_unregistered"].nunique() == 2  # two seeds, two different runs
    again = driver.execute(load_sweep(paired), tmp_path / "out", threads, resume=True, charts=False)
    assert again.n_new == 0 and again.runs.drop(columns="seconds").equals(runs.drop(columns="seconds"))


def test_a_contrast_on_another_horizon_is_refused(paired):
    (paired.parent / "patient.toml").write_text(CONTRAST + "[run]\nscale = 0.5\n", encoding="utf-8")
    paired.write_text(paired.read_text().replace('"run.scale" = 0.5\n', ""))
    with pytest.raises(ConfigError, match=r"contrast: run.scale is 0.5 in the contrast but 1.0 in the scenario"):
        load_sweep(paired)


def test_a_missing_contrast_file_is_named(paired):
    paired.write_text(paired.read_text().replace('"patient.toml"', '"nowhere.toml"'))
    with pytest.raises(ConfigError, match=r"contrast: file 'nowhere.toml' not found"):
        load_sweep(paired)
