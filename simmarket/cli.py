"""The command line: `simmarket` and `python run.py` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from .config import ConfigError, Scenario



def _baseline_path() -> Path:
    """scenarios/baseline.toml in the working folder, else the one beside the package."""
    from .config import BASELINE

    local = Path("scenarios") / "baseline.toml"
    return local if local.exists() else BASELINE


def fail_input(message: str) -> None:
    click.echo(f"simmarket: error: {message}", err=True)
    sys.exit(2)


def load_scenario(path, sets=(), seeds=None, seed=None, years=None) -> Scenario:
    """Load and validate a scenario with command-line overrides (bad input exits with status 2)."""
    from . import config

    extra, option_of = list(sets), {}
    for key, value, option in (("run.seeds", seeds, "--seeds"), ("run.root_seed", seed, "--seed"),
                               ("run.years", years, "--years")):
        if value is not None:
            extra.append(f"{key}={value}")
            option_of[key] = option
    try:
        return config.load(path, extra)
    except ConfigError as e:
        if e.source == "--set" and e.key in option_of:  # name the option the user typed
            e = ConfigError(option_of[e.key], e.key, e.message)
        fail_input(str(e))


def warn_extremes(path, sc: Scenario) -> None:
    """One line on stderr for each valid but extreme setting (config.warnings_for)."""
    from .config import warnings_for

    for key, message in warnings_for(sc):
        click.echo(f"simmarket: warning: {path}: {key}: {message}", err=True)


def progress_bar(total: int, desc: str):
    """A tqdm bar on a terminal; silent when output is piped."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)


class InputError(click.ClickException):
    """Bad input found anywhere under a command: one line on stderr, exit status 2 (CONTRACT.md)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(" ".join(str(message).split()))
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"simmarket: error: {self.format_message()}", err=True)


def _one_line_usage(e: click.UsageError) -> InputError:
    """Click's usage errors (a bad option value, a missing file...) as one line naming the option."""
    where = e.ctx.command_path if e.ctx is not None else "simmarket"
    hint = f" (see '{where} --help')" if e.ctx is not None else ""
    return InputError(f"{where}: {e.format_message()}{hint}", e.exit_code)


class DefaultGroup(click.Group):
    """`python run.py` with no command runs the baseline.

    Every command's bad input (click usage errors, `ConfigError`s, unusable output folders) ends
    as one line on stderr with exit status 2, whichever command raised it.
    """

    def parse_args(self, ctx, args):
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version")):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:
            raise _translate(e) from None

    def invoke(self, ctx):
        from .invariants import InvariantError
        from .outputs import OutputError

        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _translate(e) from None
        except ConfigError as e:
            raise InputError(str(e)) from None
        except OutputError as e:
            raise InputError(str(e), e.exit_code) from None
        except InvariantError as e:
            raise InputError(f"model invariant broken (a defect, please report it): {e}", 1) from None


def _translate(e: click.UsageError) -> click.ClickException:
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if no_args_help and isinstance(e, no_args_help):
        return e
    return _one_line_usage(e)


@click.group(cls=DefaultGroup)
@click.version_option(package_name="simmarket")
def main():
    """simmarket: England's children's residential care placement market, agent by agent."""


scenario_arg = click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))


def check_option(f):
    return click.option("--check", is_flag=True, default=False,
                        help="check the model's invariants every week (sets run.check; slower)")(f)


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
@check_option
def run(scenario, seeds, seed, years, sets, out, workers, check):
    """Run a scenario over several seeds and write summary, time series and manifest."""
    from .experiment import run_replicates, seed_specs
    from .outputs import atomic_dir, check_writable, default_out, write_run
    from .report import summary_table

    path = scenario or _baseline_path()
    sc = load_scenario(path, [*sets, *(["run.check=true"] if check else [])], seeds, seed, years)
    out = out or default_out(sc.name)
    check_writable(out)  # before the long part: an unusable --out fails now, with nothing written
    warn_extremes(path, sc)
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
    warn_extremes(scenario, sc)
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

    from .config import baseline

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


from .commands_compare import compare  # noqa: E402

main.add_command(compare)

from .commands_sweep import sensitivity, sweep  # noqa: E402

main.add_command(sweep)
main.add_command(sensitivity)

from .commands_calibrate import calibrate  # noqa: E402

main.add_command(calibrate)

from .dashboard.serve import dashboard  # noqa: E402  (the teaching dashboard, needs the [viz] extra)

main.add_command(dashboard)

if __name__ == "__main__":
    main()
