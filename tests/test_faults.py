"""Faults while writing results: killed runs, stale temporary folders, concurrent runs, permissions.

A run writes its folder under a hidden temporary name beside the target and renames it into place,
so the target is complete or absent. A run killed while writing can leave only the hidden
`.NAME.partial-HOST-PID-XXXX` folder; the next run writing into the same parent removes it once
that process is gone (and never touches a live run's temporary folder).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simmarket.experiment import outputs
from simmarket.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = 'name = "t"\n[run]\nyears = {years}\nseeds = {seeds}\nscale = 0.5\n'
FILES = {"by_authority.csv", "manifest.json", "summary.json", "timeseries.parquet", "yearly.parquet"}


def _scenario(tmp: Path, years: int = 1, seeds: int = 1) -> Path:
    f = tmp / "s.toml"
    f.write_text(SCENARIO.format(years=years, seeds=seeds))
    return f


def _start(tmp: Path, out: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), "run", "s.toml", "--out", out, "--workers", "1",
                             *extra], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _complete(folder: Path) -> bool:
    if not folder.exists():
        return False
    assert {p.name for p in folder.iterdir()} == FILES
    json.loads((folder / "summary.json").read_text())
    json.loads((folder / "manifest.json").read_text())
    return True


@pytest.mark.parametrize("after", [0.3, 1.5, 3.0])
def test_a_killed_run_leaves_no_folder(tmp_path, after):
    """SIGKILL at different moments (start-up, simulating): never a partial result, and a clean rerun."""
    _scenario(tmp_path, years=20, seeds=2)
    proc = _start(tmp_path, "res/out")
    time.sleep(after)
    assert proc.poll() is None, "the run finished before it could be killed; make it longer"
    os.killpg(proc.pid, signal.SIGKILL)  # the run and any workers it started
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    out = tmp_path / "res" / "out"
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    leftovers = [p for p in (tmp_path / "res").iterdir() if p.name.startswith(".")] if (tmp_path / "res").exists() else []
    # only a hidden temporary folder may remain, and the next run into the same place clears it
    assert all(".partial-" in p.name for p in leftovers)
    rerun = CliRunner().invoke(main, ["run", str(tmp_path / "s.toml"), "--out", str(out), "--workers", "1",
                                      "--set", "run.years=1", "--set", "run.seeds=1"])
    assert rerun.exit_code == 0, rerun.output
    assert _complete(out)
    assert [p.name for p in out.parent.iterdir()] == ["out"]


SLOW_WRITER = """
import sys, time
import simmarket.experiment.outputs as o
FLAG = sys.argv.pop(1)
real = o.write_json
def slow(path, obj):
    real(path, obj)
    open(FLAG, "w").close()  # tell the test: the folder is half written
    time.sleep(60)
o.write_json = slow
from simmarket.cli import main
main()
"""


def test_a_run_killed_while_writing_leaves_only_a_hidden_folder_that_the_next_run_clears(tmp_path):
    _scenario(tmp_path)
    flag = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(flag), "run", "s.toml", "--out", "res/out",
                             "--workers", "1"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not flag.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert flag.exists(), "the run never reached the writing phase"
    proc.kill()
    proc.wait(timeout=60)
    res = tmp_path / "res"
    assert not (res / "out").exists()
    (partial,) = res.iterdir()
    assert partial.name.startswith(".out.partial-") and (partial / "summary.json").exists()
    rerun = CliRunner().invoke(main, ["run", str(tmp_path / "s.toml"), "--out", str(res / "out"), "--workers", "1"])
    assert rerun.exit_code == 0, rerun.output
    assert _complete(res / "out") and [p.name for p in res.iterdir()] == ["out"]


def test_stale_partial_folders_of_dead_runs_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    _scenario(tmp_path)
    res = tmp_path / "res"
    res.mkdir()
    host = socket.gethostname()
    dead = res / f".out.partial-{host}-{_dead_pid()}-0badcafe"
    dead_old = res / f".other.old-{host}-{_dead_pid()}"
    dead_digits = res / f".third.partial-{host}-{_dead_pid()}-12345678"  # a token of digits only (2% of them)
    alive = res / f".other.partial-{host}-{os.getpid()}-12345678"  # a live run's temporary folder
    elsewhere = res / f".other.partial-not-{host}-{_dead_pid()}-12345678"  # another machine's: not ours to judge
    for d in (dead, dead_old, dead_digits, alive, elsewhere):
        d.mkdir()
        (d / "summary.json").write_text("{")  # half-written
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "res/out", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert _complete(res / "out")
    assert not dead.exists() and not dead_old.exists() and not dead_digits.exists()
    assert alive.exists() and elsewhere.exists()


def test_two_runs_at_once_into_the_same_parent_do_not_interfere(tmp_path):
    _scenario(tmp_path, years=1, seeds=2)
    a = _start(tmp_path, "res/a", "--seed", "11")
    b = _start(tmp_path, "res/b", "--seed", "22")
    for p in (a, b):
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    sa = json.loads((tmp_path / "res/a/summary.json").read_text())
    sb = json.loads((tmp_path / "res/b/summary.json").read_text())
    assert _complete(tmp_path / "res/a") and _complete(tmp_path / "res/b")
    assert json.loads((tmp_path / "res/a/manifest.json").read_text())["root_seed"] == 11
    assert json.loads((tmp_path / "res/b/manifest.json").read_text())["root_seed"] == 22
    assert sa["metrics"] != sb["metrics"]
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["a", "b"]


def test_two_sweeps_at_once_into_the_same_parent_do_not_interfere(tmp_path):
    _scenario(tmp_path)
    (tmp_path / "w.toml").write_text('name = "tiny"\nscenario = "s.toml"\n[design]\nmethod = "grid"\nlevels = 2\n'
                                     'replications = 1\nmetrics = ["children_unregistered"]\n'
                                     '[parameters."commissioning.block_share"]\nlo = 0.0\nhi = 0.5\n')
    procs = [subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", "w.toml", "--out", f"res/{x}",
                               "--workers", "1"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for x in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    a, b = tmp_path / "res/a", tmp_path / "res/b"
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["a", "b"]
    assert {p.name for p in a.iterdir()} == {p.name for p in b.iterdir()}
    assert (a / "summary.csv").read_text() == (b / "summary.csv").read_text()  # same sweep, same seeds


def test_default_output_folders_never_collide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(outputs, "utc_stamp", lambda: "20240401T000000Z")
    first = outputs.default_out("t")
    first.mkdir(parents=True)
    second = outputs.default_out("t")
    assert second != first and second.parent == first.parent
    (first.parent / f".{second.name}.partial-h-1-00").mkdir()  # being written by another run
    third = outputs.default_out("t")
    assert third not in (first, second)


def test_folder_permissions_follow_the_umask(tmp_path):
    """Results are shared on a shared machine: not the 0700 of a private temporary folder."""
    old = os.umask(0o022)
    try:
        with outputs.atomic_dir(tmp_path / "out") as tmp:
            (tmp / "x.txt").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def test_a_failure_inside_the_block_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with outputs.atomic_dir(tmp_path / "new" / "deeper" / "out") as tmp:
            (tmp / "summary.json").write_text("{")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []  # not even the parents made for it


def test_an_existing_result_survives_a_failed_replacement(tmp_path):
    target = tmp_path / "out"
    with outputs.atomic_dir(target) as tmp:
        (tmp / "manifest.json").write_text("{}")
    with pytest.raises(KeyboardInterrupt):
        with outputs.atomic_dir(target) as tmp:
            (tmp / "manifest.json").write_text('{"new": 1}')
            raise KeyboardInterrupt
    assert json.loads((target / "manifest.json").read_text()) == {}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root is never denied; test_bad_input simulates it")
def test_real_permission_denied_output_folder(tmp_path):
    _scenario(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "run", "s.toml", "--out", "locked/out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "permission denied" in lines[0]
    assert list(locked.iterdir()) == []


def test_a_broken_invariant_is_exit_1_with_one_line_and_nothing_written(tmp_path, monkeypatch):
    """--check turns an impossible model state into a clear failure (a defect, not bad input)."""
    from simmarket import invariants

    monkeypatch.chdir(tmp_path)
    _scenario(tmp_path)
    monkeypatch.setattr(invariants, "violations", lambda model: ["a home holds more children than its places"]
                        if model.week >= 3 else [])
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "out", "--workers", "1", "--check"])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and "invariant" in lines[0] and "week 3" in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]
    # without --check the same run does not look
    ok = CliRunner().invoke(main, ["run", "s.toml", "--out", "out", "--workers", "1"])
    assert ok.exit_code == 0, ok.output
