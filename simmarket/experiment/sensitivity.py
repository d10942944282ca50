"""Global sensitivity indices with SALib: Sobol (S1, ST, S2) and Morris (mu*, sigma).

Each outcome is averaged over a point's replications first, so the indices describe how the
expected outcome depends on the parameters (seed noise is not attributed to any of them). The
design is regenerated from the sweep file (it is deterministic), so the store only needs to
provide each point's outcome. Indices are computed on the unit cube the design samples; Morris
mu* is therefore the effect of moving a parameter across its whole range.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .space import Sweep
from .sweep import salib_problem, unit_sample

METHODS = ("sobol", "morris")


def point_means(sweep: Sweep, runs: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Mean of each metric over a point's successful replications, indexed by point 0..n-1."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[list(sweep.metrics)].mean()
    return means.reindex(range(n_points))


def analyse(sweep: Sweep, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Index tables for the sweep's method; metrics that cannot be analysed are listed in 'skipped'."""
    method = sweep.design.method
    if method not in METHODS:
        raise ValueError(f"sensitivity needs a sobol or morris design, not {method}")
    x = unit_sample(sweep)
    y_all = point_means(sweep, runs, len(x))
    problem = salib_problem(sweep)
    tables: dict[str, list] = {"indices": [], "second_order": [], "skipped": []}
    for m in sweep.metrics:
        y = y_all[m].to_numpy(float)
        bad = int((~np.isfinite(y)).sum())
        if bad:
            tables["skipped"].append({"metric": m, "reason": f"{bad} points have no successful run"})
            continue
        if np.ptp(y) == 0:
            tables["skipped"].append({"metric": m, "reason": "the outcome does not vary"})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "sobol":
                _sobol(problem, sweep, m, y, tables)
            else:
                _morris(problem, sweep, m, x, y, tables)
    return {k: pd.DataFrame(v) for k, v in tables.items()}


def _sobol(problem, sweep, metric, y, tables) -> None:
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=sweep.design.second_order, seed=sweep.design.root_seed % 2**32)
    for i, key in enumerate(sweep.keys):
        tables["indices"].append({"metric": metric, "parameter": key, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                                  "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    if sweep.design.second_order:
        for i in range(len(sweep.keys)):
            for j in range(i + 1, len(sweep.keys)):
                tables["second_order"].append({"metric": metric, "parameter_1": sweep.keys[i],
                                               "parameter_2": sweep.keys[j], "S2": res["S2"][i, j],
                                               "S2_conf": res["S2_conf"][i, j]})


def _morris(problem, sweep, metric, x, y, tables) -> None:
    from SALib.analyze import morris

    res = morris.analyze(problem, x, y, num_levels=sweep.design.levels, seed=sweep.design.root_seed % 2**32)
    for i, key in enumerate(sweep.keys):
        tables["indices"].append({"metric": metric, "parameter": key, "mu": res["mu"][i], "mu_star": res["mu_star"][i],
                                  "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})


def write(sweep: Sweep, tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """CSV tables and one PNG bar chart per metric, with confidence intervals."""
    method = sweep.design.method
    paths = [folder / f"sensitivity_{method}.csv"]
    tables["indices"].to_csv(paths[0], index=False)
    if method == "sobol" and sweep.design.second_order:
        paths.append(folder / "sensitivity_sobol_s2.csv")
        tables["second_order"].to_csv(paths[-1], index=False)
    if len(tables["skipped"]):
        paths.append(folder / "sensitivity_skipped.csv")
        tables["skipped"].to_csv(paths[-1], index=False)
    if len(tables["indices"]):
        paths += plot(sweep, tables["indices"], folder / "charts")
    return paths


def plot(sweep: Sweep, indices: pd.DataFrame, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    method = sweep.design.method
    bars = [("S1", "S1_conf", "first order"), ("ST", "ST_conf", "total")] if method == "sobol" \
        else [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")]
    paths = []
    for metric, g in indices.groupby("metric", sort=False):
        fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(g), 3.6))
        pos = np.arange(len(g))
        width = 0.38
        for i, (col, conf, label) in enumerate(bars):
            err = g[conf].to_numpy(float) if conf else None
            ax.bar(pos + (i - 0.5) * width, g[col].to_numpy(float), width, yerr=err, capsize=3, label=label)
        ax.set_xticks(pos, [k.split(".")[-1] for k in g["parameter"]], rotation=20, ha="right", fontsize=8)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(f"{sweep.name}: {metric}\n{method} indices (95% CI)", fontsize=9)
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        path = folder / f"sensitivity_{metric}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def format_indices(sweep: Sweep, tables: dict[str, pd.DataFrame], max_metrics: int = 6) -> str:
    """A short text table of the indices of the first metrics."""
    idx = tables["indices"]
    if not len(idx):
        return "no metric could be analysed"
    cols = ["S1", "S1_conf", "ST", "ST_conf"] if sweep.design.method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
    lines = []
    for metric in list(dict.fromkeys(idx["metric"]))[:max_metrics]:
        lines.append(metric)
        for _, r in idx[idx["metric"] == metric].iterrows():
            vals = "  ".join(f"{c}={r[c]:.3g}" for c in cols)
            lines.append(f"  {r['parameter']:<40} {vals}")
    return "\n".join(lines)
