"""A comparison's outputs: run folders, comparison.csv, charts, report.md, and its terminal table."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..experiment import compare as cmp
from ..experiment.outputs import manifest, write_json, write_run
from ..params import REGIONS
from . import charts as compare_charts
from .decompose import write_decomposition
from ..metrics import METRICS, Metric
from .run import HEADLINE, markdown_table, text_table
from ..time import start_date, year_span

# metrics shown for RCC members and in the regional highlights
FOCUS = ("new_placement_mean_weekly_price_gbp", "mean_weekly_price_gbp", "mean_wait_days", "share_over_20_miles",
         "mean_distance_miles", "children_unregistered", "unregistered_children_per_year",
         "la_spend_childrens_homes_gbp", "la_spend_per_child_in_homes_gbp", "la_spend_residential_full_cost_gbp")
REGION_FOCUS = ("new_placement_mean_weekly_price_gbp", "mean_distance_miles", "children_unregistered", "mean_wait_days")


def diff_cell(r, metric: Metric) -> str:
    if not math.isfinite(r.diff_lo95):
        return metric.format_diff(r.diff_mean)
    lo, hi = metric.format_diff(r.diff_lo95, False), metric.format_diff(r.diff_hi95, False)
    return f"{metric.format_diff(r.diff_mean)} ({lo} to {hi})"


def relative(r, metric: Metric) -> str:
    """The difference as a share of the base mean (not for shares, already in percentage points)."""
    if metric.is_share or not math.isfinite(r.diff_pct):
        return ""
    return f"{r.diff_pct:+.0%}" if abs(r.diff_pct) >= 0.095 else f"{r.diff_pct:+.1%}"


def verdict(r) -> str:
    if not math.isfinite(r.diff_lo95):
        return "cannot tell (too few seeds)"
    if r.distinguishable:
        return "yes, higher" if r.diff_mean > 0 else "yes, lower"
    return "no"


def headline_rows(table: pd.DataFrame, base: str, metrics=HEADLINE, scope="national", members_of=""):
    """(metric label, scenario, mean, 90% interval, difference (95% CI), distinguishable?) rows."""
    sub = table[(table.scope == scope) & (table.members_of == members_of)]
    rows = []
    for key in metrics:
        metric, m = METRICS[key], sub[sub.metric == key]
        for i, r in enumerate(m.itertuples()):
            is_base = r.scenario == base
            rows.append((metric.label if i == 0 else "", r.scenario, metric.format(r.mean),
                         f"{metric.format(r.p05)} to {metric.format(r.p95)}",
                         "(base)" if is_base else diff_cell(r, metric), "" if is_base else relative(r, metric),
                         "" if is_base else verdict(r)))
    return rows


HEAD = ("Metric (final simulated year)", "Scenario", "Mean", "90% interval of seeds",
        "Difference to base (95% CI)", "Relative change", "Distinguishable from zero?")


def terminal_table(table: pd.DataFrame, base: str) -> str:
    return text_table(HEAD, headline_rows(table, base))


def member_section(table: pd.DataFrame, base: str) -> list[str]:
    groups = table[table.members_of != ""][["members_of", "scope"]].drop_duplicates()
    if groups.empty:
        return []
    out = ["## RCC members and non-members", "",
           "Each cooperative scenario's member authorities (and the rest) are measured the same way in the "
           f"{base} run, so the difference is paired seed by seed. Members are the authorities placed in a "
           "cooperative in that scenario, whenever in the run they join.", ""]
    for scen in groups.members_of.unique():
        for scope, title in (("rcc_members", "members"), ("non_members", "non-members")):
            if not ((groups.members_of == scen) & (groups.scope == scope)).any():
                continue
            out += [f"### {scen}: {title}", "",
                    markdown_table(HEAD, headline_rows(table, base, FOCUS, scope, scen)), ""]
    return out


def region_section(table: pd.DataFrame, base: str, others: list[str]) -> list[str]:
    out = ["## By region", "",
           "Difference to the base in each region (authorities' children by home region; homes by their "
           "region), mean over paired seeds with its 95% interval; * marks a difference distinguishable "
           "from zero.", ""]
    reg = table[table.scope.isin(REGIONS) & (table.members_of == "")]
    for scen in others:
        s = reg[reg.scenario == scen]
        rows, notes = [], []
        for region in REGIONS:
            cells = [region]
            for key in REGION_FOCUS:
                r = s[(s.scope == region) & (s.metric == key)]
                if r.empty:
                    cells.append("n/a")
                    continue
                r = r.iloc[0]
                cells.append(diff_cell(r, METRICS[key]) + (" *" if r.distinguishable else ""))
            rows.append(cells)
        for key in REGION_FOCUS:
            hits = s[(s.metric == key) & s.distinguishable]
            if len(hits):
                top = hits.loc[hits.diff_mean.abs().idxmax()]
                notes.append(f"- {METRICS[key].label}: distinguishable in {len(hits)} of {len(REGIONS)} regions; "
                             f"largest change in {top.scope} ({METRICS[key].format_diff(top.diff_mean)}).")
            else:
                notes.append(f"- {METRICS[key].label}: no region's difference is distinguishable from zero.")
        header = ("Region", *(METRICS[k].label for k in REGION_FOCUS))
        out += [f"### {scen} minus {base}", "", *notes, "", markdown_table(header, rows), ""]
    return out


def how_to_read(n_seeds: int) -> list[str]:
    return [
        "## How to read this", "",
        f"- Every scenario was run with the same {n_seeds} seeds (common random numbers). Seed *i* of each "
        "scenario starts from the same random state: the same starting market of homes, providers and "
        "children, and the same early chance events, until the policy makes the runs take different "
        "paths. Comparing each scenario with the base seed by seed (a paired comparison) removes the "
        "variation the runs share, so differences are measured more precisely than from independent runs.",
        "- *Mean* is the average over seeds; the *90% interval of seeds* is the range within which 90% of "
        "the simulated outcomes fell: it shows how much a single year can vary, not how sure we are of the "
        "mean.",
        "- *Difference to base* is the average of the per-seed differences, with a 95% confidence interval "
        "(t-distribution over seeds). A difference is *distinguishable from zero* when that interval excludes "
        "zero; 'no' means the model cannot separate the effect from run-to-run noise with this many seeds, "
        "not that the effect is zero. More seeds narrow the interval.",
        "- Differences in shares are in percentage points (pp); money is in pounds (spend in GBP bn, its "
        "differences in GBP million, m); counts are at the scale the model was run at.",
        "- These are model results under the stated assumptions, not forecasts; the interval reflects "
        "simulation noise only, not uncertainty in the model's parameters or structure.",
    ]


def write_report(path, table: pd.DataFrame, scenarios, seeds: int, root: int, years: int, scale_note: str,
                 seconds: float, charts: list[tuple[str, str]], extra: list[str] = ()) -> None:
    """report.md: what was compared, headline table, members, regions, `extra` sections (the
    decomposition), charts, how to read."""
    base = scenarios[0].name
    others = [s.name for s in scenarios[1:]]
    start = start_date(scenarios[0].run.start_year)
    final = year_span(years, start)
    out = [f"# {', '.join(others)} compared with {base}", "",
           "## What was compared", ""]
    for i, s in enumerate(scenarios):
        role = "base" if i == 0 else "scenario"
        out.append(f"- **{s.name}** ({role}): {s.description or 'no description'}")
    out += ["",
            f"Each scenario was simulated for {years} years from {start.day} {start:%B %Y} with the same {seeds} seeds "
            f"(root seed {root}){scale_note}. Results are for the final simulated year, {final}: stocks "
            f"(children, homes, prices, distances) at its end and flows (placements, spend, openings) during "
            f"it. Run time {seconds:.0f} s.", "",
            "## Headline results (England)", "",
            markdown_table(HEAD, headline_rows(table, base)), ""]
    out += member_section(table, base)
    out += region_section(table, base, others)
    out += list(extra)
    out += ["## Charts", ""]
    for file, caption in charts:
        out += [f"![{caption}]({file})", "", f"*{caption}*", ""]
    out += how_to_read(seeds)
    out += ["", "Full results: `comparison.csv` (every metric, nationally, by region and for cooperative "
            "members); each scenario's own `summary.json`, `timeseries.parquet`, `yearly.parquet` (every year, "
            "national, by region and by authority), `by_authority.csv` and `manifest.json` are in its subfolder."]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_comparison(folder: Path, arms: list[cmp.Arm], started: str, seconds: float, decomposition=None) -> pd.DataFrame:
    """Write every output of a comparison into an existing (temporary) folder; with a decomposition
    (experiment.decompose.Decomposition, whose BASE and OTHER are `arms`), its outputs too."""
    for arm in arms:
        sub = folder / arm.folder
        sub.mkdir()
        write_run(sub, arm.scenario, arm.results, started)
    table = cmp.comparison_table(arms)
    table.to_csv(folder / "comparison.csv", index=False)
    names = [a.name for a in arms]
    sub_title = cmp.subtitle(arms)
    compare_charts.plot_timeseries(folder / "timeseries.png", {a.name: cmp.timeseries(a) for a in arms}, sub_title,
                                   start_date(arms[0].scenario.run.start_year))
    charts = [("timeseries.png", "Weekly price, new-placement price, distance and unregistered use by scenario")]
    if len(arms) > 1:
        compare_charts.plot_differences(folder / "differences.png", table, names[0], names[1:], sub_title)
        charts.append(("differences.png", f"Paired differences to {names[0]} with 95% intervals"))
    extra, record = [], {}
    if decomposition is not None:
        extra, more, record = write_decomposition(folder, decomposition, sub_title)
        charts += more
    run = arms[0].scenario.run
    scale_note = f", at {run.scale:g} of England's scale" if run.scale != 1 else ""
    write_report(folder / "report.md", table, [a.scenario for a in arms], run.seeds,
                                run.root_seed, run.years, scale_note, seconds, charts, extra)
    seeds = [r.seed for r in arms[0].results]
    comparison = {"base": names[0], "scenarios": names, "folders": [a.folder for a in arms],
                  "groups": {a.name: a.groups for a in arms[1:] if a.groups}, "seconds": seconds}
    if record:
        comparison["decomposition"] = record
    write_json(folder / "manifest.json", manifest(arms[0].scenario, seeds, started, {"comparison": comparison}))
    return table
