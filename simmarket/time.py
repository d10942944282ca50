"""Model time: one step is one week; week 0 starts from the market's state at 31 March 2024."""

from __future__ import annotations

import datetime as dt

WEEKS_PER_YEAR = 52
START_DATE = dt.date(2024, 3, 31)  # the start state (data/SOURCES.md); its first year is the calibration year
START_YEAR = START_DATE.year + 0.25  # 31 March 2024 as a decimal year (for charts)


def week_date(week: int) -> dt.date:
    """The calendar date at the end of a simulated week."""
    return START_DATE + dt.timedelta(weeks=int(week))


def decimal_year(week):
    """Weeks since the start as decimal years (scalar or array)."""
    return START_YEAR + week / WEEKS_PER_YEAR


def year_of(week: int) -> int:
    """Index of the simulated year a week belongs to (0 = April 2024 to March 2025)."""
    return week // WEEKS_PER_YEAR


def ramp(week: int, start: int, weeks: int) -> float:
    """0 before start, rising linearly to 1 over `weeks` weeks."""
    if week < start:
        return 0.0
    return min(max((week - start + 1) / max(weeks, 1), 0.0), 1.0)
