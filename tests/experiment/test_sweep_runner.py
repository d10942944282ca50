"""The sweep runner and store: backends agree, failures are rows, interrupted sweeps resume."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import sweep_toys
from simmarket.cli import main
from simmarket.experiment import driver
from simmarket.experiment.space import load_sweep
from simmarket.experiment.store import ResultStore, read_runs, schema
from simmarket.experiment.design import design_points
from simmarket.experiment.sweep import Backend, plan_runs, run_sweep
from simmarket.report.sweep import plot_outcomes

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"

TINY = """
name = "tiny"
[set]
"run.years" = 1
"run.scale" = 0.5
[design]
method = "grid"
replications = 2
metrics = ["children_unregistered", "mean_weekly_price_gbp", "homes_total"]
[parameters."workforce.supply_multiplier"]
values = [0.6, 1.4]
"""

METRICS = ["children_unregistered", "mean_weekly_price_gbp", "homes_total"]


def _results(folder: Path) -> pd.DataFrame:
    df = read_runs(folder / "runs")
    return df[["point", "replication", "workforce.supply_multiplier", "seed_spawn_key", "status", *METRICS]]


@pytest.fixture(scope="module")
def cli_sweep(tmp_path_factory):
    """The tiny model sweep run once through the CLI on 2 local worker processes."""
    folder = tmp_path_factory.mktemp("cli")
    shutil.copy(BASELINE, folder / "baseline.toml")
    path = folder / "tiny.toml"
    path.write_text('scenario = "baseline.toml"\n' + TINY)
    out = folder / "out"
    res = CliRunner().invoke(main, ["sweep", str(path), "--workers", "2", "--out", str(out)])
    return path, out, res


def test_local_processes_and_dask_cluster_give_identical_results(cli_sweep, tmp_path):
    path, out, res = cli_sweep
    assert res.exit_code == 0, res.output + res.stderr
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        dask_be = Backend(client.get_executor(pure=False), 2, "dask")
        driver.execute(load_sweep(path), tmp_path / "dask", dask_be, batch_size=1, charts=False)
    a, b = _results(out), _results(tmp_path / "dask")
    assert (a["status"] == "ok").all() and len(a) == 4
    pd.testing.assert_frame_equal(a, b)
    # common random numbers: both points use the seeds of replications 0 and 1
    assert a.groupby("point")["seed_spawn_key"].apply(list).tolist() == [["0", "1"], ["0", "1"]]


def test_a_run_that_raises_is_a_failed_row_and_the_sweep_finishes(tmp_path, threads):
    sweep = sweep_toys.toy_sweep(levels=4)
    out = driver.execute(sweep, tmp_path / "s", threads, fn=sweep_toys.fails_above, charts=plot_outcomes)
    runs = out.runs
    assert len(runs) == 16 * 2
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 16 and (failed["a"] > 0.5).all()
    assert failed["error"].str.contains("ValueError: a = ").all()
    assert failed["traceback"].str.contains("Traceback").all() and failed["y"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert ok["error"].isna().all() and (ok["y"] == 3 * ok["a"] + ok["b"]).all()
    assert out.summary.set_index("point")["runs_failed"].sum() == len(failed)
    assert (tmp_path / "s" / "summary.csv").exists() and (tmp_path / "s" / "charts" / "y.png").exists()


def test_runner_streams_records_to_the_store_in_chunks(tmp_path, threads):
    sweep = sweep_toys.toy_sweep(levels=5, replications=1)
    store = ResultStore(tmp_path / "runs", schema(sweep), chunk_size=5)
    largest = []
    written = run_sweep(plan_runs(sweep, design_points(sweep)), sweep_toys.linear, threads.executor, store,
                        sweep.metrics, batch_size=2, max_pending=3, on_done=lambda row: largest.append(len(store.buffer)))
    assert written == 25 and max(largest) < 5
    assert store.parts_written == 5 and len(list((tmp_path / "runs").glob("part-*.parquet"))) == 5
    assert len(read_runs(tmp_path / "runs")) == 25


def _raw_ids(folder: Path) -> list[tuple]:
    """Every stored (point, replication), duplicates included, read part by part."""
    ids = []
    for part in sorted((folder / "runs").glob("part-*.parquet")):
        t = pq.read_table(part, columns=["point", "replication"]).to_pandas()
        ids += list(t.itertuples(index=False, name=None))
    return ids


def test_interrupted_sweep_resumes_without_redoing_or_duplicating_runs(tmp_path, threads):
    sweep = sweep_toys.toy_sweep(levels=4, replications=3)
    n = 16 * 3
    seen = []

    def stop_after_k(row):
        seen.append(row)
        if len(seen) == 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        driver.execute(sweep, tmp_path / "s", threads, fn=sweep_toys.linear, progress=stop_after_k, chunk_size=7)
    before = _raw_ids(tmp_path / "s")
    assert 14 <= len(before) < n  # two full chunks plus the rest flushed on the way out
    resumed = driver.execute(sweep, tmp_path / "s", threads, fn=sweep_toys.linear, resume=True, chunk_size=7)
    ids = _raw_ids(tmp_path / "s")
    assert sorted(ids) == sorted(set(ids)) and len(ids) == n
    assert resumed.n_new == n - len(before)
    fresh = driver.execute(sweep, tmp_path / "fresh", threads, fn=sweep_toys.linear)
    cols = ["point", "replication", "a", "b", "seed_spawn_key", "y", "noisy"]
    pd.testing.assert_frame_equal(resumed.runs[cols], fresh.runs[cols])


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import sweep_toys
from simmarket.experiment import driver
from simmarket.experiment.sweep import open_backend

if __name__ == "__main__":
    folder, fn, resume = sys.argv[1], getattr(sweep_toys, sys.argv[2]), sys.argv[3] == "resume"
    with open_backend("local", workers=2) as be:
        out = driver.execute(sweep_toys.toy_sweep(levels=6, replications=2), folder, be, fn=fn,
                             chunk_size=4, batch_size=2, resume=resume, charts=False)
    print("new runs", out.n_new)
"""


def test_sweep_killed_with_sigkill_resumes_to_every_run_exactly_once(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent)))
    folder = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, str(script), str(folder), "slow_linear", "new"],
                            env={**os.environ, "TOY_SLEEP": "0.1"}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list((folder / "runs").glob("part-*.parquet"))) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _raw_ids(folder)
    assert 12 <= len(before) < 72
    # a new process finishes the sweep, as `simmarket sweep --resume` would
    done = subprocess.run([sys.executable, str(script), str(folder), "linear", "resume"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"new runs {72 - len(before)}" in done.stdout
    ids = _raw_ids(folder)
    assert len(ids) == 72 and len(set(ids)) == 72
    assert not list((folder / "runs").glob(".*.tmp"))


def test_resume_refuses_a_folder_of_another_sweep(tmp_path, threads):
    driver.execute(sweep_toys.toy_sweep(levels=2), tmp_path / "s", threads, fn=sweep_toys.linear, charts=False)
    with pytest.raises(driver.ResumeError, match="different sweep"):
        driver.execute(sweep_toys.toy_sweep(levels=3), tmp_path / "s", threads, fn=sweep_toys.linear, resume=True)


def test_cli_sweep_writes_store_summary_manifest_and_charts(cli_sweep):
    path, out, res = cli_sweep
    assert res.exit_code == 0, res.output + res.stderr
    assert "mean [5th, 95th percentile]" in res.output and str(out) in res.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["sweep"]["n_runs"] == 4 and man["status"] == "complete" and man["runs_ok"] == 4
    assert [r["spawn_key"] for r in man["runs"]] == [[0], [1]]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["workforce.supply_multiplier"]) == [0.6, 1.4]
    assert {"children_unregistered_mean", "children_unregistered_p05", "children_unregistered_p95"} <= set(summary)
    assert sorted(p.name for p in (out / "charts").glob("*.png")) == sorted(f"{m}.png" for m in METRICS)
    # resuming a finished sweep runs nothing and keeps every run once
    res = CliRunner().invoke(main, ["sweep", str(path), "--workers", "1", "--resume", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    assert "0 runs in" in res.output
    assert len(_raw_ids(out)) == 4
