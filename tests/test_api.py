"""The Python API: simmarket.load / run / Results, the same numbers and folder as `simmarket run`."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

import simmarket
from simmarket.cli import main


def test_importing_the_parameters_does_not_import_mesa():
    code = "import sys, simmarket, simmarket.params; simmarket.load('baseline'); print('mesa' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_run_matches_the_command_line(tmp_path):
    sc = simmarket.load("baseline", ["run.scale=0.5"])
    res = simmarket.run(sc, seeds=2, years=1, workers=1)
    assert not res.failures and len(res.runs) == 2
    assert set(res.timeseries["seed"]) == {0, 1} and len(res.timeseries) == 2 * 53
    cli = CliRunner().invoke(main, ["run", "baseline", "--set", "run.scale=0.5", "--seeds", "2", "--years", "1",
                                    "--workers", "1", "--out", str(tmp_path / "cli")])
    assert cli.exit_code == 0, cli.output
    assert json.loads((tmp_path / "cli" / "summary.json").read_text()) == json.loads(json.dumps(res.summary))
    res.write(tmp_path / "api")
    assert {p.name for p in (tmp_path / "api").iterdir()} == {"summary.json", "timeseries.parquet", "manifest.json",
                                                             "yearly.parquet", "by_authority.csv"}
    pd.testing.assert_frame_equal(res.yearly, pd.read_parquet(tmp_path / "cli" / "yearly.parquet"))
    assert (tmp_path / "cli" / "by_authority.csv").read_bytes() == (tmp_path / "api" / "by_authority.csv").read_bytes()
    assert isinstance(sc, simmarket.Scenario) and "children_in_homes" in simmarket.METRICS


def test_the_readmes_python_example_runs_as_a_script(tmp_path):
    """The README's "From Python" block, saved as a file and run (its workers re-import the file)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## From Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.py").write_text(block, encoding="utf-8")
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "outputs" / "mine" / "summary.json").is_file()
