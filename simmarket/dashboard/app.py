"""The teaching dashboard: `simmarket dashboard` serves this module with `solara run`.

Mesa's SolaraViz provides the controls (step, play/pause, reset, play and render intervals) and
the Model Parameters card with the levers; Reset builds a new model from them. This page adds the
lessons and scenario choice (sidebar) and the views (main area).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import solara
from mesa.visualization import SolaraViz

from ..params import ConfigError
from .lessons import LESSON_BY_ID, LESSONS, Lesson
from .levers import CONTROLS, load_scenario, scenario_choices, values_of
from .model import DashboardMarket
from .views import Views

TITLE = "simmarket: England's children's homes market"
DEFAULT_SEED = 1
# the default model scale (1.0 = England); SIMMARKET_DASHBOARD_SCALE overrides it (at least run.scale's lower bound)
DEFAULT_SCALE = float(os.environ.get("SIMMARKET_DASHBOARD_SCALE", "1.0"))


@dataclass(frozen=True)
class Setup:
    """What the student chose: scenario file, lesson, lever values and seed."""

    scenario: str = "baseline"
    lesson: str | None = None
    values: dict = field(default_factory=dict)
    seed: int = DEFAULT_SEED
    version: int = 0

    def model_kwargs(self) -> dict:
        return {"scenario_name": self.scenario, "seed": self.seed, **self.values}


def setup_for(scenario: str = "baseline", lesson: str | None = None, seed: int = DEFAULT_SEED, version: int = 0) -> Setup:
    values = values_of(load_scenario(scenario))
    if "run.scale" in values:
        values["run.scale"] = DEFAULT_SCALE
    if lesson in LESSON_BY_ID:
        values.update(LESSON_BY_ID[lesson].applicable_settings())
    return Setup(scenario, lesson, values, seed, version)


@dataclass(frozen=True)
class Opened:
    """A new run for the student's choice, or why the scenario cannot be used."""

    setup: Setup | None
    model: DashboardMarket | None
    error: str | None = None


def open_run(scenario: str = "baseline", lesson: str | None = None, seed: int = DEFAULT_SEED,
             version: int = 0) -> Opened:
    try:
        setup = setup_for(scenario, lesson, seed, version)
        return Opened(setup, DashboardMarket(**setup.model_kwargs()))
    except ConfigError as e:
        return Opened(None, None, f"The scenario '{scenario}' cannot be used: {e}")


def model_params(setup: Setup) -> dict:
    """Mesa SolaraViz model_params: a fixed scenario name, the seed and one input per lever."""
    params: dict = {"scenario_name": setup.scenario,
                    "seed": {"type": "SliderInt", "label": "Seed (which random run)", "value": setup.seed,
                             "min": 0, "max": 99, "step": 1}}
    for c in CONTROLS:
        v = setup.values.get(c.key, c.default)
        if c.kind == "bool":
            params[c.key] = {"type": "Checkbox", "label": c.label, "value": bool(v)}
        elif c.kind == "choice":
            values = list(c.choices or ())
            if v not in values:
                values.append(v)
            params[c.key] = {"type": "Select", "label": c.label, "value": v, "values": values}
        else:
            typ = "SliderInt" if c.kind == "int" else "SliderFloat"
            params[c.key] = {"type": typ, "label": c.label, "value": v, "min": min(c.lo, v),
                             "max": max(c.hi, v), "step": c.step}
    return params


@solara.component
def LessonPicker(setup: Setup, start, error: str | None):
    with solara.Card("Lessons and scenarios"):
        solara.Markdown("Start a guided lesson (it sets the levers and starts a new run):",
                        style={"font-size": "0.9em"})
        for lesson in LESSONS:
            active = setup.lesson == lesson.id
            solara.Button(lesson.title, on_click=lambda ls=lesson: start(ls.scenario, ls.id, setup.seed),
                          color="primary" if active else None, outlined=not active, small=True, block=True,
                          style={"text-transform": "none", "margin-bottom": "4px"})
        names = list(scenario_choices())
        solara.Select("Scenario file (free play)", values=names if setup.scenario in names else [*names, setup.scenario],
                      value=setup.scenario, on_value=lambda name: start(name, None, setup.seed))
        if error:
            solara.Error(f"{error}. The run shown is unchanged.")
        solara.Markdown("To try your own settings: change the levers under **Model Parameters**, then press "
                        "**Reset** to start a new run with them. **Step** runs one week; **▶** plays.",
                        style={"font-size": "0.85em"})


@solara.component
def Page():
    first = solara.use_memo(open_run, [])
    setup, set_setup = solara.use_state(first.setup)
    model = solara.use_reactive(first.model)
    metric = solara.use_reactive("mean_weekly_price_gbp")
    error, set_error = solara.use_state(first.error)

    def start(scenario: str, lesson: str | None, seed: int):
        opened = open_run(scenario, lesson, seed, setup.version + 1)
        set_error(opened.error)
        if opened.model is None:
            return
        model.value = opened.model
        if lesson in LESSON_BY_ID:
            metric.value = LESSON_BY_ID[lesson].map_metric
        set_setup(opened.setup)

    solara.Title(TITLE)
    if setup is None:  # not even the starting scenario could be loaded
        solara.Error(f"{error}. Fix the file (or choose another scenario) and reload the page.")
        return
    with solara.Sidebar():
        LessonPicker(setup, start, error)
    SolaraViz(model, components=[], model_params=model_params(setup), name=TITLE,
              play_interval=50, render_interval=1).key(f"viz-{setup.version}")
    lesson: Lesson | None = LESSON_BY_ID.get(setup.lesson) if setup.lesson else None
    Views(model.value, lesson, metric)


__all__ = ["Page", "Setup", "model_params", "setup_for"]
