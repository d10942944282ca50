"""One model run, and replicates of a scenario over the executor (executor.py).

Seeds come from `numpy.random.SeedSequence(root).spawn(n)` (seeds.py): run i uses spawn key (i,),
so results never depend on the backend or the number of workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from .. import metrics
from ..params import Scenario
from .executor import Failure, map_tasks
from .seeds import SeedSpec, seed_specs  # noqa: F401  (seed_specs: part of this module's API)
from .yearly import YearRecorder, run_by_year


@dataclass
class RunResult:
    seed: SeedSpec
    metrics: dict[str, float]
    by_region: dict[str, dict[str, float]]
    timeseries: pd.DataFrame | None
    seconds: float
    extra: dict = field(default_factory=dict)
    yearly: pd.DataFrame | None = None  # yearly.parquet's rows for this seed (yearly.py)
    measure_seconds: float = 0.0  # time spent measuring the years (part of seconds)


class RunFailed(RuntimeError):
    """A replicate raised (run_replicates only; the commands keep failures as records)."""


def build_model(scenario: Scenario, seed: SeedSpec):
    from ..model import PlacementMarket

    return PlacementMarket(scenario, rng=seed.rng())


def simulate(scenario: Scenario, seed: SeedSpec, timeseries: bool = True, groups: dict | None = None,
             yearly: bool | None = None) -> RunResult:
    """Run one replicate to the horizon and measure it.

    groups: optional name -> list of authority codes, measured like regions (e.g. RCC members).
    yearly: measure every year's end nationally, by region and by authority (default: as timeseries,
    i.e. when the run's full outputs are wanted; sweeps and calibration skip both).
    """
    t0 = time.perf_counter()
    model = build_model(scenario, seed)
    recorder = YearRecorder(seed.spawn_key[-1]) if (timeseries if yearly is None else yearly) else None
    run_by_year(model, recorder)
    ts = None
    if timeseries:
        ts = model.datacollector.get_model_vars_dataframe().reset_index(names="week")
        ts.insert(0, "seed", seed.spawn_key[-1])
    extra = {}
    for name, codes in (groups or {}).items():
        mask = np.isin(model.geo.codes, list(codes))
        extra[name] = metrics.compute(model, mask)
    return RunResult(seed, metrics.compute(model), metrics.by_region(model), ts, time.perf_counter() - t0, extra,
                     recorder.frame() if recorder else None, recorder.seconds if recorder else 0.0)


def run_seeds(scenario: Scenario, seeds: list[SeedSpec], workers: int | None = None, executor=None,
              progress=None, groups: dict | None = None, timeseries: bool = True) -> list[RunResult | Failure]:
    """Every seed, in seed order: a RunResult, or a Failure (with its traceback) for a run that raised."""
    fn = partial(_simulate_task, scenario, timeseries=timeseries, groups=groups)
    return map_tasks(fn, seeds, workers, executor, progress)


def _simulate_task(scenario: Scenario, seed: SeedSpec, timeseries: bool, groups: dict | None) -> RunResult:
    return simulate(scenario, seed, timeseries, groups)


def run_replicates(scenario: Scenario, seeds: list[SeedSpec], executor=None, workers: int | None = None,
                   progress=None, groups: dict | None = None) -> list[RunResult]:
    """Every seed's RunResult in seed order; raises RunFailed (after all runs) if any run failed."""
    out = run_seeds(scenario, seeds, workers, executor, progress, groups)
    failed = [r for r in out if isinstance(r, Failure)]
    if failed:
        raise RunFailed(f"{len(failed)} of {len(out)} runs failed; first: seed {seeds[failed[0].index].spawn_key}: "
                        f"{failed[0].error}\n{failed[0].traceback}")
    return out
