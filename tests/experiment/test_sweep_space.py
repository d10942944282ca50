"""Sweep files: parsing, typed parameters, designs and the errors users see."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simmarket.cli import main
from simmarket.params import ConfigError
from simmarket.experiment.space import Categorical, Integer, Real, is_sweep_file, load_sweep
from simmarket.experiment.design import design_points
from simmarket.experiment.sweep import plan_runs, run_seed

SWEEPS = sorted((Path(__file__).resolve().parents[2] / "scenarios" / "sweeps").glob("*.toml"))

GRID = """
name = "g"
[design]
method = "grid"
levels = 3
replications = 2
metrics = ["children_unregistered"]
[parameters."workforce.supply_multiplier"]
lo = 0.5
hi = 1.5
[parameters.commissioning.mode]
choices = ["spot"]
[parameters."supply.registration_weeks_max"]
values = [52, 104]
"""


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_shipped_example_sweeps_are_valid(path):
    sweep = load_sweep(path)
    assert is_sweep_file(path)
    assert design_points(sweep)


def test_scenario_files_are_not_sweep_files():
    assert not is_sweep_file(Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml")


def test_grid_is_the_product_of_levels_with_types_from_the_schema(sweep_dir):
    sweep = load_sweep(sweep_dir(GRID))
    kinds = {type(p) for p in sweep.parameters}
    assert kinds == {Real, Categorical, Integer}
    points = design_points(sweep)
    assert len(points) == 3 * 1 * 2
    assert {p["workforce.supply_multiplier"] for p in points} == {0.5, 1.0, 1.5}
    assert {p["supply.registration_weeks_max"] for p in points} == {52, 104}
    # dotted keys written as nested TOML tables are flattened
    assert "commissioning.mode" in sweep.keys


def test_common_random_numbers_share_seeds_across_points(sweep_dir):
    sweep = load_sweep(sweep_dir(GRID))
    runs = list(plan_runs(sweep, design_points(sweep)))
    assert len(runs) == 12
    assert {r.seed.spawn_key for r in runs} == {(0,), (1,)}
    assert run_seed(sweep, 3, 1) == run_seed(sweep, 0, 1)


def test_independent_seeds_use_point_and_replication(sweep_dir):
    sweep = load_sweep(sweep_dir(GRID.replace("replications = 2", "replications = 2\ncommon_random_numbers = false")))
    runs = list(plan_runs(sweep, design_points(sweep)))
    assert len({r.seed.spawn_key for r in runs}) == 12
    spawned = np.random.SeedSequence(sweep.design.root_seed).spawn(6)[4].spawn(2)[1]
    assert run_seed(sweep, 4, 1).sequence().generate_state(4).tolist() == spawned.generate_state(4).tolist()


def test_integer_and_categorical_parameters_map_the_unit_interval_evenly():
    u = (np.arange(1000) + 0.5) / 1000
    ints = Integer("k", 2, 5).from_unit(u)
    assert set(ints) == {2, 3, 4, 5} and all(isinstance(i, int) for i in ints)
    assert np.bincount(ints).tolist()[2:] == [250] * 4
    assert Categorical("c", ("a", "b")).from_unit(np.array([0.0, 0.49, 0.5, 1.0])) == ["a", "a", "b", "b"]
    assert Real("x", 1.0, 3.0).from_unit(np.array([0.0, 0.5, 1.0])) == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("method,n", [("lhs", 7), ("sobol", 8 * (2 * 3 + 2)), ("morris", 5 * 4)])
def test_sampled_designs_have_their_size_and_stay_in_bounds(sweep_dir, method, n):
    body = GRID.replace('method = "grid"', f'method = "{method}"').replace("levels = 3", "")
    body = body.replace("replications = 2", {"lhs": "samples = 7", "sobol": "samples = 8", "morris": "samples = 5"}[method])
    sweep = load_sweep(sweep_dir(body))
    points = design_points(sweep)
    assert len(points) == n
    assert all(0.5 <= p["workforce.supply_multiplier"] <= 1.5 for p in points)
    assert {p["supply.registration_weeks_max"] for p in points} <= {52, 104}
    assert design_points(sweep) == points  # the design is reproducible


def test_table_design_takes_explicit_points(sweep_dir):
    sweep = load_sweep(sweep_dir("""
[design]
method = "table"
replications = 1
points = [{"pricing.profit_cap" = 0.2, "commissioning.block_share" = 0.1},
          {"pricing.profit_cap" = 1.0, "commissioning.block_share" = 0.3}]
"""))
    assert design_points(sweep) == [{"pricing.profit_cap": 0.2, "commissioning.block_share": 0.1},
                                    {"pricing.profit_cap": 1.0, "commissioning.block_share": 0.3}]


BAD = [
    ('[design]\nmethod = "gird"\n', "design.method", "did you mean 'grid'"),
    ('[design]\nreplicatons = 2\n[parameters."pricing.profit_cap"]\nlo = 0.1\nhi = 1.0\n', "design.replicatons",
     "did you mean 'replications'"),
    ('[design]\n[parameters."workforce.suply_multiplier"]\nlo = 0.5\nhi = 1.5\n', "parameters.workforce.suply_multiplier",
     "did you mean 'workforce.supply_multiplier'"),
    ('[design]\n[parameters."workforce.supply_multiplier"]\nlo = 0.5\nhi = 11\n', "parameters.workforce.supply_multiplier",
     "out of range"),
    ('[design]\n[parameters."supply.registration_weeks_max"]\nlo = 10\nhi = 100\n',
     "parameters.supply.registration_weeks_max", "must not exceed"),
    ('[design]\n[parameters."supply.registration_weeks_max"]\ntype = "real"\nlo = 30\nhi = 100\n',
     "parameters.supply.registration_weeks_max.type", "integer"),
    ('[design]\n[parameters."pricing.profit_cap"]\nlo = 0.5\n', "parameters.pricing.profit_cap.hi", "missing"),
    ('[design]\n[parameters."pricing.profit_cap"]\nlo = 0.5\nhi = 0.2\n', "parameters.pricing.profit_cap.hi", "greater than lo"),
    ('[design]\n[parameters."pricing.profit_cap"]\nlo = 0.1\nhi = 0.5\nstep = 1\n', "parameters.pricing.profit_cap.step",
     "unknown key"),
    ('[design]\nmetrics = ["children_unregisterd"]\n[parameters."pricing.profit_cap"]\nlo = 0.1\nhi = 0.5\n',
     "design.metrics", "did you mean 'children_unregistered'"),
    ('[design]\nmethod = "sobol"\nsamples = 10\n[parameters."pricing.profit_cap"]\nlo = 0.1\nhi = 0.5\n'
     '[parameters."commissioning.block_share"]\nlo = 0.1\nhi = 0.5\n', "design.samples", "power of 2"),
    ('[set]\n"run.years" = 0\n[design]\n[parameters."pricing.profit_cap"]\nlo = 0.1\nhi = 0.5\n', "set.run.years",
     "out of range"),
    ('[design]\nmethod = "table"\npoints = [{"pricing.profit_cap" = 0.1}, {"pricing.profit_cap" = 9.0}]\n',
     "design.points", "point 1"),
    ("[design]\n", "parameters", "no parameters"),
]


@pytest.mark.parametrize("body,key,text", BAD, ids=[b[1] for b in BAD])
def test_bad_sweep_files_name_the_file_key_and_what_is_allowed(sweep_dir, body, key, text):
    path = sweep_dir(body)
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    assert err.value.key == key
    assert str(err.value).startswith(f"{path}: {key}: ")
    assert text in str(err.value)


def test_cli_bad_sweep_exits_2_with_one_line_and_no_folder(sweep_dir, tmp_path):
    path = sweep_dir('[design]\n[parameters."workforce.supply_multiplier"]\nlo = 0.5\nhi = 11\n')
    out = tmp_path / "out"
    for cmd in (["sweep", str(path), "--out", str(out)], ["sensitivity", str(path), "--out", str(out)],
                ["validate", str(path)]):
        res = CliRunner().invoke(main, cmd)
        assert res.exit_code == 2, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "parameters.workforce.supply_multiplier" in lines[0] and str(path) in lines[0]
        assert "Traceback" not in res.output
        assert not out.exists()


def test_cli_refuses_a_non_empty_out_folder_and_a_bad_resume(sweep_dir, tmp_path):
    path = sweep_dir(GRID)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("x")
    res = CliRunner().invoke(main, ["sweep", str(path), "--out", str(tmp_path / "busy")])
    assert res.exit_code == 2 and "--resume" in res.stderr
    res = CliRunner().invoke(main, ["sweep", str(path), "--resume", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "not found" in res.stderr
    res = CliRunner().invoke(main, ["sweep", str(path), "--resume", str(tmp_path / "busy")])
    assert res.exit_code == 2 and "not a sweep folder" in res.stderr


def test_validate_prints_the_resolved_design(sweep_dir):
    res = CliRunner().invoke(main, ["validate", str(sweep_dir(GRID))])
    assert res.exit_code == 0, res.output
    assert "valid sweep 'g'" in res.output
    assert "6 points x 2 replications = 12 runs" in res.output
    assert "workforce.supply_multiplier: real on [0.5, 1.5]" in res.output
