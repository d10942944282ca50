"""What every command shares: bad input as one line and exit 2, scenario loading with the command
line's overrides, warnings, progress bars, output folders and the report of failed runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..params import BASELINE, ConfigError, Scenario, load, retired_in_use, warnings_for


class InputError(click.ClickException):
    """Bad input found anywhere under a command: one line on stderr, exit status 2 (CONTRACT.md)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(" ".join(str(message).split()))
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"simmarket: error: {self.format_message()}", err=True)


def fail_input(message: str) -> None:
    """Bad input: one line on stderr, exit status 2."""
    click.echo(f"simmarket: error: {message}", err=True)
    sys.exit(2)


def default_scenario() -> Path:
    """scenarios/baseline.toml in the working folder (the user's copy), else the shipped baseline."""
    local = Path("scenarios") / "baseline.toml"
    return local if local.exists() else BASELINE


def load_scenario(name_or_path, sets=(), seeds=None, seed=None, years=None) -> Scenario:
    """Load and validate a scenario (a file or a shipped name) with command-line overrides."""
    extra, option_of = list(sets), {}
    for key, value, option in (("run.seeds", seeds, "--seeds"), ("run.root_seed", seed, "--seed"),
                               ("run.years", years, "--years")):
        if value is not None:
            extra.append(f"{key}={value}")
            option_of[key] = option
    try:
        return load(name_or_path, extra)
    except ConfigError as e:
        if e.source == "--set" and e.key in option_of and _loads(name_or_path, sets):
            e = ConfigError(option_of[e.key], e.key, e.message)  # the option's value, not a --set, is at fault
        fail_input(str(e))


def _loads(name_or_path, sets) -> bool:
    """Whether the scenario loads with the user's --set values alone (so an error naming a key that
    an option also sets came from the option)."""
    try:
        load(name_or_path, list(sets))
        return True
    except ConfigError:
        return False


def warn_extremes(path, sc: Scenario) -> None:
    """One line on stderr for each valid but extreme setting, and each retired key in use."""
    for key, message in [*warnings_for(sc), *retired_in_use(sc)]:
        click.echo(f"simmarket: warning: {path}: {key}: {message}", err=True)


def progress_bar(total: int, desc: str):
    """A tqdm bar on a terminal; silent when output is piped."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)


def failure_message(kind: str, where: str, error: str) -> str:
    """One line for a failed run; a broken invariant is a defect of the model."""
    if kind == "InvariantError":
        return f"model invariant broken (a defect, please report it): {where}: {error}"
    return f"run failed: {where}: {error}"


def all_failed(kind: str, where: str, error: str, n: int) -> None:
    """Every run failed: one line on stderr, nothing written, exit status 1."""
    tail = f" (all {n} runs failed; nothing was written)" if n > 1 else ""
    click.echo(f"simmarket: error: {failure_message(kind, where, error)}{tail}", err=True)
    sys.exit(1)


def some_failed(lines: list[tuple[str, str, str]], total: int, folder: Path) -> None:
    """Some runs failed: a line each on stderr, where the tracebacks are, exit status 1."""
    for kind, where, error in lines:
        click.echo(f"simmarket: error: {failure_message(kind, where, error)}", err=True)
    click.echo(f"simmarket: {len(lines)} of {total} runs failed; the results cover the others; "
               f"tracebacks in {folder / 'failures.json'}", err=True)
    sys.exit(1)


def out_option(f):
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")(f)


def workers_option(f):
    return click.option("--workers", type=click.IntRange(1, 256),
                        help="parallel worker processes (default: all cores)")(f)


def sets_option(f):
    return click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                        help="override a scenario key (repeatable)")(f)
