"""Training one's own one-shot network in a real browser: on the One-shot page, a short budget and Train; while it
trains, the 20-way accuracy changes from frame to frame and the trial drawn large changes its pick at least once
(its first pick is wrong by construction); once it ends, the student's network can be chosen for the rest of the
page. Screenshots of the page while it trains and after go to $SIAMESE_LAB_SHOTS (a temporary folder otherwise)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, launch_chromium, open_app, settle

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-test.txt")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

try:  # axe-core's check of what the run leaves on the page (tests/browser/test_accessibility.py)
    from tests.browser import test_accessibility as axe
    from tests.browser.test_accessibility import CHARTS_DRAWN
except pytest.skip.Exception:
    axe = CHARTS_DRAWN = None

# A seed of its own, so no result kept from another test stands in for the training.
LINK = "/one-shot?seconds=25&seed=6113"

# Every 200 ms while the run is followed: each new value of the live 20-way accuracy and of the large trial's pick
# (the verdict's "picks candidate #k"), and whether the live view has come and gone.
WATCH = """() => {
  const w = window.__watch = {accuracy: [], picks: [], verdicts: [], live: false, done: false};
  const keep = (list, v) => { if (v && list[list.length - 1] !== v) list.push(v); };
  const timer = setInterval(() => {
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(m => m.textContent.startsWith('20-way accuracy'));
    const verdict = [...document.querySelectorAll('[data-testid="stAlert"]')]
        .find(a => a.textContent.includes('the network picks candidate'));
    const live = !!(metric && verdict);
    if (live) { w.live = true;
      keep(w.accuracy, metric.querySelector('[data-testid="stMetricValue"]').textContent);
      keep(w.verdicts, verdict.textContent);
      keep(w.picks, (verdict.textContent.match(/picks candidate #(\\d+)/) || [])[1]); }
    if (w.live && !live) { w.done = true; clearInterval(timer); }
  }, 200);
}"""


def shots() -> Path:
    folder = Path(os.environ.get("SIAMESE_LAB_SHOTS") or tempfile.mkdtemp(prefix="oneshot-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_accuracy_climbs_and_the_large_trials_pick_changes_while_it_trains(server):
    folder = shots()
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_app(page, server)
            page.goto(server + LINK)
            settle(page, 240)
            budget = page.locator('[data-testid="stSlider"]', has_text="time budget (s)")
            assert budget.locator('[data-testid="stSliderThumbValue"]').inner_text() == "25"  # from the link
            page.evaluate(WATCH)
            # A fresh machine's first Omniglot run loads and redraws the background set first: minutes, not seconds.
            page.get_by_role("button", name="Train", exact=True).click()
            page.wait_for_function("() => window.__watch.live", timeout=300_000, polling=500)
            page.wait_for_timeout(12_000)
            page.get_by_role("heading", name="Train your own one-shot network").scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "oneshot-training-top.png"))
            page.get_by_text("The trial drawn large").first.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "oneshot-training.png"))
            page.wait_for_function("() => window.__watch.done", timeout=300_000, polling=500)
            watch = page.evaluate("() => window.__watch")
            seen = f"accuracy {watch['accuracy']}, verdicts {watch['verdicts']}"
            assert len(watch["accuracy"]) >= 2, f"the live 20-way accuracy never changed: {seen}"
            assert len(watch["picks"]) >= 2, f"the large trial's pick never changed: {seen}"
            assert "wrong" in watch["verdicts"][0], f"the first pick shown was right: {seen}"

            page.get_by_text("Your network, 400 fixed trials").first.wait_for(timeout=120_000)
            settle(page, 240)
            page.get_by_text("Your network, 400 fixed trials").first.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "oneshot-done.png"))
            page.get_by_text("yours", exact=True).first.click()   # the radio: the rest of the page uses it
            settle(page, 240)
            page.get_by_text("The network picks support").first.wait_for(timeout=60_000)
            page.get_by_text("The network picks support").first.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "oneshot-after.png"))
            if axe is not None:  # what the run left on the page: its figures, curve, replay and choice
                page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
                assert axe.violations(page) == []
            # The official runs' figure, measured in the background, replaces "computing…" by itself.
            official = page.locator('[data-testid="stMetric"]', has_text="Official 20 runs (Lake et al.")
            official.locator('[data-testid="stMetricValue"]', has_text="%").wait_for(timeout=300_000)
            official.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "oneshot-official.png"))
        finally:
            browser.close()


def test_a_run_stopped_at_once_leaves_the_shipped_network_and_says_so(server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_app(page, server)
            page.goto(server + "/one-shot?seconds=60&seed=6114")
            settle(page, 240)
            page.get_by_role("button", name="Train", exact=True).click()
            page.get_by_role("button", name="Stop", exact=True).click()
            page.get_by_text("the page goes on with the shipped network").first.wait_for(timeout=120_000)
            settle(page, 240)
            assert page.get_by_text("The network the rest of this page uses").count() == 0  # nothing to choose
            assert page.get_by_text("The network picks support").count() == 1               # the shipped one's
        finally:
            browser.close()
