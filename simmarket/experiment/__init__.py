"""Experiments: seeds, the executor, runs, results, comparisons, calibration, sweeps, stores and
sensitivity analysis.

    seeds.py        SeedSpec: a run's seed from its root and spawn key
    executor.py     map a function over tasks on an executor, failures kept as records
    runs.py         one model run (simulate) and a scenario's replicates
    results.py      Results of a scenario's replicates (summary, timeseries, failures, write) and run()
    outputs.py      result folders written atomically, summary.json, manifest.json
    compare.py      scenarios on paired seeds: arms, runs, paired differences (comparison.csv)
    calibrate.py    the calibration year against the targets, and the fit
    backcast.py     a run's years against the history targets (the backcast table)
    space.py        sweep files: typed parameters, design, outcomes
    design.py       the points of a design (grid, lhs, sobol, morris, table)
    sweep.py        the sweep runner over any executor, local and Dask backends
    store.py        the sweep's Parquet store
    driver.py       a sweep from start to finished (resumable) folder
    summary.py      a sweep's per-point summary
    sensitivity.py  Sobol and Morris indices
    explore.py      scenario discovery: cases of interest and PRIM boxes (the `explore` extra)
"""

from .driver import execute as run_sweep_to
from .executor import Failure, map_tasks
from .results import Results, run
from .runs import RunFailed, RunResult, run_replicates, simulate
from .seeds import SeedSpec, seed_specs
from .space import Categorical, Integer, Real, Sweep, load_sweep
from .sweep import Backend, open_backend

__all__ = ["Failure", "RunFailed", "RunResult", "Results", "SeedSpec", "map_tasks", "run", "run_replicates",
           "seed_specs", "simulate", "Categorical", "Integer", "Real", "Sweep", "load_sweep", "Backend",
           "open_backend", "run_sweep_to"]
