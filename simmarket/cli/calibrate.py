"""`simmarket calibrate`: the baseline's calibration year against the evidence, and the fit.

Failed runs: the table covers the seeds that ran; each failure is one line on stderr, tracebacks
go to failures.json and the exit status is 1 (in a fit, a failed point scores as missing every
target). If every seed fails nothing is written.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from .common import all_failed, default_scenario, load_scenario, progress_bar, some_failed


@click.command("calibrate")
@click.option("--seeds", type=click.IntRange(1, 1000), default=10, show_default=True, help="seeds for the table")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")
@click.option("--scenario", "scenario_path", type=click.Path(dir_okay=False, path_type=Path),
              help="scenario to calibrate (default: the baseline)")
@click.option("--fit", is_flag=True, help="fit the free parameters (Latin hypercube, then Nelder-Mead)")
@click.option("--fit-seed", type=int, default=7, show_default=True, help="seed of the fit (design and common seeds)")
@click.option("--design", type=click.IntRange(1, 10_000), default=24, show_default=True, help="Latin hypercube points")
@click.option("--refine", type=click.IntRange(0, 10_000), default=30, show_default=True, help="Nelder-Mead evaluations")
@click.option("--fit-seeds", type=click.IntRange(1, 100), default=3, show_default=True, help="common seeds per point")
@click.option("--validate", type=click.IntRange(0, 1000), default=0, show_default=True,
              help="run the fit's best N points again on as many other seeds; choose by both")
@click.option("--history/--no-history", default=True, show_default=True,
              help="fit the backcast from March 2020 together with the calibration year")
@click.option("--workers", type=click.IntRange(1, 256), help="worker processes (default: all cores)")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a scenario key (repeatable)")
def command(seeds, out, scenario_path, fit, fit_seed, design, refine, fit_seeds, validate, history, workers, sets):
    """Compare the baseline's first year (April 2024 - March 2025) with the evidence targets."""
    from ..experiment import calibrate as cal
    from ..experiment.outputs import atomic_dir, manifest, now_utc, utc_stamp, write_json
    from ..experiment.seeds import seed_specs

    started = now_utc()
    base = load_scenario(scenario_path or default_scenario(), sets)
    out = out or (Path("outputs") / "calibration" / utc_stamp())
    t0 = time.perf_counter()
    with atomic_dir(out) as tmp:
        if fit:
            base = _fit_into(tmp, base, (design, refine, fit_seeds, validate), fit_seed, workers, t0, history)
        sc = cal.calibration_scenario(base, seeds)
        table, md, failed = _table_into(tmp, sc, workers)
        extra = ({"fit": {"seed": fit_seed, "design": design, "refine": refine, "seeds": fit_seeds, "validate": validate,
                          "history": history}}
                 if fit else None)
        write_json(tmp / "manifest.json", manifest(sc, seed_specs(sc.run.root_seed, sc.run.seeds), started, extra))
    click.echo(md)
    click.echo(f"{int(table.within_band.sum())} of {len(table)} targets within band; "
               f"{time.perf_counter() - t0:.0f} s in all")
    click.echo(f"Results: {out}")
    if failed:
        some_failed(failed, sc.run.seeds, out)


def _fit_into(tmp: Path, base, sizes, fit_seed, workers, t0, history=True):
    """Fit the free parameters (sizes: design, refine, fit seeds, validate); writes fit_history.csv
    and fitted.toml; returns the fitted scenario."""
    from ..experiment import calibrate as cal

    design, refine, fit_seeds, validate = sizes
    total = (design + 1 + refine + validate) * fit_seeds * (2 if history else 1)
    with progress_bar(total, "fit") as bar:
        overrides, best, hist = cal.fit(base, design, refine, fit_seeds, fit_seed, workers, lambda: bar.update(1),
                                        history=history, n_validate=validate)
    hist.to_csv(tmp / "fit_history.csv", index=False)
    (tmp / "fitted.toml").write_text(cal.fragment(overrides, best, fit_seed), encoding="utf-8")
    click.echo(f"fit: {len(hist)} points in {time.perf_counter() - t0:.0f} s; best loss {best:.3f}")
    click.echo((tmp / "fitted.toml").read_text(encoding="utf-8"))
    return base.replace(**overrides)


def _table_into(tmp: Path, sc, workers):
    """The calibration year's tables, chart and failures.json; returns (table, markdown, failed runs)."""
    from ..experiment import calibrate as cal
    from ..experiment.outputs import write_json
    from ..experiment.seeds import seed_specs
    from ..report.calibrate import calibration_chart, calibration_markdown

    with progress_bar(sc.run.seeds, "calibration year") as bar:
        runs, failures = cal.run_calibration(sc, workers, lambda: bar.update(1), with_failures=True)
    seeds = seed_specs(sc.run.root_seed, sc.run.seeds)
    failed = [(f.kind, f"seed {seeds[f.index].spawn_key[-1]}", f.error) for f in failures]
    if not runs:
        all_failed(*failed[0], len(failed))
    table = cal.target_table([m for m, _ in runs])
    regions = cal.region_table([r for _, r in runs])
    table.to_csv(tmp / "calibration.csv", index=False)
    regions.to_csv(tmp / "regions.csv", index=False)
    md = calibration_markdown(table, regions, sc)
    (tmp / "calibration.md").write_text(md, encoding="utf-8")
    calibration_chart(table, tmp / "calibration.png")
    if failures:
        write_json(tmp / "failures.json", [{"seed": seeds[f.index].to_dict(), **f.to_dict()} for f in failures])
    return table, md, failed
