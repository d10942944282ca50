"""A decomposition's outputs: decomposition.csv, decomposition_seeds.csv, its chart, the report's
"What drives each effect" section and the terminal table."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..experiment import decompose as dec
from ..metrics import METRICS, Metric
from . import charts
from .run import markdown_table, text_table

DISAGREE = 0.5  # alone and marginal effects 'disagree strongly' when they differ by more than half the larger (prior)


def cell(metric: Metric, mean: float, lo: float, hi: float) -> str:
    """A signed effect with its 95% interval, in the metric's difference units."""
    if not math.isfinite(lo):
        return metric.format_diff(mean)
    return f"{metric.format_diff(mean)} ({metric.format_diff(lo, False)} to {metric.format_diff(hi, False)})"


def _effect(metric: Metric, r, prefix: str) -> str:
    return cell(metric, getattr(r, f"{prefix}_mean"), getattr(r, f"{prefix}_lo95"), getattr(r, f"{prefix}_hi95"))


def _noise(r, prefix: str) -> str:
    lo, hi = getattr(r, f"{prefix}_lo95"), getattr(r, f"{prefix}_hi95")
    return "" if dec.excludes_zero(lo, hi) else ", not distinguishable from zero"


def disagree(r) -> bool:
    """A function whose alone and marginal effects tell different stories (opposite signs, or far
    apart) beyond the noise: the gap between them (per seed) has an interval that excludes zero."""
    alone, marginal = r.alone_mean, r.marginal_mean
    big = max(abs(alone), abs(marginal))
    far = math.isfinite(big) and big > 0 and (alone * marginal < 0 or abs(alone - marginal) > DISAGREE * big)
    return far and dec.excludes_zero(r.gap_lo95, r.gap_hi95)


def driver_sentences(sub: pd.DataFrame, metric: Metric, other: str) -> list[str]:
    """Which function drives a metric's effect, in plain words (sub: the metric's rows)."""
    funcs = sub[sub.kind == "function"]
    a = funcs.loc[funcs.alone_mean.abs().idxmax()]
    m = funcs.loc[funcs.marginal_mean.abs().idxmax()]
    out = []
    if not any(dec.excludes_zero(r[f"{p}_lo95"], r[f"{p}_hi95"])
               for _, r in funcs.iterrows() for p in ("alone", "marginal")):
        out.append("No function's own effect can be told from noise with these seeds.")
    alone = _effect(metric, a, "alone") + _noise(a, "alone")
    marginal = _effect(metric, m, "marginal") + _noise(m, "marginal")
    if a.function == m.function:
        out.append(f"Driven mainly by *{a.function_label}*: on its own {alone}; taken out of {other}, {marginal}.")
    else:
        out.append(f"Largest effect on its own: *{a.function_label}*, {alone}. Largest effect of taking one "
                   f"function out of {other}: *{m.function_label}*, {marginal}.")
    for r in ([a] if a.function == m.function else [a, m]):
        if disagree(r):
            out.append(f"*{r.function_label}* works largely through interaction with the other functions: on its "
                       f"own it changes this by {metric.format_diff(r.alone_mean)}, but within {other} it accounts "
                       f"for {metric.format_diff(r.marginal_mean)}.")
    inter = sub[sub.kind == dec.INTERACTION].iloc[0]
    if dec.excludes_zero(inter.alone_lo95, inter.alone_hi95):
        out.append(f"The functions together do not add up: interaction {_effect(metric, inter, 'alone')}.")
    start = sub[sub.kind == dec.START]
    if len(start) and start.iloc[0].alone_mean != 0:
        out.append(f"The frame alone (who joins and when, no function on) changed this by "
                   f"{_effect(metric, start.iloc[0], 'alone')}; every alone effect includes that.")
    return out


def section(tab: pd.DataFrame, d: dec.Decomposition) -> list[str]:
    """report.md's "What drives each effect": functions, a paragraph per metric, the full table."""
    other, base = d.other.name, d.base.name
    frame = f"; who joins and when ({', '.join(d.frame)}) is kept in every run" if d.frame else ""
    out = ["## What drives each effect", "",
           f"{other} differs from {base} in {len(d.switches)} function(s), each a set of parameters switched on "
           f"together{frame}:", ""]
    for s in d.switches:
        changes = ", ".join(f"`{k}` {s.base.get(k)!r} -> {v!r}" for k, v in s.other.items() if s.base.get(k) != v)
        out.append(f"- *{s.label}* (`{s.name}`): {changes}")
    out += ["", f"Each function was also run on its own (on top of {base}{' and the frame' if d.frame else ''}) and "
            f"{other} was run without it, on the same paired seeds. The *alone* effect is that function on its own "
            f"minus {base}; the *marginal* effect is {other} minus {other} without it. The *interaction* is the total "
            "minus the sum of the alone effects: how far the functions together differ from the sum of their parts. "
            "When alone and marginal effects disagree, the function's effect depends on the others.", ""]
    for key in dec.FOCUS:
        metric, sub = METRICS[key], tab[tab.metric == key]
        t = sub.iloc[0]
        verdict = "" if dec.excludes_zero(t.total_lo95, t.total_hi95) else " (not distinguishable from zero)"
        out += [f"- **{metric.label}**: total effect {_effect(metric, t, 'total')}{verdict}. "
                + " ".join(driver_sentences(sub, metric, other))]
    out += ["", markdown_table(("Metric", "Function", "Alone effect (95% CI)", "Marginal effect (95% CI)"),
                               _rows(tab)), "",
            "Every metric's decomposition is in `decomposition.csv`, and every seed's effects (the total is the sum "
            "of the alone effects and the interaction, seed by seed) in `decomposition_seeds.csv`; the extra runs "
            "are not written as folders.", ""]
    return out


def _rows(tab: pd.DataFrame) -> list[tuple]:
    rows = []
    for key in dec.FOCUS:
        metric, sub = METRICS[key], tab[tab.metric == key]
        for i, r in enumerate(sub.itertuples()):
            marginal = _effect(metric, r, "marginal") if r.kind == "function" else ""
            rows.append((metric.label if i == 0 else "", r.function_label, _effect(metric, r, "alone"), marginal))
        rows.append(("", "**Total**", _effect(metric, sub.iloc[0], "total"), ""))
    return rows


def _starred(metric: Metric, r, prefix: str) -> str:
    """A signed mean effect, starred when its 95% interval excludes zero (the terminal table)."""
    lo, hi = getattr(r, f"{prefix}_lo95"), getattr(r, f"{prefix}_hi95")
    return metric.format_diff(getattr(r, f"{prefix}_mean")) + ("*" if dec.excludes_zero(lo, hi) else "")


def terminal_table(tab: pd.DataFrame, d: dec.Decomposition) -> str:
    """One row per focus metric: total, each function's alone effect, interaction, the largest effects."""
    head = ("Decomposition", "Total", *(f"{s.name} alone" for s in d.switches), "interaction", "largest alone",
            "largest marginal")
    rows = []
    for key in dec.FOCUS:
        metric, sub = METRICS[key], tab[tab.metric == key].set_index("function")
        funcs = sub[sub.kind == "function"]
        rows.append((metric.label, _starred(metric, sub.iloc[0], "total"),
                     *(_starred(metric, sub.loc[s.name], "alone") for s in d.switches),
                     _starred(metric, sub.loc[dec.INTERACTION], "alone"),
                     funcs.alone_mean.abs().idxmax(), funcs.marginal_mean.abs().idxmax()))
    note = ("(* 95% interval excludes zero; alone: a function on its own minus the base; marginal: OTHER minus "
            "OTHER without the function)")
    return text_table(head, rows, left=1) + "\n" + note


def write_decomposition(folder: Path, d: dec.Decomposition, subtitle: str) -> tuple[list, list, dict]:
    """Write decomposition.csv, decomposition_seeds.csv and decomposition.png; return the report
    section, the chart for the report and what the manifest records."""
    tab = dec.table(d)
    tab.to_csv(folder / "decomposition.csv", index=False)
    dec.seeds_table(d).to_csv(folder / "decomposition_seeds.csv", index=False)
    charts.plot_decomposition(folder / "decomposition.png", tab, dec.FOCUS,
                              f"{d.other.name} minus {d.base.name}: each function's own effect; {subtitle}")
    chart = ("decomposition.png", f"Each function's effect on its own (minus {d.base.name}), the interaction and the "
             "total, with 95% intervals")
    record = {"frame": {k: _plain(v) for k, v in d.frame.items()},
              "functions": [{"name": s.name, "label": s.label, "base": {k: _plain(v) for k, v in s.base.items()},
                             "other": {k: _plain(v) for k, v in s.other.items()}} for s in d.switches],
              "arms": [a.name for a in d.extra_arms]}
    return section(tab, d), [chart], record


def _plain(value):
    """A parameter value as JSON can hold it (tuples as lists)."""
    return [_plain(v) for v in value] if isinstance(value, (tuple, list)) else value
