"""The dashboard's model: a PlacementMarket that SolaraViz can re-create from keyword arguments,
and that keeps a record of each week's market (referrals, offers, bidding) for the views."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from ..experiment import SeedSpec
from ..model import PlacementMarket
from ..time import START_DATE, decimal_year, week_date
from .levers import build_scenario, load_scenario, values_of
from .market_week import MarketWeek, market_week


class DashboardMarket(PlacementMarket):
    """A PlacementMarket made from keyword arguments, as Mesa's SolaraViz re-creates models on Reset.

    scenario_name: a shipped scenario name or a file; seed: root seed, the same stream as the
    first replicate of `simmarket run --seed SEED`; start_year: the March it starts from, if not the
    scenario's own; levers: dotted scenario keys and values.
    `scenario` is the Mesa scenario object SolaraViz passes on Reset; it carries nothing for us.
    """

    def __init__(self, scenario_name: str = "baseline", seed: int = 1, rng=None, scenario=None,
                 start_year: int | None = None, **levers):
        base = load_scenario(scenario_name)
        if start_year is not None:  # the scenario's behaviour from another March (the faint baseline's)
            base = base.replace(**{"run.start_year": int(start_year)})
        params, notes = build_scenario(base, levers)
        self.scenario_name = scenario_name
        self.scenario_values = values_of(base)  # the levers as the scenario file sets them
        self.seed = int(seed)
        self.notes = notes
        self.lever_values = values_of(params)
        self.market_history: list[dict] = []
        self.market_now: MarketWeek | None = None
        self.step_seconds: list[float] = []
        t0 = time.perf_counter()
        super().__init__(params, rng=rng if rng is not None else SeedSpec(self.seed, (0,)).rng())
        self.init_seconds = time.perf_counter() - t0
        self.running = self.week < self.horizon

    def step(self) -> None:
        t0 = time.perf_counter()
        super().step()
        self.step_seconds.append(time.perf_counter() - t0)
        self.running = self.week < self.horizon

    def record(self) -> None:
        """Also keep this week's market, read before the children's arrays are compacted."""
        self.market_now = market_week(self)
        self.market_history.append(self.market_now.summary())
        super().record()

    def series(self) -> pd.DataFrame:
        """The weekly metrics so far (row k = after week k; row 0 = the start state) with the market record."""
        cols = {k: list(v) for k, v in self.datacollector.model_vars.items()}
        n = min((len(v) for v in cols.values()), default=0)
        df = pd.DataFrame({k: v[:n] for k, v in cols.items()})
        hist = self.market_history[: max(n - 1, 0)]
        if hist:
            df = df.join(pd.DataFrame(hist, index=range(1, len(hist) + 1)), how="left")
        df.index.name = "week"
        df["year"] = decimal_year(df.index.to_numpy(), self.start_date)
        return df

    @property
    def date(self) -> str:
        return day_month_year(self.week, self.start_date)


def day_month_year(week: int, start: dt.date = START_DATE) -> str:
    """The date at the end of a simulated week of a run that starts at `start`, as '7 Apr 2024'."""
    d = week_date(week, start)
    return f"{d.day} {d:%b %Y}"
