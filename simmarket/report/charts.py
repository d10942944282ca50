"""PNG charts for a comparison: weekly time series with bands, and paired differences."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..metrics import METRICS  # noqa: E402
from ..time import START_DATE, WEEKS_PER_YEAR  # noqa: E402
from .run import HEADLINE  # noqa: E402

COLOURS = ("#222222", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22")

# weekly series and how many weeks each is smoothed over (flows are noisy week to week); titles,
# axis units and scales are the metrics' own
SERIES = (("mean_weekly_price_gbp", 1), ("new_placement_mean_weekly_price_gbp", 4), ("share_over_20_miles", 1),
          ("children_unregistered", 1))


def week_dates(weeks, start=START_DATE) -> pd.DatetimeIndex:
    """The dates at the end of simulated weeks of a run that starts at `start` (week 0: its 31 March)."""
    return pd.Timestamp(start) + pd.to_timedelta(np.asarray(weeks, int) * 7, unit="D")


def bands(ts: pd.DataFrame, key: str, multiplier: float = 1.0, rolling: int = 1) -> pd.DataFrame:
    """Mean, 5th and 95th percentile over seeds of a weekly metric, per week."""
    wide = ts.pivot_table(index="week", columns="seed", values=key, aggfunc="first", dropna=False) * multiplier
    if rolling > 1:
        wide = wide.rolling(rolling, min_periods=1).mean()
    return pd.DataFrame({"mean": wide.mean(axis=1), "p05": wide.quantile(0.05, axis=1),
                         "p95": wide.quantile(0.95, axis=1)})


def plot_timeseries(path: Path, series: dict[str, pd.DataFrame], subtitle: str, start=START_DATE) -> None:
    """2x2 panels of weekly metrics; a line (mean over seeds) and a 90% band per scenario, dated from
    `start` (the scenarios' common start date)."""
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True, layout="constrained")
    last_week = max((int(ts["week"].max()) for ts in series.values() if not ts.empty), default=0)
    for ax, (key, roll) in zip(axes.flat, SERIES):
        metric = METRICS[key]
        title, unit, mult = metric.title, metric.unit, metric.scale
        if last_week >= WEEKS_PER_YEAR:
            ax.axvline(week_dates([last_week - WEEKS_PER_YEAR], start)[0], color="#888888", linestyle="--",
                       linewidth=1, label="start of the final year (the tables)")
        for i, (name, ts) in enumerate(series.items()):
            if ts.empty or key not in ts:
                continue
            b = bands(ts, key, mult, roll)
            x = week_dates(b.index, start)
            colour = COLOURS[i % len(COLOURS)]
            ax.fill_between(x, b["p05"], b["p95"], color=colour, alpha=0.15, linewidth=0)
            ax.plot(x, b["mean"], color=colour, linewidth=1.8 if i == 0 else 1.4, label=name)
        ax.set_title(title + (f" ({roll}-week rolling mean)" if roll > 1 else ""), fontsize=11)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.tick_params(axis="x", labelrotation=30)
        if "GBP" in unit:
            ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), frameon=False,
               title="Line: mean over seeds; band: 5th to 95th percentile of seeds")
    fig.suptitle(f"Weekly results by scenario\n{subtitle}", fontsize=13)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_differences(path: Path, table: pd.DataFrame, base: str, others: list[str], subtitle: str) -> None:
    """One panel per headline metric: each scenario's paired difference to the base, 95% interval."""
    nat = table[(table.scope == "national") & (table.members_of == "")]
    n = len(HEADLINE)
    cols = 4
    rows = math.ceil(n / cols)
    height = max(1.6, 0.45 * len(others) + 1.1)
    fig, axes = plt.subplots(rows, cols, figsize=(16, rows * height + 1.4), sharey=True, layout="constrained")
    y = np.arange(len(others))[::-1]
    for ax, key in zip(axes.flat, HEADLINE):
        metric = METRICS[key]
        unit, mult = metric.diff_unit
        sub = nat[nat.metric == key].set_index("scenario")
        for yi, name in zip(y, others):
            if name not in sub.index:
                continue
            r = sub.loc[name]
            m, lo, hi = r.diff_mean * mult, r.diff_lo95 * mult, r.diff_hi95 * mult
            colour = "#c0392b" if r.distinguishable else "#7f8c8d"
            if np.isfinite(lo) and np.isfinite(hi):
                ax.plot([lo, hi], [yi, yi], color=colour, linewidth=2.2, solid_capstyle="butt")
            ax.plot([m], [yi], "o", color=colour, markersize=5)
        _effect_axis(ax, metric, f"difference, {unit}", y, others)
        lim = np.nanmax(np.abs(np.r_[sub.reindex(others)[["diff_lo95", "diff_hi95", "diff_mean"]].to_numpy(float).ravel() * mult, 0.0]))
        if np.isfinite(lim) and lim > 0:
            ax.set_xlim(-1.15 * lim, 1.15 * lim)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Difference to {base} (final simulated year): mean over paired seeds and 95% interval\n"
                 f"red = distinguishable from zero, grey = not; {subtitle}", fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _effect_axis(ax, metric, xlabel: str, y, names) -> None:
    """A panel of effects on one metric: zero line, title, labels and grid."""
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_title(metric.title, fontsize=9.5)
    ax.set_xlabel(xlabel, fontsize=8.5)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_yticks(y, names)


def plot_decomposition(path: Path, table: pd.DataFrame, metrics, title: str) -> None:
    """One panel per metric: horizontal bars of each function's alone effect with 95% whiskers,
    then the interaction and the total (decomposition.csv's rows)."""
    cols = 4
    rows = math.ceil(len(metrics) / cols)
    first = table[table.metric == metrics[0]]
    names = [*first.function_label, "Total"]
    height = max(2.2, 0.42 * len(names) + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(17, rows * height + 1.2), sharey=True, layout="constrained",
                             squeeze=False)
    y = np.arange(len(names))[::-1]
    for ax, key in zip(axes.flat, metrics):
        metric = METRICS[key]
        unit, mult = metric.diff_unit
        sub = table[table.metric == key]
        t = sub.iloc[0]
        means = np.r_[sub.alone_mean.to_numpy(float), t.total_mean] * mult
        lows = np.r_[sub.alone_lo95.to_numpy(float), t.total_lo95] * mult
        highs = np.r_[sub.alone_hi95.to_numpy(float), t.total_hi95] * mult
        kinds = [*sub.kind, "total"]
        colours = ["#1f77b4" if k == "function" else "#222222" if k == "total" else "#aaaaaa" for k in kinds]
        ax.barh(y, np.nan_to_num(means), color=colours, height=0.6)
        ok = np.isfinite(lows) & np.isfinite(highs)
        ax.errorbar(means[ok], y[ok], xerr=[means[ok] - lows[ok], highs[ok] - means[ok]], fmt="none",
                    ecolor="#c0392b", elinewidth=1.4, capsize=3)
        marginal = np.r_[sub.marginal_mean.to_numpy(float), np.nan] * mult
        ax.plot(marginal, y, "D", mfc="none", mec="#ff7f0e", markersize=6, linestyle="none",
                label="marginal: OTHER minus OTHER without it")
        _effect_axis(ax, metric, f"effect, {unit}", y, names)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", frameon=False)
    fig.suptitle(f"{title}\nblue: a function on its own; grey: interaction (and the frame alone); black: total; "
                 "red whiskers: 95% interval over paired seeds", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
