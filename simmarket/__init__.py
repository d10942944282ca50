"""simmarket: England's children's residential care placement market, agent by agent.

The Python API (CONTRACT.md)::

    import simmarket
    sc = simmarket.load("baseline", overrides=["run.years=2"])   # a file or a shipped scenario name
    res = simmarket.run(sc, seeds=4)                             # the same code path as `simmarket run`
    res.summary["metrics"]["children_in_homes"]["mean"]          # as summary.json
    res.timeseries                                               # one row per seed and week
    res.failures                                                 # runs that raised, with tracebacks
    res.write("outputs/mine")                                    # the folder `simmarket run` writes

Also `simmarket.Scenario`, `simmarket.PlacementMarket` (the Mesa model) and `simmarket.METRICS`.
Names are imported on first use (PEP 562), so `import simmarket.params` does not import Mesa.
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {
    "load": ("simmarket.params", "load"),
    "Scenario": ("simmarket.params", "Scenario"),
    "ConfigError": ("simmarket.params", "ConfigError"),
    "Results": ("simmarket.experiment.results", "Results"),
    "PlacementMarket": ("simmarket.model", "PlacementMarket"),
    "METRICS": ("simmarket.metrics", "METRICS"),
}

__all__ = ["load", "run", "Scenario", "ConfigError", "Results", "PlacementMarket", "METRICS"]


def run(scenario, seeds: int | None = None, years: int | None = None, workers: int | None = None):
    """Run a scenario (a Scenario, a file or a shipped name) over its seeds; returns Results.

    seeds, years: override the scenario's run.seeds and run.years; workers: processes (default:
    all cores, one per seed at most). Failed runs are in `.failures`, never raised.
    """
    from .experiment.results import run as run_results
    from .params import load

    if not hasattr(scenario, "run"):
        scenario = load(scenario)
    return run_results(scenario, seeds=seeds, years=years, workers=workers)


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simmarket' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})
