"""`simmarket bench`: the standard timing run of the shipped baseline."""

from __future__ import annotations

import sys
import time

import click

from ..params.sections import MIN_SCALE
from .common import fail_input


@click.command("bench")
@click.option("--years", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--scale", type=click.FloatRange(MIN_SCALE, 10), default=1.0, show_default=True,
              help=f"share of England ({MIN_SCALE:g} at least: smaller runs are a different market)")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--phases/--no-phases", default=True, show_default=True, help="Time each phase of the week.")
@click.option("--targets", is_flag=True,
              help="Check the speed and memory targets on whole processes (the standard run, the Mesa reference "
                   "and scale 2, in turn); exit status 1 if one is missed.")
@click.option("--repeats", type=click.IntRange(1, 50), default=5, show_default=True,
              help="With --targets: times each command is run (medians are reported).")
def command(years, scale, seed, phases, targets, repeats):
    """Standard timing run: one national seed; prints child-weeks per second, time and memory,
    and where the weeks' time goes, phase by phase. With --targets, checks the speed and memory
    targets instead."""
    if targets:
        given = [f"--{k}" for k in ("years", "scale", "seed")
                 if click.get_current_context().get_parameter_source(k) == click.core.ParameterSource.COMMANDLINE]
        if given:
            fail_input(f"bench --targets times the standard run (10 years, scale 1 and 2, seed 1): {', '.join(given)} "
                       "does not apply")
        check_targets(repeats)
        return
    t0 = time.perf_counter()
    import numpy as np

    from ..experiment.benchmark import peak_mib
    from ..experiment.runs import build_model
    from ..experiment.seeds import SeedSpec
    from ..model import PhaseTimer
    from ..params import baseline
    from ..state import GONE

    t_import = time.perf_counter() - t0
    sc = baseline().replace(**{"run.years": years, "run.scale": scale})
    model = build_model(sc, SeedSpec(seed, (0,)))
    t_init = time.perf_counter() - t0
    model.timer = PhaseTimer() if phases else None
    child_weeks = 0
    for _ in range(model.horizon):
        model.step()
        child_weeks += int(np.count_nonzero(model.children.status != GONE))
    wall = time.perf_counter() - t0
    peak = peak_mib()
    click.echo(f"bench: {years} years, scale {scale}: {wall:.2f} s wall ({t_init:.2f} s start-up: "
               f"{t_import:.2f} s imports, {t_init - t_import:.2f} s start state), "
               f"{child_weeks / wall:,.0f} child-weeks/s, {child_weeks:,} child-weeks, peak memory {peak:,.0f} MiB")
    if model.timer is not None:
        echo_phases(model.timer.table(model.week))


def check_targets(repeats: int) -> None:
    """Time the standard commands in turn, print the targets' table; exit 1 if one is missed."""
    import subprocess

    from ..experiment import benchmark
    from .common import progress_bar

    commands = benchmark.standard_commands()
    try:
        with progress_bar(repeats * len(commands), "bench --targets") as bar:
            timings = benchmark.measure(commands, repeats, progress=lambda: bar.update(1))
    except subprocess.CalledProcessError as e:
        last = (e.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise click.ClickException(f"a timed command failed ({' '.join(e.cmd[:4])} ...): {last[0]}")
    rows = benchmark.target_rows(timings)
    click.echo(benchmark.target_table(rows, timings, benchmark.peak_mib()))
    if not all(r.met for r in rows):
        sys.exit(1)


def echo_phases(rows) -> None:
    """The per-phase table: seconds over the run, milliseconds per week, share of the weeks' time."""
    click.echo(f"{'phase':<15}{'seconds':>9}{'ms/week':>9}{'share':>8}")
    for name, sec, ms, share in rows:
        click.echo(f"{name:<15}{sec:>9.2f}{ms:>9.2f}{share:>8.1%}")
    click.echo(f"{'all phases':<15}{sum(r[1] for r in rows):>9.2f}{sum(r[2] for r in rows):>9.2f}{'':>8}")
