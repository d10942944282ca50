"""`simmarket validate FILE`: check a scenario or sweep file and print what it resolves to."""

from __future__ import annotations

from pathlib import Path

import click

from ..params import ConfigError, allowed_values, describe, describe_local, resolve
from .common import fail_input, load_scenario, warn_extremes


@click.command("validate")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE")
def command(scenario, sets):
    """Check a scenario or sweep file (or a shipped name) and print every resolved parameter."""
    from ..experiment.space import is_sweep_file

    path = _resolve(scenario)
    if is_sweep_file(path):
        return validate_sweep(path, sets)
    sc = load_scenario(path, sets)
    warn_extremes(scenario, sc)
    click.echo(f"{scenario}: valid scenario '{sc.name}'")
    if sc.description:
        click.echo(f"  {sc.description}")
    allowed = allowed_values(sc)
    for key, value, unit, doc in describe(sc):
        within = ", ".join(x for x in (unit, allowed.get(key, "")) if x)
        click.echo(f"  {key} = {value!r}  [{within}] {doc}".rstrip())
    for line in describe_local(sc):
        click.echo(f"  {line}")


def _resolve(name_or_path: Path) -> Path:
    """A file, a shipped scenario name, or a shipped sweep name."""
    try:
        return resolve(name_or_path)
    except ConfigError as e:
        try:
            return resolve(name_or_path, "sweep")
        except ConfigError:
            fail_input(str(e))


def validate_sweep(path: Path, sets=()) -> None:
    """`simmarket validate` on a sweep file: check it and print the resolved design."""
    from ..experiment.space import describe_sweep
    from .sweep import load_sweep_file

    if sets:
        fail_input(f"{path}: --set does not apply to sweep files; put fixed values in its [set] table")
    for line in describe_sweep(load_sweep_file(path)):
        click.echo(line)
