"""Small scenarios and models for the tests (imported by name: `conftest` is ambiguous here)."""

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
