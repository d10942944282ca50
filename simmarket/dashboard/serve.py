"""`simmarket dashboard [--port P]`: serve the teaching dashboard with `solara run` on localhost."""

from __future__ import annotations

import atexit
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time

import click

APP = "simmarket.dashboard.app"
# reacton's opt-in renderer (reacton >= 1.11) skips the page's unchanged parts when a step redraws
# the weekly views, instead of walking all of the page's ~250 elements (about 20 ms a week)
RENDER_ENV = {"REACTON_FAST": "1"}


def solara_command(port: int, host: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port), "--production",
            "--no-open", "--log-level", "warning"]


def server_env(**extra: str) -> dict:
    """The environment of the `solara run` child: this one, the app and the renderer's settings."""
    return {**os.environ, "SOLARA_APP": APP, **RENDER_ENV, **extra}


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 90.0) -> bool:
    """Poll the server until it answers (False if it exits or the time runs out)."""
    import urllib.request  # here, not at the top: every command imports this module (about 40 ms)

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


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child (Linux): get SIGTERM if the command dies without cleaning up (SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Server:
    """The `solara run` child in a process group of its own, stopped (terminate, then kill, the
    whole group) when this command ends for any reason: Ctrl+C, SIGTERM, SIGHUP or a normal exit."""

    def __init__(self, port: int):
        self.proc = subprocess.Popen(solara_command(port), env=server_env(), start_new_session=True,
                                     preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        self.signal: int | None = None  # the signal that stopped the command
        self._previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        atexit.register(self.stop)

    def _on_signal(self, signum, frame) -> None:
        if self.signal is None:  # the first one unwinds to the command, which stops the server
            self.signal = signum
            raise KeyboardInterrupt

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace: float = 5.0) -> None:
        """Stop the server's whole process group: SIGTERM, then SIGKILL after `grace` seconds."""
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)  # anything the server left in its group
        if self.proc.poll() is None:
            self.proc.wait()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}


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
    server = Server(port)
    try:
        click.echo(f"simmarket dashboard: starting on {url} ...")
        if wait_until_up(url, server.proc):
            click.echo(f"simmarket dashboard: open {url} in a browser (Ctrl+C to stop)")
        elif server.proc.poll() is not None:
            click.echo(f"simmarket: error: dashboard: the server stopped (exit {server.proc.returncode})", err=True)
            sys.exit(1)
        code = server.proc.wait()
    except KeyboardInterrupt:
        server.stop()
        click.echo("simmarket dashboard: stopped")
        sys.exit(128 + (server.signal or signal.SIGINT))
    finally:
        server.stop()
    sys.exit(code)
