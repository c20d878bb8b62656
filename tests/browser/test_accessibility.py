"""WCAG 2.1 AA in a real browser. axe-core (bundled in axe-playwright-python, so nothing is fetched) finds no
serious or critical violation on any page as it opens and after a short training run; the Losses page's main
path works from the keyboard alone; and a browser asking for reduced motion gets nothing that moves by itself.

The server here is the README's first command: run by the environment built from requirements.txt alone when
there is one (SIAMESE_LAB_RUNTIME_PYTHON, which .ci/run builds; tests/docs/test_runtime_install.py checks it
holds no test extra), so the walk through every page also proves that environment serves them."""
from __future__ import annotations

import os
import re
import sys

import pytest

from benchmarks.browser import lab_server, settle
from tests.browser.test_browser import PAGES, SERVER_ENV, VIEW, browser, go, no_exception, student  # noqa: F401

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python is in requirements-test.txt")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = axe_playwright.Axe()
FAILING = {"serious", "critical"}  # axe's impact levels that fail the test; no rule is switched off
# A short run on digits; a seed of its own, so no cached result stands in for the training.
SHORT_RUN = "/losses?dataset=digits&loss=contrastive&dim=8&seconds=5&seed={seed}"


@pytest.fixture(scope="module")
def server():
    if not os.environ.get("SIAMESE_LAB_DATA"):
        pytest.skip("SIAMESE_LAB_DATA is not set")
    runtime = os.environ.get("SIAMESE_LAB_RUNTIME_PYTHON", "")
    with lab_server(env=SERVER_ENV, python=runtime if os.access(runtime, os.X_OK) else sys.executable) as (url, _):
        yield url


def violations(page) -> list[str]:
    """axe-core's failing findings on the page as it is now, one line per element."""
    found = AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [f"{v['id']} ({v['impact']}): {' '.join(map(str, n['target']))} {n['html'][:150]}"
            for v in found if v["impact"] in FAILING for n in v["nodes"]]


# Every chart on the page has drawn (Plotly's SVG, Vega-Lite's canvas): axe then sees what a student sees.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], .vega-embed')]
    .every(c => c.querySelector('.main-svg, canvas, svg'))"""


def train_short_run(page, url: str, seed: int) -> None:
    page.goto(url + SHORT_RUN.format(seed=seed))
    settle(page, 240)
    page.get_by_role("button", name="Train", exact=True).click()


def wait_for_report(page) -> None:
    page.locator('[data-testid="stMetric"]', has_text="test accuracy").first.wait_for(timeout=240_000)
    settle(page, 240)


def test_every_page_opens_from_the_sidebar_and_axe_finds_nothing_serious(browser, server):  # noqa: F811
    """Each page as a student reaches it, from the sidebar: its address, a heading, no exception box (an import
    missing from requirements.txt shows as one), and axe's findings once its charts have drawn."""
    page = student(browser, server)
    no_exception(page)  # before any heading: an import error on Home shows a traceback and no heading
    found = {}
    for _, title, url_path in PAGES:
        go(page, title)
        assert page.url.split("?")[0].rstrip("/").endswith(url_path if url_path != "home" else "")
        page.get_by_role("heading").first.wait_for(timeout=60_000)
        no_exception(page)
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)  # charts draw after the script run ends
        found[url_path] = violations(page)
    assert found == {url_path: [] for _, _, url_path in PAGES}
    page.context.close()


IS_FOCUSED = """name => { const e = document.activeElement;
  return !!e && e.tagName === 'BUTTON' && e.innerText.trim() === name; }"""


def tab_to(page, name: str, presses: int = 150) -> None:
    """Press Tab until the button `name` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(IS_FOCUSED, name):
            return
    raise AssertionError(f"{presses} presses of Tab never reached the button {name!r}")


def test_the_main_path_works_by_keyboard_alone(browser, server):  # noqa: F811
    """Reach Train with Tab, start with Enter, reach Stop with Tab, stop with Space: no mouse at all."""
    page = student(browser, server)
    page.goto(f"{server}/losses?dataset=digits&loss=contrastive&dim=8&seconds=120&seed=3102")
    settle(page, 240)
    tab_to(page, "Train")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile("Training “")).first.wait_for(timeout=60_000)
    tab_to(page, "Stop")
    page.keyboard.press("Space")
    page.get_by_text(re.compile("“.*” was stopped\\.")).first.wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text(re.compile("Training “")).count() == 0
    page.context.close()


# Animations running now that move for longer than a blink (Plotly's and Vega's own drawing runs in script, the
# browser's CSS animations and transitions are listed here); where each runs.
MOVING = """() => document.getAnimations().filter(a => a.playState === 'running').filter(a => {
    const t = a.effect.getComputedTiming(); return t.iterations === Infinity || t.duration > 50; })
  .map(a => { const el = a.effect.target, at = el && el.closest('[data-testid]');
    return (a.animationName || a.transitionProperty) + ' on ' + (at ? at.dataset.testid : el && el.tagName); })"""
# The replay figure (the plot with a step slider): its slider's step now, and its last step.
REPLAY_STEP = """() => { const p = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => p._fullLayout && p._fullLayout.sliders && p._fullLayout.sliders.length);
  return p ? [p._fullLayout.sliders[0].active, p._transitionData._frames.length - 1] : null; }"""


def test_reduced_motion_gets_no_animation_that_plays_by_itself_and_axe_finds_nothing_after_a_run(browser, server):  # noqa: F811
    context = browser.new_context(viewport=VIEW, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{server}/losses?mode=explore")
    settle(page, 240)
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    page.wait_for_function(REPLAY_STEP, timeout=60_000)
    opened = page.evaluate(REPLAY_STEP)
    assert opened[0] == opened[1], "the replay opens on the trained network"
    page.wait_for_timeout(3000)
    assert page.evaluate(REPLAY_STEP) == opened, "the replay played by itself"
    assert page.evaluate(MOVING) == []

    # A training run: its progress and live charts update, and nothing glides or spins meanwhile.
    train_short_run(page, server, seed=3103)
    seen = set()
    report = page.locator('[data-testid="stMetric"]', has_text="test accuracy").first
    for _ in range(2400):  # up to 240 s, sampled every 0.1 s
        seen.update(page.evaluate(MOVING))
        if report.count():
            break
        page.wait_for_timeout(100)
    wait_for_report(page)
    assert seen == set()
    # The page after a training run (its report, live charts and replay) gives axe nothing serious either.
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    assert violations(page) == []
    context.close()
