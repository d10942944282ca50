"""The backcast's table (terminal, Markdown, CSV) and chart: the model's years against history."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..experiment.backcast import HIGH_COST, OCCUPANCY
from ..metrics import FORMATS, YEARLY_METRICS
from .calibrate import target_cells
from .run import markdown_table, text_table

HEADER = ("Target", "Year", "Observed", "Band", "Model mean", "90% interval", "In band")
YEAR_NOTE = ("Year Y: stocks at 31 March Y, flows over April Y-1 to March Y. Band: the targets' acceptance band; "
             "in band: the model's mean over seeds lies inside it; 90% interval: 5th to 95th percentile of seeds.")


def _season(year: int) -> str:
    """The year ending 31 March `year` as people write it: 2019-20."""
    return f"{year - 1}-{year % 100:02d}"


def _formatter(bc, target: str):
    """How a row's numbers are written: the metric's own format, or a ratio's for a growth row."""
    by_name = {t.name: t.metric for t in bc.targets}
    if target in by_name:
        metric = YEARLY_METRICS[by_name[target]]
        return lambda v: metric.format(v, True)
    return lambda v: "n/a" if v is None or not np.isfinite(v) else FORMATS["ratio"].format(v)


def table_rows(bc, markdown: bool = False) -> list[tuple[str, ...]]:
    rows = []
    for r in bc.table.itertuples():
        f = _formatter(bc, r.target)
        miss = "**no**" if markdown else "no"
        rows.append((r.target, str(r.year), f(r.observed), f"{f(r.band_low)} to {f(r.band_high)}", f(r.model_mean),
                     f"{f(r.p05)} to {f(r.p95)}", "yes" if r.in_band else miss))
    return rows


def headline(bc) -> str:
    sc = bc.scenario
    return (f"Backcast {sc.name}: {bc.seeds} seeds x {sc.run.years} years from 31 March {bc.start_year}, "
            f"root seed {sc.run.root_seed}")


def count_line(bc) -> str:
    return f"{bc.in_band} of {len(bc.table)} targets in band"


def notes(bc) -> list[str]:
    out = [YEAR_NOTE]
    price = next((t for t in bc.targets if t.growth_band is not None), None)
    if price is not None and price.start_level is not None:
        first, last = price.growth_years()
        out.append(f"{price.growth_name}: each seed's {price.metric} in {last} over {first}; observed "
                   f"({FORMATS['ratio'].format(price.observed_growth())}) is the ratio implied by the start level "
                   f"({price.start_level:,.0f} in {_season(price.start_level_year())}, informational, "
                   f"shown on the chart) and {last}'s value at a constant growth rate.")
    if bc.scenario.run.scale != 1:
        out.append(f"Scale {bc.scenario.run.scale:g}: the model's counts are divided by the scale "
                   "(national equivalents).")
    return out


# ------------------------------------------------------- the year to March 2025 against targets.toml
CALIBRATION_TITLE = "2024-25 against the calibration year's targets (targets.toml; informational, not counted)"
CALIBRATION_HEADER = ("Target", "Observed", "Band", "Model mean", "90% interval", "In band")


def calibration_year_summary(table, lead: str = CALIBRATION_TITLE) -> str:
    """One sentence: how many of the calibration year's targets the run's 2024-25 meets, and which not."""
    cells = [target_cells(r) for r in table[~table["within_band"]].itertuples()]
    missed = "; ".join(f"{target} {mean} (band {band})" for target, _obs, band, mean, *_rest in cells)
    return (f"{lead}: {int(table['within_band'].sum())} of {len(table)} in band"
            + (f"; outside: {missed}." if missed else ".")
            + " The calibration year itself is a run from March 2024's market (`simmarket calibrate`).")


BEYOND_WHAT = {OCCUPANCY: "Occupancy at 31 March {years} (DfE and Ofsted)",
               HIGH_COST: "Placements at 10,000+ a week, {years} (LGA23 for the year to March; model at its end)"}


def beyond_line(beyond) -> str | None:
    """History against the model's mean for what no target judges (informational), or None."""
    if beyond is None or beyond.empty:
        return None
    parts = []
    for metric, rows in beyond.groupby("metric", sort=False):
        f = YEARLY_METRICS[metric].format
        what = BEYOND_WHAT[metric].format(years=", ".join(str(y) for y in rows["year"]))
        parts.append(f"{what}: history {', '.join(f(v, True) for v in rows['observed'])}; model "
                     f"{', '.join(f(v, True) for v in rows['model_mean'])}.")
    return "Informational, not counted. " + " ".join(parts)


def backcast_text(bc) -> str:
    """The table for the terminal, with the in-band count (and the informational lines: history no
    target judges, and the year to March 2025 against targets.toml if the run reaches it)."""
    lines = [headline(bc), "", text_table(HEADER, table_rows(bc), left=1), "", *notes(bc), "", count_line(bc)]
    for extra in (beyond_line(bc.beyond),
                  None if bc.calibration_year is None else calibration_year_summary(bc.calibration_year)):
        if extra:
            lines += ["", extra]
    return "\n".join(lines)


def backcast_markdown(bc) -> str:
    """backcast.md: the table, the notes and the count; then history no target judges and the year to
    March 2025 against targets.toml."""
    lines = [f"## {headline(bc)}", "", markdown_table(HEADER, table_rows(bc, markdown=True)), "",
             *(f"- {n}" for n in notes(bc)), "", f"**{count_line(bc)}.**"]
    beyond = beyond_line(bc.beyond)
    if beyond:
        lines += ["", beyond]
    if bc.calibration_year is not None:
        lines += ["", f"## {CALIBRATION_TITLE}", "",
                  markdown_table(CALIBRATION_HEADER, [target_cells(r) for r in bc.calibration_year.itertuples()]), "",
                  calibration_year_summary(bc.calibration_year, "In all")]
    return "\n".join(lines) + "\n"


def write_backcast(bc, folder: Path) -> None:
    """backcast.csv, backcast.md and backcast.png into a folder; beyond_targets.csv (history no target
    judges, in the years the run covers) and calibration_year.csv (if the run reaches March 2025)."""
    bc.table.to_csv(folder / "backcast.csv", index=False)
    if bc.beyond is not None and not bc.beyond.empty:
        bc.beyond.to_csv(folder / "beyond_targets.csv", index=False)
    if bc.calibration_year is not None:
        bc.calibration_year.to_csv(folder / "calibration_year.csv", index=False)
    (folder / "backcast.md").write_text(backcast_markdown(bc), encoding="utf-8")
    backcast_chart(bc, folder / "backcast.png")


# ---------------------------------------------------------------------------------- the chart
def _series_panel(ax, bc, target) -> None:
    """The model's mean and 5-95% band over the simulated years; observed points with their bands."""
    metric = YEARLY_METRICS[target.metric]
    k = metric.scale
    path = bc.paths[bc.paths["metric"] == target.metric]
    if not path.empty:
        ax.fill_between(path["year"], path["p05"] * k, path["p95"] * k, color="#1f77b4", alpha=0.2, lw=0,
                        label="model, 5th-95th percentile of seeds")
        ax.plot(path["year"], path["mean"] * k, color="#1f77b4", marker=".", label="model mean")
    rows = bc.table[bc.table["target"] == target.name]
    for r in rows.itertuples():
        c = "#1b7837" if r.in_band else "#c51b7d"
        ax.plot([r.year, r.year], [r.band_low * k, r.band_high * k], color=c, lw=1.5, marker="_", ms=9)
        ax.plot([r.year], [r.observed * k], "s", color=c, ms=5)
    seen = [] if bc.beyond is None else \
        bc.beyond[(bc.beyond["metric"] == target.metric) & ~bc.beyond["year"].isin(target.years)]
    if len(seen):  # history no target judges (beyond_targets.csv), drawn beside the judged points
        ax.plot(seen["year"], seen["observed"] * k, "s", mfc="none", color="#555555", ms=5,
                label="history, not judged")
    if target.start_level is not None:
        ax.plot([target.start_level_year()], [target.start_level * k], "o", mfc="none", color="#555555",
                label=f"{_season(target.start_level_year())} level (not judged)")
    if target.start_level is not None or len(seen):
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.set_title(metric.title, fontsize=10)
    ax.set_ylabel(metric.unit, fontsize=8)
    ax.grid(alpha=0.3)


def _growth_panel(ax, bc, target) -> None:
    """The growth ratio: its band (grey), the observed ratio and the model's mean with its 90% interval."""
    row = bc.table[bc.table["target"] == target.growth_name].iloc[0]
    ax.axhspan(row.band_low, row.band_high, color="#bbbbbb", alpha=0.5, lw=0, label="band")
    if np.isfinite(row.observed):
        ax.plot([0], [row.observed], "s", color="#333333", label="observed (implied)")
    if np.isfinite(row.model_mean):
        colour = "#1b7837" if row.in_band else "#c51b7d"
        yerr = [[max(row.model_mean - row.p05, 0)], [max(row.p95 - row.model_mean, 0)]]
        ax.errorbar([0], [row.model_mean], yerr=yerr, fmt="o", color=colour, capsize=4,
                    label="model mean, 90% interval")
    first, last = target.growth_years()
    ax.set_xticks([0], [f"{last} / {first}"])
    ax.set_xlim(-1, 1)
    ax.set_title(f"{YEARLY_METRICS[target.metric].title}: growth", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)


def backcast_chart(bc, path: Path) -> None:
    """One panel per target series (and one per growth ratio); squares are observed values with their
    bands as error bars (green when the model's mean is in band, magenta when not)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(_series_panel, t) for t in bc.targets]
    panels += [(_growth_panel, t) for t in bc.targets if t.growth_band is not None]
    ncols = min(4, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.1 * nrows + 0.8), squeeze=False,
                             layout="constrained")
    for ax, (draw, target) in zip(axes.flat, panels):
        draw(ax, bc, target)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"{headline(bc)}: {count_line(bc)}\nx: year ending 31 March; squares: observed with band", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)

