"""The README's first command, proven: an environment built from requirements.txt alone (no test extras)
runs `streamlit run app.py` with every page opening without an exception, and the command line's --help,
`datasets` and a few-step `train`. `.ci/run` builds that environment beside the test one and names its Python
in SIAMESE_LAB_RUNTIME_PYTHON; without it these tests skip (and under CI a skip fails the run)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, ROOT, SETTLED, lab_server, launch_chromium

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-test.txt")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from tests.browser.test_browser import PAGES, VIEW, go, no_exception  # noqa: E402 (after the skips)

pytestmark = pytest.mark.browser
RUNTIME_PYTHON = os.environ.get("SIAMESE_LAB_RUNTIME_PYTHON", "")


@pytest.fixture(scope="module")
def runtime_python() -> str:
    if not os.access(RUNTIME_PYTHON, os.X_OK):
        pytest.skip("SIAMESE_LAB_RUNTIME_PYTHON names no Python of an environment built from requirements.txt "
                    "alone (.ci/run builds one)")
    return RUNTIME_PYTHON


def run(python: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_the_runtime_environment_holds_no_test_extra(runtime_python):
    """Otherwise the checks below would prove nothing the test environment does not already prove."""
    for module in ("pytest", "playwright", "distributed"):
        assert run(runtime_python, "-c", f"import {module}").returncode != 0, f"{module} is installed there"


def test_every_page_opens_on_a_server_started_from_requirements_txt_alone(runtime_python):
    with lab_server(python=runtime_python) as (url, _), sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport=VIEW).new_page()
        page.goto(url, timeout=120_000)
        page.wait_for_selector(SETTLED, timeout=120_000)
        no_exception(page)  # before waiting for a heading: an import error shows a traceback and no heading
        for _, title, url_path in PAGES:  # from the sidebar, as a student goes
            go(page, title)
            assert page.url.split("?")[0].rstrip("/").endswith(url_path if url_path != "home" else "")
            page.get_by_role("heading").first.wait_for()
            no_exception(page)
        browser.close()


def test_the_command_line_runs_from_requirements_txt_alone(runtime_python, tmp_path):
    assert "train" in run(runtime_python, "-m", "siamese_core", "--help").stdout
    datasets = run(runtime_python, "-m", "siamese_core", "datasets", "--json")
    assert datasets.returncode == 0, datasets.stderr
    assert json.loads(datasets.stdout)
    out = tmp_path / "digits.pt"
    train = run(runtime_python, "-m", "siamese_core", "train", "--dataset", "digits", "--loss", "contrastive",
                "--epochs", "1", "--steps-per-epoch", "5", "--batch-size", "32", "--out", str(out), "--quiet")
    assert train.returncode == 0, train.stderr
    assert out.is_file() and out.stat().st_size > 0
