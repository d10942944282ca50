"""The calendar of a run follows its start date; the defaults are the baseline's 31 March 2024."""

from __future__ import annotations

import datetime as dt

from simmarket.time import START_DATE, decimal_year, start_date, week_date, year_span


def test_the_calendar_follows_the_start_date():
    start = start_date(2020)
    assert start == dt.date(2020, 3, 31) and start_date() == START_DATE == dt.date(2024, 3, 31)
    assert week_date(52, start) == dt.date(2021, 3, 30) and week_date(52) == dt.date(2025, 3, 30)
    assert decimal_year(26, start) == 2020.75 and decimal_year(0) == 2024.25
    assert year_span(1, start) == "April 2020 to March 2021" and year_span(5) == "April 2028 to March 2029"
