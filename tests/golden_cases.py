"""The golden runs: small fixed runs whose every number is committed under tests/golden/.

`baseline`: the calibrated baseline, national, 2 seeds x 1 year. `levers`: every lever and
cooperative function switched on (at half scale, 1 seed x 2 years, levers from week 20), so a
refactor of any phase, policy or agent is caught bit for bit.
"""

from __future__ import annotations

import hashlib

import numpy as np

from simmarket.params import baseline, load
from simmarket.experiment import seed_specs, simulate

LEVERS = {
    "run.scale": 0.5, "commissioning.block_share": 0.1, "commissioning.forward_plan_share": 0.5,
    "rcc.holds_duty": True, "rcc.price_benchmark": 1.8, "rcc.block_share": 0.2,
    "rcc.capital_gbp_per_year": 5_000_000, "rcc.start_week": 20, "rcc.rollout_weeks": 10,
    "policy.profit_cap.start_week": 30, "policy.profit_cap.cap": 0.12,
    "policy.oversight.start_week": 20, "policy.oversight.failure_multiplier": 3.0,
    "policy.oversight.orderly_transfer": True,
    "policy.prevention.start_week": 20, "policy.prevention.entry_reduction": 0.05,
    "policy.workforce.start_week": 20, "policy.foster.start_week": 20,
    "policy.enforcement.start_week": 20, "policy.planning.start_week": 20,
    "policy.capital.new_start_week": 20, "policy.capital.secure_week": 60,
}

CASES = {
    "baseline": dict(scenario="baseline", overrides={}, seeds=2, years=1),
    "levers": dict(scenario="reform_package", overrides=LEVERS, seeds=1, years=2),
}


def scenario_of(name: str):
    case = CASES[name]
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scenarios" / f"{case['scenario']}.toml"
    sc = load(path) if case["scenario"] != "baseline" else baseline()
    return sc.replace(**{**case["overrides"], "run.years": case["years"]})


def measure(name: str) -> dict:
    """Every metric per seed, nationally and by region, and a digest of the weekly series."""
    sc = scenario_of(name)
    out = {}
    for spec in seed_specs(sc.run.root_seed, CASES[name]["seeds"]):
        r = simulate(sc, spec)
        ts = r.timeseries.to_numpy(float)
        out[str(spec.spawn_key[-1])] = {
            "metrics": r.metrics,
            "by_region": r.by_region,
            "timeseries_sha256": hashlib.sha256(np.ascontiguousarray(ts).tobytes()).hexdigest(),
        }
    return out
