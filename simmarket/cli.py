"""The command line: `simmarket` and `python run.py` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from .config import ConfigError, Scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def _baseline_path() -> Path:
    """scenarios/baseline.toml in the working folder, else the one beside the package."""
    local = Path("scenarios") / "baseline.toml"
    return local if local.exists() else DEFAULT_SCENARIO


def fail_input(message: str) -> None:
    click.echo(f"simmarket: error: {message}", err=True)
    sys.exit(2)


def load_scenario(path, sets=(), seeds=None, seed=None, years=None) -> Scenario:
    """Load and validate a scenario with command-line overrides (bad input exits with status 2)."""
    from . import config

    extra = list(sets)
    for key, value in (("run.seeds", seeds), ("run.root_seed", seed), ("run.years", years)):
        if value is not None:
            extra.append(f"{key}={value}")
    try:
        return config.load(path, extra)
    except ConfigError as e:
        fail_input(str(e))


def progress_bar(total: int, desc: str):
    """A tqdm bar on a terminal; silent when output is piped."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)


class DefaultGroup(click.Group):
    """`python run.py` with no command runs the baseline."""

    def parse_args(self, ctx, args):
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup)
@click.version_option(package_name="simmarket")
def main():
    """simmarket: England's children's residential care placement market, agent by agent."""


scenario_arg = click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))


def run_options(f):
    f = click.option("--seeds", type=int, help="number of seeds (replications)")(f)
    f = click.option("--seed", type=int, help="root seed")(f)
    f = click.option("--years", type=int, help="simulated years from March 2024")(f)
    f = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="override a scenario key (repeatable)")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")(f)
    f = click.option("--workers", type=click.IntRange(1, 256), help="parallel worker processes (default: all cores)")(f)
    return f


@main.command()
@scenario_arg
@run_options
def run(scenario, seeds, seed, years, sets, out, workers):
    """Run a scenario over several seeds and write summary, time series and manifest."""
    from .experiment import run_replicates, seed_specs
    from .outputs import atomic_dir, default_out, write_run
    from .report import summary_table

    path = scenario or _baseline_path()
    sc = load_scenario(path, sets, seeds, seed, years)
    out = out or default_out(sc.name)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    specs = seed_specs(sc.run.root_seed, sc.run.seeds)
    t0 = time.perf_counter()
    with progress_bar(len(specs), f"{sc.name}") as bar:
        results = run_replicates(sc, specs, workers=workers, progress=lambda: bar.update(1))
    with atomic_dir(out) as tmp:
        summary = write_run(tmp, sc, results, started)
    click.echo(f"{sc.name}: {len(specs)} seeds x {sc.run.years} years in {time.perf_counter() - t0:.1f} s "
               f"(final year: April {2023 + sc.run.years} to March {2024 + sc.run.years})")
    click.echo(summary_table(summary))
    click.echo(f"\nResults: {out}")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE")
def validate(scenario, sets):
    """Check a scenario file and print every resolved parameter."""
    from .config import describe
    from .experiment.space import is_sweep_file

    if is_sweep_file(scenario):
        from .commands_sweep import validate_sweep

        return validate_sweep(scenario, sets)
    sc = load_scenario(scenario, sets)
    click.echo(f"{scenario}: valid scenario '{sc.name}'")
    if sc.description:
        click.echo(f"  {sc.description}")
    for key, value, unit, doc in describe(sc):
        click.echo(f"  {key} = {value!r}  [{unit}] {doc}".rstrip())


@main.command()
@click.option("--years", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--scale", type=click.FloatRange(0.05, 10), default=1.0, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def bench(years, scale, seed):
    """Standard timing run: one national seed; prints child-weeks per second, time and memory."""
    import resource

    from .experiment import SeedSpec
    from .experiment.runs import build_model
    from .population import GONE

    sc = Scenario().replace(**{"run.years": years, "run.scale": scale})
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


from .commands_compare import compare  # noqa: E402

main.add_command(compare)

from .commands_sweep import sensitivity, sweep  # noqa: E402

main.add_command(sweep)
main.add_command(sensitivity)

if __name__ == "__main__":
    main()
