"""The dashboard's model (a PlacementMarket built from a scenario name, a seed and lever settings),
a weekly record of the market for the views, and the cached baseline runs drawn for comparison."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..experiment import SeedSpec
from ..model import PlacementMarket
from ..population import HOME
from .levers import build_scenario, load_scenario, values_of

WEEKS_PER_YEAR = 52
START_YEAR = 2024.25  # 31 March 2024, as a decimal year


class DashboardMarket(PlacementMarket):
    """A PlacementMarket made from keyword arguments, as Mesa's SolaraViz re-creates models on Reset.

    scenario_name: a file in scenarios/ (without .toml); seed: root seed, the same stream as the
    first replicate of `simmarket run --seed SEED`; levers: dotted scenario keys and values.
    `scenario` is the Mesa scenario object SolaraViz passes on Reset; it carries nothing for us.
    """

    def __init__(self, scenario_name: str = "baseline", seed: int = 1, rng=None, scenario=None, **levers):
        base = load_scenario(scenario_name)
        params, notes = build_scenario(base, levers)
        self.scenario_name = scenario_name
        self.seed = int(seed)
        self.notes = notes
        self.lever_values = values_of(params)
        t0 = time.perf_counter()
        super().__init__(params, rng=rng if rng is not None else SeedSpec(self.seed, (0,)).rng())
        self.init_seconds = time.perf_counter() - t0
        self.market_history: list[dict] = []
        self.market_now: MarketWeek | None = None
        self.step_seconds: list[float] = []
        self.running = self.week < self.horizon

    def step(self) -> None:
        t0 = time.perf_counter()
        super().step()
        self.step_seconds.append(time.perf_counter() - t0)
        if self.week >= self.horizon:
            self.running = False

    def record(self) -> None:
        # the week's market, read before the children's arrays are compacted at the year's end
        try:
            self.market_now = market_week(self)
            self.market_history.append(self.market_now.summary())
        except Exception:  # never let a view's bookkeeping stop the model
            self.market_now = None
            self.market_history.append({})
        super().record()

    # ------------------------------------------------------------------ views' helpers
    def series(self) -> pd.DataFrame:
        return series_of(self)

    @property
    def date(self) -> str:
        return week_date(self.week)


def week_date(week: int) -> str:
    day = pd.Timestamp("2024-03-31") + pd.Timedelta(weeks=week)
    return day.strftime("%d %b %Y").lstrip("0")


def series_of(model: DashboardMarket) -> pd.DataFrame:
    """The weekly metrics so far (row k = after week k; row 0 = the start state) with the market record."""
    raw = model.datacollector.model_vars
    cols = {k: list(v) for k, v in raw.items()}
    n = min((len(v) for v in cols.values()), default=0)
    df = pd.DataFrame({k: v[:n] for k, v in cols.items()})
    hist = list(getattr(model, "market_history", []))[: max(n - 1, 0)]
    if hist:
        mh = pd.DataFrame(hist, index=range(1, len(hist) + 1))
        df = df.join(mh, how="left")
    df.index.name = "week"
    df["year"] = START_YEAR + df.index / WEEKS_PER_YEAR
    return df


@dataclass
class MarketWeek:
    """One week of the market: referrals, offers and bidding, per referred home."""

    week: int
    searching: int  # children searching this week
    referrals: int
    refused_price: int
    offers: int
    accepted: int
    contested: int  # homes where buyers bid against each other for a place
    home: np.ndarray  # referred homes
    home_la: np.ndarray
    referrals_per_home: np.ndarray
    vacancies: np.ndarray  # free places at the time of the clearing (approx.)
    buyers: np.ndarray  # distinct buyers (authorities or RCCs) referring to the home
    authorities: np.ndarray  # distinct authorities referring to the home
    quote_lo: np.ndarray
    quote_hi: np.ndarray

    @property
    def referrals_per_vacancy(self) -> float:
        v = self.vacancies.sum()
        return float(self.referrals_per_home.sum() / v) if v else float("nan")

    def summary(self) -> dict:
        return {
            "market_searching": self.searching,
            "market_referrals": self.referrals,
            "market_refused_price": self.refused_price,
            "market_offers": self.offers,
            "market_accepted": self.accepted,
            "market_contested_homes": self.contested,
            "market_referrals_per_vacancy": self.referrals_per_vacancy,
            "market_homes_several_buyers": int(np.count_nonzero(self.buyers >= 2)),
        }


def market_week(model: PlacementMarket) -> MarketWeek:
    r = model.last_referrals
    empty = np.zeros(0, np.int64)
    if r is None or getattr(r, "child", None) is None or len(r.child) == 0:
        n = int(getattr(r, "n_children", 0) or 0)
        return MarketWeek(model.week, n, 0, 0, 0, 0, 0, empty, empty, empty, empty, empty, empty, np.zeros(0), np.zeros(0))
    ch, homes = model.children, model.homes
    child = np.asarray(r.child)
    home = np.asarray(r.home)
    la = ch.la[child]
    customer = np.asarray(getattr(model, "customer", np.arange(model.n_la)))
    buyer = customer[la]
    hs, inv, counts = np.unique(home, return_inverse=True, return_counts=True)
    buyers = np.bincount(np.unique(np.c_[inv, buyer], axis=0)[:, 0], minlength=len(hs))
    auths = np.bincount(np.unique(np.c_[inv, la], axis=0)[:, 0], minlength=len(hs))
    quote = np.asarray(r.quote, float)
    qlo = np.full(len(hs), np.inf)
    qhi = np.full(len(hs), -np.inf)
    np.minimum.at(qlo, inv, quote)
    np.maximum.at(qhi, inv, quote)
    placed_now = (ch.status == HOME) & (ch.placed_week == model.week)
    taken = np.bincount(ch.home[placed_now], minlength=homes.n) if placed_now.any() else np.zeros(homes.n, np.int64)
    vac = np.maximum(homes.places - homes.occupied, 0) + taken
    return MarketWeek(
        week=model.week, searching=int(r.n_children), referrals=len(child), refused_price=int(r.refused_price),
        offers=int(r.offers), accepted=int(r.accepted), contested=int(r.contested_homes), home=hs,
        home_la=homes.la[hs], referrals_per_home=counts, vacancies=vac[hs], buyers=buyers, authorities=auths,
        quote_lo=qlo, quote_hi=qhi,
    )


# ---------------------------------------------------------------------------------- baselines

class BaselineRun:
    """The baseline scenario at a given scale, seed and length, run once in a background thread."""

    def __init__(self, scale: float, seed: int, years: int):
        self.key = (scale, seed, years)
        self.model: DashboardMarket | None = None
        self.error: str | None = None
        self.done = threading.Event()
        self._frame: pd.DataFrame | None = None
        self.thread = threading.Thread(target=self._run, name=f"baseline-{scale}-{seed}-{years}", daemon=True)
        self.thread.start()

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
        df = series_of(self.model)
        if self.done.is_set():
            self._frame = df
        return df


_BASELINES: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
MAX_BASELINES = 6


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
