"""Calibration: the baseline's first simulated year against the evidence targets, and the fit.

The targets (targets.toml, shipped in the package) are the single list for the calibration year.
Only behavioural parameters with no direct evidence are fitted (FREE_PARAMETERS); everything with
evidence keeps its value from facts.md. The fit is a Latin hypercube (scipy.stats.qmc) followed by
Nelder-Mead (scipy.optimize) on common seeds. Its loss counts two things equally: the calibration
year (a run from March 2024) against targets.toml, and the backcast (the same behaviour from March
2020 over five years, backcast.py) against the history targets.

Failed runs: the calibration table covers the seeds that ran (run_calibration returns the
failures beside them); in the fit a failed evaluation has no metrics, so every target counts as
missed at that point (the loss's penalty for a missing value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import load_authorities, load_homes, load_targets, start_homes
from ..params import REGIONS, Scenario, describe
from .executor import Failure, default_workers, map_tasks
from .runs import simulate
from .seeds import seed_specs

CALIBRATION_YEARS = 1  # April 2024 to March 2025 (SOURCES.md)
CALIBRATION_YEAR_END = 2025  # the 31 March that ends the calibration year (targets.toml's header)


@dataclass(frozen=True)
class FreeParameter:
    key: str
    lo: float
    hi: float
    prior: float
    rationale: str


FREE_PARAMETERS = (
    FreeParameter("demand.residential_need_per_year", 0.05, 0.25, 0.12,
                  "how often a fostered 11-17 year old comes to need a home: not published"),
    FreeParameter("demand.emergency_share", 0.02, 0.25, 0.08,
                  "share of residential need that is an emergency: not published"),
    FreeParameter("supply.entry_projects_per_year", 200.0, 1200.0, 500.0,
                  "new-home projects at average attractiveness: only openings (the target) are observed"),
    FreeParameter("commissioning.radius_miles", 15.0, 120.0, 60.0,
                  "authorities' first search radius: practice varies, not published"),
    FreeParameter("commissioning.wide_referral_share", 0.1, 0.95, 0.7,
                  "share of referrals sent across the search area rather than to the nearest homes"),
    FreeParameter("pricing.target_margin_private", 0.05, 0.4, 0.2,
                  "the margin providers aim for; the realised margin (CMA22) is the target"),
    FreeParameter("workforce.manager_hire_per_week", 0.005, 0.04, 0.015,
                  "weekly chance a manager vacancy is filled: only the vacancy share is observed"),
    FreeParameter("commissioning.unregistered_after_weeks", 1.0, 12.0, 5.0,
                  "how long authorities search before an unregistered setting: not published"),
    FreeParameter("pricing.risk_aversion", 0.05, 1.0, 0.25,
                  "margin providers need per unit of a child's risk before accepting: not published"),
    FreeParameter("demand.need_trend_per_year", 0.0, 0.08, 0.02,
                  "growth of residential need: only its outcome (children in homes by year) is observed"),
    FreeParameter("demand.complex_need_growth_per_year", 0.0, 0.15, 0.05,
                  "extra growth of complex need (specialised settings shrinking): not published"),
    FreeParameter("demand.dol_growth_per_year", 0.0, 0.4, 0.1,
                  "growth of DoL orders among children needing homes up to 2024-25: only 2024's count is published"),
    FreeParameter("supply.return_elasticity", 0.5, 4.0, 1.5,
                  "how strongly entrants follow regional margins: only openings are observed"),
    FreeParameter("supported.capacity_slack", 0.0, 0.3, 0.05,
                  "free supported places above the stock: not published"),
    FreeParameter("commissioning.wtp_multiple", 1.0, 2.0, 1.25,
                  "authorities' first-week price ceiling over the cost of a child's care: not published"),
)
BACKCAST_START_YEAR = 2020  # the history's start state (history_targets.toml)
BACKCAST_YEARS = 5


def calibration_scenario(base: Scenario, seeds: int | None = None, scale: float = 1.0) -> Scenario:
    """The calibration year at national scale (a smaller scale only for quick checks)."""
    over = {"run.years": CALIBRATION_YEARS, "run.scale": scale}
    if seeds:
        over["run.seeds"] = seeds
    return base.replace(**over)


def _run(args):
    scenario, seed = args
    r = simulate(scenario, seed, timeseries=False)
    return r.metrics, r.by_region


def run_calibration(scenario: Scenario, workers: int | None = None, progress=None, with_failures: bool = False):
    """Run the calibration year over the scenario's seeds: (metrics, regions) per successful seed,
    and with_failures=True also the list of Failures."""
    seeds = seed_specs(scenario.run.root_seed, scenario.run.seeds)
    out = map_tasks(_run, [(scenario, s) for s in seeds], workers, progress=progress)
    ok = [r for r in out if not isinstance(r, Failure)]
    failed = [r for r in out if isinstance(r, Failure)]
    return (ok, failed) if with_failures else ok


def target_table(per_seed: list[dict]) -> pd.DataFrame:
    """Target, source, observed value and band, model mean and 90% interval, within band."""
    rows = []
    for key, t in load_targets().items():
        vals = np.array([m[key] for m in per_seed], float)
        lo, hi = t["band"]
        mean = float(np.nanmean(vals))
        rows.append({
            "target": key, "description": t["description"], "source": t["source"],
            "observed": t["value"], "band_lo": lo, "band_hi": hi,
            "model_mean": mean, "model_p05": float(np.nanpercentile(vals, 5)),
            "model_p95": float(np.nanpercentile(vals, 95)), "within_band": bool(lo <= mean <= hi),
        })
    return pd.DataFrame(rows)


def calibration_year_table(yearly: pd.DataFrame, start_year: int, scale: float = 1.0) -> pd.DataFrame | None:
    """A run's year ending 31 March 2025 against the calibration year's targets (`target_table`'s
    columns), national, counts as national equivalents; None if the run does not simulate that year.
    For a backcast this sets where the run from an earlier March arrives beside where the baseline
    starts (the baseline's own calibration year is a run from March 2024)."""
    from .backcast import national_by_year

    nat = national_by_year(yearly, start_year, scale)
    if CALIBRATION_YEAR_END not in nat.index.get_level_values(0):
        return None
    return target_table(nat.loc[CALIBRATION_YEAR_END].to_dict("records"))


def region_table(per_region: list[dict]) -> pd.DataFrame:
    """By region: the model's children in homes, homes and places against the shipped data."""
    la = load_authorities()
    homes = load_homes()
    ordinary = homes[(homes["provision_type"] == "childrens_home") & ~homes["short_breaks_only"]]
    start = start_homes()
    rows = []
    for reg in REGIONS:
        def mean(key):
            return float(np.nanmean([r[reg][key] for r in per_region]))
        rows.append({
            "region": reg,
            "children_in_homes_2024": int(la.loc[la.region == reg, "cla_childrens_homes_2024"].sum()),
            "children_in_homes_2025": int(la.loc[la.region == reg, "cla_childrens_homes_2025"].sum()),
            "model_children_in_homes": mean("children_in_homes"),
            "homes_2024": int(((start.region == reg) & (start.provision_type == "childrens_home")).sum()),
            "homes_2025": int((ordinary.region == reg).sum()),
            "model_homes": mean("homes_total"),
            "places_2025": int(ordinary.loc[ordinary.region == reg, "places"].sum()),
            "model_places": mean("places_total"),
            "model_share_over_20_miles": mean("share_over_20_miles"),
            "model_share_outside_la": mean("share_outside_la"),
        })
    return pd.DataFrame(rows)


EDGE = 0.75  # share of the way from observed value to band edge inside which a target is safely in band (prior)
EDGE_PENALTY = 20.0  # weight of the squared excess beyond EDGE (prior: a fit within common seeds' noise of a
# band's edge left two targets just outside their bands on other seeds, and they were then set by hand)
EDGE_REACH = 1.5  # beyond 1.5 times the way to the edge the penalty stops growing: a target the model
# cannot reach (docs/backcast.md) is left to its squared error, not chased at the others' expense


def loss(means: dict[str, float]) -> float:
    """Mean over targets of each one's error term (`_term`)."""
    terms = []
    for key, t in load_targets().items():
        lo, hi = t["band"]
        terms.append(_term(means.get(key, np.nan), t["value"], lo, hi))
    return float(np.mean(terms))


def _term(model: float, observed: float, lo: float, hi: float) -> float:
    """A target's squared error relative to half its band, plus a penalty for lying near or past
    the band's edge (beyond EDGE of the way from the observed value to the edge on that side), so
    the fit keeps targets in band on seeds other than its own; a missing value counts as far off."""
    if not np.isfinite(model):
        return 100.0
    z = (model - observed) / ((hi - lo) / 2)
    side = (observed - lo) if model < observed else (hi - observed)  # bands need not be centred
    toward_edge = abs(model - observed) / side if side > 0 else 0.0  # 1 at the band's edge
    return z**2 + EDGE_PENALTY * min(max(toward_edge - EDGE, 0.0), EDGE_REACH - EDGE) ** 2


def backcast_loss(table: pd.DataFrame) -> float:
    """The same loss over a backcast table's rows (backcast.backcast_table)."""
    return float(np.mean([_term(r.model_mean, r.observed, r.band_low, r.band_high) for r in table.itertuples()]))


def history_scenario(base: Scenario) -> Scenario:
    """The base's behaviour from March 2020 over five years (as scenarios/history_2020.toml)."""
    return base.replace(**{"run.start_year": BACKCAST_START_YEAR, "run.years": BACKCAST_YEARS})


# ------------------------------------------------------------------------------------ fitting
def _point_overrides(u: np.ndarray) -> dict:
    """A point of the unit cube as scenario overrides."""
    return {p.key: float(p.lo + x * (p.hi - p.lo)) for p, x in zip(FREE_PARAMETERS, np.clip(u, 0, 1))}


def _eval_task(args):
    scenario, overrides, seed, backcast = args
    if backcast:  # the national rows of every year
        r = simulate(scenario.replace(**overrides), seed, timeseries=False, yearly=True)
        return r.yearly[r.yearly["scope"] == "national"]
    return simulate(scenario.replace(**overrides), seed, timeseries=False).metrics


def fit(base: Scenario, n_design: int = 24, n_refine: int = 30, n_seeds: int = 3, seed: int = 7,
        workers: int | None = None, progress=None, scale: float = 1.0, history: bool = True, n_validate: int = 0):
    """Latin hypercube then Nelder-Mead; returns (best overrides, best loss, history DataFrame).

    Each point runs the calibration year and (history=True) the backcast on the same common
    seeds; the loss is the mean of the two losses. The same seed gives the same design, the same
    common seeds and so the same result.

    n_validate > 0: the n_validate best points are run again on as many other common seeds (the
    root's next n_seeds), and the point with the lowest loss over both sets is chosen (stage
    "validate" in the history, its loss that mean). The search's best point is partly its seeds'
    luck: many targets lie near their bands' edges, where the next seeds can take them out.
    """
    from scipy.optimize import minimize
    from scipy.stats import qmc

    from .backcast import load_targets as history_targets

    runs = [(calibration_scenario(base, scale=scale), False)]  # (scenario, is it the backcast)
    if history:
        runs.append((history_scenario(base).replace(**{"run.scale": scale}), True))
    targets = history_targets() if history else []
    seeds = seed_specs(seed, n_seeds)
    log: list[dict] = []
    workers = workers or default_workers(n_seeds * 2)

    def evaluate_many(points: list[np.ndarray], stage: str, seeds=seeds) -> list[float]:
        tasks = [(sc, _point_overrides(u), s, backcast) for u in points for sc, backcast in runs for s in seeds]
        results = map_tasks(_eval_task, tasks, workers, progress=progress)
        per_point = len(runs) * n_seeds
        out = []
        for i, u in enumerate(points):
            row, means = _score(results[i * per_point:(i + 1) * per_point], n_seeds, targets, scale)
            log.append({"stage": stage, **row, **_point_overrides(u), **{f"model.{k}": means[k] for k in load_targets()}})
            out.append(row["loss"])
        return out

    # the first point is the scenario as it stands (so a refit starts from the committed baseline)
    current = {k: v for k, v, _, _ in describe(base)}
    prior = np.clip([(current[p.key] - p.lo) / (p.hi - p.lo) for p in FREE_PARAMETERS], 0, 1)
    design = qmc.LatinHypercube(d=len(FREE_PARAMETERS), seed=np.random.default_rng(seed)).random(n_design)
    points = [prior, *design]
    losses = evaluate_many(points, "design")
    start = points[int(np.argmin(losses))]
    if n_refine > 0:
        # the result is read from the log of every evaluation (the best point seen, not the simplex's last)
        minimize(lambda u: evaluate_many([u], "refine")[0], start, method="Nelder-Mead",
                 options={"maxfev": n_refine, "xatol": 1e-3, "fatol": 1e-4, "initial_simplex": _simplex(start)})
    if n_validate > 0:
        _validate(log, evaluate_many, n_validate, seed_specs(seed, 2 * n_seeds)[n_seeds:])
    hist = pd.DataFrame(log)
    chosen = hist[hist["stage"] == "validate"] if n_validate > 0 else hist
    best = chosen.loc[chosen["loss"].idxmin()]
    overrides = {p.key: float(best[p.key]) for p in FREE_PARAMETERS}
    return overrides, float(best["loss"]), hist


def _validate(log: list[dict], evaluate, n_validate: int, seeds) -> None:
    """The n_validate best points of the log run again on `seeds` (evaluate appends their rows,
    stage "validate"); each new row keeps the search's loss and the validation's, and its loss
    is their mean."""
    searched = pd.DataFrame(log)
    top = searched.loc[searched["loss"].nsmallest(n_validate).index]
    units = [np.array([(row[p.key] - p.lo) / (p.hi - p.lo) for p in FREE_PARAMETERS]) for _, row in top.iterrows()]
    again = evaluate(units, "validate", seeds)
    for row, first, second in zip(log[len(searched):], top["loss"], again):
        row.update(loss_search=first, loss_validation=second, loss=(first + second) / 2)


def _score(got: list, n_seeds: int, targets: list, scale: float) -> tuple[dict, dict]:
    """One point's losses from its runs (the calibration year's seeds, then the backcast's if
    targets are given): the loss is their mean. Returns (losses, the calibration year's means)."""
    from .backcast import backcast_table

    per = [m for m in got[:n_seeds] if not isinstance(m, Failure)]
    means = {k: float(np.nanmean([m[k] for m in per])) if per else np.nan for k in load_targets()}
    row = {"loss_calibration": loss(means)}
    if not targets:
        return {**row, "loss": row["loss_calibration"]}, means
    years = [y for y in got[n_seeds:] if not isinstance(y, Failure)]
    if years:
        table = backcast_table(pd.concat(years, ignore_index=True), targets, BACKCAST_START_YEAR, scale)
        row.update(loss_backcast=backcast_loss(table), backcast_in_band=int(table["in_band"].sum()))
    else:  # every backcast run failed: every target missed
        row.update(loss_backcast=100.0, backcast_in_band=0)
    return {**row, "loss": (row["loss_calibration"] + row["loss_backcast"]) / 2}, means


def _simplex(start: np.ndarray, step: float = 0.08) -> np.ndarray:
    pts = [start]
    for i in range(len(start)):
        p = start.copy()
        p[i] = p[i] + step if p[i] + step <= 1 else p[i] - step
        pts.append(p)
    return np.array(pts)


def fragment(overrides: dict, loss_value: float, seed: int) -> str:
    """The fitted values as a scenario fragment with a comment per key."""
    by_key = {p.key: p for p in FREE_PARAMETERS}
    lines = [f"# Fitted by `simmarket calibrate --fit --fit-seed {seed}` (loss {loss_value:.3f}).",
             "# Copy these into scenarios/baseline.toml to adopt them.", ""]
    sections: dict[str, list[str]] = {}
    for key, value in overrides.items():
        sec, name = key.rsplit(".", 1)
        sections.setdefault(sec, []).append(f"{name} = {value:.6g}  # fitted: {by_key[key].rationale}")
    for sec, rows in sections.items():
        lines += [f"[{sec}]", *rows, ""]
    return "\n".join(lines)
