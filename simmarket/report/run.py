"""A run's headline table (terminal or Markdown): labels and number formats from metrics.METRICS."""

from __future__ import annotations

from ..data import load_targets
from ..metrics import METRICS

# the metrics a run's table shows (labels, units and formats are the metrics' own)
HEADLINE = (
    "children_in_homes", "children_waiting", "children_unregistered", "unregistered_children_per_year",
    "mean_weekly_price_gbp", "new_placement_mean_weekly_price_gbp", "placements_over_10k", "share_over_20_miles",
    "share_outside_la", "mean_wait_days", "occupancy_registered_places", "share_homes_without_manager",
    "homes_total", "homes_opened", "provider_margin_private", "la_spend_childrens_homes_gbp",
    "la_spend_per_child_in_homes_gbp", "la_spend_residential_full_cost_gbp",
)


def summary_table(summary: dict, markdown: bool = False) -> str:
    """Headline metrics: mean and 90% interval over seeds, with the England figure where known."""
    targets = load_targets()
    rows = [("Metric (final simulated year)", "Mean", "90% interval", "England 2024-25")]
    for key in HEADLINE:
        metric, m = METRICS[key], summary["metrics"][key]
        interval = f"{metric.format(m['p05'])} to {metric.format(m['p95'])}"
        target = metric.format(targets[key]["value"]) if key in targets else ""
        rows.append((metric.label, metric.format(m["mean"]), interval, target))
    note = _scale_note(summary.get("scale", 1.0))
    if markdown:
        return markdown_table(rows[0], rows[1:]) + (f"\n\n{note}" if note else "")
    return text_table(rows[0], rows[1:], left=1) + (f"\n{note}" if note else "")


def _scale_note(scale: float) -> str:
    """Below or above full scale, counts and money are the simulated market's: say so once."""
    if scale == 1:
        return ""
    return (f"Scale {scale:g}: counts and money are the simulated market's, about {scale:g} x England's "
            f"(the England column is all of England's); shares, prices, distances and waits compare directly.")


def markdown_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def text_table(header, rows, left: int = 2) -> str:
    """Columns padded to width: the first `left` left-aligned, the rest right-aligned."""
    rows = [tuple(header), *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    out = []
    for j, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
