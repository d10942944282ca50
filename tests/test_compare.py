"""`simmarket compare`: outputs, pairing of seeds, groups and bad input."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats as sps

from simmarket.experiment import compare as cmp
from simmarket.cli import main
from simmarket.params import REGIONS
from simmarket.metrics import METRICS

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
SMALL = ("--seeds", "3", "--years", "1", "--set", "run.scale=0.5")
MEMBER_CODES = ["E08000001", "E08000002", "E08000003", "E06000001"]  # Bolton, Bury, Manchester, Hartlepool


def scenario_file(folder: Path, name: str, multiplier: float) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'extends = "{BASELINE.as_posix()}"\nname = "{name}"\n'
                    f'description = "Foster capacity x {multiplier}"\n\n'
                    f"[foster]\ncapacity_multiplier = {multiplier}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One small comparison of the baseline with two scenarios, the second with RCC-style groups."""
    tmp = tmp_path_factory.mktemp("compare")
    files = [BASELINE, scenario_file(tmp, "foster_low", 0.9), scenario_file(tmp, "foster_high", 1.1)]
    out = tmp / "out"
    patch = pytest.MonkeyPatch()
    patch.setattr(cmp, "member_groups", lambda s: (
        {"rcc_members": MEMBER_CODES, "non_members": ["E06000002"]} if s.name == "foster_high" else {}))
    try:
        result = CliRunner().invoke(main, ["compare", *map(str, files), *SMALL, "--out", str(out)])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output + str(result.exception)
    return out, result, pd.read_csv(out / "comparison.csv", keep_default_na=False, na_values=[""])


def summary(out: Path, name: str) -> dict:
    return json.loads((out / name / "summary.json").read_text())


def test_comparison_csv_has_every_metric_scenario_and_scope(compared):
    out, _, table = compared
    assert list(table.columns[:4]) == ["scope", "members_of", "scenario", "metric"]
    for col in ("mean", "p05", "p95", "diff_mean", "diff_lo95", "diff_hi95", "n_seeds"):
        assert col in table.columns
    plain = table[table.members_of.isna()]
    for scope in ("national", *REGIONS):
        for scen in ("baseline", "foster_low", "foster_high"):
            rows = plain[(plain.scope == scope) & (plain.scenario == scen)]
            assert sorted(rows.metric) == sorted(METRICS), (scope, scen)
    groups = table[table.members_of == "foster_high"]
    for scope in ("rcc_members", "non_members"):
        for scen in ("baseline", "foster_high"):
            assert sorted(groups[(groups.scope == scope) & (groups.scenario == scen)].metric) == sorted(METRICS)
    assert not (table.members_of == "foster_low").any()
    assert not table.duplicated(["scope", "members_of", "scenario", "metric"]).any()
    assert (table.n_seeds <= 3).all() and (table[table.metric == "children_in_homes"].n_seeds == 3).all()


def test_base_difference_to_itself_is_exactly_zero(compared):
    _, _, table = compared
    base = table[(table.scenario == "baseline") & table["mean"].notna()]
    assert len(base) > 0
    assert (base.diff_mean == 0).all() and (base.diff_lo95 == 0).all() and (base.diff_hi95 == 0).all()
    assert not base.distinguishable.any()


def test_differences_are_paired_by_seed(compared):
    """diff_mean is the mean of per-seed differences read back from each scenario's summary.json."""
    out, _, table = compared
    b, s = summary(out, "baseline"), summary(out, "foster_low")
    assert b["seeds"] == s["seeds"] == [0, 1, 2]
    t = table[table.members_of.isna()].set_index(["scope", "scenario", "metric"])
    checked = 0
    for scope, bm, sm in [("national", b["metrics"], s["metrics"]),
                          *((r, b["by_region"][r], s["by_region"][r]) for r in REGIONS)]:
        for key in METRICS:
            d = np.array([np.nan if x is None or y is None else y - x
                          for x, y in zip(bm[key]["per_seed"], sm[key]["per_seed"])])
            d = d[np.isfinite(d)]
            row = t.loc[(scope, "foster_low", key)]
            if len(d) == 0:
                assert math.isnan(row.diff_mean)
                continue
            assert row.diff_mean == pytest.approx(d.mean(), rel=1e-9, abs=1e-9)
            if len(d) > 1:
                half = sps.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
                assert row.diff_hi95 - row.diff_lo95 == pytest.approx(2 * half, rel=1e-9, abs=1e-9)
            checked += 1
    assert checked > 100
    # fewer foster places must mean fewer children fostered, in every pairing
    assert t.loc[("national", "foster_low", "children_in_foster_care"), "diff_mean"] < 0


def test_member_groups_are_measured_identically_in_the_base(compared):
    out, _, table = compared
    b, s = summary(out, "baseline"), summary(out, "foster_high")
    assert "foster_high:rcc_members" in b["by_group"] and "foster_high:rcc_members" in s["by_group"]
    g = table[(table.members_of == "foster_high") & (table.scope == "rcc_members")].set_index(["scenario", "metric"])
    for key in ("children_in_homes", "mean_weekly_price_gbp", "children_in_foster_care"):
        base_seeds = b["by_group"]["foster_high:rcc_members"][key]["per_seed"]
        scen_seeds = s["by_group"]["foster_high:rcc_members"][key]["per_seed"]
        assert g.loc[("baseline", key), "mean"] == pytest.approx(np.mean(base_seeds))
        assert g.loc[("foster_high", key), "diff_mean"] == pytest.approx(np.mean(np.subtract(scen_seeds, base_seeds)))
    # members are a small part of England
    nat = table[(table.scope == "national") & (table.scenario == "baseline") & (table.metric == "children_in_homes")]
    assert g.loc[("baseline", "children_in_homes"), "mean"] < 0.2 * nat["mean"].iloc[0]


def test_report_charts_and_run_folders_are_written(compared):
    out, result, _ = compared
    for name in ("baseline", "foster_low", "foster_high"):
        for f in ("summary.json", "timeseries.parquet", "manifest.json", "yearly.parquet", "by_authority.csv"):
            assert (out / name / f).stat().st_size > 0
    for png in ("timeseries.png", "differences.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    for text in ("foster_low", "foster_high", "Foster capacity x 0.9", "3 seeds", "April 2024 to March 2025",
                 "Distinguishable from zero?", "RCC members", "By region", "How to read this",
                 "](timeseries.png)", "](differences.png)"):
        assert text in report, text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["comparison"]["scenarios"] == ["baseline", "foster_low", "foster_high"]
    assert "Results: " + str(out) in result.output
    assert "Mean weekly price (GBP)" in result.output
    assert not list(out.parent.glob(".*partial*"))


def test_missing_scenario_file_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "no_such_scenario.toml"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(missing), *SMALL, "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no_such_scenario.toml" in lines[0]
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no output folder, no partial folder


def test_one_scenario_is_not_a_comparison(tmp_path):
    result = CliRunner().invoke(main, ["compare", str(BASELINE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_paired_difference_interval():
    m, lo, hi, n = cmp.paired_difference([3.0, 5.0, 4.0, np.nan], [1.0, 2.0, 2.0, 1.0])
    d = np.array([2.0, 3.0, 2.0])
    half = sps.t.ppf(0.975, 2) * d.std(ddof=1) / math.sqrt(3)
    assert n == 3 and m == pytest.approx(d.mean())
    assert (lo, hi) == pytest.approx((d.mean() - half, d.mean() + half))
    assert cmp.paired_difference([1.0, 2.0], [1.0, 2.0]) == (0.0, 0.0, 0.0, 2)
    assert math.isnan(cmp.paired_difference([1.0], [0.0])[1])


def test_all_scenarios_share_the_base_seeds_and_years():
    from simmarket.params import Scenario

    base = Scenario().replace(**{"run.seeds": 4, "run.root_seed": 7, "run.years": 2})
    other = Scenario(name="x").replace(**{"run.seeds": 9, "run.root_seed": 1, "run.years": 5})
    a, b = cmp.align([base, other])
    assert (b.run.seeds, b.run.root_seed, b.run.years) == (4, 7, 2)
    assert len(cmp.alignment_notes([base, other], [a, b])) == 3
    a, b = cmp.align([base, other], seeds=3, root=11, years=1)
    assert (a.run.seeds, a.run.root_seed, a.run.years) == (b.run.seeds, b.run.root_seed, b.run.years) == (3, 11, 1)
    assert cmp.folder_names([a, a.replace(name="base line")]) == ["baseline", "base_line"]
    assert cmp.folder_names([a, a]) == ["baseline", "baseline-2"]
    assert [arm.name for arm in cmp.build_arms([a, a])] == ["baseline", "baseline-2"]


def test_output_path_that_is_a_file_exits_2_before_running(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(BASELINE), *SMALL, "--out", str(blocker / "out")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "taken" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failed_seed_leaves_every_scenario_and_the_comparison_stays_paired(tmp_path, monkeypatch):
    import json

    real = cmp.simulate

    def flaky(scenario, seed, *args):
        if scenario.name == "foster_low" and seed.spawn_key == (1,):
            raise RuntimeError("boom")
        return real(scenario, seed, *args)

    monkeypatch.setattr(cmp, "simulate", flaky)
    out = tmp_path / "out"
    files = [BASELINE, scenario_file(tmp_path, "foster_low", 0.9)]
    result = CliRunner().invoke(main, ["compare", *map(str, files), "--seeds", "2", "--years", "1",
                                       "--set", "run.scale=0.5", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "foster_low seed 1: RuntimeError: boom" in result.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.n_seeds) == {1}
    assert json.loads((out / "baseline" / "summary.json").read_text())["seeds"] == [0]
    assert json.loads((out / "failures.json").read_text())[0]["scenario"] == "foster_low"
