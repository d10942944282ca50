"""The speed and memory targets, checked on whole processes (`simmarket bench --targets`).

Each target is measured as a user would meet it: a fresh process from its start to its exit,
imports and start state included. The Mesa reference is Mesa's own Boltzmann wealth example
(10,000 agents x 100 steps), run in the same minutes. The commands run in turn, repeat by repeat
(simmarket, the reference, simmarket at scale 2), so a ratio is taken within a repeat, when the
machine's speed is the same for both; the figures are medians over the repeats.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

# the targets ("Fast national runs, honest small runs"): a national 10-year run
RUN_SECONDS = 3.0  # at most 3 s on one core
RATIO_TO_MESA = 0.5  # at most half the Mesa reference, measured in the same minutes
PEAK_MIB = 1024.0  # peak memory under 1 GiB
SCALE2_RATIO = 2.1  # scale 2 at most 2.1 times scale 1

MESA_REFERENCE = (
    "from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth\n"
    "m = BoltzmannWealth(BoltzmannScenario(n=10_000, rng=42))\n"
    "for _ in range(100):\n"
    "    m.step()\n"
)


def standard_commands(python: str = sys.executable) -> dict[str, list[str]]:
    """What is timed: the national 10-year run, the Mesa reference and the run at scale 2."""
    run = [python, "-m", "simmarket", "bench", "--years", "10", "--no-phases"]
    return {"national": run, "mesa": [python, "-c", MESA_REFERENCE], "scale2": [*run, "--scale", "2"]}


@dataclass(frozen=True)
class Timing:
    """One whole process: wall seconds from start to exit, and its peak resident memory."""

    seconds: float
    peak_mib: float


def time_process(cmd: list[str]) -> Timing:
    """Run a command to its end (its output discarded); a failure raises CalledProcessError."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource use
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err.read().decode(errors="replace"))
    return Timing(seconds, peak_mib(usage))


def peak_mib(usage=None) -> float:
    """Peak resident memory in MiB from a resource usage (by default this process's own; Linux
    gives it in KiB)."""
    return (usage or resource.getrusage(resource.RUSAGE_SELF)).ru_maxrss / 1024


def measure(commands: dict[str, list[str]], repeats: int, progress=None) -> dict[str, list[Timing]]:
    """Each command once per repeat, in turn (so a ratio compares runs of the same minutes)."""
    out: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, cmd in commands.items():
            out[name].append(time_process(cmd))
            if progress:
                progress()
    return out


@dataclass(frozen=True)
class TargetRow:
    measure: str
    median: float
    low: float
    high: float
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.median <= self.limit


def target_rows(t: dict[str, list[Timing]]) -> list[TargetRow]:
    """The four targets from the timings: medians, with the range over the repeats; a ratio is
    taken repeat by repeat, then its median."""
    def row(name, values, limit, unit):
        v = np.asarray(values, float)
        return TargetRow(name, float(np.median(v)), float(v.min()), float(v.max()), limit, unit)

    nat = [x.seconds for x in t["national"]]
    return [
        row("national 10-year run (whole process)", nat, RUN_SECONDS, "s"),
        row("against the Mesa reference (same minutes)", np.divide(nat, [x.seconds for x in t["mesa"]]),
            RATIO_TO_MESA, "x"),
        row("peak memory, national run", [x.peak_mib for x in t["national"]], PEAK_MIB, "MiB"),
        row("scale 2 against scale 1", np.divide([x.seconds for x in t["scale2"]], nat), SCALE2_RATIO, "x"),
    ]


def target_table(rows: list[TargetRow], t: dict[str, list[Timing]], floor_mib: float) -> str:
    """The targets as a printed table, with the reference's own time for the record. floor_mib: the
    timing process's own peak, below which no child's peak can read (Linux keeps a process's
    high-water mark across exec, so a child starts from its parent's)."""
    lines = [f"{'target':<44}{'median':>9}{'range':>19}{'limit':>9}  met"]
    for r in rows:
        fmt = "{:,.0f}" if r.unit == "MiB" else "{:.2f}"
        rng = f"{fmt.format(r.low)} to {fmt.format(r.high)}"
        lines.append(f"{r.measure:<44}{fmt.format(r.median):>9}{rng:>19}{fmt.format(r.limit):>9}  "
                     f"{'yes' if r.met else 'no'}")
    mesa = np.median([x.seconds for x in t["mesa"]])
    lines.append(f"(Mesa reference: {mesa:.2f} s, median of {len(t['mesa'])}; units: s, x, MiB; "
                 f"a peak cannot read below this process's own, {floor_mib:,.0f} MiB)")
    return "\n".join(lines)
