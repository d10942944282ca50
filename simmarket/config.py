"""Scenario schema: typed, frozen parameters with units, bounds and defaults.

A scenario file is TOML. It may `extends = "other.toml"` (resolved relative to the file); keys
given on the command line with `--set section.key=value` override both. Every key is checked
once, here, against its declared type and range; nothing deeper in the model reads raw dicts.
Errors are `ConfigError`s that name the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and The Humber",
)


class ConfigError(ValueError):
    """A scenario or sweep file is invalid; the message is one line for the user."""

    def __init__(self, source: str, key: str | None, message: str):
        self.source, self.key = source, key
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)


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
        0.16, "1/yr", 0.0, 2.0, "hazard that a fostered 11-17 year old needs a children's home"
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
        0.15, "share", 0.0, 1.0, "share of residential-need children who need a place the same week"
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
        0.22, "1/yr", 0.0, 10.0, "children leaving foster care other than at 18 (home, adoption, SGO)"
    )
    supported_exit_per_year: float = P(0.25, "1/yr", 0.0, 10.0, "endings in supported accommodation before 18")
    step_down_share: float = P(
        0.35, "share", 0.0, 1.0, "share of planned home endings that step down to foster/supported care"
    )
    breakdown_per_year: float = P(
        0.18, "1/yr", 0.0, 10.0, "base hazard of a children's home placement breaking down"
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
    capacity_slack: float = P(0.04, "share", 0.0, 5.0, "free supported places above the March 2024 stock")
    capacity_trend_per_year: float = P(0.12, "1/yr", -0.5, 2.0, "annual growth of supported accommodation")
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
    closure_no_manager_weeks: int = P(78, "weeks", 1, 1000, "a home without a manager this long closes")
    owner_failure_per_year: float = P(
        0.004, "1/yr", 0.0, 1.0, "failure hazard of a highly indebted owner"
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
    manager_hire_per_week: float = P(0.018, "prob/wk", 0.0, 1.0, "chance a manager vacancy is filled")
    # NAO25 2.14: 19% of homes had no registered manager, March 2025
    wage_gbp_week: float = P(720.0, "GBP/wk", 0.0, 1e5, "cost of one FTE including on-costs")
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
    expected_occupancy: float = P(0.8, "share", 0.05, 1.0, "occupancy providers price their places for")
    profit_cap: float = P(1.0, "share", 0.0, 5.0, "cap on the margin charged above cost (1 = none)")


@dataclass(frozen=True)
class Commissioning:
    mode: str = P("spot", "", choices=("spot", "rcc"), doc="spot purchasing or regional care cooperatives")
    shortlist: int = P(12, "homes", 1, 200, "homes each waiting child is referred to per week")
    radius_miles: float = P(25.0, "miles", 0.0, 500.0, "first week's search radius")
    referral_spread: float = P(1.0, "", 0.0, 10.0, "randomness in which suitable homes a child is referred to")
    radius_growth_per_week: float = P(0.25, "1/wk", 0.0, 10.0, "relative widening of the radius each week")
    distance_weight_gbp_per_mile: float = P(25.0, "GBP/wk/mile", 0.0, 1e4, "price an authority trades for a mile")
    wtp_multiple: float = P(1.25, "x", 0.1, 10.0, "authority's first-week ceiling over the benchmark cost")
    wtp_growth_per_week: float = P(0.12, "1/wk", 0.0, 10.0, "rise of the ceiling each week of waiting")
    unregistered_after_weeks: int = P(5, "weeks", 0, 520, "weeks waiting before an unregistered setting")
    unregistered_price_gbp_week: float = P(14000.0, "GBP/wk", 0.0, 1e6, "price of an unregistered setting")
    # NAO25 1.12, 1.18: usually one child, high fees; placements reach 63,000 a week
    forward_plan_share: float = P(0.56, "share", 0.0, 1.0, "authorities with forward sufficiency plans")
    # NAO25 2.17: 56% had a forward-looking sufficiency strategy (2022)
    block_share: float = P(0.1, "share", 0.0, 1.0, "share of expected demand planners reserve in blocks")
    block_margin: float = P(0.1, "share", -1.0, 5.0, "margin agreed in block contracts")
    council_own_first: bool = P(True, "", doc="council homes serve their own authority first")


SECTIONS = {
    "run": Run,
    "demand": Demand,
    "foster": Foster,
    "supported": Supported,
    "supply": Supply,
    "workforce": Workforce,
    "pricing": Pricing,
    "commissioning": Commissioning,
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
            raise ConfigError(source, key, f"expected a list of {len(default)} numbers, got {value!r}")
        if default and len(value) != len(default):
            raise ConfigError(source, key, f"expected {len(default)} numbers, got {len(value)}")
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(source, key, f"expected numbers, got {v!r}")
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
        raise ConfigError(source, prefix, "expected a table of keys")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}"
        if key not in known:
            raise ConfigError(source, dotted, f"unknown key{_suggest(key, known)}; allowed: {', '.join(known)}")
        kwargs[key] = _check_value(source, dotted, known[key], hints[key], value)
    return cls(**kwargs)


def from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a merged scenario dict into a frozen Scenario."""
    allowed = {"name", "description", "extends", *SECTIONS}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise ConfigError(source, key, f"unknown key{_suggest(key, allowed)}; allowed: {', '.join(sorted(allowed))}")
        if key in ("name", "description"):
            if not isinstance(value, str):
                raise ConfigError(source, key, f"expected text, got {value!r}")
            kwargs[key] = value
        elif key in SECTIONS:
            kwargs[key] = _build_section(SECTIONS[key], value, source, key)
    scenario = Scenario(**kwargs)
    _check_cross(scenario, source)
    return scenario


def _check_cross(s: Scenario, source: str) -> None:
    if s.supply.registration_weeks_min > s.supply.registration_weeks_max:
        raise ConfigError(source, "supply.registration_weeks_min", "must not exceed supply.registration_weeks_max")


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), None, f"cannot read file ({e.__class__.__name__})") from None
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
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(str(path), "extends", f"expected a file name, got {parent!r}")
    parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not parent_path.exists():
        raise ConfigError(str(path), "extends", f"file '{parent}' not found next to {path.name}")
    return _merge(load_raw(parent_path, (*_chain, resolved)), data)


def parse_set(item: str, source: str = "--set") -> tuple[str, Any]:
    """Parse KEY=VALUE from the command line; the value is read as TOML when it can be."""
    if "=" not in item:
        raise ConfigError(source, item, "expected KEY=VALUE, for example commissioning.mode=rcc")
    key, text = item.split("=", 1)
    key = key.strip()
    if not key or any(not p for p in key.split(".")):
        raise ConfigError(source, item, "expected a dotted key such as run.years")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    return key, value


def load(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file."""
    data = load_raw(path)
    for item in overrides:
        key, value = parse_set(item)
        _set_dotted(data, key, value, "--set")
    data.setdefault("name", Path(path).stem)
    return from_dict(data, str(path))


def describe(scenario: Scenario) -> list[tuple[str, Any, str, str]]:
    """Every resolved parameter as (dotted key, value, unit, description)."""
    rows = []
    for sec in SECTIONS:
        obj = getattr(scenario, sec)
        for f in fields(obj):
            rows.append((f"{sec}.{f.name}", getattr(obj, f.name), f.metadata.get("unit", ""), f.metadata.get("doc", "")))
    return rows
