"""PlacementMarket: the model, its start state (31 March 2024) and the seven weekly phases."""

from __future__ import annotations

import mesa
import numpy as np

from . import data, metrics
from .agents import INDEBTED_MIN_HOMES, LocalAuthority, Provider, RegionalCareCooperative
from .config import REGIONS, Scenario
from .geography import Geography, miles
from .market import care_cost, clear, property_cost, rank_within, staff_need, wage
from .policies import PolicySchedule, rcc_membership
from .population import FOSTER, GONE, HOME, SUPPORTED, UNREG, WAITING, Children, draw_needs, popcount
from .supply import ACTIVE, CLOSED, COUNCIL, PIPELINE, PRIVATE, SECTOR_CODES, VOLUNTARY, Homes, draw_home_traits, update_staffing

WEEKS_PER_YEAR = 52
STREAMS = ("arrivals", "care", "staff", "market", "supply")
INITIAL_MATCH_ROUNDS = 30  # search weeks allowed to place the March 2024 stock
INITIAL_STAFFING = 0.9  # share of target staff in post at the start (prior)
INITIAL_MANAGER_SHARE = 0.82  # homes with a registered manager, March 2024 (NAO25 2.14: 81% in 2025)
NEW_ENTRANT_SHARE = 0.5  # share of private new homes opened by a new organisation (prior)
PROFIT_SMOOTHING = 1 / 13  # weekly weight of the profit average (about a quarter)
COMPACT_EVERY_WEEKS = 4  # drop the rows of children who have left care this often
UNREG_BAR_WEEKS = 4  # after enforcement shuts a setting, weeks the authority must seek a registered place


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
        self.la_table = data.load_authorities()
        self.geo = Geography.from_authorities(self.la_table)
        self.n_la = self.geo.n
        self.region_of_la = self.geo.region
        # levers that policies and cooperatives adjust (neutral values = no policy)
        self.oversight_factor = 1.0
        self.orderly_transfer = False
        self.foster_policy = 1.0
        self.prevention_factor = 1.0
        self.planning_refusal_factor = 1.0
        self.planning_need_weight = 0.0
        self.unreg_detection = 0.0
        self.unreg_fine_per_week = 0.0
        self.unreg_extra_weeks = 0.0
        n = self.n_la
        self.customer = np.arange(n)  # who buys for each authority (an RCC makes its members one)
        self.rcc_of_la = np.full(n, -1)
        self.wtp_cap = np.full(n, np.inf)  # benchmark: highest multiple of reference cost paid
        self.radius_factor = np.ones(n)
        self.urgent_at_once = np.ones(n, bool)
        self.foster_hub = np.ones(n)
        self.council_providers: dict[int, int] = {}
        self._use_cache: dict[int, np.ndarray] | None = None
        self.flows = metrics.FlowBook(self.horizon, self.n_la, len(REGIONS))
        self.last_referrals = None
        self.children = Children(capacity=120_000)
        self.homes = Homes()
        self.providers: list[Provider] = []
        self._provider_table: dict[str, list] = {"sector": [], "failed": [], "indebted": []}
        self._create_authorities()
        self._create_homes()
        self._create_children()
        self._seed_pipeline()
        self._create_cooperatives()
        self.policies = PolicySchedule(self)
        self.apply_policies()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.weekly_reporters())
        self.datacollector.collect(self)
        if self.params.run.check:
            from .invariants import begin, check
            begin(self)
            check(self)

    # ------------------------------------------------------------------ start state
    def _create_authorities(self) -> None:
        forward = self.rng.random(self.n_la) < self.params.commissioning.forward_plan_share
        self.authorities = [LocalAuthority(self, i, row, bool(forward[i])) for i, row in self.la_table.iterrows()]
        s = self.params.run.scale
        cols = self.la_table
        self.foster_base = cols["cla_foster_2024"].to_numpy(float) * s
        self.supported_base = cols["cla_supported_accommodation_2024"].to_numpy(float) * s
        self.cla_total = cols["cla_total_2024"].to_numpy(float) * s
        self.unreg_limit = np.array([a.unregistered_after_weeks for a in self.authorities], float)

    def _create_homes(self) -> None:
        rng, s = self.rng, self.params.run.scale
        start = data.start_homes()
        copies = np.floor(s).astype(int) + (rng.random(len(start)) < s - np.floor(s))
        start = start.loc[start.index.repeat(copies)].reset_index(drop=True)
        owners = sorted(start["owner"].unique())
        owner_sector = start.drop_duplicates("owner").set_index("owner")["sector"]
        for name in owners:
            self._new_provider(name, SECTOR_CODES[owner_sector[name]])
        owner_idx = {p.name: p.index for p in self.providers}
        homes_per_owner = start["owner"].value_counts()
        for p in self.providers:
            p.indebted = p.sector == PRIVATE and homes_per_owner.get(p.name, 0) >= INDEBTED_MIN_HOMES
        self.providers_changed()
        # only highly indebted owners can fail (agents.Provider.review); entrants start debt-free
        self.indebted_providers = self.agents_by_type[Provider].select(lambda p: p.indebted)
        la = self.geo.index_of(start["la_code"])
        x, y = self.geo.points_in(la, rng)
        n = len(start)
        places = start["places"].to_numpy(np.int64)
        secure = (start["provision_type"] == "secure_childrens_home").to_numpy()
        places = np.where(secure, np.round(places * self.params.supply.secure_capacity_multiplier), places).astype(np.int64)
        owner = np.array([owner_idx[o] for o in start["owner"]])
        target = np.ceil(places * self.params.workforce.staff_per_place_target).astype(np.int64)
        self.homes.add(
            la=la, x=x, y=y, places=places, sector=start["sector"].map(SECTOR_CODES).to_numpy(),
            secure=secure, owner=owner, state=ACTIVE, open_week=-1,
            staff=rng.binomial(target, INITIAL_STAFFING), manager=rng.random(n) < INITIAL_MANAGER_SHARE,
            price_factor=self._provider_factor(owner) * rng.lognormal(0, self.params.pricing.price_noise_sd / 2, n),
            **draw_home_traits(rng, n),
        )
        # vacancies began in the past: geometric durations so far, shorter than the closure limit
        # (homes with longer vacancies would already have closed)
        vacant = ~self.homes.manager[:n]
        p = self.params.workforce.manager_hire_per_week
        limit = self.params.supply.closure_no_manager_weeks - 1
        u = rng.random(vacant.sum()) * (1 - (1 - p) ** limit)
        so_far = np.ceil(np.log1p(-u) / np.log1p(-p)) if 0 < p < 1 else np.zeros(vacant.sum())
        self.homes.no_manager_since[: n][vacant] = 1 - np.clip(so_far, 1, limit).astype(np.int64)
        self.homes.max_complexity[: n][secure] = 2
        self.homes.dol_ok[: n][secure] = True

    def _new_provider(self, name: str, sector: int) -> Provider:
        factor = float(self.streams["supply"].lognormal(0, self.params.pricing.price_noise_sd))
        p = Provider(self, len(self.providers), name, sector, factor)
        self.providers.append(p)
        for attr, col in self._provider_table.items():
            col.append(getattr(p, attr))
        return p

    def _provider_factor(self, owner: np.ndarray) -> np.ndarray:
        return np.array([self.providers[o].price_factor for o in owner])

    def _create_children(self) -> None:
        """The March 2024 stock: foster and supported placements, then homes by matching."""
        rng, cols, s = self.rng, self.la_table, self.params.run.scale
        n_la = self.n_la
        foster = rng.poisson(self.foster_base) if s != 1 else self.foster_base.astype(int)
        la = np.repeat(np.arange(n_la), foster)
        self._add_children(la, _draw_ages(rng, len(la), FOSTER_AGES), status=FOSTER)
        sa = rng.poisson(self.supported_base) if s != 1 else self.supported_base.astype(int)
        la = np.repeat(np.arange(n_la), sa)
        self._add_children(la, 16 + 2 * rng.random(len(la)), status=SUPPORTED)
        homes_n = cols["cla_childrens_homes_2024"].to_numpy(float) * s
        homes_n = rng.poisson(homes_n) if s != 1 else homes_n.astype(int)
        la = np.repeat(np.arange(n_la), homes_n)
        idx = self._add_children(la, _draw_ages(rng, len(la), HOME_AGES), status=WAITING, residential=True)
        self.children.need_since[idx] = 0
        ch = self.children
        ch.start1[idx] = -rng.integers(1, 104, len(idx))
        ch.start2[idx] = np.where(rng.random(len(idx)) < 0.3, ch.start1[idx] - rng.integers(1, 52, len(idx)), -10**6)
        self._place_initial_stock(idx)

    def _place_initial_stock(self, idx: np.ndarray) -> None:
        """Place the March 2024 stock through the market, widening the search round by round.

        The stock built up over years, the hardest placements first into the homes equipped for
        them, so the most complex children are matched first, each group over several rounds.
        """
        ch, homes = self.children, self.homes
        in_post = homes.staff.copy()
        homes.staff[:] = np.ceil(homes.places * self.params.workforce.staff_per_place_target)  # staffed for their residents
        for level in (2, 1, 0):
            group = idx[ch.complexity[idx] == level]
            for r in range(INITIAL_MATCH_ROUNDS):
                waiting = group[ch.status[group] == WAITING]
                if len(waiting) == 0:
                    break
                ch.need_since[waiting] = -r
                self._match(waiting, record=False)
        homes.staff[:] = np.maximum(in_post, np.ceil(homes.staff_used - 1e-9))
        ch.need_since[idx[ch.status[idx] == WAITING]] = 0
        ch.placed_week[idx[ch.status[idx] == HOME]] = -1

    def _add_children(self, la, age, status, residential=False, uasc=False, emergency=None, rng=None) -> np.ndarray:
        rng, d = rng or self.rng, self.params.demand
        n = len(la)
        x, y = self.geo.points_in(la, rng)
        comp, needs, dol, secure = draw_needs(rng, n, d.complexity_shares, d.need_type_probs, d.dol_share, d.secure_share)
        if not residential:
            comp = np.minimum(comp, 1)
            dol[:] = False
            secure[:] = False
        if emergency is None:
            emergency = residential & (rng.random(n) < d.emergency_share)
        idx = self.children.add(
            la=la, age=age, x=x, y=y, complexity=comp, needs=needs, dol=dol, secure=secure, uasc=uasc,
            emergency=emergency, residential=residential, status=status,
        )
        return idx

    def _seed_pipeline(self) -> None:
        """Homes already in planning or registration at the start: the entry mechanism, run back."""
        sup = self.params.supply
        for w in range(-sup.registration_weeks_max - 8, 0):
            self._start_projects(w)

    def _create_cooperatives(self) -> None:
        self.rccs: list[RegionalCareCooperative] = []
        if self.params.rcc.membership == "none":
            return
        ms = rcc_membership(self.params)
        for i, name in enumerate(ms.names):
            members = np.flatnonzero(ms.coop == i)
            if len(members):
                self.rccs.append(RegionalCareCooperative(self, i, name, members, ms.join_week[members]))

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week, in the order things happen (DESIGN.md)."""
        if self.week % COMPACT_EVERY_WEEKS == 0:
            self.children.compact()  # before the week, so last week's referral indices stay valid until now
        self.arrive_and_leave()       # 1 demand, endings, breakdowns
        self.staff_homes()            # 2 staffing
        self.commission_blocks()      # 3 block contracts
        self.refer_and_place()        # 4 referrals, offers, prices
        self.escalate()               # 5 unregistered settings
        self.settle_accounts()        # 6 money,
        self.enter_and_exit()         #   entry and closure
        self.record()                 # 7 metrics,
        self.week += 1
        self.apply_policies()         #   and next week's policies
        if self.params.run.check:
            from .invariants import check
            check(self)

    # 1 ----------------------------------------------------------------------------------
    def arrive_and_leave(self) -> None:
        ch, d, rng = self.children, self.params.demand, self.streams["care"]
        ch.age[:] += 1 / WEEKS_PER_YEAR
        in_care = ch.status != GONE
        self._leave_care(np.flatnonzero(in_care & (ch.age >= 18)), "turned 18")
        # fostered children: leaving care and coming to need a home are competing risks
        foster = np.flatnonzero(ch.status == FOSTER)
        u = rng.random(len(foster))
        p_exit = d.foster_exit_per_year / 52
        p_home = d.residential_need_per_year * self.need_factor() / 52
        eligible = (ch.age[foster] >= 11) & ~ch.uasc[foster]
        need_home = foster[(u >= p_exit) & (u < p_exit + p_home) & eligible]
        supported = np.flatnonzero(ch.status == SUPPORTED)
        leaving = np.concatenate([foster[u < p_exit],
                                  supported[rng.random(len(supported)) < d.supported_exit_per_year / 52]])
        self._leave_care(leaving, "left foster or supported care")
        self._use_cache = None
        self._end_home_placements()
        self._break_down()
        self._foster_to_residential(need_home)
        self._use_cache = None
        self._new_entrants()
        self._use_cache = None

    def _leave_care(self, idx: np.ndarray, reason: str) -> None:
        if len(idx) == 0:
            return
        ch = self.children
        self._vacate(idx[ch.status[idx] == HOME])
        self.flows.add_la("exits", self.week, ch.la[idx])
        ch.status[idx] = GONE
        ch.need_since[idx] = -1

    def _vacate(self, idx: np.ndarray) -> None:
        """Children leave their homes: free the places and staff."""
        if len(idx) == 0:
            return
        ch, homes = self.children, self.homes
        np.subtract.at(homes.occupied, ch.home[idx], 1)
        np.subtract.at(homes.staff_used, ch.home[idx], self._staff_need(idx))
        ch.home[idx] = -1
        ch.price[idx] = 0.0
        ch.block[idx] = False

    def _staff_need(self, idx):
        ch = self.children
        return staff_need(ch.complexity[idx], ch.dol[idx], self.params.workforce.staff_per_child)

    def _end_home_placements(self) -> None:
        ch, d, rng = self.children, self.params.demand, self.streams["care"]
        placed = np.flatnonzero(ch.status == HOME)
        ending = placed[rng.random(len(placed)) < d.home_exit_per_year / 52]
        if len(ending) == 0:
            return
        step_down = rng.random(len(ending)) < d.step_down_share
        older = ch.age[ending] >= 16
        to_sa = self._fit_capacity(ending[step_down & older], self._supported_capacity(), SUPPORTED)
        to_f = self._fit_capacity(ending[step_down & ~older], self._foster_capacity(), FOSTER)
        moved = np.concatenate([to_sa, to_f])
        self._vacate(moved)
        ch.status[to_sa] = SUPPORTED
        ch.status[to_f] = FOSTER
        ch.residential[moved] = False
        ch.record_start(moved, self.week)
        leave = ending[~step_down]
        self._leave_care(leave, "planned ending")

    def _in_use(self, status: int) -> np.ndarray:
        """Foster or supported places in use by authority (counted once, then kept up to date)."""
        if self._use_cache is None:
            ch = self.children
            counts = np.bincount(ch.status * self.n_la + ch.la, minlength=6 * self.n_la).reshape(6, self.n_la)
            self._use_cache = {FOSTER: counts[FOSTER].copy(), SUPPORTED: counts[SUPPORTED].copy()}
        return self._use_cache[status]

    def _fit_capacity(self, idx: np.ndarray, capacity: np.ndarray, status: int) -> np.ndarray:
        """The children (in order) who find a free place of this kind in their authority; the
        caller gives them that status."""
        if len(idx) == 0:
            return idx
        ch = self.children
        used = self._in_use(status)
        free = np.maximum(np.floor(capacity) - used, 0).astype(np.int64)
        la = ch.la[idx]
        order = np.argsort(la, kind="stable")
        rank = np.empty(len(idx), np.int64)
        rank[order] = rank_within(la[order])
        chosen = idx[rank < free[la]]
        used += np.bincount(ch.la[chosen], minlength=self.n_la)
        return chosen

    def _foster_capacity(self) -> np.ndarray:
        f = self.params.foster
        trend = (1 + f.capacity_trend_per_year) ** (self.week / WEEKS_PER_YEAR)
        return self.foster_base * (1 + f.capacity_slack) * f.capacity_multiplier * trend * self.foster_policy * self.foster_hub

    def _supported_capacity(self) -> np.ndarray:
        s = self.params.supported
        trend = (1 + s.capacity_trend_per_year) ** (self.week / WEEKS_PER_YEAR)
        return self.supported_base * (1 + s.capacity_slack) * trend

    def _break_down(self) -> None:
        ch, d, homes = self.children, self.params.demand, self.homes
        placed = np.flatnonzero(ch.status == HOME)
        h = ch.home[placed]
        dist = miles(ch.x[placed], ch.y[placed], homes.x[h], homes.y[h])
        unmet = popcount(ch.needs[placed] & ~homes.specialisms[h])
        hazard = d.breakdown_per_year * (1 + d.breakdown_distance_per_20mi * dist / 20 + d.breakdown_mismatch * unmet)
        broke = placed[self.streams["care"].random(len(placed)) < hazard / 52]
        self._vacate(broke)
        self._start_search(broke)
        self.flows.add_la("breakdowns", self.week, ch.la[broke])

    def _start_search(self, idx: np.ndarray) -> None:
        ch = self.children
        ch.status[idx] = WAITING
        ch.need_since[idx] = self.week

    def need_factor(self) -> float:
        return (1 + self.params.demand.need_trend_per_year) ** (self.week / WEEKS_PER_YEAR) * self.prevention_factor

    def _foster_to_residential(self, idx: np.ndarray) -> None:
        """Fostered children whose needs now call for a children's home join the search."""
        ch, d, rng = self.children, self.params.demand, self.streams["care"]
        idx = idx[ch.status[idx] == FOSTER]
        self._assess_residential(idx, rng.random(len(idx)) < d.emergency_share, rng)
        self.flows.add_la("need_from_foster", self.week, ch.la[idx])
        self._start_search(idx)

    def _assess_residential(self, idx, emergency, rng) -> None:
        ch, d = self.children, self.params.demand
        comp, needs, dol, secure = draw_needs(rng, len(idx), d.complexity_shares, d.need_type_probs, d.dol_share, d.secure_share)
        ch.complexity[idx], ch.needs[idx], ch.dol[idx], ch.secure[idx] = comp, needs, dol, secure
        ch.residential[idx] = True
        ch.emergency[idx] = emergency

    def _new_entrants(self) -> None:
        rng, d, s = self.streams["arrivals"], self.params.demand, self.params.run.scale
        lam = d.entry_rate_per_cla_year * self.cla_total / 52 * self.prevention_factor
        la = np.repeat(np.arange(self.n_la), rng.poisson(lam))
        older = rng.random(len(la)) < d.entry_age_12plus_share
        age = np.where(older, 12 + 6 * rng.random(len(la)), 12 * rng.random(len(la)))
        direct = older & (rng.random(len(la)) < d.direct_residential_share * self.need_factor())
        n_uasc = rng.poisson(d.uasc_per_year * s / 52)
        uasc_la = rng.choice(self.n_la, size=n_uasc, p=data.uasc_weights())
        over16 = rng.random(n_uasc) < 0.89  # NAO25 1.13: 89% of UASC are 16+
        uasc_age = np.where(over16, 16 + 2 * rng.random(n_uasc), 12 + 4 * rng.random(n_uasc))
        la_all = np.concatenate([la[direct], la[~direct], uasc_la])
        age_all = np.concatenate([age[direct], age[~direct], uasc_age])
        is_uasc = np.arange(len(la) + n_uasc) >= len(la)
        idx = self._add_children(la_all, age_all, status=WAITING, uasc=is_uasc, emergency=False, rng=rng)
        self.flows.add_la("entries", self.week, la_all)
        n_direct = int(direct.sum())
        self._assess_residential(idx[:n_direct], rng.random(n_direct) < d.emergency_share, rng)
        self.flows.add_la("need_direct", self.week, la_all[:n_direct])
        self._place_alternative(idx[n_direct:])
        self._start_search(idx[(self.children.status[idx] == WAITING)])

    def _place_alternative(self, idx: np.ndarray) -> None:
        """Foster care, or supported accommodation for 16-17s, where there is a free place."""
        ch = self.children
        older = idx[ch.age[idx] >= 16]
        to_sa = self._fit_capacity(older, self._supported_capacity(), SUPPORTED)
        ch.status[to_sa] = SUPPORTED
        rest = idx[ch.status[idx] != SUPPORTED]
        to_f = self._fit_capacity(rest, self._foster_capacity(), FOSTER)
        ch.status[to_f] = FOSTER
        placed = np.concatenate([to_sa, to_f])
        ch.record_start(placed, self.week)
        # no foster or supported place free: the child needs a children's home instead
        spill = rest[ch.status[rest] != FOSTER]
        self.flows.add_la("need_no_foster_place", self.week, ch.la[spill])
        self._assess_residential(spill, np.zeros(len(spill), bool), self.streams["arrivals"])
        ch.complexity[spill] = np.minimum(ch.complexity[spill], 1)
        ch.dol[spill] = False
        ch.secure[spill] = False

    # 2 ----------------------------------------------------------------------------------
    def staff_homes(self) -> None:
        update_staffing(self.homes, self.streams["staff"], self.params.workforce, self.week)

    # 3 ----------------------------------------------------------------------------------
    def commission_blocks(self) -> None:
        """Each April, authorities with forward plans and cooperatives renew their block contracts;
        cooperatives commission new homes with their capital."""
        if self.week % WEEKS_PER_YEAR != 0:
            return
        homes = self.homes
        homes.block_la[:] = -1
        homes.block_places[:] = 0
        self.children.block[:] = False
        self.agents_by_type[LocalAuthority].do("plan_blocks")
        for rcc in self.rccs:
            rcc.plan_blocks()
            rcc.shape_market()

    def reserve_places(self, la: int, wanted: int, holder: int, margin: float) -> None:
        """Block-contract up to `wanted` free places in the homes nearest to an authority."""
        if wanted <= 0:
            return
        homes = self.homes
        cand = np.flatnonzero((homes.state == ACTIVE) & (homes.block_la < 0) & (homes.sector != COUNCIL)
                              & ~homes.secure & (homes.places > homes.occupied) & homes.manager)
        if len(cand) == 0:
            return
        dist = np.hypot(homes.x[cand] - self.geo.x[la], homes.y[cand] - self.geo.y[la])
        for h in cand[np.argsort(dist, kind="stable")]:
            k = min(wanted, int(homes.places[h] - homes.occupied[h]))
            homes.block_la[h] = holder
            homes.block_places[h] = k
            homes.block_price[h] = self.block_price(h, margin)
            wanted -= k
            if wanted <= 0:
                break

    def block_price(self, h: int, margin: float) -> float:
        """Agreed weekly price for a block place: cost of a medium-need child plus the block margin."""
        c = care_cost(np.array([1]), np.array([False]), self.geo.property_index[self.homes.la[h:h + 1]], self.params,
                      self.week)
        return float(c[0] * (1 + min(margin, self.params.pricing.profit_cap)))

    # 4 ----------------------------------------------------------------------------------
    def refer_and_place(self) -> None:
        ch = self.children
        searching = np.flatnonzero((ch.status == WAITING) | (ch.status == UNREG))
        self._match(searching, record=True)

    def search_weeks(self, idx) -> np.ndarray:
        return np.maximum(self.week - self.children.need_since[idx], 0)

    def _match(self, idx: np.ndarray, record: bool) -> None:
        if len(idx) == 0:
            return
        ch, cm, homes = self.children, self.params.commissioning, self.homes
        waited = self.search_weeks(idx)
        la = ch.la[idx]
        bench = care_cost(ch.complexity[idx], ch.dol[idx], self.geo.property_index[la], self.params, self.week)
        urgent = np.where(ch.emergency[idx] | ch.dol[idx] | ch.secure[idx], cm.urgent_wtp_multiple, 1.0)
        with np.errstate(invalid="ignore"):  # zero cost x no benchmark (inf) is NaN: fmin skips it
            wtp = np.fmin(bench * cm.wtp_multiple * urgent * (1 + cm.wtp_growth_per_week * waited), bench * self.wtp_cap[la])
        radius = cm.radius_miles * 1609.344 * (1 + cm.radius_growth_per_week * waited) * self.radius_factor[la]
        child = {k: getattr(ch, k)[idx] for k in ("x", "y", "la", "complexity", "needs", "dol", "secure")}
        block_used = np.bincount(ch.home[ch.block & (ch.status == HOME)], minlength=homes.n)
        reserved_free = np.maximum(homes.block_places - block_used, 0)
        pos, home, price, blk, ref = clear(idx, child, homes, self.params, self.customer, wtp, radius,
                                           self.geo.property_index, reserved_free, self.streams["market"], self.week)
        placed = idx[pos]
        if record:
            self.last_referrals = ref
            self.flows.record_placements(self.week, ch.la[placed], price, (self.week - ch.need_since[placed] + 0.5) * 7)
        ch.status[placed] = HOME
        ch.home[placed] = home
        ch.price[placed] = price
        ch.block[placed] = blk
        ch.placed_week[placed] = self.week
        ch.need_since[placed] = -1
        ch.emergency[placed] = False
        ch.record_start(placed, self.week)
        np.add.at(homes.occupied, home, 1)
        np.add.at(homes.staff_used, home, self._staff_need(placed))

    # 5 ----------------------------------------------------------------------------------
    def escalate(self) -> None:
        """Children with no registered place go to an unregistered setting, at a premium."""
        ch, cm = self.children, self.params.commissioning
        self._detect_unregistered()
        waiting = np.flatnonzero((ch.status == WAITING) & (ch.unreg_bar <= self.week))
        waited = self.search_weeks(waiting)
        la = ch.la[waiting]
        urgent = (ch.emergency[waiting] | ch.dol[waiting] | ch.secure[waiting]) & (self.urgent_at_once[la] | (waited >= 1))
        limit = self.unreg_limit[la] + self.unreg_extra_weeks
        go = waiting[(waited >= limit) | urgent]
        if len(go) == 0:
            return
        ch.status[go] = UNREG
        ch.price[go] = cm.unregistered_price_gbp_week * self.streams["market"].lognormal(0, 0.3, len(go)) + self.unreg_fine_per_week
        ch.record_start(go, self.week)
        year = self.week // WEEKS_PER_YEAR
        first = go[ch.unreg_year[go] != year]
        ch.unreg_year[first] = year
        self.flows.add_la("unregistered_new", self.week, ch.la[first])

    def _detect_unregistered(self) -> None:
        """Enforcement: settings found are shut; the authority must look for a registered place."""
        if self.unreg_detection <= 0:
            return
        ch = self.children
        found = np.flatnonzero((ch.status == UNREG) & (self.streams["market"].random(ch.n) < self.unreg_detection))
        ch.status[found] = WAITING
        ch.price[found] = 0.0
        ch.unreg_bar[found] = self.week + UNREG_BAR_WEEKS
        self.flows.add_la("unregistered_detected", self.week, ch.la[found])

    # 6 ----------------------------------------------------------------------------------
    def settle_accounts(self) -> None:
        """Authorities pay for every placement; providers earn, pay their costs, and review."""
        ch, homes, p = self.children, self.homes, self.params
        paid = np.flatnonzero((ch.status == HOME) | (ch.status == UNREG))
        spot = paid[(ch.status[paid] == HOME) & ~ch.block[paid]]
        unreg = paid[ch.status[paid] == UNREG]
        rev = np.bincount(ch.home[spot], weights=ch.price[spot], minlength=homes.n)
        blocks = np.where(homes.state == ACTIVE, homes.block_places * homes.block_price, 0.0)
        rev = rev + blocks
        act = homes.state == ACTIVE
        prop = property_cost(self.geo.property_index[homes.la], p)
        # homes pay for their full establishment: vacancies are covered by agency staff and overtime
        # (which keep the rota legal but do not add capacity for new children)
        target = np.maximum(homes.places * p.workforce.staff_per_place_target, homes.staff)
        cost = np.where(act, target * wage(p, self.week) + homes.places * prop, 0.0)
        indebted = self.provider_flags("indebted")[homes.owner]
        cost = cost + np.where(indebted, p.pricing.debt_cost_share * rev, 0.0)
        profit = rev - cost
        homes.profit_ewma[:] = np.where(act, (1 - PROFIT_SMOOTHING) * homes.profit_ewma + PROFIT_SMOOTHING * profit, 0.0)
        # authorities' spend: home placements (spot and block) by the child's / holder's authority
        spend_homes = np.bincount(ch.la[spot], weights=ch.price[spot], minlength=self.n_la)
        spend_homes += self._block_payments(blocks)
        in_use = np.bincount(ch.status * self.n_la + ch.la, minlength=6 * self.n_la).reshape(6, self.n_la)
        other = (np.bincount(ch.la[unreg], weights=ch.price[unreg], minlength=self.n_la)
                 + in_use[FOSTER] * p.foster.cost_gbp_week + in_use[SUPPORTED] * p.supported.cost_gbp_week)
        self.flows.record_money(self.week, spend_homes, spend_homes + other, homes, rev, cost, self.region_of_la)
        if self.week % 4 == 3:
            by_owner_rev = np.bincount(homes.owner, weights=rev * 13, minlength=len(self.providers))
            by_owner_cost = np.bincount(homes.owner, weights=cost * 13, minlength=len(self.providers))
            for prov in self.indebted_providers:
                prov.revenue_12m, prov.cost_12m = by_owner_rev[prov.index], by_owner_cost[prov.index]
            self.indebted_providers.do("review")

    def _block_payments(self, blocks: np.ndarray) -> np.ndarray:
        """Block payments by authority: a cooperative's are shared by members' children in homes."""
        held = self.homes.block_la >= 0
        by_holder = np.bincount(self.homes.block_la[held], weights=blocks[held], minlength=self.n_la + len(self.rccs))
        pay = by_holder[: self.n_la].copy()
        if len(self.rccs) and by_holder[self.n_la:].any():
            ch = self.children
            kids = np.bincount(ch.la[ch.status == HOME], minlength=self.n_la).astype(float) + 1e-9
            for rcc in self.rccs:
                amount = by_holder[rcc.customer_id]
                if amount:
                    mem = rcc.active_members if len(rcc.active_members) else rcc.members
                    pay[mem] += amount * kids[mem] / kids[mem].sum()
        return pay

    def enter_and_exit(self) -> None:
        self._close_failing()
        self._open_registered()
        self._start_projects(self.week)

    def _close_failing(self) -> None:
        homes, sup, rng = self.homes, self.params.supply, self.streams["supply"]
        act = homes.state == ACTIVE
        losing = act & (homes.profit_ewma < 0) & (homes.sector != COUNCIL) & ~homes.secure
        hazard = np.where(act, sup.closure_base_per_year, 0.0) + np.where(losing, sup.closure_loss_per_year, 0.0)
        by_hazard = rng.random(homes.n) < hazard / 52
        no_mgr = act & (homes.no_manager_since >= 0) & (self.week - homes.no_manager_since >= sup.closure_no_manager_weeks)
        self.close_homes(np.flatnonzero(by_hazard | no_mgr), "closure")

    def close_homes(self, h: np.ndarray, reason: str) -> None:
        """Close homes; their children go back into the search."""
        if len(h) == 0:
            return
        ch, homes = self.children, self.homes
        closing = np.zeros(homes.n, bool)
        closing[h] = True
        kids = np.flatnonzero((ch.status == HOME) & closing[np.maximum(ch.home, 0)])
        self._vacate(kids)
        self._start_search(kids)
        homes.state[h] = CLOSED
        homes.close_week[h] = self.week
        homes.block_la[h] = -1
        homes.block_places[h] = 0
        self.flows.add_region("homes_closed", self.week, self.region_of_la[homes.la[h]])

    def _open_registered(self) -> None:
        homes = self.homes
        opening = np.flatnonzero((homes.state == PIPELINE) & (homes.open_week <= self.week))
        if len(opening) == 0:
            return
        homes.state[opening] = ACTIVE
        self.flows.add_region("homes_opened", self.week, self.region_of_la[homes.la[opening]])

    def entry_weights(self) -> np.ndarray:
        """Where new homes are attractive: expected margin against property cost, by authority."""
        sup, p = self.params.supply, self.params
        margin = self.flows.expected_margin(self, self.week)
        attractive = np.clip(margin / 0.2, 0.0, 3.0) ** sup.return_elasticity
        base = self.la_table["pop_0_17"].to_numpy(float) * self.geo.property_index ** -sup.property_elasticity
        norm = base.sum()
        if self.planning_need_weight > 0:
            need = self.need_score() + 1e-9
            base = (1 - self.planning_need_weight) * base + self.planning_need_weight * need / need.sum() * norm
        return base * attractive[self.region_of_la] / norm

    def _start_projects(self, week: int) -> None:
        """Providers start new-home projects; planning refuses some; Ofsted registers the rest later."""
        rng, sup, s = self.streams["supply"], self.params.supply, self.params.run.scale
        w = self.entry_weights()
        n = rng.poisson(sup.entry_projects_per_year / 52 * s * w.sum())
        if n == 0:
            return
        la = rng.choice(self.n_la, size=n, p=w / w.sum())
        ok = rng.random(n) >= min(sup.planning_refusal * self.planning_refusal_factor, 1.0)
        la = la[ok]
        if len(la) == 0:
            return
        delay = rng.integers(sup.registration_weeks_min, sup.registration_weeks_max + 1, len(la))
        self.add_homes(la, week + delay)

    def add_homes(self, la: np.ndarray, open_week: np.ndarray, sector: np.ndarray | None = None,
                  places: np.ndarray | None = None) -> np.ndarray:
        """New homes (in the pipeline until open_week) with new or growing providers."""
        rng, sup, wf = self.streams["supply"], self.params.supply, self.params.workforce
        n = len(la)
        if places is None:
            places = 1 + rng.choice(len(sup.new_home_places), size=n, p=np.asarray(sup.new_home_places))
        if sector is None:
            sector = np.where(rng.random(n) < sup.private_entry_share, PRIVATE, VOLUNTARY)
        owner = self._owners_for(sector)
        x, y = self.geo.points_in(la, rng)
        target = np.ceil(places * wf.staff_per_place_target).astype(np.int64)
        return self.homes.add(
            la=la, x=x, y=y, places=places, sector=sector, owner=owner, state=PIPELINE, open_week=open_week,
            staff=rng.binomial(target, INITIAL_STAFFING), manager=True,
            price_factor=self._provider_factor(owner) * rng.lognormal(0, self.params.pricing.price_noise_sd / 2, n),
            **draw_home_traits(rng, n),
        )

    def provider_flags(self, attr: str) -> np.ndarray:
        """A provider attribute (sector, failed, indebted) as an array indexed by provider."""
        return np.asarray(self._provider_table[attr])

    def providers_changed(self) -> None:
        """Refresh the provider table after a provider's status changed."""
        for attr, col in self._provider_table.items():
            col[:] = [getattr(p, attr) for p in self.providers]

    def _owners_for(self, sector: np.ndarray) -> np.ndarray:
        """New homes' owners: new organisations, or existing ones of the same sector that grow."""
        owner = np.empty(len(sector), np.int64)
        new_org = (sector == COUNCIL) | (self.streams["supply"].random(len(sector)) < NEW_ENTRANT_SHARE)
        sectors, failed = self.provider_flags("sector"), self.provider_flags("failed")
        existing = {sec: np.flatnonzero((sectors == sec) & ~failed) for sec in np.unique(sector).tolist()}
        pick = self.streams["supply"].random(len(sector))
        for i, sec in enumerate(sector.tolist()):
            same = existing[sec] if not new_org[i] else ()
            if len(same):
                owner[i] = same[int(pick[i] * len(same))]
            else:
                name = f"New {('private', 'council', 'voluntary', 'health')[sec]} provider {len(self.providers)}"
                owner[i] = self._new_provider(name, int(sec)).index
        return owner

    def need_score(self) -> np.ndarray:
        """Where places are short: each authority's children waiting or placed outside it."""
        ch, homes = self.children, self.homes
        placed = ch.status == HOME
        outside = placed & (homes.la[np.maximum(ch.home, 0)] != ch.la)
        searching = (ch.status == WAITING) | (ch.status == UNREG)
        return np.bincount(ch.la[outside | searching], minlength=self.n_la).astype(float)

    def _site_weights(self, target: str) -> np.ndarray:
        """Where capital goes, by authority: where children wait or are sent away, or by population."""
        return (self.need_score() if target == "need" else self.la_table["pop_0_17"].to_numpy(float)) + 1e-9

    def _pick_la(self, target: str, among: np.ndarray | None = None) -> int:
        among = np.arange(self.n_la) if among is None else among
        w = self._site_weights(target)[among]
        return int(among[self.streams["supply"].choice(len(among), p=w / w.sum())])

    def _council_provider(self, la: int) -> int:
        if la not in self.council_providers:
            name = f"{self.geo.names[la]} (council)"
            self.council_providers[la] = self._new_provider(name, COUNCIL).index
        return self.council_providers[la]

    def open_council_home(self, places: int, target: str, among=None) -> None:
        """A new council-run home where it is needed, registered after the shortest delay."""
        la = self._pick_la(target, among)
        h = self.add_homes(np.array([la]), np.array([self.week + self.params.supply.registration_weeks_min]),
                           sector=np.array([COUNCIL]), places=np.array([places]))
        self.homes.owner[h] = self._council_provider(la)

    def extend_council_home(self, places: int, target: str) -> None:
        """Capital to add places to an existing council home, in an authority in need."""
        homes = self.homes
        cand = np.flatnonzero((homes.state == ACTIVE) & (homes.sector == COUNCIL) & ~homes.secure)
        if len(cand) == 0:
            return self.open_council_home(places, target)
        w = self._site_weights(target)[homes.la[cand]]
        h = cand[self.streams["supply"].choice(len(cand), p=w / w.sum())]
        homes.places[h] += places

    def open_secure_home(self, region: int, places: int) -> None:
        among = np.flatnonzero(self.region_of_la == region)
        la = self._pick_la("need", among)
        h = self.add_homes(np.array([la]), np.array([self.week]), sector=np.array([COUNCIL]), places=np.array([places]))
        homes = self.homes
        homes.secure[h] = True
        homes.max_complexity[h] = 2
        homes.dol_ok[h] = True
        homes.owner[h] = self._council_provider(la)
        homes.state[h] = ACTIVE
        self.flows.add_region("homes_opened", self.week, self.region_of_la[homes.la[h]])

    def transfer_homes(self, h: np.ndarray) -> None:
        """Financial oversight: a failed owner's homes pass, with their children, to a new owner."""
        if len(h):
            self.homes.owner[h] = self._new_provider(f"Successor provider {len(self.providers)}", PRIVATE).index

    # 7 ----------------------------------------------------------------------------------
    def apply_policies(self) -> None:
        """Cooperatives admit members and run their hubs; policy levers switch on at their weeks."""
        for rcc in self.rccs:
            rcc.admit_members()
            rcc.foster_hub()
        self.policies.apply(self.week)

    def record(self) -> None:
        self.flows.record_week(self, self.week)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ helpers
    def in_home_mask(self) -> np.ndarray:
        return self.children.status == HOME

    def run_weeks(self, weeks: int) -> None:
        for _ in range(weeks):
            self.step()


FOSTER_AGES = ((0, 5, 0.2), (5, 10, 0.22), (10, 16, 0.4), (16, 18, 0.18))  # DfE CLA 2024 age mix (approx.)
HOME_AGES = ((8, 12, 0.06), (12, 16, 0.54), (16, 18, 0.40))  # children in homes are mostly 12-17


def _draw_ages(rng, n, bands) -> np.ndarray:
    lo = np.array([b[0] for b in bands], float)
    hi = np.array([b[1] for b in bands], float)
    p = np.array([b[2] for b in bands], float)
    k = rng.choice(len(bands), size=n, p=p / p.sum())
    return lo[k] + (hi[k] - lo[k]) * rng.random(n)
