"""Sweep files: a base scenario, a typed parameter space, a design and the outcomes to keep.

Parameters are small typed objects (`Real`, `Integer`, `Categorical`), each naming the dotted
scenario key it sets; they map points of the unit cube to values, so every sampler (grid, Latin
hypercube, Sobol, Morris) works on [0, 1]^d and the parameters do the rest. A sweep file is
checked once, here: every key, every bound (applied to the scenario so the schema validates it)
and every point of the design. Errors are `ConfigError`s naming the file and the key.

    name = "staffing-x-registration"
    scenario = "../baseline.toml"          # relative to this file
    contrast = "../rcc_pilots.toml"        # optional: each run is paired with this scenario (below)
    [set]                                  # fixed overrides of the scenario (optional)
    "run.years" = 5
    [design]
    method = "grid"                        # grid | lhs | sobol | morris | table
    levels = 5                             # grid: levels per numeric parameter; morris: grid levels
    samples = 64                           # lhs: points; sobol: base samples N (power of 2); morris: trajectories
    replications = 4                       # seeds per point (default: the scenario's run.seeds)
    root_seed = 20240331                   # default: the scenario's run.root_seed
    metrics = ["children_unregistered", "mean_weekly_price_gbp"]   # default: every metric
    [parameters."workforce.supply_multiplier"]
    type = "real"                          # real | integer | categorical (default: from the schema)
    lo = 0.6
    hi = 1.4

A sweep with a `contrast` runs every (point, replication) twice, on the scenario and on the contrast
scenario, with the same point values (and [set] overrides) and the same seed. Its outcomes are each
metric `m` (the scenario), `contrast_m` and `delta_m` = m - contrast_m, paired by seed; the run is
one row of the store, so resuming works as for any sweep. It answers questions such as "where in the
unmeasured parameters does the policy raise unregistered use?" (`simmarket explore`).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..params import ConfigError, Scenario, describe, from_dict, load_raw, read_toml, suggest
from ..metrics import METRICS
from .design import DEFAULT_SAMPLES, design_points

METHODS = ("grid", "lhs", "sobol", "morris", "table")
TOP_KEYS = ("name", "description", "scenario", "contrast", "set", "design", "parameters")
CONTRAST_PREFIX, DELTA_PREFIX = "contrast_", "delta_"
DESIGN_KEYS = ("method", "levels", "samples", "replications", "root_seed", "metrics", "second_order",
               "common_random_numbers", "points", "design_seed")
PARAM_KEYS = ("type", "lo", "hi", "levels", "values", "choices")
TYPES = ("real", "integer", "categorical")


# --------------------------------------------------------------------------------------------
# typed parameters


@dataclass(frozen=True)
class Real:
    """A real-valued key on [lo, hi]; `values` (optional) restricts it to listed levels."""

    key: str
    lo: float
    hi: float
    levels: int | None = None
    values: tuple | None = None

    def from_unit(self, u: np.ndarray) -> list:
        if self.values:
            return _pick(self.values, u)
        return [float(self.lo + x * (self.hi - self.lo)) for x in np.asarray(u, float)]

    def grid(self, default_levels: int) -> list:
        if self.values:
            return list(self.values)
        return [float(f"{v:.12g}") for v in np.linspace(self.lo, self.hi, self.levels or default_levels)]

    def extremes(self) -> list:
        return list(self.values) if self.values else [self.lo, self.hi]

    def describe(self) -> str:
        return f"real, one of {list(self.values)}" if self.values else f"real on [{self.lo}, {self.hi}]"


@dataclass(frozen=True)
class Integer(Real):
    """A whole-number key on [lo, hi], every integer equally likely under sampling."""

    def from_unit(self, u: np.ndarray) -> list:
        if self.values:
            return _pick(self.values, u)
        n = int(self.hi) - int(self.lo) + 1
        idx = np.minimum(np.floor(np.asarray(u, float) * n), n - 1).astype(int)
        return [int(self.lo) + int(i) for i in idx]

    def grid(self, default_levels: int) -> list:
        if self.values:
            return list(self.values)
        pts = np.linspace(self.lo, self.hi, self.levels or default_levels)
        return sorted({int(round(v)) for v in pts})

    def describe(self) -> str:
        return f"integer, one of {list(self.values)}" if self.values else f"integer on [{self.lo}, {self.hi}]"


@dataclass(frozen=True)
class Categorical:
    """A key taking one of a list of choices (text, true/false or numbers)."""

    key: str
    choices: tuple

    def from_unit(self, u: np.ndarray) -> list:
        return _pick(self.choices, u)

    def grid(self, default_levels: int) -> list:
        return list(self.choices)

    def extremes(self) -> list:
        return list(self.choices)

    def describe(self) -> str:
        return f"categorical, one of {list(self.choices)}"


Parameter = Real | Integer | Categorical


def _pick(options, u) -> list:
    k = len(options)
    idx = np.minimum(np.floor(np.asarray(u, float) * k), k - 1).astype(int)
    return [options[i] for i in idx]


# --------------------------------------------------------------------------------------------
# the sweep


@dataclass(frozen=True)
class Design:
    method: str = "grid"
    levels: int = 5
    samples: int | None = None
    replications: int = 1
    root_seed: int = 0
    second_order: bool = True
    common_random_numbers: bool = True
    design_seed: int | None = None
    points: tuple = ()

    @property
    def sampling_seed(self) -> int:
        """Seed of the design sampler (LHS, Sobol scrambling, Morris trajectories)."""
        return self.root_seed if self.design_seed is None else self.design_seed


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: base scenario, parameters, design and outcome metrics."""

    name: str
    scenario: Scenario
    parameters: tuple
    design: Design
    metrics: tuple
    description: str = ""
    source: str = "<sweep>"
    contrast: Scenario | None = None

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    @property
    def deltas(self) -> tuple:
        """`delta_m` for each metric m when the sweep has a contrast (scenario minus contrast), else ()."""
        return tuple(DELTA_PREFIX + m for m in self.metrics) if self.contrast is not None else ()

    @property
    def reported(self) -> tuple:
        """The outcomes tables, charts and analyses show: each metric, then each paired difference."""
        return self.metrics + self.deltas

    @property
    def outcomes(self) -> tuple:
        """Every outcome column a run stores: the metrics, and with a contrast also `delta_m`, `contrast_m`."""
        if self.contrast is None:
            return self.metrics
        return self.reported + tuple(CONTRAST_PREFIX + m for m in self.metrics)

    def with_method(self, method: str) -> "Sweep":
        """The same sweep under another design method (used by `simmarket sensitivity`)."""
        if method == self.design.method:
            return self
        design = dataclasses.replace(self.design, method=method)
        if method == "morris" and self.design.method != "morris":
            design = dataclasses.replace(design, levels=4)
        out = dataclasses.replace(self, design=design)
        _check_design(out)
        return out

    def fingerprint(self, points: list[dict]) -> str:
        """Identifies what the runs of this sweep are, so `--resume` can refuse a different sweep."""
        blob = json.dumps({"scenario": self.scenario.to_dict(), "points": points, "metrics": list(self.metrics),
                           "replications": self.design.replications, "root_seed": self.design.root_seed,
                           "crn": self.design.common_random_numbers,
                           # only a contrast sweep has the key, so older folders keep their fingerprint
                           **({"contrast": self.contrast.to_dict()} if self.contrast is not None else {})},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def is_sweep_file(path: str | Path) -> bool:
    """A TOML file with a [design] table is a sweep file (scenario files never have one)."""
    try:
        data = read_toml(Path(path))
    except ConfigError:
        return False
    return isinstance(data.get("design"), dict)


def load_sweep(path: str | Path, check_metrics: bool = True) -> Sweep:
    """Read and validate a sweep file."""
    path = Path(path)
    src = str(path)
    data = read_toml(path)
    _unknown(src, "", data, TOP_KEYS)
    if data.get("scenario") is None:
        raise ConfigError(src, "scenario", "missing; give the scenario file to start from, e.g. scenario = \"../baseline.toml\"")
    scenario = _scenario_file(src, path, "scenario", data["scenario"])
    contrast = _scenario_file(src, path, "contrast", data["contrast"]) if "contrast" in data else None
    fixed = _flatten(_table(src, "set", data.get("set", {})))
    for key in fixed:
        _check_key(src, f"set.{key}", key)
    scenario = _with_set(src, scenario, fixed)
    if contrast is not None:
        contrast = _with_set(src, contrast, fixed)
        _check_pairable(src, scenario, contrast)

    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(src, "name", f"expected a non-empty text, got {name!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(src, "description", f"expected text, got {description!r}")

    d = _table(src, "design", data.get("design"))
    design = _parse_design(src, d, scenario)
    metrics = _parse_metrics(src, d.get("metrics"), check_metrics)

    raw_params = _flatten(_table(src, "parameters", data.get("parameters", {})), leaf=lambda t: any(k in t for k in PARAM_KEYS))
    if design.method == "table":
        params = _table_parameters(src, design, raw_params, scenario)
    else:
        if not raw_params:
            raise ConfigError(src, "parameters", "no parameters to sweep; add a [parameters.\"section.key\"] table")
        params = tuple(_parse_parameter(src, k, v, scenario) for k, v in raw_params.items())
    sweep = Sweep(name.strip(), scenario, params, design, metrics, description, src, contrast)
    _check_design(sweep)
    return sweep


def _scenario_file(src: str, path: Path, key: str, ref) -> Scenario:
    """The scenario a sweep file names under `key` (a path relative to the sweep file), validated."""
    if not isinstance(ref, str):
        raise ConfigError(src, key, f"expected a file name, got {ref!r}")
    scen_path = Path(ref) if Path(ref).is_absolute() else path.parent / ref
    if not scen_path.exists():
        raise ConfigError(src, key, f"file '{ref}' not found (paths are relative to the sweep file)")
    base = load_raw(scen_path)
    base.setdefault("name", scen_path.stem)
    return from_dict(base, str(scen_path))


def _with_set(src: str, scenario: Scenario, fixed: dict) -> Scenario:
    """The scenario with the sweep's fixed [set] overrides."""
    try:
        return scenario.replace(**fixed)
    except ConfigError as e:
        raise ConfigError(src, f"set.{e.key}" if e.key in fixed else "set", _message(e, omit=e.key if e.key in fixed else None)) from None


PAIRED_RUN_KEYS = ("years", "scale", "start_year")


def _check_pairable(src: str, scenario: Scenario, contrast: Scenario) -> None:
    """A contrast must simulate the same market and horizon, or its paired differences mean nothing."""
    for key in PAIRED_RUN_KEYS:
        a, b = getattr(scenario.run, key), getattr(contrast.run, key)
        if a != b:
            raise ConfigError(src, "contrast", f"run.{key} is {b} in the contrast but {a} in the scenario; "
                              f"paired runs need the same {', '.join('run.' + k for k in PAIRED_RUN_KEYS)} "
                              f"(set them in [set] to apply to both)")


# --------------------------------------------------------------------------------------------
# parsing helpers


def _unknown(src: str, prefix: str, table: dict, allowed) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(src, f"{prefix}{key}", f"unknown key{suggest(key, allowed)}; allowed: {', '.join(allowed)}")


def _table(src: str, key: str, value) -> dict:
    if value is None:
        raise ConfigError(src, key, "missing table")
    if not isinstance(value, dict):
        raise ConfigError(src, key, f"expected a table, got {value!r}")
    return value


def _flatten(table: dict, prefix: str = "", leaf=lambda t: False) -> dict:
    """{"a": {"b": 1}} -> {"a.b": 1}: TOML splits unquoted dotted keys into nested tables."""
    out = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and not leaf(v):
            out.update(_flatten(v, key + ".", leaf))
        else:
            out[key] = v
    return out


def _scenario_keys() -> dict[str, Any]:
    """Every dotted scenario key (nested sections included) and its default value."""
    return {key: value for key, value, _unit, _doc in describe(Scenario())}


def _check_key(src: str, where: str, key: str) -> None:
    known = _scenario_keys()
    if key not in known:
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else "; see `simmarket validate scenarios/baseline.toml`"
        raise ConfigError(src, where, f"'{key}' is not a scenario key{hint}")


def _message(e: ConfigError, omit: str | None = None) -> str:
    """The message of a schema error without its source (and without its key when that is `omit`)."""
    prefix = f"{e.source}: {e.key}: " if e.key else f"{e.source}: "
    text = str(e)
    msg = text[len(prefix):] if text.startswith(prefix) else text
    return f"{e.key}: {msg}" if e.key and e.key != omit else msg


def _try(src: str, where: str, scenario: Scenario, key: str, value) -> None:
    try:
        scenario.replace(**{key: value})
    except ConfigError as e:
        msg = _message(e, omit=key)
        raise ConfigError(src, where, msg if e.key == key else f"{value!r} is not allowed here: {msg}") from None


def _int(src, key, value, lo=None, hi=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(src, key, f"expected a whole number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(src, key, f"{value} is out of range; allowed {lo} to {hi}")
    return value


def _parse_design(src: str, d: dict, scenario: Scenario) -> Design:
    _unknown(src, "design.", d, DESIGN_KEYS)
    method = d.get("method", "grid")
    if method not in METHODS:
        raise ConfigError(src, "design.method", f"'{method}' is not one of {', '.join(METHODS)}{suggest(str(method), METHODS)}")
    kw: dict[str, Any] = {"method": method}
    if "levels" in d:
        kw["levels"] = _int(src, "design.levels", d["levels"], 2, 1000)
    elif method == "morris":
        kw["levels"] = 4
    if "samples" in d:
        kw["samples"] = _int(src, "design.samples", d["samples"], 1, 10**7)
    kw["replications"] = _int(src, "design.replications", d.get("replications", scenario.run.seeds), 1, 10**5)
    kw["root_seed"] = _int(src, "design.root_seed", d.get("root_seed", scenario.run.root_seed), 0, 2**63 - 1)
    if "design_seed" in d:
        kw["design_seed"] = _int(src, "design.design_seed", d["design_seed"], 0, 2**63 - 1)
    for key in ("second_order", "common_random_numbers"):
        if key in d:
            if not isinstance(d[key], bool):
                raise ConfigError(src, f"design.{key}", f"expected true or false, got {d[key]!r}")
            kw[key] = d[key]
    if "points" in d:
        if method != "table":
            raise ConfigError(src, "design.points", "only used with method = \"table\"")
        pts = d["points"]
        if not isinstance(pts, list) or not pts or not all(isinstance(p, dict) for p in pts):
            raise ConfigError(src, "design.points", "expected a non-empty list of tables, e.g. [{\"pricing.profit_cap\" = 0.1}]")
        kw["points"] = tuple(_flatten(p) for p in pts)
    elif method == "table":
        raise ConfigError(src, "design.points", "missing; method = \"table\" needs a list of points")
    return Design(**kw)


def _parse_metrics(src: str, value, check: bool) -> tuple:
    if value is None:
        return tuple(METRICS)
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        raise ConfigError(src, "design.metrics", "expected a non-empty list of metric keys")
    if check:
        for m in value:
            if m not in METRICS:
                raise ConfigError(src, "design.metrics", f"unknown metric '{m}'{suggest(m, METRICS)}; see CONTRACT.md for the keys")
    if len(set(value)) != len(value):
        raise ConfigError(src, "design.metrics", "a metric is listed twice")
    return tuple(value)


def _kind(default) -> str:
    if isinstance(default, (bool, str)):
        return "categorical"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, float):
        return "real"
    return "list"


def _parse_parameter(src: str, key: str, spec, scenario: Scenario) -> Parameter:
    where = f"parameters.{key}"
    _check_key(src, where, key)
    if not isinstance(spec, dict):
        raise ConfigError(src, where, f"expected a table such as {{lo = 0.5, hi = 1.5}}, got {spec!r}")
    _unknown(src, where + ".", spec, PARAM_KEYS)
    kind = _kind(_scenario_keys()[key])
    if kind == "list":
        raise ConfigError(src, where, "list-valued keys cannot be swept; sweep a scalar key instead")
    typ = spec.get("type", kind)
    if typ not in TYPES:
        raise ConfigError(src, f"{where}.type", f"'{typ}' is not one of {', '.join(TYPES)}{suggest(str(typ), TYPES)}")
    if typ == "real" and kind == "integer":
        raise ConfigError(src, f"{where}.type", "this key takes whole numbers; use type = \"integer\"")
    if typ in ("real", "integer") and kind == "categorical":
        raise ConfigError(src, f"{where}.type", "this key is not numeric; use type = \"categorical\" with choices")
    if typ == "categorical":
        choices = spec.get("choices", spec.get("values"))
        if not isinstance(choices, list) or not choices:
            raise ConfigError(src, f"{where}.choices", "expected a non-empty list of choices")
        if len({json.dumps(c) for c in choices}) != len(choices):
            raise ConfigError(src, f"{where}.choices", "a choice is listed twice")
        for extra in ("lo", "hi", "levels"):
            if extra in spec:
                raise ConfigError(src, f"{where}.{extra}", "not used by a categorical parameter; list its choices")
        param: Parameter = Categorical(key, tuple(choices))
    else:
        param = _numeric(src, where, key, typ, spec)
    for v in param.extremes():
        _try(src, where, scenario, key, v)
    return param


def _numeric(src: str, where: str, key: str, typ: str, spec: dict) -> Parameter:
    cls = Integer if typ == "integer" else Real
    if "choices" in spec:
        raise ConfigError(src, f"{where}.choices", "only for categorical parameters; use values = [...] for listed levels")
    levels = _int(src, f"{where}.levels", spec["levels"], 2, 1000) if "levels" in spec else None
    if "values" in spec:
        vals = spec["values"]
        if not isinstance(vals, list) or not vals:
            raise ConfigError(src, f"{where}.values", "expected a non-empty list of numbers")
        for v in vals:
            ok = isinstance(v, int) if typ == "integer" else isinstance(v, (int, float))
            if isinstance(v, bool) or not ok:
                raise ConfigError(src, f"{where}.values", f"expected {'whole ' if typ == 'integer' else ''}numbers, got {v!r}")
        if "lo" in spec or "hi" in spec or levels:
            raise ConfigError(src, f"{where}.values", "give either values or lo/hi (with levels), not both")
        vals = tuple(sorted(set(int(v) if typ == "integer" else float(v) for v in vals)))
        return cls(key, vals[0], vals[-1], None, vals)
    for b in ("lo", "hi"):
        if b not in spec:
            raise ConfigError(src, f"{where}.{b}", f"missing; a {typ} parameter needs lo and hi (or values = [...])")
        v = spec[b]
        ok = isinstance(v, int) if typ == "integer" else isinstance(v, (int, float))
        if isinstance(v, bool) or not ok or (isinstance(v, float) and not math.isfinite(v)):
            raise ConfigError(src, f"{where}.{b}", f"expected a {'whole ' if typ == 'integer' else ''}number, got {v!r}")
    lo, hi = spec["lo"], spec["hi"]
    if lo >= hi:
        raise ConfigError(src, f"{where}.hi", f"must be greater than lo ({lo}), got {hi}")
    if typ == "real":
        lo, hi = float(lo), float(hi)
    return cls(key, lo, hi, levels)


def _table_parameters(src: str, design: Design, raw_params: dict, scenario: Scenario) -> tuple:
    keys = list(design.points[0])
    if not keys:
        raise ConfigError(src, "design.points", "a point sets no keys")
    for i, pt in enumerate(design.points):
        if list(pt) != keys and set(pt) != set(keys):
            missing = sorted(set(keys) ^ set(pt))
            raise ConfigError(src, f"design.points[{i}]", f"every point must set the same keys; differs in {', '.join(missing)}")
    for key in raw_params:
        if key not in keys:
            raise ConfigError(src, f"parameters.{key}", "not set by the table's points")
    params = []
    for key in keys:
        _check_key(src, "design.points", key)
        vals = []
        for p in design.points:
            if p[key] not in vals:
                vals.append(p[key])
        params.append(Categorical(key, tuple(vals)))
    return tuple(params)


def _check_design(sweep: Sweep) -> None:
    """Sample sizes that the chosen method accepts, and every point valid in the scenario schema."""
    src, d = sweep.source, sweep.design
    if d.method == "sobol" and d.samples is not None and d.samples & (d.samples - 1):
        raise ConfigError(src, "design.samples", f"Sobol sampling needs a power of 2 base samples, got {d.samples}")
    if d.method in ("sobol", "morris") and len(sweep.parameters) < 2:
        raise ConfigError(src, "parameters", f"{d.method} sensitivity needs at least 2 parameters")
    points = design_points(sweep)
    if len(points) * d.replications > 10**7:
        raise ConfigError(src, "design", f"{len(points) * d.replications:,} runs is more than the 10,000,000 allowed")
    seen = set()
    for i, pt in enumerate(points[:20000]):
        sig = json.dumps(pt, sort_keys=True, default=str)
        if sig in seen:
            continue
        seen.add(sig)
        for arm, scenario in (("", sweep.scenario), (" in the contrast", sweep.contrast)):
            try:
                if scenario is not None:
                    scenario.replace(**pt)
            except ConfigError as e:
                where = "design.points" if d.method == "table" else "parameters"
                raise ConfigError(src, where, f"point {i} ({_short(pt)}) is not a valid scenario{arm}: {_message(e)}") from None


def _short(pt: dict) -> str:
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in pt.items())


def describe_sweep(sweep: Sweep) -> list[str]:
    """Lines for `simmarket validate`: the resolved design, parameters and size."""
    d = sweep.design
    points = design_points(sweep)
    lines = [f"{sweep.source}: valid sweep '{sweep.name}' from scenario '{sweep.scenario.name}'"]
    if sweep.description:
        lines.append(f"  {sweep.description}")
    size = {"grid": ", ".join(f"{len(p.grid(d.levels))} {p.key.split('.')[-1]}" for p in sweep.parameters), "lhs": f"samples {d.samples or DEFAULT_SAMPLES['lhs']}",
            "sobol": f"base samples {d.samples or DEFAULT_SAMPLES['sobol']}, second order {d.second_order}",
            "morris": f"trajectories {d.samples or DEFAULT_SAMPLES['morris']}, levels {d.levels}",
            "table": f"{len(points)} listed points"}[d.method]
    lines.append(f"  design: {d.method} ({size}); {len(points)} points x {d.replications} replications = "
                 f"{len(points) * d.replications} runs" + (" (each a pair: scenario and contrast)" if sweep.contrast else ""))
    crn = "common random numbers (replication r uses the same seed at every point)" if d.common_random_numbers \
        else "independent seeds per point and replication"
    lines.append(f"  seeds: root {d.root_seed}, {crn}")
    lines.append(f"  scenario: {sweep.scenario.run.years} years, scale {sweep.scenario.run.scale}")
    if sweep.contrast is not None:
        lines.append(f"  contrast: '{sweep.contrast.name}', same points and seeds; outcomes gain "
                     f"{DELTA_PREFIX}METRIC = scenario - contrast and {CONTRAST_PREFIX}METRIC")
    lines.append("  parameters:")
    for p in sweep.parameters:
        lines.append(f"    {p.key}: {p.describe()}")
    lines.append(f"  metrics: {', '.join(sweep.metrics)}")
    head = points[:10]
    lines.append("  first points:" if len(points) > 10 else "  points:")
    for i, pt in enumerate(head):
        lines.append(f"    {i}: {_short(pt)}")
    if len(points) > 10:
        lines.append(f"    ... ({len(points) - 10} more)")
    return lines
