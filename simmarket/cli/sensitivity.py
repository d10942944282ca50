"""`simmarket sensitivity SWEEP`: Sobol or Morris indices of each outcome to a sweep's parameters
(failed runs as in `simmarket sweep`; a point with no successful run skips the metric)."""

from __future__ import annotations

import time

import click

from .sweep import backend_options, load_sweep_file, run_sweep, sweep_file


@click.command("sensitivity")
@sweep_file
@click.option("--method", type=click.Choice(["sobol", "morris"]),
              help="design and indices (default: the sweep file's method if sobol or morris, else sobol)")
@backend_options
def command(sweep_file, method, backend, workers, address, resume, out):
    """Sobol or Morris sensitivity indices of each outcome to the sweep's parameters."""
    from ..experiment import sensitivity as sa
    from ..report import sensitivity as report

    sw = load_sweep_file(sweep_file)
    method = method or (sw.design.method if sw.design.method in sa.METHODS else "sobol")
    sw = load_sweep_file(sweep_file, method)
    t0 = time.perf_counter()
    outcome = run_sweep(sw, out, backend, workers, address, resume)
    tables = sa.analyse(sw, outcome.runs)
    report.write(sw, tables, outcome.folder)
    click.echo(report.format_indices(sw, tables))
    for _, r in tables["skipped"].iterrows():
        click.echo(f"skipped {r['metric']}: {r['reason']}")
    click.echo(f"\n{method} sensitivity of {len(sw.reported)} outcomes to {len(sw.parameters)} parameters "
               f"in {time.perf_counter() - t0:.1f} s\nResults: {outcome.folder}")
