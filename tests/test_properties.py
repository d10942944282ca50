"""Property-based tests: parameters drawn from their declared ranges (the P metadata of the schema).

- any valid draw runs at small scale for a few weeks with every invariant holding, and its metrics
  can be computed;
- any out-of-range, wrongly typed or unknown key is refused with a ConfigError naming that key,
  and through the command line with exit status 2 and one line;
- any text at all given as a scenario file is either a valid scenario or a ConfigError.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simmarket import invariants, metrics, params
from simmarket.cli import main
from simmarket.params import REGIONS, SECTIONS, ConfigError, Scenario
from simmarket.experiment import SeedSpec
from simmarket.model import PlacementMarket



def small(**overrides):
    """As tests/conftest.py's small(), defined here: `from conftest import` is ambiguous with
    tests/experiment/conftest.py in the same session."""
    base = {"run.scale": 0.5, "run.years": 1, "run.seeds": 2, "run.check": True}
    return params.baseline().replace(**{**base, **overrides})

# How many examples: the model property dominates the time (about 0.6 s an example on 2 cores).
MODEL_EXAMPLES = 300
FAST_EXAMPLES = 150


@dataclasses.dataclass(frozen=True)
class Key:
    name: str
    typ: type
    lo: float | None
    hi: float | None
    choices: tuple | None
    default: typing.Any


def schema_keys() -> list[Key]:
    """Every leaf of the scenario schema with its declared type, bounds and choices."""
    out = []

    def walk(cls, prefix):
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            t = hints[f.name]
            if dataclasses.is_dataclass(t):
                walk(t, f"{prefix}.{f.name}")
                continue
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            m = f.metadata
            out.append(Key(f"{prefix}.{f.name}", t, m.get("lo"), m.get("hi"), m.get("choices"), default))

    for sec, cls in SECTIONS.items():
        walk(cls, sec)
    return out


KEYS = schema_keys()
RUN_KEYS = {"run.years", "run.seeds", "run.root_seed", "run.scale", "run.check"}
CODE_LISTS = {"rcc.cooperatives", "rcc.opt_out", "policy.capital.secure_regions", "commissioning.local"}
SCALARS = [k for k in KEYS if k.name not in RUN_KEYS and k.name not in CODE_LISTS and k.typ is not tuple]
TUPLES = [k for k in KEYS if k.typ is tuple and k.name not in CODE_LISTS]
BOUNDED = [k for k in KEYS if k.typ in (int, float) and k.lo is not None and k.hi is not None]


def test_the_schema_is_covered():
    """Every key is drawn by some strategy below, so nothing new escapes the properties."""
    assert len(KEYS) > 100
    drawn = {k.name for k in SCALARS + TUPLES} | RUN_KEYS | CODE_LISTS
    assert drawn == {k.name for k in KEYS}
    for k in SCALARS:
        assert k.typ in (int, float, bool, str), k
        assert k.typ in (bool, str) or (k.lo is not None and k.hi is not None), f"{k.name} has no declared range"


# --------------------------------------------------------------------------------------------
# strategies from the metadata


def value_in_range(k: Key, horizon: int) -> st.SearchStrategy:
    if k.typ is bool:
        return st.booleans()
    if k.typ is str:
        choices = [c for c in k.choices if c != "named"]  # 'named' needs cooperatives: drawn separately
        return st.sampled_from(choices)
    hi = k.hi
    if k.name.endswith("week") and k.typ is int:
        hi = min(hi, horizon - 1)  # start weeks inside the horizon (past it is an error, tested below)
    if k.typ is int:
        return st.integers(int(k.lo), int(hi))
    return st.one_of(st.sampled_from([float(k.lo), float(hi)]),
                     st.floats(float(k.lo), float(hi), allow_nan=False, allow_infinity=False))


def tuple_in_range(k: Key) -> st.SearchStrategy:
    n = len(k.default)
    if k.name in ("demand.complexity_shares", "supply.new_home_places"):  # shares: sum to 1
        return st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).filter(lambda v: sum(v) > 1e-3).map(
            lambda v: [x / sum(v) for x in v])
    if k.name == "workforce.staff_per_child":  # costs scale by need / medium need (reported: tiny medium overflows)
        return st.tuples(st.floats(0.0, 50.0), st.floats(0.1, 50.0), st.floats(0.0, 50.0)).map(list)
    return st.lists(st.floats(float(k.lo), float(k.hi), allow_nan=False), min_size=n, max_size=n)


@st.composite
def scenarios(draw) -> dict:
    """A valid set of overrides: a few keys anywhere in their ranges, at small scale, 1-8 weeks."""
    weeks = draw(st.integers(1, 8))
    over = {"run.scale": draw(st.floats(0.5, 0.6)), "run.years": 1, "run.seeds": 1, "run.check": True}
    horizon = 52
    for k in draw(st.lists(st.sampled_from(SCALARS), min_size=1, max_size=8, unique_by=lambda k: k.name)):
        over[k.name] = draw(value_in_range(k, horizon))
    for k in draw(st.lists(st.sampled_from(TUPLES), max_size=2, unique_by=lambda k: k.name)):
        over[k.name] = draw(tuple_in_range(k))
    if draw(st.booleans()):
        over["rcc.opt_out"] = draw(st.lists(st.sampled_from(list(_codes())), max_size=5, unique=True))
    if draw(st.integers(0, 3)) == 0:  # an authority commissioning in its own way, now and then
        over["commissioning.local"] = [{"authorities": draw(st.lists(st.sampled_from(list(_codes())), min_size=1,
                                                                     max_size=3, unique=True)),
                                        "from_week": draw(st.integers(0, horizon - 1)),
                                        "radius_miles": draw(st.floats(0.0, 500.0)),
                                        "unregistered_after_weeks": draw(st.floats(0.0, 520.0)),
                                        "forward_plan_share": draw(st.floats(0.0, 1.0))}]
    if draw(st.integers(0, 5)) == 0:  # named cooperatives, now and then
        regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True))
        over["rcc.membership"] = "named"
        over["rcc.cooperatives"] = [{"name": f"C{i}", "region": r, "start_week": draw(st.integers(0, horizon - 1))}
                                    for i, r in enumerate(regions)]
    _repair(over)
    return {"overrides": over, "weeks": weeks, "seed": draw(st.integers(0, 2**32 - 1))}


def _repair(over: dict) -> None:
    """Make pairs of keys that must fit together fit (each is tested as an error elsewhere)."""
    for lo, hi in (("supply.registration_weeks_min", "supply.registration_weeks_max"),
                   ("policy.capital.new_start_week", "policy.capital.new_end_week")):
        if lo in over or hi in over:
            a = over.get(lo, _default(lo))
            b = over.get(hi, _default(hi))
            over[lo], over[hi] = min(a, b), max(a, b)
    if over.get("policy.capital.secure_places"):
        over["policy.capital.secure_regions"] = ["London"]


def _default(name: str):
    return next(k.default for k in KEYS if k.name == name)


def _codes() -> tuple:
    from simmarket.data import load_authorities

    return tuple(load_authorities()["la_code"])


# --------------------------------------------------------------------------------------------
# properties of the model


@settings(max_examples=MODEL_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scenarios())
def test_invariants_hold_for_any_valid_parameters(case):
    try:
        scenario = small(**case["overrides"])
    except ConfigError as e:  # a combination the schema refuses on purpose: must name a key we set
        assert e.key and any(e.key.startswith(k.split(".")[0]) for k in case["overrides"]), e
        assume(False)
    model = PlacementMarket(scenario, rng=SeedSpec(case["seed"], (0,)).rng())
    invariants.begin(model)
    assert invariants.violations(model) == []
    model.run_weeks(case["weeks"])  # run.check: every invariant, every week (raises InvariantError)
    assert invariants.violations(model) == []
    m = metrics.compute(model)
    assert set(metrics.CONTRACT_KEYS) <= set(m)
    for key in ("children_in_homes", "children_in_foster_care", "children_waiting", "children_unregistered",
                "homes_total", "places_total", "la_spend_childrens_homes_gbp", "la_spend_total_gbp"):
        assert m[key] >= 0, (key, m[key])
    for key in ("share_over_20_miles", "share_outside_la", "share_homes_private", "share_las_using_unregistered"):
        assert math.isnan(m[key]) or 0 <= m[key] <= 1, (key, m[key])
    assert math.isnan(m["mean_weekly_price_gbp"]) or m["mean_weekly_price_gbp"] > 0
    assert m["la_spend_total_gbp"] >= m["la_spend_childrens_homes_gbp"] - 1e-6


# --------------------------------------------------------------------------------------------
# the error contract


@st.composite
def out_of_range(draw) -> tuple[str, typing.Any]:
    k = draw(st.sampled_from(BOUNDED))
    width = max(abs(k.hi - k.lo), 1.0)
    if k.typ is int:
        below = st.integers(int(k.lo) - 10 * int(width) - 1, int(k.lo) - 1)
        above = st.integers(int(k.hi) + 1, int(k.hi) + 10 * int(width) + 1)
    else:
        below = st.floats(k.lo - 10 * width, k.lo, exclude_max=True, allow_nan=False)
        above = st.floats(k.hi, k.hi + 10 * width, exclude_min=True, allow_nan=False)
    opts = [s for s, ok in ((below, k.lo > -2**63), (above, k.hi < 2**63 - 1)) if ok]
    return k.name, draw(st.one_of(*opts))


@settings(max_examples=FAST_EXAMPLES, deadline=None)
@given(kv=out_of_range())
def test_out_of_range_values_name_their_key(kv):
    key, value = kv
    with pytest.raises(ConfigError) as e:
        Scenario().replace(**{key: value})
    assert e.value.key == key
    assert "out of range" in str(e.value) and "allowed" in str(e.value)


@st.composite
def wrong_type(draw) -> tuple[str, typing.Any]:
    k = draw(st.sampled_from([k for k in KEYS if k.name not in CODE_LISTS]))
    if k.typ is bool:
        bad = st.one_of(st.integers(), st.text(max_size=5), st.floats(allow_nan=False))
    elif k.typ is str:
        bad = st.one_of(st.integers(), st.booleans(), st.text(max_size=8).filter(lambda t: t not in k.choices))
    elif k.typ is tuple:
        bad = st.one_of(st.text(max_size=5), st.integers(), st.lists(st.text(max_size=3), min_size=1, max_size=4),
                        st.lists(st.floats(0, 1), min_size=len(k.default) + 1, max_size=len(k.default) + 3))
    elif k.typ is int:
        bad = st.one_of(st.text(max_size=5), st.booleans(), st.floats(allow_nan=False).filter(lambda x: not x.is_integer()),
                        st.lists(st.integers(), max_size=2), st.just(float("nan")))
    else:
        bad = st.one_of(st.text(max_size=5), st.booleans(), st.just(float("nan")), st.just(float("inf")),
                        st.lists(st.floats(), max_size=2))
    return k.name, draw(bad)


@settings(max_examples=FAST_EXAMPLES, deadline=None)
@given(kv=wrong_type())
def test_wrong_types_name_their_key(kv):
    key, value = kv
    with pytest.raises(ConfigError) as e:
        Scenario().replace(**{key: value})
    assert e.value.key == key, (e.value, key)
    assert "\n" not in str(e.value)


@settings(max_examples=FAST_EXAMPLES, deadline=None)
@given(section=st.sampled_from(list(SECTIONS)), name=st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True))
def test_unknown_keys_name_themselves(section, name):
    assume(f"{section}.{name}" not in {k.name for k in KEYS})
    assume(name not in {"capital", "workforce", "foster", "profit_cap", "enforcement", "planning", "oversight",
                        "prevention"} or section != "policy")
    with pytest.raises(ConfigError) as e:
        params.from_dict({section: {name: 1}}, "x.toml")
    assert e.value.key == f"{section}.{name}" and "unknown key" in str(e.value)


@settings(max_examples=40, deadline=None)
@given(kv=st.one_of(out_of_range(), wrong_type()))
def test_the_command_line_refuses_bad_values_with_exit_2(tmp_path_factory, kv):
    """The same through `simmarket validate --set`: exit 2, one line naming the key."""
    key, value = kv
    tmp = tmp_path_factory.mktemp("cli")
    f = tmp / "s.toml"
    f.write_text('name = "s"\n')
    literal = _toml_literal(value)
    assume(literal is not None)
    result = CliRunner().invoke(main, ["validate", str(f), "--set", f"{key}={literal}"])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (key, literal, result.output)
    assert len(lines) == 1 and key in lines[0], lines
    assert sorted(p.name for p in tmp.iterdir()) == ["s.toml"]


def _toml_literal(v) -> str | None:
    """A value as TOML text for --set (None when TOML cannot spell it)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if -2**63 <= v < 2**63 else None
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return None if any(c in v for c in "\"\\\n\r") or any(ord(c) < 32 or ord(c) == 127 for c in v) else f'"{v}"'
    if isinstance(v, list):
        items = [_toml_literal(x) for x in v]
        return None if None in items else "[" + ", ".join(items) + "]"
    return None


TOML_ALPHABET = st.sampled_from(list('[]{}=.,"\'#\n ') + list("abcrunyeasdemnd0123456789_-+") + ["\x00", "é", "\t"])


@settings(max_examples=FAST_EXAMPLES, deadline=None)
@given(text=st.one_of(st.text(TOML_ALPHABET, max_size=60), st.text(max_size=40),
                      st.binary(max_size=40).map(lambda b: b.decode("latin-1"))))
def test_any_file_is_a_scenario_or_a_config_error(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("fuzz") / "s.toml"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        sc = params.load(f)
    except ConfigError as e:
        assert str(e).startswith(str(f)) and "\n" not in str(e)
    else:
        assert isinstance(sc, Scenario)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["policy.prevention", "policy.foster", "policy.profit_cap", "policy.enforcement"]),
       years=st.integers(1, 3), past=st.integers(0, 200))
def test_start_weeks_past_the_horizon_name_their_key(key, years, past):
    lever = {"policy.prevention": "entry_reduction", "policy.foster": "capacity_uplift",
             "policy.profit_cap": "cap", "policy.enforcement": "detection_per_week"}[key]
    over = {"run.years": years, f"{key}.{lever}": 0.1, f"{key}.start_week": years * 52 + past}
    with pytest.raises(ConfigError) as e:
        Scenario().replace(**over)
    assert e.value.key == f"{key}.start_week" and "horizon" in str(e.value)


def test_invariant_checks_catch_broken_states(make_model):
    """The checks are not vacuous: break each bookkeeping rule by hand and they say so."""
    model = make_model(**{"run.scale": 0.5, "run.check": False})
    invariants.begin(model)
    model.run_weeks(2)
    assert invariants.violations(model) == []
    ch = model.children
    placed = np.flatnonzero(ch.status == 2)
    assert len(placed)

    def broken(mutate, restore, words):
        mutate()
        try:
            found = invariants.violations(model)
        finally:
            restore()
        assert any(words in v for v in found), found

    i = placed[0]
    p, a, h = ch.price[i], ch.age[i], ch.home[i]
    broken(lambda: ch.price.__setitem__(i, -5.0), lambda: ch.price.__setitem__(i, p), "price")
    broken(lambda: ch.age.__setitem__(i, 18.5), lambda: ch.age.__setitem__(i, a), "age")
    other = int(np.flatnonzero(model.homes.occupied < model.homes.places)[0])
    broken(lambda: ch.home.__setitem__(i, other), lambda: ch.home.__setitem__(i, h), "occupancy")
    x = model.homes.x[h]
    broken(lambda: model.homes.x.__setitem__(h, 1e7), lambda: model.homes.x.__setitem__(h, x), "England")
    state = model.homes.state[h]
    broken(lambda: model.homes.state.__setitem__(h, 99), lambda: model.homes.state.__setitem__(h, state), "not active")
    # conservation of children: an entry recorded for a child who never arrived
    model.step()
    model.flows.la["entries"][model.week - 1, 0] += 1
    assert any("children not conserved" in v for v in invariants.violations(model))
    # conservation of money: providers paid more than authorities spent
    model.step()
    spend, revenue = model._invariant_audit.money[model.week - 1]
    assert spend == pytest.approx(revenue) and spend > 0
    model._invariant_audit.money[model.week - 1] = (spend, revenue + 100.0)
    assert any("money not conserved" in v for v in invariants.violations(model))
