"""Model invariants, checked every week with `run.check = true` (and always in the tests)."""

from __future__ import annotations

import numpy as np

from .geography import ENGLAND_EXTENT
from .market import staff_need
from .population import GONE, HOME, UNREG
from .supply import ACTIVE


class InvariantError(AssertionError):
    """The model reached an impossible state."""


def violations(model) -> list[str]:
    """Every broken invariant, as readable lines (empty when all hold)."""
    ch, homes, out = model.children, model.homes, []
    in_home = ch.status == HOME
    occ = np.bincount(ch.home[in_home], minlength=homes.n)
    if np.any(occ != homes.occupied):
        out.append("home occupancy counters disagree with the children placed")
    if np.any(homes.occupied > np.where(homes.state == ACTIVE, homes.places, 0)):
        out.append("a home holds more children than its registered places (or is not active)")
    if np.any(ch.home[~in_home] != -1) or np.any(ch.home[in_home] < 0):
        out.append("a child is in a home without a placement, or placed nowhere")
    if in_home.any() and np.any(homes.state[ch.home[in_home]] != ACTIVE):
        out.append("a child is placed in a home that is not active")
    used = np.bincount(ch.home[in_home], weights=staff_need(ch.complexity[in_home], ch.dol[in_home],
                       model.params.workforce.staff_per_child), minlength=homes.n)
    if not np.allclose(used, homes.staff_used, atol=1e-6):
        out.append("staff committed to residents disagrees with the children placed")
    priced = in_home | (ch.status == UNREG)
    if np.any(ch.price < 0) or np.any(~np.isfinite(ch.price)) or np.any(ch.price[priced] <= 0):
        out.append("a placement has a negative, missing or non-finite price")
    alive = ch.status != GONE
    if np.any((ch.age[alive] < 0) | (ch.age[alive] >= 18)):
        out.append("a looked-after child's age is outside 0-17")
    (x0, x1), (y0, y1) = ENGLAND_EXTENT
    if np.any((ch.x < x0) | (ch.x > x1) | (ch.y < y0) | (ch.y > y1)) or np.any((homes.x < x0) | (homes.x > x1)):
        out.append("a location lies outside England's extent")
    if np.any(homes.staff < 0) or np.any(homes.places < 0):
        out.append("negative staff or places")
    return out


def check(model) -> None:
    bad = violations(model)
    if bad:
        raise InvariantError(f"week {model.week}: " + "; ".join(bad))
