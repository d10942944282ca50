"""`simmarket bench`: the standard timing run of the shipped baseline."""

from __future__ import annotations

import time

import click

from ..params.sections import MIN_SCALE


@click.command("bench")
@click.option("--years", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--scale", type=click.FloatRange(MIN_SCALE, 10), default=1.0, show_default=True,
              help=f"share of England ({MIN_SCALE:g} at least: smaller runs are a different market)")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--phases/--no-phases", default=True, show_default=True, help="Time each phase of the week.")
def command(years, scale, seed, phases):
    """Standard timing run: one national seed; prints child-weeks per second, time and memory,
    and where the weeks' time goes, phase by phase."""
    import resource

    t0 = time.perf_counter()
    import numpy as np

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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    click.echo(f"bench: {years} years, scale {scale}: {wall:.2f} s wall ({t_init:.2f} s start-up: "
               f"{t_import:.2f} s imports, {t_init - t_import:.2f} s start state), "
               f"{child_weeks / wall:,.0f} child-weeks/s, {child_weeks:,} child-weeks, peak memory {peak:,.0f} MiB")
    if model.timer is not None:
        echo_phases(model.timer.table(model.week))


def echo_phases(rows) -> None:
    """The per-phase table: seconds over the run, milliseconds per week, share of the weeks' time."""
    click.echo(f"{'phase':<15}{'seconds':>9}{'ms/week':>9}{'share':>8}")
    for name, sec, ms, share in rows:
        click.echo(f"{name:<15}{sec:>9.2f}{ms:>9.2f}{share:>8.1%}")
    click.echo(f"{'all phases':<15}{sum(r[1] for r in rows):>9.2f}{sum(r[2] for r in rows):>9.2f}{'':>8}")
