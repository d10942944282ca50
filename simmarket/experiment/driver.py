"""A sweep from start to finished folder: manifest, store, runs, per-point summary and charts.

Folder layout (`simmarket sweep --out DIR`):

    manifest.json     versions, command, scenario, seeds, sweep definition and its fingerprint, status
    design.csv        point id and parameter values of every point
    runs/part-*.parquet   the store: one row per run (see store.py)
    summary.csv       one row per point: mean, p05, p95 of each metric over replications
    charts/METRIC.png each metric against each swept parameter

The folder is created when the first runs start and filled as they finish, so an interrupted
sweep leaves a folder that `resume=True` completes, skipping every run already stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import store as store_mod
from . import summary as summary_mod
from .design import design_points
from .outputs import manifest, now_utc, write_json
from .space import Sweep
from .sweep import Backend, ModelEvaluator, auto_batch, plan_runs, run_seed, run_sweep

MANIFEST = "manifest.json"


class ResumeError(ValueError):
    """The folder cannot be resumed with this sweep (one line for the user)."""


@dataclass
class SweepOutcome:
    folder: Path
    runs: pd.DataFrame
    summary: pd.DataFrame
    n_new: int


def sweep_info(sweep: Sweep, points: list[dict]) -> dict:
    d = sweep.design
    return {"name": sweep.name, "file": sweep.source, "description": sweep.description, "method": d.method,
            "levels": d.levels, "samples": d.samples, "second_order": d.second_order,
            "replications": d.replications, "root_seed": d.root_seed, "design_seed": d.sampling_seed,
            "common_random_numbers": d.common_random_numbers,
            "seed_rule": "spawn_key (replication,)" if d.common_random_numbers else "spawn_key (point, replication)",
            "parameters": [{"key": p.key, "type": type(p).__name__.lower(), "spec": p.describe()} for p in sweep.parameters],
            "metrics": list(sweep.metrics), "outcomes": list(sweep.outcomes),
            "contrast": sweep.contrast.name if sweep.contrast is not None else None, "n_points": len(points), "n_runs": len(points) * d.replications,
            "fingerprint": sweep.fingerprint(points)}


def check_resumable(sweep: Sweep, folder: Path) -> dict:
    """The stored manifest of `folder`, if it holds this very sweep; else ResumeError."""
    path = folder / MANIFEST
    if not path.exists():
        raise ResumeError(f"{folder}: not a sweep folder (no {MANIFEST})")
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        stored = old["sweep"]["fingerprint"]
    except (ValueError, KeyError, TypeError):
        raise ResumeError(f"{path}: unreadable sweep manifest") from None
    if stored != sweep.fingerprint(design_points(sweep)):
        raise ResumeError(f"{folder}: holds a different sweep ('{old['sweep'].get('name')}' from "
                          f"{old['sweep'].get('file')}); resume it with the same sweep file and settings")
    return old


def _write_manifest(folder: Path, sweep: Sweep, points: list[dict], started: str, extra: dict) -> None:
    d = sweep.design
    n = d.replications if d.common_random_numbers else len(points) * d.replications
    seeds = [run_seed(sweep, 0, r) for r in range(d.replications)] if d.common_random_numbers else \
        [run_seed(sweep, p, r) for p in range(len(points)) for r in range(d.replications)][:100_000]
    m = manifest(sweep.scenario, seeds, started, {"sweep": sweep_info(sweep, points), **extra})
    m["root_seed"] = d.root_seed
    if extra.get("status") == "running":
        m["finished_utc"] = None
    m["n_distinct_seeds"] = n
    tmp = folder / f".{MANIFEST}.tmp"
    write_json(tmp, m)
    os.replace(tmp, folder / MANIFEST)


def execute(sweep: Sweep, folder: Path, backend: Backend, fn: Callable | None = None, resume: bool = False,
            progress: Callable[[dict], None] | None = None, chunk_size: int | None = None,
            batch_size: int | None = None, charts: Callable | None = None) -> SweepOutcome:
    """Run (or finish) a sweep into `folder` and write its summary; returns the stored runs.

    charts: optional charts(sweep, summary, folder) drawing the per-point summary (report.sweep).
    """
    folder = Path(folder)
    points = design_points(sweep)
    n_runs = len(points) * sweep.design.replications
    started, history = now_utc(), []
    if resume:
        old = check_resumable(sweep, folder)
        started, history = old.get("started_utc", started), [*old.get("resumed_utc", []), now_utc()]
    folder.mkdir(parents=True, exist_ok=True)
    info = {"status": "running", "backend": backend.description, "resumed_utc": history}
    _write_manifest(folder, sweep, points, started, info)
    if not resume:
        pd.DataFrame([{"point": i, **p} for i, p in enumerate(points)]).to_csv(folder / "design.csv", index=False)

    chunk = chunk_size or max(10, min(500, n_runs // 50))
    store = store_mod.ResultStore(folder / "runs", store_mod.schema(sweep), chunk_size=chunk)
    done = store.completed()
    fn = fn or ModelEvaluator(sweep.scenario, sweep.metrics, sweep.contrast)
    batch = batch_size or auto_batch(n_runs - len(done), backend.workers)
    n_new = 0
    try:
        n_new = run_sweep(plan_runs(sweep, points, done), fn, backend.executor, store, sweep.outcomes,
                          batch_size=batch, max_pending=2 * backend.workers + 2, on_done=progress)
    except BaseException:
        _write_manifest(folder, sweep, points, started, {**info, "status": "interrupted"})
        raise
    runs = store_mod.read_runs(folder / "runs")
    summary = summary_mod.point_summary(sweep, runs)
    summary.to_csv(folder / "summary.csv", index=False)
    if charts:
        charts(sweep, summary, folder / "charts")
    counts = runs["status"].value_counts().to_dict()
    _write_manifest(folder, sweep, points, started,
                    {**info, "status": "complete" if len(runs) == n_runs else "incomplete",
                     "runs_ok": int(counts.get("ok", 0)), "runs_failed": int(len(runs) - counts.get("ok", 0)),
                     "runs_stored": int(len(runs))})
    return SweepOutcome(folder, runs, summary, n_new)
