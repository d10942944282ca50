"""Scenario discovery over a sweep: which regions of the swept parameters produce an outcome of
interest (`simmarket explore SWEEP --where "METRIC > X"`).

A point of the design is a case of interest when the condition holds for its outcome averaged over
its successful replications. Points, not runs, because the swept parameters are the uncertainty
being explained: a point's replications share its parameter values and differ only in seed, so
PRIM on runs would see identical inputs with conflicting labels, and seed noise, not the
parameters, would decide the densities; with a contrast the seed-paired mean difference is also
the best estimate of the expected effect at that point.

PRIM (the patient rule induction method, Friedman and Fisher 1999; Bryant and Lempert 2010) peels
the parameter space towards a box dense in cases. EMA Workbench's implementation is used (the
optional `explore` extra). From each peeling trajectory the box with the largest coverage x
density among those at least `min_density` dense is kept (a balance of the two; the whole
trajectory is returned too); its restrictions that may be chance (every side's quasi-p value
at least QP_LEVEL) are dropped when another is significant, and PRIM looks for a further box among
the points outside it.
"""

from __future__ import annotations

import contextlib
import operator
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..params import ConfigError, suggest
from .space import Categorical, Sweep

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
OP_WORDS = {">": "above", ">=": "at least", "<": "below", "<=": "at most"}
_CONDITION = re.compile(r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*"
                        r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
EXAMPLE = '"delta_unregistered_children_per_year > 0"'

PEEL_ALPHA = 0.05  # share of points peeled per step (EMA Workbench's default)
MASS_MIN = 0.05  # smallest box, as a share of points (EMA Workbench's default)
MIN_BOX_POINTS = 3  # (prior) and never under 3 points: one or two points are not a region
MIN_DENSITY = 0.5  # (prior) a box where under half the points are cases does not describe them
MIN_COVERAGE = 0.1  # (prior) a further box covering under a tenth of the cases is noise, not a region
MAX_BOXES = 3
QP_LEVEL = 0.05  # a restriction with a quasi-p value below this is unlikely to be chance (Bryant and Lempert 2010)
FEW_CASES = 5  # (prior) a box holding fewer cases than this is flagged as weak evidence


class ExtraMissing(ImportError):
    """EMA Workbench (the `explore` extra) is not installed."""


# --------------------------------------------------------------------------------------------
# the condition


@dataclass(frozen=True)
class Condition:
    """`metric op value`: which points are cases of interest."""

    metric: str
    op: str
    value: float

    def holds(self, values) -> np.ndarray:
        """Where the condition holds (never where the outcome is missing)."""
        v = np.asarray(values, float)
        return np.isfinite(v) & OPS[self.op](v, self.value)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_condition(text: str, allowed, source: str = "the sweep") -> Condition:
    """Parse `METRIC OP NUMBER` (OP one of >, >=, <, <=) against the outcomes a sweep stores."""
    allowed = list(allowed)
    m = _CONDITION.match(text or "")
    if m is None:
        raise ConfigError("--where", None, f"'{text}' is not a condition; expected METRIC OP NUMBER with OP one of "
                          f"{', '.join(OPS)}, e.g. {EXAMPLE}; metrics: {', '.join(allowed)}")
    if m["metric"] not in allowed:
        raise ConfigError("--where", None, f"'{m['metric']}' is not an outcome of {source}"
                          f"{suggest(m['metric'], allowed)}; allowed: {', '.join(allowed)}")
    return Condition(m["metric"], m["op"], float(m["value"]))


# --------------------------------------------------------------------------------------------
# the cases


def point_cases(sweep: Sweep, runs: pd.DataFrame, condition: Condition) -> pd.DataFrame:
    """One row per point with at least one successful run: its parameters, runs averaged, the
    outcome's mean over them, whether the point is a case of interest, whether every replication
    is on the same side of the condition (`agree`: where they are not, the point's side is the
    seeds' as much as the parameters'), and how clearly the mean is on the case side (`t`: the
    mean's distance from the threshold towards the cases, in standard errors over the
    replications; NaN with one)."""
    ok = runs[runs["status"] == "ok"].assign(_holds=lambda r: condition.holds(r[condition.metric]))
    by_point = ok.groupby("point", sort=True)
    out = by_point[sweep.keys].first()
    out["runs"] = by_point.size()
    out[condition.metric] = by_point[condition.metric].mean()
    out["agree"] = by_point["_holds"].nunique() == 1
    toward = 1.0 if condition.op.startswith(">") else -1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        se = by_point[condition.metric].std(ddof=1) / np.sqrt(out["runs"])
        out["t"] = toward * (out[condition.metric] - condition.value) / se
    out = out[np.isfinite(out[condition.metric].to_numpy(float))]
    out["case"] = condition.holds(out[condition.metric])
    return out.reset_index()


def ranges(sweep: Sweep) -> dict:
    """Each swept numeric parameter's declared range (the box limits are drawn against it)."""
    return {p.key: (float(p.lo), float(p.hi)) for p in sweep.parameters if not isinstance(p, Categorical)}


# --------------------------------------------------------------------------------------------
# PRIM


@dataclass
class Box:
    """One box found by PRIM: its statistics, its restrictions and the trajectory it was chosen from."""

    number: int
    coverage: float
    density: float
    mass: float
    n_points: int
    n_cases: int
    limits: pd.DataFrame  # parameter, lower, upper, restricted (lower|upper|both|values), values, qp_lower, qp_upper
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim of every box PRIM peeled; `chosen` marks this one

    @property
    def weak(self) -> str:
        """Why the box may be chance ('' if it is not): too few cases, or no restriction significant."""
        qp = self.limits[["qp_lower", "qp_upper"]].to_numpy(float)
        reasons = []
        if self.n_cases < FEW_CASES:
            reasons.append(f"only {self.n_cases} cases")
        if not (qp[np.isfinite(qp)] < QP_LEVEL).any():
            reasons.append(f"no restriction has a quasi-p value below {QP_LEVEL:g}")
        return "; ".join(reasons)


@contextlib.contextmanager
def quiet_ema():
    """Silence EMA Workbench's known noise, and only that, so the command's output stays clean."""
    with warnings.catch_warnings():
        # at import, EMA Workbench 3 warns about optional extras simmarket does not use
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        warnings.filterwarnings("ignore", message="altair based interactive", category=ImportWarning)
        # PRIM calls DataFrame.drop(inplace=True), deprecated in pandas 3.1 (a DeprecationWarning subclass)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ema_workbench\.")
        yield


def import_prim():
    """EMA Workbench's PRIM module; ExtraMissing if the `explore` extra is not installed."""
    try:
        with quiet_ema():
            from ema_workbench.analysis import prim
    except ImportError as e:
        raise ExtraMissing(str(e)) from None
    return prim


def find_boxes(x: pd.DataFrame, y, min_density: float = MIN_DENSITY, max_boxes: int = MAX_BOXES,
               bounds: dict | None = None) -> list[Box]:
    """PRIM boxes describing where `y` (one boolean per row of `x`) is true; [] if no box is dense enough.

    bounds: {column: (lo, hi)}, the declared ranges; an unrestricted side of a box is reported at
    its bound (default: the data's range).
    """
    y = np.asarray(y, bool)
    if not y.any() or y.all():
        return []
    x = _prim_inputs(x)
    bounds = {c: (float(x[c].min()), float(x[c].max())) for c in x if pd.api.types.is_numeric_dtype(x[c])} \
        | (bounds or {})
    prim = import_prim()
    with quiet_ema():
        model = prim.Prim(x, y.astype(int), peel_alpha=PEEL_ALPHA, paste_alpha=PEEL_ALPHA,
                          mass_min=max(MASS_MIN, MIN_BOX_POINTS / len(y)))
        boxes: list[Box] = []
        while len(boxes) < max_boxes:
            found = model.find_box()
            if found is None:
                break
            i = choose(found.peeling_trajectory, min_density)
            if i is None or (boxes and found.peeling_trajectory.loc[i, "coverage"] < MIN_COVERAGE):
                break
            found.select(i)
            i = _drop_chance_restrictions(found, i, model.box_init)
            boxes.append(_box(len(boxes) + 1, found, i, model.box_init, bounds))
    return boxes


def _prim_inputs(x: pd.DataFrame) -> pd.DataFrame:
    """The columns PRIM can use: varying ones; numbers as floats (EMA Workbench 3 cannot paste an
    integer column under pandas 3), text and true/false as categories."""
    x = x.loc[:, [c for c in x if x[c].nunique(dropna=False) > 1]].reset_index(drop=True)
    for c in x:
        if pd.api.types.is_bool_dtype(x[c]) or not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype(str)
        else:
            x[c] = x[c].astype(float)
    return x


def choose(trajectory: pd.DataFrame, min_density: float) -> int | None:
    """The trajectory's box with the largest coverage x density among those at least `min_density`
    dense (the larger box on a tie); None if no box is dense enough."""
    t = trajectory[(trajectory["density"] >= min_density) & (trajectory["k"] > 0)]
    if t.empty:
        return None
    score = (t["coverage"] * t["density"]).to_numpy(float)
    return int(t.index[int(np.argmax(score))])


def _drop_chance_restrictions(found, i: int, box_init: pd.DataFrame) -> int:
    """Drop the restrictions whose every side may be chance (quasi-p >= QP_LEVEL), if another
    restriction is significant; PRIM adds the wider box to the trajectory. Returns the box kept."""
    restricted = [c for c in box_init.columns if not found.box_lims[i][c].equals(box_init[c])]
    chance = [c for c in restricted if all(not (0 <= v < QP_LEVEL) for v in found.p_values[i].get(c, [-1, -1]))]
    if not chance or len(chance) == len(restricted):
        return i
    for c in chance:
        found.drop_restriction(c)
    return len(found.peeling_trajectory) - 1


def _box(number: int, found, i: int, box_init: pd.DataFrame, bounds: dict) -> Box:
    t = found.peeling_trajectory
    lims, qps = found.box_lims[i], found.p_values[i]
    rows = []
    for col in lims.columns:
        lo, hi = lims[col].iloc[0], lims[col].iloc[1]
        if isinstance(lo, set):
            if lo == box_init[col].iloc[0]:
                continue
            rows.append({"parameter": col, "lower": np.nan, "upper": np.nan, "restricted": "values",
                         "values": "; ".join(sorted(map(str, lo))), "qp_lower": _qp(qps, col, 0), "qp_upper": np.nan})
            continue
        low, high = lo > box_init[col].iloc[0], hi < box_init[col].iloc[1]
        if not (low or high):
            continue
        side = "both" if low and high else ("lower" if low else "upper")
        rows.append({"parameter": col, "lower": float(lo) if low else bounds[col][0],
                     "upper": float(hi) if high else bounds[col][1], "restricted": side, "values": "",
                     "qp_lower": _qp(qps, col, 0), "qp_upper": _qp(qps, col, 1)})
    traj = t[["coverage", "density", "mass", "res_dim", "n", "k"]].astype(float).assign(chosen=t.index == i)
    return Box(number, float(t.loc[i, "coverage"]), float(t.loc[i, "density"]), float(t.loc[i, "mass"]),
               int(t.loc[i, "n"]), int(t.loc[i, "k"]), pd.DataFrame(rows, columns=list(_LIMIT_COLUMNS)), traj)


_LIMIT_COLUMNS = ("parameter", "lower", "upper", "restricted", "values", "qp_lower", "qp_upper")


def _qp(qps: dict, col: str, side: int) -> float:
    """A restriction's quasi-p value (Bryant and Lempert 2010); NaN for an unrestricted side."""
    v = qps.get(col, [-1, -1])[side]
    return float(v) if v is not None and v >= 0 else float("nan")
