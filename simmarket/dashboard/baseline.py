"""The baseline runs drawn faintly beside the student's run: the baseline scenario at the same
scale, seed and length, from the same 31 March (a run from March 2020 is set beside the baseline's
behaviour from March 2020, not beside the baseline's own March 2024), each run once in a background
process and cached.

A process, not a thread: a thread stepping a national model holds the interpreter lock for most
of each second and made the student's own steps and redraws two to four times slower while it
ran. The process runs at a lower priority (nice 10) and sends its weekly series as it goes, so
the faint lines fill in as the student steps.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections import OrderedDict

import pandas as pd

from .model import DashboardMarket

MAX_BASELINES = 6
SEND_EVERY = 26  # weeks between partial series sent back while the baseline runs


def compute(scale: float, seed: int, years: int, start_year: int) -> None:
    """In the background process: run the baseline and write pickled ("part", progress, series)
    now and then, and ("done", 1.0, series) or ("error", message, None) at the end, to stdout."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    if hasattr(os, "nice"):
        os.nice(10)  # background work: the student's own steps and redraws come first
    sys.stdout = sys.stderr  # nothing else may write to the data stream
    try:
        m = DashboardMarket("baseline", seed=seed, start_year=start_year, **{"run.scale": scale, "run.years": years})
        while m.running:
            m.step()
            if m.week % SEND_EVERY == 0 and m.running:
                pickle.dump(("part", m.week / max(m.horizon, 1), m.series()), out)
                out.flush()
        pickle.dump(("done", 1.0, m.series()), out)
    except Exception as e:  # shown in the dashboard instead of the faint line
        pickle.dump(("error", f"{type(e).__name__}: {e}", None), out)
    finally:
        out.close()


class BaselineRun:
    """The baseline scenario at a given scale, seed, length and start, run once in a background process."""

    def __init__(self, scale: float, seed: int, years: int, start_year: int):
        self.key = (scale, seed, years, start_year)
        self.error: str | None = None
        self.progress = 0.0
        self.done = threading.Event()
        self._frame: pd.DataFrame | None = None
        code = (f"from simmarket.dashboard.baseline import compute; "
                f"compute({scale!r}, {seed!r}, {years!r}, {start_year!r})")
        self._process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        threading.Thread(target=self._receive, daemon=True, name=f"baseline-{scale}-{seed}-{years}-{start_year}").start()

    def _receive(self) -> None:
        stream = self._process.stdout
        try:
            while True:
                kind, value, frame = pickle.load(stream)
                if kind == "error":
                    self.error = value
                    break
                self._frame, self.progress = frame, value
                if kind == "done":
                    break
        except (EOFError, OSError, pickle.UnpicklingError):
            self.error = self.error or f"the baseline process stopped (exit {self._process.wait()})"
        finally:
            stream.close()
            self._process.wait()
            self.done.set()

    def frame(self) -> pd.DataFrame | None:
        """The baseline's weekly series so far (complete once done)."""
        return self._frame


_BASELINES: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def baseline_for(scale: float, seed: int, years: int, start_year: int) -> BaselineRun:
    """The cached baseline run for these settings (started on first request)."""
    key = (float(scale), int(seed), int(years), int(start_year))
    with _LOCK:
        run = _BASELINES.get(key)
        if run is None:
            run = BaselineRun(*key)
            _BASELINES[key] = run
            while len(_BASELINES) > MAX_BASELINES:
                _BASELINES.popitem(last=False)
        else:
            _BASELINES.move_to_end(key)
        return run


def baseline_of(model: DashboardMarket) -> BaselineRun:
    p = model.params.run
    return baseline_for(p.scale, model.seed, p.years, p.start_year)
