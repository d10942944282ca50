"""Small scenarios and models for the tests (imported by name: `conftest` is ambiguous here)."""

import numpy as np

from simmarket.params import Scenario, baseline
from simmarket.experiment import SeedSpec
from simmarket.model import PlacementMarket


def small(**overrides) -> Scenario:
    """The baseline at half of England's scale (the smallest honest scale) for one year, invariants checked weekly."""
    base = {"run.scale": 0.5, "run.years": 1, "run.seeds": 2, "run.check": True}
    base.update(overrides)
    return baseline().replace(**base)


def build(seed: int = 0, **overrides) -> PlacementMarket:
    return PlacementMarket(small(**overrides), rng=SeedSpec(seed, (0,)).rng())


def has_start_year() -> bool:
    """Whether the parameter schema has run.start_year (branch hist); scenarios/history_2020.toml needs it."""
    import dataclasses

    from simmarket.params.sections import Run

    return "start_year" in {f.name for f in dataclasses.fields(Run)}


def needs_start_year(test):
    """Skip a test until run.start_year is in the schema."""
    import pytest

    return pytest.mark.skipif(not has_start_year(), reason="run.start_year is not in the schema yet")(test)


def popcount(a) -> np.ndarray:
    """Set bits of each mask's low 8 bits: the plain NumPy reference for the kernels' counts of unmet needs."""
    return np.bitwise_count(np.asarray(a).astype(np.uint8)).astype(np.int64)
