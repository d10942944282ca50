"""Model invariants, checked every week with `run.check = true` (and always in the tests).

`violations(model)` lists what is broken after a step; `check(model)` raises `InvariantError`.
Two invariants compare a week with the week before: conservation of children (entries minus
exits equals the change in the number looked after, authority by authority) and of money
(authorities' spend on children's homes equals providers' revenue). They need a little state,
kept on the model: `begin(model)` records the start (call it after building the model to cover
week 0); without it the first check records it and the comparisons start from the next week.
"""

from __future__ import annotations

import numpy as np

from .rules import staff_need
from .state import ACTIVE, ENGLAND_EXTENT, GONE, HOME, PIPELINE, STATUS_NAMES, UNREG, miles

MONEY_RTOL = 1e-7  # relative tolerance of the money balance (floating-point sums)


class InvariantError(AssertionError):
    """The model reached an impossible state."""


class _Audit:
    """What the two-week invariants need: the stock by authority and the week's money totals."""

    def __init__(self, model):
        self.week = model.week
        self.stock = _stock(model)
        self.money: dict[int, tuple[float, float]] = {}
        flows = model.flows
        record = flows.record_money

        def audited(week, spend_homes, spend_total, homes, revenue, cost, region_of_la, *args, **kw):
            self.money[week] = (float(np.sum(spend_homes)), float(np.sum(revenue)))
            return record(week, spend_homes, spend_total, homes, revenue, cost, region_of_la, *args, **kw)

        flows.record_money = audited  # sees both sides of every week's payments


def _stock(model) -> np.ndarray:
    ch = model.children
    return np.bincount(ch.la[ch.status != GONE], minlength=model.n_la)


def begin(model) -> None:
    """Start auditing a freshly built model (so that week 0 is checked too)."""
    if getattr(model, "_invariant_audit", None) is None:
        model._invariant_audit = _Audit(model)


def violations(model) -> list[str]:
    """Every broken invariant, as readable lines (empty when all hold)."""
    ch, homes, out = model.children, model.homes, []
    in_home = ch.status == HOME
    if np.any(~np.isin(ch.status, list(STATUS_NAMES))):
        out.append("a child has an unknown status")
    if np.any(ch.home >= homes.n):
        out.append("a child is placed in a home that does not exist")
    if np.any(ch.home[~in_home] != -1) or np.any(ch.home[in_home] < 0):
        out.append("a child is in a home without a placement, or placed nowhere")
        return out  # the checks below index homes by child
    occ = np.bincount(ch.home[in_home], minlength=homes.n)
    if np.any(occ != homes.occupied):
        out.append("home occupancy counters disagree with the children placed (one placement per child)")
    if np.any(homes.occupied > np.where(homes.state == ACTIVE, homes.places, 0)):
        out.append("a home holds more children than its registered places (or is not active)")
    if in_home.any() and np.any(homes.state[ch.home[in_home]] != ACTIVE):
        out.append("a child is placed in a home that is not active")
    h = ch.home[in_home]
    if not np.array_equal(ch.home_miles[in_home], miles(ch.x[in_home], ch.y[in_home], homes.x[h], homes.y[h])):
        out.append("a placement's recorded distance disagrees with where the child and the home are")
    if np.any(ch.block & ~in_home):
        out.append("a child not in a home holds a block-contract place")
    contracted = (homes.block_places > 0) & (homes.state != ACTIVE)
    ahead = (homes.state == PIPELINE) & (homes.contract_until >= 0)  # a forward contract on a home being built
    if np.any(homes.block_places < 0) or np.any(contracted & ~ahead):
        out.append("a block contract on a home that is not active (other than a forward contract on one being built), "
                   "or a negative one")
    used = np.bincount(ch.home[in_home], weights=staff_need(ch.complexity[in_home], ch.dol[in_home],
                       model.params.workforce.staff_per_child), minlength=homes.n)
    if not np.allclose(used, homes.staff_used, atol=1e-6):
        out.append("staff committed to residents disagrees with the children placed")
    priced = in_home | (ch.status == UNREG)
    if np.any(ch.price < 0) or np.any(~np.isfinite(ch.price)):
        out.append("a placement has a negative or non-finite price")
    if np.any(ch.price[~priced & (ch.status != GONE)] != 0):
        out.append("a child with no placement is still being charged for one")
    if np.any(homes.block_price < 0) or np.any(~np.isfinite(homes.block_price)):
        out.append("a block contract has a negative or non-finite price")
    alive = ch.status != GONE
    if np.any((ch.age[alive] < 0) | (ch.age[alive] >= 18)):
        out.append("a looked-after child's age is outside 0-17")
    (x0, x1), (y0, y1) = ENGLAND_EXTENT
    if (np.any((ch.x < x0) | (ch.x > x1) | (ch.y < y0) | (ch.y > y1))
            or np.any((homes.x < x0) | (homes.x > x1) | (homes.y < y0) | (homes.y > y1))):
        out.append("a location lies outside England's extent")
    if np.any(homes.staff < 0) or np.any(homes.places < 0) or np.any(homes.occupied < 0):
        out.append("negative staff, places or occupancy")
    out += _flow_violations(model)
    return out


def _flow_violations(model) -> list[str]:
    """Conservation of children and money over the week just simulated."""
    out: list[str] = []
    audit = getattr(model, "_invariant_audit", None)
    if audit is None or audit.week > model.week:
        model._invariant_audit = _Audit(model)
        return out
    la = model.flows.la
    stock = _stock(model)
    w0, w1 = audit.week, model.week
    if w1 <= len(la["entries"]) and w1 > w0:
        net = (la["entries"][w0:w1] - la["exits"][w0:w1]).sum(axis=0)
        bad = np.flatnonzero(stock - audit.stock != net)
        if len(bad):
            i = bad[0]
            code = model.geo.codes[i] if hasattr(model, "geo") else i
            out.append(f"children not conserved in {len(bad)} authorities (e.g. {code}: entries - exits = "
                       f"{net[i]:.0f} but the number looked after changed by {stock[i] - audit.stock[i]})")
        for key in ("entries", "exits", "spend_homes", "spend_total"):
            if key in la and (np.any(la[key][w0:w1] < 0) or not np.all(np.isfinite(la[key][w0:w1]))):
                out.append(f"flow '{key}' is negative or non-finite")
    for week in range(w0, w1):
        if week in audit.money:
            spend, revenue = audit.money.pop(week)
            if not np.isclose(spend, revenue, rtol=MONEY_RTOL, atol=1e-3):
                out.append(f"money not conserved in week {week}: authorities paid {spend:,.2f} for children's "
                           f"homes but providers received {revenue:,.2f}")
    audit.week, audit.stock = w1, stock
    return out


def check(model) -> None:
    bad = violations(model)
    if bad:
        raise InvariantError(f"week {model.week}: " + "; ".join(bad))
