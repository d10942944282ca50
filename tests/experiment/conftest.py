import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from simmarket.experiment.sweep import Backend

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


@pytest.fixture
def sweep_dir(tmp_path):
    """A folder holding a copy of the baseline scenario; returns a writer of sweep files there."""
    shutil.copy(BASELINE, tmp_path / "baseline.toml")

    def write(body: str, name: str = "sweep.toml") -> Path:
        path = tmp_path / name
        path.write_text('scenario = "baseline.toml"\n' + body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def threads():
    """An in-process backend (any concurrent.futures executor works)."""
    with ThreadPoolExecutor(2) as ex:
        yield Backend(ex, 2, "threads")
