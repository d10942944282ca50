"""Sensitivity indices as CSV tables, one bar chart per metric, and a short terminal table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..experiment.space import Sweep


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
