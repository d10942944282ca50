"""The policy levers and commissioning arrangements in force: one object, read by the phases.

Neutral values mean no policy. The schedule (policy.schedule) and cooperatives change them at
their start weeks; the scenario's parameters never change during a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMMISSIONING_ARRAYS = ("radius_miles", "radius_growth_per_week", "wtp_multiple", "urgent_wtp_multiple",
                        "wtp_growth_per_week", "distance_weight_gbp_per_mile", "block_share", "block_margin")  # [commissioning] keys held per authority


@dataclass
class Levers:
    """Levers in force this week (scalars) and each authority's commissioning arrangements (arrays)."""

    # staffing rates in force (a workforce package raises hiring and lowers turnover)
    hire_per_week: float
    turnover_per_year: float
    manager_hire_per_week: float
    profit_cap: float  # cap on the margin charged above cost (1 = none)
    # per authority
    customer: np.ndarray  # who buys for each authority: itself, or its cooperative as one customer
    rcc_of_la: np.ndarray  # cooperative index (-1: none)
    council_pool: np.ndarray  # customer number of the cooperative running the authority's council homes (-1: none)
    foster_pool: np.ndarray  # customer number of the cooperative running the authority's fostering (-1: none)
    wtp_cap: np.ndarray  # price benchmark: highest multiple of reference cost paid
    urgent_at_once: np.ndarray  # urgent cases go to an unregistered setting at once
    foster_hub: np.ndarray  # multiplies foster capacity (a cooperative's recruitment hub)
    unreg_limit: np.ndarray  # weeks of search before an unregistered setting
    duty_held: np.ndarray  # a cooperative holds the sufficiency duty (its search limit, not the authority's)
    shaping: np.ndarray  # share of entry in its cooperative's area steered by the cooperative's market shaping
    # each authority's commissioning: [commissioning]'s values, or its [[commissioning.local]] table's from its week
    radius_miles: np.ndarray  # first week's search radius
    radius_growth_per_week: np.ndarray
    wtp_multiple: np.ndarray  # first week's price ceiling over the benchmark cost
    urgent_wtp_multiple: np.ndarray
    wtp_growth_per_week: np.ndarray
    distance_weight_gbp_per_mile: np.ndarray  # price it trades for a mile when choosing between offers
    forward_plan: np.ndarray  # has a forward sufficiency plan: reserves blocks each April
    block_share: np.ndarray  # share of its children in homes it reserves in blocks
    block_margin: np.ndarray  # margin agreed in its block contracts
    oversight_factor: float = 1.0  # multiplies owners' failure hazard
    orderly_transfer: bool = False  # a failed owner's homes pass to a successor
    foster_policy: float = 1.0  # multiplies foster capacity (national recruitment)
    prevention_factor: float = 1.0  # multiplies entries to care and residential need
    planning_refusal_factor: float = 1.0
    planning_need_weight: float = 0.0  # weight of need (vs returns) in where homes are built
    unreg_detection: float = 0.0  # weekly chance an unregistered setting is found and shut
    unreg_fine_per_week: float = 0.0  # expected fines, added to unregistered settings' price
    unreg_extra_weeks: float = 0.0  # deterrence: extra weeks of search before an unregistered setting

    @classmethod
    def neutral(cls, params, unreg_limit: np.ndarray, forward_plan: np.ndarray | None = None) -> "Levers":
        """No policy in force: the scenario's own rates, every authority buying for itself and
        commissioning as [commissioning] says (forward_plan: which authorities plan; default none)."""
        n = len(unreg_limit)
        wf, cm = params.workforce, params.commissioning
        national = {k: np.full(n, float(getattr(cm, k))) for k in COMMISSIONING_ARRAYS}
        return cls(
            hire_per_week=wf.hire_per_week, turnover_per_year=wf.turnover_per_year,
            manager_hire_per_week=wf.manager_hire_per_week, profit_cap=params.pricing.profit_cap,
            customer=np.arange(n), rcc_of_la=np.full(n, -1), council_pool=np.full(n, -1), foster_pool=np.full(n, -1),
            wtp_cap=np.full(n, np.inf),
            urgent_at_once=np.ones(n, bool), foster_hub=np.ones(n), unreg_limit=np.asarray(unreg_limit, float),
            duty_held=np.zeros(n, bool), shaping=np.zeros(n),
            forward_plan=np.zeros(n, bool) if forward_plan is None else np.asarray(forward_plan, bool).copy(),
            **national,
        )

    def commission_locally(self, la: np.ndarray, settings: dict, limit_spread: np.ndarray,
                           plan_draw: np.ndarray) -> None:
        """Authorities `la` commission with their own values from now on ([[commissioning.local]]).

        limit_spread, plan_draw: every authority's own spread of its search limit and its start draw
        for a forward plan (agents.LocalAuthority), so a local value equal to the national one changes
        nothing. A cooperative holding the duty keeps its own search limit for its members.
        """
        for key, value in settings.items():
            if key == "unregistered_after_weeks":
                own = la[~self.duty_held[la]]
                self.unreg_limit[own] = value * limit_spread[own]
            elif key == "forward_plan_share":
                self.forward_plan[la] = plan_draw[la] < value
            else:
                getattr(self, key)[la] = value

    def join_cooperative(self, la: np.ndarray, rcc_index: int, customer_id: int, rcc) -> None:
        """Authorities join a cooperative: its rules (one customer, benchmark, duty) apply to them."""
        if rcc.one_customer:
            self.customer[la] = customer_id
        self.rcc_of_la[la] = rcc_index
        if rcc.runs_council_homes:
            self.council_pool[la] = customer_id
        if rcc.runs_fostering:
            self.foster_pool[la] = customer_id
        if rcc.price_benchmark > 0:
            self.wtp_cap[la] = rcc.price_benchmark
        self.shaping[la] = rcc.market_shaping
        if rcc.holds_duty:
            self.duty_held[la] = True
            self.unreg_limit[la] = rcc.duty_unregistered_after_weeks
            self.urgent_at_once[la] = False

    def set_foster_hub(self, la: np.ndarray, factor: np.ndarray) -> None:
        self.foster_hub[la] = factor
