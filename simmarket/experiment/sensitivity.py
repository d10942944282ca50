"""Global sensitivity indices with SALib: Sobol (S1, ST, S2) and Morris (mu*, sigma).

Each outcome is averaged over a point's replications first, so the indices describe how the
expected outcome depends on the parameters (seed noise is not attributed to any of them). The
design is regenerated from the sweep file (it is deterministic), so the store only needs to
provide each point's outcome. Indices are computed on the unit cube the design samples; Morris
mu* is therefore the effect of moving a parameter across its whole range. The tables are written
and drawn by report/sensitivity.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .design import salib_problem, unit_sample
from .space import Sweep

METHODS = ("sobol", "morris")


def point_means(sweep: Sweep, runs: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Mean of each metric over a point's successful replications, indexed by point 0..n-1."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[list(sweep.reported)].mean()
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
    for m in sweep.reported:
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
