"""The backcast table on small hand-made yearly frames: bands, the year mapping, the growth ratio,
percentiles over seeds, in band; the targets file's checks; the shipped targets and scenario."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simmarket.data import load_history_targets
from simmarket.experiment.backcast import (COLUMNS, backcast_table, calendar_years, load_targets, parse_targets,
                                          start_year_of, trajectories)
from simmarket.params import ConfigError, read_toml
from simhelpers import needs_start_year

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT.parent / "shared" / "evidence" / "history.toml"


def yearly(values: dict[str, dict[int, list[float]]], start_year: int = 2020, label_start: int | None = None,
           regions: bool = True) -> pd.DataFrame:
    """A yearly frame: values[metric][year number] = one value per seed, national rows (and region rows
    holding nonsense, which the table must ignore). year_end follows label_start's calendar."""
    label_start = start_year if label_start is None else label_start
    years = sorted({y for per_year in values.values() for y in per_year})
    n_seeds = len(next(iter(next(iter(values.values())).values())))
    rows = []
    for y in years:
        for s in range(n_seeds):
            base = {"seed": s, "year": y, "year_end": dt.date(label_start + y, 3, 31)}
            rows.append({**base, "level": "national", "scope": "national",
                         **{m: per_year.get(y, [np.nan] * n_seeds)[s] for m, per_year in values.items()}})
            if regions:
                rows.append({**base, "level": "region", "scope": "London", **{m: -1e6 for m in values}})
    return pd.DataFrame(rows)


def targets(text: str):
    return parse_targets(tomllib.loads(text), "t.toml")


HOMES = '[homes_total]\nmetric = "homes_total"\nyears = [2021, 2022]\nvalues = [100, 200]\nband_relative = 0.1\n'
PRICE = ('[mean_weekly_price_gbp]\nmetric = "mean_weekly_price_gbp"\nyears = [2024]\nvalues = [6100]\n'
         'band = [[5500, 6700]]\nstart_level = 4600\ngrowth_year4_over_year1 = [1.15, 1.35]\n')


def test_relative_band_is_value_times_one_plus_minus_r_and_in_band_judges_the_mean():
    table = backcast_table(yearly({"homes_total": {1: [105.0, 107.0], 2: [215.0, 230.0]}}), targets(HOMES), 2020)
    assert list(table.columns) == list(COLUMNS)
    assert table[["band_low", "band_high"]].to_numpy().tolist() == [[90.0, 110.0], [180.0, 220.0]]
    assert table["model_mean"].tolist() == [106.0, 222.5]
    assert table["in_band"].tolist() == [True, False]  # 222.5 > 220 although one seed (215) is inside


def test_explicit_band_per_year_and_its_ends_count_as_inside():
    t = targets('[u]\nmetric = "unregistered_children_per_year"\nyears = [2021, 2022]\nvalues = [147, 304]\n'
                'band = [[60, 320], [170, 520]]\n')
    table = backcast_table(yearly({"unregistered_children_per_year": {1: [320.0], 2: [169.0]}}), t, 2020)
    assert table[["band_low", "band_high"]].to_numpy().tolist() == [[60, 320], [170, 520]]
    assert table["in_band"].tolist() == [True, False]
    assert table["target"].tolist() == ["u", "u"]


def test_target_year_y_is_the_simulated_year_ending_31_march_y():
    frame = yearly({"homes_total": {1: [100.0], 2: [200.0], 3: [300.0]}}, start_year=2020)
    table = backcast_table(frame, targets(HOMES), 2020)
    assert table["model_mean"].tolist() == [100.0, 200.0]
    later = backcast_table(frame, targets(HOMES), 2019)  # a run from March 2019: 2021 is its year 2
    assert later["model_mean"].tolist() == [200.0, 300.0]


def test_labels_on_the_baselines_calendar_are_mapped_by_the_runs_start():
    """Before the model carries its calendar, year_end follows 2024 whatever the start: use start + year."""
    frame = yearly({"homes_total": {1: [100.0], 2: [200.0]}}, start_year=2020, label_start=2024)
    assert calendar_years(frame, 2020).unique().tolist() == [2021, 2022]
    assert backcast_table(frame, targets(HOMES), 2020)["model_mean"].tolist() == [100.0, 200.0]


def test_calendar_years_as_labels_are_used_directly():
    frame = yearly({"homes_total": {1: [100.0], 2: [200.0]}}, regions=False)
    frame["year"] = frame["year"] + 2020  # a `year` column that is the calendar year itself
    assert calendar_years(frame, 2020).tolist() == [2021, 2022]


def test_a_year_the_run_does_not_reach_has_no_model_value_and_is_not_in_band():
    table = backcast_table(yearly({"homes_total": {1: [100.0]}}), targets(HOMES), 2020)
    assert np.isnan(table["model_mean"].iloc[1]) and not table["in_band"].iloc[1]


def test_percentiles_are_over_seeds():
    vals = [100.0, 90.0, 110.0, 95.0, 105.0, 130.0]
    table = backcast_table(yearly({"homes_total": {1: vals, 2: vals}}), targets(HOMES), 2020)
    row = table.iloc[0]
    assert row.p05 == pytest.approx(np.percentile(vals, 5)) and row.p95 == pytest.approx(np.percentile(vals, 95))
    assert row.p05 < row.model_mean < row.p95


def test_growth_is_year_4_over_year_1_per_seed_then_averaged():
    prices = {1: [6000.0, 3000.0], 2: [1.0, 1.0], 3: [1.0, 1.0], 4: [6000.0, 6000.0]}
    table = backcast_table(yearly({"mean_weekly_price_gbp": prices}), targets(PRICE), 2020)
    growth = table[table["target"] == "mean_weekly_price_gbp_growth_year4_over_year1"].iloc[0]
    assert growth.year == 2024
    assert growth.model_mean == pytest.approx((1.0 + 2.0) / 2)  # not 6000 / 4500 = 1.33, which is in band
    assert (growth.band_low, growth.band_high) == (1.15, 1.35)
    assert not growth.in_band
    assert (growth.p05, growth.p95) == (pytest.approx(1.05), pytest.approx(1.95))
    assert growth.observed == pytest.approx((6100 / 4600) ** 0.75)  # about 1.24, as history.toml says
    assert table["target"].tolist() == ["mean_weekly_price_gbp", "mean_weekly_price_gbp_growth_year4_over_year1"]


def test_growth_years_follow_the_calendar_not_the_runs_start():
    prices = {1: [4000.0], 2: [5000.0], 3: [5500.0], 4: [6000.0], 5: [7000.0]}
    table = backcast_table(yearly({"mean_weekly_price_gbp": prices}), targets(PRICE), 2019)  # 2021 = year 2
    assert table.iloc[1].model_mean == pytest.approx(7000.0 / 5000.0)


def test_counts_below_full_scale_are_national_equivalents_and_prices_are_not_scaled():
    frame = yearly({"homes_total": {1: [50.0], 2: [100.0]}, "mean_weekly_price_gbp": {1: [6000.0], 2: [6000.0]}})
    table = backcast_table(frame, targets(HOMES), 2020, scale=0.5)
    assert table["model_mean"].tolist() == [100.0, 200.0]
    paths = trajectories(frame, targets(HOMES + PRICE), 2020, scale=0.5)
    assert paths[paths.metric == "mean_weekly_price_gbp"]["mean"].tolist() == [6000.0, 6000.0]
    assert paths[paths.metric == "homes_total"]["year"].tolist() == [2021, 2022]


@pytest.mark.parametrize("text, fragment", [
    ('[x]\nmetric = "homes_totl"\nyears = [2021]\nvalues = [1]\nband_relative = 0.1\n', "did you mean 'homes_total'"),
    ('[homes_total]\nyears = [2021, 2022]\nvalues = [1]\nband_relative = 0.1\n', "1 values for 2 years"),
    ('[homes_total]\nyears = [2021]\nvalues = [1]\n', "no band"),
    ('[homes_total]\nyears = [2021]\nvalues = [1]\nband = [[3, 2]]\n', "low <= high"),
    ('[homes_total]\nyears = [2021, 2022]\nvalues = [1, 2]\nband = [[1, 2]]\n', "one [low, high] per year"),
    ('[homes_total]\nyears = ["2021"]\nvalues = [1]\nband_relative = 0.1\n', "list of numbers"),
    ('[homes_total]\nyears = [2021.5]\nvalues = [1]\nband_relative = 0.1\n', "whole years"),
    ('[homes_total]\nyears = [2021]\nvalues = [1]\nband_relative = 2\n', "0 to 1"),
    ("homes_total = 3\n", "expected a table"),
    ("", "no targets"),
])
def test_bad_targets_are_one_line_naming_the_file_and_key(text, fragment):
    with pytest.raises(ConfigError) as e:
        targets(text)
    assert str(e.value).startswith("t.toml") and fragment in str(e.value) and "\n" not in str(e.value)


def test_a_missing_targets_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_targets(tmp_path / "none.toml")


def test_shipped_targets_parse_into_27_rows_with_the_growth_row():
    ts = load_targets()
    assert [t.name for t in ts][:2] == ["children_in_homes", "homes_total"]
    n = sum(len(t.years) for t in ts) + sum(t.growth_band is not None for t in ts)
    assert n == 27
    assert backcast_table(yearly({"homes_total": {1: [1.0]}}), ts, 2020).shape == (27, len(COLUMNS))


@pytest.mark.skipif(not EVIDENCE.is_file(), reason="the shared evidence folder is not beside the checkout")
def test_shipped_targets_are_the_evidence_files_values():
    with EVIDENCE.open("rb") as fh:
        assert load_history_targets() == tomllib.load(fh)


def test_history_scenario_file_starts_in_2020_for_five_years():
    raw = read_toml(ROOT / "scenarios" / "history_2020.toml")
    assert raw["extends"] == "baseline.toml" and raw["name"] == "history_2020"
    assert raw["run"]["start_year"] == 2020 and raw["run"]["years"] == 5 and raw["run"]["seeds"] >= 6


@needs_start_year
def test_history_scenario_loads_with_its_start_year():
    import simmarket

    sc = simmarket.load("history_2020")
    assert start_year_of(sc) == 2020 and sc.run.years == 5
    assert sc.pricing == simmarket.load("baseline").pricing  # behaviour is the baseline's


def test_start_year_defaults_to_the_baselines():
    import simmarket

    assert start_year_of(simmarket.load("baseline")) == 2024


def test_beyond_the_targets_is_occupancy_each_march_the_run_ends_a_year_in():
    """History's occupancy every 31 March it is published (national_series.csv), against the seeds'
    mean in the simulated years that end then; a year the run does not reach has no row."""
    from simmarket.experiment.backcast import beyond_targets, observed_occupancy

    occ = {1: [0.70, 0.80], 2: [0.60, 0.70], 3: [0.5, 0.5]}
    table = beyond_targets(yearly({"occupancy_registered_places": occ}), 2020)
    assert table["year"].tolist() == [2021, 2022, 2023]
    assert table["model_mean"].tolist() == pytest.approx([0.75, 0.65, 0.5])
    assert table["observed"].tolist() == pytest.approx([0.752, 0.737, 0.728])  # DfE and Ofsted, 31 March
    assert observed_occupancy().loc[2025] == pytest.approx(0.688) and observed_occupancy().loc[2020] == pytest.approx(0.769)
    assert beyond_targets(yearly({"occupancy_registered_places": occ}), 2024)["year"].tolist() == [2025]
    tail = beyond_targets(yearly({"placements_over_10k": {3: [400.0, 600.0]}}), 2020)  # the LGA's 2022-23 count
    assert tail[["metric", "year", "observed", "model_mean"]].values.tolist() == [["placements_over_10k", 2023,
                                                                                  1510.0, 500.0]]
    half = beyond_targets(yearly({"placements_over_10k": {3: [200.0, 300.0]}}), 2020, scale=0.5)
    assert half["model_mean"].item() == 500.0  # a count, as a national equivalent
