"""The functions a scenario switches on relative to a base: the one grouping table of `--decompose`.

A *function* is one switchable thing: a set of resolved parameter keys that are set together
(an RCC acting as one customer; pooled block contracts with their margin; the sufficiency duty
with its search limit; a whole `[policy.*]` lever). `FUNCTIONS` is the table; any differing key
it does not name is a function of its own (the generic fallback).

The *frame* (`FRAME`: which authorities join cooperatives, and when) is not a function: it says
who and when, and is kept in every arm of a decomposition.

A cooperative's functions are *gated*: they act only where authorities are members
(`rcc.membership` is not "none"). In a base without cooperatives they are inert whatever their
values, so their setting there is their `off` values (the default `rcc.one_customer = true`
does nothing in the baseline; in a scenario with cooperatives it is a function switched on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..params import ConfigError, Scenario

FRAME = ("rcc.membership", "rcc.cooperatives", "rcc.opt_out", "rcc.start_week", "rcc.rollout_weeks", "rcc.mandate_week")


@dataclass(frozen=True)
class Function:
    """One switchable function: a short name, plain words, its keys (a key or a section prefix),
    and, if gated on cooperatives, the values that switch it off."""

    name: str
    label: str
    keys: tuple[str, ...]
    off: dict = field(default_factory=dict)
    gated: bool = False

    def owns(self, key: str) -> bool:
        return any(key == k or key.startswith(k + ".") for k in self.keys)


def _rcc(name, label, keys, off) -> Function:
    return Function(name, label, tuple(f"rcc.{k}" for k in keys), {f"rcc.{k}": v for k, v in off.items()}, True)


FUNCTIONS = (
    _rcc("one_customer", "RCC buys as one customer", ("one_customer",), {"one_customer": False}),
    _rcc("rcc_blocks", "RCC pooled forecasting and block contracts", ("block_share", "block_margin"),
         {"block_share": 0.0}),
    _rcc("price_benchmark", "RCC price benchmark", ("price_benchmark",), {"price_benchmark": 0.0}),
    _rcc("market_shaping", "RCC market shaping (its market position statement steers entry)", ("market_shaping",),
         {"market_shaping": 0.0}),
    _rcc("rcc_capital", "RCC capital for council homes", ("capital_gbp_per_year", "capital_cost_per_place_gbp"),
         {"capital_gbp_per_year": 0.0}),
    _rcc("foster_hub", "RCC foster recruitment hub", ("foster_uplift", "foster_ramp_weeks"), {"foster_uplift": 0.0}),
    _rcc("holds_duty", "RCC holds the sufficiency duty", ("holds_duty", "duty_unregistered_after_weeks"),
         {"holds_duty": False}),
    _rcc("runs_council_homes", "RCC runs its members' council homes", ("runs_council_homes",),
         {"runs_council_homes": False}),
    _rcc("runs_fostering", "RCC runs its members' fostering", ("runs_fostering",), {"runs_fostering": False}),
    Function("capital_programme", "Capital programme", ("policy.capital",)),
    Function("workforce_package", "Workforce package", ("policy.workforce",)),
    Function("foster_recruitment", "National foster recruitment", ("policy.foster",)),
    Function("profit_cap", "Profit cap", ("policy.profit_cap",)),
    Function("enforcement", "Enforcement against unregistered settings", ("policy.enforcement",)),
    Function("planning_reform", "Planning reform", ("policy.planning",)),
    Function("financial_oversight", "Financial oversight", ("policy.oversight",)),
    Function("prevention", "Prevention grant", ("policy.prevention",)),
)


def flatten(scenario: Scenario) -> dict:
    """Every resolved parameter as dotted key -> value (tables of cooperatives stay one value)."""
    out: dict = {}

    def walk(node, prefix):
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                walk(v, key)
            elif prefix:  # name and description are not parameters
                out[key] = v

    walk(scenario.to_dict(), "")
    return out


def function_of(key: str) -> Function:
    """The table's function owning a key, else a function of that key alone."""
    for f in FUNCTIONS:
        if f.owns(key):
            return f
    return Function(key, key, (key,))


def live(f: Function, scenario: Scenario) -> bool:
    """Whether a function can act in a scenario (a gated one needs cooperatives)."""
    return not f.gated or scenario.rcc.membership != "none"


@dataclass(frozen=True)
class Switch:
    """A function OTHER switches on: its keys' setting in the base (off where it cannot act) and
    their values in OTHER."""

    function: Function
    base: dict
    other: dict

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def label(self) -> str:
        return self.function.label


def setting(f: Function, flat: dict, scenario: Scenario) -> dict:
    """A function's keys as they act in a scenario: its values, or its off values where it cannot act."""
    values = {k: v for k, v in flat.items() if f.owns(k)}
    return values if live(f, scenario) else {**values, **f.off}


def switches(base: Scenario, other: Scenario) -> tuple[dict, list[Switch]]:
    """(the frame keys OTHER changes, the functions it switches on), in the table's then key order."""
    fb, fo = flatten(base), flatten(other)
    frame = {k: fo[k] for k in FRAME if fb[k] != fo[k]}
    found: dict[str, Function] = {}
    for key in fo:
        if key in FRAME:
            continue
        f = function_of(key)
        if f.name not in found and setting(f, fb, base) != setting(f, fo, other):
            found[f.name] = f
    order = {f.name: i for i, f in enumerate(FUNCTIONS)}
    chosen = sorted(found.values(), key=lambda f: order.get(f.name, len(order)))
    return frame, [Switch(f, setting(f, fb, base), {k: v for k, v in fo.items() if f.owns(k)}) for f in chosen]


def start_arm(base: Scenario, other: Scenario, frame: dict, name: str) -> Scenario:
    """BASE with OTHER's frame and no function on: where OTHER's cooperatives make the gated
    functions act, each at its base setting; where they cannot act, at OTHER's (inert) values."""
    fb, fo = flatten(base), flatten(other)
    values = dict(frame)
    gated = {f.name: f for f in map(function_of, fb) if f.gated}
    for f in gated.values():
        values.update(setting(f, fb, base) if live(f, other) else {k: v for k, v in fo.items() if f.owns(k)})
    return _replace(base, values, name)


def alone(start: Scenario, sw: Switch, name: str) -> Scenario:
    """The start arm with one function switched on as in OTHER."""
    return _replace(start, sw.other, name)


def all_but(other: Scenario, sw: Switch, name: str) -> Scenario:
    """OTHER with one function set back to its base setting."""
    return _replace(other, sw.base, name)


def _replace(scenario: Scenario, values: dict, name: str) -> Scenario:
    try:
        return scenario.replace(**values, name=name) if values else scenario.replace(name=name)
    except ConfigError as e:
        raise ConfigError(name, e.key, f"{e.message} (this arm of the decomposition mixes the base's and the "
                          "other scenario's values; group the keys that belong together in "
                          "simmarket/experiment/functions.py FUNCTIONS)") from None
