"""Scenario discovery's outputs: the boxes as a table (CSV and terminal), a plain-language
Markdown note and a chart (each box's peeling trajectory, and its limits on the parameter ranges)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiment.explore import OP_WORDS, QP_LEVEL, Box, Condition
from ..experiment.space import DELTA_PREFIX, Sweep
from ..params import Scenario, describe
from .sweep import outcome_label

BOX_COLUMNS = ["box", "parameter", "lower", "upper", "restricted", "values", "coverage", "density", "mass",
               "n_points", "n_cases", "qp_lower", "qp_upper"]


def boxes_frame(boxes: list[Box]) -> pd.DataFrame:
    """boxes.csv: one row per box and restricted parameter, with the box's statistics."""
    rows = []
    for b in boxes:
        stats = {"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                 "n_points": b.n_points, "n_cases": b.n_cases}
        rows += [{**stats, **lim} for lim in b.limits.to_dict("records")]
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


def peeling_frame(boxes: list[Box]) -> pd.DataFrame:
    """peeling.csv: every box on each peeling trajectory (`chosen` marks the box kept)."""
    frames = [b.trajectory.assign(box=b.number).reset_index(names="step") for b in boxes]
    cols = ["box", "step", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _restriction(lim: dict, words: bool = False) -> str:
    """'0.42 <= key <= 0.86', or in words 'key at least 0.42'."""
    p, side = lim["parameter"], lim["restricted"]
    if side == "values":
        return f"{p} in {{{lim['values']}}}" if not words else f"{p} is one of {lim['values']}"
    if side == "both":
        return f"{_num(lim['lower'])} <= {p} <= {_num(lim['upper'])}" if not words else \
            f"{p} is between {_num(lim['lower'])} and {_num(lim['upper'])}"
    if side == "lower":
        return f"{p} >= {_num(lim['lower'])}" if not words else f"{p} is at least {_num(lim['lower'])}"
    return f"{p} <= {_num(lim['upper'])}" if not words else f"{p} is at most {_num(lim['upper'])}"


def _qps(lim: dict) -> str:
    """The quasi-p value of each restricted side, 'lower / upper' ('-' for a side left free)."""
    sides = [lim["qp_lower"]] if lim["restricted"] == "values" else [lim["qp_lower"], lim["qp_upper"]]
    return " / ".join(f"{v:.2g}" if math.isfinite(v) else "-" for v in sides)


def headline(condition: Condition, cases: pd.DataFrame) -> str:
    n, k = len(cases), int(cases["case"].sum())
    if not n:
        return f"{condition}: no point has a successful run"
    return f"{condition} at {k} of {n} points ({k / n:.0%}){_agreement(cases)}"


def _agreement(cases: pd.DataFrame) -> str:
    """How many cases, and other points, have every replication on their side ('' with one each)."""
    if "agree" not in cases or int(cases["runs"].max()) < 2:
        return ""
    case, agree = cases["case"].to_numpy(bool), cases["agree"].to_numpy(bool)
    return (f"; every replication agrees at {int((case & agree).sum())} of them and "
            f"{int((~case & agree).sum())} of the other {int((~case).sum())}")


def format_summary(condition: Condition, cases: pd.DataFrame, boxes: list[Box]) -> str:
    """The terminal summary: how many points are cases, then each box and its restrictions."""
    lines = [f"explore: {headline(condition, cases)}"]
    if not boxes:
        lines.append(f"  no box: {_why_none(cases)}")
    for b in boxes:
        lines.append(f"box {b.number}: coverage {b.coverage:.0%}, density {b.density:.0%}, mass {b.mass:.0%} "
                     f"({b.n_cases} cases in {b.n_points} points)")
        for lim in b.limits.to_dict("records"):
            lines.append(f"  {_restriction(lim):<56} quasi-p {_qps(lim)}")
        if b.limits.empty:
            lines.append("  (no restriction)")
        if b.weak:
            lines.append(f"  weak evidence, may be chance: {b.weak}")
    return "\n".join(lines)


def _why_none(cases: pd.DataFrame) -> str:
    k, n = int(cases["case"].sum()), len(cases)
    if k == 0:
        return "the condition holds at no point"
    if k == n:
        return "the condition holds at every point (the whole sampled space)"
    return "no box is dense enough in cases (see peeling.csv and explore.png)"


def in_words(sweep: Sweep, condition: Condition) -> str:
    """The condition in words: 'rcc_national_20 raises children in ... against baseline' for a
    contrast's difference compared with 0, else 'the <label> is above X' (a scenario's name keeps its case)."""
    label = outcome_label(condition.metric)
    base = condition.metric.removeprefix(DELTA_PREFIX)
    if sweep.contrast is not None and condition.metric in sweep.deltas and condition.value == 0:
        verb = "raises" if condition.op in (">", ">=") else "lowers"
        weak = " or leaves unchanged" if condition.op in (">=", "<=") else ""
        what = outcome_label(base)
        return f"{sweep.scenario.name} {verb}{weak} {what[:1].lower()}{what[1:]} against {sweep.contrast.name}"
    return f"the {label[:1].lower()}{label[1:]} is {OP_WORDS[condition.op]} {condition.value:g}"


def markdown(sweep: Sweep, condition: Condition, cases: pd.DataFrame, boxes: list[Box], min_density: float) -> str:
    """explore.md: the question, the answer in words, each box's table and how it was found."""
    docs = {key: doc for key, _v, _u, doc in describe(Scenario())}
    plain = in_words(sweep, condition)
    lead = f"The{plain[3:]}" if plain.startswith("the ") else plain
    k, agreement = int(cases["case"].sum()), _agreement(cases)
    out = [f"# Scenario discovery: {sweep.name}", "",
           f"Cases of interest: the design points where {plain} (`{condition}`): {k} of {len(cases)} points "
           f"({k / max(len(cases), 1):.0%}), each point's outcome averaged over its successful replications "
           f"({int(cases['runs'].sum())} runs, up to {sweep.design.replications} per point){agreement}.", ""]
    if agreement:
        t = cases["t"].to_numpy(float)
        out += [f"The mean is clearly on the cases' side (t above 2 over its replications) at "
                f"{int((t > 2).sum())} points and clearly on the other (t below -2) at {int((t < -2).sum())}. "
                "Where replications disagree, a point's side is set by the average of seeds that differ: a box "
                "resting on such points may be the seeds' noise, and more replications per point separate it.", ""]
    if len(cases):
        v = cases[condition.metric].to_numpy(float)
        out += [f"Over the points, `{condition.metric}` ranges from {_num(v.min())} to {_num(v.max())} "
                f"(median {_num(float(np.median(v)))}).", ""]
    if not boxes:
        out += [f"No box: {_why_none(cases)}.", ""]
    for b in boxes:
        words = [_restriction(lim, words=True) for lim in b.limits.to_dict("records")]
        when = " and ".join(words) if words else "anywhere"
        out += [f"## Box {b.number}", "", f"{lead} when {when}; this box covers {b.coverage:.0%} of such cases "
                f"with density {b.density:.0%} ({b.n_cases} of its {b.n_points} points are cases; it holds "
                f"{b.mass:.0%} of all points)." + (f" **Weak evidence, may be chance: {b.weak}.**" if b.weak else ""), "",
                "| parameter | what it is | lower | upper | quasi-p (lower / upper side) |", "| --- | --- | --- | --- | --- |"]
        for lim in b.limits.to_dict("records"):
            low, high = (lim["values"], "") if lim["restricted"] == "values" else (_num(lim["lower"]), _num(lim["upper"]))
            out.append(f"| {lim['parameter']} | {docs.get(lim['parameter'], '')} | {low} | {high} | {_qps(lim)} |")
        out.append("")
    out += ["## Method", "", f"PRIM (EMA Workbench) over {len(sweep.parameters)} swept parameters; from each "
            f"peeling trajectory the box with the largest coverage x density at least {min_density:.0%} dense is "
            "kept, less any restriction that may be chance (every side's quasi-p value at least "
            f"{QP_LEVEL:g}) when another is significant; then the next box is sought among the points outside it. Coverage: the share of all cases "
            "inside the box; density: the share of the box's points that are cases. A quasi-p value (Bryant and "
            "Lempert 2010) near 0 says a side of a restriction is unlikely to be chance; one near 1, that the "
            "box would be as good without it. `peeling.csv` holds every "
            "trajectory; `points.csv` every point, whether it is a case, whether its replications agree and its t.", ""]
    return "\n".join(out)


def plot(boxes: list[Box], bounds: dict, condition: Condition, path: Path) -> Path:
    """explore.png: coverage against density along each peeling trajectory (the kept box ringed), and
    each box's limits on its parameters' ranges (0 = the range's low end, 1 its high end)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for b in boxes:
        t = b.trajectory
        line = left.plot(t["coverage"], t["density"], marker="o", ms=3, lw=1, label=f"box {b.number}")[0]
        left.scatter([b.coverage], [b.density], s=120, facecolors="none", edgecolors=line.get_color(), lw=2)
    left.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02))
    left.set_title(f"peeling trajectories: {condition}", fontsize=9)
    left.grid(alpha=0.3)
    if boxes:
        left.legend(fontsize=8)
    _plot_limits(right, boxes, bounds)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _plot_limits(ax, boxes: list[Box], bounds: dict) -> None:
    params = list(dict.fromkeys(p for b in boxes for p in b.limits["parameter"] if p in bounds))
    for j, b in enumerate(boxes):
        label = f"box {b.number}"
        for lim in b.limits.to_dict("records"):
            if lim["parameter"] not in bounds:
                continue
            lo, hi = bounds[lim["parameter"]]
            y = params.index(lim["parameter"]) + 0.15 * j
            ax.plot([(lim["lower"] - lo) / (hi - lo), (lim["upper"] - lo) / (hi - lo)], [y, y], lw=6,
                    solid_capstyle="butt", color=f"C{j}", label=label)
            label = None
    ax.set_yticks(range(len(params)), params, fontsize=8)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.5, max(len(params), 1) - 0.5),
           xlabel="position in the swept range (0 = lo, 1 = hi)")
    ax.set_title("box limits on the restricted parameters", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    if params:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no box", ha="center", va="center", transform=ax.transAxes)


def write(folder: Path, sweep: Sweep, condition: Condition, cases: pd.DataFrame, boxes: list[Box],
          bounds: dict, min_density: float) -> None:
    """boxes.csv, peeling.csv, points.csv, explore.md and explore.png into `folder`."""
    boxes_frame(boxes).to_csv(folder / "boxes.csv", index=False)
    peeling_frame(boxes).to_csv(folder / "peeling.csv", index=False)
    cases.to_csv(folder / "points.csv", index=False)
    (folder / "explore.md").write_text(markdown(sweep, condition, cases, boxes, min_density), encoding="utf-8")
    plot(boxes, bounds, condition, folder / "explore.png")
