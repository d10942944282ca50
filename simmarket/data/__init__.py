"""The shipped real data: authorities, children's homes, their history, calibration and history targets.

Everything the model reads from disk comes through this module. Suppressed and unpublished cells
in the authority tables are imputed here (see `load_authorities`, `load_authority_history`);
nothing is edited by hand.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..time import START_DATE

# England's nine regions, in the order every region-indexed array uses
REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and The Humber",
)
SETTINGS = ("foster", "childrens_homes", "supported_accommodation", "residential_schools", "other_residential")
RARE_SETTINGS = ("supported_accommodation", "residential_schools", "other_residential")
SUPPRESSED_MAX = 9  # DfE suppresses small counts: an imputed suppressed cell of a rare setting is at most this
FIRST_START_YEAR, LAST_START_YEAR = 2020, 2025  # placement types by authority exist from March 2020 (history/README.md)
# an authority's children at the start year (start_authorities): totals, settings, unaccompanied
START_COUNTS = ("cla_total", *(f"cla_{s}" for s in SETTINGS), "cla_uasc")


def _path(name: str):
    return resources.files(__package__).joinpath(name)


@lru_cache(maxsize=None)
def load_authorities() -> pd.DataFrame:
    """The 153 authorities with complete children counts for 2024 and 2025 (`_YYYY` columns).

    Imputation (DfE suppresses small numbers): a missing total is the authority's 2024 total;
    missing settings as `impute_settings`. Missing spend is the region's spend per child in homes
    times the authority's children in homes. Missing UASC counts use the region's UASC rate per child.
    """
    with _path("local_authorities.csv").open("rb") as fh:
        la = pd.read_csv(fh)
    la = la.sort_values("la_code").reset_index(drop=True)
    for year in (2024, 2025):
        total = f"cla_total_{year}"
        la[total] = la[total].fillna(la["cla_total_2024"]).astype(float)
        impute_settings(la, total, lambda s, y=year: f"cla_{s}_{y}")
    impute_uasc(la, "cla_uasc_2024")
    per_child = (la["residential_spend_2024_25_gbp_k"] / la["cla_childrens_homes_2024"]).groupby(la["region"]).transform("median")
    spend = la["residential_spend_2024_25_gbp_k"]
    la["residential_spend_2024_25_gbp_k"] = spend.where(spend > 0).fillna(per_child * la["cla_childrens_homes_2024"]).astype(float)
    return la


def impute_settings(la: pd.DataFrame, total: str, column) -> None:
    """Fill missing counts by setting in place (`column(setting)` names a setting's column).

    A missing count is the authority's total times its region's mean share of that setting among
    authorities with published values, rounded. Where the authority published other settings the
    cell was suppressed, so it is small: capped at 9 for the rare settings. Where it published no
    setting at all (a new authority missing from DfE's extract) the region's mix is taken as it is.
    A `<column>_imputed` flag marks the filled cells.
    """
    unpublished = la[[column(s) for s in SETTINGS]].isna().all(axis=1)
    for s in SETTINGS:
        col = column(s)
        share = (la[col] / la[total]).where(la[col].notna())
        region_share = share.groupby(la["region"]).transform("mean").fillna(0.0)
        imputed = (la[total] * region_share).round()
        if s in RARE_SETTINGS:
            imputed = imputed.where(unpublished, imputed.clip(upper=SUPPRESSED_MAX))
        la[f"{col}_imputed"] = la[col].isna()
        la[col] = la[col].fillna(imputed).astype(float)


def impute_uasc(la: pd.DataFrame, column: str) -> None:
    """Fill missing UASC counts in place: the region's median UASC rate per child (0-17) times the
    authority's children."""
    rate = (la[column] / la["pop_0_17"]).groupby(la["region"]).transform("median")
    la[column] = la[column].fillna((rate * la["pop_0_17"]).round()).astype(float)


@lru_cache(maxsize=None)
def load_authority_history() -> pd.DataFrame:
    """The 153 authorities at every 31 March 2019-2025 (history/README.md), complete from 2020.

    Imputation, each year from 2020 on its own (2019 has totals only): a missing total is the
    authority's total the year before (Isles of Scilly 2020, City of London 2025, as
    `load_authorities`); missing settings as `impute_settings` (this takes North and West
    Northamptonshire in 2020-21 and Cumberland and Westmorland and Furness in 2020-23, whose
    placement types DfE did not publish, from their apportioned totals and their region's mix);
    missing UASC counts from the region's median UASC rate per child that year. The 2024 and
    2025 rows then equal `load_authorities`' columns of those years.
    """
    with _path("history/local_authorities_history.csv").open("rb") as fh:
        h = pd.read_csv(fh)
    h = h.sort_values(["march_year", "la_code"]).reset_index(drop=True)
    h["cla_total"] = h["cla_total"].fillna(h.groupby("la_code")["cla_total"].shift()).astype(float)
    years = []
    for year, part in h.groupby("march_year", sort=True):
        part = part.copy()
        if year >= FIRST_START_YEAR:
            impute_settings(part, "cla_total", lambda s: f"cla_{s}")
            impute_uasc(part, "cla_uasc")
        years.append(part)
    h = pd.concat(years, ignore_index=True)
    flags = [c for c in h.columns if c.endswith("_imputed")]
    h[flags] = h[flags].fillna(False).astype(bool)  # 2019: nothing imputed
    return h


@lru_cache(maxsize=None)
def start_authorities(year: int = START_DATE.year) -> pd.DataFrame:
    """The 153 authorities (`load_authorities`: places, areas, spend, 2024-25 columns) with their
    children at 31 March of `year` (2020-2025): the START_COUNTS columns, and `pop_0_17` of that year."""
    if not FIRST_START_YEAR <= year <= LAST_START_YEAR:
        raise ValueError(f"no start state for {year}; the history allows {FIRST_START_YEAR} to {LAST_START_YEAR}")
    la = load_authorities().copy()
    h = load_authority_history()
    at = h[h["march_year"] == year].set_index("la_code").reindex(la["la_code"])
    for c in (*START_COUNTS, "pop_0_17"):
        la[c] = at[c].to_numpy(float)
    return la


@lru_cache(maxsize=None)
def load_homes() -> pd.DataFrame:
    """Every children's home active at 31 March 2025, with a parsed registration date."""
    with _path("childrens_homes_2025.csv").open("rb") as fh:
        homes = pd.read_csv(fh, parse_dates=["registered"])
    return _tidy_homes(homes)


@lru_cache(maxsize=None)
def load_homes_history() -> pd.DataFrame:
    """Every children's home and secure home active at each 31 March 2019-2025 (history/README.md),
    with its registration date parsed as `registered` (the name load_homes uses)."""
    with _path("history/childrens_homes_history.csv.gz").open("rb") as fh:
        homes = pd.read_csv(fh, compression="gzip", parse_dates=["registration_date"])
    return _tidy_homes(homes.rename(columns={"registration_date": "registered"}))


def _tidy_homes(homes: pd.DataFrame) -> pd.DataFrame:
    homes["short_breaks_only"] = homes["short_breaks_only"].astype(bool)
    # a few rows have no owner: treat each as its own organisation
    homes["owner"] = homes["owner"].fillna("Unnamed owner of " + homes["urn"].astype(str))
    return homes


def start_homes(year: int = START_DATE.year) -> pd.DataFrame:
    """The start state's homes: those in the placement market at 31 March of `year` (2019-2025),
    ordinary children's homes that are not short-break-only and secure homes (SOURCES.md).

    These are the real stock of that date (March 2024: 3,292 ordinary homes with 12,138 places),
    including the homes that closed later.
    """
    homes = load_homes_history()
    keep = (homes["march_year"] == year) & ~homes["short_breaks_only"]
    return homes[keep].reset_index(drop=True)


@lru_cache(maxsize=None)
def load_national_series() -> pd.DataFrame:
    """National totals at each 31 March 2019-2025, indexed by march_year (history/README.md)."""
    with _path("history/national_series.csv").open("rb") as fh:
        return pd.read_csv(fh).set_index("march_year")


@lru_cache(maxsize=None)
def load_targets() -> dict:
    """Calibration targets (targets.toml): metric key -> value, band, source, description."""
    with _path("targets.toml").open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=None)
def load_history_targets() -> dict:
    """Backcast targets (history_targets.toml): series name -> metric, years, values, bands, source."""
    with _path("history_targets.toml").open("rb") as fh:
        return tomllib.load(fh)


def uasc_weights(table: pd.DataFrame) -> np.ndarray:
    """Share of UASC arrivals looked after by each authority of a start table (start_authorities),
    in proportion to those it looked after at the start (after the national transfer scheme of
    December 2021 for a start from 2022)."""
    w = table["cla_uasc"].to_numpy(float)
    return w / w.sum()


RO3_COLUMN = "residential_spend_2024_25_gbp_k"  # MHCLG revenue outturn RO3, April 2024 to March 2025
RO3_YEAR_END = 2025  # RO3's year ends 31 March 2025


@lru_cache(maxsize=1)
def _reported_outturn_gbp() -> np.ndarray:
    """RO3 2024-25 as reported (GBP; NaN where not), in load_authorities' order."""
    with _path("local_authorities.csv").open("rb") as fh:
        reported = pd.read_csv(fh, usecols=["la_code", RO3_COLUMN]).set_index("la_code")[RO3_COLUMN]
    spend = reported.reindex(load_authorities()["la_code"]).to_numpy(float) * 1000.0
    spend[~(spend > 0)] = np.nan
    spend.flags.writeable = False
    return spend


def residential_outturn_gbp(group_of_la: np.ndarray, n: int) -> np.ndarray:
    """What each simulated authority's members spent on looked-after children's residential care in
    2024-25 (RO3 outturn, GBP: spent, not budgeted; all residential settings), summed over England's
    authorities in its group (data/scaling.py; `group_of_la` in load_authorities' order); NaN where
    a member reported none (Birmingham, Cumberland, Gateshead and Slough: load_authorities imputes
    theirs for the start state, but an imputed figure is no outturn to compare with)."""
    spend = _reported_outturn_gbp()
    total = np.bincount(group_of_la, weights=np.nan_to_num(spend), minlength=n)
    missing = np.bincount(group_of_la, weights=np.isnan(spend), minlength=n) > 0
    return np.where(missing, np.nan, total)
