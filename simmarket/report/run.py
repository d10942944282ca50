"""Readable tables (terminal and Markdown) and charts for runs."""

from __future__ import annotations

import math

from ..data import load_targets

HEADLINE = (
    ("children_in_homes", "Children in children's homes", "{:,.0f}"),
    ("children_waiting", "Children waiting for a placement", "{:,.0f}"),
    ("children_unregistered", "Children in unregistered settings", "{:,.0f}"),
    ("unregistered_children_per_year", "Children in unregistered settings in the year", "{:,.0f}"),
    ("mean_weekly_price_gbp", "Mean weekly price (GBP)", "{:,.0f}"),
    ("new_placement_mean_weekly_price_gbp", "New placements' mean weekly price (GBP)", "{:,.0f}"),
    ("placements_over_10k", "Placements at 10,000+ a week", "{:,.0f}"),
    ("share_over_20_miles", "Placed over 20 miles from home", "{:.0%}"),
    ("share_outside_la", "Placed outside home authority", "{:.0%}"),
    ("mean_wait_days", "Mean wait for a home (days)", "{:,.1f}"),
    ("occupancy_registered_places", "Occupancy of registered places", "{:.0%}"),
    ("share_homes_without_manager", "Homes without a registered manager", "{:.0%}"),
    ("homes_total", "Children's homes (ordinary)", "{:,.0f}"),
    ("homes_opened", "Homes opened in the year", "{:,.0f}"),
    ("provider_margin_private", "Private providers' margin", "{:.1%}"),
    ("la_spend_childrens_homes_gbp", "Spend on children's homes (GBP bn)", "bn"),
)


def fmt(value, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if pattern == "bn":
        return f"{value / 1e9:,.2f}"
    return pattern.format(value)


def summary_table(summary: dict, markdown: bool = False) -> str:
    """Headline metrics: mean and 90% interval over seeds, with the England figure where known."""
    targets = load_targets()
    rows = [("Metric (final simulated year)", "Mean", "90% interval", "England 2024-25")]
    for key, label, pattern in HEADLINE:
        m = summary["metrics"][key]
        interval = f"{fmt(m['p05'], pattern)} to {fmt(m['p95'], pattern)}"
        target = fmt(targets[key]["value"], pattern) if key in targets else ""
        rows.append((label, fmt(m["mean"], pattern), interval, target))
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * 4]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = []
    for j, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
