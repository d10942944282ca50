"""Toy functions evaluated by the sweep runner in tests: fast, picklable, with known answers."""

import math
import os
import time

from simmarket.params import Scenario
from simmarket.experiment.space import Design, Real, Sweep


def ishigami(params: dict, seed) -> dict:
    """Ishigami function (a=7, b=0.1) of x1, x2, x3 on [-pi, pi]; its Sobol indices are known."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


def linear(params: dict, seed) -> dict:
    """y = 3a + b (c has no effect), plus seed noise in `noisy` so replications differ."""
    y = 3 * params["a"] + params["b"]
    return {"y": y, "noisy": y + seed.rng().normal()}


def fails_above(params: dict, seed) -> dict:
    """Raises for a > 0.5, else like `linear`."""
    if params["a"] > 0.5:
        raise ValueError(f"a = {params['a']} is too large")
    return linear(params, seed)


def slow_linear(params: dict, seed) -> dict:
    """`linear`, taking a moment, so that a test can kill the sweep part way."""
    time.sleep(float(os.environ.get("TOY_SLEEP", "0.05")))
    return linear(params, seed)


def toy_sweep(method="grid", replications=2, params=None, metrics=("y", "noisy"), **design) -> Sweep:
    """A sweep over toy parameters (not scenario keys) for runner tests."""
    params = params or (Real("a", 0.0, 1.0), Real("b", 0.0, 1.0))
    d = Design(method=method, replications=replications, root_seed=11, **design)
    return Sweep("toy", Scenario(), tuple(params), d, tuple(metrics))
