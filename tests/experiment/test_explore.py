"""Scenario discovery: the --where condition, PRIM boxes on tables with a known answer, and the
`simmarket explore` command on a tiny model sweep."""

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simmarket.cli import main
from simmarket.experiment import explore
from simmarket.experiment.explore import Condition, find_boxes, parse_condition
from simmarket.experiment.store import read_runs
from simmarket.params import ConfigError
from simmarket.report.explore import headline

pytest.importorskip("ema_workbench", reason="the [explore] extra")

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"
OUTCOMES = ("unregistered_children_per_year", "delta_unregistered_children_per_year", "mean_weekly_price_gbp")


@pytest.mark.parametrize("text, expected", [
    ("delta_unregistered_children_per_year > 0", Condition("delta_unregistered_children_per_year", ">", 0.0)),
    ("mean_weekly_price_gbp>=7500.5", Condition("mean_weekly_price_gbp", ">=", 7500.5)),
    ("  unregistered_children_per_year <  -1e3 ", Condition("unregistered_children_per_year", "<", -1000.0)),
    ("mean_weekly_price_gbp <= .25", Condition("mean_weekly_price_gbp", "<=", 0.25)),
])
def test_conditions_parse(text, expected):
    assert parse_condition(text, OUTCOMES) == expected


@pytest.mark.parametrize("text, fragments", [
    ("delta_unregistered_children > 0", ["'delta_unregistered_children' is not an outcome",
                                         "did you mean 'delta_unregistered_children_per_year'", "allowed:"]),
    ("homes_total > 0", ["'homes_total' is not an outcome", "mean_weekly_price_gbp"]),
    ("mean_weekly_price_gbp = 3", ["not a condition", ">, >=, <, <="]),
    ("mean_weekly_price_gbp => 3", ["not a condition"]),
    ("mean_weekly_price_gbp > ", ["not a condition"]),
    ("> 3", ["not a condition"]),
    ("mean_weekly_price_gbp > 3 and homes_total < 2", ["not a condition"]),
    ("", ["not a condition"]),
])
def test_bad_conditions_say_what_is_allowed_in_one_line(text, fragments):
    with pytest.raises(ConfigError) as e:
        parse_condition(text, OUTCOMES)
    msg = str(e.value)
    assert msg.startswith("--where: ") and "\n" not in msg
    for f in fragments:
        assert f in msg


def test_a_condition_never_holds_on_a_missing_outcome():
    assert Condition("m", "<", 1.0).holds([0.0, np.nan, 2.0, 1.0]).tolist() == [True, False, False, False]
    assert Condition("m", "<=", 1.0).holds([1.0]).tolist() == [True]


def test_a_point_says_whether_its_replications_agree():
    """Cases are decided on a point's mean; `agree` says whether every replication is on that side."""
    runs = pd.DataFrame({"point": [0, 0, 1, 1, 2, 2, 3], "x": [0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.3],
                         "m": [5.0, 2.0, 4.0, -1.0, -3.0, -1.0, 7.0], "status": "ok"})
    cond = Condition("m", ">", 0.0)
    cases = explore.point_cases(SimpleNamespace(keys=["x"]), runs, cond)
    assert cases["case"].tolist() == [True, True, False, True]
    assert cases["agree"].tolist() == [True, False, True, True]  # point 1: one seed above 0, one below
    # t: the mean's distance from 0 towards the cases in standard errors (mean 3.5, sd 2.12, 2 runs: 2.33)
    np.testing.assert_allclose(cases["t"][:3], [3.5 / (np.sqrt(4.5) / np.sqrt(2)), 1.5 / (np.sqrt(12.5) / np.sqrt(2)),
                                                -2.0 / (np.sqrt(2.0) / np.sqrt(2))])
    assert np.isnan(cases["t"][3])  # one run: no spread to judge it by
    below = explore.point_cases(SimpleNamespace(keys=["x"]), runs, Condition("m", "<", 0.0))
    np.testing.assert_allclose(below["t"][:3], -cases["t"][:3])  # towards the cases, whichever side they are
    assert headline(cond, cases) == "m > 0 at 3 of 4 points (75%); every replication agrees at 2 of them and 1 of the other 1"
    one_each = explore.point_cases(SimpleNamespace(keys=["x"]), runs[runs["point"] == 3], cond)
    assert headline(cond, one_each) == "m > 0 at 1 of 1 points (100%)"  # one replication: nothing to agree on


def _uniform(n, seed=7, k=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({f"x{i + 1}": rng.random(n) for i in range(k)})


def test_prim_finds_the_known_box_and_restricts_nothing_else():
    x = _uniform(200)
    boxes = find_boxes(x, x["x1"] > 0.7, bounds={c: (0.0, 1.0) for c in x})
    assert len(boxes) == 1
    b = boxes[0]
    lims = b.limits.set_index("parameter")
    assert list(lims.index) == ["x1"]  # x2 and x3 have nothing to do with it
    assert lims.loc["x1", "restricted"] == "lower" and lims.loc["x1", "upper"] == 1.0
    assert 0.62 <= lims.loc["x1", "lower"] <= 0.72
    assert b.coverage >= 0.9 and b.density >= 0.9
    assert b.n_cases == round(b.coverage * (x["x1"] > 0.7).sum())
    assert b.weak == ""  # 60 cases and a restriction far from chance


@pytest.mark.parametrize("seed", [2, 4, 10])
def test_restrictions_that_may_be_chance_are_dropped(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({f"x{i + 1}": rng.random(60) for i in range(4)})
    y = (x["x1"] > 0.6) ^ (rng.random(60) < 0.1)  # one real edge, a tenth of the labels flipped
    kept = find_boxes(x, y, max_boxes=1)[0]
    assert list(kept.limits["parameter"]) == ["x1"] and kept.limits["qp_lower"].iloc[0] < 0.05
    monkeypatch.setattr(explore, "_drop_chance_restrictions", lambda found, i, box_init: i)
    raw = find_boxes(x, y, max_boxes=1)[0]
    assert len(raw.limits) > 1  # PRIM's own box also peeled noise
    assert kept.trajectory["chosen"].iloc[-1] and kept.coverage >= raw.coverage


def test_a_box_around_a_few_cases_is_flagged_as_weak():
    x = _uniform(40)
    y = np.zeros(40, bool)
    y[np.argsort(x["x1"].to_numpy())[-3:]] = True  # the 3 points with the largest x1
    boxes = find_boxes(x, y)
    assert boxes and "only 3 cases" in boxes[0].weak


def test_prim_finds_a_corner_and_then_a_second_region():
    x = _uniform(400, seed=3)
    y = ((x["x1"] < 0.3) & (x["x2"] > 0.6)) | (x["x3"] > 0.85)
    boxes = find_boxes(x, y, bounds={c: (0.0, 1.0) for c in x})
    found = [set(b.limits["parameter"]) for b in boxes]
    assert {"x1", "x2"} in found and {"x3"} in found
    corner = boxes[found.index({"x1", "x2"})].limits.set_index("parameter")
    # coverage x density trades a little density for coverage: the corner's edges, a little loose
    assert 0.25 <= corner.loc["x1", "upper"] <= 0.45 and corner.loc["x1", "restricted"] == "upper"
    assert 0.45 <= corner.loc["x2", "lower"] <= 0.65 and corner.loc["x2", "restricted"] == "lower"


def test_no_box_when_no_point_or_every_point_is_a_case_or_cases_are_noise():
    x = _uniform(100)
    assert find_boxes(x, np.zeros(100, bool)) == [] and find_boxes(x, np.ones(100, bool)) == []
    noise = np.random.default_rng(1).random(100) < 0.2
    assert find_boxes(x, noise, min_density=0.9) == []


def test_integer_and_categorical_parameters():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"n": rng.integers(0, 10, 300), "mode": rng.choice(["la", "rcc"], 300), "u": rng.random(300)})
    boxes = find_boxes(x, (x["mode"] == "rcc") & (x["n"] >= 6))
    lims = boxes[0].limits.set_index("parameter")
    assert set(lims.index) == {"n", "mode"}
    assert lims.loc["mode", "values"] == "rcc" and 5 <= lims.loc["n", "lower"] <= 6


def test_the_note_says_in_words_what_the_box_means():
    import dataclasses

    from simmarket.experiment.space import Design, Real, Sweep
    from simmarket.params import Scenario
    from simmarket.report.explore import in_words, markdown

    params = (Real("pricing.risk_aversion", 0.0, 1.0), Real("commissioning.wtp_multiple", 0.0, 1.0))
    sweep = Sweep("s", dataclasses.replace(Scenario(), name="rcc"), params, Design("lhs", replications=2),
                  ("unregistered_children_per_year",), contrast=Scenario())
    cond = Condition("delta_unregistered_children_per_year", ">", 0.0)
    assert in_words(sweep, cond) == "rcc raises children in unregistered settings in the year against baseline"
    assert in_words(sweep, Condition("delta_unregistered_children_per_year", "<=", 0.0)).startswith(
        "rcc lowers or leaves unchanged")
    assert in_words(sweep, Condition("unregistered_children_per_year", ">", 5)) == \
        "the children in unregistered settings in the year is above 5"
    x = _uniform(200, k=2).set_axis(sweep.keys, axis=1)
    cases = x.assign(runs=2, delta_unregistered_children_per_year=x[sweep.keys[0]] - 0.6)
    cases["case"] = cond.holds(cases["delta_unregistered_children_per_year"])
    boxes = find_boxes(x, cases["case"], bounds={k: (0.0, 1.0) for k in sweep.keys})
    note = markdown(sweep, cond, cases, boxes, 0.5)
    sentence = next(line for line in note.splitlines() if line.startswith("rcc raises"))
    assert "when pricing.risk_aversion is at least 0.6" in sentence and "wtp_multiple" not in sentence
    assert f"this box covers {boxes[0].coverage:.0%} of such cases with density {boxes[0].density:.0%}" in sentence


TINY = """
name = "tiny_explore"
scenario = "baseline.toml"
[set]
"run.years" = 1
"run.scale" = 0.5
[design]
method = "lhs"
samples = 6
replications = 1
metrics = ["unregistered_children_per_year", "mean_weekly_price_gbp"]
[parameters."workforce.supply_multiplier"]
lo = 0.5
hi = 1.5
[parameters."commissioning.unregistered_after_weeks"]
lo = 1.0
hi = 12.0
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    shutil.copy(BASELINE, folder / "baseline.toml")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    return folder / "tiny.toml"


def test_explore_command_writes_boxes_note_and_chart_and_reanalyses_on_resume(tiny):
    out = tiny.parent / "out"
    res = CliRunner().invoke(main, ["explore", str(tiny), "--where", "unregistered_children_per_year > 0",
                                    "--workers", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    ex = out / "explore"
    assert {"boxes.csv", "peeling.csv", "points.csv", "explore.md", "explore.png", "manifest.json"} <= \
        {p.name for p in ex.iterdir()}
    assert (out / "summary.csv").exists() and len(read_runs(out / "runs")) == 6  # the sweep's own results
    points = pd.read_csv(ex / "points.csv")
    assert len(points) == 6 and "Results:" in res.output
    # again on the finished folder, with a threshold that makes about half the points cases
    median = float(np.sort(points["unregistered_children_per_year"])[2])
    res = CliRunner().invoke(main, ["explore", str(tiny), "--where", f"unregistered_children_per_year > {median}",
                                    "--resume", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    assert "0 runs in" in res.stderr + res.output  # nothing rerun
    points = pd.read_csv(ex / "points.csv")
    n_cases = int((points["unregistered_children_per_year"] > median).sum())
    assert points["case"].sum() == n_cases and 0 < n_cases < 6
    boxes = pd.read_csv(ex / "boxes.csv")
    assert list(boxes.columns[:10]) == ["box", "parameter", "lower", "upper", "restricted", "values", "coverage",
                                        "density", "mass", "n_points"] and "n_cases" in boxes
    assert f"unregistered_children_per_year > {median:g}" in (ex / "explore.md").read_text()
    assert f"explore: unregistered_children_per_year > {median:g} at {n_cases} of 6 points" in res.output


@pytest.mark.parametrize("where, fragment", [("homes_total > 0", "'homes_total' is not an outcome"),
                                             ("unregistered_children_per_year ~ 3", "not a condition")])
def test_explore_bad_where_exits_2_with_one_line_and_writes_nothing(tiny, where, fragment):
    out = tiny.parent / "bad"
    res = CliRunner().invoke(main, ["explore", str(tiny), "--where", where, "--out", str(out)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in res.output
    assert not out.exists()


def test_explore_without_the_extra_says_how_to_install_it(tiny, monkeypatch):
    def missing():
        raise explore.ExtraMissing("No module named 'ema_workbench'")

    monkeypatch.setattr(explore, "import_prim", missing)
    res = CliRunner().invoke(main, ["explore", str(tiny), "--where", "mean_weekly_price_gbp > 0",
                                    "--out", str(tiny.parent / "none")])
    assert res.exit_code == 2 and "pip install 'simmarket[explore]'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not (tiny.parent / "none").exists()
