"""`simmarket dashboard`: stopping the command (Ctrl+C or SIGTERM) stops its server too."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")
pytest.importorskip("altair")

from simmarket.dashboard.serve import free_port, wait_until_up  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")]

COMMAND = [sys.executable, "-c", "from simmarket.cli import main; main()", "dashboard"]


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _descendants(pid: int) -> set[int]:
    """Every process below pid, from /proc (parent ids)."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier} - found
        found |= frontier
    return found


def _until(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_command_stops_its_server(sig):
    port = free_port()
    cmd = subprocess.Popen([*COMMAND, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, cwd=Path(__file__).resolve().parents[2])
    started: set[int] = set()
    try:
        assert wait_until_up(f"http://127.0.0.1:{port}", cmd, timeout=120), "the dashboard did not start"
        started = _descendants(cmd.pid)
        assert started, "the command serves through a child process"
        cmd.send_signal(sig)
        code = cmd.wait(15)
        assert _until(lambda: not _answers(port), 5), "the server still answers after the command stopped"
        assert _until(lambda: not any(_alive(p) for p in started), 5), \
            f"left running: {[p for p in started if _alive(p)]}"
        assert code == 128 + sig  # the shell's convention for "stopped by this signal"
        assert "stopped" in cmd.stdout.read()
    finally:
        for pid in [cmd.pid, *started]:  # only what this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        cmd.wait(10)
