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
