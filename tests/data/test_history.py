"""The shipped history (data/history/): the homes and children of every 31 March, complete from
2020 and equal to the published national totals."""

from __future__ import annotations

import numpy as np
import pytest

from simmarket import data

YEARS = range(data.FIRST_START_YEAR, data.LAST_START_YEAR + 1)
# successors whose placement types DfE did not publish (history/README.md)
UNPUBLISHED = {"E06000061": (2020, 2021), "E06000062": (2020, 2021),
               "E06000063": (2020, 2021, 2022, 2023), "E06000064": (2020, 2021, 2022, 2023)}


@pytest.mark.parametrize("year", range(2019, 2026))
def test_start_homes_are_the_market_stock_of_national_series(year):
    homes, series = data.start_homes(year), data.load_national_series().loc[year]
    ordinary = homes[homes.provision_type == "childrens_home"]
    secure = homes[homes.provision_type == "secure_childrens_home"]
    assert (len(ordinary), ordinary.places.sum()) == (series.homes_market, series.places_market)
    assert (len(secure), secure.places.sum()) == (series.homes_secure, series.places_secure)
    assert not homes.short_breaks_only.any() and homes.owner.notna().all()


def test_the_baseline_stock_is_the_real_march_2024_stock():
    homes = data.start_homes()
    ordinary = homes[homes.provision_type == "childrens_home"]
    assert (len(ordinary), ordinary.places.sum()) == (3292, 12138)  # history/README.md
    closed = ~ordinary.urn.isin(data.load_homes().urn)
    assert closed.sum() > 100  # it holds the homes that closed during 2024-25


def test_children_by_setting_are_complete_from_2020():
    hist = data.load_authority_history()
    for year in YEARS:
        rows = hist[hist.march_year == year]
        assert len(rows) == 153 and rows[list(data.START_COUNTS)].notna().all().all(), year
        dfe = data.load_national_series().loc[year, "cla_childrens_homes"]
        assert rows.cla_childrens_homes.sum() == pytest.approx(dfe, rel=0.01)  # DfE's national count


def test_2024_and_2025_rows_equal_the_authority_table():
    la = data.load_authorities()
    for year in (2024, 2025):
        start = data.start_authorities(year)
        for s in ("total", *data.SETTINGS):
            assert np.array_equal(start[f"cla_{s}"], la[f"cla_{s}_{year}"]), (year, s)
    assert np.array_equal(data.start_authorities(2024).cla_uasc, la.cla_uasc_2024)


def test_unpublished_successors_take_their_regions_mix_uncapped():
    hist = data.load_authority_history()
    hist = hist[hist.march_year >= data.FIRST_START_YEAR]
    for code, years in UNPUBLISHED.items():
        rows = hist[hist.la_code == code].set_index("march_year")
        for year in years:
            row = rows.loc[year]
            assert all(row[f"cla_{s}_imputed"] for s in data.SETTINGS)
            assert row.cla_foster > 0.5 * row.cla_total and row.cla_childrens_homes > 9
            peers = hist[(hist.march_year == year) & (hist.region == row.region) & ~hist.cla_childrens_homes_imputed]
            share = (peers.cla_childrens_homes / peers.cla_total).mean()
            assert row.cla_childrens_homes == round(row.cla_total * share)
        published = rows.index.difference(years)
        assert not rows.loc[published, "cla_childrens_homes_imputed"].any()


def test_suppressed_rare_settings_are_small():
    hist = data.load_authority_history()
    hist = hist[hist.march_year >= data.FIRST_START_YEAR]
    unpublished = hist[[f"cla_{s}_imputed" for s in data.SETTINGS]].all(axis=1)
    for s in data.RARE_SETTINGS:
        suppressed = hist[f"cla_{s}_imputed"] & ~unpublished
        assert suppressed.any() and (hist.loc[suppressed, f"cla_{s}"] <= data.SUPPRESSED_MAX).all()


def test_start_years_without_placement_types_are_refused():
    with pytest.raises(ValueError, match="2020 to 2025"):
        data.start_authorities(2019)
