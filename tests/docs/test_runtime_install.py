"""The README's first command, proven: an environment built from requirements.txt alone (no test extras)
runs the command line's few-step `train`, and serves the app: the accessibility tests
(tests/browser/test_accessibility.py) start their server with its Python and open every page from the sidebar.
`.ci/run` builds that environment beside the test one and names its Python in SIAMESE_LAB_RUNTIME_PYTHON;
without it these tests skip (and under CI a skip fails the run)."""
from __future__ import annotations

import os
import subprocess

import pytest

from benchmarks.browser import ROOT

pytestmark = pytest.mark.slow  # fresh Pythons of another environment
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


def test_the_command_line_runs_from_requirements_txt_alone(runtime_python, tmp_path):
    # A few-step `train` imports all that --help and `datasets` do (they are checked in this process:
    # tests/cli/test_cli.py), and the model, trainer and checkpoint code besides.
    out = tmp_path / "digits.pt"
    train = run(runtime_python, "-m", "siamese_core", "train", "--dataset", "digits", "--loss", "contrastive",
                "--epochs", "1", "--steps-per-epoch", "5", "--batch-size", "32", "--out", str(out), "--quiet")
    assert train.returncode == 0, train.stderr
    assert out.is_file() and out.stat().st_size > 0
