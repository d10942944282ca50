"""The dashboard's levers: one table of scenario keys a student can change, and scenario files.

Each lever is a dotted key of the scenario schema (simmarket/params). Only the keys that exist in
the schema, and are not retired, are offered, so the table may name keys that another part of the
project has not added yet; they appear once the schema has them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import params
from ..params import ConfigError, Scenario
from ..time import START_DATE


@dataclass(frozen=True)
class Lever:
    key: str  # dotted scenario key
    label: str  # what the student sees, with the unit
    explanation: str  # one or two sentences for a student
    lo: float | None = None  # slider range (clipped to the schema's range)
    hi: float | None = None
    step: float | None = None
    choices: tuple | None = None  # for text keys (else the schema's choices)


# The one table of levers, in the order they appear. Keys missing from the schema are skipped.
LEVER_TABLE: tuple[Lever, ...] = (
    # no lower end here: the schema's bound on run.scale (the smallest honest scale) decides it
    Lever("run.scale", "Model scale (share of England)", "1.0 models all of England; a smaller scale is a sample "
          "of it (faster). Counts on the charts are for the modelled share.", None, 1.0, 0.25),
    Lever("run.years", "Years to simulate (years)",
          f"How long a run lasts, from {START_DATE.day} {START_DATE:%B %Y} (the scenario's run.start_year).", 1, 10, 1),
    Lever("rcc.membership", "Who joins an RCC",
          "none: no cooperatives; regions: one RCC per region; national_20: about twenty RCCs across England; "
          "pilots: a few pilot cooperatives.", choices=("none", "regions", "pilots", "national_20")),
    Lever("rcc.one_customer", "RCC members act as one buyer",
          "When on, authorities in the same RCC never bid against each other for the same place."),
    Lever("rcc.block_share", "RCC places booked ahead (share of demand)",
          "Share of the cooperative's expected demand reserved in block contracts at agreed prices.", 0.0, 0.6, 0.05),
    Lever("rcc.price_benchmark", "RCC price ceiling (x reference cost; 0 = none)",
          "The RCC refuses offers above this multiple of what care should cost. 0 means no ceiling.", 0.0, 3.0, 0.1),
    Lever("commissioning.block_share", "Authorities' places booked ahead (share of demand)",
          "Authorities with forward plans reserve this share of their expected demand in block contracts each April.",
          0.0, 0.6, 0.05),
    Lever("commissioning.unregistered_after_weeks", "Weeks of waiting before an unregistered setting (weeks)",
          "How long an authority keeps searching before it uses an unregistered setting. Emergencies go at once.",
          0, 26, 1),
    Lever("workforce.supply_multiplier", "Care staff supply (x today)",
          "Scales how easily homes fill staff and manager vacancies. Homes without staff cannot use their beds.",
          0.25, 2.0, 0.05),
    Lever("foster.capacity_multiplier", "Foster places (x today)",
          "Scales foster-carer capacity. Fewer foster places push more children towards children's homes.",
          0.5, 1.5, 0.05),
    Lever("policy.capital.new_council_places", "New council places built (places)",
          "Places in new council-run children's homes opened over the run (a capital programme).", 0, 4000, 100),
    Lever("pricing.profit_cap", "Profit cap (margin over cost; 1 = no cap)",
          "The highest margin providers may charge above their costs. 0.1 means at most 10% above cost.",
          0.0, 1.0, 0.05),
    Lever("policy.enforcement.detection_per_week", "Enforcement: chance an unregistered placement is found (per week)",
          "Ofsted enforcement against unregistered settings: each week, each such placement may be found.",
          0.0, 0.2, 0.01),
    Lever("supply.registration_weeks_min", "Ofsted registration: shortest (weeks)",
          "A new home waits at least this long for registration before it can open.", 0, 104, 2),
    Lever("supply.registration_weeks_max", "Ofsted registration: longest (weeks)",
          "A new home waits at most this long for registration.", 0, 156, 2),
)


def _field(key: str) -> dataclasses.Field | None:
    """The dataclass field of a dotted key in the Scenario schema, or None."""
    cls: Any = Scenario
    f = None
    for part in key.split("."):
        if not dataclasses.is_dataclass(cls):
            return None
        found = {x.name: x for x in dataclasses.fields(cls)}.get(part)
        if found is None:
            return None
        f = found
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        cls = type(default) if dataclasses.is_dataclass(default) else None
    return f


def schema_values(scenario: Scenario) -> dict[str, Any]:
    return {k: v for k, v, _unit, _doc in params.describe(scenario)}


SCHEMA = schema_values(Scenario())


@dataclass(frozen=True)
class Control:
    """A lever resolved against the schema: its input type, range and default."""

    lever: Lever
    kind: str  # "float" | "int" | "bool" | "choice"
    default: Any
    lo: float | None
    hi: float | None
    step: float | None
    choices: tuple | None
    unit: str
    doc: str

    @property
    def key(self) -> str:
        return self.lever.key

    @property
    def label(self) -> str:
        return self.lever.label


def on_grid(lo: float, step: float) -> float:
    """The smallest multiple of the slider's step at or above lo (a slider offers only lo + k x step,
    so the lowest value offered respects the schema's lower bound and is still a round number)."""
    return round(math.ceil(lo / step - 1e-9) * step, 10)


def _resolve(lever: Lever) -> Control | None:
    if lever.key not in SCHEMA:
        return None
    default = SCHEMA[lever.key]
    f = _field(lever.key)
    meta = dict(f.metadata) if f is not None else {}
    if meta.get("retired"):
        return None  # accepted in files, but it has no effect: not a lever
    lo, hi = lever.lo, lever.hi
    if meta.get("lo") is not None:
        lo = meta["lo"] if lo is None else max(lo, meta["lo"])
    if meta.get("hi") is not None:
        hi = meta["hi"] if hi is None else min(hi, meta["hi"])
    if isinstance(default, bool):
        kind = "bool"
    elif isinstance(default, str):
        kind = "choice"
    elif isinstance(default, int):
        kind = "int"
    elif isinstance(default, float):
        kind = "float"
    else:
        return None  # lists and tables are not levers
    choices = None
    if kind == "choice":
        allowed = meta.get("choices") or lever.choices or (default,)
        # choices the schema allows, in the table's order when it gives one; 'named' needs tables
        order = [c for c in (lever.choices or ()) if c in allowed] + [c for c in allowed if c not in (lever.choices or ())]
        choices = tuple(c for c in order if c != "named")
    if kind in ("int", "float") and (lo is None or hi is None):
        return None
    step = lever.step
    if step is None and kind in ("int", "float"):
        step = 1 if kind == "int" else (hi - lo) / 20
    if kind == "int":
        lo, hi, step = int(lo), int(hi), max(int(step), 1)
    elif kind == "float":
        lo = on_grid(lo, step)
    return Control(lever, kind, default, lo, hi, step, choices, meta.get("unit", ""), meta.get("doc", ""))


CONTROLS: tuple[Control, ...] = tuple(c for c in (_resolve(lv) for lv in LEVER_TABLE) if c is not None)
CONTROL_BY_KEY = {c.key: c for c in CONTROLS}


# ---------------------------------------------------------------------------------- scenarios

def scenario_choices() -> dict[str, str]:
    """Scenario name -> what the project's loader takes: the shipped scenarios (baseline first),
    then any other file in ./scenarios/."""
    found = {name: name for name in params.shipped_names()}
    for path in sorted((Path.cwd() / "scenarios").glob("*.toml")):
        found.setdefault(path.stem, str(path))
    return found


def load_scenario(name: str) -> Scenario:
    """A scenario by name (or path) with the project's loader; a ConfigError naming the file and key
    if it cannot be read or is not valid (never silently the defaults)."""
    return params.load(scenario_choices().get(name, name))


def values_of(scenario: Scenario) -> dict[str, Any]:
    """The current value of every lever in a scenario."""
    vals = schema_values(scenario)
    return {c.key: vals[c.key] for c in CONTROLS if c.key in vals}


def _coerce(control: Control, value: Any) -> Any:
    if control.kind == "bool":
        return bool(value)
    if control.kind == "int":
        return int(round(float(value)))
    if control.kind == "float":
        return float(value)
    return str(value)


def build_scenario(base: Scenario, settings: dict[str, Any]) -> tuple[Scenario, list[str]]:
    """The base scenario with the levers' settings applied, made consistent.

    Returns the scenario and notes for the student about anything adjusted or refused.
    """
    notes: list[str] = []
    over = {k: _coerce(CONTROL_BY_KEY[k], v) for k, v in settings.items() if k in CONTROL_BY_KEY}
    lo_key, hi_key = "supply.registration_weeks_min", "supply.registration_weeks_max"
    if lo_key in over and hi_key in over and over[lo_key] > over[hi_key]:
        over[hi_key] = over[lo_key]
        notes.append("Registration: the longest delay was raised to the shortest.")
    for _ in range(len(over) + 1):
        try:
            return base.replace(**over), notes
        except ConfigError as e:
            bad = e.key if e.key in over else next((k for k in over if e.key and e.key.startswith(k)), None)
            if bad is None:
                notes.append(f"Could not apply the levers ({e}); using the scenario as it is.")
                return base, notes
            notes.append(f"Ignored {bad}: {e}")
            over.pop(bad)
    return base, notes
