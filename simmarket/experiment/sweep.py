"""Designs, run plans and the sweep runner over any `concurrent.futures.Executor`.

A sweep is a list of points (parameter values) times replications. Run (point p, replication r)
uses seed `SeedSequence(root, spawn_key=(r,))` under common random numbers (the default: every
point sees the same R random streams, so differences between points are not seed noise), or
`spawn_key=(p, r)` otherwise, which is `SeedSequence(root).spawn(P)[p].spawn(R)[r]`. The seed is
fixed by the run's identity alone, so results are the same on any backend and worker count.

Workers evaluate batches of runs and return small records (status, seconds, metrics); the main
process adds the parameters and seed and streams the records into the store.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, wait
from dataclasses import dataclass

import numpy as np

from .runs import simulate
from .seeds import SeedSpec
from .space import CONTRAST_PREFIX, DELTA_PREFIX, Sweep


# --------------------------------------------------------------------------------------------
# runs


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its point, replication, parameter values and seed."""

    point: int
    replication: int
    params: dict
    seed: SeedSpec


def run_seed(sweep: Sweep, point: int, replication: int) -> SeedSpec:
    key = (replication,) if sweep.design.common_random_numbers else (point, replication)
    return SeedSpec(sweep.design.root_seed, key)


def plan_runs(sweep: Sweep, points: list[dict], skip: set | frozenset = frozenset()) -> Iterator[RunSpec]:
    """Every run not in `skip` (a set of (point, replication)), point by point."""
    for p, params in enumerate(points):
        for r in range(sweep.design.replications):
            if (p, r) not in skip:
                yield RunSpec(p, r, params, run_seed(sweep, p, r))


@dataclass(frozen=True)
class ModelEvaluator:
    """Evaluates one run of the model: the scenario with the point's values, to the chosen metrics.

    With a contrast scenario the run is a pair: both scenarios with the point's values and the same
    seed, giving each metric m, `contrast_m` and the paired difference `delta_m` = m - contrast_m.
    """

    scenario: object
    metrics: tuple
    contrast: object = None

    def __call__(self, params: dict, seed: SeedSpec) -> dict:
        result = simulate(self.scenario.replace(**params), seed, timeseries=False)
        out = {k: result.metrics[k] for k in self.metrics}
        if self.contrast is not None:
            other = simulate(self.contrast.replace(**params), seed, timeseries=False)
            for k in self.metrics:
                out[CONTRAST_PREFIX + k] = other.metrics[k]
                out[DELTA_PREFIX + k] = result.metrics[k] - other.metrics[k]
        return out


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def evaluate_batch(fn: Callable[[dict, SeedSpec], dict], batch: list[RunSpec]) -> list[dict]:
    """Worker side: run each spec; an exception becomes a failed record, never a lost batch."""
    out = []
    for spec in batch:
        t0 = time.perf_counter()
        try:
            values = dict(fn(spec.params, spec.seed))
            status, error, tb = "ok", None, None
        except Exception as e:  # noqa: BLE001 - a failed run is a row with its traceback
            values, status = {}, "failed"
            error, tb = f"{e.__class__.__name__}: {e}", traceback.format_exc()
        out.append({"point": spec.point, "replication": spec.replication, "status": status, "error": error,
                    "traceback": tb, "seconds": time.perf_counter() - t0, "worker": worker_name(), "metrics": values})
    return out


def to_row(spec: RunSpec, rec: dict, metrics: tuple) -> dict:
    """The store row of a finished run: identity, parameters, seed, status and metrics."""
    row = {"point": spec.point, "replication": spec.replication, **spec.params,
           "seed_root": spec.seed.root, "seed_spawn_key": ",".join(map(str, spec.seed.spawn_key)),
           "status": rec["status"], "error": rec["error"], "traceback": rec["traceback"],
           "seconds": rec["seconds"], "worker": rec["worker"]}
    for m in metrics:
        v = rec["metrics"].get(m)
        row[m] = float(v) if isinstance(v, (int, float, np.number)) else math.nan
    return row


class SweepAborted(RuntimeError):
    """The executor itself failed (a worker process died); finished runs are saved."""


def auto_batch(n_runs: int, workers: int) -> int:
    """Runs per task: about 16 tasks per worker, at most 32 runs each."""
    return max(1, min(32, n_runs // max(1, workers * 16)))


def _batches(runs: Iterable[RunSpec], size: int) -> Iterator[list[RunSpec]]:
    batch: list[RunSpec] = []
    for spec in runs:
        batch.append(spec)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_sweep(runs: Iterable[RunSpec], fn: Callable[[dict, SeedSpec], dict], executor: Executor, sink,
              metrics: tuple, batch_size: int = 1, max_pending: int = 8,
              on_done: Callable[[dict], None] | None = None) -> int:
    """Evaluate every run on the executor, streaming rows into `sink.add(row)` as batches finish.

    At most `max_pending` batches are in flight, so memory does not grow with the sweep. An
    exception inside a run is a failed row; a failure of the executor itself (a worker process
    killed) raises SweepAborted after saving what finished. Returns the number of rows written.
    """
    batches = _batches(runs, batch_size)
    pending: dict = {}
    written = 0

    def submit_next() -> None:
        batch = next(batches, None)
        if batch is not None:
            pending[executor.submit(evaluate_batch, fn, batch)] = batch

    try:
        for _ in range(max_pending):
            submit_next()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    records = fut.result()
                except BrokenExecutor as e:
                    raise SweepAborted(f"the executor failed ({e.__class__.__name__}: {e})") from e
                except Exception as e:  # noqa: BLE001 - e.g. a Dask worker lost running this batch
                    tb = "".join(traceback.format_exception(e))
                    records = [{"point": s.point, "replication": s.replication, "status": "failed",
                                "error": f"{e.__class__.__name__}: {e}", "traceback": tb, "seconds": math.nan,
                                "worker": None, "metrics": {}} for s in batch]
                by_id = {(s.point, s.replication): s for s in batch}
                for rec in records:
                    row = to_row(by_id[rec["point"], rec["replication"]], rec, metrics)
                    sink.add(row)
                    written += 1
                    if on_done:
                        on_done(row)
                submit_next()
    finally:
        for fut in pending:
            fut.cancel()
        sink.flush()
    return written


# --------------------------------------------------------------------------------------------
# executors


@dataclass
class Backend:
    executor: Executor
    workers: int
    description: str


@contextlib.contextmanager
def open_backend(backend: str = "local", workers: int | None = None, address: str | None = None):
    """Yield a Backend: local worker processes, or a Dask cluster (existing at `address`, or local)."""
    if backend == "local":
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        n = workers or os.cpu_count() or 1
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["simmarket.experiment.sweep", "simmarket.model"])
        ex = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
        try:
            yield Backend(ex, n, f"local, {n} worker process{'es' if n > 1 else ''}")
        finally:
            ex.shutdown(wait=True, cancel_futures=True)
        return
    if backend != "dask":
        raise ValueError(f"unknown backend {backend!r}")
    import logging

    from dask.distributed import Client, LocalCluster

    cluster = None
    if address:
        client = Client(address, timeout="15s")
    else:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        n = sum(client.nthreads().values()) or 1
        where = address or f"local cluster, dashboard {client.dashboard_link}"
        yield Backend(client.get_executor(pure=False), n, f"dask ({where}), {n} worker threads")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
