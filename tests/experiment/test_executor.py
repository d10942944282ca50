"""One executor path: results in task order, a task that raises becomes a Failure record."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from click.testing import CliRunner

from simmarket.cli import main
from simmarket.experiment import runs
from simmarket.experiment.executor import Failure, map_tasks


def _half(x):
    if x == 3:
        raise ValueError("three is not allowed")
    return x / 2


def test_a_failing_task_is_a_record_in_its_place_and_the_others_run():
    for kwargs in ({"workers": 1}, {"executor": ThreadPoolExecutor(3)}):
        ticks = []
        out = map_tasks(_half, range(6), progress=lambda: ticks.append(1), **kwargs)
        assert out[:3] == [0.0, 0.5, 1.0] and out[4:] == [2.0, 2.5] and len(ticks) == 6
        f = out[3]
        assert isinstance(f, Failure) and f.index == 3 and f.kind == "ValueError"
        assert f.error == "ValueError: three is not allowed" and "Traceback" in f.traceback


def test_run_summarises_the_seeds_that_ran_lists_failures_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text('name = "t"\n[run]\nyears = 1\nseeds = 2\nscale = 0.5\n')
    real = runs.simulate

    def flaky(scenario, seed, *args):
        if seed.spawn_key == (1,):
            raise RuntimeError("boom")
        return real(scenario, seed, *args)

    monkeypatch.setattr(runs, "simulate", flaky)
    res = CliRunner().invoke(main, ["run", "s.toml", "--out", "out", "--workers", "1"])
    assert res.exit_code == 1, res.output
    assert "seed 1: RuntimeError: boom" in res.stderr and "1 of 2 runs failed" in res.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["seeds"] == [0]
    failures = json.loads((tmp_path / "out" / "failures.json").read_text())
    assert failures[0]["seed"]["spawn_key"] == [1] and "boom" in failures[0]["traceback"]


def test_when_every_run_fails_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text('name = "t"\n[run]\nyears = 1\nseeds = 2\nscale = 0.5\n')
    monkeypatch.setattr(runs, "simulate", lambda *a: 1 / 0)
    res = CliRunner().invoke(main, ["run", "s.toml", "--out", "out", "--workers", "1"])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 1 and len(lines) == 1 and "ZeroDivisionError" in lines[0] and "all 2 runs" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]
