"""From a built wheel, outside the checkout: shipped scenario names and the Python API work, and
they run the calibrated baseline (not the defaults). No network: the wheel goes into a scratch
folder ahead of this environment's dependencies on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

API = """
import simmarket
assert "site" in simmarket.__file__, simmarket.__file__
r = simmarket.run(simmarket.load("baseline"), seeds=2, years=1, workers=1)
print(json.dumps(r.summary["metrics"]["children_in_homes"]))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "whl"),
             str(ROOT)]
    subprocess.run(build, check=True, cwd=tmp, capture_output=True)
    wheel = next((tmp / "whl").glob("simmarket-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                    str(tmp / "site"), str(wheel)], check=True, capture_output=True)
    return tmp


def _python(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site / "site")}
    return subprocess.run([sys.executable, *args], cwd=site, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_ships_every_scenario_and_sweep(site):
    shipped = site / "site" / "simmarket" / "scenarios"
    for source in [*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "scenarios" / "sweeps").glob("*.toml")]:
        assert (shipped / source.relative_to(ROOT / "scenarios")).read_bytes() == source.read_bytes()


def test_the_wheel_ships_the_data_files(site):
    shipped = site / "site" / "simmarket" / "data"
    for name in ("history_targets.toml", "targets.toml", "local_authorities.csv", "childrens_homes_2025.csv"):
        assert (shipped / name).read_bytes() == (ROOT / "simmarket" / "data" / name).read_bytes(), name


def test_named_baseline_runs_from_a_wheel_outside_the_checkout(site):
    main = "import sys; from simmarket.cli import main; sys.argv[0] = 'simmarket'; main()"
    cli = _python(site, "-c", main, "run", "baseline", "--years", "1", "--seeds", "2", "--out", "out")
    assert cli.returncode == 0, cli.stderr
    api = _python(site, "-c", "import json\n" + API)
    assert api.returncode == 0, api.stderr
    from_api = json.loads(api.stdout)
    from_cli = json.loads((site / "out" / "summary.json").read_text())["metrics"]["children_in_homes"]
    assert from_api == from_cli  # the same code path, the same numbers
    golden = json.loads((ROOT / "tests" / "golden" / "baseline.json").read_text())  # the calibrated baseline
    assert from_api["per_seed"] == [golden[s]["metrics"]["children_in_homes"] for s in ("0", "1")]
