"""A scenario's replicates as one object: what `simmarket.run` returns and `simmarket run` writes.

Failed runs are kept as `Failure` records: the summary and time series cover the successful seeds
only, `failures` lists the others with their tracebacks, and `write` adds failures.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..params import Scenario
from .executor import Failure
from .outputs import atomic_dir, now_utc, summarise, write_json, write_run
from .runs import RunResult, run_seeds
from .seeds import SeedSpec, seed_specs
from .yearly import by_authority, combine


@dataclass
class Results:
    """Replicates of one scenario: successful runs, failed runs, and when they ran."""

    scenario: Scenario
    seeds: list[SeedSpec]
    runs: list[RunResult]
    failures: list[Failure] = field(default_factory=list)
    started: str = ""
    seconds: float = 0.0

    @cached_property
    def summary(self) -> dict:
        """summary.json's content (CONTRACT.md), over the successful seeds."""
        return summarise(self.scenario, self.runs)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per seed and week, one column per weekly metric."""
        frames = [r.timeseries for r in self.runs if r.timeseries is not None]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @cached_property
    def yearly(self) -> pd.DataFrame:
        """yearly.parquet: one row per seed, simulated year and scope (national, region, authority)."""
        return combine(r.yearly for r in self.runs)

    def by_authority(self) -> pd.DataFrame:
        """by_authority.csv: the final year per authority (code, name, region, metrics' means over seeds)."""
        return by_authority(self.yearly, self.scenario.run.scale)

    def failed_runs(self) -> list[tuple[str, str, str]]:
        """(exception class, 'seed k', error line) of each failed run."""
        return [(f.kind, f"seed {self.seeds[f.index].spawn_key[-1]}", f.error) for f in self.failures]

    def write_into(self, folder: Path) -> dict:
        """Write summary, time series, manifest (and failures.json) into an existing folder."""
        summary = write_run(folder, self.scenario, self.runs, self.started)
        if self.failures:
            write_json(folder / "failures.json", [{"seed": self.seeds[f.index].to_dict(), **f.to_dict()}
                                                  for f in self.failures])
        return summary

    def write(self, out_dir: str | Path) -> Path:
        """The folder the command line writes (atomically: complete or absent)."""
        with atomic_dir(Path(out_dir)) as tmp:
            self.write_into(tmp)
        return Path(out_dir)


def run(scenario: Scenario, seeds: int | None = None, years: int | None = None, workers: int | None = None,
        progress=None) -> Results:
    """Run a scenario's seeds (default: its run.seeds and run.years) in parallel."""
    over = {k: v for k, v in (("run.seeds", seeds), ("run.years", years)) if v is not None}
    scenario = scenario.replace(**over) if over else scenario
    specs = seed_specs(scenario.run.root_seed, scenario.run.seeds)
    started, t0 = now_utc(), time.perf_counter()
    out = run_seeds(scenario, specs, workers, progress=progress)
    ok = [r for r in out if not isinstance(r, Failure)]
    failed = [r for r in out if isinstance(r, Failure)]
    return Results(scenario, specs, ok, failed, started, time.perf_counter() - t0)
