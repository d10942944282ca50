"""Seeds: a run's random stream is fixed by its root seed and spawn key alone.

Run i of a scenario uses `SeedSequence(root, spawn_key=(i,))`, identical to
`SeedSequence(root).spawn(n)[i]`, so any run can be rebuilt alone and results never depend on the
backend or the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SeedSpec:
    """A run's seed: the root entropy and its spawn key."""

    root: int
    spawn_key: tuple[int, ...]

    def sequence(self) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.root, spawn_key=self.spawn_key)

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.sequence())

    def to_dict(self) -> dict:
        return {"root": self.root, "spawn_key": list(self.spawn_key),
                "state": int(self.sequence().generate_state(1, np.uint64)[0])}


def seed_specs(root: int, n: int, prefix: tuple[int, ...] = ()) -> list[SeedSpec]:
    """The first n spawned seeds of a root (identical to SeedSequence(root).spawn(n))."""
    return [SeedSpec(root, (*prefix, i)) for i in range(n)]
