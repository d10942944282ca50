"""The Scenario: every section of the schema in one frozen, validated object.

`from_dict` is the one way a dict becomes a Scenario: each key is checked against its declared
type and range (validation.py), then how the keys fit together. `Scenario.replace` goes through
it too, so no Scenario ever holds an unchecked value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .sections import (Commissioning, Demand, Foster, Policy, Pricing, Rcc, Run, Supply, Supported,
                       Workforce)
from .validation import check_cross, section_kwargs, set_dotted


@dataclass(frozen=True)
class Scenario:
    name: str = "baseline"
    description: str = ""
    run: Run = field(default_factory=Run)
    demand: Demand = field(default_factory=Demand)
    foster: Foster = field(default_factory=Foster)
    supported: Supported = field(default_factory=Supported)
    supply: Supply = field(default_factory=Supply)
    workforce: Workforce = field(default_factory=Workforce)
    pricing: Pricing = field(default_factory=Pricing)
    commissioning: Commissioning = field(default_factory=Commissioning)
    rcc: Rcc = field(default_factory=Rcc)
    policy: Policy = field(default_factory=Policy)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **overrides: Any) -> "Scenario":
        """A copy with dotted-key overrides, e.g. replace(**{"run.years": 2})."""
        data = self.to_dict()
        for key, value in overrides.items():
            set_dotted(data, key, value, "<override>")
        return from_dict(data, "<override>")


def from_dict(data: dict, source: str = "<scenario>", cross: bool = True) -> Scenario:
    """Validate a merged scenario dict into a frozen Scenario.

    cross=False checks each key alone (names, types, ranges) but not how keys fit together: used
    on each file of an `extends` chain and on the `--set` overrides, so errors name their source.
    """
    scenario = Scenario(**section_kwargs(data, source))
    if cross:
        check_cross(scenario, source)
    return scenario
