"""The dashboard's parts without a browser: levers, lessons, figures, and the Solara page."""

import numpy as np
import pytest

pytest.importorskip("solara")
pytest.importorskip("altair")

import ipyvuetify as v  # noqa: E402
import ipywidgets as w  # noqa: E402
import solara  # noqa: E402

from simmarket import config  # noqa: E402
from simmarket.config import Scenario  # noqa: E402
from simmarket.dashboard import figures as F  # noqa: E402
from simmarket.dashboard.lessons import LESSONS  # noqa: E402
from simmarket.dashboard.levers import CONTROL_BY_KEY, CONTROLS, LEVER_TABLE, build_scenario  # noqa: E402
from simmarket.dashboard.runner import DashboardMarket  # noqa: E402

SMALL = {"run.scale": 0.1, "run.years": 1}


def test_levers_come_from_the_schema():
    schema = {k for k, *_ in config.describe(Scenario())}
    assert CONTROLS, "no lever matched the schema"
    assert {c.key for c in CONTROLS} <= schema
    assert {c.key for c in CONTROLS} == {lv.key for lv in LEVER_TABLE if lv.key in schema and
                                         not isinstance(dict(((k, v) for k, v, *_ in config.describe(Scenario())))[lv.key], tuple)}
    for key in ("workforce.supply_multiplier", "foster.capacity_multiplier", "commissioning.mode", "run.scale"):
        assert key in CONTROL_BY_KEY
    for c in CONTROLS:
        assert c.label and c.lever.explanation
        if c.kind in ("int", "float"):
            assert c.lo <= c.default <= c.hi or c.key == "policy.capital.new_council_places"


def test_levers_are_made_consistent():
    sc, notes = build_scenario(Scenario(), {"supply.registration_weeks_min": 90, "supply.registration_weeks_max": 30})
    assert sc.supply.registration_weeks_max >= sc.supply.registration_weeks_min == 90
    assert notes
    if "rcc.membership" in CONTROL_BY_KEY:
        sc, notes = build_scenario(Scenario(), {"commissioning.mode": "rcc", "rcc.membership": "none"})
        assert sc.commissioning.mode == "rcc" and sc.rcc.membership != "none"


def test_lessons_set_valid_scenarios():
    titles = [lesson.title for lesson in LESSONS]
    for t in ("The bidding war", "Empty beds and waiting children: staffing", "Commissioning together"):
        assert t in titles
    for lesson in LESSONS:
        assert lesson.watch and lesson.intro
        settings = lesson.applicable_settings()
        assert settings, lesson.id
        sc, notes = build_scenario(Scenario(), settings)
        assert not [n for n in notes if n.startswith(("Ignored", "Could not"))], notes
        assert lesson.map_metric in F.AUTHORITY_METRICS


def test_figures_render_for_a_running_model():
    m = DashboardMarket(seed=3, **SMALL)
    for _ in range(3):
        m.step()
    assert m.market_now is not None and m.market_now.searching >= 0
    df = m.series()
    assert len(df) == 4 and "market_contested_homes" in df
    view = F.MapView()
    for metric in F.AUTHORITY_METRICS:
        assert F.png(view.update(m, metric))[:4] == b"\x89PNG"
    assert F.png(F.timeseries_figure(df, df, 1, 0.1))[:4] == b"\x89PNG"
    assert F.png(F.market_figure(m.market_now))[:4] == b"\x89PNG"
    assert F.png(F.market_figure(None))[:4] == b"\x89PNG"
    # units on every axis of the charts
    fig = F.timeseries_figure(df, None, 1, 0.1)
    assert all(ax.get_ylabel() for ax in fig.axes)
    fig = F.market_figure(m.market_now)
    assert all(ax.get_xlabel() for ax in fig.axes)


def _texts(rc) -> str:
    out = []
    for wd in rc.find(v.VuetifyTemplate).widgets:
        for val in wd.get_state().values():
            if isinstance(val, str):
                out.append(val)
    return "\n".join(out)


@pytest.fixture
def page(monkeypatch):
    from simmarket.dashboard import app

    monkeypatch.setattr(app, "DEFAULT_SCALE", 0.1)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()


def test_page_has_controls_views_and_lessons(page):
    rc = page
    assert len(rc.find(w.Image).widgets) == 3  # map, trends, market
    labels = [b.children[0] for b in rc.find(v.Btn).widgets if b.children and isinstance(b.children[0], str)]
    for name in ("Reset", "Step", "The bidding war", "Commissioning together"):
        assert name in labels
    sliders = {s.label for s in rc.find(v.Slider).widgets}
    assert CONTROL_BY_KEY["workforce.supply_multiplier"].label in sliders
    assert "Week 0" in _texts(rc)


def test_stepping_updates_the_views(page):
    rc = page
    before = [img.value for img in rc.find(w.Image).widgets]
    rc.find(v.Btn, children=["Step"]).widget.click()
    after = [img.value for img in rc.find(w.Image).widgets]
    assert all(a != b for a, b in zip(after, before))
    assert "Week 1" in _texts(rc)


def test_a_lever_then_reset_then_step_changes_the_run(page):
    rc = page
    label = CONTROL_BY_KEY["workforce.supply_multiplier"].label
    slider = rc.find(v.Slider, label=label).widget
    slider.v_model = 0.5
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    text = _texts(rc)
    assert f"{label} = 0.5" in text
    assert "Week 1" in text


def test_a_lesson_sets_the_levers(page):
    rc = page
    rc.find(v.Btn, children=["Commissioning together"]).widget.click()
    text = _texts(rc)
    assert "regional care cooperatives (RCCs)" in text  # the lesson's introduction
    assert "Watch for" in text
    assert f"{CONTROL_BY_KEY['commissioning.mode'].label} = rcc" in text
    slider = rc.find(v.Slider, label=CONTROL_BY_KEY["rcc.block_share"].label).widget if "rcc.block_share" in CONTROL_BY_KEY else None
    if slider is not None:
        assert np.isclose(slider.v_model, 0.2)
