"""Membership modes: voluntary with opt-outs, phased, and mandatory from rcc.mandate_week."""

from __future__ import annotations

import numpy as np

from simmarket.data import REGIONS, load_authorities
from simmarket.model import PlacementMarket
from simmarket.params import baseline, load
from simmarket.policy import rcc_membership
from simmarket.policy.membership import NEVER_JOINS

LA = load_authorities()
CODES = LA["la_code"].tolist()
OPT_OUT = ["E08000025", "E09000007"]  # Birmingham (West Midlands), Camden (London)
SE_OUT = ["E10000014", "E10000016", "E06000039", "E06000046"]  # left out of the South East pilot


def regions(**over):
    return baseline().replace(**{"rcc.membership": "regions", "rcc.opt_out": OPT_OUT, "rcc.start_week": 10, **over})


def test_opted_out_authorities_stay_out_without_a_mandate():
    m = rcc_membership(regions())
    out = [CODES.index(c) for c in OPT_OUT]
    assert m.coop[out].tolist() == [-1, -1] and m.join_week[out].tolist() == [NEVER_JOINS] * 2
    assert not m.mandated.any()


def test_a_mandate_brings_opted_out_authorities_into_their_regions_cooperative_at_its_week():
    voluntary = rcc_membership(regions(**{"rcc.rollout_weeks": 20}))
    m = rcc_membership(regions(**{"rcc.rollout_weeks": 20, "rcc.mandate_week": 50}))
    out = [CODES.index(c) for c in OPT_OUT]
    assert [REGIONS[i] for i in m.coop[out]] == LA["region"].iloc[out].tolist()
    assert m.join_week[out].tolist() == [50, 50]
    assert np.flatnonzero(m.mandated).tolist() == sorted(out)
    others = np.setdiff1d(np.arange(len(CODES)), out)
    np.testing.assert_array_equal(m.join_week[others], voluntary.join_week[others])  # the phased roll-out as before
    early = rcc_membership(regions(**{"rcc.mandate_week": 4}))  # not before the cooperatives start
    assert early.join_week[out].tolist() == [10, 10]


def test_a_mandate_brings_a_named_pilots_excluded_authorities_into_it():
    pilots = load("rcc_pilots")
    m = rcc_membership(pilots.replace(**{"rcc.mandate_week": 104}))
    se = [CODES.index(c) for c in SE_OUT]
    assert m.coop[se].tolist() == [1] * 4 and m.join_week[se].tolist() == [104] * 4
    assert m.mandated.sum() == 4  # authorities in no cooperative's area are not compelled
    assert (rcc_membership(pilots).coop[se] == -1).all()


def test_in_the_model_the_mandate_joins_at_its_week_and_not_before():
    sc = regions(**{"run.years": 1, "rcc.start_week": 0, "rcc.mandate_week": 3})
    model = PlacementMarket(sc, rng=np.random.default_rng(0))
    out = model.geo.index_of(OPT_OUT)
    seen = []
    for _ in range(4):
        seen.append(model.levers.rcc_of_la[out].tolist())
        model.step()
    assert seen[:3] == [[-1, -1]] * 3
    assert seen[3] == [REGIONS.index(r) for r in LA.set_index("la_code").loc[OPT_OUT, "region"]]
    members = model.levers.rcc_of_la >= 0
    assert members.all() and (model.levers.customer[out] >= model.n_la).all()
