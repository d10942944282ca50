"""The one executor path of run, compare and calibrate: a function mapped over tasks, with progress.

Each task runs inside `safe_call`: an exception in a task becomes a `Failure` record (its error
line and traceback) in that task's place, never an aborted job (the idea of Mesa's experimental
`_safe_call`). What a command does with failures is its own decision (see the cli commands).
A failure of the executor itself (a worker process killed) still raises. Results come back in
task order, so they never depend on the worker count.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

PRELOAD = ("simmarket.experiment.runs", "simmarket.model")


@dataclass(frozen=True)
class Failure:
    """A task that raised: its position, the exception's class name, a one-line error, the traceback."""

    index: int
    kind: str
    error: str
    traceback: str

    def to_dict(self) -> dict:
        return {"index": self.index, "kind": self.kind, "error": self.error, "traceback": self.traceback}


def safe_call(fn: Callable, task: Any, index: int = 0) -> Any:
    """fn(task), or a Failure if it raised."""
    try:
        return fn(task)
    except Exception as e:  # noqa: BLE001 - a failed run is a record with its traceback
        return Failure(index, e.__class__.__name__, " ".join(f"{e.__class__.__name__}: {e}".split()),
                       traceback.format_exc())


def local_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes on this machine (forkserver: forking a process with threads is unsafe)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def default_workers(n_tasks: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_tasks))


def map_tasks(fn: Callable, tasks: Sequence, workers: int | None = None, executor: Executor | None = None,
              progress: Callable[[], None] | None = None) -> list:
    """[fn(t) for t in tasks] on an executor (own worker pool unless given; in-process for one
    worker), each result or Failure in its task's place; progress() after each task."""
    tasks = list(tasks)
    n = workers or default_workers(len(tasks))
    if executor is None and n == 1:
        out = []
        for i, t in enumerate(tasks):
            out.append(safe_call(fn, t, i))
            if progress:
                progress()
        return out
    ex = executor or local_pool(n)
    try:
        futures = {ex.submit(safe_call, fn, t, i): i for i, t in enumerate(tasks)}
        results: list = [None] * len(tasks)
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            if progress:
                progress()
    except BaseException:
        if executor is None:  # Ctrl-C or a dead worker: do not wait for the other runs
            ex.shutdown(wait=False, cancel_futures=True)
        raise
    if executor is None:
        ex.shutdown()
    return results

