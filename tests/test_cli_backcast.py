"""`simmarket backcast` through the command line on a tiny run: what it writes and prints, and bad
input (a missing or malformed targets or scenario file) as one line, exit 2, nothing written."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from simmarket.cli import main
from simhelpers import needs_start_year
from simmarket.data import load_targets
from simmarket.experiment.backcast import COLUMNS
from test_bad_input import _tree, assert_bad_input

# the baseline starts in March 2024: its two years end in March 2025 and 2026
TARGETS = """
[children_in_homes]
metric = "children_in_homes"
years = [2025, 2026]
values = [9480, 9900]
band_relative = 0.5

[mean_weekly_price_gbp]
metric = "mean_weekly_price_gbp"
years = [2026]
values = [6100]
band = [[10, 20]]
"""
TINY = ["baseline", "--set", "run.scale=0.5", "--set", "run.years=2", "--seeds", "2", "--workers", "1"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "targets.toml").write_text(TARGETS, encoding="utf-8")
    return tmp_path


def test_a_tiny_backcast_writes_its_table_chart_and_the_runs_files(here):
    result = CliRunner().invoke(main, ["backcast", *TINY, "--targets", "targets.toml", "--out", "out"])
    assert result.exit_code == 0, (result.output, result.exception)
    out = here / "out"
    for name in ("backcast.csv", "backcast.md", "backcast.png", "summary.json", "yearly.parquet", "manifest.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "backcast.csv")
    assert list(table.columns) == list(COLUMNS)
    assert table[["target", "year"]].values.tolist() == [["children_in_homes", 2025], ["children_in_homes", 2026],
                                                         ["mean_weekly_price_gbp", 2026]]
    assert table["model_mean"].notna().all()
    assert table["in_band"].tolist() == [True, True, False]  # wide bands; a price band of 10 to 20 a week
    assert "2 of 3 targets in band" in result.stdout
    assert "| children_in_homes | 2025 |" in (out / "backcast.md").read_text()


def test_a_run_reaching_march_2025_is_set_against_the_calibration_years_targets(here):
    """The year to March 2025 against targets.toml: every target, the same year's numbers as the
    backcast's own rows (here children in homes in 2025), and not counted among the backcast's."""
    result = CliRunner().invoke(main, ["backcast", *TINY, "--targets", "targets.toml", "--out", "out"])
    assert result.exit_code == 0, (result.output, result.exception)
    final = pd.read_csv(here / "out" / "calibration_year.csv")
    assert final["target"].tolist() == list(load_targets())
    table = pd.read_csv(here / "out" / "backcast.csv")
    same_year = table[(table["target"] == "children_in_homes") & (table["year"] == 2025)]["model_mean"].item()
    assert final.set_index("target").loc["children_in_homes", "model_mean"] == pytest.approx(same_year)
    line = next(x for x in result.stdout.splitlines() if x.startswith("2024-25 against the calibration"))
    assert f"{int(final['within_band'].sum())} of {len(final)} in band" in line
    assert "2 of 3 targets in band" in result.stdout  # the backcast's own count is unchanged
    assert "## 2024-25 against the calibration year's targets" in (here / "out" / "backcast.md").read_text()
    beyond = pd.read_csv(here / "out" / "beyond_targets.csv")  # the run ends March 2025 and 2026: one year published
    assert beyond["year"].tolist() == [2025] and beyond["observed"].item() == pytest.approx(0.688)
    assert beyond["model_mean"].item() == pytest.approx(final.set_index("target").loc["occupancy_registered_places",
                                                                                       "model_mean"])
    assert "Occupancy at 31 March 2025 (DfE and Ofsted): history 69%" in result.stdout


def test_target_years_outside_the_run_are_a_warning_not_an_error(here):
    (here / "targets.toml").write_text(TARGETS.replace("[2025, 2026]", "[2021, 2025]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["backcast", *TINY, "--seeds", "1", "--targets", "targets.toml", "--out", "o"])
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "2021" in result.stderr
    assert pd.read_csv(here / "o" / "backcast.csv")["model_mean"].isna().tolist() == [True, False, False]


@pytest.mark.parametrize("files, argv, fragments", [
    ({}, ["--targets", "none.toml"], ["none.toml", "not found"]),
    ({"bad.toml": "[children_in_homes\n"}, ["--targets", "bad.toml"], ["bad.toml", "malformed TOML"]),
    ({"bad.toml": TARGETS.replace('"mean_weekly_price_gbp"', '"mean_price"')}, ["--targets", "bad.toml"],
     ["bad.toml", "mean_weekly_price_gbp.metric", "mean_price"]),
    ({"bad.toml": TARGETS.replace("[2025, 2026]", "[2025]")}, ["--targets", "bad.toml"],
     ["bad.toml", "children_in_homes.values", "2 values for 1 years"]),
], ids=["targets-missing", "targets-malformed", "targets-unknown-metric", "targets-lengths"])
def test_bad_targets_file(here, files, argv, fragments):
    for name, text in files.items():
        (here / name).write_text(text, encoding="utf-8")
    before = _tree(here)
    result = CliRunner().invoke(main, ["backcast", *TINY, *argv, "--out", "out"])
    assert_bad_input(result, fragments, before, here)


@pytest.mark.parametrize("files, argv, fragments", [
    ({}, ["backcast", "nofile.toml"], ["nofile.toml", "not found"]),
    ({"s.toml": 'name = "t"\n[run]\nyeras = 1\n'}, ["backcast", "s.toml"], ["run.yeras"]),
    ({}, ["backcast", "baseline", "--set", "run.years=0"], ["run.years", "out of range"]),
    ({}, ["backcast", "baseline", "--seeds", "0"], ["--seeds", "run.seeds"]),
], ids=["scenario-missing", "scenario-bad-key", "set-out-of-range", "seeds-zero"])
def test_bad_scenario(here, files, argv, fragments):
    for name, text in files.items():
        (here / name).write_text(text, encoding="utf-8")
    before = _tree(here)
    result = CliRunner().invoke(main, [*argv, "--targets", "targets.toml", "--out", "out"])
    assert_bad_input(result, fragments, before, here)


@needs_start_year
def test_the_default_scenario_is_the_backcast_from_2020(here):
    argv = ["backcast", "--set", "run.scale=0.5", "--set", "run.years=1", "--seeds", "1", "--workers", "1", "--out", "o"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "history_2020" in result.stdout and "from 31 March 2020" in result.stdout
    table = pd.read_csv(here / "o" / "backcast.csv")
    assert table.loc[table["year"] == 2021, "model_mean"].notna().all()
    assert table.loc[table["year"] > 2021, "model_mean"].isna().all()
    assert not (here / "o" / "calibration_year.csv").exists()  # the run does not reach March 2025
    assert "calibration year's targets" not in result.stdout
