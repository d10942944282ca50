"""The dashboard's parts without a browser: levers, lessons, figures, and the Solara page."""

import html
import re

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara")
pytest.importorskip("altair")

import ipyvuetify as v  # noqa: E402
import ipywidgets as w  # noqa: E402
import solara  # noqa: E402

from simmarket import metrics, params  # noqa: E402
from simmarket.dashboard import figures as F  # noqa: E402
from simmarket.dashboard import views  # noqa: E402
from simmarket.dashboard.app import open_run  # noqa: E402
from simmarket.dashboard.lessons import LESSONS  # noqa: E402
from simmarket.dashboard.canvas import Sticky  # noqa: E402
from simmarket.dashboard.levers import (  # noqa: E402
    CONTROL_BY_KEY,
    CONTROLS,
    LEVER_TABLE,
    build_scenario,
    load_scenario,
    on_grid,
)
from simmarket.dashboard.model import DashboardMarket  # noqa: E402
from simmarket.dashboard.serve import RENDER_ENV  # noqa: E402
from simmarket.params import ConfigError, Scenario  # noqa: E402

NATIONAL = {"run.scale": 1.0, "run.years": 1}  # as students see it (start-up about 0.4 s)


def test_levers_come_from_the_schema():
    described = {k: (v, doc) for k, v, _unit, doc in params.describe(Scenario())}
    assert CONTROLS, "no lever matched the schema"
    assert {c.key for c in CONTROLS} <= set(described)
    assert {c.key for c in CONTROLS} == {lv.key for lv in LEVER_TABLE if lv.key in described and
                                         not isinstance(described[lv.key][0], tuple)}
    for key in ("workforce.supply_multiplier", "foster.capacity_multiplier", "rcc.membership", "run.scale"):
        assert key in CONTROL_BY_KEY
    retired = {k for k, (_v, doc) in described.items() if doc.startswith("RETIRED")}
    assert not retired & set(CONTROL_BY_KEY), "a retired key (no effect in the model) is offered as a lever"
    assert "commissioning.mode" not in CONTROL_BY_KEY
    for c in CONTROLS:
        assert c.label and c.lever.explanation
        if c.kind in ("int", "float"):
            assert c.lo <= c.default <= c.hi or c.key == "policy.capital.new_council_places"


def test_levers_are_made_consistent():
    sc, notes = build_scenario(Scenario(), {"supply.registration_weeks_min": 90, "supply.registration_weeks_max": 30})
    assert sc.supply.registration_weeks_max >= sc.supply.registration_weeks_min == 90
    assert notes


def test_lessons_set_valid_scenarios():
    titles = [lesson.title for lesson in LESSONS]
    for t in ("The bidding war", "Empty beds and waiting children: staffing", "Commissioning together"):
        assert t in titles
    for lesson in LESSONS:
        assert lesson.watch and lesson.intro
        settings = lesson.applicable_settings()
        assert settings or lesson.scenario != "baseline", f"{lesson.id} changes nothing"
        sc, notes = build_scenario(load_scenario(lesson.scenario), settings)
        assert not [n for n in notes if n.startswith(("Ignored", "Could not"))], notes
        assert lesson.map_metric in F.MAP_METRICS
        assert not set(lesson.settings) - set(CONTROL_BY_KEY), f"{lesson.id} sets a key that is not a lever"


def test_history_lesson_starts_in_march_2020_and_its_squares_are_what_happened():
    """The history lesson runs from 31 March 2020; the trends draw the observed points inside the
    run's years on the panels of the same metric (occupancy each 31 March, the 2023-24 price)."""
    from simmarket.dashboard.history import observed
    from simmarket.dashboard.lessons import LESSON_BY_ID

    assert load_scenario(LESSON_BY_ID["history"].scenario).run.start_year == 2020
    view = F.TrendsView(5, DashboardMarket("history_2020", seed=1, **NATIONAL).start_date)
    assert set(view.observed) == {"occupancy_registered_places", "mean_weekly_price_gbp"}
    x, y = view.observed["occupancy_registered_places"]
    assert x.tolist() == [2020.25, 2021.25, 2022.25, 2023.25, 2024.25, 2025.25]
    assert y[0] == pytest.approx(0.769) and y[-1] == pytest.approx(0.688)  # history/national_series.csv
    assert view.observed["mean_weekly_price_gbp"][1].tolist() == [6100.0]  # 2023-24 (NAO25 1.12); 2019-20 is before
    panel = next(i for i, p in enumerate(F.PANELS) if p.series[0][0] == "occupancy_registered_places")
    squares = [ln for ln in view.axes.ravel()[panel].lines if ln.get_marker() == "s"]
    assert len(squares) == 1 and np.allclose(squares[0].get_ydata(), y * metrics.METRICS[
        "occupancy_registered_places"].scale)
    assert F.HISTORY_LABEL in [t.get_text() for t in view.legend.get_texts()]
    later = F.TrendsView(5)  # the baseline's years, from March 2024: only the last two Marches are history
    assert list(later.observed) == ["occupancy_registered_places"]
    assert later.observed["occupancy_registered_places"][0].tolist() == [2024.25, 2025.25]
    assert F.TrendsView(5, history=False).observed == {} and len(observed()) == 2


def test_the_faint_baseline_starts_from_the_runs_own_march(monkeypatch):
    """A run from March 2020 is set beside the baseline's behaviour from March 2020 (not its own 2024)."""
    from simmarket.dashboard import baseline as B

    started = []
    monkeypatch.setattr(B, "BaselineRun", lambda *key: started.append(key) or key)
    monkeypatch.setattr(B, "_BASELINES", B.OrderedDict())
    m = DashboardMarket("history_2020", seed=4, **NATIONAL)
    assert B.baseline_of(m) == (1.0, 4, 1, 2020)
    assert B.baseline_of(DashboardMarket("baseline", seed=4, **NATIONAL)) == (1.0, 4, 1, 2024)
    assert started == [(1.0, 4, 1, 2020), (1.0, 4, 1, 2024)]
    twin = DashboardMarket("baseline", seed=4, start_year=2020, **NATIONAL)  # what the faint line runs
    # the same model but for the scenario's name and its command-line seeds (the dashboard passes its own)
    same = {"name": "baseline", "description": twin.params.description, "run.seeds": twin.params.run.seeds,
            "run.root_seed": twin.params.run.root_seed}
    assert twin.start_date == m.start_date and twin.params == m.params.replace(**same)
    assert F.base_label(m.start_date).startswith("baseline from 31 March 2020")


def test_figures_render_for_a_running_model():
    m = DashboardMarket(seed=3, **NATIONAL)
    mapv, trends, market = F.MapView(), F.TrendsView(1), F.MarketView()
    market.update(None)
    assert market.png()[:4] == b"\x89PNG"  # before the first week: "press Step"
    for _ in range(3):
        m.step()
    assert m.market_now is not None and m.market_now.searching >= 0
    df = m.series()
    assert len(df) == 4 and "market_contested_homes" in df
    for metric in F.MAP_METRICS:
        mapv.update(m, metric)
        assert mapv.png()[:4] == b"\x89PNG"
        assert F.authority_table(m, metric)
    trends.update(df, df, 1.0)
    market.update(m.market_now)
    for view in (trends, market):
        assert view.png()[:4] == b"\x89PNG"
    assert F.timeseries_figure(df, None, 1, 0.5)[:4] == b"\x89PNG"
    # units on every axis of the charts
    assert all(ax.get_ylabel() for ax in trends.fig.axes)
    assert all(ax.get_xlabel() for ax in market.fig.axes)


def test_a_redraw_draws_only_what_moved():
    """Each view draws its static layers once per layout and, each week, only its moving artists;
    the picture is the same as a full redraw."""
    m = DashboardMarket(seed=3, **NATIONAL)
    mapv, trends = F.MapView(), F.TrendsView(1)
    for _ in range(3):
        m.step()
        mapv.update(m)
        trends.update(m.series(), None, 1.0)
        fast = [mapv.png(), trends.png()]
    for view, data in zip((mapv, trends), fast):
        drawn = view.canvas.full_draws
        assert view.png() == data and view.canvas.full_draws == drawn  # same layout: no full redraw
        view.canvas._background = None  # force a full redraw
        assert _pixels(view.png()) == _pixels(data)


def test_legends_are_blended_over_the_moving_artists_and_week_titles_are_captions():
    """Static artists over the moving ones (legends) are in the picture without being drawn each
    week; the week's titles are not drawn but written over the picture as HTML, at their place."""
    m = DashboardMarket(seed=3, **NATIONAL)
    m.step()
    mapv, market = F.MapView(), F.MarketView()
    mapv.update(m)
    mapv.png()
    legend = mapv.ax.get_legend()
    assert legend in mapv.canvas.over and legend not in mapv.canvas.moving
    assert len(mapv.canvas._overlay.pixels) > 1000  # the legend's pixels are laid over the dots
    market.update(m.market_now)
    market.png()
    for view, title, ax in ((mapv, mapv.title, mapv.ax), (market, market.titles[1], market.axes[1])):
        assert not title.get_visible()  # not drawn by matplotlib ...
        captions = view.canvas.captions_html()
        assert html.escape(title.get_text()) in captions  # ... but written by the browser
        caption = next(c for c in captions.split("</div>") if html.escape(title.get_text()) in c)
        bottom = float(re.search(r"bottom: ([\d.]+)%", caption).group(1)) / 100
        assert ax.get_position().y1 < bottom < ax.get_position().y1 + 0.05  # just above its axes
    assert f"week {m.week} (" in mapv.canvas.captions_html() and f"Week {m.week}:" in market.canvas.captions_html()


def test_the_baseline_moves_while_it_arrives_and_is_static_once_complete():
    m = DashboardMarket(seed=3, **NATIONAL)
    for _ in range(4):
        m.step()
    df, trends = m.series(), F.TrendsView(1)
    trends.update(df, df.iloc[:2], 1.0, "arriving", base_done=False)
    trends.png()
    drawn = trends.canvas.full_draws
    trends.update(df, df.iloc[:3], 1.0, "arriving", base_done=False)  # more of it: drawn as it moves
    trends.png()
    assert trends.canvas.full_draws == drawn and trends.base_lines[0][0] in trends.canvas.moving
    trends.update(df, df, 1.0)  # complete: drawn once into the static layers
    trends.png()
    assert trends.canvas.full_draws == drawn + 1 and trends.base_lines[0][0] not in trends.canvas.moving
    assert len(trends.base_lines[0][0].get_xdata()) == len(df)


def test_a_panel_whose_range_widened_is_drawn_alone_and_the_picture_is_the_same():
    m = DashboardMarket(seed=3, **NATIONAL)
    for _ in range(3):
        m.step()
    df, trends = m.series(), F.TrendsView(1)
    trends.update(df, None, 1.0)
    trends.png()
    full, panels = trends.canvas.full_draws, trends.canvas.panel_draws
    trends.update(df.assign(children_waiting=df["children_waiting"] * 10), None, 1.0)  # one panel widens
    data = trends.png()
    assert trends.canvas.full_draws == full and trends.canvas.panel_draws == panels + 1
    trends.canvas._background = None  # force a full redraw
    assert _pixels(trends.png()) == _pixels(data)


def test_trend_ranges_only_widen_until_the_baseline_arrives():
    m = DashboardMarket(seed=3, **NATIONAL)
    for _ in range(3):
        m.step()
    df, trends = m.series(), F.TrendsView(1)
    trends.update(df, None, 1.0, "arriving", base_done=False)
    wide = list(trends.panel_ranges)
    trends.update(df.iloc[:2], None, 1.0, "arriving", base_done=False)  # less data: the ranges stay
    assert trends.panel_ranges == wide
    trends.update(df.iloc[:2], df.iloc[:2], 1.0)  # the baseline arrived: fitted afresh
    assert trends.panel_ranges != wide


def test_moving_mean_is_pandas_rolling_mean():
    y = np.array([np.nan, 1.0, 2.0, np.nan, np.nan, np.nan, np.nan, 5.0, 7.0])
    expected = pd.Series(y).rolling(4, min_periods=1).mean().to_numpy()
    assert np.allclose(F.moving_mean(y, 4), expected, equal_nan=True)


def _pixels(data: bytes) -> bytes:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).tobytes()


def test_sticky_ranges_only_widen_in_round_steps():
    s = Sticky(from_zero=True, headroom=0.2)
    lo, hi = s.fit(3, 47)
    assert lo == 0 and hi >= 47 and hi == round(hi)
    assert s.fit(5, 40) == (lo, hi)  # inside: unchanged
    lo2, hi2 = s.fit(0, hi + 1)
    assert lo2 == 0 and hi2 > hi
    shrinking = Sticky(from_zero=True, shrink_below=0.3)
    big = shrinking.fit(0, 1000)
    assert shrinking.fit(0, 100)[1] < big[1]


def test_the_scale_lever_offers_only_honest_scales():
    """The lowest scale offered follows the schema's lower bound on run.scale (not a number of our own)."""
    from simmarket.params.sections import Run

    bound = Run.__dataclass_fields__["scale"].metadata["lo"]
    c = CONTROL_BY_KEY["run.scale"]
    assert bound <= c.lo < bound + c.step and c.lo >= 0.25
    assert on_grid(0.05, 0.25) == 0.25 and on_grid(0.5, 0.25) == 0.5 and on_grid(0.25, 0.05) == 0.25


def test_the_map_measures_what_the_tables_measure():
    """Each authority's map value, weighted by its children in homes (or summed), is the national metric."""
    m = DashboardMarket(seed=2, **NATIONAL)
    for _ in range(4):
        m.step()
    national = metrics.compute(m, window=(m.week, m.week))
    in_homes = np.bincount(m.children.la[m.children.status == metrics.HOME], minlength=m.n_la)
    for key in F.MAP_METRICS:
        per_la = metrics.per_authority(m, key)
        total = per_la.sum() if metrics.METRICS[key].status is not None else np.nansum(per_la * in_homes) / in_homes.sum()
        assert np.isclose(total, national[key], rtol=1e-9), key
        assert np.allclose(F.authority_values(m, key), per_la * metrics.METRICS[key].scale, equal_nan=True)


def test_every_metric_shown_has_its_label_and_format_in_metrics():
    shown = {*F.MAP_METRICS, *views.HEADLINES, *(c for p in F.PANELS for c, _ in p.series)} - set(F.MARKET_SERIES)
    assert shown <= set(metrics.METRICS)
    price, share, spend = (metrics.METRICS[k] for k in ("mean_weekly_price_gbp", "share_over_20_miles",
                                                         "la_spend_childrens_homes_gbp"))
    assert price.format(5123.4) == "5,123" and price.format(5123.4, with_unit=True) == "£5,123"
    assert share.format(0.456) == "46%" and share.scale == 100 and share.format(float("nan")) == "n/a"
    assert spend.format(3.2e9) == "3.20" and spend.title == "Spend on children's homes"
    assert price.format(None) == "n/a" and share.format_diff(0.012) == "+1.2 pp"


def test_a_bad_scenario_is_an_error_not_the_defaults(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('name = "broken"\n[workforce]\nsupply_multiplier = "lots"\n')
    with pytest.raises(ConfigError, match="supply_multiplier"):
        load_scenario(str(bad))
    with pytest.raises(ConfigError):
        load_scenario("no_such_scenario")
    opened = open_run(str(bad))
    assert opened.model is None and "broken.toml" in opened.error and "supply_multiplier" in opened.error
    assert load_scenario("baseline") == params.baseline()


def _texts(rc) -> str:
    """All text on the page: Markdown templates and the HTML the weekly views update in place."""
    out = []
    for wd in [*rc.find(v.VuetifyTemplate).widgets, *rc.find(solara.widgets.HTML).widgets]:
        for val in wd.get_state().values():
            if isinstance(val, str):
                out.append(val)
    return "\n".join(out)


@pytest.fixture
def page(monkeypatch):
    from simmarket.dashboard import app

    monkeypatch.setattr(app, "DEFAULT_SCALE", 1.0)
    for name, value in RENDER_ENV.items():  # rendered as the server renders it
        monkeypatch.setenv(name, value)
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


def test_choosing_a_broken_scenario_shows_why_and_keeps_the_run(page, tmp_path, monkeypatch):
    rc = page
    bad = tmp_path / "scenarios" / "broken.toml"
    bad.parent.mkdir()
    bad.write_text('name = "broken"\n[run]\nyears = -3\n')
    monkeypatch.chdir(tmp_path)
    select = rc.find(v.Select, label="Scenario file (free play)").widget
    select.v_model = "broken"
    alerts = " ".join(str(a.children) for a in rc.find(v.Alert).widgets)
    assert "cannot be used" in alerts and "run.years" in alerts, alerts
    assert "Week 0" in _texts(rc)  # the previous run is still shown


def test_the_history_lesson_starts_a_run_from_march_2020(page):
    rc = page
    rc.find(v.Btn, children=["What happened, 2020 to 2025"]).widget.click()
    text = _texts(rc)
    assert "31 March 2020" in text and "Watch for" in text
    assert "Week 0" in text and "2020" in text


def test_a_lesson_sets_the_levers(page):
    rc = page
    rc.find(v.Btn, children=["Commissioning together"]).widget.click()
    text = _texts(rc)
    assert "regional care cooperatives (RCCs)" in text  # the lesson's introduction
    assert "Watch for" in text
    assert f"{CONTROL_BY_KEY['rcc.membership'].label} = regions" in text
    slider = rc.find(v.Slider, label=CONTROL_BY_KEY["rcc.block_share"].label).widget if "rcc.block_share" in CONTROL_BY_KEY else None
    if slider is not None:
        assert np.isclose(slider.v_model, 0.2)
