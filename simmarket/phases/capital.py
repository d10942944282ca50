"""Capital: council-run homes opened or extended where they are needed (a capital programme or a
cooperative shaping its market), and new secure homes. Called by policy and cooperatives."""

from __future__ import annotations

import numpy as np

from ..state import ACTIVE, COUNCIL
from .entry_exit import add_homes, need_score


def site_weights(m, target: str) -> np.ndarray:
    """Where capital goes, by authority: where children wait or are sent away, or by population."""
    return (need_score(m) if target == "need" else m.pop_0_17) + 1e-9


def pick_la(m, target: str, among: np.ndarray | None = None) -> int:
    among = np.arange(m.n_la) if among is None else among
    w = site_weights(m, target)[among]
    return int(among[m.streams["supply"].choice(len(among), p=w / w.sum())])


def council_provider(m, la: int) -> int:
    """The authority's own provider of council homes (created when first needed)."""
    if la not in m.council_providers:
        m.council_providers[la] = m.new_provider(f"{m.geo.names[la]} (council)", COUNCIL).index
    return m.council_providers[la]


def open_council_home(m, places: int, target: str, among=None) -> None:
    """A new council-run home where it is needed, registered after the shortest delay."""
    la = pick_la(m, target, among)
    add_homes(m, np.array([la]), np.array([m.week + m.params.supply.registration_weeks_min]),
              sector=np.array([COUNCIL]), places=np.array([places]), owner=np.array([council_provider(m, la)]))


def extend_council_home(m, places: int, target: str) -> None:
    """Capital to add places to an existing council home, in an authority in need."""
    homes = m.homes
    cand = np.flatnonzero((homes.state == ACTIVE) & (homes.sector == COUNCIL) & ~homes.secure)
    if len(cand) == 0:
        return open_council_home(m, places, target)
    w = site_weights(m, target)[homes.la[cand]]
    h = cand[m.streams["supply"].choice(len(cand), p=w / w.sum())]
    homes.places[h] += places


def open_secure_home(m, region: int, places: int) -> None:
    """A new secure children's home in a region, open at once."""
    among = np.flatnonzero(m.region_of_la == region)
    la = pick_la(m, "need", among)
    h = add_homes(m, np.array([la]), np.array([m.week]), sector=np.array([COUNCIL]), places=np.array([places]),
                  owner=np.array([council_provider(m, la)]))
    homes = m.homes
    homes.secure[h] = True
    homes.max_complexity[h] = 2
    homes.dol_ok[h] = True
    homes.state[h] = ACTIVE
    m.flows.add_region("homes_opened", m.week, m.region_of_la[homes.la[h]])
