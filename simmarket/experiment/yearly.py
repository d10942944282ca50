"""Every simulated year measured like the final one: nationally, by region and by authority.

`YearRecorder.record(model)` is called at the end of each simulated year (model.week a multiple of
WEEKS_PER_YEAR), while that year's stocks are still in the model: it measures every metric of
metrics.YEARLY_METRICS with the definitions summary.json uses (metrics.measure_scopes), over that
year's 52 weeks. Authorities are measured all at once from the national View (bincounts by
authority), never one View per authority. yearly.parquet holds every seed's rows;
by_authority.csv the final year per authority, averaged over seeds.

Below full scale (run.scale < 1) each simulated authority is a group of England's neighbouring
authorities (data/scaling.py): its code is its first member's and by_authority.csv lists the
members.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd

from ..data import REGIONS, load_authorities
from ..data.scaling import authorities_at_scale
from ..metrics import AUTHORITY_KEYS, YEARLY_METRICS, measure_scopes
from ..time import START_DATE, WEEKS_PER_YEAR

NATIONAL = "national"
ID_COLUMNS = ("seed", "year", "year_end", "level", "scope")


def year_end(year: int, start: dt.date = START_DATE) -> dt.date:
    """The 31 March that ends simulated year `year` of a run that starts at `start` (from the
    baseline's 31 March 2024, year 1 is April 2024 to March 2025)."""
    return start.replace(year=start.year + year)


class YearRecorder:
    """Collects each year's measures of one run; `frame()` gives its rows of yearly.parquet."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.parts: list[pd.DataFrame] = []
        self.seconds = 0.0

    def record(self, model) -> None:
        """Measure the year that ends now (stocks now, flows over the last 52 weeks)."""
        t0 = time.perf_counter()
        year = model.week // WEEKS_PER_YEAR
        w1 = model.week
        national, regions, authorities = measure_scopes(model, (max(w1 - WEEKS_PER_YEAR, 0), w1))
        codes = list(model.geo.codes)
        rows = [national, *(regions[r] for r in REGIONS)]
        part = pd.DataFrame({k: [row[k] for row in rows] for k in YEARLY_METRICS})
        la = pd.DataFrame({k: authorities[k] if k in authorities else np.nan for k in YEARLY_METRICS},
                          index=range(len(codes)))
        frame = pd.concat([part, la], ignore_index=True).astype(float)
        levels = [NATIONAL] + ["region"] * len(REGIONS) + ["authority"] * len(codes)
        ids = pd.DataFrame({"seed": self.seed, "year": year, "year_end": year_end(year, model.start_date),
                            "level": levels, "scope": [NATIONAL, *REGIONS, *codes]})
        self.parts.append(pd.concat([ids, frame], axis=1))
        self.seconds += time.perf_counter() - t0

    def frame(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True) if self.parts else empty_frame()


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=[*ID_COLUMNS, *YEARLY_METRICS])


def run_by_year(model, recorder: YearRecorder | None) -> None:
    """Run the model to its horizon, recording each year as it ends."""
    while model.week < model.horizon:
        to_year_end = WEEKS_PER_YEAR - model.week % WEEKS_PER_YEAR
        model.run_weeks(min(to_year_end, model.horizon - model.week))
        if recorder is not None and model.week % WEEKS_PER_YEAR == 0:
            recorder.record(model)


def combine(frames) -> pd.DataFrame:
    """Every run's rows, in seed order."""
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else empty_frame()


def authority_table(scale: float) -> pd.DataFrame:
    """code, name, region of each simulated authority (and, below full scale, its members' codes)."""
    table, group = authorities_at_scale(scale)
    out = pd.DataFrame({"code": table["la_code"].to_numpy(str), "name": table["la_name"].to_numpy(str),
                        "region": table["region"].to_numpy(str)})
    if scale < 1:
        england = load_authorities()["la_code"].to_numpy(str)
        members = pd.Series(england).groupby(group).agg(" ".join)
        out["members"] = members.reindex(range(len(out))).to_numpy()
    return out


def by_authority(yearly: pd.DataFrame, scale: float) -> pd.DataFrame:
    """by_authority.csv: the final year per authority, each authority-scoped metric's mean over seeds."""
    table = authority_table(scale)
    rows = yearly[yearly["level"] == "authority"]
    if rows.empty:
        return table.reindex(columns=[*table.columns, *AUTHORITY_KEYS])
    final = rows[rows["year"] == rows["year"].max()]
    means = final.groupby("scope", sort=False)[list(AUTHORITY_KEYS)].mean()
    return table.join(means, on="code")


def write_yearly(folder, yearly: pd.DataFrame, scale: float) -> None:
    """yearly.parquet and by_authority.csv into a result folder."""
    yearly.to_parquet(folder / "yearly.parquet", index=False)
    by_authority(yearly, scale).to_csv(folder / "by_authority.csv", index=False)
