"""The decision makers: local authorities and providers (Mesa agents).

Children and homes are rows in arrays owned by the model; agents decide for their own rows.
"""

from __future__ import annotations

import mesa
import numpy as np

from .supply import ACTIVE, COUNCIL, PRIVATE, VOLUNTARY

# NAO25 2.4: seven of the ten largest owners are owned or part-funded by private equity with
# high debt. We treat owners of this many homes or more as highly indebted.
INDEBTED_MIN_HOMES = 20


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
        self.unregistered_after_weeks = model.params.commissioning.unregistered_after_weeks

    def plan_blocks(self) -> None:
        """Reserve a share of expected need in nearby homes for a year at an agreed price."""
        m = self.model
        share = m.params.commissioning.block_share
        if not self.forward_plan or share <= 0:
            return
        expected = np.count_nonzero((m.children.la == self.index) & m.in_home_mask())
        wanted = int(round(share * expected))
        if wanted <= 0:
            return
        homes = m.homes
        candidates = np.flatnonzero(
            (homes.state == ACTIVE) & (homes.block_la < 0) & (homes.sector != COUNCIL) & ~homes.secure
            & (homes.places - homes.occupied > 0) & homes.manager
        )
        if len(candidates) == 0:
            return
        dist = np.hypot(homes.x[candidates] - m.geo.x[self.index], homes.y[candidates] - m.geo.y[self.index])
        for h in candidates[np.argsort(dist, kind="stable")]:
            if wanted <= 0:
                break
            k = min(wanted, int(homes.places[h] - homes.occupied[h]))
            homes.block_la[h] = self.index
            homes.block_places[h] = k
            homes.block_price[h] = m.block_price(h)
            wanted -= k


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
        if m.rng.random() < hazard:
            self.failed = True
            m.close_homes(np.flatnonzero((m.homes.owner == self.index) & (m.homes.state == ACTIVE)), "owner failure")
