"""The calibration table (Markdown) and chart: each target's band against the model."""

from __future__ import annotations

from pathlib import Path


def _fmt(v: float) -> str:
    if abs(v) >= 1e8:
        return f"{v / 1e9:.2f}bn"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3f}"


def calibration_markdown(table, regions, sc) -> str:
    lines = [f"## Calibration year (April 2024 to March 2025), {sc.run.seeds} seeds, root {sc.run.root_seed}", "",
             "| target | observed | band | model mean | 90% interval | in band | source |", "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.target} | {_fmt(r.observed)} | {_fmt(r.band_lo)} to {_fmt(r.band_hi)} | "
                     f"{_fmt(r.model_mean)} | {_fmt(r.model_p05)} to {_fmt(r.model_p95)} | "
                     f"{'yes' if r.within_band else '**no**'} | {r.source} |")
    lines += ["", "### By region (model at March 2025 against the shipped data)", "",
              "| region | children in homes 2024 | 2025 | model | homes 2024 | 2025 | model | places 2025 | model | over 20 miles | outside LA |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in regions.itertuples():
        lines.append(f"| {r.region} | {r.children_in_homes_2024:,} | {r.children_in_homes_2025:,} | "
                     f"{r.model_children_in_homes:,.0f} | {r.homes_2024:,} | {r.homes_2025:,} | {r.model_homes:,.0f} | "
                     f"{r.places_2025:,} | {r.model_places:,.0f} | {r.model_share_over_20_miles:.0%} | "
                     f"{r.model_share_outside_la:.0%} |")
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
