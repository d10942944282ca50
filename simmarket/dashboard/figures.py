"""The dashboard's charts as plain matplotlib figures (no Solara here, so they can be timed and tested).

Each view builds its figure once per run and, each week, moves its artists and draws only them over
a cached bitmap of the static layers (canvas.py). Every axis carries its unit. Counts are for the
modelled share of England (the model scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..metrics import METRICS, Metric, per_authority
from ..phases.clearing import available_homes
from ..state import ACTIVE
from ..time import START_DATE, decimal_year
from .canvas import DPI, Canvas, Sticky
from .history import HISTORY_LABEL, points_between
from .market_week import MarketWeek
from .model import day_month_year

RUN_COLOUR = "#1f5fa8"
SECOND_COLOUR = "#c2410c"
BASE_STYLE = {"color": "0.45", "alpha": 0.45, "lw": 1.2, "ls": "--"}


# ---------------------------------------------------------------------------------- the map

# the measures a student can colour the authorities by (metric key -> colour map); every label,
# unit and number format comes from METRICS, the values from metrics.per_authority
MAP_METRICS: dict[str, str] = {
    "mean_weekly_price_gbp": "YlOrRd",
    "share_over_20_miles": "PuRd",
    "share_outside_la": "BuPu",
    "children_unregistered": "OrRd",
    "children_waiting": "Purples",
}


def authority_values(model, key: str) -> np.ndarray:
    """A map measure for every authority, in the metric's displayed unit (shares in %)."""
    return per_authority(model, key) * METRICS[key].scale


def colour_label(metric: Metric) -> str:
    return f"{metric.title} ({metric.unit})"


# homes by what they can do with their free places
HOME_FULL, HOME_OPEN, HOME_BLOCKED = 0, 1, 2
HOME_STYLE = {
    HOME_FULL: ("full", "#4b5563"),
    HOME_OPEN: ("free places, staffed to admit", "#16a34a"),
    HOME_BLOCKED: ("free places, but short of staff or manager", "#f97316"),
}


def home_states(model) -> tuple[np.ndarray, np.ndarray]:
    """Active homes and, for each, full / open / blocked (free places it cannot staff)."""
    homes = model.homes
    act = np.flatnonzero(homes.state == ACTIVE)
    free = homes.free_places()
    can_take = available_homes(homes, model.params.workforce, free, homes.staff - homes.staff_used)[act]
    state = np.where(free[act] <= 0, HOME_FULL, np.where(can_take, HOME_OPEN, HOME_BLOCKED))
    return act, state


def colour_range(sticky: Sticky, values: np.ndarray) -> tuple[float, float]:
    """The colour scale: the 2nd to 98th percentile of the authorities' values, in round steps,
    only widening during a run so that colours stay comparable week to week."""
    v = values[np.isfinite(values)]
    if not len(v):
        return sticky.range or (0.0, 1.0)
    return sticky.fit(float(np.percentile(v, 2)), float(np.percentile(v, 98)))


def rcc_groups(model) -> list[np.ndarray]:
    """Authorities grouped by buyer where several authorities share one (RCCs)."""
    cust = model.levers.customer
    if np.array_equal(cust, np.arange(model.n_la)):
        return []
    groups = []
    for c in np.unique(cust):
        members = np.flatnonzero(cust == c)
        if len(members) > 1:
            groups.append(members)
    return groups


def _outline(model, members: np.ndarray) -> np.ndarray | None:
    from scipy.spatial import ConvexHull, QhullError

    geo = model.geo
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    r = np.clip(geo.radius[members], 6000, 20000)[:, None] * 0.9
    px = (geo.x[members][:, None] + r * np.cos(t)).ravel() / 1000
    py = (geo.y[members][:, None] + r * np.sin(t)).ravel() / 1000
    pts = np.c_[px, py]
    try:
        hull = ConvexHull(pts)
    except (QhullError, ValueError):
        return None
    return pts[np.r_[hull.vertices, hull.vertices[:1]]]


class MapView:
    """England: authorities coloured by a metric, homes by whether their free places can be used.

    One per run: the axes, legend, cooperatives' outlines and colour bar are drawn once (again
    when the measure or its colour range changes); each week only the dots and the title move.
    """

    def __init__(self):
        fig = Figure(figsize=(6.6, 7.0), dpi=DPI)
        ax = self.ax = fig.add_axes((0.1, 0.07, 0.73, 0.85))
        self.homes = {}
        for s, (label, colour) in HOME_STYLE.items():
            self.homes[s] = ax.scatter([], [], s=[], c=colour, alpha=0.55 if s == HOME_FULL else 0.8,
                                       linewidths=0, zorder=2)
        self.las = ax.scatter([], [], s=70, c=[], cmap="YlOrRd", edgecolors="black", linewidths=0.6, zorder=3)
        self.empty = ax.scatter([], [], s=70, facecolors="white", edgecolors="0.5", linewidths=0.6, zorder=3)
        self.cbar = fig.colorbar(self.las, cax=fig.add_axes((0.86, 0.2, 0.025, 0.6)))
        self.ranges = {k: Sticky(from_zero=METRICS[k].fmt != "gbp", headroom=0.1) for k in MAP_METRICS}
        self.n_groups = -1
        ax.set_aspect("equal")
        ax.set_xlim(70, 670)  # from the Isles of Scilly to the east coast
        ax.set_ylim(0, 670)
        ax.set_xlabel("easting (km, British National Grid)")
        ax.set_ylabel("northing (km, British National Grid)")
        ax.grid(alpha=0.2)
        self.title = ax.set_title("", fontsize=11, y=1.0)  # a caption: in a fixed place
        self.canvas = Canvas(fig)
        self.canvas.animate(*self.homes.values(), self.las, self.empty)
        self.canvas.caption(self.title)
        self.layout = None

    @property
    def fig(self) -> Figure:
        return self.canvas.fig

    def _cooperatives(self, model) -> None:
        """The regional care cooperatives' outlines and the legend (fixed for a run)."""
        groups = rcc_groups(model)
        for members in groups:
            poly = _outline(model, members)
            if poly is not None:  # drawn over the dots, as is the legend
                self.canvas.cover(*self.ax.plot(poly[:, 0], poly[:, 1], color="#111827", lw=1.4, alpha=0.8))
        handles = [Line2D([], [], ls="", marker="o", mfc=c, mec=c, ms=5, label=f"home: {lbl}")
                   for lbl, c in HOME_STYLE.values()]
        handles.append(Line2D([], [], ls="", marker="o", mfc="white", mec="black", ms=8,
                              label="authority (colour = measure; white = none placed)"))
        if groups:
            handles.append(Line2D([], [], color="#111827", lw=1.4, label=f"regional care cooperative ({len(groups)})"))
        legend = self.ax.legend(handles=handles, loc="upper left", fontsize=7.5, framealpha=0.85,
                                title="dot size of a home = its places", title_fontsize=7.5)
        self.canvas.cover(legend)  # drawn over the dots
        self.n_groups = len(groups)

    def update(self, model, metric: str = "mean_weekly_price_gbp") -> Figure:
        if self.n_groups < 0:
            self._cooperatives(model)
        geo, homes = model.geo, model.homes
        act, state = home_states(model)
        hx, hy, places = homes.x[act] / 1000, homes.y[act] / 1000, homes.places[act]
        for s, coll in self.homes.items():
            sel = state == s
            coll.set_offsets(np.c_[hx[sel], hy[sel]])
            coll.set_sizes(2 + 2.5 * places[sel])
        values = authority_values(model, metric)
        lo, hi = colour_range(self.ranges[metric], values)
        ok = np.isfinite(values)
        self.las.set_offsets(np.c_[geo.x[ok], geo.y[ok]] / 1000)
        self.las.set_array(values[ok])
        if self.layout is None or self.layout[0] != metric:
            self.las.set_cmap(MAP_METRICS[metric])
            self.cbar.set_label(colour_label(METRICS[metric]))
        self.las.set_clim(lo, hi)
        self.empty.set_offsets(np.c_[geo.x[~ok], geo.y[~ok]].reshape(-1, 2) / 1000)
        self.title.set_text(f"{METRICS[metric].title}, by authority\nweek {model.week} ({day_month_year(model.week, model.start_date)})")
        self.layout = (metric, lo, hi)
        return self.fig

    def png(self) -> bytes:
        """The map as last updated, as PNG bytes."""
        return self.canvas.png(self.layout)


def authority_table(model, metric: str, n: int = 5) -> list[tuple[str, str]]:
    """The authorities with the highest values of a map metric, formatted as the tables write it."""
    values = per_authority(model, metric)
    order = np.argsort(np.where(np.isfinite(values), -values, np.inf))[:n]
    m = METRICS[metric]
    return [(str(model.geo.names[i]), m.format(values[i], with_unit=True)) for i in order if np.isfinite(values[i])]


# ---------------------------------------------------------------------------------- time series

# the market record is the dashboard's own weekly series (not a metric): its legend and unit
MARKET_SERIES = {"market_contested_homes": ("homes where buyers bid", "homes per week")}


@dataclass(frozen=True)
class Panel:
    """One chart of the trends: weekly series as (column, smoothing weeks), all in one unit.

    A panel of one metric is titled with the metric's title; a panel of several names what they share.
    """

    series: tuple
    title: str = ""

    @property
    def heading(self) -> str:
        col = self.series[0][0]
        return self.title or (METRICS[col].title if col in METRICS else "Bidding between buyers")

    @property
    def unit(self) -> str:
        col, smooth = self.series[0]
        unit = METRICS[col].unit if col in METRICS else MARKET_SERIES[col][1]
        return f"{unit} ({smooth}-week avg)" if smooth > 1 and len(self.series) == 1 else unit

    @property
    def from_zero(self) -> bool:
        """Counts and shares are drawn from zero; prices, distances and waits by their spread."""
        return all(c not in METRICS or METRICS[c].fmt in ("count", "percent", "percent1") for c, _ in self.series)


def series_label(col: str, smooth: int) -> str:
    label = METRICS[col].title if col in METRICS else MARKET_SERIES[col][0]
    return f"{label} ({smooth}-week avg)" if smooth > 1 else label


PANELS: tuple[Panel, ...] = (
    Panel((("mean_weekly_price_gbp", 1), ("new_placement_mean_weekly_price_gbp", 4)),
          "Weekly price of a children's home place"),
    Panel((("mean_distance_miles", 1),)),
    Panel((("share_outside_la", 1), ("share_over_20_miles", 1)), "Placed away from home"),
    Panel((("children_unregistered", 1),)),
    Panel((("children_waiting", 1),)),
    Panel((("mean_wait_days", 4),)),
    Panel((("occupancy_registered_places", 1),)),
    Panel((("market_contested_homes", 1),), "Bidding between buyers"),
)


def moving_mean(y: np.ndarray, weeks: int) -> np.ndarray:
    """The mean of the last `weeks` values up to each week, skipping gaps (NaN) as pandas'
    rolling(weeks, min_periods=1).mean() does."""
    ok = np.isfinite(y)
    kernel = np.ones(weeks)
    total = np.convolve(np.where(ok, y, 0.0), kernel)[: len(y)]
    count = np.convolve(ok.astype(float), kernel)[: len(y)]
    return np.divide(total, count, out=np.full(len(y), np.nan), where=count > 0)


def _line(df: pd.DataFrame, col: str, smooth: int):
    """One line's x (decimal years) and y (in the metric's unit), in NumPy: weekly redraws call it
    for every run line (pandas' per-column conversion and rolling cost about 0.5 ms a line)."""
    if df is None or col not in df or len(df) == 0:
        return None, None
    y = df[col].to_numpy(dtype=float, na_value=np.nan) * (METRICS[col].scale if col in METRICS else 1.0)
    if smooth > 1:
        y = moving_mean(y, smooth)
    return df["year"].to_numpy() if "year" in df else decimal_year(df.index.to_numpy()), y


BASE_LABEL = "baseline (same seed and scale)"


def base_label(start=START_DATE) -> str:
    """The faint line's name: the baseline, or its behaviour from another March (baseline.py)."""
    return BASE_LABEL if start == START_DATE else f"baseline from {start.day} {start:%B %Y} (same seed and scale)"


HISTORY_STYLE = {"marker": "s", "color": "#111111", "markersize": 5}


class TrendsView:
    """The market's weekly indicators, this run against the baseline (faint, dashed).

    One per run: axes, ticks, legends and, once complete, the baseline's lines are drawn once (again
    when an axis range widens); each week only this run's lines (and a baseline still arriving) are drawn.
    """

    def __init__(self, years: int, start=START_DATE, history: bool = True):
        self.years, self.start = years, start
        x0 = decimal_year(0, start)
        # what happened, where it falls in the run's years (history.py): static squares on their panels
        self.observed = points_between(x0, x0 + years) if history else {}
        fig = Figure(figsize=(13.0, 5.6), dpi=DPI)
        self.axes = fig.subplots(2, 4, sharex=True)
        fig.subplots_adjust(left=0.055, right=0.99, top=0.86, bottom=0.1, wspace=0.32, hspace=0.3)
        self.run_lines, self.base_lines, self.in_axes_legends = [], [], []
        self.ranges = [Sticky(from_zero=panel.from_zero, headroom=0.15, min_span=0.5) for panel in PANELS]
        self._observed_values = []  # each panel's squares, as drawn (they count in its range)
        for ax, panel in zip(self.axes.ravel(), PANELS):
            self._draw_axis(ax, panel)
            self._observed_values.append(self._draw_observed(ax, panel))
        for ax in self.axes[1]:
            ax.set_xlabel(f"year (from {start.day} {start:%B %Y})", fontsize=9)
        handles = [Line2D([], [], color=RUN_COLOUR, lw=1.6, label="this run"),
                   Line2D([], [], **BASE_STYLE, label=BASE_LABEL)]
        if self.observed:
            handles.append(Line2D([], [], **HISTORY_STYLE, label=HISTORY_LABEL))
        self.suptitle = fig.suptitle("", fontsize=11, x=0.01, ha="left")
        self.legend = fig.legend(handles=handles, loc="upper right", fontsize=8, ncol=len(handles), frameon=False)
        self.canvas = Canvas(fig)
        self.canvas.animate(*(line for lines in self.base_lines + self.run_lines for line in lines))
        self.canvas.cover(*self.in_axes_legends)  # the legends over the lines
        self._base_static = False  # the baseline's lines are moving while it is computed
        self._base_key = None  # the baseline's label and length when its lines were last set
        self.panel_ranges: list = [None] * len(PANELS)
        self._base_values: list[np.ndarray] = [np.zeros(0)] * len(PANELS)
        self.layout = None

    @property
    def fig(self) -> Figure:
        return self.canvas.fig

    def _draw_axis(self, ax, panel: Panel) -> None:
        runs, bases = [], []
        for j, (col, smooth) in enumerate(panel.series):
            colour = RUN_COLOUR if j == 0 else SECOND_COLOUR
            bases += ax.plot([], [], **{**BASE_STYLE, "color": colour, "alpha": 0.35})
            runs += ax.plot([], [], color=colour, lw=1.6, label=series_label(col, smooth))
        self.run_lines.append(runs)
        self.base_lines.append(bases)
        x0 = decimal_year(0, self.start)
        x_end = x0 + self.years
        ticks = np.arange(np.ceil(x0), x_end + 1e-9, 1 if self.years <= 6 else 2)
        ax.set_title(panel.heading, fontsize=10)
        ax.set_ylabel(panel.unit, fontsize=9)
        ax.set_xlim(x0, x_end)
        ax.set_xticks(ticks, [f"{t:.0f}" for t in ticks])
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.grid(alpha=0.25)
        ax.tick_params(labelsize=8)
        if len(panel.series) > 1:
            self.in_axes_legends.append(ax.legend(fontsize=6.5, loc="upper left"))

    def _draw_observed(self, ax, panel: Panel) -> np.ndarray:
        """What happened on a panel (squares, in the panel's first series' metric), as drawn."""
        col = panel.series[0][0]
        if col not in self.observed:
            return np.zeros(0)
        x, y = self.observed[col]
        y = y * METRICS[col].scale
        # clip_on=False: a 31 March on the axis edge shows whole
        ax.plot(x, y, linestyle="none", **HISTORY_STYLE, zorder=3, clip_on=False)
        return y

    @staticmethod
    def _set_lines(lines_by_panel: list, frame: pd.DataFrame | None) -> list[np.ndarray]:
        """Give each panel's lines their series from `frame`; returns each panel's finite values."""
        shown = []
        for panel, lines in zip(PANELS, lines_by_panel):
            ys = []
            for (col, smooth), line in zip(panel.series, lines):
                x, y = _line(frame, col, smooth)
                line.set_data(([], []) if x is None else (x, y))
                if y is not None and len(y):
                    ys.append(y[np.isfinite(y)])
            shown.append(np.concatenate(ys) if ys else np.zeros(0))
        return shown

    def _settle_baseline(self, done: bool) -> None:
        """The baseline's lines move (drawn each week) while it arrives in parts, then are static."""
        if done != self._base_static:
            lines = [line for lines in self.base_lines for line in lines]
            (self.canvas.settle if done else self.canvas.animate)(*lines)
            self._base_static = done

    def update(self, df: pd.DataFrame, base: pd.DataFrame | None, scale: float,
               base_label: str = BASE_LABEL, base_done: bool = True) -> Figure:
        """Show the run `df` against the baseline `base` (complete if `base_done`, else a part)."""
        if self.layout is not None and self.layout[0] != base_label:  # the baseline arrived: fit it afresh
            for sticky in self.ranges:
                sticky.reset()
        self._settle_baseline(base_done)
        base_key = (base_label, 0 if base is None else len(base), base_done)
        if base_key != self._base_key:  # the baseline's lines change only as it arrives
            self._base_values = self._set_lines(self.base_lines, base)
            self._base_key = base_key
        ranges = []
        for ax, sticky, run, bl, seen in zip(self.axes.ravel(), self.ranges, self._set_lines(self.run_lines, df),
                                             self._base_values, self._observed_values):
            vals = np.concatenate([run, bl, seen])
            if len(vals):
                ax.set_ylim(sticky.fit(float(vals.min()), float(vals.max())))
            ranges.append(ax.get_ylim())
        self.legend.get_texts()[1].set_text(base_label)
        where = "England" if scale == 1 else f"a model of {scale:g} x England"
        self.suptitle.set_text(f"How the market moves week by week (counts are for {where})")
        self.layout = (base_label, self.suptitle.get_text(), base_key if base_done else None)
        self.panel_ranges = ranges
        return self.fig

    def png(self) -> bytes:
        """The charts as last updated, as PNG bytes (a panel whose range widened is drawn alone)."""
        return self.canvas.png(self.layout, list(zip(self.axes.ravel(), self.panel_ranges)))


def timeseries_figure(df: pd.DataFrame, base: pd.DataFrame | None, years: int, scale: float,
                      base_label: str = BASE_LABEL, start=START_DATE) -> bytes:
    """The trends for a finished series (a run that starts at `start`), as PNG bytes."""
    view = TrendsView(years, start)
    view.update(df, base, scale, base_label)
    return view.png()


# ---------------------------------------------------------------------------------- one week's market

PER_VACANCY_BINS = (0, 1, 2, 4, 8, np.inf)
PER_VACANCY_LABELS = ("under 1", "1-2", "2-4", "4-8", "8 or more")


FUNNEL = (("children searching", "searching", "#6b7280"),
          ("referrals sent to homes", "referrals", "#1f5fa8"),
          ("referrals priced above what\nthe authority would pay", "refused_price", "#dc2626"),
          ("offers made by homes", "offers", "#0891b2"),
          ("placements agreed", "accepted", "#16a34a"))
PER_VACANCY_COLOURS = ("#93c5fd", "#60a5fa", "#3b82f6", "#1d4ed8", "#1e3a8a")
BUYER_COLOURS = ("#9ca3af", "#dc2626", "#dc2626", "#dc2626", "#dc2626")


class MarketView:
    """One week's clearing: the referral funnel, referrals per free place, buyers per home.

    One per run: axes and labels are drawn once (a chart again when its range widens); each week only
    the bars are drawn, and the numbers and titles written over them (captions).
    """

    def __init__(self, rcc: bool = False):
        fig = Figure(figsize=(13.0, 3.9), dpi=DPI)
        self.axes = a1, a2, a3 = fig.subplots(1, 3, width_ratios=(1.1, 1, 1))
        fig.subplots_adjust(left=0.145, right=0.99, top=0.88, bottom=0.17, wspace=0.28)
        y = np.arange(len(FUNNEL))[::-1]
        self.funnel = a1.barh(y, np.zeros(len(y)), color=[c for _, _, c in FUNNEL])
        self.numbers = [a1.text(0, yi, "", va="center", fontsize=8) for yi in y]
        a1.set_yticks(y, [label for label, _, _ in FUNNEL], fontsize=8)
        a1.set_xlabel("number this week (children, referrals or offers)", fontsize=9)
        self.per_vacancy = a2.bar(range(len(PER_VACANCY_LABELS)), np.zeros(len(PER_VACANCY_LABELS)),
                                  color=PER_VACANCY_COLOURS)
        a2.set_xticks(range(len(PER_VACANCY_LABELS)), PER_VACANCY_LABELS, fontsize=8)
        a2.set_xlabel("referrals per free place at the home", fontsize=9)
        self.buyers = a3.bar(range(1, 6), np.zeros(5), color=BUYER_COLOURS)
        a3.set_xticks(range(1, 6), ["1", "2", "3", "4", "5+"], fontsize=8)
        who = "buyers (authorities or RCCs)" if rcc else "authorities"
        a3.set_xlabel(f"different {who} referring to the same home", fontsize=9)
        for a in (a2, a3):
            a.set_ylabel("homes referred to (homes)", fontsize=9)
        for a in self.axes:
            a.grid(axis="x" if a is a1 else "y", alpha=0.25)
            a.tick_params(labelsize=8)
        self.titles = [a.set_title("", fontsize=10, y=1.0) for a in self.axes]  # captions: in fixed places
        self.waiting = [a.text(0.5, 0.5, "press Step to run a week", ha="center", va="center",
                               transform=a.transAxes) for a in self.axes]
        self.ranges = [Sticky(from_zero=True, headroom=0.2, shrink_below=0.3) for _ in self.axes]
        self.canvas = Canvas(fig)
        self.canvas.animate(*self.funnel, *self.per_vacancy, *self.buyers, *self.waiting)
        self.canvas.caption(*self.numbers, *self.titles)
        self.layout = None

    @property
    def fig(self) -> Figure:
        return self.canvas.fig

    def _bars(self, i: int, bars, values: np.ndarray, horizontal: bool = False) -> tuple:
        for bar, value in zip(bars, values):
            (bar.set_width if horizontal else bar.set_height)(value)
        lim = self.ranges[i].fit(0.0, float(max(values.max(), 1)))
        (self.axes[i].set_xlim if horizontal else self.axes[i].set_ylim)(lim)
        return lim

    def update(self, mw: MarketWeek | None) -> Figure:
        for t in self.waiting:
            t.set_visible(mw is None)
        if mw is None:
            mw = MarketWeek(-1, 0, 0, 0, 0, 0, 0, *([np.zeros(0, np.int64)] * 6), np.zeros(0), np.zeros(0))
        counts = np.array([getattr(mw, attr) for _, attr, _ in FUNNEL])
        lims = [self._bars(0, self.funnel, counts, horizontal=True)]
        for text, n in zip(self.numbers, counts):
            text.set_x(n)
            text.set_text(f" {n:,}" if mw.week >= 0 else "")
        rpv = mw.referrals_per_home / np.maximum(mw.vacancies, 1)
        lims.append(self._bars(1, self.per_vacancy, np.histogram(rpv, bins=PER_VACANCY_BINS)[0]))
        lims.append(self._bars(2, self.buyers, np.bincount(np.minimum(mw.buyers, 5), minlength=6)[1:6]))
        if mw.week >= 0:
            self.titles[0].set_text(f"Week {mw.week + 1}: from referral to placement")
            self.titles[1].set_text(f"Referrals per free place (all homes: {mw.referrals_per_vacancy:.1f})")
            self.titles[2].set_text(f"Bidding: {int((mw.buyers >= 2).sum()):,} homes wanted by 2+ buyers")
        self.layout = tuple(lims)
        return self.fig

    def png(self) -> bytes:
        """The charts as last updated, as PNG bytes (a chart whose range widened is drawn alone)."""
        return self.canvas.png(None, list(zip(self.axes, self.layout)))


def contested_homes(model, mw: MarketWeek | None, n: int = 5) -> pd.DataFrame:
    """The homes most in demand this week: where they are, free places, referrals, buyers, quotes."""
    if mw is None or len(mw.home) == 0:
        return pd.DataFrame()
    rpv = mw.referrals_per_home / np.maximum(mw.vacancies, 1)
    order = np.lexsort((-mw.referrals_per_home, -mw.buyers))[:n]
    price = METRICS["mean_weekly_price_gbp"]
    return pd.DataFrame({
        "home in": model.geo.names[mw.home_la[order]],
        "free places": mw.vacancies[order],
        "referrals": mw.referrals_per_home[order],
        "per free place": np.round(rpv[order], 1),
        "authorities": mw.authorities[order],
        f"quotes ({price.unit})": [f"{price.format(lo)} to {price.format(hi)}"
                                   for lo, hi in zip(mw.quote_lo[order], mw.quote_hi[order])],
    })
