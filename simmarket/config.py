"""Scenario schema: typed, frozen parameters with units, bounds and defaults.

A scenario file is TOML. It may `extends = "other.toml"` (resolved relative to the file); keys
given on the command line with `--set section.key=value` override both. Every key is checked
once, here, against its declared type and range; nothing deeper in the model reads raw dicts.
Errors are `ConfigError`s that name the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from .data import REGIONS  # noqa: E402  (re-exported: the schema validates region names)


class ConfigError(ValueError):
    """A scenario or sweep file is invalid; the message is one line for the user."""

    def __init__(self, source: str, key: str | None, message: str):
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(" ".join((where + str(message)).split()))  # always a single line


def P(default, unit: str = "", lo=None, hi=None, doc: str = "", choices=None):
    """A parameter: default plus unit, inclusive bounds, allowed choices and a description."""
    meta = {"unit": unit, "lo": lo, "hi": hi, "doc": doc, "choices": choices}
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda d=tuple(default): d, metadata=meta)
    return field(default=default, metadata=meta)


# --------------------------------------------------------------------------------------------
# sections


@dataclass(frozen=True)
class Run:
    years: int = P(5, "years", 1, 50, "simulated years from 31 March 2024")
    seeds: int = P(8, "runs", 1, 1000, "replications (independent seeds)")
    root_seed: int = P(20240331, "", 0, 2**63 - 1, "root of the SeedSequence for all runs")
    scale: float = P(1.0, "x", 0.05, 10.0, "multiplies authorities' demand and the stock of homes")
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
    complexity_shares: tuple = P(
        (0.35, 0.45, 0.20), "shares", 0.0, 1.0, "low / medium / high complexity of residential need"
    )
    dol_share: float = P(
        0.07, "share", 0.0, 1.0, "share of residential-need children under a deprivation-of-liberty order"
    )  # NAO25 1.17: 1,280 DoL children in 2024 against ~10,000 residential starts
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
        0.32, "1/yr", 0.0, 10.0, "children leaving foster care other than at 18 (home, adoption, SGO)"
    )
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
        -0.01, "1/yr", -0.5, 0.5, "annual change in foster-carer capacity"
    )  # NAO25 2.7: foster households fell 4% in 2020-2024
    capacity_multiplier: float = P(1.0, "x", 0.0, 5.0, "scales foster capacity (0 = no foster places)")
    cost_gbp_week: float = P(850.0, "GBP/wk", 0.0, 1e5, "mean weekly cost of a foster placement")
    # NAO25 1.5, 2.8: 38,100 a year in-house (733/wk), IFA about 53,000 (1,019/wk)


@dataclass(frozen=True)
class Supported:
    capacity_slack: float = P(0.05, "share", 0.0, 5.0, "free supported places above the March 2024 stock")
    capacity_trend_per_year: float = P(0.25, "1/yr", -0.5, 2.0, "annual growth of supported accommodation")
    # DfE: 6,080 (2024) to 7,520 (2025) 16-17s in supported accommodation
    cost_gbp_week: float = P(1113.0, "GBP/wk", 0.0, 1e5, "weekly cost")  # NAO25 1.5: 57,900 a year


@dataclass(frozen=True)
class Supply:
    entry_projects_per_year: float = P(
        980.0, "projects/yr", 0.0, 1e5, "new-home projects started nationally at average attractiveness"
    )
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
    closure_loss_per_year: float = P(0.25, "1/yr", 0.0, 10.0, "closure hazard of a loss-making home")
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
    staff_per_place_target: float = P(3.9, "FTE", 0.0, 50.0, "staff a home aims to employ per place")
    # NAO25 2.14: about 46,000 staff in 2024 for about 11,800 places
    turnover_per_year: float = P(0.25, "1/yr", 0.0, 5.0, "staff leaving per year")
    hire_per_week: float = P(0.05, "prob/wk", 0.0, 1.0, "chance a vacant post is filled in a week")
    supply_multiplier: float = P(1.0, "x", 0.0, 10.0, "labour supply (scales hiring)")
    manager_loss_per_year: float = P(0.2, "1/yr", 0.0, 5.0, "registered managers leaving per year")
    manager_hire_per_week: float = P(0.015, "prob/wk", 0.0, 1.0, "chance a manager vacancy is filled")
    # NAO25 2.14: 19% of homes had no registered manager, March 2025
    wage_gbp_week: float = P(720.0, "GBP/wk", 0.0, 1e5, "cost of one FTE including on-costs, April 2024")
    wage_growth_per_year: float = P(0.02, "1/yr", -0.5, 1.0, "real growth of staff costs (prior: wage floors rise above inflation)")
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
    expected_occupancy: float = P(0.75, "share", 0.05, 1.0, "occupancy providers price their places for")
    profit_cap: float = P(1.0, "share", 0.0, 5.0, "cap on the margin charged above cost (1 = none)")


@dataclass(frozen=True)
class Commissioning:
    mode: str = P("spot", "", choices=("spot", "rcc"), doc="spot purchasing or regional care cooperatives")
    shortlist: int = P(12, "homes", 1, 200, "homes each waiting child is referred to per week")
    radius_miles: float = P(40.0, "miles", 0.0, 500.0, "first week's search radius")
    wide_referral_share: float = P(0.5, "share", 0.0, 1.0, "share of referrals sent across the search area, not nearest")
    referral_spread: float = P(2.0, "", 0.0, 10.0, "randomness in which suitable homes a child is referred to")
    radius_growth_per_week: float = P(0.25, "1/wk", 0.0, 10.0, "relative widening of the radius each week")
    distance_weight_gbp_per_mile: float = P(25.0, "GBP/wk/mile", 0.0, 1e4, "price an authority trades for a mile")
    wtp_multiple: float = P(1.25, "x", 0.1, 10.0, "authority's first-week ceiling over the benchmark cost")
    urgent_wtp_multiple: float = P(1.5, "x", 1.0, 10.0, "extra ceiling for emergencies and DoL / secure cases")
    wtp_growth_per_week: float = P(0.12, "1/wk", 0.0, 10.0, "rise of the ceiling each week of waiting")
    unregistered_after_weeks: float = P(5.0, "weeks", 0.0, 520.0, "weeks waiting before an unregistered setting")
    unregistered_price_gbp_week: float = P(14000.0, "GBP/wk", 0.0, 1e6, "price of an unregistered setting")
    # NAO25 1.12, 1.18: usually one child, high fees; placements reach 63,000 a week
    forward_plan_share: float = P(0.56, "share", 0.0, 1.0, "authorities with forward sufficiency plans")
    # NAO25 2.17: 56% had a forward-looking sufficiency strategy (2022)
    block_share: float = P(0.1, "share", 0.0, 1.0, "share of expected demand planners reserve in blocks")
    block_margin: float = P(0.1, "share", -1.0, 5.0, "margin agreed in block contracts")
    council_own_first: bool = P(True, "", doc="council homes serve their own authority first")


@dataclass(frozen=True)
class Cooperative:
    """One named regional care cooperative: members by region and/or authority codes."""

    name: str = P("", "", doc="name of the cooperative")
    region: str = P("", "", choices=("",) + REGIONS, doc="all authorities of this region are members")
    members: tuple = P((), "ONS codes", doc="member authorities (added to the region's)")
    exclude: tuple = P((), "ONS codes", doc="authorities that stay out")
    start_week: int = P(0, "week", 0, 2600, "week the cooperative starts (0 = April 2024)")


@dataclass(frozen=True)
class Rcc:
    membership: str = P("none", "", choices=("none", "regions", "national_20", "named"),
                        doc="who joins: nobody, one RCC per region, ~20 RCCs, or the named cooperatives")
    cooperatives: tuple = P((), "", doc="named cooperatives ([[rcc.cooperatives]] tables)")
    opt_out: tuple = P((), "ONS codes", doc="authorities that stay out of any RCC")
    start_week: int = P(0, "week", 0, 2600, "week RCCs start, for regions / national_20")
    rollout_weeks: int = P(0, "weeks", 0, 2600, "members join evenly over this many weeks after the start")
    one_customer: bool = P(True, "", doc="members' referrals coordinated: no member bids against another")
    block_share: float = P(0.0, "share", 0.0, 1.0, "share of members' forecast demand reserved in block contracts")
    block_margin: float = P(0.08, "share", -1.0, 5.0, "margin the RCC agrees in block contracts")
    price_benchmark: float = P(0.0, "x", 0.0, 10.0,
                               "refuse offers above this multiple of the reference cost (0 = no benchmark)")
    capital_gbp_per_year: float = P(0.0, "GBP/yr", 0.0, 1e10, "capital for new council-run homes per RCC")
    capital_cost_per_place_gbp: float = P(350_000.0, "GBP", 1.0, 1e8, "capital cost of one new place (prior)")
    foster_uplift: float = P(0.0, "share", 0.0, 2.0, "members' foster capacity added by a regional hub")
    foster_ramp_weeks: int = P(104, "weeks", 1, 2600, "weeks for the foster hub to reach its uplift")
    holds_duty: bool = P(False, "", doc="the RCC holds the sufficiency duty (2022 review) instead of authorities")
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


@dataclass(frozen=True)
class Scenario:
    name: str = "baseline"
    description: str = ""
    run: Run = field(default_factory=Run)
    demand: Demand = field(default_factory=Demand)
    foster: Foster = field(default_factory=Foster)
    supported: Supported = field(default_factory=Supported)
    supply: Supply = field(default_factory=Supply)
    workforce: Workforce = field(default_factory=Workforce)
    pricing: Pricing = field(default_factory=Pricing)
    commissioning: Commissioning = field(default_factory=Commissioning)
    rcc: Rcc = field(default_factory=Rcc)
    policy: Policy = field(default_factory=Policy)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **overrides: Any) -> "Scenario":
        """A copy with dotted-key overrides, e.g. replace(**{"run.years": 2})."""
        data = self.to_dict()
        for key, value in overrides.items():
            _set_dotted(data, key, value, "<override>")
        return from_dict(data, "<override>")


# --------------------------------------------------------------------------------------------
# parsing and validation


def _set_dotted(data: dict, key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        nxt = node.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ConfigError(source, key, f"'{p}' is not a section")
        node = nxt
    node[parts[-1]] = value


def _suggest(name: str, allowed) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_value(source: str, key: str, f: dataclasses.Field, typ, value: Any):
    meta = f.metadata
    origin = get_origin(typ) or typ
    if origin is bool or typ is bool:
        if not isinstance(value, bool):
            raise ConfigError(source, key, f"expected true or false, got {value!r}")
        return value
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ConfigError(source, key, f"expected a whole number, got {value!r}")
    elif typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(source, key, f"expected a number, got {value!r}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(source, key, f"expected a finite number, got {value!r}")
    elif typ is str:
        if not isinstance(value, str):
            raise ConfigError(source, key, f"expected text, got {value!r}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ConfigError(source, key, f"'{value}' is not one of {', '.join(choices)}{_suggest(value, choices)}")
        return value
    elif origin is tuple or typ is tuple:
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else ()
        if not isinstance(value, (list, tuple)):
            n = f"{len(default)} " if default else ""
            raise ConfigError(source, key, f"expected a list of {n}numbers such as {list(default) or [1.0]}, got {value!r}")
        if default and len(value) != len(default):
            raise ConfigError(source, key, f"expected {len(default)} numbers, got {len(value)}")
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(source, key, f"expected numbers, got {v!r}")
            if not math.isfinite(v):
                raise ConfigError(source, key, f"expected finite numbers, got {v!r}")
            out.append(float(v))
        _check_range(source, key, meta, out)
        if meta.get("unit") == "shares" and abs(sum(out) - 1.0) > 1e-6:
            raise ConfigError(source, key, f"shares must add up to 1, they add up to {sum(out):.4g}")
        return tuple(out)
    _check_range(source, key, meta, [value])
    return value


def _check_range(source, key, meta, values):
    lo, hi = meta.get("lo"), meta.get("hi")
    for v in values:
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ConfigError(source, key, f"{v!r} is out of range; allowed {lo} to {hi} {meta.get('unit', '')}".rstrip())


def _build_section(cls, raw: dict, source: str, prefix: str):
    if not isinstance(raw, dict):
        got = "a list ([[...]] or [...])" if isinstance(raw, (list, tuple)) else repr(raw)
        raise ConfigError(source, prefix, f"expected a table of keys ([{prefix}] with key = value lines), got {got}")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}"
        if key not in known:
            raise ConfigError(source, dotted, f"unknown key{_suggest(key, known)}; allowed: {', '.join(known)}")
        if dataclasses.is_dataclass(hints[key]):
            kwargs[key] = _build_section(hints[key], value, source, dotted)
        elif key == "cooperatives":
            if not isinstance(value, (list, tuple)):
                raise ConfigError(source, dotted, "expected [[rcc.cooperatives]] tables")
            kwargs[key] = tuple(_build_section(Cooperative, v, source, f"{dotted}[{i}]") for i, v in enumerate(value))
        elif key in CODE_LISTS:
            kwargs[key] = _check_codes(source, dotted, value, CODE_LISTS[key])
        else:
            kwargs[key] = _check_value(source, dotted, known[key], hints[key], value)
    return cls(**kwargs)


CODE_LISTS = {"members": "authority", "exclude": "authority", "opt_out": "authority", "secure_regions": "region"}


def _check_codes(source: str, key: str, value, kind: str) -> tuple:
    """A list of authority codes or region names, each checked against the shipped data."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(source, key, f"expected a list of {kind} {'codes' if kind == 'authority' else 'names'}")
    if kind == "region":
        allowed = REGIONS
    else:
        from .data import load_authorities

        table = load_authorities()
        allowed = tuple(table["la_code"])
    for v in value:
        if v not in allowed:
            what = "authority code (ONS E06/E08/E09/E10)" if kind == "authority" else "region"
            hint = _suggest(str(v), allowed) if kind == "region" else _code_hint(v, table)
            raise ConfigError(source, key, f"unknown {what} {v!r}{hint}")
    return tuple(value)


def _code_hint(value, table) -> str:
    """For a mistyped authority: the code of an authority of that name, or a code in other case."""
    text = str(value).strip().casefold()
    for code, name in zip(table["la_code"], table["la_name"]):
        if text in (code.casefold(), name.casefold()):
            return f" (did you mean '{code}', {name}?)"
    names = {n.casefold(): (c, n) for c, n in zip(table["la_code"], table["la_name"])}
    close = difflib.get_close_matches(text, list(names), n=1)
    if close:
        code, name = names[close[0]]
        return f" (did you mean '{code}', {name}?)"
    return ""


def from_dict(data: dict, source: str = "<scenario>", cross: bool = True) -> Scenario:
    """Validate a merged scenario dict into a frozen Scenario.

    cross=False checks each key alone (names, types, ranges) but not how keys fit together: used
    on each file of an `extends` chain and on the `--set` overrides, so errors name their source.
    """
    allowed = {"name", "description", "extends", *SECTIONS}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise ConfigError(source, key, f"unknown key{_suggest(key, allowed)}; allowed: {', '.join(sorted(allowed))}")
        if key in ("name", "description"):
            if not isinstance(value, str):
                raise ConfigError(source, key, f"expected text, got {value!r}")
            if key == "name":
                _check_name(source, value)
            kwargs[key] = value
        elif key in SECTIONS:
            kwargs[key] = _build_section(SECTIONS[key], value, source, key)
    scenario = Scenario(**kwargs)
    if cross:
        _check_cross(scenario, source)
    return scenario


def _check_name(source: str, name: str) -> None:
    """The name becomes a folder (outputs/<name>/...): one plain path component."""
    bad = [c for c in name if c in "/\\" or ord(c) < 32 or ord(c) == 127]
    if len(name.encode()) > 200:
        raise ConfigError(source, "name", f"is {len(name.encode())} bytes long; at most 200 (it names a folder)")
    if not name.strip() or name.strip() != name or name.startswith(".") or bad:
        raise ConfigError(source, "name", f"{name!r} cannot name an output folder; use letters, digits, spaces, "
                          "'-' or '_' (no slashes, no leading dot or spaces)")


MAX_RCC_PLACES_PER_YEAR = 100_000  # new council places one cooperative may commission a year (each opened one by one)


def _check_cross(s: Scenario, source: str) -> None:
    if s.supply.registration_weeks_min > s.supply.registration_weeks_max:
        raise ConfigError(source, "supply.registration_weeks_min", "must not exceed supply.registration_weeks_max")
    if s.workforce.staff_per_child[1] <= 0:  # market.care_cost scales every child's cost by need / medium need
        raise ConfigError(source, "workforce.staff_per_child",
                          "the second number (staff for a medium-complexity child) must be above 0; costs are "
                          "scaled by each child's staffing relative to it")
    r = s.rcc
    if r.capital_gbp_per_year and r.capital_gbp_per_year / r.capital_cost_per_place_gbp > MAX_RCC_PLACES_PER_YEAR:
        raise ConfigError(source, "rcc.capital_gbp_per_year",
                          f"buys {r.capital_gbp_per_year / r.capital_cost_per_place_gbp:,.0f} places a year per "
                          f"cooperative at rcc.capital_cost_per_place_gbp = {r.capital_cost_per_place_gbp:g}; at most "
                          f"{MAX_RCC_PLACES_PER_YEAR:,} (England has about 12,000 registered places)")
    horizon = s.run.years * 52
    for key, week in _start_weeks(s):
        if week >= horizon:
            raise ConfigError(source, key, f"week {week} is past the horizon ({horizon} weeks = run.years x 52)")
    if s.rcc.membership == "named" and not s.rcc.cooperatives:
        raise ConfigError(source, "rcc.cooperatives", "membership 'named' needs at least one [[rcc.cooperatives]] table")
    names: dict[str, int] = {}
    for i, coop in enumerate(s.rcc.cooperatives):
        if not coop.region and not coop.members:
            raise ConfigError(source, f"rcc.cooperatives[{i}]", "give a region or a list of members")
        if coop.name and coop.name in names:
            raise ConfigError(source, f"rcc.cooperatives[{i}].name",
                              f"'{coop.name}' is already the name of rcc.cooperatives[{names[coop.name]}]")
        names.setdefault(coop.name, i)
    if s.commissioning.mode == "rcc" and s.rcc.membership == "none":
        raise ConfigError(source, "rcc.membership", "commissioning.mode 'rcc' needs a membership other than 'none'")
    cap = s.policy.capital
    if cap.new_start_week > cap.new_end_week:
        raise ConfigError(source, "policy.capital.new_start_week", "must not exceed policy.capital.new_end_week")
    if cap.secure_places and not cap.secure_regions:
        raise ConfigError(source, "policy.capital.secure_regions", "name the regions of the new secure places")


def _start_weeks(s: Scenario):
    """Every start week that must fall inside the horizon (only for levers that are switched on)."""
    if s.rcc.membership in ("regions", "national_20"):
        yield "rcc.start_week", s.rcc.start_week
    for i, coop in enumerate(s.rcc.cooperatives):
        yield f"rcc.cooperatives[{i}].start_week", coop.start_week
    p = s.policy
    if p.workforce.hiring_uplift or p.workforce.turnover_reduction or p.workforce.manager_uplift:
        yield "policy.workforce.start_week", p.workforce.start_week
    if p.foster.capacity_uplift:
        yield "policy.foster.start_week", p.foster.start_week
    if p.profit_cap.cap < 1.0:
        yield "policy.profit_cap.start_week", p.profit_cap.start_week
    if p.enforcement.detection_per_week or p.enforcement.deterrence_weeks or p.enforcement.fine_gbp:
        yield "policy.enforcement.start_week", p.enforcement.start_week
    if p.planning.refusal_multiplier != 1.0 or p.planning.need_weight:
        yield "policy.planning.start_week", p.planning.start_week
    if p.oversight.failure_multiplier != 1.0 or p.oversight.orderly_transfer:
        yield "policy.oversight.start_week", p.oversight.start_week
    if p.prevention.entry_reduction:
        yield "policy.prevention.start_week", p.prevention.start_week
    if p.capital.new_council_places and p.capital.new_council_homes:
        yield "policy.capital.new_start_week", p.capital.new_start_week


def _read_toml(path: Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(str(path), None, "is a folder, not a TOML file") from None
    except PermissionError:
        raise ConfigError(str(path), None, "cannot read file: permission denied") from None
    except OSError as e:
        raise ConfigError(str(path), None, f"cannot read file: {e.strerror or e.__class__.__name__}") from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(str(path), None, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at line {line}); "
                          "save the file as UTF-8") from None
    if "\x00" in text:
        raise ConfigError(str(path), None, "is a binary file, not TOML text")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), None, f"malformed TOML: {e}") from None


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_raw(path: str | Path, _chain: tuple = ()) -> dict:
    """Read a scenario file and everything it extends, merged (child wins)."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        raise ConfigError(str(path), "extends", "circular extends: " + " -> ".join(p.name for p in (*_chain, resolved)))
    data = _read_toml(path)
    if not data:
        raise ConfigError(str(path), None, "the file is empty (no keys); give at least a name or "
                          "'extends = \"baseline.toml\"' so that an empty or truncated file is not run as the defaults")
    parent = data.pop("extends", None)
    from_dict(data, str(path), cross=False)  # each file's own keys, so errors name the right file
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ConfigError(str(path), "extends", f"expected a file name such as \"baseline.toml\", got {parent!r}")
    parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not parent_path.exists():
        raise ConfigError(str(path), "extends", f"file '{parent}' not found next to {path.name}")
    if parent_path.is_dir():
        raise ConfigError(str(path), "extends", f"'{parent}' is a folder, not a scenario file")
    return _merge(load_raw(parent_path, (*_chain, resolved)), data)


def parse_set(item: str, source: str = "--set") -> tuple[str, Any]:
    """Parse KEY=VALUE from the command line; the value is read as TOML when it can be."""
    if "=" not in item:
        raise ConfigError(source, item, "expected KEY=VALUE, for example commissioning.mode=rcc")
    key, text = item.split("=", 1)
    key = ".".join(p.strip() for p in key.split("."))
    if not key or any(not p for p in key.split(".")):
        raise ConfigError(source, item, "expected a dotted key such as run.years")
    if key == "extends":
        raise ConfigError(source, key, "can only be given in a scenario file")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    return key, value


def load(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file."""
    data = load_raw(path)
    given: dict = {}
    for item in overrides:
        key, value = parse_set(item)
        _set_dotted(given, key, value, "--set")
        from_dict(given, "--set", cross=False)
        _set_dotted(data, key, value, "--set")
    data.setdefault("name", Path(path).stem)
    return from_dict(data, str(path))


BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def baseline() -> Scenario:
    """The calibrated England baseline (scenarios/baseline.toml), or the defaults without it."""
    return load(BASELINE) if BASELINE.exists() else Scenario()


def warnings_for(s: Scenario) -> list[tuple[str, str]]:
    """Valid but extreme settings, as (key, what will happen): the command line prints them."""
    out = []
    wf, default = s.workforce, Scenario()
    if wf.staff_per_place_target == 0:
        out.append(("workforce.staff_per_place_target",
                    "0: homes employ no staff, so no child can be placed in a children's home"))
    if wf.supply_multiplier == 0:
        out.append(("workforce.supply_multiplier",
                    "0: no staff or managers are hired; homes lose staff to turnover and stop admitting children"))
    if s.foster.capacity_multiplier == 0:
        out.append(("foster.capacity_multiplier",
                    "0: no foster places; children entering care go to children's homes or unregistered settings"))
    if s.supply.entry_projects_per_year == 0:
        out.append(("supply.entry_projects_per_year", "0: no new children's homes open during the run"))
    base = default.demand.entry_rate_per_cla_year
    if base and s.demand.entry_rate_per_cla_year >= 5 * base:
        out.append(("demand.entry_rate_per_cla_year",
                    f"{s.demand.entry_rate_per_cla_year / base:.0f} times the default entry rate: most new children "
                    "will wait or go to unregistered settings, and the run will be slow"))
    for i, coop in enumerate(s.rcc.cooperatives):
        if not coop.region and len(set(coop.members) - set(coop.exclude)) == 1:
            out.append((f"rcc.cooperatives[{i}].members",
                        "a cooperative of one authority buys exactly as that authority does alone"))
    return out


def describe(scenario: Scenario) -> list[tuple[str, Any, str, str]]:
    """Every resolved parameter as (dotted key, value, unit, description)."""
    rows: list = []

    def walk(obj, prefix):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}.{f.name}")
            else:
                rows.append((f"{prefix}.{f.name}", value, f.metadata.get("unit", ""), f.metadata.get("doc", "")))

    for sec in SECTIONS:
        walk(getattr(scenario, sec), sec)
    return rows
