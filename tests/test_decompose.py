"""`simmarket compare BASE OTHER --decompose`: the function grouping, the arms, the identities and
the outputs."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import simmarket
from simmarket.cli import main
from simmarket.experiment import compare as cmp
from simmarket.experiment import decompose as dec
from simmarket.experiment import functions as fx
from simmarket.experiment.seeds import seed_specs
from simmarket.metrics import METRICS
from simmarket.params import shipped_names

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
SMALL = ("--seeds", "2", "--years", "1", "--set", "run.scale=0.5", "--workers", "1")
FRAME_26 = {"rcc.membership": "national_20", "rcc.start_week": 26}  # cooperatives from October 2024


def names(base, other):
    return [s.name for s in fx.switches(simmarket.load(base), simmarket.load(other))[1]]


# ------------------------------------------------------------------ grouping (no runs)

def test_rcc_functions_are_found_from_the_resolved_parameters():
    frame, sws = fx.switches(simmarket.load("baseline"), simmarket.load("rcc_national_20"))
    assert frame == {"rcc.membership": "national_20", "rcc.start_week": 52}
    # one_customer is true by default in both files, but does nothing without cooperatives: a function
    assert [s.name for s in sws] == ["one_customer", "rcc_blocks", "foster_hub"]
    assert sws[0].base == {"rcc.one_customer": False} and sws[0].other == {"rcc.one_customer": True}
    assert names("baseline", "rcc_full_duty") == ["one_customer", "rcc_blocks", "price_benchmark", "rcc_capital",
                                                 "foster_hub", "holds_duty", "runs_council_homes", "runs_fostering"]
    # between two scenarios with cooperatives: the base's own values, no frame
    frame, sws = fx.switches(simmarket.load("rcc_national_20"), simmarket.load("rcc_full_duty"))
    assert frame == {} and [s.name for s in sws] == ["rcc_blocks", "price_benchmark", "rcc_capital", "holds_duty",
                                                  "runs_council_homes", "runs_fostering"]
    assert sws[0].base["rcc.block_share"] == 0.1 and sws[0].other["rcc.block_share"] == 0.2
    assert set(sws[3].other) == {"rcc.holds_duty", "rcc.duty_unregistered_after_weeks"}  # tied keys grouped
    assert names("baseline", "reform_package") == ["one_customer", "rcc_blocks", "foster_hub", "capital_programme",
                                                  "workforce_package", "foster_recruitment", "enforcement",
                                                  "planning_reform"]


def test_any_other_differing_key_is_a_function_of_its_own_and_inert_keys_are_none():
    base = simmarket.load("baseline")
    other = base.replace(**{"foster.capacity_multiplier": 0.9, "pricing.risk_aversion": 0.5})
    assert [s.name for s in fx.switches(base, other)[1]] == ["foster.capacity_multiplier", "pricing.risk_aversion"]
    inert = base.replace(**{"rcc.block_share": 0.3, "rcc.one_customer": False}, name="inert")  # no cooperatives
    assert fx.switches(base, inert) == ({}, [])
    with pytest.raises(dec.NothingToDecompose, match="inert differs from baseline in no function"):
        dec.build(*cmp.build_arms([base, inert]))


@pytest.mark.parametrize("name", [n for n in shipped_names() if n != "baseline"])
def test_the_functions_and_frame_rebuild_every_shipped_scenario(name):
    """Start arm + every function = OTHER, key for key; all-but-f differs from OTHER only in f's keys.
    Fails if the table leaves a differing key out of every function and the frame."""
    base, other = simmarket.load("baseline"), simmarket.load(name)
    frame, sws = fx.switches(base, other)
    start = fx.start_arm(base, other, frame, "start")
    everything = start
    for s in sws:
        everything = fx.alone(everything, s, "all")
    assert fx.flatten(everything) == fx.flatten(other)
    for s in sws:
        without = fx.flatten(fx.all_but(other, s, "w"))
        changed = {k for k, v in fx.flatten(other).items() if without[k] != v}
        assert changed and all(s.function.owns(k) for k in changed), (s.name, changed)


# ------------------------------------------------------------------ runs

def run_arms(base, other, seeds=2):
    arms = cmp.build_arms(cmp.align([base, other]))
    d = dec.build(*arms)
    failures = cmp.run_all(arms + d.extra_arms, seed_specs(base.run.root_seed, seeds), workers=1)
    assert not failures
    return d


def same(a, b) -> bool:
    """Bit for bit, NaN equal to NaN."""
    return a == b or (np.isnan(a) and np.isnan(b))


def test_the_only_function_alone_is_other_bit_for_bit():
    base = simmarket.load("baseline", ["run.years=1", "run.scale=0.5"])
    other = base.replace(**FRAME_26, **{"rcc.one_customer": False, "rcc.foster_uplift": 0.2}, name="hub_only")
    d = run_arms(base, other)
    assert [s.name for s in d.switches] == ["foster_hub"]
    for a, o, w, s in zip(d.alone[0].results, d.other.results, d.all_but[0].results, d.start.results):
        for key in METRICS:
            assert same(a.metrics[key], o.metrics[key]), key
            assert same(w.metrics[key], s.metrics[key]), key
            for region in a.by_region:
                assert same(a.by_region[region][key], o.by_region[region][key]), (region, key)
    # and the hub does something: more children fostered in every seed
    e = dec.seed_effects(d, "children_in_foster_care")
    assert (e["total"] > 0).all() and (e["alone:foster_hub"] == e["total"]).all()


@pytest.fixture(scope="module")
def decomposed(tmp_path_factory):
    """baseline vs cooperatives from October 2024 acting as one customer, with a block margin that
    does nothing (no blocks are reserved): two functions, one of them null."""
    tmp = tmp_path_factory.mktemp("decompose")
    other = tmp / "coop.toml"
    other.write_text(f'extends = "{BASELINE.as_posix()}"\nname = "coop"\ndescription = "RCCs, one customer"\n\n'
                     '[rcc]\nmembership = "national_20"\nstart_week = 26\nblock_margin = 0.3\n', encoding="utf-8")
    out = tmp / "out"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(other), "--decompose", *SMALL, "--out", str(out)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return out, result, pd.read_csv(out / "decomposition.csv"), pd.read_csv(out / "decomposition_seeds.csv")


def test_a_function_that_does_nothing_has_zero_alone_and_marginal_effects(decomposed):
    _, _, table, seeds = decomposed
    wide = seeds.pivot_table(index=["metric", "seed"], columns="effect", values="value", dropna=False)
    both = wide["total"].notna()
    assert both.sum() > 2 * 20
    for effect in ("alone:rcc_blocks", "marginal:rcc_blocks", "start"):
        assert (wide.loc[both, effect] == 0).all(), effect
    # the one function that acts accounts for all of it, seed by seed
    assert (wide.loc[both, "alone:one_customer"] == wide.loc[both, "total"]).all()
    assert (wide.loc[both, "interaction"] == 0).all()
    assert (wide.loc[both, "total"] != 0).any()  # ...and the comparison is not empty
    blocks = table[table.function == "rcc_blocks"]
    assert len(blocks) == len(METRICS) and (blocks.alone_mean.fillna(0) == 0).all()


def test_total_is_the_sum_of_alone_effects_and_the_interaction_seed_by_seed(decomposed):
    out, _, table, seeds = decomposed
    wide = seeds.pivot_table(index=["metric", "seed"], columns="effect", values="value", dropna=False)
    alone = wide[[c for c in wide.columns if c.startswith("alone:")]].sum(axis=1, min_count=1)
    ok = wide["total"].notna()
    np.testing.assert_allclose(alone[ok] + wide.loc[ok, "interaction"], wide.loc[ok, "total"], rtol=1e-12, atol=1e-9)
    # the per-seed totals are compare's own paired differences, read back from the runs' summaries
    b = json.loads((out / "baseline" / "summary.json").read_text())["metrics"]
    o = json.loads((out / "coop" / "summary.json").read_text())["metrics"]
    for key in ("mean_weekly_price_gbp", "children_unregistered", "la_spend_childrens_homes_gbp"):
        d = np.subtract(o[key]["per_seed"], b[key]["per_seed"])
        assert wide.loc[key, "total"].tolist() == pytest.approx(d.tolist(), rel=1e-12)
        row = table[(table.metric == key) & (table.function == "one_customer")].iloc[0]
        assert row.total_mean == pytest.approx(d.mean()) and row.alone_mean == pytest.approx(d.mean())


def test_decompose_writes_its_csv_chart_report_section_and_terminal_table(decomposed):
    out, result, table, _ = decomposed
    assert (out / "decomposition.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(table.function) == {"one_customer", "rcc_blocks", "start", "interaction"}
    assert len(table) == 4 * len(METRICS)
    assert set(table.label) == {m.label for m in METRICS.values()}
    report = (out / "report.md").read_text()
    for text in ("## What drives each effect", "RCC buys as one customer", "`rcc.block_margin` 0.08 -> 0.3",
                 "who joins and when (rcc.membership, rcc.start_week)", "](decomposition.png)",
                 METRICS["new_placement_mean_weekly_price_gbp"].label, "## By region"):
        assert text in report, text
    assert report.index("## What drives each effect") < report.index("## Charts")
    assert "Decomposition" in result.output and "one_customer alone" in result.output
    assert result.output.index("Decomposition") > result.output.index("Difference to base")
    record = json.loads((out / "manifest.json").read_text())["comparison"]["decomposition"]
    assert [f["name"] for f in record["functions"]] == ["one_customer", "rcc_blocks"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["baseline", "coop"]


def test_decompose_needs_exactly_two_scenarios(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), "rcc_pilots", "rcc_national_20", "--decompose",
                                       *SMALL, "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "exactly two scenarios" in lines[0]
    assert not out.exists()


def test_decompose_with_no_function_exits_2(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(BASELINE), "--decompose", *SMALL,
                                       "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "in no function" in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_a_failed_decomposition_run_drops_its_seed_from_every_arm(tmp_path, monkeypatch):
    real = cmp.simulate

    def flaky(scenario, seed, *args):
        if scenario.name.endswith("~only~foster_hub") and seed.spawn_key == (1,):
            raise RuntimeError("boom")
        return real(scenario, seed, *args)

    monkeypatch.setattr(cmp, "simulate", flaky)
    other = tmp_path / "hub.toml"
    other.write_text(f'extends = "{BASELINE.as_posix()}"\nname = "hub"\n\n[rcc]\nmembership = "national_20"\n'
                     "start_week = 26\none_customer = false\nfoster_uplift = 0.2\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(other), "--decompose", *SMALL, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "hub~only~foster_hub seed 1: RuntimeError: boom" in result.stderr
    assert set(pd.read_csv(out / "decomposition.csv").n_seeds) <= {1, 0}
    assert set(pd.read_csv(out / "decomposition_seeds.csv").seed) == {0}
    assert json.loads((out / "baseline" / "summary.json").read_text())["seeds"] == [0]
