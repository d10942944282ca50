"""Experiments: seeds, runs over executors, sweeps, stores and sensitivity analysis."""

from .runs import RunResult, SeedSpec, run_replicates, seed_specs, simulate
from .space import Categorical, Integer, Real, Sweep, load_sweep
from .sweep import Backend, open_backend
from .driver import execute as run_sweep_to

__all__ = ["RunResult", "SeedSpec", "run_replicates", "seed_specs", "simulate",
           "Categorical", "Integer", "Real", "Sweep", "load_sweep", "Backend", "open_backend", "run_sweep_to"]
