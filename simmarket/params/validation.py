"""Checking parameter values against the schema: types, ranges, choices, codes and cross-key rules.

Every function raises `ConfigError` naming the source (file, `--set`), the dotted key and what is
allowed. `section_kwargs` turns a scenario dict into validated section objects; schema.py builds
the Scenario from them and then applies `check_cross`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import fields
from typing import Any, get_origin, get_type_hints

from ..data import REGIONS
from ..time import WEEKS_PER_YEAR
from .errors import ConfigError, suggest
from .sections import LOCAL_KEYS, REFERENCE_PLACES_PER_HOME, SECTIONS, Commissioning, Cooperative, LocalCommissioning

TOP_KEYS = ("name", "description", "extends")


def set_dotted(data: dict, key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        nxt = node.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ConfigError(source, key, f"'{p}' is not a section")
        node = nxt
    node[parts[-1]] = value



def check_value(source: str, key: str, f: dataclasses.Field, typ, value: Any):
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
            raise ConfigError(source, key, f"'{value}' is not one of {', '.join(choices)}{suggest(value, choices)}")
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
        check_range(source, key, meta, out)
        if meta.get("unit") == "shares" and abs(sum(out) - 1.0) > 1e-6:
            raise ConfigError(source, key, f"shares must add up to 1, they add up to {sum(out):.4g}")
        return tuple(out)
    check_range(source, key, meta, [value])
    return value


def check_range(source, key, meta, values):
    lo, hi = meta.get("lo"), meta.get("hi")
    for v in values:
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ConfigError(source, key, f"{v!r} is out of range; allowed {lo} to {hi} {meta.get('unit', '')}".rstrip())


def build_section(cls, raw: dict, source: str, prefix: str):
    if not isinstance(raw, dict):
        got = "a list ([[...]] or [...])" if isinstance(raw, (list, tuple)) else repr(raw)
        raise ConfigError(source, prefix, f"expected a table of keys ([{prefix}] with key = value lines), got {got}")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}"
        if key not in known:
            raise ConfigError(source, dotted, f"unknown key{suggest(key, known)}; allowed: {', '.join(known)}")
        if dataclasses.is_dataclass(hints[key]):
            kwargs[key] = build_section(hints[key], value, source, dotted)
        elif key == "cooperatives":
            if not isinstance(value, (list, tuple)):
                raise ConfigError(source, dotted, "expected [[rcc.cooperatives]] tables")
            kwargs[key] = tuple(build_section(Cooperative, v, source, f"{dotted}[{i}]") for i, v in enumerate(value))
        elif key == "local" and cls is Commissioning:
            if not isinstance(value, (list, tuple)):
                raise ConfigError(source, dotted, "expected [[commissioning.local]] tables")
            kwargs[key] = tuple(build_local(v, source, f"{dotted}[{i}]") for i, v in enumerate(value))
        elif key in CODE_LISTS:
            kwargs[key] = check_codes(source, dotted, value, CODE_LISTS[key])
        else:
            kwargs[key] = check_value(source, dotted, known[key], hints[key], value)
    return cls(**kwargs)


def build_local(raw, source: str, prefix: str) -> LocalCommissioning:
    """One [[commissioning.local]] table: named authorities, a start week and local [commissioning] keys,
    each checked against its national key's type and range. A national-only key is refused by name.
    A None value is an unset key (a resolved Scenario's dict round-trips through here)."""
    if not isinstance(raw, dict):
        raise ConfigError(source, prefix, "expected a table ([[commissioning.local]] with key = value lines)")
    national = {f.name: f for f in fields(Commissioning)}
    own = {f.name: f for f in fields(LocalCommissioning)}
    allowed = ", ".join(own)
    kwargs = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}"
        if key == "authorities":
            kwargs[key] = check_codes(source, dotted, value, "authority")
        elif key == "from_week":
            kwargs[key] = check_value(source, dotted, own[key], int, value)
        elif key in LOCAL_KEYS:
            if value is not None:
                kwargs[key] = check_value(source, dotted, national[key], float, value)
        elif key in national:
            raise ConfigError(source, dotted, f"is national only and cannot be set per authority; allowed in a "
                              f"local table: {allowed}")
        else:
            raise ConfigError(source, dotted, f"unknown key{suggest(key, own)}; allowed: {allowed}")
    if not kwargs.get("authorities"):
        raise ConfigError(source, f"{prefix}.authorities", "name at least one authority (ONS codes)")
    return LocalCommissioning(**kwargs)


CODE_LISTS = {"members": "authority", "exclude": "authority", "opt_out": "authority", "secure_regions": "region"}


def check_codes(source: str, key: str, value, kind: str) -> tuple:
    """A list of authority codes or region names, each checked against the shipped data."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(source, key, f"expected a list of {kind} {'codes' if kind == 'authority' else 'names'}")
    if kind == "region":
        allowed = REGIONS
    else:
        from ..data import load_authorities

        table = load_authorities()
        allowed = tuple(table["la_code"])
    for v in value:
        if v not in allowed:
            what = "authority code (ONS E06/E08/E09/E10)" if kind == "authority" else "region"
            hint = suggest(str(v), allowed) if kind == "region" else code_hint(v, table)
            raise ConfigError(source, key, f"unknown {what} {v!r}{hint}")
    return tuple(value)


def code_hint(value, table) -> str:
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




def check_name(source: str, name: str) -> None:
    """The name becomes a folder (outputs/<name>/...): one plain path component."""
    bad = [c for c in name if c in "/\\" or ord(c) < 32 or ord(c) == 127]
    if len(name.encode()) > 200:
        raise ConfigError(source, "name", f"is {len(name.encode())} bytes long; at most 200 (it names a folder)")
    if not name.strip() or name.strip() != name or name.startswith(".") or bad:
        raise ConfigError(source, "name", f"{name!r} cannot name an output folder; use letters, digits, spaces, "
                          "'-' or '_' (no slashes, no leading dot or spaces)")


MAX_RCC_PLACES_PER_YEAR = 100_000  # new council places one cooperative may commission a year (each opened one by one)


def check_cross(s, source: str) -> None:
    """How keys fit together (s: a Scenario); each key alone was checked by check_value."""
    if s.supply.registration_weeks_min > s.supply.registration_weeks_max:
        raise ConfigError(source, "supply.registration_weeks_min", "must not exceed supply.registration_weeks_max")
    if s.workforce.staff_per_child[1] <= 0:  # market.care_cost scales every child's cost by need / medium need
        raise ConfigError(source, "workforce.staff_per_child",
                          "the second number (staff for a medium-complexity child) must be above 0; costs are "
                          "scaled by each child's staffing relative to it")
    wf = s.workforce
    if wf.core_staff_per_home > wf.staff_per_place_target * REFERENCE_PLACES_PER_HOME + 1e-9:
        raise ConfigError(source, "workforce.core_staff_per_home",
                          f"{wf.core_staff_per_home:g} is more than a {REFERENCE_PLACES_PER_HOME:g}-place home's whole "
                          f"staff (workforce.staff_per_place_target x {REFERENCE_PLACES_PER_HOME:g} = "
                          f"{wf.staff_per_place_target * REFERENCE_PLACES_PER_HOME:g}); at most that (for homes with no staff, "
                          "set both to 0)")
    r = s.rcc
    if r.capital_gbp_per_year and r.capital_gbp_per_year / r.capital_cost_per_place_gbp > MAX_RCC_PLACES_PER_YEAR:
        raise ConfigError(source, "rcc.capital_gbp_per_year",
                          f"buys {r.capital_gbp_per_year / r.capital_cost_per_place_gbp:,.0f} places a year per "
                          f"cooperative at rcc.capital_cost_per_place_gbp = {r.capital_cost_per_place_gbp:g}; at most "
                          f"{MAX_RCC_PLACES_PER_YEAR:,} (England has about 12,000 registered places)")
    horizon = s.run.years * WEEKS_PER_YEAR
    for key, week in start_weeks(s):
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
    cap = s.policy.capital
    if cap.new_start_week > cap.new_end_week:
        raise ConfigError(source, "policy.capital.new_start_week", "must not exceed policy.capital.new_end_week")
    if cap.secure_places and not cap.secure_regions:
        raise ConfigError(source, "policy.capital.secure_regions", "name the regions of the new secure places")


def start_weeks(s):
    """Every start week that must fall inside the horizon (only for levers that are switched on)."""
    if s.rcc.membership in ("regions", "national_20"):
        yield "rcc.start_week", s.rcc.start_week
    for i, coop in enumerate(s.rcc.cooperatives):
        yield f"rcc.cooperatives[{i}].start_week", coop.start_week
    if s.rcc.mandate_week:
        yield "rcc.mandate_week", s.rcc.mandate_week
    for i, table in enumerate(s.commissioning.local):
        yield f"commissioning.local[{i}].from_week", table.from_week
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



def section_kwargs(data: dict, source: str) -> dict[str, Any]:
    """A scenario dict (name, description, sections) as validated Scenario keyword arguments."""
    allowed = {*TOP_KEYS, *SECTIONS}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise ConfigError(source, key, f"unknown key{suggest(key, allowed)}; allowed: {', '.join(sorted(allowed))}")
        if key in ("name", "description"):
            if not isinstance(value, str):
                raise ConfigError(source, key, f"expected text, got {value!r}")
            if key == "name":
                check_name(source, value)
            kwargs[key] = value
        elif key in SECTIONS:
            kwargs[key] = build_section(SECTIONS[key], value, source, key)
    return kwargs
