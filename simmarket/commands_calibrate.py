"""`simmarket calibrate`: the baseline's calibration year against the evidence, and the fit."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .cli import _baseline_path, load_scenario, progress_bar


@click.command()
@click.option("--seeds", type=click.IntRange(1, 1000), default=10, show_default=True, help="seeds for the table")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")
@click.option("--scenario", "scenario_path", type=click.Path(dir_okay=False, path_type=Path),
              help="scenario to calibrate (default: the baseline)")
@click.option("--fit", is_flag=True, help="fit the free parameters (Latin hypercube, then Nelder-Mead)")
@click.option("--fit-seed", type=int, default=7, show_default=True, help="seed of the fit (design and common seeds)")
@click.option("--design", type=click.IntRange(1, 10_000), default=24, show_default=True, help="Latin hypercube points")
@click.option("--refine", type=click.IntRange(0, 10_000), default=30, show_default=True, help="Nelder-Mead evaluations")
@click.option("--fit-seeds", type=click.IntRange(1, 100), default=3, show_default=True, help="common seeds per point")
@click.option("--workers", type=click.IntRange(1, 256), help="worker processes (default: all cores)")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a scenario key (repeatable)")
def calibrate(seeds, out, scenario_path, fit, fit_seed, design, refine, fit_seeds, workers, sets):
    """Compare the baseline's first year (April 2024 - March 2025) with the evidence targets."""
    import datetime as dt

    from . import calibrate as cal
    from .experiment.runs import seed_specs
    from .outputs import atomic_dir, manifest, utc_stamp, write_json

    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    base = load_scenario(scenario_path or _baseline_path(), sets)
    out = out or (Path("outputs") / "calibration" / utc_stamp())
    t0 = time.perf_counter()
    with atomic_dir(out) as tmp:
        if fit:
            total = (design + 1 + refine) * fit_seeds
            with progress_bar(total, "fit") as bar:
                overrides, best, hist = cal.fit(base, design, refine, fit_seeds, fit_seed, workers, lambda: bar.update(1))
            hist.to_csv(tmp / "fit_history.csv", index=False)
            (tmp / "fitted.toml").write_text(cal.fragment(overrides, best, fit_seed), encoding="utf-8")
            click.echo(f"fit: {len(hist)} points in {time.perf_counter() - t0:.0f} s; best loss {best:.3f}")
            click.echo((tmp / "fitted.toml").read_text(encoding="utf-8"))
            base = base.replace(**overrides)
        sc = cal.calibration_scenario(base, seeds)
        with progress_bar(sc.run.seeds, "calibration year") as bar:
            runs = cal.run_calibration(sc, workers, lambda: bar.update(1))
        table = cal.target_table([m for m, _ in runs])
        regions = cal.region_table([r for _, r in runs])
        table.to_csv(tmp / "calibration.csv", index=False)
        regions.to_csv(tmp / "regions.csv", index=False)
        md = calibration_markdown(table, regions, sc)
        (tmp / "calibration.md").write_text(md, encoding="utf-8")
        calibration_chart(table, tmp / "calibration.png")
        seeds = seed_specs(sc.run.root_seed, sc.run.seeds)
        extra = {"fit": {"seed": fit_seed, "design": design, "refine": refine, "seeds": fit_seeds}} if fit else None
        write_json(tmp / "manifest.json", manifest(sc, seeds, started, extra))
    click.echo(md)
    click.echo(f"{int(table.within_band.sum())} of {len(table)} targets within band; "
               f"{time.perf_counter() - t0:.0f} s in all")
    click.echo(f"Results: {out}")


def _fmt(v: float) -> str:
    if abs(v) >= 1e8:
        return f"{v / 1e9:.2f}bn"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3f}"


def calibration_markdown(table, regions, sc) -> str:
    lines = [f"## Calibration year (April 2024 to March 2025), {sc.run.seeds} seeds, root {sc.run.root_seed}", "",
             "| target | observed | band | model mean | 90% interval | in band | source |", "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.target} | {_fmt(r.observed)} | {_fmt(r.band_lo)} to {_fmt(r.band_hi)} | "
                     f"{_fmt(r.model_mean)} | {_fmt(r.model_p05)} to {_fmt(r.model_p95)} | "
                     f"{'yes' if r.within_band else '**no**'} | {r.source} |")
    lines += ["", "### By region (model at March 2025 against the shipped data)", "",
              "| region | children in homes 2024 | 2025 | model | homes 2024 | 2025 | model | places 2025 | model | over 20 miles | outside LA |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in regions.itertuples():
        lines.append(f"| {r.region} | {r.children_in_homes_2024:,} | {r.children_in_homes_2025:,} | "
                     f"{r.model_children_in_homes:,.0f} | {r.homes_2024:,} | {r.homes_2025:,} | {r.model_homes:,.0f} | "
                     f"{r.places_2025:,} | {r.model_places:,.0f} | {r.model_share_over_20_miles:.0%} | "
                     f"{r.model_share_outside_la:.0%} |")
    return "\n".join(lines) + "\n"


def calibration_chart(table, path: Path) -> None:
    """Each target's band and the model's mean with its 90% interval, relative to the observed value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.2))
    for i, r in enumerate(table.itertuples()):
        obs = r.observed
        ax.plot([r.band_lo / obs, r.band_hi / obs], [i, i], color="#bbbbbb", lw=8, solid_capstyle="butt")
        colour = "#1b7837" if r.within_band else "#c51b7d"
        ax.errorbar(r.model_mean / obs, i, xerr=[[max(r.model_mean - r.model_p05, 0) / obs],
                    [max(r.model_p95 - r.model_mean, 0) / obs]], fmt="o", color=colour, capsize=3)
    ax.axvline(1.0, color="black", lw=0.8, ls=":")
    ax.set_yticks(range(len(table)), table.target)
    ax.invert_yaxis()
    ax.set_xlabel("model / observed (grey: acceptance band; dot: model mean, bar: 90% interval over seeds)")
    ax.set_title("simmarket baseline, April 2024 to March 2025, against the evidence")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
