"""`simmarket backcast [SCENARIO]`: a run from 31 March 2020 against the market's history, year by year.

Writes backcast.csv, backcast.md and backcast.png, and two informational tables (not counted):
beyond_targets.csv (history no target judges: occupancy each 31 March, the LGA's 10,000+ a week
count) and, when the run reaches March 2025, calibration_year.csv (that year against the
calibration year's targets), beside the run's own files (summary.json, yearly.parquet, by_authority.csv, manifest.json...), all at once or
not at all. Failed runs: the table covers the seeds that ran, each failure is one line on stderr
and the exit status is 1; if every seed fails nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import (all_failed, fail_input, load_scenario, out_option, progress_bar, sets_option, some_failed,
                     warn_extremes, workers_option)

DEFAULT = "history_2020"


@click.command("backcast")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seeds", type=int, help="number of seeds (default: the scenario's run.seeds)")
@click.option("--seed", type=int, help="root seed (default: the scenario's run.root_seed)")
@click.option("--targets", "targets_path", type=click.Path(dir_okay=False, path_type=Path),
              help="targets file (default: the shipped history targets)")
@sets_option
@out_option
@workers_option
def command(scenario, seeds, seed, targets_path, sets, out, workers):
    """Run a scenario (default: history_2020, from March 2020) and compare each year with history."""
    from ..experiment import backcast as bcm
    from ..experiment.calibrate import calibration_year_table
    from ..experiment.outputs import atomic_dir, check_writable, default_out
    from ..experiment.results import run
    from ..params import ConfigError
    from ..report.backcast import backcast_text, write_backcast

    path = scenario or DEFAULT
    sc = load_scenario(path, sets, seeds, seed)
    try:
        targets = bcm.load_targets(targets_path)
    except ConfigError as e:
        fail_input(str(e))
    out = out or default_out("backcast")
    check_writable(out)  # before the long part: an unusable --out fails now, with nothing written
    warn_extremes(path, sc)
    missing = bcm.uncovered_years(sc, targets)
    if missing:
        years = bcm.simulated_years(sc)
        click.echo(f"simmarket: warning: the run ends the years {years[0]} to {years[-1]}; targets in "
                   f"{', '.join(map(str, missing))} have no model values", err=True)
    with progress_bar(sc.run.seeds, f"backcast {sc.name}") as bar:
        results = run(sc, workers=workers, progress=lambda: bar.update(1))
    failed = results.failed_runs()
    if not results.runs:
        all_failed(*failed[0], len(failed))
    bc = bcm.backcast(sc, results.yearly, targets, len(results.runs), calibration_year_table)
    with atomic_dir(out) as tmp:
        results.write_into(tmp)
        write_backcast(bc, tmp)
    click.echo(backcast_text(bc))
    click.echo(f"\nResults: {out}")
    if failed:
        some_failed(failed, sc.run.seeds, out)
