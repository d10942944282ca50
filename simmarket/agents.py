"""The decision makers (Mesa agents): local authorities, providers and regional care cooperatives.

Children and homes are rows in the model's column stores; agents decide, and act through the
phase functions (commissioning, capital, entry and exit) and the levers in force.
"""

from __future__ import annotations

import mesa
import numpy as np

from .phases.capital import open_council_home
from .phases.commissioning import reserve_places, transfer_blocks, underwrite_homes
from .phases.accounts import REVIEWS_PER_YEAR
from .phases.entry_exit import fail_owner
from .state import HOME, PIPELINE, UNREG, WAITING
from .time import ramp

# NAO25 2.4: seven of the ten largest owners are owned or part-funded by private equity with
# high debt. We treat owners of this many homes or more as highly indebted.
INDEBTED_MIN_HOMES = 20
LIMIT_SPREAD = 0.35  # log-sd of authorities' search limits around the scenario's mean (prior)
LOSS_FAILURE_MULTIPLIER = 4  # an indebted owner making losses fails four times as often (prior)
RCC_HOME_PLACES = 3  # a cooperative's new council homes have up to 3 places (prior: small homes)


class LocalAuthority(mesa.Agent):
    """An upper-tier authority with children's services: it refers, commissions and pays."""

    def __init__(self, model, index: int, row, plan_draw: float):
        super().__init__(model)
        self.index = index
        self.code = row["la_code"]
        self.name = row["la_name"]
        self.region = row["region"]
        self.plan_draw = plan_draw  # it has a forward plan while this is below the forward-plan share in force
        # authorities differ in how long they search before an unregistered setting
        self.limit_spread = float(model.rng.lognormal(-LIMIT_SPREAD**2 / 2, LIMIT_SPREAD))
        self.unregistered_after_weeks = model.params.commissioning.unregistered_after_weeks * self.limit_spread

    @property
    def forward_plan(self) -> bool:
        return bool(self.model.levers.forward_plan[self.index])

    def plan_blocks(self, in_homes: np.ndarray) -> None:
        """Reserve a share of expected need in nearby homes for a year at an agreed price.

        in_homes: children in children's homes by authority (the expected need is its own)."""
        m, lv, i = self.model, self.model.levers, self.index
        share = float(lv.block_share[i])
        if not lv.forward_plan[i] or share <= 0 or (lv.rcc_of_la[i] >= 0 and m.params.rcc.block_share > 0):
            return
        expected = int(in_homes[i])
        reserve_places(m, i, int(round(share * expected)), i, float(lv.block_margin[i]))


class Provider(mesa.Agent):
    """An owning organisation of children's homes: private, council, voluntary or health.

    Its state (sector, pricing, debt, failure) is row `index` of the model's owners table.
    """

    def __init__(self, model, index: int, name: str):
        super().__init__(model)
        self.index = index
        self.name = name
        self.revenue_12m = 0.0  # revenue and cost over the last twelve months (to the last review)
        self.cost_12m = 0.0

    @property
    def sector(self) -> int:
        return int(self.model.owners.sector[self.index])

    @property
    def indebted(self) -> bool:
        return bool(self.model.owners.indebted[self.index])

    @property
    def failed(self) -> bool:
        return bool(self.model.owners.failed[self.index])

    def review(self) -> None:
        """Every four weeks: an indebted owner may fail and close all its homes (disorderly exit),
        more often when its last twelve months' costs exceeded its revenue."""
        m = self.model
        if self.failed or not self.indebted:
            return
        hazard = m.params.supply.owner_failure_per_year * m.levers.oversight_factor / REVIEWS_PER_YEAR
        if self.revenue_12m < self.cost_12m:
            hazard *= LOSS_FAILURE_MULTIPLIER
        if m.streams["supply"].random() < hazard:
            fail_owner(m, self.index)


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
            transfer_blocks(m.homes, m.levers.customer[joining], self.customer_id)
        m.levers.join_cooperative(joining, self.index, self.customer_id, r)
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
            reserve_places(m, la, int(need), self.customer_id, r.block_margin)

    def secure_sufficiency(self) -> None:
        """With the sufficiency duty (2022 review), each April the cooperative secures places where
        its members' children are going without: for each member's children now waiting or in an
        unregistered setting, less the places already contracted in homes still being built there,
        it underwrites new homes with forward contracts (phases.commissioning.underwrite_homes)."""
        m, r = self.model, self.model.params.rcc
        members = self.active_members
        if not r.holds_duty or len(members) == 0:
            return
        ch, homes = m.children, m.homes
        unmet = np.bincount(ch.la[(ch.status == WAITING) | (ch.status == UNREG)], minlength=m.n_la)
        building = (homes.state == PIPELINE) & (homes.block_buyer == self.customer_id)
        coming = np.bincount(homes.la[building], weights=homes.block_places[building], minlength=m.n_la)
        underwrite_homes(m, members, (unmet - coming)[members], self.customer_id, r.block_margin)

    def shape_market(self) -> None:
        """Each April: commission council-run homes where members' children come from."""
        m, r = self.model, self.model.params.rcc
        members = self.active_members
        if r.capital_gbp_per_year <= 0 or len(members) == 0:
            return
        places = int(r.capital_gbp_per_year * m.scale // r.capital_cost_per_place_gbp)
        while places > 0:
            size = min(RCC_HOME_PLACES, places)
            open_council_home(m, size, "need", among=members)
            places -= size

    def run_foster_hub(self) -> None:
        """Regional recruitment raises members' foster capacity, ramping up after they join."""
        m, r = self.model, self.model.params.rcc
        if r.foster_uplift <= 0:
            return
        uplift = [1 + r.foster_uplift * ramp(m.week, int(jw), r.foster_ramp_weeks) for jw in self.join_week]
        m.levers.set_foster_hub(self.members, np.array(uplift))
