"""`compare BASE OTHER --decompose`: each function's own contribution to OTHER's effect.

The functions are those OTHER switches on relative to BASE (functions.py). Besides BASE and OTHER,
the decomposition runs, on the same paired seeds and through compare's `run_all`:

    start       BASE with OTHER's frame (who joins, when) and no function on (only if the frame differs)
    f alone     the start arm with function f as in OTHER
    all but f   OTHER with f set back to its base setting

Per seed and metric: total = OTHER - BASE; alone(f) = (f alone) - BASE; marginal(f) = OTHER -
(all but f); interaction = total - sum of alone effects, so total = sum(alone) + interaction seed by
seed (by definition). Each is summarised by its mean over seeds with a t-based 95% interval
(compare.paired_difference); so is each function's gap, alone minus marginal, which is not zero
when the function's effect depends on the others. The start arm's own effect (start - BASE) is reported too: a frame
with no function should change nothing, and any change it makes is inside every alone effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics import METRICS
from . import functions as fx
from .compare import NATIONAL, Arm, paired_difference, per_seed

# the metrics the report, chart and terminal decompose (decomposition.csv has every metric)
FOCUS = ("children_unregistered", "unregistered_children_per_year", "new_placement_mean_weekly_price_gbp",
         "mean_weekly_price_gbp", "share_over_20_miles", "mean_wait_days", "la_spend_childrens_homes_gbp",
         "homes_opened")
INTERACTION, START = "interaction", "start"
COLUMNS = ("metric", "label", "kind", "function", "function_label", "keys",
           "total_mean", "total_lo95", "total_hi95", "alone_mean", "alone_lo95", "alone_hi95",
           "marginal_mean", "marginal_lo95", "marginal_hi95", "gap_mean", "gap_lo95", "gap_hi95", "n_seeds")


class NothingToDecompose(ValueError):
    """OTHER switches on no function relative to BASE."""


@dataclass
class Decomposition:
    """The arms of a decomposition: BASE, OTHER, the start arm (or None), and per function its two arms."""

    base: Arm
    other: Arm
    frame: dict
    switches: list[fx.Switch]
    start: Arm | None
    alone: list[Arm]
    all_but: list[Arm]

    @property
    def extra_arms(self) -> list[Arm]:
        """The arms a decomposition adds to the comparison's two."""
        return [*([self.start] if self.start else []), *self.alone, *self.all_but]


def build(base: Arm, other: Arm) -> Decomposition:
    """The decomposition's arms for a comparison's two arms (ConfigError if an arm is invalid)."""
    b, o = base.scenario, other.scenario
    frame, sws = fx.switches(b, o)
    if not sws:
        raise NothingToDecompose(f"{o.name} differs from {b.name} in no function (only in keys that have no effect "
                                 "there, or in who joins cooperatives and when); nothing to decompose")
    tag = other.folder
    start = fx.start_arm(b, o, frame, f"{tag}~start")
    alone = [Arm(fx.alone(start, s, f"{tag}~only~{s.name}"), f"{tag}~only~{s.name}") for s in sws]
    all_but = [Arm(fx.all_but(o, s, f"{tag}~without~{s.name}"), f"{tag}~without~{s.name}") for s in sws]
    start_arm = Arm(start, f"{tag}~start") if frame else None
    return Decomposition(base, other, frame, sws, start_arm, alone, all_but)


def seed_effects(d: Decomposition, metric: str) -> dict[str, np.ndarray]:
    """Per-seed effects of one national metric: total, start, alone:f, marginal:f, interaction."""
    def values(arm):
        return np.asarray(per_seed(arm, NATIONAL, metric), float)

    b, o = values(d.base), values(d.other)
    out = {"total": o - b}
    if d.start is not None:
        out[START] = values(d.start) - b
    alone_sum = np.zeros_like(b)
    for s, a, w in zip(d.switches, d.alone, d.all_but):
        out[f"alone:{s.name}"] = values(a) - b
        out[f"marginal:{s.name}"] = o - values(w)
        alone_sum = alone_sum + out[f"alone:{s.name}"]
    out[INTERACTION] = out["total"] - alone_sum
    return out


def seeds_table(d: Decomposition) -> pd.DataFrame:
    """decomposition_seeds.csv: metric x seed x effect, every metric (for checking and re-analysis)."""
    seeds = [r.seed.spawn_key[-1] for r in d.base.results]
    rows = []
    for metric in METRICS:
        for effect, values in seed_effects(d, metric).items():
            rows += [{"metric": metric, "seed": s, "effect": effect, "value": float(v)} for s, v in zip(seeds, values)]
    return pd.DataFrame(rows, columns=["metric", "seed", "effect", "value"])


def _summary(prefix: str, values) -> dict:
    m, lo, hi, n = paired_difference(values, np.zeros(len(values)))
    return {f"{prefix}_mean": m, f"{prefix}_lo95": lo, f"{prefix}_hi95": hi, "n_seeds": n}


def table(d: Decomposition) -> pd.DataFrame:
    """decomposition.csv: per metric, one row per function (alone and marginal effects), the start
    arm's row (if any) and the interaction row, each with the metric's total effect."""
    rows = []
    for metric in METRICS:
        e = seed_effects(d, metric)
        common = {"metric": metric, "label": METRICS[metric].label, **_summary("total", e["total"])}
        for s in d.switches:
            rows.append({**common, "kind": "function", "function": s.name, "function_label": s.label,
                         "keys": " ".join(k for k, v in s.other.items() if s.base.get(k) != v),
                         **_summary("alone", e[f"alone:{s.name}"]), **_summary("marginal", e[f"marginal:{s.name}"]),
                         **_summary("gap", e[f"alone:{s.name}"] - e[f"marginal:{s.name}"])})
        if START in e:
            rows.append({**common, "kind": START, "function": START, "keys": " ".join(d.frame),
                         "function_label": "Frame alone (who joins and when; no function on)",
                         **_summary("alone", e[START])})
        rows.append({**common, "kind": INTERACTION, "function": INTERACTION, "keys": "",
                     "function_label": "Interaction (total minus the sum of alone effects)",
                     **_summary("alone", e[INTERACTION])})
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    floats = [c for c in COLUMNS if c.endswith(("_mean", "_lo95", "_hi95"))]
    return df.astype({c: float for c in floats})


def excludes_zero(lo: float, hi: float) -> bool:
    """A 95% interval that lies wholly on one side of zero."""
    return math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0)
