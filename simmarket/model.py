"""PlacementMarket: the model. It holds the state and the agents, and runs the week's phases.

Read `step()` first: each line is one phase, in the order things happen (DESIGN.md), and each
phase is a module of simmarket.phases.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from functools import cached_property

import mesa
import numpy as np

from . import data, metrics, start
from .agents import Provider
from .data import REGIONS
from .data.paths import AuthorityPaths, regulation_dates
from .data.scaling import authorities_at_scale
from .invariants import begin, check
from .params import Scenario
from .phases import accounts, clearing, commissioning, demand, entry_exit, escalation, staffing
from .policy import PolicySchedule
from .state import Children, FlowBook, Homes, Owners
from .time import WEEKS_PER_YEAR, start_date

# one random stream per process; a new name goes last, so the streams before it keep their numbers
STREAMS = ("arrivals", "care", "staff", "market", "supply", "stock")
COMPACT_EVERY_WEEKS = 4  # drop the rows of children who have left care this often (speed)
TRANSFER_SCHEME_SETTLED_YEAR = 2024  # March 2024's UASC are placed as the mandatory scheme shares them (NAO25 1.13)


class PlacementMarket(mesa.Model):
    """England's children's residential care placement market, one step per week."""

    def __init__(self, params: Scenario | None = None, rng=None):
        super().__init__(rng=rng)
        # one stream per process, so a lever that changes one process leaves the others' random
        # numbers as they were: paired comparisons across scenarios are then much tighter
        self.streams = dict(zip(STREAMS, self.rng.spawn(len(STREAMS))))
        self.params = params or Scenario()
        self.week = 0
        self.horizon = self.params.run.years * WEEKS_PER_YEAR
        self.start_date = start_date(self.params.run.start_year)  # week 0: the market at this 31 March
        start.place_authorities(self)  # la_table, geo, n_la, region_of_la, la_scale, scale
        self.paths = AuthorityPaths.of(self.la_scale, self.params.run.start_year)  # exogenous children by year
        self.children, self.homes, self.owners = Children(capacity=120_000), Homes(), Owners()
        self.flows = FlowBook(self.horizon, self.n_la, len(REGIONS))
        self.providers: list[Provider] = []
        self.council_providers: dict[int, int] = {}
        self.rccs = []
        self.owner_books: deque = deque()  # owners' revenue and cost to date at each review, the last year's
        self.last_referrals = None  # the latest week's clearing (for the dashboard)
        self.timer: PhaseTimer | None = None  # set one to time each phase of step() (simmarket bench)
        start.build(self)
        self.policies = PolicySchedule(self)
        self.apply_policies()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.weekly_reporters())
        self.datacollector.collect(self)
        if self.params.run.check:
            begin(self)
            check(self)

    def step(self) -> None:
        """One week, in the order things happen (each phase runs through `phase`, which can time it)."""
        phase = self.phase
        phase(self.tidy)
        phase(demand.arrive_and_leave, self)          # 1 children enter care, placements end and break down
        phase(staffing.staff_homes, self)             # 2 staff and managers come and go
        phase(commissioning.commission_blocks, self)  # 3 block contracts, each April
        phase(clearing.refer_and_place, self)         # 4 referrals, offers, prices, placements
        phase(escalation.escalate, self)              # 5 unregistered settings
        phase(accounts.settle_accounts, self)         # 6 money,
        phase(entry_exit.enter_and_exit, self)        #   homes close, open and are planned
        phase(self.record)                            # 7 metrics,
        self.week += 1
        phase(self.apply_policies)                    #   and next week's policies
        if self.params.run.check:
            phase(check, self)

    def phase(self, fn, *args) -> None:
        """Run one phase of the week; with a timer attached, also time it."""
        if self.timer is None:
            fn(*args)
        else:
            self.timer.run(fn, *args)

    def tidy(self) -> None:
        """Drop the rows of children who have left care, every few weeks, before the week starts
        (so last week's referrals stay valid until now)."""
        if self.week % COMPACT_EVERY_WEEKS == 0:
            self.children.compact()

    def record(self) -> None:
        """The week's flags and the weekly metrics (the dashboard extends this); the week's View
        measures the flags with the rest of the stock the weekly metrics then read."""
        view = metrics.weekly_view(self)
        self.flows.record_week(self.week, view.la_over_10k, view.la_unregistered)
        self.datacollector.collect(self)

    def apply_policies(self) -> None:
        """Cooperatives admit members and run their hubs; policy levers switch on at their weeks."""
        for rcc in self.rccs:
            rcc.admit_members()
            rcc.run_foster_hub()
        self.policies.apply(self.week)

    def run_weeks(self, weeks: int) -> None:
        for _ in range(weeks):
            self.step()

    # ------------------------------------------------------------------ wiring for the phases
    @cached_property
    def pop_0_17(self) -> np.ndarray:
        """Children (0-17) by authority: read from the authorities' table once (entrants use it weekly)."""
        return self.la_table["pop_0_17"].to_numpy(float)

    @cached_property
    def uasc_weights(self) -> np.ndarray:
        """Share of UASC arrivals each simulated authority looks after (read once; drawn from weekly)."""
        return data.uasc_weights(self.la_table)

    @cached_property
    def uasc_weights_after_transfer(self) -> np.ndarray:
        """The shares once the national transfer scheme is mandatory: March 2024's (after it)."""
        if self.params.run.start_year >= TRANSFER_SCHEME_SETTLED_YEAR:
            return self.uasc_weights
        return data.uasc_weights(authorities_at_scale(self.la_scale, TRANSFER_SCHEME_SETTLED_YEAR)[0])

    def uasc_weights_at(self, week: int) -> np.ndarray:
        """Where this week's unaccompanied arrivals are looked after: as at the start until the
        national transfer scheme became mandatory (December 2021), then as after it."""
        return self.uasc_weights_after_transfer if week >= self.regulation_weeks["transfer_scheme"] else self.uasc_weights

    @cached_property
    def regulation_weeks(self) -> dict[str, int]:
        """The first simulated week on or after each regulation date (data/exogenous.toml);
        negative if it came before the start."""
        return {k: -(-(d - self.start_date).days // 7) for k, d in regulation_dates().items()}

    def new_provider(self, name: str, sector: int) -> Provider:
        """A new owning organisation: a row in the owners table and its Provider agent."""
        return self.providers[self.new_providers([name], [sector])[0]]

    def new_providers(self, names: list[str], sectors) -> np.ndarray:
        """New owning organisations at once (one table append; the same pricing draws, in order,
        as one at a time). Returns their indices (rows of the owners table, as of providers)."""
        if not names:
            return np.zeros(0, np.int64)
        factor = self.streams["supply"].lognormal(0, self.params.pricing.price_noise_sd, len(names))
        idx = self.owners.add(sector=np.asarray(sectors, np.int64), price_factor=factor)
        self.providers.extend(Provider(self, i, name) for i, name in zip(idx.tolist(), names))
        return idx


class PhaseTimer:
    """Seconds spent in each phase of the week, summed over the weeks run (attach as model.timer).

    A phase is named by its module (`demand`, `clearing`...) or, for the model's own steps, by its
    method (`tidy`, `record`...).
    """

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    def run(self, fn, *args) -> None:
        t0 = time.perf_counter()
        fn(*args)
        self.seconds[phase_name(fn)] += time.perf_counter() - t0

    def table(self, weeks: int) -> list[tuple[str, float, float, float]]:
        """(phase, seconds, ms per week, share of the weeks' time), slowest first."""
        total = sum(self.seconds.values()) or 1.0
        weeks = max(weeks, 1)
        return [(name, s, 1e3 * s / weeks, s / total)
                for name, s in sorted(self.seconds.items(), key=lambda kv: -kv[1])]


def phase_name(fn) -> str:
    """A phase's name in the timing table: its module for a phase function, else its own name."""
    if hasattr(fn, "__self__"):
        return fn.__name__
    return fn.__module__.rpartition(".")[2] if fn.__module__.startswith(__package__ + ".phases") else fn.__name__
