"""The command line: `simmarket` and `python run.py` (CONTRACT.md), one module per command.

    common.py       bad input, scenario loading, warnings, progress bars, failed runs
    run.py          simmarket run          validate.py     simmarket validate
    compare.py      simmarket compare      bench.py        simmarket bench
    sweep.py        simmarket sweep        sensitivity.py  simmarket sensitivity
    calibrate.py    simmarket calibrate    dashboard       simmarket dashboard (dashboard/serve.py)
    backcast.py     simmarket backcast     explore.py      simmarket explore
"""

from __future__ import annotations

import atexit
import gc

import click

from ..dashboard.serve import dashboard  # the teaching dashboard (serving it needs the [viz] extra)
from ..params import ConfigError
from . import backcast, bench, calibrate, compare, explore, run, sensitivity, sweep, validate
from .common import InputError


def _one_line_usage(e: click.UsageError) -> InputError:
    """Click's usage errors (a bad option value, a missing file...) as one line naming the option."""
    where = e.ctx.command_path if e.ctx is not None else "simmarket"
    hint = f" (see '{where} --help')" if e.ctx is not None else ""
    return InputError(f"{where}: {e.format_message()}{hint}", e.exit_code)


def _translate(e: click.UsageError) -> click.ClickException:
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if no_args_help and isinstance(e, no_args_help):
        return e
    return _one_line_usage(e)


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
        from ..experiment.outputs import OutputError
        from ..invariants import InvariantError

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


@click.group(cls=DefaultGroup)
@click.version_option(package_name="simmarket")
def main():
    """simmarket: England's children's residential care placement market, agent by agent."""
    # a command's process ends without collecting the objects still alive (the operating system
    # frees them): Python's last collections and module clean-up took about 0.2 s per command
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


for _module in (run, compare, sweep, sensitivity, explore, calibrate, backcast, validate, bench):
    main.add_command(_module.command)
main.add_command(dashboard)

if __name__ == "__main__":
    main()
