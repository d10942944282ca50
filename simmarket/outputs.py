"""Writing result folders: summary.json, timeseries.parquet, manifest.json (CONTRACT.md).

A folder is written next to its destination under a temporary name and renamed into place, so a
run leaves either a complete folder or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from .config import REGIONS, Scenario
from .metrics import METRICS

KEY_LIBRARIES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "click")


def utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def default_out(name: str) -> Path:
    return Path("outputs") / name / utc_stamp()


def stats(values) -> dict:
    a = np.asarray(values, float)
    ok = a[np.isfinite(a)]
    if len(ok) == 0:
        return {"mean": None, "p05": None, "p95": None, "per_seed": [_num(v) for v in a]}
    return {"mean": float(ok.mean()), "p05": float(np.percentile(ok, 5)), "p95": float(np.percentile(ok, 95)),
            "per_seed": [_num(v) for v in a]}


def _num(v):
    v = float(v)
    return v if np.isfinite(v) else None


def summarise(scenario: Scenario, results) -> dict:
    """summary.json content: national metrics and the same keys for each region."""
    summary = {
        "scenario": scenario.name,
        "seeds": [r.seed.spawn_key[-1] for r in results],
        "years": scenario.run.years,
        "metrics": {k: stats([r.metrics[k] for r in results]) for k in METRICS},
        "by_region": {reg: {k: stats([r.by_region[reg][k] for r in results]) for k in METRICS} for reg in REGIONS},
    }
    groups = sorted({g for r in results for g in r.extra})
    if groups:
        summary["by_group"] = {g: {k: stats([r.extra[g][k] for r in results]) for k in METRICS} for g in groups}
    return summary


def git_commit() -> str | None:
    with contextlib.suppress(Exception):
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            return out.stdout.strip()
    return None


def manifest(scenario: Scenario, seeds, started: str, extra: dict | None = None) -> dict:
    versions = {}
    for lib in KEY_LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[lib] = metadata.version(lib)
    return {
        "package": "simmarket",
        "version": metadata.version("simmarket"),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "libraries": versions,
        "platform": platform.platform(),
        "command": sys.argv,
        "scenario": scenario.to_dict(),
        "root_seed": scenario.run.root_seed,
        "runs": [s.to_dict() for s in seeds],
        "started_utc": started,
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }


@contextlib.contextmanager
def atomic_dir(target: Path):
    """Yield a temporary folder that becomes `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, default=_json_default) + "\n", encoding="utf-8")


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return _num(o)
    if isinstance(o, (tuple, set)):
        return list(o)
    return str(o)


def write_run(folder: Path, scenario: Scenario, results, started: str) -> dict:
    """Write one scenario's results into an existing folder; returns the summary."""
    summary = summarise(scenario, results)
    write_json(folder / "summary.json", summary)
    ts = [r.timeseries for r in results if r.timeseries is not None]
    if ts:
        pd.concat(ts, ignore_index=True).to_parquet(folder / "timeseries.parquet", index=False)
    write_json(folder / "manifest.json", manifest(scenario, [r.seed for r in results], started))
    return summary
