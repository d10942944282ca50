"""The dashboard's views as Solara components: headline numbers, the map, the trends, one week's
market, each with a short explanation for a student beside it.

Only the part that changes week by week (Weekly) listens to Mesa's update counter, so a step
re-renders it and nothing else; its changing text is plain HTML whose content is updated in place
(a changed solara.Markdown is a new widget, compiled afresh in the browser each week).
"""

from __future__ import annotations

import html
import time

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from ..metrics import METRICS
from . import figures as F
from .baseline import baseline_of
from .canvas import CAPTION_BOX
from .lessons import Lesson
from .levers import CONTROLS
from .model import DashboardMarket

EXPLAIN_MAP = """
**What you see.** Each circle is one of England's 153 local authorities, at its centre, coloured by
the measure you choose. The small dots are children's homes: the bigger the dot, the more places.
Grey homes are full; green homes have a free place they can staff; **orange homes have free places
but not the staff or registered manager to use them**.

**Why it moves.** Children live where the authorities are; homes open where property is cheap and
margins are high, which is often somewhere else. When nearby homes are full, or cannot staff their
beds, authorities search further away, pay more, or use unregistered settings.
"""

EXPLAIN_TRENDS = """
**What you see.** Eight measures of the market, week by week, for this run (solid) and for the
baseline scenario with the same seed and scale from the same 31 March (faint, dashed), so you can see
what your levers changed. Black squares, where a run's years have them, are what happened: occupancy
each 31 March and the mean price of a place in 2023-24 (DfE, Ofsted, NAO).

**How to read it.** A price rise in *new placements* (orange) comes first; the average of all
placements (blue) follows as old placements end. Waiting children and unregistered settings rise
together when places run short. *Bidding between buyers* counts homes where two or more buyers
wanted the same place and the price was bid up.
"""

EXPLAIN_MARKET = """
**What you see.** One week's clearing. Each waiting child is referred to a shortlist of suitable
homes nearby; homes receive referrals from several authorities at once, accept the children they
prefer and quote a price; each authority takes its best offer.

**Why it matters.** Many referrals per free place mean the provider can choose and name its price.
When several buyers want the same place (red bars), each pushes its bid up to keep it: a *bidding war*.
If authorities buy together through a regional care cooperative, members stop bidding against each other.
"""


# the latest week's headline numbers (labels and formats from METRICS)
HEADLINES = ("children_in_homes", "children_waiting", "children_unregistered", "mean_weekly_price_gbp",
             "new_placement_mean_weekly_price_gbp", "share_over_20_miles", "occupancy_registered_places")
SMOOTHED = {"new_placement_mean_weekly_price_gbp": 4}  # noisy week to week: a 4-week average


def _latest(values: list, weeks: int) -> float:
    if weeks > 1:
        return float(np.nanmean(values[-weeks:])) if len(values) > 1 else float("nan")
    return values[-1]


CARD = "min-width: 150px; padding: 4px 10px; margin: 0"
GREY = "color: #6b7280"


def table_html(header: list[str], rows: list[list], right: set[int] = frozenset()) -> str:
    """A small HTML table (escaped), numbers right-aligned."""
    def cell(tag: str, i: int, v) -> str:
        align = " style='text-align: right'" if i in right else ""
        return f"<{tag}{align}>{html.escape(str(v))}</{tag}>"
    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table class='simmarket-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(inner: str, style: str = "") -> None:
    solara.HTML(unsafe_innerHTML=inner, style=style or None)


def _base_row(model: DashboardMarket):
    frame = baseline_of(model).frame()
    if frame is not None and model.week in frame.index:
        return frame.loc[model.week].to_dict()
    return None


def _card(inner: str) -> str:
    """A headline card as HTML with the classes of a solara.Card (the row is one widget, not 24);
    no theme class, so it takes the page's colours in the light and the dark theme alike."""
    return (f"<div class='v-card v-sheet elevation-2 ma-2' style='{CARD}'>"
            f"<div class='v-card__text' style='opacity: 0.7'>{inner}</div></div>")


@solara.component
def Headline(model: DashboardMarket, week: int):
    """The latest week's numbers, with the baseline's at the same week below them."""
    df, base_row = model.datacollector.model_vars, _base_row(model)
    cards = [_card(f"<b>Week {model.week}</b> of {model.horizon}<br>{model.date}")]
    for key in HEADLINES:
        m, weeks = METRICS[key], SMOOTHED.get(key, 1)
        now = _latest(df.get(key) or [float("nan")], weeks)
        base = base_row.get(key) if base_row is not None else None
        extra = f"<br><span style='{GREY}'>baseline {m.format(base, True)}</span>" if base is not None else ""
        label = m.title + (f" ({weeks}-week avg)" if weeks > 1 else "")
        cards.append(_card(f"{html.escape(label)}<br><b>{html.escape(m.format(now, True))}</b>{extra}"))
    _text("".join(cards), style="display: flex; flex-wrap: wrap; gap: 8px")


@solara.component
def LessonBox(lesson: Lesson | None, model: DashboardMarket):
    if lesson is None:
        solara.Info("Free play: choose a lesson in the sidebar, or change the levers under Model Parameters "
                    "and press Reset. Step runs one week; ▶ plays.", dense=True)
        return
    watch = "\n".join(f"- {w}" for w in lesson.watch)
    with solara.Card(f"Lesson: {lesson.title}", style={"border-left": "4px solid #1f5fa8"}):
        solara.Markdown(f"{lesson.intro}\n\n**Watch for:**\n{watch}\n\n**Then try:** {lesson.try_next}")


def _changed_levers(model: DashboardMarket) -> str:
    ref = model.scenario_values
    diffs = [f"{c.label} = {model.lever_values[c.key]}" for c in CONTROLS
             if c.key in ref and c.key in model.lever_values and ref[c.key] != model.lever_values[c.key]]
    return "; ".join(diffs) if diffs else "none (the scenario as written)"


@solara.component
def RunInfo(model: DashboardMarket):
    p = model.params
    solara.Markdown(
        f"Running **{model.scenario_name}** · seed {model.seed} · scale {p.run.scale:g} x England · "
        f"{p.run.years} years. Levers changed from the scenario: {_changed_levers(model)}.",
        style={"font-size": "0.9em"},
    )
    for note in model.notes:
        solara.Warning(note, dense=True)


def _image(data: bytes, captions: str = ""):
    """A chart: its picture and the captions the browser writes over it (canvas.captions_html)."""
    with solara.Div(style=CAPTION_BOX):
        solara.Image(data, width="100%")
        if captions:
            _text(captions)


@solara.component
def MeasurePicker(metric: solara.Reactive[str]):
    """The map's measure (a component of its own: a step does not re-render it)."""
    solara.ToggleButtonsSingle(
        value=metric,
        children=[solara.Button(METRICS[k].title, value=k, small=True, style={"text-transform": "none"})
                  for k in F.MAP_METRICS],
        style={"flex-wrap": "wrap"},
    )
    solara.Markdown(f"Colour of each authority: **{F.colour_label(METRICS[metric.value])}**.")


@solara.component
def MapPanel(model: DashboardMarket, metric: solara.Reactive[str], week: int, timings: dict):
    view = solara.use_memo(F.MapView, [model])

    def draw():
        t0 = time.perf_counter()
        view.update(model, metric.value)
        drawn = view.png(), view.canvas.captions_html()
        timings["map"] = time.perf_counter() - t0
        return drawn

    data, captions = solara.use_memo(draw, [model, week, metric.value])
    with solara.Card("Map: where children are and where the places are"):
        with solara.Columns([3, 2]):
            _image(data, captions)
            with solara.Column():
                MeasurePicker(metric)
                top = F.authority_table(model, metric.value)
                _text(table_html(["highest now", METRICS[metric.value].title], top, right={1}) if top else "")
                solara.Markdown(EXPLAIN_MAP)


@solara.component
def TrendsPanel(model: DashboardMarket, week: int, timings: dict):
    base = baseline_of(model)
    done = base.done.is_set()  # the baseline fills in as the student steps
    view = solara.use_memo(lambda: F.TrendsView(model.params.run.years, model.start_date), [model])

    def draw():
        t0 = time.perf_counter()
        label = F.base_label(model.start_date)
        if base.error:
            label = "baseline failed to run"
        elif not done:
            label = "baseline (being computed: it fills in as you step)"
        view.update(model.series(), base.frame(), model.params.run.scale, label, base_done=done)
        data = view.png()
        timings["trends"] = time.perf_counter() - t0
        return data

    data = solara.use_memo(draw, [model, week, done])
    with solara.Card("Trends: this run against the baseline"):
        _image(data)
        with solara.Columns([1, 1]):
            solara.Markdown(EXPLAIN_TRENDS)
            if base.error:
                solara.Error(f"The baseline run failed: {base.error}")
            elif not done:
                solara.Info(f"The baseline run is being computed in the background ({100 * base.progress:.0f}% "
                            "when this week was drawn); it appears as you step.", dense=True)


@solara.component
def MarketPanel(model: DashboardMarket, week: int, timings: dict):
    view = solara.use_memo(lambda: F.MarketView(rcc=bool(F.rcc_groups(model))), [model])

    def draw():
        t0 = time.perf_counter()
        view.update(model.market_now)
        drawn = view.png(), view.canvas.captions_html()
        timings["market"] = time.perf_counter() - t0
        return drawn

    data, captions = solara.use_memo(draw, [model, week])
    table = F.contested_homes(model, model.market_now)
    with solara.Card("This week's market: referrals, offers and bidding"):
        _image(data, captions)
        with solara.Columns([1, 1]):
            solara.Markdown(EXPLAIN_MARKET)
            with solara.Column():
                solara.Markdown("**The homes most in demand this week** (each home's authority, free places, "
                                "referrals received, authorities referring, and the range of prices quoted):")
                _text(table_html(list(table.columns), table.values.tolist(), right=set(range(1, 5)))
                      if len(table) else "<i>none yet: press Step</i>")


@solara.component
def SpeedNote(model: DashboardMarket, week: int, timings: dict):
    step = model.step_seconds[-1] if model.step_seconds else float("nan")
    parts = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in timings.items())
    _text(f"Speed: model start-up {model.init_seconds:.1f} s; last week's model step {1000 * step:.0f} ms; "
          f"drawing {parts} (total {1000 * sum(timings.values()):.0f} ms). Raise 'Render Interval' to draw "
          "less often while playing.", style=f"{GREY}; font-size: 0.85em")


@solara.component
def Weekly(model: DashboardMarket, metric: solara.Reactive[str], timings: dict):
    """The views that change each week: the only component that listens to Mesa's update counter,
    so a step re-renders these (in one pass) and not the rest of the page."""
    update_counter.get()
    week = model.week  # passed on so that each view re-renders when the model steps
    Headline(model, week)
    MapPanel(model, metric, week, timings)
    TrendsPanel(model, week, timings)
    MarketPanel(model, week, timings)
    SpeedNote(model, week, timings)


@solara.component
def Views(model: DashboardMarket, lesson: Lesson | None, metric: solara.Reactive[str]):
    """Everything in the main area; a step re-renders only Weekly."""
    timings = solara.use_memo(dict, [model])
    solara.Style(".simmarket-table td, .simmarket-table th { padding: 1px 8px; font-size: 0.9em }")
    with solara.Column(style={"padding": "8px", "gap": "10px"}):
        LessonBox(lesson, model)
        RunInfo(model)
        Weekly(model, metric, timings)
        with solara.Card("What each lever does"):
            rows = "\n".join(f"| {c.label} | `{c.key}` | {c.lever.explanation} |" for c in CONTROLS)
            solara.Markdown(f"| lever | scenario key | what it does |\n|---|---|---|\n{rows}")
