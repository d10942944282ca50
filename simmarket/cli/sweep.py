"""`simmarket sweep SWEEP`: a parameter sweep into a resumable folder; the helpers it shares with
`simmarket sensitivity` and `validate` (loading a sweep file or shipped sweep name, the output
folder, the backend, running with progress).

A failed run is a row of the store (status "failed", with its traceback); the sweep goes on, the
failed count shows on the progress bar and in the closing line, and the exit status stays 0
(`--resume` does not redo failed runs; the failures are results). A dead executor is exit 1.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import click

from ..params import ConfigError, resolve
from .common import fail_input, progress_bar

sweep_file = click.argument("sweep_file", metavar="SWEEP.toml", type=click.Path(dir_okay=False, path_type=Path))


def backend_options(f):
    f = click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="local worker processes, or a Dask cluster")(f)
    f = click.option("--workers", type=click.IntRange(1, 4096),
                     help="worker processes (local) or local Dask workers (default: all cores)")(f)
    f = click.option("--address", metavar="ADDR", help="Dask scheduler, e.g. tcp://HOST:8786 (default: a local cluster)")(f)
    f = click.option("--resume", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     help="finish an interrupted sweep in DIR without redoing finished runs")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="output folder")(f)
    return f


def load_sweep_file(path: Path, method: str | None = None):
    """A sweep file or shipped sweep name, validated (bad input exits with status 2)."""
    from ..experiment.space import load_sweep

    try:
        sweep = load_sweep(resolve(path, "sweep"))
        return sweep.with_method(method) if method else sweep
    except ConfigError as e:
        fail_input(str(e))


def output_folder(sweep, out: Path | None, resume: Path | None) -> Path:
    """The output folder: a new one (refusing a non-empty folder), or the one being resumed."""
    from ..experiment.driver import ResumeError, check_resumable
    from ..experiment.outputs import default_out

    if resume is not None:
        if out is not None and out.resolve() != resume.resolve():
            fail_input(f"--out {out}: give either --out or --resume, not two different folders")
        if not resume.is_dir():
            fail_input(f"--resume {resume}: folder not found")
        try:
            check_resumable(sweep, resume)
        except ResumeError as e:
            fail_input(f"--resume {e}")
        return resume
    out = out or default_out(sweep.name)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail_input(f"--out {out}: folder exists and is not empty; use --resume {out} to finish a sweep there")
    return out


def open_backend(backend: str, workers: int | None, address: str | None):
    from ..experiment import sweep as sweep_mod

    if address and backend != "dask":
        fail_input("--address: only used with --backend dask")
    if backend == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            fail_input("--backend dask: Dask is not installed; pip install 'simmarket[cluster]'")
    return sweep_mod.open_backend(backend, workers, address)


def run_sweep(sweep, out, backend, workers, address, resume):
    """Run or resume a sweep with a progress bar; Ctrl-C and dead executors leave a resumable folder."""
    from ..experiment import driver
    from ..experiment.design import design_points
    from ..experiment.sweep import SweepAborted
    from ..report.sweep import plot_outcomes

    folder = output_folder(sweep, out, resume)
    points = len(design_points(sweep))
    total = points * sweep.design.replications
    failed = 0
    with contextlib.ExitStack() as stack:
        try:
            be = stack.enter_context(open_backend(backend, workers, address))
        except (OSError, TimeoutError) as e:
            fail_input(f"--address {address}: cannot reach the Dask scheduler ({e.__class__.__name__}: {e})")
        click.echo(f"{sweep.name}: {points} points x {sweep.design.replications} replications = {total} runs "
                   f"({sweep.design.method}); {be.description}", err=True)
        t0 = time.perf_counter()
        done = len(driver.store_mod.read_runs(folder / "runs", ["point", "replication"])) if resume else 0
        bar = stack.enter_context(progress_bar(total, sweep.name))
        bar.update(done)
        bar.set_postfix(failed=0)

        def tick(row):
            nonlocal failed
            failed += row["status"] != "ok"
            bar.set_postfix(failed=failed, refresh=False)
            bar.update(1)

        try:
            outcome = driver.execute(sweep, folder, be, resume=resume is not None, progress=tick,
                                     charts=plot_outcomes)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted: finished runs are saved in {folder}; finish with: simmarket "
                       f"{click.get_current_context().info_name} {sweep.source} --resume {folder}", err=True)
            sys.exit(130)
        except SweepAborted as e:
            click.echo(f"simmarket: {e}; finished runs are saved in {folder}; finish with --resume {folder}", err=True)
            sys.exit(1)
    seconds = time.perf_counter() - t0
    n_failed = int((outcome.runs["status"] != "ok").sum())
    rate = outcome.n_new / seconds * 60 if seconds > 0 else float("nan")
    click.echo(f"{sweep.name}: {outcome.n_new} runs in {seconds:.1f} s ({rate:.1f} runs/min); "
               f"{len(outcome.runs)} of {total} stored, {n_failed} failed")
    return outcome


@click.command("sweep")
@sweep_file
@backend_options
def command(sweep_file, backend, workers, address, resume, out):
    """Run a parameter sweep; writes a Parquet store, a per-point summary and charts."""
    from ..report.sweep import format_table

    sw = load_sweep_file(sweep_file)
    outcome = run_sweep(sw, out, backend, workers, address, resume)
    click.echo(format_table(sw, outcome.summary))
    click.echo(f"\nResults: {outcome.folder}")
