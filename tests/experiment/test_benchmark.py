"""The speed and memory targets' check (experiment/benchmark.py, `simmarket bench --targets`).

Only the plumbing and the arithmetic are tested here, on tiny commands: the targets themselves are
checked by `simmarket bench --targets`, never by timed tests."""

import resource
import subprocess
import sys

import pytest
from click.testing import CliRunner

from simmarket.cli import main
from simmarket.experiment import benchmark
from simmarket.experiment.benchmark import Timing

PY = sys.executable


def test_each_process_is_timed_with_its_own_peak_memory():
    # a child's peak reads at least its parent's (Linux keeps the high-water mark across exec), so the
    # big one allocates well above this test process's own peak, whatever the tests before used
    big = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024) + 400  # MiB
    cmds = {"small": [PY, "-c", "pass"], "big": [PY, "-c", f"b = bytearray({big} * 2**20); b[::4096] = b'x' * len(b[::4096])"]}
    t = benchmark.measure(cmds, repeats=2)
    assert [len(v) for v in t.values()] == [2, 2]
    assert all(x.seconds > 0 for v in t.values() for x in v)
    assert min(x.peak_mib for x in t["big"]) > max(x.peak_mib for x in t["small"]) + 200


def test_a_failing_command_raises_with_its_message():
    with pytest.raises(subprocess.CalledProcessError) as e:
        benchmark.time_process([PY, "-c", "import sys; sys.exit('no data here')"])
    assert "no data here" in e.value.stderr and e.value.returncode == 1


def test_targets_are_medians_and_ratios_are_paired_by_repeat():
    t = {"national": [Timing(2.0, 300), Timing(4.0, 310), Timing(2.9, 320)],
         "mesa": [Timing(4.0, 400), Timing(10.0, 400), Timing(5.0, 400)],
         "scale2": [Timing(4.5, 0), Timing(9.0, 0), Timing(6.3, 0)]}
    rows = {r.measure.split(" ")[0]: r for r in benchmark.target_rows(t)}
    assert rows["national"].median == 2.9 and rows["national"].met
    assert (rows["national"].low, rows["national"].high) == (2.0, 4.0)
    against = rows["against"]  # 0.5, 0.4, 0.58: paired ratios, not a ratio of medians (2.9 / 5.0)
    assert against.median == 0.5 and against.met and against.high == pytest.approx(0.58)
    assert rows["peak"].median == 310 and rows["peak"].met
    assert rows["scale"].median == pytest.approx(2.25) and not rows["scale"].met  # 2.25, 2.25, 2.17
    table = benchmark.target_table(list(rows.values()), t, floor_mib=80)
    assert table.count("\n") == 5 and "Mesa reference: 5.00 s" in table and "80 MiB" in table


def test_targets_time_the_standard_run_only():
    r = CliRunner().invoke(main, ["bench", "--targets", "--scale", "2"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        "simmarket: error: bench --targets times the standard run (10 years, scale 1 and 2, seed 1): --scale does not apply"]
