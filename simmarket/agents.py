"""The decision makers: local authorities and providers (Mesa agents).

Children and homes are rows in arrays owned by the model; agents decide for their own rows.
"""

from __future__ import annotations

import mesa
import numpy as np

from .population import HOME, UNREG, WAITING
from .supply import ACTIVE, CLOSED, PIPELINE, PRIVATE, VOLUNTARY

# NAO25 2.4: seven of the ten largest owners are owned or part-funded by private equity with
# high debt. We treat owners of this many homes or more as highly indebted.
INDEBTED_MIN_HOMES = 20
LIMIT_SPREAD = 0.35  # log-sd of authorities' search limits around the scenario's mean (prior)


class LocalAuthority(mesa.Agent):
    """An upper-tier authority with children's services: it refers, commissions and pays."""

    def __init__(self, model, index: int, row, forward_plan: bool):
        super().__init__(model)
        self.index = index
        self.code = row["la_code"]
        self.name = row["la_name"]
        self.region = row["region"]
        self.budget_gbp = float(row["residential_spend_2024_25_gbp_k"]) * 1000
        self.forward_plan = forward_plan
        # authorities differ in how long they search before an unregistered setting
        self.unregistered_after_weeks = model.params.commissioning.unregistered_after_weeks * float(
            model.rng.lognormal(-LIMIT_SPREAD**2 / 2, LIMIT_SPREAD))

    def plan_blocks(self) -> None:
        """Reserve a share of expected need in nearby homes for a year at an agreed price."""
        m = self.model
        share = m.params.commissioning.block_share
        if not self.forward_plan or share <= 0 or (m.rcc_of_la[self.index] >= 0 and m.params.rcc.block_share > 0):
            return
        expected = np.count_nonzero((m.children.la == self.index) & (m.children.status == HOME))
        m.reserve_places(self.index, int(round(share * expected)), self.index,
                         m.params.commissioning.block_margin)


class Provider(mesa.Agent):
    """An owning organisation of children's homes: private, council, voluntary or health."""

    def __init__(self, model, index: int, name: str, sector: int, price_factor: float):
        super().__init__(model)
        self.index = index
        self.name = name
        self.sector = sector
        self.price_factor = price_factor
        self.indebted = False
        self.failed = False
        self.revenue_12m = 0.0
        self.cost_12m = 0.0

    @property
    def target_margin(self) -> float:
        pr = self.model.params.pricing
        margin = {PRIVATE: pr.target_margin_private, VOLUNTARY: pr.target_margin_voluntary}.get(self.sector, 0.0)
        return min(margin, pr.profit_cap)

    def review(self) -> None:
        """Monthly: an indebted owner may fail and close all its homes (disorderly exit)."""
        m = self.model
        if self.failed or not self.indebted:
            return
        hazard = m.params.supply.owner_failure_per_year * m.oversight_factor / 12
        if self.revenue_12m < self.cost_12m:
            hazard *= 4
        if m.streams["supply"].random() < hazard:
            self.failed = True
            m.providers_changed()
            homes = np.flatnonzero((m.homes.owner == self.index) & (m.homes.state != CLOSED))
            m.homes.state[homes[m.homes.state[homes] == PIPELINE]] = CLOSED  # projects abandoned
            homes = homes[m.homes.state[homes] == ACTIVE]
            if m.orderly_transfer:
                m.transfer_homes(homes)
            else:
                m.close_homes(homes, "owner failure")


class RegionalCareCooperative(mesa.Agent):
    """A regional care cooperative commissioning for its member authorities (NAO25 3.11-3.14).

    Its rules are switchable in the scenario's [rcc] section: one customer (coordinated
    referrals, no bidding between members), pooled forecasting and block contracts, price
    benchmarking, market shaping with capital, a foster-recruitment hub, and optionally the
    statutory sufficiency duty.
    """

    def __init__(self, model, index: int, name: str, members: np.ndarray, join_week: np.ndarray):
        super().__init__(model)
        self.index = index
        self.name = name
        self.members = members  # authority indices
        self.join_week = join_week
        self.customer_id = model.n_la + index
        self.places_commissioned = 0

    @property
    def active_members(self) -> np.ndarray:
        return self.members[self.join_week <= self.model.week]

    def admit_members(self) -> None:
        """Members whose join week has come start commissioning through the cooperative."""
        m, r = self.model, self.model.params.rcc
        joining = self.members[self.join_week == m.week]
        if len(joining) == 0:
            return
        if r.one_customer:
            old = m.customer[joining]
            m.customer[joining] = self.customer_id
            m.homes.block_la[np.isin(m.homes.block_la, old)] = self.customer_id
        m.rcc_of_la[joining] = self.index
        if r.price_benchmark > 0:
            m.wtp_cap[joining] = r.price_benchmark
        if r.holds_duty:
            m.unreg_limit[joining] = r.duty_unregistered_after_weeks
            m.radius_factor[joining] = 2.0
            m.urgent_at_once[joining] = False
        if r.block_share > 0:
            self.plan_blocks()

    def plan_blocks(self) -> None:
        """Pooled forecast: reserve a share of members' expected need in homes near them."""
        m, r = self.model, self.model.params.rcc
        members = self.active_members
        if r.block_share <= 0 or len(members) == 0:
            return
        ch = m.children
        demand = np.bincount(ch.la[(ch.status == HOME) | (ch.status == WAITING) | (ch.status == UNREG)],
                             minlength=m.n_la)[members]
        for la, need in zip(members, np.round(r.block_share * demand).astype(int)):
            m.reserve_places(la, int(need), self.customer_id, r.block_margin)

    def shape_market(self) -> None:
        """Each April: commission council-run homes where members' children come from."""
        m, r = self.model, self.model.params.rcc
        members = self.active_members
        if r.capital_gbp_per_year <= 0 or len(members) == 0:
            return
        places = int(r.capital_gbp_per_year * m.params.run.scale // r.capital_cost_per_place_gbp)
        while places > 0:
            size = min(3, places)
            m.open_council_home(size, "need", among=members)
            places -= size
            self.places_commissioned += size

    def foster_hub(self) -> None:
        """Regional recruitment raises members' foster capacity, ramping up after they join."""
        m, r = self.model, self.model.params.rcc
        if r.foster_uplift <= 0:
            return
        from .policies import ramp

        for la, jw in zip(self.members, self.join_week):
            m.foster_hub[la] = 1 + r.foster_uplift * ramp(m.week, int(jw), r.foster_ramp_weeks)
