"""Compare scenarios against a base on common random numbers.

Every scenario runs the same seeds (same root, same spawn keys), so run i of a scenario and run i
of the base start from the same random state: the same starting market and the same chance events
until the policy sends them down different paths. A seed that failed in any scenario is dropped
from every scenario, so the comparison stays paired (the failures are reported). The paired difference per seed removes the
variation both runs share, and its mean over seeds gets a t-based 95% interval. Authorities that are RCC members in a scenario are measured identically in the base
run, so the members' difference is paired too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..metrics import METRICS
from ..params import REGIONS, Scenario
from .executor import Failure, map_tasks
from .outputs import stats, utc_stamp
from .runs import RunResult, simulate
from .seeds import SeedSpec

NATIONAL = "national"
MEMBERS, NON_MEMBERS = "rcc_members", "non_members"
COLUMNS = ("scope", "members_of", "scenario", "metric", "mean", "p05", "p95",
           "diff_mean", "diff_lo95", "diff_hi95", "diff_pct", "distinguishable", "n_seeds")


@dataclass
class Arm:
    """One scenario in a comparison: its parameters, output folder name, groups and results."""

    scenario: Scenario
    folder: str
    groups: dict[str, list[str]] = field(default_factory=dict)
    results: list[RunResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.scenario.name


def align(scenarios: list[Scenario], seeds: int | None = None, root: int | None = None,
          years: int | None = None) -> list[Scenario]:
    """Give every scenario the base's (or the given) seeds, root seed, years, scale and start year."""
    base = scenarios[0].run
    common = {"run.seeds": seeds or base.seeds,
              "run.root_seed": base.root_seed if root is None else root,
              "run.years": years or base.years,
              "run.scale": base.scale,
              "run.start_year": base.start_year}
    return [s.replace(**common) for s in scenarios]


def alignment_notes(loaded: list[Scenario], aligned: list[Scenario]) -> list[str]:
    """One line per run setting of a scenario file that the comparison replaced."""
    notes = []
    for before, after in zip(loaded[1:], aligned[1:]):
        for key in ("seeds", "root_seed", "years", "scale", "start_year"):
            old, new = getattr(before.run, key), getattr(after.run, key)
            if old != new:
                notes.append(f"{before.name}: run.{key} = {old} replaced by {new} so that all scenarios pair")
    return notes


def folder_names(scenarios: list[Scenario]) -> list[str]:
    """File-system-safe, unique folder names from scenario names."""
    out, seen = [], {}
    for s in scenarios:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", s.name).strip("._") or "scenario"
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return out


def member_groups(scenario: Scenario) -> dict[str, list[str]]:
    """RCC members and non-members defined by a scenario (empty groups dropped)."""
    from ..policy import rcc_groups

    groups = rcc_groups(scenario) or {}
    return {g: list(groups[g]) for g in (MEMBERS, NON_MEMBERS) if groups.get(g)}


def build_arms(scenarios: list[Scenario]) -> list[Arm]:
    """The base measures every other scenario's groups as '<scenario>:<group>'; each other arm its own."""
    names = folder_names(scenarios)
    seen: set[str] = set()
    arms = []
    for s, folder in zip(scenarios, names):
        if s.name in seen:  # the same scenario twice: tell them apart everywhere by the folder name
            s = s.replace(name=folder)
        seen.add(s.name)
        arms.append(Arm(s, folder))
    for arm in arms[1:]:
        for g, codes in member_groups(arm.scenario).items():
            key = f"{arm.folder}:{g}"
            arm.groups[key] = codes
            arms[0].groups[key] = codes
    return arms


def default_out(arms: list[Arm]) -> Path:
    others = [a.folder for a in arms[1:]]
    tail = "-".join(others) if len(others) <= 3 else f"{'-'.join(others[:2])}-and-{len(others) - 2}-more"
    return Path("outputs") / f"compare-{arms[0].folder}-vs-{tail}" / utc_stamp()


def run_all(arms: list[Arm], seeds: list[SeedSpec], workers: int | None = None, progress=None) -> list[tuple]:
    """Run every scenario x seed on one executor; fill each arm's results in seed order.

    A seed with a failed run in any arm is dropped from all arms (pairing needs both sides);
    returns (arm name, seed, Failure) for each failed run.
    """
    jobs = [(a, j) for j in range(len(seeds)) for a in range(len(arms))]
    fn = partial(_arm_run, [(arm.scenario, arm.groups) for arm in arms], seeds)
    out = map_tasks(fn, jobs, workers, progress=progress)
    failed = [(arms[a].name, seeds[j], r) for (a, j), r in zip(jobs, out) if isinstance(r, Failure)]
    bad = {s for _, s, _ in failed}
    for a, arm in enumerate(arms):
        arm.results = [r for (ai, j), r in zip(jobs, out) if ai == a and seeds[j] not in bad]
    return failed


def _arm_run(arms: list[tuple], seeds: list[SeedSpec], job: tuple[int, int]) -> RunResult:
    scenario, groups = arms[job[0]]
    return simulate(scenario, seeds[job[1]], True, groups)


def paired_difference(values, base) -> tuple[float, float, float, int]:
    """Mean of per-seed differences with a t-based 95% interval, over seeds finite in both."""
    d = np.asarray(values, float) - np.asarray(base, float)
    d = d[np.isfinite(d)]
    n = len(d)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan, n
    half = float(sps.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def per_seed(arm: Arm, scope: str, metric: str, group: str | None = None) -> list[float]:
    """One metric per seed for a scope: national, a region, or a named group."""
    if scope == NATIONAL:
        return [r.metrics[metric] for r in arm.results]
    if group is not None:
        return [r.extra[group][metric] for r in arm.results]
    return [r.by_region[scope][metric] for r in arm.results]


def _rows(scope, members_of, arm_values, base_values):
    rows = []
    for name, values in arm_values:
        s = stats(values)
        m, lo, hi, n = paired_difference(values, base_values)
        base_mean = stats(base_values)["mean"]
        rows.append({
            "scope": scope, "members_of": members_of, "scenario": name,
            "mean": s["mean"], "p05": s["p05"], "p95": s["p95"],
            "diff_mean": m, "diff_lo95": lo, "diff_hi95": hi,
            "diff_pct": m / base_mean if base_mean else math.nan,
            "distinguishable": bool(lo > 0 or hi < 0), "n_seeds": n,
        })
    return rows


def comparison_table(arms: list[Arm]) -> pd.DataFrame:
    """comparison.csv: scope x scenario x metric with the paired difference to the base."""
    base, rows = arms[0], []
    for metric in METRICS:
        for scope in (NATIONAL, *REGIONS):
            b = per_seed(base, scope, metric)
            for r in _rows(scope, "", [(a.name, per_seed(a, scope, metric)) for a in arms], b):
                rows.append({**r, "metric": metric})
        for arm in arms[1:]:
            for key in arm.groups:
                scope = key.split(":", 1)[1]
                b = per_seed(base, scope, metric, key)
                pairs = [(base.name, b), (arm.name, per_seed(arm, scope, metric, key))]
                for r in _rows(scope, arm.name, pairs, b):
                    rows.append({**r, "metric": metric})
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.astype({c: float for c in ("mean", "p05", "p95", "diff_mean", "diff_lo95", "diff_hi95", "diff_pct")})


def timeseries(arm: Arm) -> pd.DataFrame:
    frames = [r.timeseries for r in arm.results if r.timeseries is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def subtitle(arms: list[Arm]) -> str:
    run = arms[0].scenario.run
    scale = f", model at {run.scale:g} of England's scale" if run.scale != 1 else ""
    return f"{run.seeds} paired seeds, {run.years} years from 31 March {run.start_year}{scale}"
