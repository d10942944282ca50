"""A sweep's per-point table (terminal) and charts (each metric against each swept parameter)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiment.space import CONTRAST_PREFIX, DELTA_PREFIX, Categorical, Sweep
from ..metrics import METRICS


def _base(key: str) -> tuple[str, str]:
    """(metric key, prefix) of an outcome: `delta_m` and `contrast_m` of a contrast sweep are m's."""
    for prefix in (DELTA_PREFIX, CONTRAST_PREFIX):
        if key.startswith(prefix) and key[len(prefix):] in METRICS:
            return key[len(prefix):], prefix
    return key, ""


def _metric_format(key: str):
    """A metric's own number format; a plain one for outcomes that are not simmarket metrics."""
    base, _ = _base(key)
    return METRICS[base].format if base in METRICS else _fmt


def outcome_label(key: str) -> str:
    """The label of an outcome: the metric's own, marked as a paired difference or the contrast arm."""
    base, prefix = _base(key)
    if base not in METRICS:
        return key
    label = METRICS[base].label
    return {DELTA_PREFIX: f"Change in {label[:1].lower()}{label[1:]} (scenario - contrast)",
            CONTRAST_PREFIX: f"{label} (contrast)"}.get(prefix, label)



def _fmt(x) -> str:
    """A parameter value (or an outcome of a toy model): short and plain."""
    if isinstance(x, float):
        if not math.isfinite(x):
            return "-"
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return str(x)


def format_table(sweep: Sweep, summary: pd.DataFrame, max_metrics: int = 4, max_rows: int = 40) -> str:
    """A plain-text table: each point's parameters and 'mean [p05, p95]' of the first metrics
    (a contrast sweep's paired differences first)."""
    shown = sweep.deltas + sweep.metrics
    metrics = list(shown[:max_metrics])
    head = ["point", *sweep.keys, "ok", "failed", *metrics]
    body = []
    for r in summary.head(max_rows).to_dict("records"):
        cells = [str(r["point"]), *(_fmt(r[k]) for k in sweep.keys), str(r["runs_ok"]), str(r["runs_failed"])]
        for m in metrics:
            mean = r[f"{m}_mean"]
            f = _metric_format(m)
            cells.append("-" if not math.isfinite(mean) else f"{f(mean)} [{f(r[f'{m}_p05'])}, {f(r[f'{m}_p95'])}]")
        body.append(cells)
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip() for b in body]
    notes = []
    if len(summary) > max_rows:
        notes.append(f"... {len(summary) - max_rows} more points")
    if len(shown) > max_metrics:
        notes.append(f"{len(shown) - max_metrics} more metrics")
    lines.append("metric columns: mean [5th, 95th percentile] over replications"
                 + (f"; {', '.join(notes)} in summary.csv" if notes else ""))
    return "\n".join(lines)


def plot_outcomes(sweep: Sweep, summary: pd.DataFrame, folder: Path) -> list[Path]:
    """One PNG per metric (and paired difference): its per-point mean (with 90% interval) against each
    swept parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    k = len(sweep.parameters)
    for m in sweep.reported:
        fig, axes = plt.subplots(1, k, figsize=(4.2 * k, 3.4), squeeze=False, sharey=True)
        mean = summary[f"{m}_mean"].to_numpy(float)
        lo, hi = summary[f"{m}_p05"].to_numpy(float), summary[f"{m}_p95"].to_numpy(float)
        lo, hi = np.minimum(lo, mean), np.maximum(hi, mean)  # rounding can put the mean a hair outside
        for ax, p in zip(axes[0], sweep.parameters):
            x, labels = _axis(p, summary[p.key])
            others = [q.key for q in sweep.parameters if q.key != p.key]
            if sweep.design.method == "grid" and len(others) == 1 and summary[others[0]].nunique() <= 8:
                for val, idx in summary.groupby(others[0]).groups.items():
                    i = np.asarray(sorted(idx, key=lambda j: x[j]))
                    ax.errorbar(x[i], mean[i], yerr=[mean[i] - lo[i], hi[i] - mean[i]], marker="o", ms=4,
                                capsize=3, label=f"{others[0].split('.')[-1]}={_fmt(val)}")
                ax.legend(fontsize=7)
            else:
                ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], fmt="o", ms=3, alpha=0.7, capsize=2)
            if labels:
                ax.set_xticks(range(len(labels)), labels)
            ax.set_xlabel(p.key, fontsize=8)
            ax.grid(alpha=0.3)
        label = outcome_label(m)
        axes[0][0].set_ylabel(label if len(label) <= 45 else m, fontsize=8)  # the title carries a long label
        fig.suptitle(f"{sweep.name}: {outcome_label(m)} (mean, 90% interval over replications)", fontsize=9)
        fig.tight_layout()
        path = folder / f"{m}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def _axis(p, values: pd.Series):
    """Numeric x positions for a parameter; categorical ones get an index and tick labels."""
    if isinstance(p, Categorical) and not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in p.choices):
        labels = [str(c) for c in p.choices]
        pos = {str(c): i for i, c in enumerate(p.choices)}
        return np.array([pos[str(v)] for v in values], float), labels
    return values.to_numpy(float), None
