"""The baseline runs drawn faintly beside the student's run: the baseline scenario at the same
scale, seed and length, each run once in a background thread and cached."""

from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd

from .model import DashboardMarket

MAX_BASELINES = 6


class BaselineRun:
    """The baseline scenario at a given scale, seed and length, run once in a background thread."""

    def __init__(self, scale: float, seed: int, years: int):
        self.key = (scale, seed, years)
        self.model: DashboardMarket | None = None
        self.error: str | None = None
        self.done = threading.Event()
        self._frame: pd.DataFrame | None = None
        threading.Thread(target=self._run, name=f"baseline-{scale}-{seed}-{years}", daemon=True).start()

    def _run(self) -> None:
        try:
            m = DashboardMarket("baseline", seed=self.key[1], **{"run.scale": self.key[0], "run.years": self.key[2]})
            self.model = m
            while m.running:
                m.step()
        except Exception as e:  # shown in the dashboard instead of the faint line
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.done.set()

    @property
    def progress(self) -> float:
        m = self.model
        return 0.0 if m is None else min(m.week / max(m.horizon, 1), 1.0)

    def frame(self) -> pd.DataFrame | None:
        """The baseline's weekly series so far (complete once done)."""
        if self._frame is not None:
            return self._frame
        if self.model is None:
            return None
        df = self.model.series()
        if self.done.is_set():
            self._frame = df
        return df


_BASELINES: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def baseline_for(scale: float, seed: int, years: int) -> BaselineRun:
    """The cached baseline run for these settings (started on first request)."""
    key = (float(scale), int(seed), int(years))
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
    return baseline_for(p.scale, model.seed, p.years)
