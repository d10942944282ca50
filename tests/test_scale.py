"""Honest scale: a run below full scale is the same market as England's, or it is refused.

Below full scale, neighbouring authorities are merged into groups of about 1/scale, each given
that share of its members' children and homes, with each region shrunk about its centre
(data/scaling.py, state/geography.py). At the smallest allowed scale, 6 seeds x 1 year, the
intensive metrics must agree with the national run within the tolerances of issue 11.
"""

import numpy as np
import pytest
from click.testing import CliRunner

from simmarket.cli import main
from simmarket.experiment import run_replicates, seed_specs
from simmarket.params import ConfigError, baseline
from simmarket.params.sections import MIN_SCALE

pytestmark = pytest.mark.slow

# metric -> (kind of tolerance, size): relative for prices, distance, waits; points for shares
TOLERANCE = {
    "mean_weekly_price_gbp": ("relative", 0.05),
    "new_placement_mean_weekly_price_gbp": ("relative", 0.05),
    "share_over_20_miles": ("points", 0.04),
    "share_outside_la": ("points", 0.04),
    "occupancy_registered_places": ("points", 0.04),
    "mean_distance_miles": ("relative", 0.10),
    "mean_wait_days": ("relative", 0.30),
    "unregistered_per_child_in_homes": ("relative", 0.25),
}


def _means(scale: float) -> dict:
    sc = baseline().replace(**{"run.years": 1, "run.scale": scale})
    runs = run_replicates(sc, seed_specs(sc.run.root_seed, 6), workers=2)
    out = {k: float(np.mean([r.metrics[k] for r in runs])) for k in TOLERANCE if k in runs[0].metrics}
    out["unregistered_per_child_in_homes"] = float(np.mean(
        [r.metrics["unregistered_children_per_year"] / r.metrics["children_in_homes"] for r in runs]))
    return out


@pytest.fixture(scope="module")
def national_and_small():
    return _means(1.0), _means(MIN_SCALE)


@pytest.mark.parametrize("key", list(TOLERANCE))
def test_smallest_scale_tells_the_national_story(national_and_small, key):
    national, small = national_and_small
    kind, tol = TOLERANCE[key]
    gap = small[key] - national[key]
    if kind == "relative":
        gap /= national[key]
    assert abs(gap) <= tol, f"{key}: national {national[key]:.4g}, scale {MIN_SCALE} {small[key]:.4g}"


def test_a_smaller_scale_is_refused_with_one_line(tmp_path):
    with pytest.raises(ConfigError, match="run.scale"):
        baseline().replace(**{"run.scale": MIN_SCALE / 2})
    res = CliRunner().invoke(main, ["run", "baseline", "--set", f"run.scale={MIN_SCALE / 2}", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "run.scale" in lines[0] and f"{MIN_SCALE:g}" in lines[0]
    assert not (tmp_path / "o").exists()
