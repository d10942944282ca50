"""The scenario schema's sections: typed, frozen parameters with units, bounds and defaults.

Each section is a frozen dataclass whose fields are declared with `P` (default, unit, inclusive
bounds, choices, description). `SECTIONS` maps a scenario file's top-level tables to them. How a
dict becomes these objects is in validation.py; the whole Scenario is in schema.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..data import FIRST_START_YEAR, LAST_START_YEAR, REGIONS
from ..time import START_DATE

RETIRED_MODE = "no effect; [rcc] membership decides which authorities buy through cooperatives"


REFERENCE_PLACES_PER_HOME = 3.69  # OFS: 12,138 places in 3,292 market homes, 31 March 2024 (data/history)
MIN_SCALE = 0.5  # smallest run.scale whose market matches England's (tests/test_scale.py; docs/model.md "Scale")


def P(default, unit: str = "", lo=None, hi=None, doc: str = "", choices=None, retired: str = ""):
    """A parameter: default plus unit, inclusive bounds, allowed choices and a description.

    retired: why a key that is still accepted no longer has any effect (validate shows it, setting
    it warns).
    """
    meta = {"unit": unit, "lo": lo, "hi": hi, "doc": doc, "choices": choices, "retired": retired}
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda d=tuple(default): d, metadata=meta)
    return field(default=default, metadata=meta)


# --------------------------------------------------------------------------------------------
# sections


@dataclass(frozen=True)
class Run:
    years: int = P(5, "years", 1, 50, "simulated years from 31 March of the start year")
    start_year: int = P(START_DATE.year, "year", FIRST_START_YEAR, LAST_START_YEAR,
                        "the run starts from the market at 31 March of this year (homes, children by "
                        "authority and setting from data/history/)")
    seeds: int = P(8, "runs", 1, 1000, "replications (independent seeds)")
    root_seed: int = P(20240331, "", 0, 2**63 - 1, "root of the SeedSequence for all runs")
    scale: float = P(1.0, "x", MIN_SCALE, 10.0,
                     "share of England simulated: below 1, neighbouring authorities merged into groups of "
                     "about 1/scale on a shrunk map (the same market, docs/model.md 'Scale'); above 1, a denser England")
    check: bool = P(False, "", doc="check model invariants every week (slower)")


@dataclass(frozen=True)
class Demand:
    entry_rate_per_cla_year: float = P(
        0.33, "1/yr", 0.0, 5.0, "children entering care per looked-after child per year"
    )  # DfE CLA 2024: ~32,000 starts on ~83,600 in care, less placements not modelled
    entry_age_12plus_share: float = P(0.42, "share", 0.0, 1.0, "share of entrants aged 12-17")
    direct_residential_share: float = P(
        0.12, "share", 0.0, 1.0, "share of 12-17 entrants who need a children's home at once"
    )
    residential_need_per_year: float = P(
        0.10, "1/yr", 0.0, 2.0, "hazard that a fostered 11-17 year old needs a children's home"
    )
    need_trend_per_year: float = P(
        0.02, "1/yr", -0.5, 1.0, "annual growth of the residential-need hazards (complexity)"
    )  # NAO25 2.11: fewer inpatient and custody places push complex children to homes
    complex_need_growth_per_year: float = P(
        0.05, "1/yr", -0.5, 1.0, "extra annual growth of high-complexity residential need (shifts the mix)"
    )  # prior: Ofsted 2024 (facts.md, History): children who might have been in specialised settings are in homes
    complexity_shares: tuple = P(
        (0.35, 0.45, 0.20), "shares", 0.0, 1.0, "low / medium / high complexity of residential need"
    )
    dol_share: float = P(
        0.07, "share", 0.0, 1.0, "share of residential-need children under a deprivation-of-liberty order"
    )  # NAO25 1.17: 1,280 DoL children in 2024 against ~10,000 residential starts
    dol_growth_per_year: float = P(
        0.0, "1/yr", 0.0, 1.0, "growth of the DoL share up to 2024-25 (earlier years' share is lower; held after)"
    )  # prior fitted with the backcast: DoL orders for children rose as secure places fell short (facts.md, History)
    secure_share: float = P(
        0.012, "share", 0.0, 1.0, "share of residential-need children needing a secure home"
    )  # ~100 of 8,710 children in homes are in secure homes (NAO25 1.5)
    emergency_share: float = P(
        0.08, "share", 0.0, 1.0, "share of residential-need children who need a place the same week"
    )
    need_type_probs: tuple = P(
        (0.45, 0.25, 0.15, 0.30),
        "probabilities",
        0.0,
        1.0,
        "mental health, autism, learning disability, exploitation risk",
    )  # Ofsted 2022: 80% of children in homes have SEN; NAO25 1.4
    uasc_per_year: float = P(
        4500.0, "children/yr", 0.0, 1e5, "unaccompanied asylum-seeking children arriving"
    )  # NAO25 1.13: 7,380 UASC in care, 89% aged 16+
    home_exit_per_year: float = P(
        0.55, "1/yr", 0.0, 10.0, "planned endings (return home, step-down) of children's home placements"
    )
    foster_exit_per_year: float = P(
        0.2, "1/yr", 0.0, 10.0, "fostered children aged 11-17 leaving care other than at 18 (home, SGO)"
    )  # prior, with foster_exit_young_per_year: the pair keeps DfE's fostered age mix (11+ share 0.51 at the
    # start, 0.50 after five years) and the foster stock near DfE's 55,000; one rate (0.32) aged it (docs/backcast.md)
    foster_exit_young_per_year: float = P(
        0.44, "1/yr", 0.0, 10.0, "fostered children under 11 leaving care (home, adoption, SGO)"
    )  # prior: young children leave care faster (adoptions and special guardianship orders are mostly of under-5s)
    supported_exit_per_year: float = P(0.1, "1/yr", 0.0, 10.0, "endings in supported accommodation before 18")
    step_down_share: float = P(
        0.35, "share", 0.0, 1.0, "share of planned home endings that step down to foster/supported care"
    )
    breakdown_per_year: float = P(
        0.3, "1/yr", 0.0, 10.0, "base hazard of a children's home placement breaking down"
    )
    breakdown_distance_per_20mi: float = P(
        0.35, "x", 0.0, 10.0, "extra breakdown hazard for each 20 miles from home"
    )  # NAO25 1.17: moves more frequent far from home
    breakdown_mismatch: float = P(0.6, "x", 0.0, 10.0, "extra breakdown hazard per unmet need type")


@dataclass(frozen=True)
class Foster:
    capacity_slack: float = P(0.015, "share", 0.0, 1.0, "free foster places above the March 2024 stock")
    capacity_trend_per_year: float = P(
        -0.01, "1/yr", -0.5, 0.5, "annual change in foster-carer capacity after March 2025"
    )  # NAO25 2.7: foster households fell 4% in 2020-2024 (until March 2025 the data's path)
    capacity_multiplier: float = P(1.0, "x", 0.0, 5.0, "scales foster capacity (0 = no foster places)")
    young_always_fostered: bool = P(True, "", doc="entrants under 11 are fostered even with no free foster place "
                                    "(kin, agencies' spare carers; prior: homes are for older children)")
    cost_gbp_week: float = P(850.0, "GBP/wk", 0.0, 1e5, "mean weekly cost of a foster placement")
    # NAO25 1.5, 2.8: 38,100 a year in-house (733/wk), IFA about 53,000 (1,019/wk)


@dataclass(frozen=True)
class Supported:
    capacity_slack: float = P(0.05, "share", 0.0, 5.0, "free supported places above the March 2024 stock")
    capacity_trend_per_year: float = P(0.0, "1/yr", -0.5, 2.0, "annual growth of supported accommodation after March 2025")
    # prior: held at March 2025's level; until then the data's path (6,080 in 2024 to 7,520 in 2025 after registration)
    cost_gbp_week: float = P(1113.0, "GBP/wk", 0.0, 1e5, "weekly cost")  # NAO25 1.5: 57,900 a year


@dataclass(frozen=True)
class Supply:
    entry_projects_per_year: float = P(
        980.0, "projects/yr", 0.0, 1e5, "new-home projects started nationally at average attractiveness (March 2024's market)"
    )
    entry_scales_with_stock: bool = P(True, "", doc="projects grow in proportion to the homes open (providers grow from their base)")
    planning_refusal: float = P(0.2, "prob", 0.0, 1.0, "share of projects refused planning permission")
    # NAO25 2.13: planning refusals after local objections
    registration_weeks_min: int = P(26, "weeks", 0, 260, "shortest Ofsted registration")  # NAO25 2.13: 6-18 months
    registration_weeks_max: int = P(78, "weeks", 0, 260, "longest Ofsted registration")
    new_home_places: tuple = P(
        (0.08, 0.32, 0.33, 0.17, 0.10), "shares", 0.0, 1.0, "new homes with 1, 2, 3, 4 and 5 places"
    )  # OFS25: 1,943 places in 665 new homes, 2.9 each; NAO25 2.13 new homes 2-3 places
    private_entry_share: float = P(0.92, "share", 0.0, 1.0, "share of new homes that are private")  # SOURCES.md
    property_elasticity: float = P(1.0, "", 0.0, 5.0, "how strongly property costs deter entry")
    return_elasticity: float = P(1.5, "", 0.0, 10.0, "how strongly expected margins attract entry")
    shortage_weight: float = P(0.0, "", 0.0, 10.0, "how strongly children going to unregistered settings draw new projects")
    closure_loss_per_year: float = P(0.1, "1/yr", 0.0, 10.0, "closure hazard of a loss-making home")
    # set from history: homes closed 98, 119, 131, 146, 152 a year 2020-21 to 2024-25 (homes at the start +
    # opened - homes at the end, history targets); 0.10 gives the backcast 109-202 (0.25 gave 150-270)
    closure_base_per_year: float = P(0.02, "1/yr", 0.0, 1.0, "closure hazard of any home (retirement, sale)")
    closure_no_manager_weeks: int = P(156, "weeks", 1, 1000, "a home without a manager this long closes (prior)")
    owner_failure_per_year: float = P(
        0.01, "1/yr", 0.0, 1.0, "failure hazard of a highly indebted owner (prior)"
    )  # NAO25 2.4: private-equity owners, risk of disorderly exit
    secure_capacity_multiplier: float = P(1.0, "x", 0.0, 10.0, "scales secure-home places")


@dataclass(frozen=True)
class Workforce:
    staff_per_child: tuple = P(
        (2.5, 3.75, 6.0), "FTE", 0.0, 50.0, "staff needed per child of low / medium / high complexity"
    )  # NAO25 2.14: 46,000 staff; 37% of homes have six or more staff per child
    staff_per_place_target: float = P(3.9, "FTE", 0.0, 50.0, "staff per place of a home of the March 2024 average size (3.69 places)")
    # NAO25 2.14: about 46,000 staff in 2024 for about 11,800 places
    core_staff_per_home: float = P(3.0, "FTE", 0.0, 50.0, "staff a home employs whatever its size (manager, waking night)")
    # prior: a registered manager and one waking-night post (about 2 FTE); the rest scales with places
    turnover_per_year: float = P(0.25, "1/yr", 0.0, 5.0, "staff leaving per year")
    hire_per_week: float = P(0.05, "prob/wk", 0.0, 1.0, "chance a vacant post is filled in a week")
    supply_multiplier: float = P(1.0, "x", 0.0, 10.0, "labour supply (scales hiring)")
    manager_loss_per_year: float = P(0.2, "1/yr", 0.0, 5.0, "registered managers leaving per year")
    manager_hire_per_week: float = P(0.015, "prob/wk", 0.0, 1.0, "chance a manager vacancy is filled")
    # NAO25 2.14: 19% of homes had no registered manager, March 2025
    wage_gbp_week: float = P(720.0, "GBP/wk", 0.0, 1e5, "cost of one FTE including on-costs, April 2024")
    wage_growth_per_year: float = P(0.02, "1/yr", -0.5, 1.0, "real growth of staff costs (prior: wage floors rise above inflation)")
    wage_growth_from_data: bool = P(True, "", doc="real pay each April as data/exogenous.toml says up to 2025, then wage_growth_per_year")
    # National Living Wage uprating less CPI, April 2021-2025 (data/exogenous.toml)
    richer_ratios_per_year: float = P(0.04, "1/yr", 0.0, 0.2,
                                      "growth a year of staff hours per place up to April 2024 (richer ratios)")
    # NAO25 2.14: the workforce grew from about 20,000 (2014) to 46,000 (2024), 8.7% a year, "partly from
    # richer ratios" (37% of homes with six or more staff per child in 2024, 32% in 2023); registered places
    # grew 5.4% a year 2019-2024 (data/history): staff per place rose about 3% a year if places grew as fast
    # before 2019, more if slower (prior 4%). Cost only: the staffing a child needs stays 2024's.
    no_manager_admits: bool = P(False, "", doc="may a home with no registered manager admit children")


@dataclass(frozen=True)
class Pricing:
    target_margin_private: float = P(0.2, "share", -1.0, 5.0, "margin private providers add to cost")
    target_margin_voluntary: float = P(0.05, "share", -1.0, 5.0, "margin voluntary providers add")
    property_gbp_place_week: float = P(650.0, "GBP/wk", 0.0, 1e5, "property, overheads per place")
    scarcity_elasticity: float = P(0.15, "", 0.0, 5.0, "price response to referrals per vacancy")
    scarcity_cap: float = P(1.8, "x", 1.0, 10.0, "highest scarcity mark-up")
    price_noise_sd: float = P(0.12, "", 0.0, 2.0, "log-sd of provider-specific pricing")
    # NAO25 19, 3.3: similar placements cost very different amounts
    debt_cost_share: float = P(0.06, "share", 0.0, 1.0, "debt service of indebted owners, share of revenue")
    risk_aversion: float = P(0.25, "", 0.0, 10.0, "providers' margin needed per unit of a child's risk")
    # NAO25 2.14: almost one in three homes often or always reject children with complex needs
    expected_occupancy: float = P(0.75, "share", 0.05, 1.0, "occupancy providers price for, unless price_for_occupancy")
    price_for_occupancy: bool = P(True, "", doc="providers price for their region's occupancy over about the last year")
    profit_cap: float = P(1.0, "share", 0.0, 5.0, "cap on the margin charged above cost (1 = none)")
    fee_uplift: bool = P(True, "", doc="each April, running placements' fees rise with their cost (wages)")


@dataclass(frozen=True)
class Commissioning:
    mode: str = P("spot", "", choices=("spot", "rcc"), doc="spot purchasing or regional care cooperatives",
                  retired=RETIRED_MODE)
    shortlist: int = P(12, "homes", 1, 200, "homes each waiting child is referred to per week")
    radius_miles: float = P(40.0, "miles", 0.0, 500.0, "first week's search radius")
    wide_referral_share: float = P(0.5, "share", 0.0, 1.0, "share of referrals sent across the search area, not nearest")
    referral_spread: float = P(2.0, "", 0.0, 10.0, "randomness in which suitable homes a child is referred to")
    radius_growth_per_week: float = P(0.25, "1/wk", 0.0, 10.0, "relative widening of the radius each week")
    distance_weight_gbp_per_mile: float = P(25.0, "GBP/wk/mile", 0.0, 1e4, "price an authority trades for a mile")
    wtp_multiple: float = P(1.25, "x", 0.1, 10.0, "authority's first-week ceiling over the benchmark cost")
    urgent_wtp_multiple: float = P(1.5, "x", 1.0, 10.0, "extra ceiling for emergencies and DoL / secure cases")
    wtp_growth_per_week: float = P(0.12, "1/wk", 0.0, 10.0, "rise of the ceiling each week of waiting")
    ceiling_to_alternative: bool = P(False, "", doc="waiting raises a ceiling only up to the price of the "
                                     "authority's alternative, an unregistered setting (a higher first-week ceiling stays)")
    unregistered_after_weeks: float = P(5.0, "weeks", 0.0, 520.0, "weeks waiting before an unregistered setting")
    unregistered_price_gbp_week: float = P(14000.0, "GBP/wk", 0.0, 1e6, "price of an unregistered setting")
    # NAO25 1.12, 1.18: usually one child, high fees; placements reach 63,000 a week
    forward_plan_share: float = P(0.56, "share", 0.0, 1.0, "authorities with forward sufficiency plans")
    # NAO25 2.17: 56% had a forward-looking sufficiency strategy (2022)
    block_share: float = P(0.1, "share", 0.0, 1.0, "share of expected demand planners reserve in blocks")
    block_margin: float = P(0.1, "share", -1.0, 5.0, "margin agreed in block contracts")
    council_own_first: bool = P(True, "", doc="council homes serve their own authority first")
    local: tuple = P((), "", doc="named authorities commissioning differently from a start week "
                     "([[commissioning.local]] tables; keys as in [commissioning], see LOCAL_KEYS)")


# [commissioning] keys an authority can set for itself: those read per child or per authority (its
# searching children's ceilings and radii, how it weighs distance against price between offers, its
# wait before an unregistered setting, its forward plan and blocks). The rest are national: the
# market's referral mechanics (shortlist, wide_referral_share, referral_spread), the price of
# unregistered settings, council homes' rule (council_own_first) and the retired mode.
LOCAL_KEYS = ("radius_miles", "radius_growth_per_week", "wtp_multiple", "urgent_wtp_multiple", "wtp_growth_per_week",
              "distance_weight_gbp_per_mile", "unregistered_after_weeks", "forward_plan_share", "block_share",
              "block_margin")


def as_national(key: str):
    """A local table's key: unset (None) unless given, with [commissioning]'s unit and bounds."""
    meta = next(f.metadata for f in fields(Commissioning) if f.name == key)
    return field(default=None, metadata={**meta, "doc": f"{meta['doc']}, for the named authorities"})


@dataclass(frozen=True)
class LocalCommissioning:
    """One [[commissioning.local]] table: from `from_week`, the named authorities commission with these
    values instead of the national ones (NAO25 2.18: one council's reset of its commissioning).

    forward_plan_share for one authority re-thresholds its own start draw: 1 = it plans, 0 = it does
    not, the national share = as before. Blocks follow the plan at the next April renewal.
    """

    authorities: tuple = P((), "ONS codes", doc="the authorities that commission this way")
    from_week: int = P(0, "week", 0, 2600, "week the local settings take effect (0 = the start)")
    radius_miles: float | None = as_national("radius_miles")
    radius_growth_per_week: float | None = as_national("radius_growth_per_week")
    wtp_multiple: float | None = as_national("wtp_multiple")
    urgent_wtp_multiple: float | None = as_national("urgent_wtp_multiple")
    wtp_growth_per_week: float | None = as_national("wtp_growth_per_week")
    distance_weight_gbp_per_mile: float | None = as_national("distance_weight_gbp_per_mile")
    unregistered_after_weeks: float | None = as_national("unregistered_after_weeks")
    forward_plan_share: float | None = as_national("forward_plan_share")
    block_share: float | None = as_national("block_share")
    block_margin: float | None = as_national("block_margin")

    def settings(self) -> dict:
        """The keys this table sets, with their values."""
        return {k: getattr(self, k) for k in LOCAL_KEYS if getattr(self, k) is not None}


@dataclass(frozen=True)
class Cooperative:
    """One named regional care cooperative: members by region and/or authority codes."""

    name: str = P("", "", doc="name of the cooperative")
    region: str = P("", "", choices=("",) + REGIONS, doc="all authorities of this region are members")
    members: tuple = P((), "ONS codes", doc="member authorities (added to the region's)")
    exclude: tuple = P((), "ONS codes", doc="authorities of the region that stay out (opted out: rcc.mandate_week brings them in)")
    start_week: int = P(0, "week", 0, 2600, "week the cooperative starts (0 = April 2024)")


@dataclass(frozen=True)
class Rcc:
    membership: str = P("none", "", choices=("none", "regions", "national_20", "named"),
                        doc="who joins: nobody, one RCC per region, ~20 RCCs, or the named cooperatives")
    cooperatives: tuple = P((), "", doc="named cooperatives ([[rcc.cooperatives]] tables)")
    opt_out: tuple = P((), "ONS codes", doc="voluntary: authorities that stay out of any RCC (until a mandate)")
    start_week: int = P(0, "week", 0, 2600, "week RCCs start, for regions / national_20")
    rollout_weeks: int = P(0, "weeks", 0, 2600, "phased: members join evenly over this many weeks after the start")
    mandate_week: int = P(0, "week", 0, 2600,
                          "mandatory from this week (0 = never): authorities that opted out (rcc.opt_out, or a "
                          "regional cooperative's exclude list) must join the cooperative they left")
    one_customer: bool = P(True, "", doc="members' referrals coordinated: no member bids against another")
    block_share: float = P(0.0, "share", 0.0, 1.0, "share of members' forecast demand reserved in block contracts")
    block_margin: float = P(0.08, "share", -1.0, 5.0, "margin the RCC agrees in block contracts")
    price_benchmark: float = P(0.0, "x", 0.0, 10.0,
                               "refuse offers above this multiple of the reference cost (0 = no benchmark)")
    market_shaping: float = P(0.0, "share", 0.0, 1.0,
                              "share of new-home projects in the cooperative's area that its market position statement "
                              "steers to members where children go without (0 = none; prior)")
    capital_gbp_per_year: float = P(0.0, "GBP/yr", 0.0, 1e10, "capital for new council-run homes per RCC")
    capital_cost_per_place_gbp: float = P(350_000.0, "GBP", 1.0, 1e8, "capital cost of one new place (prior)")
    foster_uplift: float = P(0.0, "share", 0.0, 2.0, "members' foster capacity added by a regional hub")
    foster_ramp_weeks: int = P(104, "weeks", 1, 2600, "weeks for the foster hub to reach its uplift")
    holds_duty: bool = P(False, "", doc="the RCC holds the sufficiency duty (2022 review) instead of authorities")
    runs_council_homes: bool = P(False, "", doc="the RCC runs its members' council homes (2022 review): they serve every "
                                 "member's children first, not only their own authority's")
    runs_fostering: bool = P(False, "", doc="the RCC runs its members' fostering (2022 review): their foster places are "
                             "one pool, and a member's child takes a free place anywhere in the cooperative")
    duty_unregistered_after_weeks: int = P(8, "weeks", 0, 520,
                                           "with the duty, weeks of regional search before an unregistered setting")


@dataclass(frozen=True)
class Capital:
    """Capital programme (NAO25 3.15-3.17)."""

    existing_home_places: int = P(0, "places", 0, 100_000, "places added to existing council homes")
    existing_homes: int = P(0, "homes", 0, 10_000, "existing council homes that are extended")
    existing_end_week: int = P(104, "week", 0, 2600, "by when extensions are finished")
    new_council_places: int = P(0, "places", 0, 100_000, "places in new council homes")
    new_council_homes: int = P(0, "homes", 0, 10_000, "new council homes")
    new_start_week: int = P(52, "week", 0, 2600, "first new council home opens")
    new_end_week: int = P(260, "week", 0, 2600, "last new council home opens")
    secure_places: int = P(0, "places", 0, 10_000, "places in new secure children's homes")
    secure_regions: tuple = P((), "regions", doc="regions of the new secure homes")
    secure_week: int = P(208, "week", 0, 2600, "week the new secure homes open")
    target: str = P("need", "", choices=("need", "population"),
                    doc="place new homes where children wait and are sent away (need) or by population")


@dataclass(frozen=True)
class WorkforcePolicy:
    start_week: int = P(0, "week", 0, 2600, "week the package starts")
    hiring_uplift: float = P(0.0, "share", -1.0, 10.0, "extra chance of filling a post (e.g. 0.3 = +30%)")
    turnover_reduction: float = P(0.0, "share", 0.0, 1.0, "fall in staff turnover")
    manager_uplift: float = P(0.0, "share", -1.0, 10.0, "extra chance of filling a manager vacancy")


@dataclass(frozen=True)
class FosterPolicy:
    start_week: int = P(0, "week", 0, 2600, "week recruitment starts")
    capacity_uplift: float = P(0.0, "share", -1.0, 2.0, "foster capacity added (or lost, if negative)")
    ramp_weeks: int = P(104, "weeks", 1, 2600, "weeks to reach the full uplift")


@dataclass(frozen=True)
class ProfitCap:
    start_week: int = P(0, "week", 0, 2600, "week the cap applies")
    cap: float = P(1.0, "share", 0.0, 5.0, "highest margin over cost providers may charge (1 = no cap)")


@dataclass(frozen=True)
class Enforcement:
    start_week: int = P(0, "week", 0, 2600, "week enforcement starts")
    detection_per_week: float = P(0.0, "prob/wk", 0.0, 1.0, "chance an unregistered placement is found each week")
    fine_gbp: float = P(0.0, "GBP", 0.0, 1e8, "fine per placement found, passed on in the setting's price")
    deterrence_weeks: float = P(0.0, "weeks", 0.0, 520.0, "extra weeks authorities search before using one")


@dataclass(frozen=True)
class Planning:
    start_week: int = P(0, "week", 0, 2600, "week reform starts")
    refusal_multiplier: float = P(1.0, "x", 0.0, 10.0, "scales the planning refusal rate")
    need_weight: float = P(0.0, "share", 0.0, 1.0, "how far entry shifts towards where children come from")


@dataclass(frozen=True)
class Oversight:
    start_week: int = P(0, "week", 0, 2600, "week oversight starts")
    failure_multiplier: float = P(1.0, "x", 0.0, 10.0, "scales indebted owners' failure hazard")
    orderly_transfer: bool = P(False, "", doc="a failed owner's homes pass to other providers instead of closing")


@dataclass(frozen=True)
class Prevention:
    start_week: int = P(0, "week", 0, 2600, "week the grant starts")
    entry_reduction: float = P(0.0, "share", 0.0, 1.0, "fall in entries to care and in residential need")
    ramp_weeks: int = P(52, "weeks", 1, 2600, "weeks to reach the full effect")


@dataclass(frozen=True)
class Policy:
    capital: Capital = field(default_factory=Capital)
    workforce: WorkforcePolicy = field(default_factory=WorkforcePolicy)
    foster: FosterPolicy = field(default_factory=FosterPolicy)
    profit_cap: ProfitCap = field(default_factory=ProfitCap)
    enforcement: Enforcement = field(default_factory=Enforcement)
    planning: Planning = field(default_factory=Planning)
    oversight: Oversight = field(default_factory=Oversight)
    prevention: Prevention = field(default_factory=Prevention)


SECTIONS = {
    "run": Run,
    "demand": Demand,
    "foster": Foster,
    "supported": Supported,
    "supply": Supply,
    "workforce": Workforce,
    "pricing": Pricing,
    "commissioning": Commissioning,
    "rcc": Rcc,
    "policy": Policy,
}

