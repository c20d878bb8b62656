"""Atlas sliders, measured in the browser: from a slider move (a key press, or a drag's release) on the Losses and
Embedding-size pages' explore mode until every chart of the page shows the new cell (how the page's clock is
read: docs/benchmarks.md, "Atlas sliders in the browser"). A last check moves one slider through five values
quickly and says whether the page ends on the last value's cell with no stale chart.

    python -m benchmarks run atlas-sliders [--page NAME] [--out docs/results/atlas-sliders.json]
"""
from __future__ import annotations

import statistics
import time
from functools import partial

import psutil

from benchmarks.blocks import Block, conditions_line, table
from benchmarks.browser import lab_server, launch_chromium, settle
from benchmarks.results import conditions, parser, save

NAME = "atlas-sliders"
SUMMARY = "an atlas slider move (key and drag) until every chart shows the new cell, in Chromium"
GOALS = {"median_s": 0.3, "first_s": 1.0}
VIEW = {"width": 1400, "height": 1000}

WATCH = """() => {
  const s = window.__sl = {t0: null, t1: null, refs: [], expect: null};
  const charts = () => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')];
  // a Vega-Lite chart updated in place keeps its element: what changes is what its SVG draws
  // (its marks' count and first and last mark: serialising whole SVGs at every frame slowed the page measured)
  const vegas = () => [...document.querySelectorAll('[data-testid="stMain"] .vega-embed svg')].map(v =>
    [...v.querySelectorAll('.role-mark')].map(g => g.childElementCount + (g.firstElementChild?.outerHTML ?? '')
                                                  + (g.lastElementChild?.outerHTML ?? '')).join('|'));
  const start = () => { if (s.expect && s.t0 === null) s.t0 = performance.now(); };
  document.addEventListener('keydown', start, true);
  document.addEventListener('pointerup', start, true);
  // the slider `el` moved off `before`; the heading and titles must name its new value as `fmt` spells it
  window.__arm = (el, fmt, refs) => { s.el = el; s.fmt = fmt; s.before = el.getAttribute('aria-valuetext');
    s.refs = refs ? charts().map(p => p.data) : []; s.drawn = refs ? vegas() : [];
    s.expect = true; s.t0 = s.t1 = s.tRun = s.tRan = null; };
  const done = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || document.querySelector('[data-stale="true"]'))
      return false;
    const value = s.el.getAttribute('aria-valuetext');
    if (value === s.before) return false;
    const want = s.fmt.replace('{}', String(parseFloat(value)));
    const heads = [...document.querySelectorAll('[data-testid="stMain"] h2')].map(h => h.textContent).join(' | ');
    if (!heads.includes(want)) return false;
    const cs = charts();
    if (cs.length < s.refs.length || cs.some((p, i) => !p.data || p.data === s.refs[i])) return false;
    const vs = vegas();
    if (vs.length < s.drawn.length || vs.some((v, i) => v === s.drawn[i])) return false;
    const titles = cs.flatMap(p => [...p.querySelectorAll('.gtitle, .annotation-text')].map(t => t.textContent))
                     .filter(t => t.startsWith('atlas'));
    return titles.every(t => t.includes(want));
  };
  const tick = () => {
    if (s.t0 !== null && s.t1 === null) {
      const state = document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState;
      if (state === 'running' && s.tRun === null) s.tRun = performance.now();
      if (state !== 'running' && s.tRun !== null && s.tRan === null) s.tRan = performance.now();
      if (done()) s.t1 = performance.now();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

# page → (its explore link, the sliders moved: (label, how the heading names its value))
PAGES = {"Losses": ("/losses?mode=explore", (("margin m", "m={}"), ("embedding size", "D={}"))),
         "Embedding size": ("/embedding-size?mode=explore", (("margin m", "m={}"),))}


def timed_move(page, slider, move, spelled: str, timeout: float = 30.0) -> list[float]:
    """Seconds from the move (`move()`: press or drag) to [the page showing the slider's new value's cell, the
    browser first showing the rerun as running, then as finished]."""
    slider.evaluate("(el, fmt) => window.__arm(el, fmt, true)", spelled)
    move()
    page.wait_for_function("() => window.__sl.t1 !== null", timeout=timeout * 1000)
    return page.evaluate("() => [window.__sl.t1, window.__sl.tRun, window.__sl.tRan]"
                         ".map(t => t === null ? null : (t - window.__sl.t0) / 1000)")


def drag(page, slider, right: bool):
    """Drag the slider's thumb one step's width and let go (the slider is a hidden range input inside its thumb,
    inside its track)."""
    def move():
        box = slider.locator("xpath=../..").bounding_box()
        track = slider.locator("xpath=../../..").bounding_box()
        step = track["width"] / max(1.0, float(slider.get_attribute("max")) - float(slider.get_attribute("min")))
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + (step if right else -step), y, steps=5)
        page.mouse.up()
    return move


def warm_up_done(pid: int, quiet_s: float = 3.0, limit_s: float = 300.0) -> float:
    """Wait until the server's CPU has been idle `quiet_s` seconds (its background warm-up of the atlas's figures
    is over); seconds waited."""
    proc, t0, idle_since = psutil.Process(pid), time.monotonic(), None
    last = sum(proc.cpu_times()[:2])
    while time.monotonic() - t0 < limit_s:
        time.sleep(0.5)
        now = sum(proc.cpu_times()[:2])
        busy, last = now - last > 0.1, now
        idle_since = None if busy else (idle_since or time.monotonic())
        if idle_since and time.monotonic() - idle_since >= quiet_s:
            break
    return time.monotonic() - t0


def rapid_five(page, slider, spelled: str) -> bool:
    """Five presses 60 ms apart; the page ends on the last value's cell with no stale element."""
    at_end = slider.evaluate("el => el.value === el.max")  # a hidden range input: its options' indices
    slider.evaluate("(el, fmt) => window.__arm(el, fmt, false)", spelled)
    for _ in range(5):
        slider.press("ArrowLeft" if at_end else "ArrowRight")
        page.wait_for_timeout(60)
    try:
        page.wait_for_function("() => window.__sl.t1 !== null", timeout=20_000)
    except Exception:  # noqa: BLE001 - a timeout is the answer "no"
        return False
    page.wait_for_timeout(1500)  # nothing may come after it either
    settle(page)
    slider.evaluate("(el, fmt) => { window.__arm(el, fmt, false); window.__sl.before = null; "
                    "window.__sl.t0 = performance.now(); }", spelled)
    try:
        page.wait_for_function("() => window.__sl.t1 !== null", timeout=5_000)
        return True
    except Exception:  # noqa: BLE001
        return False


def measure_page(browser, url: str, pid: int, link: str, sliders, moves: int) -> dict:
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(url + link)
    settle(page, 240)
    page.wait_for_selector('[data-testid="stMain"] .js-plotly-plot .main-svg', timeout=120_000)
    page.evaluate(WATCH)
    label, spelled = sliders[0]
    first_slider = page.get_by_role("slider", name=label)
    first = timed_move(page, first_slider, partial(first_slider.press, "ArrowLeft"), spelled)[0]
    waited = warm_up_done(pid)
    keys, drags = [], []
    for label, spelled in sliders:
        slider = page.get_by_role("slider", name=label)
        for k in range(moves):
            key = partial(slider.press, "ArrowRight" if k % 2 else "ArrowLeft")
            keys.append(timed_move(page, slider, key, spelled))
            drags.append(timed_move(page, slider, drag(page, slider, right=k % 2 == 0), spelled))
    ends_right = all(rapid_five(page, page.get_by_role("slider", name=label), spelled) for label, spelled in sliders)
    page.context.close()
    keys_s, drags_s = [x[0] for x in keys], [x[0] for x in drags]
    return {"first_s": first, "warm_up_wait_s": waited, "five_quick_moves_end_right": ends_right,
            "run_seen_s": statistics.median(x[1] for x in keys + drags if x[1] is not None),
            "run_over_s": statistics.median(x[2] for x in keys + drags if x[2] is not None),
            "keys_s": keys_s, "drags_s": drags_s, "median_s": statistics.median(keys_s + drags_s),
            "spread_s": [min(keys_s + drags_s), max(keys_s + drags_s)], "key_median_s": statistics.median(keys_s),
            "drag_median_s": statistics.median(drags_s)}


def main(argv=None) -> dict:
    from playwright.sync_api import sync_playwright

    p = parser(NAME, __doc__)
    p.add_argument("--moves", type=int, default=6, help="key presses and drags per slider (default 6 each)")
    p.add_argument("--page", choices=list(PAGES), action="append", help="measure only this page (repeatable)")
    a = p.parse_args(argv)
    before = conditions()
    pages = {}
    for name in [n for n in PAGES if not a.page or n in a.page]:  # a fresh server per page: a first move is first
        with lab_server() as (url, proc), sync_playwright() as pw:
            browser = launch_chromium(pw)
            pages[name] = measure_page(browser, url, proc.pid, *PAGES[name], a.moves)
            browser.close()
    save(a.out, NAME, argv, {"goals": GOALS, "pages": pages}, before, show=block_text)
    return pages


def block_text(*results: dict) -> str:
    """One row per page and result: the docs show the code before the in-place charts and now, side by side."""
    labels = ("before", "now") if len(results) == 2 else ("now",)
    goals = results[-1]["figures"]["goals"]
    rows = [[f"{name}, {when}", f"{p['median_s']:.2f} s ({p['spread_s'][0]:.2f}–{p['spread_s'][1]:.2f})",
             f"{p['key_median_s']:.2f} s", f"{p['drag_median_s']:.2f} s",
             f"{p['run_seen_s']:.2f} s / {p['run_over_s']:.2f} s", f"{p['first_s']:.2f} s",
             "yes" if p["five_quick_moves_end_right"] else "**no**"]
            for name in results[-1]["figures"]["pages"] for when, r in zip(labels, results)
            for p in (r["figures"]["pages"][name],)]
    return "\n".join([table(["page", f"median move (goal ≤ {goals['median_s']} s)", "key", "drag",
                             "rerun seen starting / ending", f"first move (goal ≤ {goals['first_s']} s)",
                             "five quick moves end on the last cell"], rows), "",
                      *(f"{when}: {conditions_line(r)}" for when, r in zip(labels, results))])


BLOCKS = {"atlas-sliders": Block(("docs/results/atlas-sliders-before.json", "docs/results/atlas-sliders.json"),
                                 "python -m benchmarks run atlas-sliders --out docs/results/atlas-sliders.json",
                                 block_text)}
