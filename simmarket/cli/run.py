"""`simmarket run SCENARIO`: a scenario's seeds, written to one folder, with the headline table.

Failed runs (a run that raised) do not stop the others: the summary covers the successful seeds,
each failure is one line on stderr with its traceback in failures.json, and the exit status is 1.
If every run fails nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..time import start_date, year_span
from .common import (all_failed, default_scenario, load_scenario, out_option, progress_bar, sets_option,
                     some_failed, warn_extremes, workers_option)

scenario_arg = click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))


def check_option(f):
    return click.option("--check", is_flag=True, default=False,
                        help="check the model's invariants every week (sets run.check; slower)")(f)


def run_options(f):
    f = click.option("--seeds", type=int, help="number of seeds (replications)")(f)
    f = click.option("--seed", type=int, help="root seed")(f)
    f = click.option("--years", type=int, help="simulated years from 31 March of run.start_year")(f)
    f = sets_option(f)
    f = out_option(f)
    return workers_option(f)


@click.command("run")
@scenario_arg
@run_options
@check_option
def command(scenario, seeds, seed, years, sets, out, workers, check):
    """Run a scenario (a file or a shipped name) over several seeds; writes summary, time series, manifest."""
    from ..experiment.outputs import atomic_dir, check_writable, default_out
    from ..experiment.results import run
    from ..report import summary_table

    path = scenario or default_scenario()
    sc = load_scenario(path, [*sets, *(["run.check=true"] if check else [])], seeds, seed, years)
    out = out or default_out(sc.name)
    check_writable(out)  # before the long part: an unusable --out fails now, with nothing written
    warn_extremes(path, sc)
    with progress_bar(sc.run.seeds, f"{sc.name}") as bar:
        results = run(sc, workers=workers, progress=lambda: bar.update(1))
    failed = results.failed_runs()
    if not results.runs:
        all_failed(*failed[0], len(failed))
    with atomic_dir(out) as tmp:
        summary = results.write_into(tmp)
    click.echo(f"{sc.name}: {len(results.runs)} seeds x {sc.run.years} years in {results.seconds:.1f} s "
               f"(final year: {year_span(sc.run.years, start_date(sc.run.start_year))})")
    click.echo(summary_table(summary))
    click.echo(f"\nResults: {out}")
    if failed:
        some_failed(failed, sc.run.seeds, out)
