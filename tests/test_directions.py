"""Directions of effect the evidence supports, each on paired seeds (common random numbers).

Each test runs a base and a variant on the same seeds and asserts the sign of the mean paired
difference with a t statistic beyond 2, so a pass is not luck.
"""

import numpy as np
import pytest

from simmarket.experiment import run_replicates, seed_specs
from simhelpers import small

pytestmark = pytest.mark.slow

SEEDS = seed_specs(2024, 5)
LONDON = "London"


def paired(base: dict, variant: dict, metric: str, group: str | None = None, years: int = 1, scale: float = 1.0,
           seeds=SEEDS):
    """Per-seed differences variant - base of a metric (nationally or for a group of authorities),
    on England's market (scale 1: effects measured on smaller markets were partly artefacts of them)."""
    out = []
    groups = None
    if group == LONDON:
        from simmarket.data import load_authorities

        la = load_authorities()
        groups = {LONDON: la.loc[la.region == LONDON, "la_code"].tolist()}
    for overrides in (base, variant):
        sc = small(**{"run.years": years, "run.scale": scale, "run.check": False, **overrides})
        res = run_replicates(sc, seeds, workers=2, groups=groups)
        out.append(np.array([(r.extra[group] if group else r.metrics)[metric] for r in res]))
    return out[1] - out[0]


def t_stat(d: np.ndarray) -> float:
    return float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d)) + 1e-12))


def assert_lower(d, label):
    assert t_stat(d) < -2, f"{label}: expected a fall, paired differences {np.round(d, 3)}"


def assert_higher(d, label):
    assert t_stat(d) > 2, f"{label}: expected a rise, paired differences {np.round(d, 3)}"


RCC_ALL = {"rcc.membership": "regions", "rcc.start_week": 0}


def test_one_customer_lowers_new_placement_prices():
    d = paired({**RCC_ALL, "rcc.one_customer": False}, {**RCC_ALL, "rcc.one_customer": True},
               "new_placement_mean_weekly_price_gbp")
    assert_lower(d, "one customer")


# Block contracts are negotiated between cost and recent spot prices (issue 13, docs/model.md 7.7),
# so the places they buy cost less than spot places: measured on these seeds, new placements -191 a
# week (t -13.6) and all placements -114 (t -6.4) with 30% of forecast need in blocks. Their effect on
# waits is not a direction the model holds: since contracts became contracts (declined where spot
# places earn more, only for staffable places) blocks are agreed mostly where places stand empty, and
# on the refitted baseline of 30 November 2026 waits fell 0.2 days with 30% in blocks (24 seeds,
# t -2.2; 12 seeds, t -1.5) and rose 0.2 days with 50% (12 seeds, t +1.7), as reserved places close
# to other cooperatives' children.
def test_block_contracts_lower_what_new_placements_cost():
    d = paired({**RCC_ALL, "rcc.block_share": 0.0}, {**RCC_ALL, "rcc.block_share": 0.3},
               "new_placement_mean_weekly_price_gbp")
    assert_lower(d, "block contracts")


def test_staff_shortage_raises_unregistered_use_and_waits():
    base, short = {}, {"workforce.supply_multiplier": 0.5}
    assert_higher(paired(base, short, "unregistered_children_per_year"), "staff shortage: unregistered")
    assert_higher(paired(base, short, "mean_wait_days"), "staff shortage: waits")


def test_places_where_children_come_from_reduce_distance_there():
    london_rcc = {"rcc.membership": "named", "rcc.one_customer": False,
                  "rcc.cooperatives": [{"name": "London", "region": "London", "start_week": 0}]}
    with_capital = {**london_rcc, "rcc.capital_gbp_per_year": 150e6}
    d = paired(london_rcc, with_capital, "mean_distance_miles", group=LONDON, years=2)
    assert_lower(d, "London capital")


def test_fewer_foster_places_put_more_children_in_homes_and_raise_prices():
    base, fewer = {}, {"foster.capacity_multiplier": 0.9}
    assert_higher(paired(base, fewer, "children_in_homes", years=2), "fewer foster places: children in homes")
    assert_higher(paired(base, fewer, "mean_weekly_price_gbp", years=2), "fewer foster places: prices")


def test_enforcement_reduces_unregistered_use():
    """Enforcement cuts unregistered use. The evidence also expects longer waits or distance; the
    model does not show them (paired differences indistinguishable from zero over 10 seeds),
    because a child in an unregistered setting goes on searching with the same urgency, so the
    setting never slows the registered search. See the note on issue 4."""
    enforce = {"policy.enforcement.detection_per_week": 0.1, "policy.enforcement.fine_gbp": 10000,
               "policy.enforcement.deterrence_weeks": 4}
    assert_lower(paired({}, enforce, "unregistered_children_per_year"), "enforcement: unregistered")
    assert_lower(paired({}, enforce, "children_unregistered"), "enforcement: children in unregistered settings")


def test_profit_cap_lowers_prices_and_slows_openings():
    cap = {"policy.profit_cap.cap": 0.05}
    assert_lower(paired({}, cap, "mean_weekly_price_gbp", years=3), "profit cap: prices")
    assert_lower(paired({}, cap, "homes_opened", years=3), "profit cap: openings in the third year")



# The ratchet behind the private margin's climb (docs/backcast.md): a contested place goes at the
# rival's ceiling, and ceilings grow with every week waited; held at the price of the alternative
# (an unregistered setting), new placements' prices and the margin climb far less over three years.
def test_ceilings_held_at_the_alternatives_price_lower_the_margin_and_new_prices():
    runs = [run_replicates(small(**{"run.years": 3, "run.scale": 1.0, "run.check": False, "commissioning.ceiling_to_alternative": on}),
                           SEEDS, workers=2) for on in (False, True)]
    for metric in ("provider_margin_private", "new_placement_mean_weekly_price_gbp"):
        off, on = (np.array([r.metrics[metric] for r in res]) for res in runs)
        assert_lower(on - off, f"ceilings held at the alternative: {metric}")
