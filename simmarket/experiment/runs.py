"""One model run, and replicates of a scenario over any concurrent.futures executor.

Seeds come from `numpy.random.SeedSequence(root).spawn(n)`: run i uses spawn key (i,), so any
run can be rebuilt alone and results never depend on the backend or the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import metrics
from ..config import Scenario


@dataclass(frozen=True)
class SeedSpec:
    """A run's seed: the root entropy and its spawn key."""

    root: int
    spawn_key: tuple[int, ...]

    def sequence(self) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.root, spawn_key=self.spawn_key)

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.sequence())

    def to_dict(self) -> dict:
        return {"root": self.root, "spawn_key": list(self.spawn_key),
                "state": int(self.sequence().generate_state(1, np.uint64)[0])}


def seed_specs(root: int, n: int, prefix: tuple[int, ...] = ()) -> list[SeedSpec]:
    """The first n spawned seeds of a root (identical to SeedSequence(root).spawn(n))."""
    return [SeedSpec(root, (*prefix, i)) for i in range(n)]


@dataclass
class RunResult:
    seed: SeedSpec
    metrics: dict[str, float]
    by_region: dict[str, dict[str, float]]
    timeseries: pd.DataFrame | None
    seconds: float
    extra: dict = field(default_factory=dict)


def build_model(scenario: Scenario, seed: SeedSpec):
    from ..model import PlacementMarket

    return PlacementMarket(scenario, rng=seed.rng())


def simulate(scenario: Scenario, seed: SeedSpec, timeseries: bool = True, groups: dict | None = None) -> RunResult:
    """Run one replicate to the horizon and measure it.

    groups: optional name -> list of authority codes, measured like regions (e.g. RCC members).
    """
    t0 = time.perf_counter()
    model = build_model(scenario, seed)
    model.run_weeks(model.horizon)
    ts = None
    if timeseries:
        ts = model.datacollector.get_model_vars_dataframe().reset_index(names="week")
        ts.insert(0, "seed", seed.spawn_key[-1])
    extra = {}
    for name, codes in (groups or {}).items():
        mask = np.isin(model.geo.codes, list(codes))
        extra[name] = metrics.compute(model, mask)
    return RunResult(seed, metrics.compute(model), metrics.by_region(model), ts, time.perf_counter() - t0, extra)


def local_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes on this machine (forkserver: safe with threads in the parent)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))


def default_workers(n_tasks: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_tasks))


def run_replicates(scenario: Scenario, seeds: list[SeedSpec], executor: Executor | None = None,
                   workers: int | None = None, progress=None, groups: dict | None = None) -> list[RunResult]:
    """Run every seed, in parallel, returning results in seed order.

    progress: optional callable called once per finished run.
    """
    if executor is None and (workers or default_workers(len(seeds))) == 1:
        out = []
        for s in seeds:
            out.append(simulate(scenario, s, groups=groups))
            if progress:
                progress()
        return out
    own = executor is None
    ex = executor or local_pool(workers or default_workers(len(seeds)))
    try:
        futures = {ex.submit(simulate, scenario, s, True, groups): i for i, s in enumerate(seeds)}
        results: list[RunResult | None] = [None] * len(seeds)
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            if progress:
                progress()
        return results  # type: ignore[return-value]
    finally:
        if own:
            ex.shutdown(cancel_futures=True)
