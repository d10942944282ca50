"""Designs: the points of a sweep, from its parameters and design method.

Sampled designs (lhs, sobol, morris) draw points of the unit cube that each parameter maps to its
values; grid and table designs list them. Functions take a sweep (space.Sweep) and read only its
`design` and `parameters`, so this module sits below space.py, which checks designs with it.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SAMPLES = {"lhs": 20, "sobol": 64, "morris": 10}


def salib_problem(sweep) -> dict:
    """The SALib problem: every parameter on the unit interval, mapped to values by the parameter."""
    return {"num_vars": len(sweep.parameters), "names": [p.key for p in sweep.parameters], "bounds": [[0.0, 1.0]] * len(sweep.parameters)}


def unit_sample(sweep) -> np.ndarray | None:
    """Points of the unit cube for sampled designs (lhs, sobol, morris); None for grid and table."""
    d = sweep.design
    n = d.samples or DEFAULT_SAMPLES.get(d.method, 0)
    k = len(sweep.parameters)
    if d.method == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, rng=np.random.default_rng(d.sampling_seed)).random(n)
    if d.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(salib_problem(sweep), n, calc_second_order=d.second_order, seed=d.sampling_seed)
    if d.method == "morris":
        from SALib.sample import morris

        return morris.sample(salib_problem(sweep), n, num_levels=d.levels, seed=d.sampling_seed)
    return None


def design_points(sweep) -> list[dict]:
    """Every point of the design as {dotted key: value}, in point-id order."""
    d = sweep.design
    if d.method == "table":
        return [dict(p) for p in d.points]
    if d.method == "grid":
        axes = [p.grid(d.levels) for p in sweep.parameters]
        mesh = np.array(np.meshgrid(*[np.arange(len(a)) for a in axes], indexing="ij")).reshape(len(axes), -1).T
        return [{p.key: _plain(axes[j][i]) for j, (p, i) in enumerate(zip(sweep.parameters, row))} for row in mesh]
    u = unit_sample(sweep)
    cols = [p.from_unit(u[:, j]) for j, p in enumerate(sweep.parameters)]
    return [{p.key: _plain(cols[j][i]) for j, p in enumerate(sweep.parameters)} for i in range(len(u))]


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v
