import pytest

from simmarket.config import Scenario
from simmarket.experiment import SeedSpec
from simmarket.model import PlacementMarket


def small(**overrides) -> Scenario:
    """A quick scenario: a fifth of England's scale, one year, invariants checked weekly."""
    base = {"run.scale": 0.2, "run.years": 1, "run.seeds": 2, "run.check": True}
    base.update(overrides)
    return Scenario().replace(**base)


@pytest.fixture
def make_model():
    def _make(seed: int = 0, **overrides) -> PlacementMarket:
        return PlacementMarket(small(**overrides), rng=SeedSpec(seed, (0,)).rng())

    return _make
