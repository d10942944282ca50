"""Experiments: seeds, runs over executors, sweeps, stores and sensitivity analysis."""

from .runs import RunResult, SeedSpec, run_replicates, seed_specs, simulate

__all__ = ["RunResult", "SeedSpec", "run_replicates", "seed_specs", "simulate"]
