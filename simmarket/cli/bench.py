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
def command(years, scale, seed):
    """Standard timing run: one national seed; prints child-weeks per second, time and memory."""
    import resource

    from ..experiment.runs import build_model
    from ..experiment.seeds import SeedSpec
    from ..params import baseline
    from ..state import GONE

    sc = baseline().replace(**{"run.years": years, "run.scale": scale})
    t0 = time.perf_counter()
    model = build_model(sc, SeedSpec(seed, (0,)))
    t_init = time.perf_counter() - t0
    child_weeks = 0
    for _ in range(model.horizon):
        model.step()
        child_weeks += int((model.children.status != GONE).sum())
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    click.echo(f"bench: {years} years, scale {scale}: {wall:.2f} s wall ({t_init:.2f} s start-up), "
               f"{child_weeks / wall:,.0f} child-weeks/s, {child_weeks:,} child-weeks, peak memory {peak:,.0f} MiB")
