"""In a real browser: the mining page's "Show me collapse" preset trains hardest and semi-hard negatives
and the page shows the collapse alarm and says the claim held in this run."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, lab_server, launch_chromium, open_app, settle

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-test.txt")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.browser


def test_the_collapse_preset_shows_a_collapse(tmp_path):
    if not os.environ.get("SIAMESE_LAB_DATA"):
        pytest.skip("SIAMESE_LAB_DATA is not set")
    with lab_server(env={"SIAMESE_LAB_WORKERS": "1", "SIAMESE_LAB_THREADS_PER_JOB": "1"}) as (url, _), \
            sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_app(page, url)
        page.goto(url + "/mining")
        settle(page, 240)
        page.get_by_role("button", name="Show me collapse").click()
        alarm = page.locator('[data-testid="stAlertContentError"]', has_text=re.compile(r"hardest negative.*collapse"))
        alarm.first.wait_for(timeout=240_000)
        settle(page, 60)
        assert page.locator('[data-testid="stException"]').count() == 0
        held = page.locator('[data-testid="stAlertContentSuccess"]', has_text="hardest negatives collapsed at step")
        assert held.count() == 1
        page.screenshot(path=str(tmp_path / "collapse.png"), full_page=True)
        browser.close()
