"""`simmarket compare BASE.toml OTHER.toml [...]`: scenarios side by side on paired seeds."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seeds", type=int, help="seeds per scenario (default: the base's run.seeds)")
@click.option("--seed", type=int, help="root seed shared by all scenarios (default: the base's run.root_seed)")
@click.option("--years", type=int, help="simulated years for all scenarios (default: the base's run.years)")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a key in every scenario (repeatable)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")
@click.option("--workers", type=click.IntRange(1, 256), help="parallel worker processes (default: all cores)")
def compare(scenarios, seeds, seed, years, sets, out, workers):
    """Compare OTHER scenarios with BASE (the first file) on the same seeds.

    Writes each scenario's run folder, comparison.csv (paired differences to the base with 95%
    intervals, nationally, by region and for RCC members), PNG charts and report.md.
    """
    from . import compare as cmp
    from .cli import fail_input, load_scenario, progress_bar
    from .config import ConfigError
    from .outputs import atomic_dir

    if len(scenarios) < 2:
        fail_input("compare needs a base scenario file and at least one other scenario file")
    loaded = [load_scenario(p, sets, seeds, seed, years) for p in scenarios]
    try:
        aligned = cmp.align(loaded, seeds, seed, years)
        arms = cmp.build_arms(aligned)
    except ConfigError as e:
        fail_input(str(e))
    for note in cmp.alignment_notes(loaded, aligned):
        click.echo(f"simmarket: note: {note}", err=True)
    run = aligned[0].run
    specs = cmp.seed_specs(run.root_seed, run.seeds)
    out = out or cmp.default_out(arms)
    problem = cmp.unusable_out(out)
    if problem:
        fail_input(f"--out {out}: {problem}")
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    with progress_bar(len(arms) * len(specs), "compare") as bar:
        cmp.run_all(arms, specs, workers, progress=lambda: bar.update(1))
    seconds = time.perf_counter() - t0
    with atomic_dir(out) as tmp:
        table = cmp.write_comparison(tmp, arms, started, seconds)
    from .compare_report import terminal_table

    click.echo(f"compare: {len(arms)} scenarios x {run.seeds} seeds x {run.years} years in {seconds:.1f} s "
               f"(final year: April {2023 + run.years} to March {2024 + run.years})")
    click.echo(terminal_table(table, arms[0].name))
    click.echo(f"\nResults: {out}")
