"""`simmarket compare BASE OTHER [...]`: scenarios side by side on paired seeds.

Failed runs: a seed that failed in any scenario is left out of every scenario (so the comparison
stays paired); each failure is one line on stderr, tracebacks go to failures.json, the exit status
is 1. If no seed ran in every scenario, nothing is written.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..time import start_date, year_span
from .common import all_failed, fail_input, load_scenario, progress_bar, some_failed


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seeds", type=int, help="seeds per scenario (default: the base's run.seeds)")
@click.option("--seed", type=int, help="root seed shared by all scenarios (default: the base's run.root_seed)")
@click.option("--years", type=int, help="simulated years for all scenarios (default: the base's run.years)")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a key in every scenario (repeatable)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")
@click.option("--workers", type=click.IntRange(1, 256), help="parallel worker processes (default: all cores)")
@click.option("--decompose", is_flag=True,
              help="also each function's own contribution to OTHER's effect (exactly two scenarios)")
def command(scenarios, seeds, seed, years, sets, out, workers, decompose):
    """Compare OTHER scenarios with BASE (the first file) on the same seeds.

    Writes each scenario's run folder, comparison.csv (paired differences to the base with 95%
    intervals, nationally, by region and for RCC members), PNG charts and report.md. With
    --decompose, also runs each function OTHER switches on alone and OTHER without it, and writes
    decomposition.csv, decomposition_seeds.csv, decomposition.png and a report section.
    """
    from ..experiment import compare as cmp
    from ..experiment import decompose as dec
    from ..experiment.outputs import atomic_dir, check_writable, now_utc, write_json
    from ..experiment.seeds import seed_specs
    from ..report.compare import terminal_table, write_comparison
    from ..report.decompose import terminal_table as decomposition_table

    if len(scenarios) < 2:
        fail_input("compare needs a base scenario file and at least one other scenario file")
    if decompose and len(scenarios) != 2:
        fail_input(f"--decompose needs exactly two scenarios (BASE and OTHER), got {len(scenarios)}")
    arms, decomposition = build_arms([load_scenario(p, sets, seeds, seed, years) for p in scenarios],
                                     seeds, seed, years, decompose)
    runs = arms + (decomposition.extra_arms if decomposition else [])
    run = arms[0].scenario.run
    specs = seed_specs(run.root_seed, run.seeds)
    out = out or cmp.default_out(arms)
    check_writable(out)  # before the long part
    started = now_utc()
    t0 = time.perf_counter()
    with progress_bar(len(runs) * len(specs), "compare") as bar:
        failures = cmp.run_all(runs, specs, workers, progress=lambda: bar.update(1))
    seconds = time.perf_counter() - t0
    failed = [(f.kind, f"{name} seed {seed.spawn_key[-1]}", f.error) for name, seed, f in failures]
    if not arms[0].results:
        all_failed(*failed[0], len(failed))
    with atomic_dir(out) as tmp:
        table = write_comparison(tmp, arms, started, seconds, decomposition)
        if failures:
            write_json(tmp / "failures.json", [{"scenario": name, "seed": seed.to_dict(), **f.to_dict()}
                                               for name, seed, f in failures])

    extra = f" (+ {len(runs) - len(arms)} decomposition runs each)" if decomposition else ""
    click.echo(f"compare: {len(arms)} scenarios{extra} x {len(arms[0].results)} seeds x {run.years} years in "
               f"{seconds:.1f} s (final year: {year_span(run.years, start_date(run.start_year))})")
    click.echo(terminal_table(table, arms[0].name))
    if decomposition:
        click.echo("\n" + decomposition_table(dec.table(decomposition), decomposition))
    click.echo(f"\nResults: {out}")
    if failed:
        some_failed(failed, len(runs) * run.seeds, out)


def build_arms(loaded, seeds, seed, years, decompose: bool):
    """The comparison's arms on common seeds (notes on stderr for replaced run settings) and, with
    --decompose, the decomposition's; bad input exits 2."""
    from ..experiment import compare as cmp
    from ..experiment import decompose as dec
    from ..params import ConfigError

    try:
        aligned = cmp.align(loaded, seeds, seed, years)
        arms = cmp.build_arms(aligned)
        decomposition = dec.build(*arms) if decompose else None
    except (ConfigError, dec.NothingToDecompose) as e:
        fail_input(str(e))
    for note in cmp.alignment_notes(loaded, aligned):
        click.echo(f"simmarket: note: {note}", err=True)
    return arms, decomposition
