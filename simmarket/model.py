"""PlacementMarket: the model. It holds the state and the agents, and runs the week's phases.

Read `step()` first: each line is one phase, in the order things happen (DESIGN.md), and each
phase is a module of simmarket.phases.
"""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from . import metrics, start
from .agents import Provider
from .data import REGIONS
from .invariants import begin, check
from .params import Scenario
from .phases import accounts, clearing, commissioning, demand, entry_exit, escalation, staffing
from .policy import PolicySchedule
from .state import Children, FlowBook, Homes, Owners
from .time import WEEKS_PER_YEAR

STREAMS = ("arrivals", "care", "staff", "market", "supply")
COMPACT_EVERY_WEEKS = 4  # drop the rows of children who have left care this often (speed)


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
        start.place_authorities(self)  # la_table, geo, n_la, region_of_la, la_scale, scale
        self.children, self.homes, self.owners = Children(capacity=120_000), Homes(), Owners()
        self.flows = FlowBook(self.horizon, self.n_la, len(REGIONS))
        self.providers: list[Provider] = []
        self.council_providers: dict[int, int] = {}
        self.rccs = []
        self.owner_books: deque = deque()  # owners' revenue and cost to date at each review, the last year's
        self.last_referrals = None  # the latest week's clearing (for the dashboard)
        start.build(self)
        self.policies = PolicySchedule(self)
        self.apply_policies()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.weekly_reporters())
        self.datacollector.collect(self)
        if self.params.run.check:
            begin(self)
            check(self)

    def step(self) -> None:
        """One week, in the order things happen."""
        self.tidy()
        demand.arrive_and_leave(self)          # 1 children enter care, placements end and break down
        staffing.staff_homes(self)             # 2 staff and managers come and go
        commissioning.commission_blocks(self)  # 3 block contracts, each April
        clearing.refer_and_place(self)         # 4 referrals, offers, prices, placements
        escalation.escalate(self)              # 5 unregistered settings
        accounts.settle_accounts(self)         # 6 money,
        entry_exit.enter_and_exit(self)        #   homes close, open and are planned
        self.record()                          # 7 metrics,
        self.week += 1
        self.apply_policies()                  #   and next week's policies
        if self.params.run.check:
            check(self)

    def tidy(self) -> None:
        """Drop the rows of children who have left care, every few weeks, before the week starts
        (so last week's referrals stay valid until now)."""
        if self.week % COMPACT_EVERY_WEEKS == 0:
            self.children.compact()

    def record(self) -> None:
        """The week's flags and the weekly metrics (the dashboard extends this)."""
        self.flows.record_week(self.week, self.children)
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
    def new_provider(self, name: str, sector: int) -> Provider:
        """A new owning organisation: a row in the owners table and its Provider agent."""
        factor = float(self.streams["supply"].lognormal(0, self.params.pricing.price_noise_sd))
        idx = int(self.owners.add(sector=np.array([sector]), price_factor=np.array([factor]))[0])
        p = Provider(self, idx, name)
        self.providers.append(p)
        return p
