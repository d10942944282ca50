"""`simmarket explore SWEEP --where "METRIC > X"`: scenario discovery. Runs (or, with --resume,
finishes or re-reads) a sweep, marks the points where the condition holds and finds PRIM boxes of
the swept parameters that hold them; writes DIR/explore/ (boxes.csv, explore.md, explore.png,
peeling.csv, points.csv, manifest.json) beside the sweep's own results, replaced whole by the next
exploration of the same folder.
"""

from __future__ import annotations

import sys
import time
from importlib import metadata

import click

from .common import fail_input
from .sweep import backend_options, load_sweep_file, run_sweep, sweep_file

INSTALL_HINT = "simmarket explore needs EMA Workbench, which is not installed: pip install 'simmarket[explore]'"


@click.command("explore")
@sweep_file
@click.option("--where", "where", required=True, metavar='"METRIC OP X"',
              help="the outcome of interest, OP one of >, >=, <, <= (shares as fractions), "
                   'e.g. "delta_unregistered_children_per_year > 0"')
@click.option("--min-density", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="least share of a box's points that are cases")
@click.option("--boxes", "max_boxes", type=click.IntRange(1, 10), default=3, show_default=True,
              help="most boxes to find")
@backend_options
def command(sweep_file, where, min_density, max_boxes, backend, workers, address, resume, out):
    """Scenario discovery: where in a sweep's parameters does an outcome of interest occur (PRIM)."""
    from ..experiment import explore
    from ..experiment.outputs import atomic_dir, now_utc, write_json
    from ..report import explore as report

    sw = load_sweep_file(sweep_file)
    condition = explore.parse_condition(where, sw.outcomes, sw.source)
    try:
        explore.import_prim()
    except explore.ExtraMissing:
        fail_input(INSTALL_HINT)
    outcome = run_sweep(sw, out, backend, workers, address, resume)
    t0 = time.perf_counter()
    cases = explore.point_cases(sw, outcome.runs, condition)
    bounds = explore.ranges(sw)
    boxes = explore.find_boxes(cases[sw.keys], cases["case"], min_density, max_boxes, bounds)
    with atomic_dir(outcome.folder / "explore") as tmp:
        report.write(tmp, sw, condition, cases, boxes, bounds, min_density)
        write_json(tmp / "manifest.json", {
            "command": sys.argv, "sweep": sw.name, "sweep_file": sw.source, "where": str(condition),
            "min_density": min_density, "max_boxes": max_boxes, "peel_alpha": explore.PEEL_ALPHA,
            "mass_min": explore.MASS_MIN, "ema_workbench": metadata.version("ema_workbench"),
            "n_points": len(cases), "n_cases": int(cases["case"].sum()), "finished_utc": now_utc(),
            "boxes": [{"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass}
                      for b in boxes]})
    click.echo(report.format_summary(condition, cases, boxes))
    click.echo(f"PRIM in {time.perf_counter() - t0:.1f} s\nResults: {outcome.folder / 'explore'} "
               f"(the sweep's own results in {outcome.folder})")
