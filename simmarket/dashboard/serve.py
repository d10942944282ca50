"""`simmarket dashboard [--port P]`: serve the teaching dashboard with `solara run` on localhost."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request

import click

APP = "simmarket.dashboard.app"


def solara_command(port: int, host: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port), "--production",
            "--no-open", "--log-level", "warning"]


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 90.0) -> bool:
    """Poll the server until it answers (False if it exits or the time runs out)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="port on localhost (0 = any free port)")
def dashboard(port):
    """The teaching dashboard in a browser (Solara; needs the [viz] extra)."""
    missing = [m for m in ("solara", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        click.echo(f"simmarket: error: dashboard: {', '.join(missing)} not installed; "
                   "install the viz extra: pip install -e \".[viz]\"", err=True)
        sys.exit(2)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SOLARA_APP": APP}
    proc = subprocess.Popen(solara_command(port), env=env)
    try:
        click.echo(f"simmarket dashboard: starting on {url} ...")
        if wait_until_up(url, proc):
            click.echo(f"simmarket dashboard: open {url} in a browser (Ctrl+C to stop)")
        elif proc.poll() is not None:
            click.echo(f"simmarket: error: dashboard: the server stopped (exit {proc.returncode})", err=True)
            sys.exit(1)
        sys.exit(proc.wait())
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        click.echo("simmarket dashboard: stopped")
