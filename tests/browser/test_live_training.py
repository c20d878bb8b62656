"""A live run in a real browser: press Train on the Losses page and watch the live histogram and map
change while it trains, each chart updated in place; then see the report's replay open on the trained network,
scrub its slider to the first step and back to the last, and see the trained points again."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, launch_chromium, open_app, settle

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-test.txt")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Digits: small, so a short run gives many frames; a seed of its own, so no shared result is handed out.
LINK = "/losses?dataset=digits&loss=contrastive&dim=8&seconds=15&seed=4242"

# Every 100 ms while the live caption is shown: a fingerprint of what the live map and histogram draw (the
# first two live charts, Vega-Lite on a canvas), appended whenever it differs from the last one, and every
# drawing surface seen (a chart updated in place keeps its canvas; a remounted one gets a new one).
WATCH_LIVE = """() => {
  const w = window.__watch = {map: [], hist: [], live: false, done: false, captions: [], surfaces: 0,
                              moving: []};
  const seen = new WeakSet();
  const hash = s => { let h = 0; for (let i = 0; i < s.length; i += 7) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
  const fingerprint = c => { const s = c && c.querySelector('canvas, svg');
    return s ? String(hash(s.tagName === 'CANVAS' ? s.toDataURL() : s.outerHTML)) : null; };
  const keep = (list, v) => { if (v && list[list.length - 1] !== v) list.push(v); };
  const timer = setInterval(() => {
    const caption = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .find(c => c.textContent.startsWith('Live, on'));
    const live = !!caption;
    if (live) keep(w.captions, caption.textContent);
    if (live) { w.live = true;
      // the run's charts, not the pretrained first look's (they stay a moment after the click)
      const charts = [...document.querySelectorAll('.vega-embed')]
          .filter(c => !c.closest('[class*="st-key-first-look"]'));
      // a transition running inside the followed run's panels (page_styles.css stops them; a loading
      // skeleton's own animation, before a chart's first drawing, is not one)
      for (const a of document.getAnimations().filter(a => a instanceof CSSTransition)) {
        const t = a.effect && a.effect.target;
        if (t && t.closest && t.closest('[class*="st-key-follow-"]')) keep(w.moving, t.dataset.testid || t.tagName); }
      for (const c of charts) { const s = c.querySelector('canvas, svg');
        if (s && !seen.has(s)) { seen.add(s); w.surfaces++; } }
      keep(w.map, fingerprint(charts[0]));
      keep(w.hist, fingerprint(charts[1])); }
    if (w.live && !live) { w.done = true; clearInterval(timer); }
  }, 100);
}"""

# The replay figure (the plot with a slider): the points its map shows now (decoded: Plotly's _fullData),
# its number of steps and the slider's active step.
REPLAY_MAP = """() => {
  const p = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.querySelector('.slider-container'));
  const pts = p._fullData.filter(t => t.type.startsWith('scatter')).map(t => [Array.from(t.x), Array.from(t.y)]);
  return {now: pts, steps: p._transitionData._frames.length,
          active: p._fullLayout.sliders[0].active};
}"""


def scrub(page, to_end: bool) -> None:
    """Click the replay slider's rail at its right or left end (Plotly moves to the nearest step)."""
    rail = page.locator(".slider-container .slider-rail-touch-rect").first
    box = rail.bounding_box()
    x = box["x"] + (box["width"] - 3 if to_end else 3)
    page.mouse.click(x, box["y"] + box["height"] / 2)
    page.wait_for_timeout(800)


def test_the_map_and_histogram_move_while_training_and_the_replay_scrubs_back(server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_app(page, server)
            page.goto(server + LINK)
            settle(page, 120)
            page.evaluate(WATCH_LIVE)
            page.get_by_role("button", name="Train", exact=True).click()
            page.wait_for_function("() => window.__watch.done", timeout=180_000, polling=200)
            watch = page.evaluate("() => window.__watch")
            # Each new frame drew a different map and histogram: at least three changes before the end.
            seen = f"captions seen: {watch['captions']}"
            assert len(watch["map"]) - 1 >= 3, f"the map changed {len(watch['map']) - 1} times; {seen}"
            assert len(watch["hist"]) - 1 >= 3, f"the histogram changed {len(watch['hist']) - 1} times"
            # … each drawn into the chart the browser already had: the map, the histogram and the curve
            # were mounted once each (at most two remounts in the whole run).
            assert 3 <= watch["surfaces"] <= 5, f"{watch['surfaces']} chart surfaces for 3 live charts"
            # … and nothing in the live panels faded or slid at each redraw (Chromium repainted all the time).
            assert watch["moving"] == [], f"transitions in the live panels: {watch['moving']}"

            page.get_by_text("Watch it learn again").wait_for(timeout=60_000)
            page.locator(".slider-container").first.wait_for(timeout=60_000)
            page.locator(".slider-container").first.scroll_into_view_if_needed()
            opened = page.evaluate(REPLAY_MAP)               # the replay opens on the trained network
            assert opened["steps"] >= 4 and opened["active"] == opened["steps"] - 1
            assert sum(len(x) for x, _ in opened["now"]) > 0
            scrub(page, to_end=False)
            start = page.evaluate(REPLAY_MAP)
            assert start["active"] == 0, "the slider did not move to the first step"
            assert start["now"] != opened["now"]               # the map shows the untrained layout
            scrub(page, to_end=True)
            back = page.evaluate(REPLAY_MAP)
            assert back["active"] == back["steps"] - 1 and back["now"] == opened["now"]  # the trained points
        finally:
            browser.close()
