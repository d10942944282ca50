"""Phase 5, escalation: children with no registered place go to unregistered settings.

A child goes once it has searched past its authority's limit, or at once for emergencies and
deprivation-of-liberty or secure cases (unless a cooperative holding the duty searches on). The
authority keeps searching; enforcement can find and shut settings.
"""

from __future__ import annotations

import numpy as np

from ..kernels import books, entry
from ..state import UNREG, WAITING
from ..time import year_of

UNREG_PRICE_SD = 0.3  # log-sd of unregistered settings' prices around the parameter (prior)
UNREGULATED_BAN_AGE = 16  # the 2021 ban covers children under 16 (NAO25 1.7)
UNREG_BAR_WEEKS = 4  # after enforcement shuts a setting, weeks the authority must seek a registered place (prior)


def escalate(m) -> None:
    """Children with no registered place go to an unregistered setting, at a premium."""
    ch, cm, lv = m.children, m.params.commissioning, m.levers
    detect_unregistered(m)
    # waiting children past their authority's limit of search (placements.search_weeks), and urgent
    # ones (emergencies, DoL or secure needs) at once where the authority sends them at once, else
    # after a week; none barred by enforcement (one pass: kernels.entry.due_unregistered)
    go = entry.due_unregistered(ch.status, ch.unreg_bar, ch.need_since, ch.la, (ch.emergency, ch.dol, ch.secure),
                                lv.urgent_at_once, lv.unreg_limit, float(lv.unreg_extra_weeks), m.week, WAITING)
    if len(go) == 0:
        return
    ch.status[go] = UNREG
    ch.price[go] = cm.unregistered_price_gbp_week * m.streams["market"].lognormal(0, UNREG_PRICE_SD, len(go)) + lv.unreg_fine_per_week
    ch.record_start(go, m.week)
    year = year_of(m.week)
    first = go[(ch.unreg_year[go] != year) & illegal(m, go)]
    ch.unreg_year[first] = year
    m.flows.add_la("unregistered_new", m.week, ch.la[first])


def illegal(m, idx: np.ndarray) -> np.ndarray:
    """Which of these children's settings are unregistered in law this week, and so reported.

    Care that needs registration always did (children under a deprivation-of-liberty order or
    needing secure care); for the others a setting without registration was legal, unregulated
    provision until the law changed: for under-16s from 9 September 2021, for 16-17 year olds
    from 28 October 2023 (NAO25 1.7; data/exogenous.toml).
    """
    ch, weeks = m.children, m.regulation_weeks
    if m.week >= weeks["supported_registration"]:
        return np.ones(len(idx), bool)
    under_16 = (ch.age[idx] < UNREGULATED_BAN_AGE) & (m.week >= weeks["under_16_ban"])
    return ch.dol[idx] | ch.secure[idx] | under_16


def detect_unregistered(m) -> None:
    """Enforcement: settings found are shut; the authority must look for a registered place. One draw
    per child in an unregistered setting (not per row of the table, whose rows of children who have
    left come and go with compaction: the results would depend on its schedule)."""
    if m.levers.unreg_detection <= 0:
        return
    ch = m.children
    unreg = books.rows_with(ch.status, UNREG)
    found = unreg[m.streams["market"].random(len(unreg)) < m.levers.unreg_detection]
    ch.status[found] = WAITING
    ch.price[found] = 0.0
    ch.unreg_bar[found] = m.week + UNREG_BAR_WEEKS
    m.flows.add_la("unregistered_detected", m.week, ch.la[found])
