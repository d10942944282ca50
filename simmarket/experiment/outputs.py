"""Writing result folders: summary.json, timeseries.parquet, yearly.parquet, by_authority.csv,
manifest.json (CONTRACT.md).

A folder is written next to its destination under a temporary name and renamed into place, so a
run leaves either a complete folder or none. The temporary name carries the host and process id
(`.NAME.partial-HOST-PID-XXXX`); a run killed while writing leaves only that hidden folder, and
the next run writing into the same parent folder removes it once its process is gone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ..params import REGIONS, Scenario
from ..metrics import METRICS
from .yearly import combine, write_yearly

KEY_LIBRARIES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "click")


def now_utc() -> str:
    """The time now, as manifests record it (ISO 8601, UTC, whole seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def default_out(name: str) -> Path:
    """outputs/<name>/<UTC timestamp>, with a suffix if that folder is already taken."""
    base = Path("outputs") / name / utc_stamp()
    out, k = base, 1
    while out.exists() or (out.parent.is_dir() and any(out.parent.glob(f".{out.name}.partial-*"))):
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def stats(values) -> dict:
    a = np.asarray(values, float)
    ok = a[np.isfinite(a)]
    if len(ok) == 0:
        return {"mean": None, "p05": None, "p95": None, "per_seed": [_num(v) for v in a]}
    return {"mean": float(ok.mean()), "p05": float(np.percentile(ok, 5)), "p95": float(np.percentile(ok, 95)),
            "per_seed": [_num(v) for v in a]}


def _num(v):
    v = float(v)
    return v if np.isfinite(v) else None


COUNTS_NOTE = ("the simulated market's (run.scale x England's; divide by the scale for national equivalents); "
               "shares, prices, distances and waits are comparable with England's")


def summarise(scenario: Scenario, results) -> dict:
    """summary.json content: national metrics and the same keys for each region."""
    summary = {
        "scenario": scenario.name,
        "seeds": [r.seed.spawn_key[-1] for r in results],
        "years": scenario.run.years,
        "start_year": scenario.run.start_year,
        "scale": scenario.run.scale,
        "counts": COUNTS_NOTE if scenario.run.scale != 1 else "England's",
        "metrics": {k: stats([r.metrics[k] for r in results]) for k in METRICS},
        "by_region": {reg: {k: stats([r.by_region[reg][k] for r in results]) for k in METRICS} for reg in REGIONS},
    }
    groups = sorted({g for r in results for g in r.extra})
    if groups:
        summary["by_group"] = {g: {k: stats([r.extra[g][k] for r in results]) for k in METRICS} for g in groups}
    return summary


def git_commit() -> str | None:
    with contextlib.suppress(Exception):
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            return out.stdout.strip()
    return None


def manifest(scenario: Scenario, seeds, started: str, extra: dict | None = None) -> dict:
    versions = {}
    for lib in KEY_LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[lib] = metadata.version(lib)
    return {
        "package": "simmarket",
        "version": metadata.version("simmarket"),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "libraries": versions,
        "platform": platform.platform(),
        "command": sys.argv,
        "scenario": scenario.to_dict(),
        "root_seed": scenario.run.root_seed,
        "runs": [s.to_dict() for s in seeds],
        "started_utc": started,
        "finished_utc": now_utc(),
        **(extra or {}),
    }


class OutputError(Exception):
    """An output folder cannot be written. One line for the user; exit status 2 when the folder
    asked for is unusable (permissions, a file in the way, a read-only disk), 1 otherwise (disk full)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code


_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EEXIST: "a file is in the way",
    errno.ENOTEMPTY: "a folder of that name appeared meanwhile",
    errno.EISDIR: "a folder is in the way",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many symbolic links",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
}
_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EIO}  # the machine's fault, not the user's: exit 1


def output_error(e: OSError, target: Path) -> OutputError:
    reason = _REASONS.get(e.errno) or e.strerror or e.__class__.__name__
    where = f" ({e.filename})" if e.filename and Path(str(e.filename)) != Path(target) and e.errno not in _FAILURES else ""
    return OutputError(f"cannot write output folder {target}: {reason}{where}; nothing was written",
                       1 if e.errno in _FAILURES or e.errno not in _REASONS else 2)


def is_result_folder(folder: Path) -> bool:
    """A folder simmarket wrote (it has a manifest), which a new run may replace."""
    return (Path(folder) / "manifest.json").is_file()


def check_writable(target: Path) -> None:
    """Fail early (before a long run) if `target` cannot become an output folder.

    An existing folder is replaced only if it is empty or an earlier result (has manifest.json);
    anything else there is the user's and is never deleted.
    """
    target = Path(target)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"output folder {target}: is a file, not a folder")
        with contextlib.suppress(OSError):
            if any(target.iterdir()) and not is_result_folder(target):
                raise OutputError(f"output folder {target}: folder exists and holds other files; choose a new folder "
                                  "(only an empty folder or an earlier result folder is replaced)")
    parent = target.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"output folder {target}: cannot create it, {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        reason = "read-only file system" if _read_only(parent) else "permission denied"
        raise OutputError(f"output folder {target}: cannot create it in {parent}: {reason}")


def _read_only(path: Path) -> bool:
    with contextlib.suppress(OSError, AttributeError):
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    return False


def _tag() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _temp_pattern(host: str) -> re.Pattern:
    """A temporary folder's name made on `host`: .<name>.partial-<host>-<pid>-<8 hex> or
    .<name>.old-<host>-<pid>. The host is matched literally: a greedy host pattern took an
    all-digit token (about 2% of them) for the pid, and such a folder was never cleared."""
    return re.compile(rf"^\..+\.(?:partial|old)-{re.escape(host)}-(?P<pid>\d+)(?:-[0-9a-f]{{8}})?$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def clean_stale(parent: Path) -> list[Path]:
    """Remove temporary folders left in `parent` by killed runs on this host; returns them."""
    removed, temp = [], _temp_pattern(socket.gethostname())
    with contextlib.suppress(OSError):
        for p in Path(parent).iterdir():
            m = temp.match(p.name)
            if m and p.is_dir() and not p.is_symlink() and not _alive(int(m["pid"])):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _make_parents(folder: Path) -> list[Path]:
    """mkdir -p, returning the folders created (deepest last) so a failure can remove them."""
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(exist_ok=True)
    return list(reversed(missing))


def _remove_empty(created: list[Path]) -> None:
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()


@contextlib.contextmanager
def atomic_dir(target: Path):
    """Yield a temporary folder that becomes `target` only if the block succeeds.

    Errors writing it raise `OutputError` (one line, with an exit status); on any failure the
    temporary folder, and any parent folders made for it, are removed.
    """
    target = Path(target)
    check_writable(target)
    created: list[Path] = []
    try:
        created = _make_parents(target.parent)
        clean_stale(target.parent)
        tmp = target.parent / f".{target.name}.partial-{_tag()}-{secrets.token_hex(4)}"
        tmp.mkdir()  # honours the umask, unlike mkdtemp's 0700
    except OSError as e:
        _remove_empty(created)
        raise output_error(e, target) from None
    try:
        yield tmp
        _install(tmp, target)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        if isinstance(e, OSError):
            raise output_error(e, target) from e
        raise


def _install(tmp: Path, target: Path) -> None:
    """Rename the finished folder into place, replacing an earlier result folder there."""
    old = None
    if target.exists():
        if target.is_dir() and any(target.iterdir()) and not is_result_folder(target):
            raise OutputError(f"output folder {target}: folder appeared during the run and holds other files; "
                              f"nothing was written")
        old = target.with_name(f".{target.name}.old-{_tag()}")
        target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, default=_json_default) + "\n", encoding="utf-8")


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return _num(o)
    if isinstance(o, (tuple, set)):
        return list(o)
    return str(o)


def write_run(folder: Path, scenario: Scenario, results, started: str) -> dict:
    """Write one scenario's results into an existing folder; returns the summary."""
    summary = summarise(scenario, results)
    write_json(folder / "summary.json", summary)
    ts = [r.timeseries for r in results if r.timeseries is not None]
    if ts:
        pd.concat(ts, ignore_index=True).to_parquet(folder / "timeseries.parquet", index=False)
    if any(r.yearly is not None for r in results):
        write_yearly(folder, combine(r.yearly for r in results), scenario.run.scale)
    write_json(folder / "manifest.json", manifest(scenario, [r.seed for r in results], started))
    return summary
