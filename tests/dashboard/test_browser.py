"""End to end: `solara run` serves the dashboard; headless system Chromium drives the real page.

Screenshots go to test-artifacts/dashboard/ (git-ignored)."""

import contextlib
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("solara")
pytest.importorskip("altair")
playwright = pytest.importorskip("playwright.sync_api")

from simmarket.dashboard.levers import CONTROL_BY_KEY  # noqa: E402
from simmarket.dashboard.serve import free_port, server_env, solara_command, wait_until_up  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
STEPS_TIMED = 9
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"system Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does this)"),
]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = server_env(SIMMARKET_DASHBOARD_SCALE="1.0")  # national, as students see it
    proc = subprocess.Popen(solara_command(port), env=env, cwd=Path(__file__).resolve().parents[2],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(url, proc, timeout=90):
            proc.kill()
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"the dashboard server did not start:\n{out[-3000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


# press Step once and resolve, in the browser's own clock, when the headline shows the next week and
# every chart's image has changed and decoded: one week's step and redraw as the student sees it
STEP_JS = """async () => {
  const imgs = () => [...document.querySelectorAll('.solara-image')];
  const week = () => { const m = document.body.innerText.match(/Week (\\d+) of/); return m ? +m[1] : -1; };
  const before = imgs().map(e => e.src), w0 = week();
  const step = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  step.click();
  for (;;) {
    await new Promise(r => requestAnimationFrame(r));
    const now = imgs();
    if (week() === w0 + 1 && now.length >= 3 && now.every((e, i) => e.src !== before[i])) {
      await Promise.all(now.map(e => e.decode()));
      return performance.now() - t0;
    }
  }
}"""


@contextlib.contextmanager
def loaded_page(server: str, timeout_ms: int):
    """A headless Chromium page on the dashboard, once week 0 and its three charts are shown."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.set_default_timeout(timeout_ms)
        page.goto(server)
        page.get_by_text("Week 0", exact=False).first.wait_for()
        page.wait_for_function("document.querySelectorAll('.solara-image').length >= 3")
        yield page
        browser.close()


def _images(page) -> list[str]:
    return page.eval_on_selector_all(".solara-image", "els => els.map(e => e.src.slice(-200))")


def test_page_loads_lever_changes_model_steps_charts_update(server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with loaded_page(server, 60_000) as page:
        page.screenshot(path=str(ARTIFACTS / "1-loaded.png"), full_page=True)

        # step one week: every chart is redrawn
        before = _images(page)
        page.get_by_role("button", name="Step").click()
        page.get_by_text("Week 1", exact=False).first.wait_for()
        page.wait_for_function(
            "prev => { const now = [...document.querySelectorAll('.solara-image')].map(e => e.src.slice(-200));"
            " return now.length >= 3 && now.every((s, i) => s !== prev[i]); }", arg=before)
        page.screenshot(path=str(ARTIFACTS / "2-after-step.png"), full_page=True)

        # change a lever with the keyboard (staff supply down), then Reset and Step
        label = CONTROL_BY_KEY["workforce.supply_multiplier"].label
        slider = page.locator(".v-input", has_text=label).locator("[role=slider]").first
        slider.focus()
        for _ in range(6):
            slider.press("ArrowLeft")
        page.get_by_role("button", name="Reset").click()
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"{label} = 0.7", exact=False).first.wait_for()
        page.get_by_text("Week 1", exact=False).first.wait_for()

        # a lesson sets the levers and explains what to watch
        page.get_by_role("button", name="Commissioning together").click()
        page.get_by_text("Watch for", exact=False).first.wait_for()
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
            page.wait_for_timeout(300)
        page.get_by_text("Week 3", exact=False).first.wait_for()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "3-lesson.png"), full_page=True)
        imgs = page.locator(".solara-image")
        for i, name in enumerate(("map", "trends", "market")):
            imgs.nth(i).screenshot(path=str(ARTIFACTS / f"view-{name}.png"))
    assert (ARTIFACTS / "3-lesson.png").stat().st_size > 10_000


def test_step_and_redraw_time_national(server):
    """One week's step and redraw at national scale, timed in the browser (median of several weeks).

    Printed, not asserted: speed targets are checked by `simmarket bench`, never by timed tests."""
    with loaded_page(server, 120_000) as page:
        busy = []  # the first weeks: the charts' first layouts, the baseline run computing in the background
        for _ in range(60):  # then the steady state: step (slowly) until the baseline run has finished
            busy.append(page.evaluate(STEP_JS))
            if "being computed" not in page.inner_text("body"):
                break
            page.wait_for_timeout(1000)
        times = [page.evaluate(STEP_JS) for _ in range(STEPS_TIMED)]
    for what, ts in (("first weeks (first layouts; baseline run computing if not yet cached)", busy),
                     ("steady state", times)):
        print(f"\ndashboard step+redraw, national, in the browser, {what}: median {statistics.median(ts):.0f} ms "
              f"over {len(ts)} weeks (each: {', '.join(f'{t:.0f}' for t in ts)} ms)")
    assert all(t > 0 for t in times)
