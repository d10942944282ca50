"""The per-point summary of a sweep: mean and 90% interval over replications (its table and charts
are in report/sweep.py)."""

from __future__ import annotations

import pandas as pd

from .space import Sweep

INTERVAL = (5, 95)  # a 90% interval over replications


def point_summary(sweep: Sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per point: parameters, runs ok / failed, and each outcome's mean, p05 and p95."""
    metrics = list(sweep.outcomes)
    ok_mask = runs["status"] == "ok"
    by_point = runs.groupby("point", sort=True)
    out = by_point[sweep.keys].first() if sweep.keys else pd.DataFrame(index=by_point.size().index)
    out["runs_ok"] = ok_mask.groupby(runs["point"]).sum().astype(int)
    out["runs_failed"] = by_point.size() - out["runs_ok"]
    ok = runs.loc[ok_mask, ["point", *metrics]].groupby("point")
    stats = {"mean": ok.mean(), "p05": ok.quantile(INTERVAL[0] / 100), "p95": ok.quantile(INTERVAL[1] / 100)}
    for m in metrics:
        for name, table in stats.items():
            out[f"{m}_{name}"] = table[m].reindex(out.index).astype(float)
    return out.reset_index()
