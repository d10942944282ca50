"""Scenario names: a file first, else a scenario shipped with the package, else one clear error."""

from __future__ import annotations

import pytest

from simmarket import params
from simmarket.params import ConfigError


def test_a_shipped_name_loads_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    by_name = params.load("rcc_pilots")
    assert by_name == params.load(params.shipped_dir() / "rcc_pilots.toml") == params.load("rcc_pilots.toml")
    assert params.baseline() == params.load("baseline") and params.baseline().name == "baseline"


def test_an_existing_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text('name = "mine"\n[run]\nyears = 2\n')
    assert params.load("baseline").name == "mine"


def test_an_unknown_name_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        params.load("basline")
    assert "not found" in str(err.value) and "baseline, " in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="not found"):
        params.load("sub/baseline.toml")  # a path is never looked up by name


def test_shipped_sweeps_resolve_by_name_and_their_relative_scenario_works():
    from simmarket.experiment.space import load_sweep

    sweep = load_sweep(params.resolve("policy_packages", "sweep"))
    assert sweep.scenario.name == "baseline" and params.shipped_names("sweep")


def test_commissioning_mode_is_retired_but_accepted():
    sc = params.load("baseline", ["commissioning.mode=rcc"])
    assert [k for k, _ in params.retired_in_use(sc)] == ["commissioning.mode"]
    assert params.retired_in_use(params.baseline()) == []
    row = next(r for r in params.describe(sc) if r[0] == "commissioning.mode")
    assert row[1] == "rcc" and row[3].startswith("RETIRED")
    with pytest.raises(ConfigError, match="spot, rcc"):
        params.load("baseline", ["commissioning.mode=rrc"])  # still validated


def test_validate_prints_the_resolved_local_tables(tmp_path):
    from click.testing import CliRunner

    from simmarket.cli import main

    f = tmp_path / "s.toml"
    f.write_text('name = "s"\nextends = "' + str(params.BASELINE) + '"\n[[commissioning.local]]\n'
                 'authorities = ["E08000025", "E09000007"]\nfrom_week = 26\nradius_miles = 40\n'
                 'unregistered_after_weeks = 6\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["validate", str(f)])
    assert out.exit_code == 0, out.output
    assert "commissioning.local[0].radius_miles = 40.0" in out.output
    national = params.baseline().commissioning
    assert (f"commissioning.local[0]: from week 26, E08000025 Birmingham, E09000007 Camden: radius_miles = 40 "
            f"(national {national.radius_miles:g}), unregistered_after_weeks = 6 "
            f"(national {national.unregistered_after_weeks:g})") in out.output
    again = params.load(f).replace(**{"run.years": 2})  # a resolved Scenario round-trips (unset keys are None)
    assert again.commissioning.local == params.load(f).commissioning.local


def test_validate_prints_each_parameters_allowed_values_as_validation_checks_them():
    """The README: validate lists every parameter with its unit and what is allowed; the range it
    prints is the one a value outside it is refused with."""
    from click.testing import CliRunner

    from simmarket.cli import main

    out = CliRunner().invoke(main, ["validate", "baseline"])
    assert out.exit_code == 0, out.output
    assert "  run.years = 5  [years, 1 to 50] " in out.output
    assert "  run.check = False  [true or false] " in out.output
    assert "  commissioning.mode = 'spot'  [one of spot, rcc] " in out.output
    assert "  workforce.staff_per_child = (2.5, 3.75, 6.0)  [FTE, each 0 to 50] " in out.output
    allowed = params.allowed_values(params.baseline())
    assert allowed["run.years"] == "1 to 50"
    with pytest.raises(ConfigError, match="allowed 1 to 50"):
        params.load("baseline", ["run.years=51"])
