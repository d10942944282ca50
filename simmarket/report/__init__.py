"""Tables and charts (terminal, Markdown, PNG) for run, compare, sweep, sensitivity, explore, calibrate and
backcast.

    run.py          the headline metrics of a run (summary_table)
    compare.py      a comparison's folder: run folders, comparison.csv, charts, report.md
    charts.py       the comparison's weekly and difference charts
    calibrate.py    the calibration table and chart
    backcast.py     the backcast table (terminal, Markdown, CSV) and chart
    sweep.py        a sweep's per-point table and charts
    sensitivity.py  sensitivity tables and charts
    explore.py      scenario discovery's boxes (CSV, terminal, Markdown) and chart
"""

from .run import HEADLINE, summary_table

__all__ = ["HEADLINE", "summary_table"]
