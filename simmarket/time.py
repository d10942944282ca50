"""Model time: one step is one week; week 0 is the market's state at 31 March of the run's start
year (`run.start_year`; the baseline's is 2024)."""

from __future__ import annotations

import datetime as dt

WEEKS_PER_YEAR = 52
START_DATE = dt.date(2024, 3, 31)  # the baseline's start state (data/SOURCES.md); its first year is the calibration year
START_YEAR = START_DATE.year + 0.25  # 31 March 2024 as a decimal year (for charts)


def start_date(year: int = START_DATE.year) -> dt.date:
    """The date a run starting in `year` starts from: 31 March, the reference date of the data."""
    return START_DATE.replace(year=int(year))


def week_date(week: int, start: dt.date = START_DATE) -> dt.date:
    """The calendar date at the end of a simulated week of a run that starts at `start`."""
    return start + dt.timedelta(weeks=int(week))


def decimal_year(week, start: dt.date = START_DATE):
    """Weeks since the start as decimal years (scalar or array); 31 March is year + 0.25."""
    return start.year + 0.25 + week / WEEKS_PER_YEAR


def year_of(week: int) -> int:
    """Index of the simulated year a week belongs to (0 = the first year, April to March)."""
    return week // WEEKS_PER_YEAR


def year_span(year: int, start: dt.date = START_DATE) -> str:
    """Simulated year `year` (1 = the first) in words: 'April 2024 to March 2025' from a 2024 start."""
    end = start.year + int(year)
    return f"April {end - 1} to March {end}"


def ramp(week: int, start: int, weeks: int) -> float:
    """0 before start, rising linearly to 1 over `weeks` weeks."""
    if week < start:
        return 0.0
    return min(max((week - start + 1) / max(weeks, 1), 0.0), 1.0)
