"""The calibration table (Markdown) and chart: each target's band against the model."""

from __future__ import annotations

from pathlib import Path

from ..metrics import METRICS


def target_cells(r, markdown: bool = True) -> tuple[str, ...]:
    """One row of a table against targets.toml (`experiment.calibrate.target_table`), written in each
    metric's own format: target, observed, band, model mean, 90% interval, in band."""
    f = METRICS[r.target].format
    return (r.target, f(r.observed, True), f"{f(r.band_lo, True)} to {f(r.band_hi, True)}", f(r.model_mean, True),
            f"{f(r.model_p05, True)} to {f(r.model_p95, True)}",
            "yes" if r.within_band else ("**no**" if markdown else "no"))


def calibration_markdown(table, regions, sc) -> str:
    lines = [f"## Calibration year (April 2024 to March 2025), {sc.run.seeds} seeds, root {sc.run.root_seed}", "",
             "| target | observed | band | model mean | 90% interval | in band | source |", "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append("| " + " | ".join((*target_cells(r), r.source)) + " |")
    lines += ["", "### By region (model at March 2025 against the shipped data)", "",
              "| region | children in homes 2024 | 2025 | model | homes 2024 | 2025 | model | places 2025 | model | over 20 miles | outside LA |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    children, homes, places = (METRICS[k].format for k in ("children_in_homes", "homes_total", "places_total"))
    far, outside = METRICS["share_over_20_miles"].format, METRICS["share_outside_la"].format
    for r in regions.itertuples():
        lines.append(f"| {r.region} | {children(r.children_in_homes_2024)} | {children(r.children_in_homes_2025)} | "
                     f"{children(r.model_children_in_homes)} | {homes(r.homes_2024)} | {homes(r.homes_2025)} | "
                     f"{homes(r.model_homes)} | {places(r.places_2025)} | {places(r.model_places)} | "
                     f"{far(r.model_share_over_20_miles)} | {outside(r.model_share_outside_la)} |")
    return "\n".join(lines) + "\n"


def calibration_chart(table, path: Path) -> None:
    """Each target's band and the model's mean with its 90% interval, relative to the observed value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.2))
    for i, r in enumerate(table.itertuples()):
        obs = r.observed
        ax.plot([r.band_lo / obs, r.band_hi / obs], [i, i], color="#bbbbbb", lw=8, solid_capstyle="butt")
        colour = "#1b7837" if r.within_band else "#c51b7d"
        ax.errorbar(r.model_mean / obs, i, xerr=[[max(r.model_mean - r.model_p05, 0) / obs],
                    [max(r.model_p95 - r.model_mean, 0) / obs]], fmt="o", color=colour, capsize=3)
    ax.axvline(1.0, color="black", lw=0.8, ls=":")
    ax.set_yticks(range(len(table)), table.target)
    ax.invert_yaxis()
    ax.set_xlabel("model / observed (grey: acceptance band; dot: model mean, bar: 90% interval over seeds)")
    ax.set_title("simmarket baseline, April 2024 to March 2025, against the evidence")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
