"""What a resolved scenario says: every parameter with its unit (describe), the valid but extreme
settings (warnings_for) and the retired keys in use (retired_in_use) the command line warns about."""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from typing import Any

from ..data import load_authorities
from .schema import Scenario


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



def retired_in_use(s: Scenario) -> list[tuple[str, str]]:
    """Retired keys set to anything but their default: still accepted, but without effect."""
    out = []
    defaults = {key: value for key, value, _unit, _doc in describe(Scenario())}
    for key, value, _unit, _doc, retired in _rows(s):
        if retired and value != defaults[key]:
            out.append((key, f"{value!r}: retired, {retired}"))
    return out


def describe(scenario: Scenario) -> list[tuple[str, Any, str, str]]:
    """Every resolved parameter as (dotted key, value, unit, description); retired keys say so."""
    out = []
    for key, value, unit, doc, retired in _rows(scenario):
        out.append((key, value, unit, f"RETIRED: {retired} (was: {doc})" if retired else doc))
    return out


def allowed_values(scenario: Scenario) -> dict[str, str]:
    """Each resolved parameter's allowed values as validation checks them: 'lo to hi' (inclusive;
    'at least lo' or 'at most hi' with one bound), 'one of a, b', or '' where any value of its type
    is accepted."""
    return {key: _allowed_text(meta, value) for key, meta, value in _metadata(scenario)}


def _allowed_text(meta, value) -> str:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if isinstance(value, bool):
        return "true or false"
    if choices:
        return "one of " + ", ".join(map(str, choices))
    each = "each " if isinstance(value, tuple) else ""
    if lo is not None and hi is not None:
        return f"{each}{_number(lo)} to {_number(hi)}"
    if lo is not None:
        return f"{each}at least {_number(lo)}"
    return "" if hi is None else f"{each}at most {_number(hi)}"


def _number(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def _rows(scenario: Scenario) -> list[tuple[str, Any, str, str, str]]:
    return [(key, value, meta.get("unit", ""), meta.get("doc", ""), meta.get("retired", ""))
            for key, meta, value in _metadata(scenario)]


def _metadata(scenario: Scenario) -> list[tuple[str, Any, Any]]:
    """Every resolved parameter as (dotted key, its field's metadata, value)."""
    rows: list = []

    def walk(obj, prefix):
        for f in fields(obj):
            value = getattr(obj, f.name)
            key = f"{prefix}.{f.name}" if prefix else f.name
            if dataclasses.is_dataclass(value):
                walk(value, key)
            elif isinstance(value, tuple) and value and all(dataclasses.is_dataclass(v) for v in value):
                for i, table in enumerate(value):  # [[...]] tables, each key on its own row
                    walk(table, f"{key}[{i}]")
            elif value is None:  # a local table's unset key: the national value applies
                continue
            elif prefix:  # name and description are not parameters
                rows.append((key, f.metadata, value))

    walk(scenario, "")
    return rows


def describe_local(s: Scenario) -> list[str]:
    """The resolved [[commissioning.local]] tables, one line each: when, who (code and name), and each
    local value against the national one it replaces."""
    if not s.commissioning.local:
        return []
    names = dict(zip(*(load_authorities()[c] for c in ("la_code", "la_name"))))
    out = []
    for i, t in enumerate(s.commissioning.local):
        who = ", ".join(f"{c} {names[c]}" for c in t.authorities)
        values = ", ".join(f"{k} = {v:g} (national {getattr(s.commissioning, k):g})" for k, v in t.settings().items())
        out.append(f"commissioning.local[{i}]: from week {t.from_week}, {who}: {values or 'nothing set'}")
    return out
