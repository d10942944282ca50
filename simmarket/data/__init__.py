"""The shipped real data: authorities, children's homes, calibration and history targets.

Everything the model reads from disk comes through this module. Suppressed cells in the
authority table are imputed here (see `load_authorities`); nothing is edited by hand.
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


def _path(name: str):
    return resources.files(__package__).joinpath(name)


@lru_cache(maxsize=None)
def load_authorities() -> pd.DataFrame:
    """The 153 authorities with complete children counts.

    Imputation (DfE suppresses small numbers): a missing count for a setting is the authority's
    looked-after total (or, if that too is missing, its 2024 total) times its region's share of
    that setting among authorities with published values, rounded; suppressed cells are small
    by definition, so imputed values are capped at 9 for the rare settings. A missing total
    is the sum of the settings. Missing spend is the region's spend per child in homes times
    the authority's children in homes. Missing UASC counts use the region's UASC rate per child.
    """
    with _path("local_authorities.csv").open("rb") as fh:
        la = pd.read_csv(fh)
    la = la.sort_values("la_code").reset_index(drop=True)
    for year in (2024, 2025):
        total = f"cla_total_{year}"
        la[total] = la[total].fillna(la["cla_total_2024"]).astype(float)
        for s in SETTINGS:
            col = f"cla_{s}_{year}"
            share = (la[col] / la[total]).where(la[col].notna())
            region_share = share.groupby(la["region"]).transform("mean").fillna(0.0)
            imputed = (la[total] * region_share).round()
            if s in ("residential_schools", "other_residential", "supported_accommodation"):
                imputed = imputed.clip(upper=9)
            la[f"{col}_imputed"] = la[col].isna()
            la[col] = la[col].fillna(imputed).astype(float)
    rate = (la["cla_uasc_2024"] / la["pop_0_17"]).groupby(la["region"]).transform("median")
    la["cla_uasc_2024"] = la["cla_uasc_2024"].fillna((rate * la["pop_0_17"]).round()).astype(float)
    per_child = (la["residential_spend_2024_25_gbp_k"] / la["cla_childrens_homes_2024"]).groupby(la["region"]).transform("median")
    spend = la["residential_spend_2024_25_gbp_k"]
    la["residential_spend_2024_25_gbp_k"] = spend.where(spend > 0).fillna(per_child * la["cla_childrens_homes_2024"]).astype(float)
    return la


@lru_cache(maxsize=None)
def load_homes() -> pd.DataFrame:
    """Every children's home active at 31 March 2025, with a parsed registration date."""
    with _path("childrens_homes_2025.csv").open("rb") as fh:
        homes = pd.read_csv(fh, parse_dates=["registered"])
    homes["short_breaks_only"] = homes["short_breaks_only"].astype(bool)
    # a few rows have no owner: treat each as its own organisation
    homes["owner"] = homes["owner"].fillna("Unnamed owner of " + homes["urn"].astype(str))
    return homes


def start_homes() -> pd.DataFrame:
    """The start state: homes in the placement market registered on or before 31 March 2024.

    Short-break-only homes are not part of the placement market (SOURCES.md). Homes that
    closed before March 2025 are missing from the file, so this stock is slightly understated.
    """
    homes = load_homes()
    keep = (homes["registered"] <= pd.Timestamp(START_DATE)) & ~homes["short_breaks_only"]
    return homes[keep].reset_index(drop=True)


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
    """Share of UASC arrivals looked after by each authority of the table, after the national
    transfer scheme."""
    w = table["cla_uasc_2024"].to_numpy(float)
    return w / w.sum()
